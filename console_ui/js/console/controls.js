// The live controls: go live, cue next, post now, skip and undo, hold, resume, end, emergency hold, pull back,
// and the emergency reply. Dangerous ones ask first (with "Cancel" focused); a failure stays on screen with
// Retry until it succeeds or is dismissed.
import { api, ApiError, apiOptional, clock, h, platformName } from '../lib/core.js';
import { ask, inform, list } from '../lib/dialog.js';
import { run } from '../lib/run.js';
import { EMERGENCY_BLOCKS_POSTS, isEmergency } from '../lib/items.js';
import { deliveriesByItem } from './timeline.js';

const CANCELLED = Symbol('cancelled');
const UNDOABLE = ['draft', 'rehearsal', 'live', 'held']; // a skip can be undone until the event ends
const STOPPED = new Set(['failed', 'needs_reauth', 'abandoned']);

/** “key” (or the cue label when there is one), for naming items in dialogs. */
export const itemName = (item) => (item.cue ? `“${item.cue}” (${item.key})` : `“${item.key}”`);

export function makeControls({ state, notices, refresh }) {
  const eventPath = (suffix) => `/api/events/${state.event.id}${suffix}`;
  const itemIn = (s, id) => s.items.find((i) => i.id === id);

  /**
   * Run a control action. `call` may resolve to CANCELLED (the operator said no midway). `success(result)`
   * gives the status line: a string, or {text, until, extra}.
   */
  function control(key, title, call, options = {}) {
    const { success, loud = false, resolved, retryable = () => true } = options;
    return run(title, call, {
      after: refresh,
      say: (text, tone, said) => notices.say(text, tone, { until: said.until, extra: said.extra }),
      // A failure stays on screen with Retry until it succeeds or is dismissed (nothing more on the status line).
      fail: (err) => {
        notices.fail(key, { title, err, loud, resolved, retry: retryable(err) ? () => control(key, title, call, options) : null });
        return null;
      },
      success: (result) => {
        notices.succeeded(key);
        return result === CANCELLED || !success ? null : success(result);
      },
    });
  }

  /** "Being posted" is true until the item is posted, skipped, or one of its posts stopped. */
  const settled = (id) => (s) => {
    const item = itemIn(s, id);
    if (!item || !['approved', 'queued'].includes(item.status)) return true;
    const latest = deliveriesByItem(s.deliveries).get(id);
    return Boolean(latest && [...latest.values()].some((d) => STOPPED.has(d.status)));
  };
  const beingPosted = (item) => ({ text: `“${item.key}” is being posted.`, until: settled(item.id) });

  /** During an ordinary hold, manual posts need a deliberate second yes. */
  async function confirmDuringHold(what) {
    const answer = await ask({
      title: 'The event is on hold', confirmLabel: 'Post anyway', tone: 'danger',
      body: `Automatic posting is stopped. Do you want to post ${what} anyway?`,
    });
    return Boolean(answer);
  }

  async function confirmOutOfOrder(item, jumps) {
    return Boolean(await ask({
      title: `Post ${item ? `“${item.key}”` : 'this item'} ahead of the run of show?`, tone: 'danger', confirmLabel: 'Post out of order',
      body: [h('p', {}, `It goes out before ${jumps.length === 1 ? 'this earlier item, which is' : `these ${jumps.length} earlier items, which are`} not posted yet:`),
        list(jumps.map((j) => (j.cue ? `“${j.cue}”` : `“${j.key}”`)), { class: 'dialog-list jumps' }),
        h('p', {}, 'They stay in the run of show and wait for their turn.')],
    }));
  }

  /** POST a post-now or cue, asking when the server wants a deliberate yes (hold, out of order). */
  async function postFlow(path, first, item) {
    const body = { ...first };
    for (;;) {
      try {
        return await api(path, { method: 'POST', body });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409) throw err;
        if (err.field === 'confirm' && !body.confirm && !isEmergency(state)) {
          if (!(await confirmDuringHold(item ? `“${item.key}”` : 'the next item'))) return CANCELLED;
          body.confirm = true;
        } else if (err.field === 'confirm_out_of_order' && !body.confirm_out_of_order) {
          if (!(await confirmOutOfOrder(item, err.body.jumps || []))) return CANCELLED;
          body.confirm_out_of_order = true;
        } else {
          throw err;
        }
      }
    }
  }

  async function cannotPostNow() {
    await inform({ title: 'The emergency hold is on', tone: 'emergency',
      body: [state.live && state.live.posting_rule ? h('p', { class: 'posting-rule-quote' }, state.live.posting_rule) : null,
        h('p', {}, EMERGENCY_BLOCKS_POSTS)] });
  }

  /** The Undo skip button (in the status line and on the skipped item). */
  const undoButton = (item, key) => h('button', {
    type: 'button', class: 'btn btn-small undo-skip', onclick: () => controls.unskip(item), dataset: { focusKey: key },
  }, 'Undo skip');

  /** Upcoming posts in the order shown, with what the page knows of their timing. */
  function upcomingItems() {
    const info = new Map(((state.live && state.live.upcoming) || []).map((u) => [u.id, u]));
    return state.items.filter((i) => i.kind === 'post' && info.has(i.id)).map((i) => ({ ...i, ...info.get(i.id), content: i.content }));
  }

  function describeItem(u) {
    const tz = state.event.timezone;
    const when = u.cue ? `on cue “${u.cue}”` : u.planned_at ? `planned ${clock(u.planned_at, tz)}` : 'on demand';
    return `“${u.key}” — ${when}${u.status === 'approved' ? '' : ` (${u.status === 'draft' ? 'not approved yet' : u.status})`}`;
  }

  /** The pre-flight checks as a list: ✓ or ✗, the check, what the server says about it. */
  const checklist = (report) => h('ul', { class: 'dialog-list preflight-list' }, report.checks.map((c) => h('li', {
    class: c.ok ? 'is-ok' : 'is-failed', dataset: { check: c.name },
  }, h('strong', {}, `${c.ok ? '✓' : '✗'} ${c.title}${c.waived ? ' (waived)' : ''}`), ` — ${c.detail}`)));

  const nextLine = (u) => (u ? h('p', { class: 'resume-next' }, 'Next automatic post: ', h('strong', {}, describeItem(u)), '.') : null);

  const controls = {
    CANCELLED,
    async goLive() {
      let report = null;
      try {
        report = await apiOptional(eventPath('/preflight'), null);
      } catch {
        report = null; // the server refuses going live itself when the checklist is required and incomplete
      }
      const setup = h('a', { href: `/setup?event=${state.event.id}` }, 'Open setup and the pre-flight checklist');
      if (report && !report.ok && report.required) {
        await inform({ title: 'Not ready to go live', tone: 'danger', body: [
          h('p', {}, 'The pre-flight checklist is not complete:'), checklist(report), h('p', {}, setup)] });
        return;
      }
      const answer = await ask({
        title: `Go live with “${state.event.title}”?`, confirmLabel: 'Go live',
        body: [h('p', {}, 'The clock starts now and approved posts go out at their planned times.'),
          report ? [h('p', { class: report.ok ? '' : 'dialog-warning' }, report.ok ? 'Pre-flight checklist:' : 'Not everything on the pre-flight checklist is done:'),
            checklist(report)] : null],
      });
      if (!answer) return;
      await control('go-live', 'Go live failed — the event has not started.',
        () => api(eventPath('/live/go'), { method: 'POST', body: { clock: 'now' } }),
        { success: () => ({ text: 'The event is live.', until: (s) => s.event.status !== 'live' }), resolved: (s) => s.event.status === 'live' });
    },
    async cueNext() {
      if (isEmergency(state)) return cannotPostNow();
      const next = ((state.live && state.live.upcoming) || [])[0];
      if (state.event.status === 'held' && !(await confirmDuringHold(next ? `“${next.key}”` : 'the next item'))) return undefined;
      const body = { confirm: state.event.status === 'held' };
      return control('cue', `Cue next failed — ${next ? `“${next.key}” was not posted` : 'nothing was posted'}.`,
        () => postFlow(eventPath('/live/cue-next'), body, next), { success: beingPosted });
    },
    async postNow(item) {
      if (isEmergency(state)) return cannotPostNow();
      if (state.event.status === 'held' && !(await confirmDuringHold(`“${item.key}”`))) return undefined;
      const body = { confirm: state.event.status === 'held' };
      return control(`post-${item.id}`, `Post now failed — “${item.key}” was not posted.`,
        () => postFlow(`/api/items/${item.id}/post-now`, body, item), { success: () => beingPosted(item) });
    },
    async skip(item) {
      const answer = await ask({ title: `Skip “${item.key}”?`, body: 'It will not be posted. The thread continues from the last posted item.', confirmLabel: 'Skip it', tone: 'danger' });
      if (!answer) return;
      await control(`skip-${item.id}`, `Skip failed — “${item.key}” is still in the run of show.`,
        () => api(`/api/items/${item.id}/skip`, { method: 'POST' }),
        { success: () => ({
          text: `“${item.key}” skipped.`, until: (s) => (itemIn(s, item.id) || {}).status !== 'skipped',
          extra: UNDOABLE.includes(state.event.status) ? undoButton(item, `status-undo-${item.id}`) : undefined,
        }) });
    },
    async unskip(item) {
      await control(`unskip-${item.id}`, `Undo skip failed — “${item.key}” stays skipped.`,
        () => api(`/api/items/${item.id}/unskip`, { method: 'POST' }),
        { success: () => ({ text: `“${item.key}” is back in the run of show.`, until: (s) => ['skipped', 'posted', 'queued'].includes((itemIn(s, item.id) || {}).status) }) });
    },
    undoButton,
    async hold() {
      await control('hold', 'Hold failed — automatic posting was not stopped.', () => api(eventPath('/live/hold'), { method: 'POST' }),
        { success: () => ({ text: 'On hold: nothing posts automatically until you resume.', tone: 'warn', until: (s) => s.event.status !== 'held' }), resolved: (s) => s.event.status === 'held' });
    },
    async resume() {
      const emergency = isEmergency(state);
      const upcoming = upcomingItems();
      const waiting = upcoming.filter((u) => u.overdue);
      const nextAuto = upcoming.filter((u) => u.automatic && !u.overdue && u.status === 'approved' && u.planned_at)
        .sort((a, b) => Date.parse(a.planned_at) - Date.parse(b.planned_at))[0];
      const preview = (state.live && state.live.resume_preview) || [];
      const answer = await ask({
        title: emergency ? 'End the emergency hold and resume live posting?' : 'Resume live posting?',
        tone: emergency ? 'danger' : 'primary', confirmLabel: 'Resume live posting',
        // The server's own lines when it gives them (verbatim); the page's account of the same otherwise.
        body: preview.length ? [list(preview, { class: 'dialog-list resume-preview' }), nextLine(nextAuto)] : [
          h('p', {}, 'Automatic posting of the run of show resumes: items with a planned time post themselves again.'),
          waiting.length
            ? [h('p', {}, `Not ${waiting.length === 1 ? 'this item, which' : `these ${waiting.length} items, which`} fell due during the hold: each waits for you to post or skip it.`),
              list(waiting.map(describeItem), { class: 'dialog-list resume-waiting' })]
            : h('p', {}, 'Items that fell due during the hold do not post themselves: they wait for you.'),
          nextLine(nextAuto)],
      });
      if (!answer) return;
      await control('resume', 'Resume failed — the event is still on hold.', () => api(eventPath('/live/resume'), { method: 'POST' }),
        { success: () => ({ text: 'Resumed. Items that fell due during the hold wait for you.', until: (s) => s.event.status !== 'live' }), resolved: (s) => s.event.status === 'live' });
    },
    async end() {
      const never = upcomingItems();
      const answer = await ask({
        title: 'End the event?', confirmLabel: 'End event', tone: 'danger',
        body: [h('p', {}, 'Nothing more will be posted and the timeline is closed. This cannot be undone.'),
          never.length
            ? [h('p', { class: 'dialog-warning' }, `${never.length === 1 ? 'This item' : `These ${never.length} items`} of the run of show will never be posted:`),
              list(never.map(describeItem), { class: 'dialog-list end-never' })]
            : h('p', {}, 'Every timeline post has been posted or skipped.')],
      });
      if (!answer) return;
      await control('end', 'End event failed — the event is still running.', () => api(eventPath('/live/end'), { method: 'POST' }),
        { success: () => ({ text: 'The event has ended.', tone: 'info' }), resolved: (s) => s.event.status === 'ended' });
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
      const body = { post_holding_message: Boolean(holding && answer.checked) };
      await control('emergency', 'EMERGENCY HOLD FAILED — nothing was stopped.',
        () => api(eventPath('/live/emergency-hold'), { method: 'POST', body }),
        { loud: true, resolved: isEmergency,
          success: () => ({ text: 'Emergency hold is on. Everything automatic has stopped.', tone: 'danger', until: (s) => !isEmergency(s) }) });
    },
    async pullBack(entry) {
      const what = `“${entry.item_key || entry.purpose || 'post'}” on ${platformName(entry.platform)}`;
      await control(`pull-${entry.delivery_id}`, `Pull back failed — ${what}:`,
        () => api(`/api/deliveries/${entry.delivery_id}/pull-back`, { method: 'POST' }),
        { success: () => ({ text: `Pulled back: ${what} will not go out.`, until: (s) => ['queued', 'posted'].includes((itemIn(s, entry.item_id) || {}).status) }),
          retryable: (err) => !(err instanceof ApiError && err.status === 409) });
    },
    async emergencyReply(message) {
      const { handleOf, sendEmergencyReply } = await import('../lib/emergency.js'); // loaded when first needed
      const who = handleOf(message);
      await control(`reply-${message.id}`, `Emergency reply to ${who} failed — it was not sent.`,
        async () => (await sendEmergencyReply(state, message)) || CANCELLED,
        { loud: true, success: () => `The emergency reply is on its way to ${who}.` });
    },
  };
  return controls;
}
