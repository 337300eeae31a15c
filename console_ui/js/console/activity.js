// The journal as an activity log, newest first.
import { h, replaceChildren } from '../lib/dom.js';
import { clock } from '../lib/format.js';
import { describe } from '../lib/journaltext.js';

const SHOWN = 150;
const HIDDEN_KINDS = new Set(['auth.login', 'auth.logout']);

export function itemLabeller(items) {
  const byId = new Map(items.map((i) => [i.id, i]));
  return (id) => {
    const item = byId.get(id);
    return item ? `“${item.key}”` : `item #${id}`;
  };
}

export function renderActivity(el, state) {
  const label = itemLabeller(state.items);
  const entries = state.journal.filter((e) => !HIDDEN_KINDS.has(e.kind)).slice(-SHOWN).reverse();
  replaceChildren(el, entries.length ? entries.map((entry) => {
    const { text, tone } = describe(entry, label);
    return h('li', { class: ['activity-entry', `tone-${tone}`], dataset: { seq: entry.seq, kind: entry.kind } },
      h('time', { datetime: entry.at, class: 'activity-time' }, clock(entry.at, state.event.timezone, { seconds: true, zone: false })),
      h('span', { class: 'activity-text' }, text));
  }) : h('li', { class: 'empty' }, 'Nothing has happened yet.'));
}
