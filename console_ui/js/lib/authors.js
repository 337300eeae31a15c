// Telling authors what became of what they wrote: the operator's ad-hoc post on the console, the clinician's new
// answer on the tablet. Approvals and rejections arrive on the live feed; without this the author had to find
// their item again to learn it was rejected (issue 16).
import { api, toast } from './core.js';
import { authoredBy } from './items.js';
import { actorName } from './words.js';

/**
 * tellAuthor(entry, state, nameOf): a journal entry that just arrived; when it approves (fully) or rejects an item
 * whose current version this user wrote, and someone else decided, say so in a toast. `nameOf(item)` names the
 * item in this page's words; an item the page has not read yet (a new answer decided at once) is read first.
 * Resolves to the text shown (or null).
 */
export async function tellAuthor(entry, state, nameOf) {
  if (!['item.approved', 'item.rejected'].includes(entry.kind) || entry.actor_id === state.me.id) return null;
  if (!authoredBy(state.journal, state.me).has(entry.subject_id)) return null;
  const item = (state.items || []).find((i) => i.id === entry.subject_id)
    || await api(`/api/items/${entry.subject_id}`).catch(() => null);
  const name = item ? nameOf(item) : 'Your item';
  const p = entry.payload || {};
  let text = null;
  if (entry.kind === 'item.rejected') {
    text = `${actorName(entry)} rejected ${name}: “${p.note || ''}”. Edit it to send it for approval again.`;
    toast(text, 'danger', 60000);
  } else if (p.fully_approved) {
    text = `${name} is approved (last approval by ${actorName(entry)}) and can go out.`;
    toast(text, 'good');
  }
  return text;
}
