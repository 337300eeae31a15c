// The run of show: every timeline post with its timing, approvals, privacy findings and deliveries.
import { clock, h, platformName, replaceChildren, safeHref } from '../lib/core.js';
import { approvalSummary, caption, EMERGENCY_BLOCKS_POSTS, findingList, isEmergency, mediaStrip, statusPill } from '../lib/items.js';
import { LIMITS } from '../lib/textcount.js';

const DELIVERY_WORDS = { pending: 'queued', sending: 'sending…', unknown: 'checking…', posted: 'posted', failed: 'failed', needs_reauth: 'reconnect the account', abandoned: 'not sent' };
const RETRYABLE = new Set(['failed', 'needs_reauth']);

/** The latest delivery per platform for each item. */
export function deliveriesByItem(deliveries) {
  const map = new Map();
  for (const d of deliveries) {
    if (d.item_id === null || d.item_id === undefined) continue;
    const perPlatform = map.get(d.item_id) || new Map();
    const previous = perPlatform.get(d.platform);
    if (!previous || d.id > previous.id) perPlatform.set(d.platform, d);
    map.set(d.item_id, perPlatform);
  }
  return map;
}

function deliveryChip(d, item, actions) {
  const href = d.status === 'posted' ? safeHref(d.remote_url) : null;
  return h('li', { class: ['delivery', `delivery-${d.status}`] },
    h('span', { class: 'delivery-platform' }, platformName(d.platform)),
    h('span', { class: ['pill', `pill-${d.status}`] }, DELIVERY_WORDS[d.status] || d.status),
    href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'delivery-link' }, 'View post') : null,
    d.rehearsal ? h('span', { class: 'muted' }, 'rehearsal') : null,
    (RETRYABLE.has(d.status) || d.status === 'abandoned' || d.status === 'unknown') && d.last_error
      ? h('span', { class: 'delivery-error' }, d.last_error) : null,
    RETRYABLE.has(d.status)
      ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => actions.retry(d), dataset: { focusKey: `retry-${d.id}` } }, 'Retry')
      : null,
    RETRYABLE.has(d.status)
      ? h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => actions.abandon(d, item), dataset: { focusKey: `abandon-${d.id}` } }, 'Abandon…')
      : null);
}

function lengths(item) {
  const entries = Object.entries(item.text_lengths || {});
  if (!entries.length) return null;
  return h('p', { class: 'lengths' }, entries.map(([p, n]) => {
    const max = (LIMITS[p] || LIMITS.sandbox).max;
    return h('span', { class: ['length', n > max && 'is-over'] }, `${platformName(p)} ${n}/${max}`);
  }));
}

function timing(item, state, upcomingInfo) {
  const tz = state.event.timezone;
  const info = upcomingInfo.get(item.id);
  return h('div', { class: 'tl-when' },
    item.offset ? h('span', { class: 'offset mono' }, item.offset) : null,
    item.planned_at ? h('span', { class: 'planned' }, clock(item.planned_at, tz)) : null,
    item.cue ? h('span', { class: 'cue' }, h('span', { class: 'visually-hidden' }, 'Cue: '), item.cue) : null,
    !item.cue && item.offset ? h('span', { class: 'auto muted' }, 'automatic') : null,
    !item.cue && !item.offset ? h('span', { class: 'muted' }, 'on demand') : null,
    item.published_at ? h('span', { class: 'muted' }, `posted ${clock(item.published_at, tz)}`) : null,
    info && info.waiting_for ? h('span', { class: 'pill pill-waiting waiting-for' }, info.waiting_for)
      : info && info.overdue ? h('span', { class: 'pill pill-failed' }, 'Overdue — waiting for you') : null);
}

const EDITABLE = ['draft', 'rejected', 'blocked'];
const UNDOABLE = ['draft', 'rehearsal', 'live', 'held']; // a skip can be undone until the event ends

/** The upcoming posts' ids in the order the timeline shows them (which items are upcoming: the live status). */
function upcomingOrder(state) {
  const upcoming = new Set(((state.live && state.live.upcoming) || []).map((u) => u.id));
  return state.items.filter((i) => i.kind === 'post' && upcoming.has(i.id)).map((i) => i.id);
}

/** Up and down buttons for an upcoming item; they move it relative to what the operator sees. */
function moveButtons(item, state, actions) {
  const order = upcomingOrder(state);
  const at = order.indexOf(item.id);
  if (at < 0 || order.length < 2 || state.event.status === 'ended') return null;
  const move = (step, label, arrow) => h('button', {
    type: 'button', class: 'btn btn-small btn-quiet tl-move', 'aria-label': `Move “${item.key}” ${label}`, title: `Move ${label}`,
    disabled: at + step < 0 || at + step >= order.length, onclick: () => actions.move(item, step, order), dataset: { focusKey: `move-${step}-${item.id}` },
  }, arrow);
  return h('div', { class: 'tl-move-group', role: 'group', 'aria-label': 'Order' }, move(-1, 'up', '↑'), move(1, 'down', '↓'));
}

function itemActions(item, state, actions) {
  const s = state.event.status;
  const live = s === 'live' || s === 'held';
  const out = [];
  if (!['post', 'holding'].includes(item.kind)) return null;
  if (item.kind === 'post' && live && item.status === 'approved') {
    const blocked = isEmergency(state);
    out.push(h('button', {
      type: 'button', class: 'btn btn-small btn-primary', onclick: () => actions.postNow(item), dataset: { focusKey: `post-${item.id}` },
      disabled: blocked, title: blocked ? EMERGENCY_BLOCKS_POSTS : undefined, 'aria-describedby': blocked ? `post-blocked-${item.id}` : undefined,
    }, 'Post now'));
    if (blocked) out.push(h('span', { class: 'tl-blocked', id: `post-blocked-${item.id}` }, 'Not until you resume'));
  }
  if (item.kind === 'post' && item.status === 'skipped' && UNDOABLE.includes(s)) {
    out.push(actions.undoButton(item, `undo-${item.id}`));
  }
  if (s !== 'ended' && EDITABLE.includes(item.status)) {
    out.push(h('button', { type: 'button', class: 'btn btn-small', onclick: () => actions.edit(item), dataset: { focusKey: `edit-${item.id}` } }, 'Edit…'));
  }
  if (item.kind === 'post' && s !== 'ended' && ['draft', 'approved', 'rejected', 'blocked'].includes(item.status)) {
    out.push(h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => actions.skip(item), dataset: { focusKey: `skip-${item.id}` } }, 'Skip'));
  }
  if (item.kind === 'post') out.push(moveButtons(item, state, actions));
  return out.some(Boolean) ? h('div', { class: 'tl-actions' }, out) : null;
}

function card(item, state, actions, deliveries, upcomingInfo, nextId) {
  const perPlatform = deliveries.get(item.id);
  return h('li', { class: ['tl-item', `is-${item.status}`, item.id === nextId && 'is-next'], id: `item-${item.id}`, dataset: { itemId: item.id, status: item.status } },
    timing(item, state, upcomingInfo),
    h('div', { class: 'tl-body' },
      h('div', { class: 'tl-head' },
        item.id === nextId ? h('span', { class: 'next-badge' }, 'Next') : null,
        h('span', { class: 'key mono' }, item.key), statusPill(item.status),
        item.content.content_warning ? h('span', { class: 'pill' }, 'Content warning') : null),
      caption(item), mediaStrip(item), findingList(item), approvalSummary(item),
      perPlatform ? h('ul', { class: 'deliveries', 'aria-label': 'Deliveries' }, [...perPlatform.values()].map((d) => deliveryChip(d, item, actions))) : null,
      lengths(item)),
    itemActions(item, state, actions));
}

export function renderTimeline(list, countEl, holdingEl, state, actions) {
  const posts = state.items.filter((i) => i.kind === 'post');
  const deliveries = deliveriesByItem(state.deliveries);
  const upcoming = (state.live && state.live.upcoming) || [];
  const upcomingInfo = new Map(upcoming.map((u) => [u.id, u]));
  const nextId = ['live', 'held'].includes(state.event.status) && upcoming[0] ? upcoming[0].id : null;
  const posted = posts.filter((i) => i.status === 'posted').length;
  countEl.textContent = `${posted} of ${posts.length} posted`;
  replaceChildren(list, posts.length
    ? posts.map((item) => card(item, state, actions, deliveries, upcomingInfo, nextId))
    : h('li', { class: 'empty' }, 'No timeline posts yet. Write one below or import a run of show.'));
  const holding = state.items.filter((i) => i.kind === 'holding');
  replaceChildren(holdingEl, holding.length ? [
    h('h3', { class: 'holding-title' }, 'Holding message (sent with an emergency hold)'),
    h('ul', { class: 'timeline' }, holding.map((item) => card(item, state, actions, deliveries, new Map(), null))),
  ] : h('p', { class: 'notice' }, 'No holding message on this event: an emergency hold cannot post one.'));
}
