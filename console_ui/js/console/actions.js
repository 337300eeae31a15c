// What the operator's buttons do: each calls the API, says what happened, and refreshes the page's data.
import { announce, api, ApiError, h, platformName } from '../lib/core.js';
import { ask } from '../lib/dialog.js';

export function makeActions({ state, status, refresh }) {
  const say = (message, tone = 'info') => announce(status, message, tone);

  async function run(label, call, success) {
    try {
      const result = await call();
      if (success) say(typeof success === 'function' ? success(result) : success, 'good');
      return result;
    } catch (err) {
      say(`${label}: ${err instanceof ApiError ? err.message : 'something went wrong'}`, 'error');
      return undefined;
    } finally {
      refresh();
    }
  }

  const eventPath = (suffix) => `/api/events/${state.event.id}${suffix}`;
  const held = () => state.event.status === 'held';

  /** During a hold, manual posts need a deliberate second yes. */
  async function confirmDuringHold(what) {
    if (!held()) return { confirm: false };
    const answer = await ask({
      title: 'The event is on hold', confirmLabel: 'Post anyway',
      body: `Automatic posting is stopped. Do you want to post ${what} anyway?`,
    });
    return answer ? { confirm: true } : null;
  }

  return {
    async goLive() {
      const answer = await ask({
        title: `Go live with “${state.event.title}”?`, confirmLabel: 'Go live',
        body: 'The clock starts now and approved posts go out at their planned times.',
      });
      if (answer) await run('Go live', () => api(eventPath('/live/go'), { method: 'POST', body: { clock: 'now' } }), 'The event is live.');
    },
    async cueNext() {
      const next = (state.live && state.live.upcoming || [])[0];
      const body = await confirmDuringHold(next ? `“${next.key}”` : 'the next item');
      if (body) await run('Cue next', () => api(eventPath('/live/cue-next'), { method: 'POST', body }), (item) => `“${item.key}” is being posted.`);
    },
    async postNow(item) {
      const body = await confirmDuringHold(`“${item.key}”`);
      if (body) await run('Post now', () => api(`/api/items/${item.id}/post-now`, { method: 'POST', body }), `“${item.key}” is being posted.`);
    },
    async skip(item) {
      const answer = await ask({ title: `Skip “${item.key}”?`, body: 'It will not be posted. The thread continues from the last posted item.', confirmLabel: 'Skip it', tone: 'danger' });
      if (answer) await run('Skip', () => api(`/api/items/${item.id}/skip`, { method: 'POST' }), `“${item.key}” skipped.`);
    },
    async hold() {
      await run('Hold', () => api(eventPath('/live/hold'), { method: 'POST' }), 'On hold: nothing posts automatically until you resume.');
    },
    async resume() {
      await run('Resume', () => api(eventPath('/live/resume'), { method: 'POST' }), 'Resumed. Items that fell due during the hold wait for you.');
    },
    async end() {
      const answer = await ask({ title: 'End the event?', body: 'Nothing more will be posted and the timeline is closed. This cannot be undone.', confirmLabel: 'End event', tone: 'danger' });
      if (answer) await run('End', () => api(eventPath('/live/end'), { method: 'POST' }), 'The event has ended.');
    },
    async emergencyHold() {
      const holding = state.items.find((i) => i.kind === 'holding' && i.status === 'approved');
      const answer = await ask({
        title: 'Emergency hold', tone: 'emergency', confirmLabel: 'Stop everything now',
        body: [h('p', {}, 'All automatic posting stops at once and posts not yet sent are pulled back.'),
          holding ? null : h('p', { class: 'field-error' }, 'There is no approved holding message, so none can be posted.')],
        checkbox: holding ? { label: 'Also post the approved holding message on every platform', checked: true } : undefined,
      });
      if (!answer) return;
      await run('Emergency hold', () => api(eventPath('/live/emergency-hold'), {
        method: 'POST', body: { post_holding_message: Boolean(holding && answer.checked) },
      }), 'Emergency hold is on. Everything automatic has stopped.');
    },
    async retry(delivery) {
      await run('Retry', () => api(`/api/deliveries/${delivery.id}/retry`, { method: 'POST' }), 'Trying again.');
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
    async emergencyReply(message) {
      await run('Emergency reply', () => api(`/api/messages/${message.id}/template-reply`, { method: 'POST', body: { template: 'emergency' } }),
        `The emergency reply is on its way to @${message.author_handle}.`);
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
