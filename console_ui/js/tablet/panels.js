// The tablet's alerts: the emergency hold in force, and alert.* entries to acknowledge; an audience emergency
// carries the one-tap emergency reply.
import { clock, h, replaceChildren } from '../lib/core.js';
import { describe } from '../lib/words.js';

// Emergency alerts at the top of the tablet: the hold in force, and alert.* journal entries to acknowledge.

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

/** The audience message an emergency alert is about (when still in the queue), and whether it got its reply. */
function emergencyMessage(entry, state) {
  const reply = state.journal.find((e) => e.kind === 'answer.template' && e.subject_type === 'message' && e.subject_id === entry.subject_id);
  const messages = (state.questions || []).flatMap((g) => g.messages || []);
  const message = messages.find((m) => m.id === entry.subject_id);
  if (reply) return { message, replied: (reply.payload || {}).template === 'emergency' ? 'Emergency reply sent.' : 'A reply was already sent.' };
  return { message, replied: message && message.status === 'answered' ? 'This message was already answered.' : null };
}

function emergencyDetails(entry, state, onReply) {
  const { message, replied } = emergencyMessage(entry, state);
  return [
    message ? h('p', { class: 'tb-alert-quote' }, h('strong', {}, `${message.author_name || message.author_handle}: `), message.text) : null,
    replied
      ? h('p', { class: 'tb-alert-done' }, replied)
      : h('button', { type: 'button', class: 'btn btn-emergency tb-btn', onclick: () => onReply(message || { id: entry.subject_id }), dataset: { focusKey: `emergency-reply-${entry.seq}` } }, 'Send emergency reply'),
  ];
}

export function renderAlerts(el, state, rerender, onEmergencyReply) {
  const tz = state.event.timezone;
  const emergency = state.event.status === 'held' && state.live && state.live.hold_kind === 'emergency';
  const seen = acknowledged();
  const alerts = state.journal.filter((e) => e.kind.startsWith('alert.') && !seen.has(e.seq)).slice(-5).reverse();
  const hold = emergency ? h('div', { class: 'tb-alert tb-alert-hold', id: 'emergency-state' },
    h('p', { class: 'tb-alert-title' }, 'Emergency hold is on'),
    // The server's own sentence of what goes out now, verbatim (older servers: the page's wording).
    h('p', { class: 'tb-posting-rule' }, (state.live && state.live.posting_rule) || 'All posting has stopped. Nothing goes out until the operator resumes.')) : null;
  const cards = alerts.map((entry) => h('div', { class: 'tb-alert', dataset: { seq: entry.seq, kind: entry.kind } },
    h('p', { class: 'tb-alert-title' }, describe(entry).text),
    h('p', { class: 'tb-alert-time' }, `at ${clock(entry.at, tz, { seconds: true })}`),
    entry.kind === 'alert.emergency_message' ? h('div', { class: 'tb-alert-body' }, emergencyDetails(entry, state, onEmergencyReply)) : null,
    h('button', { type: 'button', class: 'btn tb-btn tb-ack', onclick: () => acknowledge(entry.seq, rerender), dataset: { focusKey: `ack-${entry.seq}` } }, 'Acknowledge')));
  replaceChildren(el, hold, cards);
  el.hidden = !hold && !cards.length;
}
