// What the console says about the operator's actions, on three separate lines so none replaces another:
// - failures of control actions stay on screen with Retry until they succeed or are dismissed (an emergency
//   hold that failed is loud);
// - the status line says what an action did, and goes once it is no longer true ("“x” is being posted" goes
//   when x is posted), or after 15 s when nothing tells when; its colour is the state's (a hold is not a success);
// - the refresh line says the page could not refresh, and goes with the next successful refresh.
import { ApiError, clock, h, replaceChildren } from '../lib/core.js';

const STATUS_MS = 15000; // how long a status line without an end condition stays
const reason = (err) => (err instanceof ApiError ? err.message : 'something went wrong');

/**
 * notices.say(message, tone, {until, extra}): `until(state)` is true once the message is no longer true; it is
 * asked only of data read after the message was shown. `extra`: nodes shown after the message (e.g. Undo).
 * notices.fail(key, {title, err, retry, loud, resolved}): a failure that stays, replaced by a later failure of
 * the same key and removed by notices.succeeded(key), by Dismiss, or once `resolved(state)` holds.
 */
export function makeNotices({ statusEl, failuresEl, refreshEl, timeZoneOf }) {
  const timeOf = (date) => clock(date.toISOString(), timeZoneOf(), { seconds: true, zone: false });
  let status = null; // {at, until}
  let token = 0;
  const failures = new Map(); // key -> {title, message, at, attempts, retry, loud, resolved, retrying}

  function say(message, tone = 'info', { until, extra, ms = STATUS_MS } = {}) {
    token += 1;
    const mine = token;
    status = { at: performance.now(), until };
    // A line that cannot tell when it stops being true goes after a while, like a spoken remark.
    if (!until) window.setTimeout(() => { if (mine === token) clearStatus(); }, ms);
    statusEl.dataset.tone = tone;
    replaceChildren(statusEl);
    // A fresh text node makes screen readers speak the message even when it repeats.
    window.setTimeout(() => {
      if (mine === token) replaceChildren(statusEl, h('span', { class: 'status-text' }, message), extra ? [' ', extra] : null);
    }, 30);
  }

  function clearStatus() {
    token += 1;
    status = null;
    replaceChildren(statusEl);
    delete statusEl.dataset.tone;
  }

  function renderFailures() {
    const entries = [...failures.entries()];
    failuresEl.hidden = !entries.length;
    replaceChildren(failuresEl, entries.map(([key, f]) => h('div', {
      class: ['failure', f.loud && 'is-loud'], dataset: { action: key }, role: 'group', 'aria-label': f.title,
    },
    h('p', { class: 'failure-text' },
      h('strong', { class: 'failure-title' }, f.title), ' ',
      h('span', { class: 'failure-reason' }, f.message),
      h('span', { class: 'failure-when' }, ` (${f.attempts > 1 ? `tried ${f.attempts} times, last` : 'failed'} at ${timeOf(f.at)})`)),
    h('div', { class: 'failure-actions' },
      f.retry ? h('button', {
        type: 'button', class: ['btn', 'btn-small', !f.loud && 'btn-primary', 'failure-retry'], disabled: f.retrying,
        dataset: { focusKey: `retry-${key}` }, onclick: () => retry(key),
      }, f.retrying ? 'Trying again…' : 'Retry') : null,
      h('button', { type: 'button', class: 'btn btn-small btn-quiet failure-dismiss', dataset: { focusKey: `dismiss-${key}` }, onclick: () => dismiss(key) }, 'Dismiss')))));
  }

  function fail(key, { title, err, retry, loud = false, resolved }) {
    const before = failures.get(key);
    failures.set(key, {
      title, message: reason(err), at: new Date(), attempts: (before ? before.attempts : 0) + 1,
      retry, loud, resolved, retrying: false,
    });
    renderFailures();
  }

  async function retry(key) {
    const f = failures.get(key);
    if (!f || !f.retry || f.retrying) return;
    f.retrying = true;
    renderFailures();
    try {
      await f.retry();
    } finally {
      const now = failures.get(key);
      if (now) {
        now.retrying = false;
        renderFailures();
      }
    }
  }

  function dismiss(key) {
    failures.delete(key);
    renderFailures();
  }

  function succeeded(key) {
    if (failures.delete(key)) renderFailures();
  }

  /** After each render: drop the status line once it is no longer true, and failures made moot. */
  function expire(state, fetchedAt) {
    if (status && status.until && fetchedAt > status.at && status.until(state)) clearStatus();
    let changed = false;
    for (const [key, f] of failures) {
      if (f.resolved && !f.retrying && f.resolved(state)) {
        failures.delete(key);
        changed = true;
      }
    }
    if (changed) renderFailures();
  }

  function refreshFailed(err) {
    refreshEl.dataset.tone = 'error';
    refreshEl.textContent = `Could not refresh: ${reason(err)} The page keeps trying; what you see may be out of date.`;
  }

  function refreshed() {
    if (refreshEl.textContent) refreshEl.textContent = '';
  }

  return { say, clearStatus, fail, succeeded, expire, refreshFailed, refreshed };
}
