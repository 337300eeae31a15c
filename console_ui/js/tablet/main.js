// The clinician tablet: alerts first, then items awaiting clinical approval, then the audience question queue.
import { $, announce, api, currentUser, h, hasRole, logout, markReady, pickEvent, rememberEvent, replaceChildren, switchEvent } from '../lib/core.js';
import { connectionUi, LiveFeed, loadJournal } from '../lib/live.js';
import { eventPill } from '../lib/items.js';
import { setUpPolicy } from '../lib/policy.js';
import { makeModeration, permissions } from '../lib/moderation.js';
import { makeAnswers } from './answer.js';
import { renderAlerts } from './panels.js';
import { loadQuestions, renderQueue } from './queue.js';
import { makeReview } from './review.js';

const state = { me: null, events: [], event: null, live: null, liveFetchedAt: 0, items: [], journal: [], questions: null };
let review;
let answers;
let moderation;


async function fetchAll() {
  const id = state.event.id;
  const [event, live, items, questions] = await Promise.all([
    api(`/api/events/${id}`), api(`/api/events/${id}/live`), api(`/api/events/${id}/items`), loadQuestions(id),
  ]);
  Object.assign(state, { event, live, items, questions, liveFetchedAt: performance.now() });
}

function renderAlertsOnly() {
  renderAlerts($('#alerts'), state, renderAlertsOnly, (message) => answers.actions.replyWith('emergency', [message]));
}

function renderQuestions() {
  renderQueue($('#questions'), $('#questions-count'), {
    questions: state.questions, me: state.me, items: state.items, tz: state.event.timezone, answers,
    moderation, can: permissions(state.me), rerender: renderQuestions,
  });
}

/** Say out loud what arrived: new audience questions and emergencies (the alerts region is assertive). */
function announceEntry(entry) {
  const p = entry.payload || {};
  if (entry.kind !== 'questions.ingested' || !p.stored) return;
  const urgent = (p.emergencies || []).length;
  announce($('#q-news'), `${p.stored} new audience message${p.stored === 1 ? '' : 's'}${urgent ? `, ${urgent} possibly an emergency` : ''}.`);
}

function render() {
  $('#event-title').textContent = state.event.title;
  replaceChildren($('#event-state-slot'), eventPill(state));
  renderAlertsOnly();
  review.render($('#review'), $('#review-count'));
  renderQuestions();
  document.body.classList.toggle('is-emergency', state.event.status === 'held' && state.live.hold_kind === 'emergency');
}

let pending = null;
let again = false;
let refreshFailed = null; // the line last shown for a failed refresh
function refresh() {
  if (pending) {
    again = true;
    return;
  }
  pending = window.setTimeout(async () => {
    try {
      do {
        again = false;
        await fetchAll();
        render();
      } while (again);
      // A "could not refresh" line is no longer true once a refresh worked (other messages stay).
      if (refreshFailed && $('#tb-status').textContent === refreshFailed) $('#tb-status').textContent = '';
      refreshFailed = null;
    } catch (err) {
      refreshFailed = `Could not refresh: ${err.message}`;
      announce($('#tb-status'), refreshFailed, 'error');
    } finally {
      pending = null;
    }
  }, 120);
}

function header() {
  const me = state.me;
  $('#whoami').textContent = me.display_name;
  $('#logout').addEventListener('click', logout);
  $('#console-link').hidden = !hasRole(me, 'comms');
  const picker = $('#event-picker');
  replaceChildren(picker, state.events.map((e) => h('option', { value: e.id, selected: state.event && e.id === state.event.id }, `${e.title} — ${e.status}`)));
  picker.hidden = state.events.length < 2;
  picker.addEventListener('change', () => switchEvent(Number(picker.value)));
}

async function init() {
  [state.me, state.events] = await Promise.all([currentUser(), api('/api/events')]);
  state.event = pickEvent(state.events);
  header();
  if (!state.event) {
    $('#event-title').textContent = 'No event yet';
    replaceChildren($('#review'), h('p', { class: 'tb-empty' }, 'There is no event to review yet.'));
    markReady();
    return;
  }
  rememberEvent(state.event);
  review = makeReview({ state, status: $('#tb-status'), refresh });
  answers = makeAnswers({ state, status: $('#q-status'), refresh });
  moderation = makeModeration({ state, status: $('#q-status'), refresh });
  // In parallel: anything that changes between the two reads arrives on the feed after `after`, and
  // the page refreshes once the feed has caught up.
  const [after] = await Promise.all([loadJournal(state), fetchAll()]);
  render();
  markReady();
  setUpPolicy($('#policy-link'), state.event.id, state.me);
  const conn = connectionUi({ indicator: $('#conn'), banner: $('#offline-banner'), timeZoneOf: () => state.event.timezone });
  new LiveFeed({
    eventId: state.event.id, after,
    onEntry: (entry, live) => {
      conn.touched();
      state.journal.push(entry);
      if (entry.kind.startsWith('alert.')) renderAlertsOnly();
      if (live) announceEntry(entry);
      refresh();
    },
    onCaughtUp: () => { conn.touched(); refresh(); },
    onState: (s) => conn.setState(s),
  }).start();
  window.setInterval(refresh, 30000);
}

init().catch((err) => {
  announce($('#tb-status'), `The tablet could not load: ${err.message}`, 'error');
  markReady();
});
