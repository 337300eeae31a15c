// Moderating audience messages, shared by the console and the tablet: relabel (anyone on staff), hide and
// mute (comms), assign to a clinician (comms). Hide and mute ask first; a failure says what the server said.
import { announce, api, ApiError, clock, h, hasRole, platformName } from './core.js';
import { ask } from './dialog.js';
import { run as runAction } from './run.js';

/** The triage labels (server/triage/triage.py), most urgent first, in words. */
export const LABELS = {
  emergency: 'Possible emergency', personal_medical: 'Own or a relative’s case', question: 'Question',
  comment: 'Comment', spam: 'Spam', abuse: 'Abuse',
};
export const QUEUE_LABELS = new Set(['emergency', 'personal_medical', 'question']);
const DIRECTORY_MAX_AGE_MS = 60_000;

/** What this user may do (the API enforces the same: relabel AnyUser, the rest CommsUser). */
export function permissions(me) {
  const comms = hasRole(me, 'comms');
  return {
    relabel: hasRole(me, 'comms', 'clinical'), hide: comms, mute: comms, assign: comms,
    assignSelf: comms && me.roles.includes('clinical'), // only clinicians can be assigned
  };
}

export const who = (m) => m.author_name || m.author_handle;
const handle = (m) => `@${m.author_handle}`;

/** An API failure in plain words, with the server's own explanation. */
export function explain(what, err) {
  if (!(err instanceof ApiError)) return `${what}: something went wrong in this page. Reload and try again.`;
  const detail = err.message.replace(/\.$/, '');
  if (err.status === 0) return `${what}: ${detail}.`;
  if (err.status === 403) return `${what}: your account may not do this (${detail}).`;
  if (err.status === 404) return `${what}: it is no longer there (${detail}). The list is being refreshed.`;
  return `${what}: ${detail}${err.field ? ` (field “${err.field}”)` : ''}.`;
}

/** The message quoted as text (the audience's words never become markup). */
function quote(m, tz) {
  const when = tz ? ` · ${clock(m.received_at, tz)}` : '';
  return h('blockquote', { class: 'mod-quote' },
    h('p', { class: 'mod-quote-who' }, `${who(m)} (${handle(m)}) · ${platformName(m.platform)}${when}`),
    h('p', { class: 'mod-quote-text' }, m.text));
}

/**
 * makeModeration({state, status, refresh}) -> actions; `state.event` is the page's event, `status` the live
 * region that reports each outcome, `refresh()` re-reads the page's data.
 */
export function makeModeration({ state, status, refresh }) {
  const say = (message, tone = 'info') => announce(status, message, tone);
  const directory = { list: null, error: null, at: 0, loading: null };

  /** A moderation action (lib/run.js): the outcome in the live region, in moderation's own words on failure. */
  const run = (what, call, success, onFail) => runAction(what, call, {
    success, say, after: refresh,
    fail: (err) => {
      if (onFail) onFail();
      return { text: explain(what, err), tone: 'error' };
    },
  });

  return {
    /** Change a message's label at once (it is journaled and kept as evaluation data). */
    relabel(message, label, { group, picker } = {}) {
      if (!LABELS[label] || label === message.label) return undefined;
      const leaves = group && (group.size || 1) <= 1 && QUEUE_LABELS.has(message.label) && !QUEUE_LABELS.has(label);
      const joins = group && (group.size || 1) <= 1 && !QUEUE_LABELS.has(message.label) && QUEUE_LABELS.has(label);
      const then = label === 'emergency' ? ' Send the emergency reply now.'
        : leaves ? ' It leaves the clinicians’ queue.' : joins ? ' It joins the clinicians’ queue.' : '';
      return run('Could not change the label', () => api(`/api/messages/${message.id}/relabel`, { method: 'POST', body: { label } }),
        `${who(message)}’s message is now labelled “${LABELS[label]}”.${then}`,
        () => resetPicker(picker, message.label));
    },

    async hide(message, { tz } = {}) {
      const answer = await ask({
        title: 'Hide this message?', tone: 'danger', confirmLabel: 'Hide message',
        body: [quote(message, tz),
          h('p', {}, 'It leaves the queue at once and nobody on the team sees it again. It is kept in the record; these pages cannot bring it back.')],
      });
      if (!answer) return undefined;
      return run('Could not hide the message', () => api(`/api/messages/${message.id}/hide`, { method: 'POST' }),
        `Hidden: ${who(message)}’s message left the queue.`);
    },

    /** Mute the author on this platform for the event; `queued` is how many of their messages the page shows. */
    async mute(message, { tz, queued = 1 } = {}) {
      const where = platformName(message.platform);
      const answer = await ask({
        title: `Mute ${handle(message)} on ${where}?`, tone: 'danger', confirmLabel: 'Mute author',
        body: [quote(message, tz),
          h('p', {}, `Everything ${handle(message)} sends on ${where} during this event is kept for the record but no longer reaches the queue.`),
          h('p', {}, queued > 1 ? `Their messages waiting now leave the queue too (${queued} on this page).`
            : 'This message and any other of theirs waiting now leave the queue too.'),
          message.platform === 'form' ? h('p', { class: 'field-error' }, 'Web-form senders are muted by network address: everyone writing from that address is muted.') : null,
          h('p', { class: 'muted' }, 'These pages cannot unmute an author.')],
      });
      if (!answer) return undefined;
      return run('Could not mute the author', () => api(`/api/events/${state.event.id}/mutes`, {
        method: 'POST', body: { platform: message.platform, handle: message.author_handle },
      }), (result) => {
        const n = (result && result.unqueued) || 0;
        return `Muted ${handle(message)} on ${where}: ${n ? `${n} message${n > 1 ? 's' : ''} left the queue; ` : ''}their next messages stay out of it.`;
      });
    },

    /** Assign to `user` ({id, display_name}), or unassign when `user` is null. */
    assign(group, user, { picker } = {}) {
      const was = group.assigned_to_name || 'the clinician it was assigned to';
      return run(user ? 'Could not assign the question' : 'Could not unassign the question',
        () => api(`/api/question-groups/${group.id}/assign`, { method: 'POST', body: { user_id: user ? user.id : null } }),
        !user ? `Unassigned: the question is no longer marked for ${was}.`
          : user.id === state.me.id ? 'Assigned to you.' : `Assigned to ${user.display_name}: it is marked for them on their tablet.`,
        () => resetPicker(picker, group.assigned_to ? String(group.assigned_to) : ''));
    },

    /**
     * The staff directory (active clinicians, by display name) this page may assign to: an array, or null while
     * it loads (`onLoaded` is called once it has arrived), or {error} when it could not be read. Re-read at
     * most once a minute, so a clinician added meanwhile shows up.
     */
    clinicians(onLoaded) {
      const fresh = directory.at && performance.now() - directory.at < DIRECTORY_MAX_AGE_MS;
      if (!fresh && !directory.loading) {
        directory.loading = api(`/api/events/${state.event.id}/clinicians`)
          .then((list) => { directory.list = list; directory.error = null; })
          .catch((err) => { directory.error = explain('Could not load the list of clinicians', err); })
          .finally(() => {
            directory.at = performance.now();
            directory.loading = null;
            if (onLoaded) onLoaded();
          });
      }
      if (directory.list) return directory.list;
      return directory.error ? { error: directory.error } : null;
    },
  };
}

function resetPicker(picker, value) {
  if (!picker) return;
  picker.value = value;
  delete picker.dataset.picked;
}

/** The label picker of one message: a small select that relabels as soon as a label is picked. */
export function labelPicker(message, onPick, { id } = {}) {
  const picker = h('select', {
    id, class: 'mod-picker', 'aria-label': `Label of ${who(message)}’s message`,
    dataset: { focusKey: `relabel-${message.id}` },
  }, Object.entries(LABELS).map(([value, name]) => h('option', { value, selected: value === message.label }, name)));
  picker.addEventListener('change', () => {
    picker.dataset.picked = '1';
    onPick(picker.value, picker);
  });
  return picker;
}

/** The moderation row under a message: label picker, Hide…, Mute author… (each only when allowed). */
export function moderationRow(message, { can, moderation, group, tz, queued, btnClass = 'btn-small' }) {
  if (!can.relabel && !can.hide && !can.mute) return null;
  const key = (what) => ({ focusKey: `${what}-${message.id}` });
  return h('div', { class: 'mod-row', dataset: { messageId: message.id } },
    can.relabel ? h('span', { class: 'mod-label' }, h('span', { class: 'mod-label-name', 'aria-hidden': 'true' }, 'Label'),
      labelPicker(message, (label, picker) => moderation.relabel(message, label, { group, picker }))) : null,
    can.hide || can.mute ? h('span', { class: 'mod-acts' },
      can.hide ? h('button', { type: 'button', class: ['btn', 'btn-quiet', 'mod-btn', btnClass], dataset: key('hide'), onclick: () => moderation.hide(message, { tz }) }, 'Hide…') : null,
      can.mute ? h('button', { type: 'button', class: ['btn', 'btn-quiet', 'mod-btn', btnClass], dataset: key('mute'), onclick: () => moderation.mute(message, { tz, queued: queued ? queued(message) : 1 }) }, 'Mute author…') : null) : null);
}

/**
 * The "Assigned to" picker of a question: "Unassigned" and every active clinician by display name (from
 * `moderation.clinicians`); picking one assigns at once, "Unassigned" unassigns. `directory` is what
 * `moderation.clinicians()` returned (null while loading: only the current assignee is shown, disabled).
 */
export function assignPicker(group, { moderation, directory, idPrefix = 'assign' }) {
  const list = Array.isArray(directory) ? directory : [];
  const options = new Map(list.map((u) => [u.id, u.display_name]));
  if (group.assigned_to && !options.has(group.assigned_to)) {
    // Assigned to someone the directory no longer lists (their account was switched off, or it is loading).
    options.set(group.assigned_to, group.assigned_to_name ? `${group.assigned_to_name}${Array.isArray(directory) ? ' (no longer active)' : ''}` : 'A former colleague');
  }
  const id = `${idPrefix}-${group.id}`;
  const picker = h('select', { id, class: 'mod-picker', disabled: !Array.isArray(directory), dataset: { focusKey: id } },
    h('option', { value: '', selected: !group.assigned_to }, 'Unassigned'),
    [...options].map(([userId, name]) => h('option', { value: userId, selected: userId === group.assigned_to }, name)));
  picker.addEventListener('change', () => {
    const userId = Number(picker.value) || null;
    if (userId === (group.assigned_to || null)) return;
    picker.dataset.picked = '1';
    moderation.assign(group, userId ? { id: userId, display_name: options.get(userId) } : null, { picker });
  });
  return h('span', { class: 'mod-assign' }, h('label', { for: id }, 'Assigned to'), picker);
}

/** Why the picker offers nobody (yet), or null. */
export function directoryNote(directory) {
  if (directory && directory.error) return h('p', { class: 'field-error mod-directory-note' }, `${directory.error} Try again with the next update.`);
  if (Array.isArray(directory) && !directory.length) return h('p', { class: 'hint mod-directory-note' }, 'No active clinician accounts yet: an admin adds them.');
  return null;
}

/** How many messages of this author (same platform) a list of groups shows. */
export function countByAuthor(groups) {
  const counts = new Map();
  for (const m of groups.flatMap((g) => g.messages || [])) {
    const k = `${m.platform}\n${m.author_handle}`;
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  return (m) => counts.get(`${m.platform}\n${m.author_handle}`) || 1;
}

/**
 * While a picker in `el` has focus and nothing was picked yet (its list may be open under a finger), hold
 * re-rendering `el`: returns true when held, and calls `rerender` shortly after focus leaves.
 */
export function holdWhilePicking(el, rerender) {
  const active = document.activeElement;
  if (!active || active.tagName !== 'SELECT' || !el.contains(active) || active.dataset.picked) return false;
  if (!active.dataset.held) {
    active.dataset.held = '1';
    active.addEventListener('blur', () => window.setTimeout(rerender, 250), { once: true });
  }
  return true;
}
