// The setup page (comms and admins): everything an event needs before it goes live, on one screen, with the
// pre-flight checklist that going live requires at the top. Re-read after every change and every 10 s; only the
// sections whose data changed are redrawn.
import { $, announce, api, apiOptional, currentUser, h, hasRole, markReady, pickEvent, rememberEvent, replaceChildren, setUpTheme } from '../lib/core.js';
import { eventPill } from '../lib/items.js';
import { run } from '../lib/run.js';
import { renderConsents, renderDenylist, renderPlatforms, renderPreflight, renderRehearsal } from './screens.js';

const state = { me: null, events: [], event: null, live: null, authorizations: [], denylist: null, preflight: null, deliveries: [] };

async function fetchAll() {
  const id = state.event.id;
  const [event, live, authorizations, denylist, preflight, deliveries] = await Promise.all([
    api(`/api/events/${id}`), api(`/api/events/${id}/live`), api(`/api/events/${id}/authorizations`),
    apiOptional(`/api/events/${id}/denylist`, null), apiOptional(`/api/events/${id}/preflight`, null),
    apiOptional(`/api/events/${id}/deliveries`, []),
  ]);
  Object.assign(state, { event, live, authorizations, denylist, preflight, deliveries });
}

/**
 * Each section with the data it shows: a section is redrawn only when its data changed, never while the user is
 * typing in it, except by an action of its own (whose form is then done with). Redrawing every section after any
 * change wiped what was being typed elsewhere (the identifiers, while a consent's refresh came back).
 */
const SECTIONS = [
  ['#preflight', renderPreflight, (s) => [s.preflight, s.event.status]],
  ['#consents', renderConsents, (s) => [s.authorizations, s.event.status]],
  ['#denylist', renderDenylist, (s) => [s.denylist, s.event.status, s.event.timezone]],
  ['#platforms', renderPlatforms, (s) => [s.event.platforms, s.event.status, s.live && s.live.platforms,
    (s.deliveries || []).filter((d) => d.status === 'needs_reauth' || d.purpose === 'test').map((d) => [d.id, d.status])]],
  ['#rehearsal', renderRehearsal, (s) => [s.event.status, s.event.time_scale, s.live && s.live.time_scale]],
];
const drawn = new Map(); // selector -> the data it was last drawn with

/** A section the user is typing in is not redrawn under them (its forms are kept across redraws, screens.js, so
 * text typed and left there survives; focus would not). */
function typing(el) {
  const active = document.activeElement;
  return el.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
}

/** Redraw what changed; `own` is the section whose action just worked (redrawn even with its form filled). */
function render(own = null) {
  $('#event-title').textContent = state.event.title;
  replaceChildren($('#event-state-slot'), eventPill(state));
  document.title = `Setup · ${state.event.title} · Livecue`;
  for (const [selector, draw, data] of SECTIONS) {
    const el = $(selector);
    const seen = JSON.stringify(data(state));
    if (selector !== own && (drawn.get(selector) === seen || typing(el))) continue;
    draw(el, contextFor(selector));
    drawn.set(selector, seen);
  }
}

async function refresh(own = null) {
  try {
    await fetchAll();
    render(own);
  } catch (err) {
    announce($('#su-status'), `Could not refresh: ${err.message}`, 'error');
  }
}

const say = (text, tone) => announce($('#su-status'), text, tone);

/** What a section's render gets: the state, and `act` that runs a change on behalf of that section. */
function contextFor(selector) {
  /** Run a change, say what it did (or the server's reason), and re-read everything; only a change that worked
   * redraws its own section (its form empties); a failed one keeps what was typed. */
  const act = (label, call, success, options = {}) => run(label, call, {
    success, say, ...options, after: (ok) => refresh(ok ? selector : null),
  });
  return { state, act, refresh };
}

async function init() {
  [state.me, state.events] = await Promise.all([currentUser(), api('/api/events')]);
  $('#whoami').textContent = state.me.display_name;
  setUpTheme($('#theme-toggle'));
  if (!hasRole(state.me, 'comms')) {
    replaceChildren($('#main'), h('p', { class: 'notice' }, 'Setup is for communications operators and admins.'));
    markReady();
    return;
  }
  state.event = pickEvent(state.events);
  if (!state.event) {
    replaceChildren($('#main'), h('p', { class: 'notice' }, 'There are no events yet.'));
    markReady();
    return;
  }
  rememberEvent(state.event);
  $('#console-link').href = `/console?event=${state.event.id}`;
  await fetchAll();
  render();
  markReady();
  window.setInterval(() => refresh(), 10000);
}

init().catch((err) => {
  announce($('#su-status'), `Setup could not load: ${err.message}`, 'error');
  markReady();
});
