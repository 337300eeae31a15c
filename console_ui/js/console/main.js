// The operator console: loads the event, renders every panel, and re-fetches on each journal entry.
import { $, announce, api, apiOptional, h, hasRole, logout, markReady, rememberEvent, replaceChildren, setUpPolicy, setUpTheme } from '../lib/core.js';
import { firstLoad } from '../lib/firstload.js';
import { connectionUi, JOURNAL_KEEP, LiveFeed } from '../lib/live.js';
import { staffNames } from '../lib/words.js';
import { makeActions } from './actions.js';
import { makeControls } from './controls.js';
import { renderCountdown, tickCountdown } from './countdown.js';
import { makeNotices } from './notices.js';
import { renderActivity, renderWaiting } from './panels.js';
import { loadQuestions, questionsOf, renderAudienceEmergency, renderQuestions } from './questions.js';
import { renderControls, renderEmergencyBanner, renderStatus, tick } from './header.js';
import { humanName, renderTimeline } from './timeline.js';

const state = {
  me: null, events: [], event: null, live: null, liveFetchedAt: 0, items: [], deliveries: [],
  journal: [], questions: null, authorizations: [], modFilter: 'queue',
};
let actions;
let notices;
let fetchStartedAt = 0; // when the data on screen was asked for (status lines expire only on newer data)
let moderation;
let composer = null; // the ad-hoc composer, loaded the first time it is opened

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

function renderRunOfShow() {
  renderTimeline($('#timeline'), $('#timeline-count'), $('#holding'), state, actions);
}

function render() {
  renderStatus($('#statusbar'), state);
  renderControls($('#controls'), state, actions);
  renderCountdown($('#countdown'), state, actions);
  renderEmergencyBanner($('#emergency-banner'), state);
  renderRunOfShow();
  renderWaiting($('#waiting'), $('#waiting-count'), state, actions);
  renderQuestions($('#questions'), state.questions);
  renderAudienceEmergency($('#audience-emergency'), state.questions, state, actions);
  renderModerationPanel();
  renderActivity($('#activity'), state);
  if (composer) composer.update();
  document.body.dataset.eventState = state.event.status;
  document.title = `${state.event.status === 'live' ? '● ' : ''}${state.event.title} · Livecue console`;
  notices.expire(state, fetchStartedAt);
}

/** Whether there is anything to moderate (the moderation tools load only then). */
function anyMessages(summary) {
  return Boolean(summary && (summary.open_groups || summary.rejected || Object.values(summary.by_label || {}).some(Boolean)));
}

let moderationTools = null; // {renderModeration, permissions}, loaded with the first audience message
async function loadModeration() {
  if (moderationTools) return;
  moderationTools = Promise.all([import('./moderation.js'), import('../lib/moderation.js')]).then(([view, lib]) => {
    moderationTools = { renderModeration: view.renderModeration, permissions: lib.permissions };
    moderation = lib.makeModeration({ state, status: $('#q-status'), refresh });
    renderModerationPanel();
  });
}

function renderModerationPanel() {
  const data = state.questions;
  $('#moderation-h').hidden = !(data && data.summary);
  if (!moderationTools || moderationTools instanceof Promise) {
    if (anyMessages(data && data.summary)) loadModeration();
    else replaceChildren($('#moderation'), data && data.summary ? h('p', { class: 'empty' }, 'No audience messages yet.') : null);
    return;
  }
  moderationTools.renderModeration($('#moderation'), {
    data, filter: (data && data.filter) || 'queue', can: moderationTools.permissions(state.me), moderation, tz: state.event.timezone,
    rerender: renderModerationPanel,
    onFilter: (filter) => {
      if (filter === state.modFilter) return;
      state.modFilter = filter;
      refresh();
    },
  });
}

/** Keyboard shortcuts: their module loads with the first key pressed outside a text field (or the help button). */
function lazyKeys() {
  let loading = null;
  const load = () => {
    loading = loading || import('./keys.js').then((m) => m.setUpKeys({ state, actions }));
    return loading;
  };
  const first = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) return;
    document.removeEventListener('keydown', first);
    load().then((keys) => keys.handle(event));
  };
  document.addEventListener('keydown', first);
  $('#help-btn').addEventListener('click', () => load().then((keys) => keys.help()));
}

/** The ad-hoc composer: its module (and the character counters) load the first time it is opened. */
async function compose() {
  if (!composer) {
    const { initComposer } = await import('./composer.js');
    composer = initComposer($('#compose-slot'), state, { onSaved: refresh, notices });
  }
  composer.open();
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

function onEntry(entry, live, authors) {
  state.journal.push(entry);
  if (state.journal.length > JOURNAL_KEEP) state.journal.splice(0, state.journal.length - JOURNAL_KEEP);
  if (live) authors.then((m) => m.tellAuthor(entry, state, (item) => `“${humanName(item)}”`));
  renderActivity($('#activity'), state);
  refresh();
}

function header() {
  const me = state.me;
  $('#whoami').textContent = me.display_name;
  $('#logout').addEventListener('click', logout);
  setUpTheme($('#theme-toggle'));
  replaceChildren($('#nav-links'),
    hasRole(me, 'clinical') || me.roles.includes('admin') ? h('a', { href: '/tablet' }, 'Tablet') : null,
    state.event ? h('a', { href: `/setup?event=${state.event.id}` }, 'Setup') : null,
    h('a', { href: '/sandbox', target: '_blank', rel: 'noopener' }, 'Sandbox feed'));
}

function stop(message, link) {
  replaceChildren($('#main'), h('div', { class: 'notice big-notice' }, message, link || null));
  $('#side').hidden = true;
  markReady();
}

async function init() {
  fetchStartedAt = performance.now();
  const first = await firstLoad();
  [state.me, state.events] = [first.me, first.events];
  if (!hasRole(state.me, 'comms')) {
    stop('The console is for communications operators. ', h('a', { href: '/tablet' }, 'Open the clinician tablet'));
    return;
  }
  state.event = first.event;
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
  actions = { ...makeActions({ state, notices, refresh }), ...makeControls({ state, notices, refresh }), compose, rerender: renderRunOfShow };
  $('#compose-open').addEventListener('click', compose);
  // The snapshot read the journal first: later changes come on the feed after `after` (then a refresh).
  Object.assign(state, {
    live: first.live, items: first.items, deliveries: first.deliveries, questions: questionsOf(first),
    authorizations: first.authorizations, journal: first.journal.entries, liveFetchedAt: first.fetchedAt,
  });
  for (const person of first.staff) staffNames.set(person.id, person.display_name);
  const after = first.journal.last_seq;
  render();
  markReady();
  lazyKeys();
  setUpPolicy($('#policy-link'), state.event.id, state.me);
  // Loaded after the first render, which does not need them.
  import('../lib/follow.js').then((m) => m.followEvents({ state, picker: $('#event-picker'), banner: $('#event-banner') }));
  const authors = import('../lib/authors.js');
  const conn = connectionUi({ indicator: $('#conn'), banner: $('#offline-banner'), timeZoneOf: () => state.event.timezone });
  const feed = new LiveFeed({
    eventId: state.event.id, after,
    onEntry: (entry, live) => { conn.touched(); onEntry(entry, live, authors); },
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
