// The console's and the tablet's first load: who, the events and what the page shows first, in one request
// (GET /api/events/{id}/snapshot) when the address or this device names the event (else two round trips).
import { api, ApiError, currentUser, pickEvent, STORAGE_KEY } from './core.js';

async function snapshot(id) {
  try {
    const snap = await api(`/api/events/${id}/snapshot`);
    snap.fetchedAt = performance.now(); // the pages' clocks count on from its live state
    return snap;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422)) return null; // no such event
    throw err;
  }
}

function guess() {
  const id = Number(new URLSearchParams(location.search).get('event') || localStorage.getItem(STORAGE_KEY));
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
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

let started = null;
/** The snapshot of the event pickEvent chooses, or {me, events, event: null}; asked for once. */
export const firstLoad = () => (started = started || load());

// Asked for when this module runs: the pages load it with an async script tag, so the request runs while their
// other modules download (the catch only keeps an early failure from being reported before the page awaits it).
firstLoad().catch(() => {});
// The first Intl.DateTimeFormat loads the browser's date data (20-30 ms): done while the request is out.
window.setTimeout(() => new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).format(0), 0);
