// The console's side panels: approvals waiting for the user (answers to the audience too) and the activity log.
import { clock, h, replaceChildren } from '../lib/core.js';
import { approvalSummary, authoredBy, caption, findingList, mediaStrip, openFindings, waitingFor } from '../lib/items.js';
import { describe } from '../lib/words.js';

// Items waiting for this user's approval, with Approve and Reject.

const KIND_LABELS = {
  post: 'Timeline post', holding: 'Holding message', answer: 'Bank answer', reply_emergency: 'Emergency reply',
  reply_redirect: 'Redirect reply', reply: 'Clinician’s answer to the audience',
};

export function renderWaiting(el, countEl, state, actions) {
  const ended = state.event.status === 'ended';
  const items = ended ? [] : waitingFor(state.items, state.me, authoredBy(state.journal, state.me));
  countEl.textContent = items.length ? String(items.length) : '';
  countEl.hidden = !items.length;
  if (!items.length) {
    replaceChildren(el, h('p', { class: 'empty' }, ended ? 'The event has ended: nothing more is approved here.' : 'Nothing is waiting for you.'));
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
      item.question ? h('p', { class: 'waiting-question' }, h('span', { class: 'muted' }, item.kind === 'reply' ? 'Answers: ' : 'For: '), h('q', {}, item.question)) : null,
      caption(item), mediaStrip(item), findingList(item), approvalSummary(item),
      item.kind === 'reply' ? h('p', { class: 'hint' }, 'Approving sends it at once under the askers’ posts.') : null,
      blocked ? h('p', { class: 'field-error' }, 'Privacy findings must be fixed or allowed by a clinician before approval.') : null,
      h('div', { class: 'waiting-actions' },
        h('button', { type: 'button', class: 'btn btn-good btn-small', disabled: blocked, onclick: () => actions.approve(item), dataset: { focusKey: `approve-${item.id}` } }, 'Approve'),
        h('button', { type: 'button', class: 'btn btn-danger btn-small', onclick: () => actions.reject(item), dataset: { focusKey: `reject-${item.id}` } }, 'Reject…')));
  })));
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
