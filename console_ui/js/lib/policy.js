// The sharing policy ("what you may share") for the user's role: a modal on first login, and from the
// header's Policy button at any time. Acknowledging it is recorded once per user.
import { api, ApiError, h } from './core.js';

let open = null; // the dialog on screen, so a second click does not stack another one

function section(s, index) {
  const id = `policy-s${index}`;
  return h('section', { class: 'policy-section', 'aria-labelledby': id },
    h('h3', { id, class: 'policy-heading' }, s.title),
    h('ul', { class: 'policy-points' }, s.points.map((point) => h('li', {}, point))));
}

/**
 * Show the policy of `eventId` for `me`. With `firstLogin`, the dialog cannot be dismissed until the user
 * says they have read it, and nothing is shown when the policy cannot be loaded (the page keeps working).
 * Resolves when the dialog closes.
 */
export async function showPolicy(eventId, me, { firstLogin = false } = {}) {
  if (open) return;
  let page;
  try {
    page = await api(`/api/events/${eventId}/policy`);
  } catch (err) {
    if (firstLogin) return;
    throw err;
  }
  const needsAck = !me.policy_ack_at;
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const ack = needsAck ? h('button', { type: 'button', class: 'btn btn-primary', id: 'policy-ack' }, 'I have read this') : null;
  const close = firstLogin && needsAck ? null : h('button', { type: 'button', class: ['btn', needsAck ? 'btn-quiet' : 'btn-primary'] }, 'Close');
  const role = page.role === 'clinical' ? 'clinicians' : 'the communications team';
  const dialog = h('dialog', { class: 'dialog dialog-policy', id: 'policy-dialog', 'aria-labelledby': 'policy-title', 'aria-describedby': 'policy-intro' },
    h('div', { class: 'dialog-form' },
      h('h2', { id: 'policy-title', class: 'dialog-title' }, page.title),
      h('p', { id: 'policy-intro', class: 'muted' }, firstLogin && needsAck
        ? `Before you start: the sharing policy for ${role}. Please read it once; you can open it again from “Policy” at the top of the page.`
        : `The sharing policy for ${role}.`),
      h('div', { class: 'policy-body' }, page.sections.map(section)),
      error,
      h('div', { class: 'dialog-actions' }, close, ack)));
  open = dialog;
  return new Promise((resolve) => {
    dialog.addEventListener('cancel', (event) => {
      if (!close) event.preventDefault(); // first login: only "I have read this" closes it
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      open = null;
      resolve();
    });
    if (close) close.addEventListener('click', () => dialog.close());
    if (ack) {
      ack.addEventListener('click', async () => {
        ack.disabled = true;
        try {
          const user = await api('/api/auth/policy-ack', { method: 'POST' });
          me.policy_ack_at = (user && user.policy_ack_at) || new Date().toISOString();
          dialog.close();
        } catch (err) {
          error.textContent = `Not recorded: ${err instanceof ApiError ? err.message : 'something went wrong'}. Please try again.`;
          error.hidden = false;
          ack.disabled = false;
        }
      });
    }
    document.body.appendChild(dialog);
    dialog.showModal();
    (ack || close).focus();
  });
}
