// The console's moderation list under the question counts: the clinicians' queue, or the comments, spam or
// abuse; each message with its label picker, Hide… and Mute author…, each question with whom it is assigned to.
import { clock, h, platformName, replaceChildren } from '../lib/core.js';
import { plainReason } from '../lib/words.js';
import { assignPicker, countByAuthor, directoryNote, holdWhilePicking, LABELS, moderationRow, QUEUE_LABELS } from '../lib/moderation.js';

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

function messageRow(m, group, ctx) {
  const { tz } = ctx;
  return h('li', { class: ['mod-message', m.label === 'emergency' && 'is-emergency'], dataset: { messageId: m.id, label: m.label } },
    h('p', { class: 'mod-who' },
      h('strong', {}, m.author_name || m.author_handle), ' ',
      h('span', { class: 'muted' }, `@${m.author_handle} · ${platformName(m.platform)} · ${clock(m.received_at, tz)}`),
      m.status === 'answered' ? h('span', { class: 'pill pill-posted' }, 'Replied') : null),
    h('p', { class: 'mod-text' }, m.text),
    m.label_reason ? h('p', { class: 'mod-why' }, `${m.label !== group.label ? `Sorted as “${LABELS[m.label] || m.label}”` : 'Why it is here'}: ${plainReason(m.label_reason)}.`) : null,
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
 * ctx: {data (from loadQuestions), filter, onFilter, can, moderation, tz, rerender}; whom a question can be
 * assigned to comes from the staff directory (`moderation.clinicians`), read here when the user may assign.
 */
export function renderModeration(el, ctx) {
  const { data, filter } = ctx;
  if (!data || !data.summary) {
    replaceChildren(el);
    return;
  }
  if (holdWhilePicking(el, ctx.rerender)) return;
  const directory = ctx.can.assign && ctx.moderation ? ctx.moderation.clinicians(ctx.rerender) : null;
  const groups = data.groups;
  const key = JSON.stringify([filter, data.summary, groups, directory]);
  if (shown.get(el) === key) return;
  shown.set(el, key);
  const list = (groups || []).filter((g) => (g.messages || []).length);
  const everyGroup = new Map([...(data.queue || []), ...list].map((g) => [g.id, g]));
  const full = { ...ctx, directory, queued: countByAuthor([...everyGroup.values()]) };
  const assigning = ctx.can.assign && list.some((g) => QUEUE_LABELS.has(g.label));
  replaceChildren(el,
    filterBar(data, filter, ctx.onFilter),
    groups === null ? h('p', { class: 'field-error' }, 'These messages could not be loaded. The page tries again with the next update.')
      : list.length ? h('ul', { class: 'mod-list', dataset: { filter } }, list.map((g) => groupCard(g, full)))
        : h('p', { class: 'empty' }, EMPTY[filter] || 'Nothing here.'),
    assigning ? directoryNote(directory) : null);
}
