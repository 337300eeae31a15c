// The first load of the console and the tablet: who is logged in, the events, and everything the page renders
// first, in one request (GET /api/events/{id}/snapshot) when the address or this device names the event; one round
// trip more only on a first visit, or when the remembered event is over while another runs (see pickEvent).
// It used to be two round trips of up to nine requests, more than the browser's six connections to the server.
import { api, ApiError, currentUser, pickEvent, STORAGE_KEY } from './core.js';

async function snapshot(id) {
  try {
    return await api(`/api/events/${id}/snapshot`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422)) return null; // no such event (any more)
    throw err;
  }
}

/** The event this page probably shows, before the list of events is known (0 when nothing names one). */
function guess() {
  const linked = Number(new URLSearchParams(location.search).get('event'));
  if (Number.isSafeInteger(linked) && linked > 0) return linked;
  const remembered = Number(localStorage.getItem(STORAGE_KEY));
  return Number.isSafeInteger(remembered) && remembered > 0 ? remembered : 0;
}

let started = null; // the first load, asked for once

/**
 * {me, events, event, ...}: the snapshot of the event pickEvent chooses (its parts as GET /api/events/{id}/snapshot
 * documents them), or {me, events, event: null} when there is no event.
 */
export function firstLoad() {
  started = started || load();
  return started;
}

async function load() {
  const id = guess();
  const first = id ? await snapshot(id) : null;
  const [me, events] = first ? [first.me, first.events] : await Promise.all([currentUser(), api('/api/events')]);
  const event = pickEvent(events);
  if (!event) return { me, events, event: null };
  if (first && first.event.id === event.id) return first;
  const picked = await snapshot(event.id);
  if (!picked) throw new ApiError(404, { detail: 'The event could not be found. Reload the page.' });
  return picked;
}

// Asked for as soon as this module runs: the console and the tablet also load it with <script type="module" async>
// ahead of their own modules, so the request runs while those download. The page awaits the same promise (and
// sees its error); the no-op handler only keeps an early failure from being reported as unhandled meanwhile.
firstLoad().catch(() => {});
// The browser loads its date and time-zone data with the first Intl.DateTimeFormat a page makes (20-30 ms on the
// 2-core machine; the ones after it take under 1 ms): made here, that happens while the request is out instead of
// in the first render (the formatters themselves are made and cached by clock() in core.js).
window.setTimeout(() => new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).format(0), 0);
