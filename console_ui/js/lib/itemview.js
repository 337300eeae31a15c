// Pieces of an item shown on the console and the tablet: status, approvals, caption, media.
import { h } from './dom.js';
import { highlighted } from './findings.js';

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
