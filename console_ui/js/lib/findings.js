// Privacy (PHI) findings: highlighting the flagged spans of a text, and naming their kinds.
import { h } from './dom.js';

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
        : (onOverride ? h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => onOverride(index, f), dataset: { focusKey: `override-${item.id}-${index}` } }, 'Let it stand…') : null));
  }));
}
