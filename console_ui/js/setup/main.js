// The setup page (comms and admins): everything an event needs before it goes live, on one screen, with the
// pre-flight checklist that going live requires at the top. Re-read after every change and every 10 s.
import { $, announce, api, apiOptional, ApiError, currentUser, h, hasRole, markReady, pickEvent, rememberEvent, replaceChildren, setUpTheme } from '../lib/core.js';
import { eventPill } from '../lib/items.js';
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

const ctx = { state, act, refresh };

/** A section the user is typing in (or has typed in) is not redrawn by the periodic refresh. */
function typing(el) {
  const active = document.activeElement;
  return (el.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))
    || [...el.querySelectorAll('input[type="text"], input[type="date"], textarea')].some((i) => i.value.trim());
}

function render(force = false) {
  $('#event-title').textContent = state.event.title;
  replaceChildren($('#event-state-slot'), eventPill(state));
  document.title = `Setup · ${state.event.title} · Livecue`;
  const sections = [['#preflight', renderPreflight], ['#consents', renderConsents], ['#denylist', renderDenylist],
    ['#platforms', renderPlatforms], ['#rehearsal', renderRehearsal]];
  for (const [selector, draw] of sections) {
    if (force || !typing($(selector))) draw($(selector), ctx);
  }
}

async function refresh(force = false) {
  try {
    await fetchAll();
    render(force);
  } catch (err) {
    announce($('#su-status'), `Could not refresh: ${err.message}`, 'error');
  }
}

/** Run a change, say what it did (or the server's reason), and re-read everything. */
async function act(label, call, success) {
  let done = false;
  try {
    const result = await call();
    done = true;
    announce($('#su-status'), typeof success === 'function' ? success(result) : success, 'good');
    return result;
  } catch (err) {
    announce($('#su-status'), `${label} failed: ${err instanceof ApiError ? err.message : 'something went wrong'}${err.field ? ` (${err.field})` : ''}`, 'error');
    return undefined;
  } finally {
    await refresh(done); // a change that worked redraws everything (its form empties); a failed one keeps what was typed
  }
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
  window.setInterval(() => refresh(false), 10000);
}

init().catch((err) => {
  announce($('#su-status'), `Setup could not load: ${err.message}`, 'error');
  markReady();
});
