// The tablet's alerts (emergency hold and alert.* entries) and the audience question queue.
import { apiOptional, clock, h, platformName, replaceChildren } from '../lib/core.js';
import { describe } from '../lib/items.js';

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

// The audience question queue (the questions service may not exist yet: then say so calmly).

const LABELS = {
  question: 'Question', emergency: 'Emergency', personal_medical: 'Personal medical', comment: 'Comment', spam: 'Spam', abuse: 'Abuse',
};

export async function loadQuestions(eventId) {
  try {
    const data = await apiOptional(`/api/events/${eventId}/questions`, null);
    if (data === null || data === undefined) return null;
    return Array.isArray(data) ? data : (data.questions || data.items || []);
  } catch {
    return null;
  }
}

const first = (q, ...keys) => keys.map((k) => q[k]).find((v) => typeof v === 'string' && v);
const STATUS = { open: 'Open', claimed: 'Being answered', answered: 'Answered', answered_in_thread: 'Answered in the thread', offline: 'Answered offline', dismissed: 'Dismissed' };

function askers(group) {
  const messages = Array.isArray(group.messages) ? group.messages : [];
  if (!messages.length) {
    const author = first(group, 'author_name', 'display_name', 'author');
    return author ? [h('strong', {}, author)] : [];
  }
  const names = messages.slice(0, 3).map((m) => `${m.author_name || m.author_handle}${m.author_handle ? ` (@${m.author_handle})` : ''}`);
  const more = (group.size || messages.length) - names.length;
  return [h('span', {}, `Asked by ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`)];
}

export function renderQuestions(el, questions, timeZone) {
  if (questions === null) {
    replaceChildren(el, h('p', { class: 'tb-empty', id: 'questions-unavailable' }, 'The question queue is not available yet. Questions will appear here when it is switched on.'));
    return;
  }
  if (!questions.length) {
    replaceChildren(el, h('p', { class: 'tb-empty' }, 'No questions are waiting.'));
    return;
  }
  replaceChildren(el, h('ul', { class: 'tb-questions' }, questions.map((q) => {
    const label = first(q, 'label', 'category');
    const at = first(q, 'last_asked_at', 'received_at', 'created_at');
    const platform = q.platform || (Array.isArray(q.messages) && q.messages[0] && q.messages[0].platform);
    return h('li', { class: ['tb-question', label === 'emergency' && 'is-emergency'], dataset: { groupId: q.id } },
      h('p', { class: 'tb-q-meta' },
        label ? h('span', { class: ['pill', label === 'emergency' ? 'pill-emergency' : ''] }, LABELS[label] || label) : null,
        q.status && q.status !== 'open' ? h('span', { class: 'pill' }, STATUS[q.status] || q.status) : null,
        q.claimed_by_name ? h('span', { class: 'muted' }, `${q.claimed_by_name} is answering`) : null,
        platform ? h('span', { class: 'muted' }, platformName(platform)) : null,
        at ? h('span', { class: 'muted' }, clock(at, timeZone)) : null),
      h('p', { class: 'tb-q-text' }, first(q, 'text', 'body', 'message') || ''),
      h('p', { class: 'tb-q-askers' }, askers(q)));
  })));
}
