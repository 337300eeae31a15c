// Items waiting for the clinician, as large cards with Approve and Reject (and allowing privacy findings).
import { announce, api, clock, h, replaceChildren } from '../lib/core.js';
import { ask } from '../lib/dialog.js';
import { run as runAction } from '../lib/run.js';
import { fromTap } from '../lib/taps.js';
import { approvalSummary, authoredBy, caption, findingList, kindName, mediaStrip, openFindings, waitingFor } from '../lib/items.js';

export function makeReview({ state, status, refresh }) {
  /** Call the API for the button tapped (disabled until done); say the outcome there and in the live region. */
  const run = (label, call, success) => runAction(label, call, { success, tap: fromTap, say: (text, tone) => announce(status, text, tone), after: refresh });

  const approve = (item) => run('Approve', () => api(`/api/items/${item.id}/approve`, { method: 'POST', body: { version: item.version } }),
    `You approved “${item.key}”.`);

  async function reject(item) {
    const answer = await ask({
      title: `Reject “${item.key}”?`, tone: 'danger', confirmLabel: 'Reject',
      body: 'Say what must change. The communications team sees your note.',
      textarea: { label: 'Note for the team', required: true },
    });
    if (answer) await run('Reject', () => api(`/api/items/${item.id}/reject`, { method: 'POST', body: { version: item.version, note: answer.text } }), `You rejected “${item.key}”.`);
  }

  async function allow(item, index, finding) {
    const answer = await ask({
      title: 'Let this finding stand?', confirmLabel: 'Allow it',
      body: `It looks like ${kindName(finding.kind)}. Allow it only if it is not protected health information, and say why.`,
      textarea: { label: 'Why it may stand', required: true },
    });
    if (answer) await run('Allow', () => api(`/api/items/${item.id}/findings/${index}/override`, { method: 'POST', body: { version: item.version, reason: answer.text } }), 'The finding is allowed; you can approve now.');
  }

  function render(el, countEl) {
    const clinical = state.me.roles.includes('clinical');
    const ended = state.event.status === 'ended';
    const items = ended ? [] : waitingFor(state.items, state.me, authoredBy(state.journal, state.me));
    countEl.textContent = String(items.length);
    countEl.hidden = !items.length;
    if (!items.length) {
      replaceChildren(el, h('p', { class: 'tb-empty' }, ended ? 'This event has ended: there is nothing more to approve.'
        : 'Nothing is waiting for you. New items appear here as soon as they are written.'));
      return;
    }
    const tz = state.event.timezone;
    replaceChildren(el, h('ul', { class: 'tb-cards' }, items.map((item) => {
      const open = openFindings(item).length;
      return h('li', { class: 'tb-card', dataset: { itemId: item.id } },
        h('p', { class: 'tb-meta' }, h('span', { class: 'mono' }, item.key),
          item.offset ? ` · ${item.offset}` : '', item.planned_at ? ` · ${clock(item.planned_at, tz)}` : '',
          item.cue ? ` · cue “${item.cue}”` : '', item.content.content_warning ? ' · content warning' : ''),
        item.question ? h('p', { class: 'tb-meta' }, item.kind === 'reply' ? 'A colleague’s answer to: ' : 'For: ', h('q', {}, item.question)) : null,
        caption(item), mediaStrip(item),
        findingList(item, clinical ? { onOverride: (index, f) => allow(item, index, f) } : {}),
        approvalSummary(item),
        open ? h('p', { class: 'field-error' }, `${open} privacy finding${open > 1 ? 's' : ''} must be fixed or allowed first.`) : null,
        h('div', { class: 'tb-actions' },
          h('button', { type: 'button', class: 'btn btn-good tb-btn', disabled: open > 0, onclick: () => approve(item), dataset: { focusKey: `approve-${item.id}` } }, 'Approve'),
          h('button', { type: 'button', class: 'btn btn-danger tb-btn', onclick: () => reject(item), dataset: { focusKey: `reject-${item.id}` } }, 'Reject…')));
    })));
  }

  return { render };
}
