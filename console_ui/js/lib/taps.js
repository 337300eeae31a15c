// Touch feedback where the finger is: the button tapped stays disabled (also across re-renders) while its request
// runs, and what came of it is written right under it (kept there across re-renders for a few seconds), as well as
// in the page's live region. A button that went away with the change (e.g. "Approve") leaves the live region only.
import { feedbackByKey, pendingKeys, placeFeedback } from './core.js';

const SHOWN_MS = 6000;
let tapped = null;
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  // A confirmation's own buttons do not count: the work belongs to the button that opened it.
  if (button && button.closest('dialog')) return;
  tapped = button;
}, true);

/**
 * Run `work` for the button just tapped: disabled (and marked busy) until it settles, then `feedback(result)` —
 * {text, tone} or null — written under it. Returns what `work` returned.
 */
export async function fromTap(work, feedback = () => null) {
  const button = tapped;
  tapped = null;
  const key = button && button.dataset.focusKey;
  const card = button && button.closest('[data-group-id], [data-item-id]');
  const anchor = card ? (card.dataset.groupId ? `[data-group-id="${card.dataset.groupId}"]` : `[data-item-id="${card.dataset.itemId}"]`) : null;
  if (key) pendingKeys.add(key);
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    const result = await work();
    const said = feedback(result);
    if (said && key) {
      feedbackByKey.set(key, { ...said, anchor });
      placeFeedback();
      window.setTimeout(() => {
        if ((feedbackByKey.get(key) || {}).text !== said.text) return;
        feedbackByKey.delete(key);
        for (const note of document.querySelectorAll(`.tap-feedback[data-for="${CSS.escape(key)}"]`)) note.remove();
      }, SHOWN_MS);
    }
    return result;
  } finally {
    if (key) pendingKeys.delete(key);
    const now = key ? document.querySelector(`button[data-focus-key="${CSS.escape(key)}"]`) : button;
    for (const b of new Set([button, now])) {
      if (!b) continue;
      b.removeAttribute('aria-busy');
      if (!b.dataset.keepDisabled) b.disabled = false;
    }
  }
}
