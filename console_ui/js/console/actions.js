// What the operator's item tools do (retry, abandon, edit, reorder, approve, reject): each calls the API,
// says what happened on the status line, and refreshes the page's data. The live controls are in controls.js.
import { api, platformName } from '../lib/core.js';
import { ask } from '../lib/dialog.js';
import { run as runAction } from '../lib/run.js';

export function makeActions({ state, notices, refresh }) {
  const say = (message, tone = 'info', options) => notices.say(message, tone, options);

  /** An item tool: the outcome on the status line (lib/run.js), then the page's data read again. */
  const run = (label, call, success) => runAction(label, call, { success, say: (text, tone, said) => say(text, tone, { until: said.until }), after: refresh });

  const eventPath = (suffix) => `/api/events/${state.event.id}${suffix}`;
  /** "Trying again" is true while the delivery is on its way again. */
  const retried = (id) => (s) => {
    const d = s.deliveries.find((x) => x.id === id);
    return !d || !['pending', 'sending', 'unknown'].includes(d.status);
  };

  return {
    async retry(delivery) {
      await run('Retry', () => api(`/api/deliveries/${delivery.id}/retry`, { method: 'POST' }), { text: 'Trying again.', until: retried(delivery.id) });
    },
    async abandon(delivery, item) {
      const answer = await ask({
        title: `Give up on ${item ? `“${item.key}”` : 'this post'} on ${platformName(delivery.platform)}?`, tone: 'danger', confirmLabel: 'Abandon',
        body: 'It will not be retried on this platform. The other platforms are not affected.',
      });
      if (answer) await run('Abandon', () => api(`/api/deliveries/${delivery.id}/abandon`, { method: 'POST' }), `Abandoned: nothing more is tried on ${platformName(delivery.platform)}.`);
    },
    async edit(item) {
      const approved = item.approvals.filter((a) => a.decision === 'approve').length;
      const decided = [approved ? `${approved} approval${approved > 1 ? 's' : ''}` : null,
        item.approvals.some((a) => a.decision === 'reject') ? 'the rejection' : null].filter(Boolean);
      const answer = await ask({
        title: `Edit “${item.key}”`, confirmLabel: 'Save new version',
        body: decided.length ? `Saving makes version ${item.version + 1} and clears ${decided.join(' and ')} given so far: it needs the event's approvals again.`
          : `Saving makes version ${item.version + 1}; it then needs the event's approvals.`,
        textarea: { label: 'Caption', required: true, maxLength: 5000, rows: 6, value: item.content.caption },
      });
      if (!answer) return;
      if (answer.text === item.content.caption.trim()) {
        say(`Nothing changed: “${item.key}” keeps its approvals.`);
        return;
      }
      await run('Edit', () => api(`/api/items/${item.id}`, { method: 'PATCH', body: { content: { ...item.content, caption: answer.text } } }),
        (saved) => `“${item.key}” is now version ${saved.version}. Approvals were cleared: it needs approving again before it can go out.`);
    },
    /** Move an upcoming item one place earlier (-1) or later (+1) in `order` (the upcoming ids as shown). */
    async move(item, step, shown) {
      const order = [...shown];
      const at = order.indexOf(item.id);
      const to = at + step;
      if (at < 0 || to < 0 || to >= order.length) return;
      [order[at], order[to]] = [order[to], order[at]];
      await run('Reorder', () => api(eventPath('/live/reorder'), { method: 'POST', body: { item_ids: order } }),
        `“${item.key}” moved ${step < 0 ? 'up' : 'down'}.`);
    },
    async approve(item) {
      await run('Approve', () => api(`/api/items/${item.id}/approve`, { method: 'POST', body: { version: item.version } }),
        (result) => (result.status === 'approved' ? `“${item.key}” is approved and can go out.` : `Your approval of “${item.key}” is recorded.`));
    },
    async reject(item) {
      const answer = await ask({
        title: `Reject “${item.key}”?`, tone: 'danger', confirmLabel: 'Reject',
        body: 'Say what needs to change; the author sees your note.',
        textarea: { label: 'Note for the author', required: true },
      });
      if (answer) await run('Reject', () => api(`/api/items/${item.id}/reject`, { method: 'POST', body: { version: item.version, note: answer.text } }), `“${item.key}” rejected.`);
    },
  };
}
