// The console's moderation list under the question counts: the clinicians' queue, or the comments, spam or
// abuse; each message with its label picker, Hide… and Mute author…, each question with whom it is assigned to.
import { clock, h, platformName, replaceChildren } from '../lib/core.js';
import { countByAuthor, holdWhilePicking, LABELS, moderationRow, QUEUE_LABELS } from '../lib/moderation.js';

export const FILTERS = [['queue', 'Queue'], ['comment', 'Comments'], ['spam', 'Spam'], ['abuse', 'Abuse']];
const EMPTY = {
  queue: 'No questions are waiting for the clinicians.', comment: 'No comments waiting.',
  spam: 'Nothing was sorted as spam.', abuse: 'Nothing was sorted as abuse.',
};
const shown = new WeakMap(); // element -> what it shows, so unchanged content is not re-rendered

function filterBar(data, filter, onFilter) {
  const summary = data.summary || {};
  const counts = { queue: summary.open_groups || 0, ...(summary.by_label || {}) };
  return h('div', { class: 'mod-filters', role: 'group', 'aria-label': 'Show messages' },
    FILTERS.map(([key, name]) => h('button', {
      type: 'button', class: ['btn', 'btn-small', 'mod-filter', key === filter && 'is-current'], 'aria-pressed': String(key === filter),
      dataset: { filter: key, focusKey: `filter-${key}` }, onclick: () => onFilter(key),
    }, name, h('span', { class: 'mod-filter-count' }, String(counts[key] || 0)))));
}

function assignPicker(group, ctx) {
  const { clinicians, names, moderation } = ctx;
  const options = new Map(clinicians);
  if (group.assigned_to && !options.has(group.assigned_to)) {
    options.set(group.assigned_to, names.get(group.assigned_to) || `Account #${group.assigned_to}`);
  }
  const id = `assign-${group.id}`;
  const picker = h('select', { id, class: 'mod-picker', disabled: !options.size, dataset: { focusKey: id } },
    h('option', { value: '', selected: !group.assigned_to, disabled: Boolean(group.assigned_to) }, options.size ? 'Nobody yet' : 'No clinician known yet'),
    [...options].map(([userId, name]) => h('option', { value: userId, selected: userId === group.assigned_to }, name)));
  picker.addEventListener('change', () => {
    const userId = Number(picker.value);
    if (!userId) return;
    picker.dataset.picked = '1';
    moderation.assign(group, { id: userId, display_name: options.get(userId) }, { picker });
  });
  return h('span', { class: 'mod-assign' }, h('label', { for: id }, 'Assigned to'), picker);
}

function messageRow(m, group, ctx) {
  const { tz } = ctx;
  return h('li', { class: ['mod-message', m.label === 'emergency' && 'is-emergency'], dataset: { messageId: m.id, label: m.label } },
    h('p', { class: 'mod-who' },
      h('strong', {}, m.author_name || m.author_handle), ' ',
      h('span', { class: 'muted' }, `@${m.author_handle} · ${platformName(m.platform)} · ${clock(m.received_at, tz)}`),
      m.status === 'answered' ? h('span', { class: 'pill pill-posted' }, 'Replied') : null),
    h('p', { class: 'mod-text' }, m.text),
    m.label_reason ? h('p', { class: 'mod-why' }, m.label !== group.label ? `Sorted as ${LABELS[m.label] || m.label}: ` : 'Why: ', m.label_reason) : null,
    moderationRow(m, { ...ctx, group }));
}

function groupCard(group, ctx) {
  const messages = group.messages || [];
  const size = group.size || messages.length || 1;
  const emergency = group.label === 'emergency';
  return h('li', { class: ['mod-group', emergency && 'is-emergency'], dataset: { groupId: group.id, label: group.label } },
    h('div', { class: 'mod-group-head' },
      h('span', { class: ['pill', emergency ? 'pill-emergency' : `pill-label-${group.label}`] }, LABELS[group.label] || group.label),
      size > 1 ? h('span', { class: 'mod-size' }, `${size} people asked`) : null,
      group.claimed_by ? h('span', { class: 'mod-claim' }, `${group.claimed_by_name || 'A clinician'} is answering`) : null,
      ctx.can.assign && QUEUE_LABELS.has(group.label) ? assignPicker(group, ctx) : null),
    h('ul', { class: 'mod-messages' }, messages.map((m) => messageRow(m, group, ctx))));
}

/**
 * ctx: {data (from loadQuestions), filter, onFilter, can, moderation, clinicians (id -> name), names, tz,
 *       listsEveryone (the clinicians are every account, not only those seen), rerender}
 */
export function renderModeration(el, ctx) {
  const { data, filter } = ctx;
  if (!data || !data.summary) {
    replaceChildren(el);
    return;
  }
  if (holdWhilePicking(el, ctx.rerender)) return;
  const groups = data.groups;
  const key = JSON.stringify([filter, data.summary, groups, [...ctx.clinicians]]);
  if (shown.get(el) === key) return;
  shown.set(el, key);
  const list = (groups || []).filter((g) => (g.messages || []).length);
  const everyGroup = new Map([...(data.queue || []), ...list].map((g) => [g.id, g]));
  const full = { ...ctx, queued: countByAuthor([...everyGroup.values()]) };
  replaceChildren(el,
    filterBar(data, filter, ctx.onFilter),
    groups === null ? h('p', { class: 'field-error' }, 'These messages could not be loaded. The page tries again with the next update.')
      : list.length ? h('ul', { class: 'mod-list', dataset: { filter } }, list.map((g) => groupCard(g, full)))
        : h('p', { class: 'empty' }, EMPTY[filter] || 'Nothing here.'),
    ctx.can.assign && filter === 'queue' && list.length && !ctx.listsEveryone
      ? h('p', { class: 'hint' }, 'You can assign to clinicians who have already worked on this event (claimed, answered or approved); the list of every account needs an admin.')
      : null);
}
