// How items, privacy findings and journal entries are shown on the console and the tablet.
import { h } from './core.js';

// Privacy (PHI) findings: highlighting the flagged spans of a text, and naming their kinds.

export const KIND_NAMES = {
  name: 'a name', phone: 'a phone number', fax: 'a fax number', email: 'an email address',
  ssn: 'an SSN', record_number: 'a record number', address: 'an address', postal_code: 'a postal code',
  date: 'a date', age_over_89: 'an age over 89', url: 'a web address', ip_address: 'an IP address',
  denylist: "a patient's identifier",
};

export const kindName = (kind) => KIND_NAMES[kind] || kind;

/** Finding offsets are code points (as the server counts); JavaScript strings index UTF-16 units. */
function unitOffsets(text) {
  const offsets = [0];
  for (const ch of text) offsets.push(offsets[offsets.length - 1] + ch.length);
  return offsets;
}

/**
 * Nodes for `text` with the findings of `field` wrapped in <mark>; each mark's number matches the list.
 * Overridden findings get a quieter style.
 */
export function highlighted(text, findings, field = 'caption') {
  const offsets = unitOffsets(text);
  const spans = (findings || [])
    .map((f, index) => ({ ...f, index }))
    .filter((f) => f.field === field && Number.isInteger(f.start) && f.end > f.start)
    .sort((a, b) => a.start - b.start);
  const nodes = [];
  let at = 0;
  for (const f of spans) {
    const start = offsets[Math.min(f.start, offsets.length - 1)];
    const end = offsets[Math.min(f.end, offsets.length - 1)];
    if (start < at) continue; // overlapping spans: keep the first
    if (start > at) nodes.push(text.slice(at, start));
    nodes.push(h('mark', {
      class: ['finding', f.overridden && 'is-overridden'],
      title: `${f.overridden ? 'Allowed: ' : 'Possible '}${kindName(f.kind)} — ${f.reason || ''}`,
    }, text.slice(start, end), h('sup', { class: 'finding-ref' }, String(f.index + 1))));
    at = end;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}

export const openFindings = (item) => (item.findings || []).filter((f) => !f.overridden);

/** A list naming each finding: where it is, what it looks like, why, and whether it was allowed. */
export function findingList(item, { onOverride } = {}) {
  const findings = item.findings || [];
  if (!findings.length) return null;
  return h('ol', { class: 'finding-list', 'aria-label': 'Privacy findings' }, findings.map((f, index) => {
    const where = f.field === 'caption' ? '' : ` in ${f.field.replace(/^media\.(\d+)\.alt_text$/, (_, i) => `image ${Number(i) + 1} alt text`)}`;
    return h('li', { class: ['finding-item', f.overridden && 'is-overridden'], value: index + 1 },
      h('span', { class: 'finding-kind' }, `Looks like ${kindName(f.kind)}${where}`),
      f.reason && f.reason.toLowerCase() !== `looks like ${kindName(f.kind)}`
        ? h('span', { class: 'finding-reason' }, ` — ${f.reason}`) : null,
      f.overridden
        ? h('span', { class: 'finding-allowed' }, ` Allowed by ${f.overridden.by || 'a reviewer'}: ${f.overridden.reason || ''}`)
        : (onOverride ? h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => onOverride(index, f), dataset: { focusKey: `override-${item.id}-${index}` } }, 'Mark as not PHI…') : null));
  }));
}

// Pieces of an item shown on the console and the tablet: status, approvals, caption, media.

export const STATUS_LABELS = {
  draft: 'Awaiting approval', approved: 'Approved', rejected: 'Rejected', queued: 'Posting…',
  posted: 'Posted', skipped: 'Skipped', blocked: 'Blocked',
};

export function statusPill(status, extra) {
  return h('span', { class: ['pill', `pill-${status}`] }, STATUS_LABELS[status] || status, extra);
}

const names = (list) => list.map((a) => a.display_name || a.username).join(', ');

/** One line saying where the approvals stand, e.g. "1 more approval needed (clinical)". */
export function approvalSummary(item) {
  const approved = item.approvals.filter((a) => a.decision === 'approve');
  const rejected = item.approvals.filter((a) => a.decision === 'reject');
  if (rejected.length) {
    const r = rejected[rejected.length - 1];
    return h('p', { class: 'approvals is-rejected' }, `Rejected by ${r.display_name || r.username}`,
      r.note ? h('q', { class: 'reject-note' }, r.note) : null, ' — it needs an edit before it can go out.');
  }
  if (item.status === 'blocked') {
    return h('p', { class: 'approvals is-blocked' }, `Blocked: ${item.blocked_reason || 'see the privacy findings'}`);
  }
  if (item.approvals_needed === 0 && item.clinical_needed === 0) {
    return h('p', { class: 'approvals is-approved' }, approved.length ? `Approved by ${names(approved)}` : 'Approved');
  }
  const needed = Math.max(item.approvals_needed, item.clinical_needed);
  let text = `Needs ${needed} more approval${needed === 1 ? '' : 's'}`;
  if (item.clinical_needed > 0) {
    text += needed === 1 ? ', from a clinician' : `, including ${item.clinical_needed} from a clinician`;
  }
  return h('p', { class: 'approvals is-waiting' }, text,
    approved.length ? h('span', { class: 'muted' }, ` · approved so far by ${names(approved)}`) : null);
}

export function caption(item) {
  return h('p', { class: 'caption' }, highlighted(item.content.caption, item.findings, 'caption'));
}

/** Thumbnails of the item's media with their alt text (files come from the API with the session). */
export function mediaStrip(item) {
  const media = item.content.media || [];
  if (!media.length) return null;
  return h('ul', { class: 'media-strip', 'aria-label': 'Attached media' }, media.map((m) => h('li', { class: 'media-thumb' },
    m.mime_type.startsWith('image/')
      ? h('img', { src: `/api/media/${m.sha256}`, alt: m.alt_text, loading: 'lazy', width: 96, height: 72 })
      : h('span', { class: 'media-video' }, 'Video'),
    h('span', { class: 'alt-badge', title: m.alt_text }, 'ALT'),
    h('span', { class: 'media-alt' }, m.alt_text))));
}

/** Has this user already approved or rejected the item's current version? */
export const decidedBy = (item, user) => item.approvals.some((a) => a.user_id === user.id);

/** Ids of items whose current version this user wrote (nobody approves their own edit), from the journal. */
export function authoredBy(journal, user) {
  const last = new Map();
  for (const e of journal) {
    if (e.kind === 'item.created' || e.kind === 'item.edited') last.set(e.subject_id, e.actor_id);
  }
  return new Set([...last].filter(([, actor]) => actor === user.id).map(([id]) => id));
}

/** Items this user could approve now: open, not decided or written by them, needing what they can give. */
export function waitingFor(items, user, authored = new Set()) {
  const clinical = user.roles.includes('clinical');
  const comms = user.roles.includes('comms');
  return items.filter((item) => item.status === 'draft' && !decidedBy(item, user) && !authored.has(item.id)
    && ((clinical && item.clinical_needed > 0) || (comms && item.approvals_needed > item.clinical_needed)
      || (clinical && item.approvals_needed > 0)));
}

/** Event states in words; each has its own solid colour and shape (.ev-*), unlike the pale item pills. */
export const EVENT_STATES = { draft: 'Not started', rehearsal: 'Rehearsal', live: 'Live', held: 'On hold', ended: 'Ended' };

/** What a post button says while the emergency hold is on (the server refuses such posts until resume). */
export const EMERGENCY_BLOCKS_POSTS = 'Nothing can be posted during the emergency hold except the holding message and emergency replies. Resume live posting first.';

export const isEmergency = (state) => state.event.status === 'held' && Boolean(state.live && state.live.hold_kind === 'emergency');

export function eventPill(state) {
  const { event } = state;
  if (isEmergency(state)) {
    return h('span', { class: 'pill pill-event ev-emergency', id: 'event-state', dataset: { state: 'emergency' } }, 'Emergency hold');
  }
  return h('span', { class: ['pill', 'pill-event', `ev-${event.status}`], id: 'event-state', dataset: { state: event.status } },
    EVENT_STATES[event.status] || event.status);
}
