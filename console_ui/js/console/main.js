// The operator console: loads the event, renders every panel, and re-fetches on each journal entry.
import { $, announce, api, apiOptional, currentUser, h, hasRole, logout, markReady, pickEvent, rememberEvent, replaceChildren, switchEvent } from '../lib/core.js';
import { connectionUi, JOURNAL_KEEP, LiveFeed, loadJournal } from '../lib/live.js';
import { makeActions } from './actions.js';
import { makeControls } from './controls.js';
import { renderCountdown, tickCountdown } from './countdown.js';
import { makeNotices } from './notices.js';
import { renderActivity, renderWaiting } from './panels.js';
import { renderModeration } from './moderation.js';
import { makeModeration, permissions } from '../lib/moderation.js';
import { loadQuestions, renderAudienceEmergency, renderQuestions } from './questions.js';
import { setUpPolicy } from '../lib/policy.js';
import { initComposer } from './composer.js';
import { renderControls, renderEmergencyBanner, renderStatus, tick } from './header.js';
import { renderTimeline } from './timeline.js';

const state = {
  me: null, events: [], event: null, live: null, liveFetchedAt: 0, items: [], deliveries: [],
  journal: [], questions: null, authorizations: [], modFilter: 'queue',
};
let actions;
let notices;
let fetchStartedAt = 0; // when the data on screen was asked for (status lines expire only on newer data)
let moderation;
let composer;


async function fetchAll() {
  const id = state.event.id;
  const started = performance.now();
  const [event, live, items, deliveries, questions, authorizations] = await Promise.all([
    api(`/api/events/${id}`), api(`/api/events/${id}/live`), api(`/api/events/${id}/items`),
    api(`/api/events/${id}/deliveries`), loadQuestions(id, state.modFilter),
    apiOptional(`/api/events/${id}/authorizations`, []),
  ]);
  Object.assign(state, { event, live, items, deliveries, questions, authorizations, liveFetchedAt: performance.now() });
  fetchStartedAt = started;
}

function render() {
  renderStatus($('#statusbar'), state);
  renderControls($('#controls'), state, actions);
  renderCountdown($('#countdown'), state, actions);
  renderEmergencyBanner($('#emergency-banner'), state);
  renderTimeline($('#timeline'), $('#timeline-count'), $('#holding'), state, actions);
  renderWaiting($('#waiting'), $('#waiting-count'), state, actions);
  renderQuestions($('#questions'), state.questions);
  renderAudienceEmergency($('#audience-emergency'), state.questions, state, actions);
  renderModerationPanel();
  renderActivity($('#activity'), state);
  composer.renderAuthorizations(state.authorizations);
  document.title = `${state.event.status === 'live' ? '● ' : ''}${state.event.title} · Livecue console`;
  const option = $(`#event-picker option[value="${state.event.id}"]`);
  if (option) option.textContent = optionLabel(state.event);
  notices.expire(state, fetchStartedAt);
}

function renderModerationPanel() {
  $('#moderation-h').hidden = !(state.questions && state.questions.summary);
  renderModeration($('#moderation'), {
    data: state.questions, filter: (state.questions && state.questions.filter) || 'queue', can: permissions(state.me), moderation, tz: state.event.timezone,
    rerender: renderModerationPanel,
    onFilter: (filter) => {
      if (filter === state.modFilter) return;
      state.modFilter = filter;
      refresh();
    },
  });
}

// One refresh at a time; requests made meanwhile coalesce into one more.
let running = null;
let again = false;
let timer = null;
export function refresh() {
  window.clearTimeout(timer);
  timer = window.setTimeout(async () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await fetchAll();
          notices.refreshed();
          render();
        } catch (err) {
          notices.refreshFailed(err); // on its own line: a failed action stays as it was
        }
      } while (again);
    })();
    await running;
    running = null;
  }, 120);
}

function onEntry(entry) {
  state.journal.push(entry);
  if (state.journal.length > JOURNAL_KEEP) state.journal.splice(0, state.journal.length - JOURNAL_KEEP);
  renderActivity($('#activity'), state);
  refresh();
}

const STATE_WORDS = { draft: 'not started', rehearsal: 'rehearsal', live: 'live', held: 'on hold', ended: 'ended' };
const optionLabel = (e) => `${e.title} (${STATE_WORDS[e.status] || e.status})`;

function header() {
  const me = state.me;
  $('#whoami').textContent = me.display_name;
  $('#logout').addEventListener('click', logout);
  replaceChildren($('#nav-links'),
    hasRole(me, 'clinical') || me.roles.includes('admin') ? h('a', { href: '/tablet' }, 'Tablet') : null,
    h('a', { href: '/sandbox', target: '_blank', rel: 'noopener' }, 'Sandbox feed'));
  const picker = $('#event-picker');
  replaceChildren(picker, state.events.map((e) => h('option', { value: e.id, selected: state.event && e.id === state.event.id }, optionLabel(e))));
  picker.disabled = state.events.length < 2;
  picker.addEventListener('change', () => switchEvent(Number(picker.value)));
}

function stop(message, link) {
  replaceChildren($('#main'), h('div', { class: 'notice big-notice' }, message, link || null));
  document.querySelector('.side').hidden = true;
  markReady();
}

async function init() {
  [state.me, state.events] = await Promise.all([currentUser(), api('/api/events')]);
  if (!hasRole(state.me, 'comms')) {
    stop('The console is for communications operators. ', h('a', { href: '/tablet' }, 'Open the clinician tablet'));
    return;
  }
  state.event = pickEvent(state.events);
  header();
  if (!state.event) {
    stop('There are no events yet. Create one through the API or import a run of show.');
    return;
  }
  rememberEvent(state.event);
  notices = makeNotices({
    statusEl: $('#action-status'), failuresEl: $('#action-failures'), refreshEl: $('#refresh-status'),
    timeZoneOf: () => state.event.timezone,
  });
  actions = { ...makeActions({ state, notices, refresh }), ...makeControls({ state, notices, refresh }) };
  composer = initComposer($('#composer'), state, { onSaved: refresh });
  moderation = makeModeration({ state, status: $('#q-status'), refresh });
  // In parallel: anything that changes between the two reads arrives on the feed after `after`, and
  // the page refreshes once the feed has caught up.
  const [after] = await Promise.all([loadJournal(state), fetchAll()]);
  render();
  composer.renderPreview();
  markReady();
  setUpPolicy($('#policy-link'), state.event.id, state.me);
  const conn = connectionUi({ indicator: $('#conn'), banner: $('#offline-banner'), timeZoneOf: () => state.event.timezone });
  const feed = new LiveFeed({
    eventId: state.event.id, after,
    onEntry: (entry) => { conn.touched(); onEntry(entry); },
    onCaughtUp: () => { conn.touched(); refresh(); },
    onState: (s) => conn.setState(s),
  });
  feed.start();
  window.setInterval(() => {
    tick(state);
    tickCountdown($('#countdown'), state);
  }, 1000);
  window.setInterval(refresh, 30000); // keeps the clocks honest even when nothing happens
}

init().catch((err) => {
  announce($('#action-status'), `The console could not load: ${err.message}`, 'error');
  markReady();
});
