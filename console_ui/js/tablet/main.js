// The clinician tablet: alerts first, then items awaiting clinical approval, then the audience question queue.
import { $, announce, api, h, hasRole, logout, markReady, rememberEvent, replaceChildren, setUpPolicy, setUpTheme } from '../lib/core.js';
import { alarmButton, raise } from '../lib/alarm.js';
import { firstLoad } from '../lib/firstload.js';
import { connectionUi, LiveFeed } from '../lib/live.js';
import { eventPill } from '../lib/items.js';
import { makeModeration, permissions } from '../lib/moderation.js';
import { actorName, staffNames } from '../lib/words.js';
import { makeAnswers } from './answer.js';
import { makeAnswered } from './answered.js';
import { renderAlerts } from './panels.js';
import { loadQuestions, renderQueue } from './queue.js';
import { makeReview } from './review.js';

const state = { me: null, events: [], event: null, live: null, liveFetchedAt: 0, items: [], journal: [], questions: null };
let review;
let answers;
let moderation;
let answered;


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
    moderation, can: permissions(state.me), rerender: renderQuestions, ended: state.event.status === 'ended',
  });
  answered.filterQueue($('#questions'));
}

/** Sound, vibration and a notification in the background for what must not be missed. */
function alarm(entry) {
  const p = entry.payload || {};
  if (entry.kind === 'alert.emergency_message') raise('Possible emergency from the audience', 'Open the tablet: send the emergency reply.');
  else if (entry.kind === 'alert.emergency_hold') raise('Emergency hold', `${actorName(entry)} stopped all posting.`);
  else if (entry.kind === 'questions.ingested' && (p.emergencies || []).length) raise('Possible emergency from the audience', 'Open the tablet.');
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
  answered.refresh();
  document.body.classList.toggle('is-emergency', state.event.status === 'held' && state.live.hold_kind === 'emergency');
  document.body.dataset.eventState = state.event.status;
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
  setUpTheme($('#theme-toggle'));
  replaceChildren($('#alarm-slot'), alarmButton());
  $('#event-picker').hidden = state.events.length < 2;
}

async function init() {
  const first = await firstLoad();
  Object.assign(state, { me: first.me, events: first.events, event: first.event });
  header();
  if (!state.event) {
    $('#event-title').textContent = 'No event yet';
    replaceChildren($('#review'), h('p', { class: 'tb-empty' }, 'There is no event to review yet.'));
    $('#answered').hidden = true;
    markReady();
    return;
  }
  rememberEvent(state.event);
  review = makeReview({ state, status: $('#tb-status'), refresh });
  answers = makeAnswers({ state, status: $('#q-status'), refresh });
  moderation = makeModeration({ state, status: $('#q-status'), refresh });
  answered = makeAnswered({ state, el: $('#answered'), onSearch: () => answered.filterQueue($('#questions')) });
  // The snapshot read the journal first: later changes come on the feed after `after` (then a refresh).
  Object.assign(state, {
    live: first.live, items: first.items, questions: first.questions,
    journal: first.journal.entries, liveFetchedAt: first.fetchedAt,
  });
  for (const person of first.staff) staffNames.set(person.id, person.display_name);
  const after = first.journal.last_seq;
  render();
  markReady();
  setUpPolicy($('#policy-link'), state.event.id, state.me);
  // Loaded after the first render, which does not need them.
  import('../lib/follow.js').then((m) => m.followEvents({ state, picker: $('#event-picker'), banner: $('#event-banner'), autoSwitch: true }));
  const authors = import('../lib/authors.js');
  const conn = connectionUi({ indicator: $('#conn'), banner: $('#offline-banner'), timeZoneOf: () => state.event.timezone });
  new LiveFeed({
    eventId: state.event.id, after,
    onEntry: (entry, live) => {
      conn.touched();
      state.journal.push(entry);
      if (entry.kind.startsWith('alert.')) renderAlertsOnly();
      if (live) {
        announceEntry(entry);
        alarm(entry);
        authors.then((m) => m.tellAuthor(entry, state, (item) => (item.question ? `Your answer to “${item.question}”` : `“${item.cue || item.key}”`)));
      }
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
