// The pre-approved emergency reply to one audience message. During an emergency hold the server sends it only
// with a deliberate yes (`confirm_emergency`), asked here one message at a time with "Cancel" focused.
import { api, ApiError, h } from './core.js';
import { ask } from './dialog.js';
import { isEmergency } from './items.js';

export const handleOf = (message) => (message && message.author_handle ? `@${message.author_handle}` : 'this person');

function askDuringHold(state, message) {
  const rule = state.live && state.live.posting_rule;
  return ask({
    title: `Send the emergency reply to ${handleOf(message)} now, during the emergency hold?`,
    tone: 'emergency', confirmLabel: 'Send emergency reply',
    body: [
      message && message.text ? h('blockquote', { class: 'dialog-quote' }, message.text) : null,
      rule ? h('p', { class: 'posting-rule-quote' }, rule) : null,
      h('p', {}, 'Only this reply goes out; the emergency hold stays on for everything else.'),
    ],
  });
}

/**
 * Send the emergency reply to `message` ({id, author_handle, text}); resolves to the server's answer, or null
 * when the operator said no. Throws the API error otherwise.
 */
export async function sendEmergencyReply(state, message) {
  let confirmed = false;
  if (isEmergency(state)) {
    if (!(await askDuringHold(state, message))) return null;
    confirmed = true;
  }
  for (;;) {
    const body = confirmed ? { template: 'emergency', confirm_emergency: true } : { template: 'emergency' };
    try {
      return await api(`/api/messages/${message.id}/template-reply`, { method: 'POST', body });
    } catch (err) {
      // The hold began after this page last looked: ask now.
      if (confirmed || !(err instanceof ApiError) || err.status !== 409 || err.field !== 'confirm_emergency') throw err;
      if (!(await askDuringHold(state, message))) return null;
      confirmed = true;
    }
  }
}
