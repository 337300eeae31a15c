// The run of show: one dense row per timeline post (timing, name, state, approvals, deliveries, actions), its
// details (media, findings, lengths) on demand; the next item is marked, sticks in view and is scrolled to.
import { clock, h, platformName, replaceChildren, safeHref } from '../lib/core.js';
import { approvalSummary, caption, EMERGENCY_BLOCKS_POSTS, findingList, isEmergency, mediaStrip, statusPill } from '../lib/items.js';
const MAX = { x: 280, mastodon: 500, bluesky: 300, sandbox: 500 }; // as lib/textcount.js counts (loaded with the composer)
const open = new Set(); // items whose details the operator opened
const SETTLED = new Set(['approved', 'queued', 'posted', 'skipped']); // their approvals show in the details

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
    const max = MAX[p] || MAX.sandbox;
    return h('span', { class: ['length', n > max && 'is-over'] }, `${platformName(p)} ${n}/${max}`);
  }));
}

function timing(item, state) {
  const tz = state.event.timezone;
  return h('div', { class: 'tl-when' },
    item.offset ? h('span', { class: 'offset mono' }, item.offset) : null,
    item.planned_at && !item.published_at ? h('span', { class: 'planned' }, clock(item.planned_at, tz)) : null,
    item.cue ? h('span', { class: 'cue', title: `Cue: ${item.cue}` }, h('span', { class: 'visually-hidden' }, 'Cue: '), item.cue) : null,
    !item.cue && item.offset ? h('span', { class: 'auto muted' }, 'automatic') : null,
    !item.cue && !item.offset ? h('span', { class: 'muted' }, 'on demand') : null,
    item.published_at ? h('span', { class: 'muted' }, `posted ${clock(item.published_at, tz)}`) : null,
);
}

/** What holds an upcoming item back, once the event runs (before it, nothing is waiting or overdue). */
function waiting(item, state, upcomingInfo) {
  const info = upcomingInfo.get(item.id);
  if (!info || !['live', 'held'].includes(state.event.status)) return null;
  return info.waiting_for ? h('span', { class: 'pill pill-waiting waiting-for' }, info.waiting_for)
    : info.overdue ? h('span', { class: 'pill pill-failed' }, 'Overdue — waiting for you') : null;
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
  return out.some(Boolean) ? out : null;
}

let previewsModule = null; // previews.js, loaded the first time an item's details are opened

/** Where and when an item appears: the item before it in the run of show, and its posted or planned time. */
function placeOf(item, state, deliveries) {
  const posts = state.items.filter((i) => i.kind === 'post' && i.status !== 'skipped');
  const before = posts[posts.indexOf(item) - 1];
  const sent = [...(deliveries.get(item.id) || new Map()).values()].find((d) => d.posted_at);
  const at = sent ? sent.posted_at : item.planned_at;
  const after = item.kind === 'post' ? (before ? humanName(before) : null) : 'the latest post of the thread';
  return { after, at: at ? new Date(at) : null };
}

/** The item as each platform will show it (image, time line, content warning, place in the thread). */
function previews(item, state, deliveries) {
  const box = h('div', { class: 'previews tl-previews', 'aria-label': `Previews of “${item.key}”`, role: 'group' }, h('p', { class: 'muted' }, 'Loading previews…'));
  const { after, at } = placeOf(item, state, deliveries);
  const fill = (m) => replaceChildren(box, m.renderPreviews(state.event, {
    textFor: (p) => (item.content.platform_text || {})[p] || item.content.caption, cw: item.content.content_warning,
    media: (item.content.media || []).filter((x) => x.mime_type.startsWith('image/')).map((x) => ({ url: `/api/media/${x.sha256}`, alt: x.alt_text })),
    after, at,
  }));
  if (previewsModule) fill(previewsModule);
  else import('./previews.js').then((m) => { previewsModule = m; fill(m); }).catch(() => replaceChildren(box, h('p', { class: 'muted' }, 'Previews could not load.')));
  return box;
}

/** A human name for the item: its cue label, else its key in words (the key stays visible beside it). */
export const humanName = (item) => item.cue || item.key.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

function card(item, state, actions, deliveries, upcomingInfo, nextId) {
  const perPlatform = deliveries.get(item.id);
  const attention = (item.findings || []).some((f) => !f.overridden) || (item.checks || []).length > 0;
  const isOpen = open.has(item.id) || attention;
  const media = (item.content.media || []).length;
  const toggle = h('button', {
    type: 'button', class: 'btn btn-small btn-quiet tl-toggle', 'aria-expanded': String(isOpen), dataset: { focusKey: `details-${item.id}` },
    'aria-label': `${isOpen ? 'Hide' : 'Show'} details of “${item.key}”`, title: isOpen ? 'Hide details' : 'Show details',
    onclick: () => { if (open.has(item.id)) open.delete(item.id); else open.add(item.id); actions.rerender(); },
  }, isOpen ? '▾' : '▸');
  return h('li', { class: ['tl-item', `is-${item.status}`, item.id === nextId && 'is-next', isOpen && 'is-open'], id: `item-${item.id}`, dataset: { itemId: item.id, status: item.status } },
    timing(item, state),
    h('div', { class: 'tl-body' },
      h('div', { class: 'tl-head' },
        item.id === nextId ? h('span', { class: 'next-badge' }, 'Next') : null,
        h('span', { class: 'tl-name' }, humanName(item)),
        h('span', { class: 'key mono' }, item.key), statusPill(item.status), waiting(item, state, upcomingInfo),
        item.content.content_warning ? h('span', { class: 'pill' }, 'Content warning') : null,
        media ? h('span', { class: 'pill' }, `${media} image${media > 1 ? 's' : ''}`) : null,
        isOpen || !SETTLED.has(item.status) ? approvalSummary(item) : null,
        perPlatform ? h('ul', { class: 'deliveries', 'aria-label': 'Deliveries' }, [...perPlatform.values()].map((d) => deliveryChip(d, item, actions))) : null),
      caption(item),
      isOpen ? h('div', { class: 'tl-details' }, mediaStrip(item), findingList(item), lengths(item),
        (item.checks || []).map((c) => h('p', { class: 'hint' }, c)), previews(item, state, deliveries)) : null),
    h('div', { class: 'tl-actions' }, itemActions(item, state, actions), toggle));
}

let anchoredNext = null;

/** Keep the next item in view: when it changes, scroll it near the top (next frame: no layout mid-render). */
function anchor(list, nextId) {
  if (nextId === anchoredNext) return;
  anchoredNext = nextId;
  window.requestAnimationFrame(() => scrollToNext(list, nextId));
}

function scrollToNext(list, nextId) {
  if (nextId !== anchoredNext) return;
  const row = nextId && document.getElementById(`item-${nextId}`);
  const pane = list.closest('.timeline-panel');
  if (!row || !pane || pane.scrollHeight <= pane.clientHeight) return;
  const before = row.previousElementSibling;
  pane.scrollTop = Math.max(0, (before || row).offsetTop - pane.offsetTop - 48);
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
    : h('li', { class: 'empty' }, 'No timeline posts yet. Write one (“New post…”) or import a run of show.'));
  anchor(list, nextId);
  const holding = state.items.filter((i) => i.kind === 'holding');
  replaceChildren(holdingEl, holding.length ? [
    h('h3', { class: 'holding-title' }, 'Holding message (sent with an emergency hold)'),
    h('ul', { class: 'timeline' }, holding.map((item) => card(item, state, actions, deliveries, new Map(), null))),
  ] : h('p', { class: 'notice' }, 'No holding message on this event: an emergency hold cannot post one.'));
}
