// The basics every page uses: safe DOM building, the API client, the session, and time formatting.

// Building DOM safely: text always goes in as text nodes, never as HTML.

/**
 * h('button', {class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', child, [more])
 * Attributes named on* become listeners; `class` may be a string or an array (falsy parts dropped);
 * `dataset` sets data-*; booleans set or drop the attribute. Strings and numbers become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (name === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (name === 'text') {
      el.textContent = String(value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Buttons (by data-focus-key) whose request is running: they stay disabled when re-rendered (lib/taps.js). */
export const pendingKeys = new Set();
/** What came of a tap, written under its button (by data-focus-key) again after each re-render (lib/taps.js). */
export const feedbackByKey = new Map(); // key -> {text, tone, anchor: selector of the card it was in}

/** Write each tap's outcome under its button, or at the top of its card when the button went away. */
export function placeFeedback(root = document) {
  for (const [key, said] of feedbackByKey) {
    if (root.querySelector(`.tap-feedback[data-for="${CSS.escape(key)}"]`)) continue;
    const note = h('p', { class: 'tap-feedback', dataset: { tone: said.tone, for: key }, role: 'presentation' }, said.text);
    const button = root.querySelector(`button[data-focus-key="${CSS.escape(key)}"]`);
    const card = said.anchor && (root.matches && root.matches(said.anchor) ? root : root.querySelector(said.anchor));
    if (button) button.after(note);
    else if (card) card.prepend(note);
  }
}

/** Replace the children of `el`, keeping keyboard focus on the element with the same data-focus-key. */
export function replaceChildren(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.focusKey : undefined;
  el.replaceChildren();
  append(el, children);
  if (pendingKeys.size) {
    for (const b of el.querySelectorAll('button[data-focus-key]')) if (pendingKeys.has(b.dataset.focusKey)) b.disabled = true;
  }
  if (feedbackByKey.size) placeFeedback(el);
  if (key) {
    const again = el.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function show(el, visible) {
  el.hidden = !visible;
}

const SAID_MS = 15000; // how long a remark stays (an error stays until something replaces it)

/** Announce a message in a live region (polite by default); anything but an error goes after 15 s. */
export function announce(region, message, tone = 'info') {
  region.dataset.tone = tone;
  region.textContent = '';
  // A fresh text node makes screen readers speak the message even when it repeats.
  window.setTimeout(() => { region.textContent = message; }, 30);
  if (tone !== 'error') window.setTimeout(() => { if (region.textContent === message) region.textContent = ''; }, SAID_MS);
}

/** Only http(s) links and same-origin paths become hrefs; anything else (javascript:, data:) is dropped. */
export function safeHref(url) {
  if (typeof url !== 'string' || !url) return null;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export function markReady() {
  if (!document.body.dataset.ready) document.body.dataset.ready = String(Math.round(performance.now()));
}

// The API client: same-origin fetch with the session cookie and the CSRF header on writes.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
    this.field = this.body.field;
  }
}

export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'livecue_csrf') return decodeURIComponent(rest.join('='));
  }
  return '';
}

export function loginUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/**
 * api('/api/x', {method, body, form, quiet401}) -> parsed JSON (or null for 204).
 * A 401 sends the browser to the login page unless quiet401 is set.
 */
export async function api(path, { method = 'GET', body, form, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check the connection and try again.' });
  }
  if (response.status === 204) return null;
  let data = null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('application/json')) data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !quiet401) location.assign(loginUrl());
    throw new ApiError(response.status, data);
  }
  return data;
}

/** Like api(), but a 404 gives `missing` instead of an error (for features that may not exist yet). */
export async function apiOptional(path, missing = undefined) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return missing;
    throw err;
  }
}

export async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST', quiet401: true });
  } finally {
    location.assign('/login');
  }
}

// Who is logged in and which event a page shows (where they land after logging in: login.js).

export const hasRole = (user, ...roles) => user.roles.includes('admin') || roles.some((r) => user.roles.includes(r));

export async function currentUser() {
  return api('/api/auth/me');
}

export const STORAGE_KEY = 'livecue.event'; // the event last picked on this device
const ORDER = { live: 0, held: 1, rehearsal: 2, draft: 3, ended: 4 };
export const RUNNING = new Set(['live', 'held']);

/** Events as the pickers list them: live and held first, then rehearsals, upcoming, and ended ones last. */
export function sortEvents(events) {
  return [...events].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9)
    || (a.status === 'ended' ? -1 : 1) * (Date.parse(a.planned_start) - Date.parse(b.planned_start)));
}

/**
 * The event to show: ?event= (a link or a reload), else the last one picked here unless it is over while
 * another runs, else the one live now, else the next one.
 */
export function pickEvent(events) {
  if (!events.length) return null;
  const linked = events.find((e) => e.id === Number(new URLSearchParams(location.search).get('event')));
  if (linked) return linked;
  const sorted = sortEvents(events);
  const remembered = events.find((e) => e.id === Number(localStorage.getItem(STORAGE_KEY)));
  if (remembered && !(remembered.status === 'ended' && RUNNING.has(sorted[0].status))) return remembered;
  return sorted[0];
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

// Times in the event's time zone, durations and relative times.

const cache = new Map();

function formatter(timeZone, options, locale = 'en-US') {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(locale, { timeZone, ...options }));
  return cache.get(key);
}

/** 14:05 EST (24-hour clock, with the zone's abbreviation). */
export function clock(iso, timeZone, { seconds = false, zone = true } = {}) {
  if (!iso) return '';
  return formatter(timeZone, {
    hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hourCycle: 'h23',
    timeZoneName: zone ? 'short' : undefined,
  }).format(new Date(iso));
}

/** Tue 1 Dec, 14:05 EST */
export function dateTime(iso, timeZone) {
  if (!iso) return '';
  const day = formatter(timeZone, { weekday: 'short', day: 'numeric', month: 'short' }, 'en-GB')
    .format(new Date(iso));
  return `${day}, ${clock(iso, timeZone)}`;
}

/** The zone's current abbreviation, e.g. EST. */
export function zoneName(timeZone) {
  const part = formatter(timeZone, { timeZoneName: 'short' }).formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  return part ? part.value : timeZone;
}

/** 1:02:03 or 02:03 (negative numbers are shown as 0). */
export function duration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** "just now", "5 min ago", "3 h ago", or a date. */
export function ago(iso, now = Date.now()) {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

export const PLATFORM_NAMES = { x: 'X', mastodon: 'Mastodon', bluesky: 'Bluesky', sandbox: 'Sandbox', form: 'Web form' };
export const platformName = (p) => PLATFORM_NAMES[p] || p;

// The theme (light, dark or the system's), the policy button (its module loads when needed) and toasts.

const THEME_KEY = 'livecue.theme';
const THEME_NEXT = { auto: 'dark', dark: 'light', light: 'auto' };
const THEME_WORDS = { auto: 'Theme: auto', dark: 'Theme: dark', light: 'Theme: light' };

function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
applyTheme(localStorage.getItem(THEME_KEY) || 'auto');

/** The theme button: system → dark → light; remembered on this device. */
export function setUpTheme(button) {
  const show = () => {
    const theme = localStorage.getItem(THEME_KEY) || 'auto';
    button.textContent = THEME_WORDS[theme];
    button.title = theme === 'auto' ? 'Light or dark as the system is; press to change' : 'Press to change the theme';
  };
  button.addEventListener('click', () => {
    const next = THEME_NEXT[localStorage.getItem(THEME_KEY) || 'auto'];
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    show();
  });
  show();
}

/** The Policy button (and the first-login modal); the policy module is only loaded when it is shown. */
export function setUpPolicy(button, eventId, me) {
  const load = () => import('./policy.js');
  button.hidden = false;
  button.addEventListener('click', () => load().then((m) => m.showPolicy(eventId, me)).catch(() => {}));
  if (!me.policy_ack_at) load().then((m) => m.showPolicy(eventId, me, { firstLogin: true })).catch(() => {});
}

/** A message for this user alone (e.g. "your post was approved"): stays `ms` or until dismissed. */
export function toast(message, tone = 'info', ms = 20000) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', { class: 'toast', dataset: { tone }, role: tone === 'danger' ? 'alert' : 'status' },
    h('p', { class: 'toast-text' }, message),
    h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => item.remove() }, 'Dismiss'));
  box.appendChild(item);
  window.setTimeout(() => item.remove(), ms);
}
