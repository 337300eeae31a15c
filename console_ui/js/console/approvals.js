// Items waiting for this user's approval, with Approve and Reject.
import { h, replaceChildren } from '../lib/dom.js';
import { findingList, openFindings } from '../lib/findings.js';
import { clock } from '../lib/format.js';
import { approvalSummary, authoredBy, caption, mediaStrip, waitingFor } from '../lib/itemview.js';

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
