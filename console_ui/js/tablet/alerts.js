// Emergency alerts at the top of the tablet: the hold in force, and alert.* journal entries to acknowledge.
import { h, replaceChildren } from '../lib/dom.js';
import { clock } from '../lib/format.js';
import { describe } from '../lib/journaltext.js';

const ACK_KEY = 'livecue.acknowledged-alerts';

function acknowledged() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(ACK_KEY) || '[]'));
  } catch {
    return new Set();
  }
}

function acknowledge(seq, rerender) {
  const set = acknowledged();
  set.add(seq);
  sessionStorage.setItem(ACK_KEY, JSON.stringify([...set]));
  rerender();
}

export function renderAlerts(el, state, rerender) {
  const tz = state.event.timezone;
  const emergency = state.event.status === 'held' && state.live && state.live.hold_kind === 'emergency';
  const seen = acknowledged();
  const alerts = state.journal.filter((e) => e.kind.startsWith('alert.') && !seen.has(e.seq)).slice(-5).reverse();
  const hold = emergency ? h('div', { class: 'tb-alert tb-alert-hold', id: 'emergency-state' },
    h('p', { class: 'tb-alert-title' }, 'Emergency hold is on'),
    h('p', {}, 'All posting has stopped. Nothing goes out until the operator resumes.')) : null;
  const cards = alerts.map((entry) => h('div', { class: 'tb-alert', dataset: { seq: entry.seq, kind: entry.kind } },
    h('p', { class: 'tb-alert-title' }, describe(entry).text),
    h('p', { class: 'tb-alert-time' }, `at ${clock(entry.at, tz, { seconds: true })}`),
    h('button', { type: 'button', class: 'btn tb-btn tb-ack', onclick: () => acknowledge(entry.seq, rerender), dataset: { focusKey: `ack-${entry.seq}` } }, 'Acknowledge')));
  replaceChildren(el, hold, cards);
  el.hidden = !hold && !cards.length;
}
