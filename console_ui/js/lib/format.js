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

export const PLATFORM_NAMES = { x: 'X', mastodon: 'Mastodon', bluesky: 'Bluesky', sandbox: 'Sandbox' };
export const platformName = (p) => PLATFORM_NAMES[p] || p;
