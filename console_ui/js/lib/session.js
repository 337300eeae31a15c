// Who is logged in, where they land, and which event a page shows.
import { api } from './api.js';

export const hasRole = (user, ...roles) => user.roles.includes('admin') || roles.some((r) => user.roles.includes(r));

/** The page a user starts on: operators and admins the console, clinicians the tablet. */
export function landingFor(user) {
  if (user.roles.includes('admin') || user.roles.includes('comms')) return '/console';
  if (user.roles.includes('clinical')) return '/tablet';
  return null;
}

/** A `next` path from the login URL, only when it is one of our pages (no open redirects). */
export function safeNext(raw, user) {
  if (!raw || typeof raw !== 'string') return null;
  const match = /^\/(console|tablet|sandbox)(\?event=\d{1,9})?$/.exec(raw);
  if (!match) return null;
  if (match[1] === 'console' && !hasRole(user, 'comms')) return null;
  return raw;
}

export async function currentUser() {
  return api('/api/auth/me');
}

const STORAGE_KEY = 'livecue.event';
const ORDER = { live: 0, held: 1, rehearsal: 2, draft: 3, ended: 4 };

/** The event to show: ?event=, else the last one picked here, else the one live now, else the next one. */
export function pickEvent(events) {
  if (!events.length) return null;
  const wanted = Number(new URLSearchParams(location.search).get('event') || localStorage.getItem(STORAGE_KEY));
  const chosen = events.find((e) => e.id === wanted);
  if (chosen) return chosen;
  return [...events].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9)
    || Date.parse(a.planned_start) - Date.parse(b.planned_start))[0];
}

export function rememberEvent(event) {
  localStorage.setItem(STORAGE_KEY, String(event.id));
  const url = new URL(location.href);
  if (url.searchParams.get('event') !== String(event.id)) {
    url.searchParams.set('event', String(event.id));
    history.replaceState(null, '', url);
  }
}

export function switchEvent(id) {
  localStorage.setItem(STORAGE_KEY, String(id));
  const url = new URL(location.href);
  url.searchParams.set('event', String(id));
  location.assign(url);
}
