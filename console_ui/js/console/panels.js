// The console's side panels: approvals waiting for the user, incoming questions, and the activity log.
import { apiOptional, clock, h, replaceChildren } from '../lib/core.js';
import { approvalSummary, authoredBy, caption, describe, findingList, mediaStrip, openFindings, waitingFor } from '../lib/items.js';

// Items waiting for this user's approval, with Approve and Reject.

const KIND_LABELS = { post: 'Timeline post', holding: 'Holding message', answer: 'Answer', reply_emergency: 'Emergency reply', reply_redirect: 'Redirect reply' };

export function renderWaiting(el, countEl, state, actions) {
  const items = waitingFor(state.items, state.me, authoredBy(state.journal, state.me));
  countEl.textContent = items.length ? String(items.length) : '';
  countEl.hidden = !items.length;
  if (!items.length) {
    replaceChildren(el, h('p', { class: 'empty' }, 'Nothing is waiting for you.'));
    return;
  }
  const tz = state.event.timezone;
  replaceChildren(el, h('ul', { class: 'waiting-list' }, items.map((item) => {
    const blocked = openFindings(item).length > 0;
    return h('li', { class: 'waiting-item', dataset: { itemId: item.id } },
      h('p', { class: 'waiting-meta' },
        h('span', { class: 'key mono' }, item.key), ' · ', KIND_LABELS[item.kind] || item.kind,
        item.planned_at ? ` · ${clock(item.planned_at, tz)}` : '', item.cue ? ` · cue “${item.cue}”` : '',
        ` · version ${item.version}`),
      caption(item), mediaStrip(item), findingList(item), approvalSummary(item),
      blocked ? h('p', { class: 'field-error' }, 'Privacy findings must be fixed or allowed by a clinician before approval.') : null,
      h('div', { class: 'waiting-actions' },
        h('button', { type: 'button', class: 'btn btn-good btn-small', disabled: blocked, onclick: () => actions.approve(item), dataset: { focusKey: `approve-${item.id}` } }, 'Approve'),
        h('button', { type: 'button', class: 'btn btn-danger btn-small', onclick: () => actions.reject(item), dataset: { focusKey: `reject-${item.id}` } }, 'Reject…')));
  })));
}

// The incoming-questions summary (shown as "not available" until the questions service exists).

const LABELS = {
  total: 'Total', open_groups: 'Open questions', rejected: 'Filtered out', by_label: 'By kind', question: 'Questions', emergency: 'Emergencies', personal_medical: 'Personal medical',
  comment: 'Comments', spam: 'Spam', abuse: 'Abuse', waiting: 'Waiting', answered: 'Answered', assigned: 'Assigned',
};
const label = (key) => LABELS[key] || key.replace(/_/g, ' ');

export async function loadQuestionsSummary(eventId) {
  try {
    return await apiOptional(`/api/events/${eventId}/questions/summary`, null);
  } catch {
    return null;
  }
}

/** Labelled counts from the summary: {by_label: {question: 3}, open_groups: 2, open_emergencies: [ids], ...}. */
function counts(summary) {
  const rows = [];
  const emergencies = Array.isArray(summary.open_emergencies) ? summary.open_emergencies.length : 0;
  rows.push(['Open emergencies', emergencies, 'emergency']);
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === 'number') rows.push([label(key), value, key]);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && k !== 'emergency') rows.push([label(k), v, k]);
    }
  }
  return rows;
}

export function renderQuestions(el, summary) {
  if (summary === null || summary === undefined) {
    replaceChildren(el, h('p', { class: 'notice', id: 'questions-unavailable' }, 'Incoming questions are not available yet on this server.'));
    return;
  }
  const rows = counts(summary);
  const emergencies = rows[0][1];
  replaceChildren(el,
    emergencies ? h('p', { class: 'question-alert', role: 'alert' }, `${emergencies} possible emergenc${emergencies > 1 ? 'ies' : 'y'} from the audience — reply with the emergency template now.`) : null,
    h('dl', { class: 'question-counts' }, rows.map(([name, value, key]) => h('div', { class: ['qc', key === 'emergency' && value > 0 && 'is-alert'] }, h('dt', {}, name), h('dd', {}, String(value))))),
    h('p', { class: 'hint' }, 'Clinicians answer from the tablet.'));
}

// The journal as an activity log, newest first.

const SHOWN = 150;
const HIDDEN_KINDS = new Set(['auth.login', 'auth.logout']);

export function itemLabeller(items) {
  const byId = new Map(items.map((i) => [i.id, i]));
  return (id) => {
    const item = byId.get(id);
    return item ? `“${item.key}”` : `item #${id}`;
  };
}

export function renderActivity(el, state) {
  const label = itemLabeller(state.items);
  const entries = state.journal.filter((e) => !HIDDEN_KINDS.has(e.kind)).slice(-SHOWN).reverse();
  replaceChildren(el, entries.length ? entries.map((entry) => {
    const { text, tone } = describe(entry, label);
    return h('li', { class: ['activity-entry', `tone-${tone}`], dataset: { seq: entry.seq, kind: entry.kind } },
      h('time', { datetime: entry.at, class: 'activity-time' }, clock(entry.at, state.event.timezone, { seconds: true, zone: false })),
      h('span', { class: 'activity-text' }, text));
  }) : h('li', { class: 'empty' }, 'Nothing has happened yet.'));
}
