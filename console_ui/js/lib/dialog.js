// Modal confirmations and short prompts on the native <dialog> (focus is trapped, Esc cancels).
// Nothing here confirms by default: "Cancel" has the focus (a text box, when there is one), and Enter only
// ever presses the button that has the focus, so Enter on an open dialog cancels it.
import { h } from './core.js';

/**
 * Ask for confirmation. Resolves to {checked, text} when confirmed, or null when cancelled.
 * options: title, body (text or nodes), confirmLabel (null: no confirm button, only cancelLabel),
 *          cancelLabel, tone ('primary' | 'good' | 'danger' | 'emergency'),
 *          checkbox {label, checked}, textarea {label, required, maxLength, value, rows, hint}
 */
export function ask({ title, body, confirmLabel = 'Confirm', cancelLabel = 'Cancel', tone = 'primary', checkbox, textarea }) {
  return new Promise((resolve) => {
    const id = `dlg-${Math.random().toString(36).slice(2, 8)}`;
    const box = checkbox ? h('input', { type: 'checkbox', id: `${id}-check`, checked: checkbox.checked }) : null;
    const area = textarea ? h('textarea', {
      id: `${id}-text`, rows: textarea.rows || 4, required: textarea.required, maxlength: textarea.maxLength || 2000,
      'aria-describedby': textarea.hint ? `${id}-hint` : undefined,
    }) : null;
    if (area && textarea.value) area.value = textarea.value;
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const cancel = h('button', { type: 'button', class: 'btn btn-quiet dialog-cancel', value: 'cancel' }, cancelLabel);
    const confirm = confirmLabel
      ? h('button', { type: 'submit', class: ['btn', `btn-${tone}`, 'dialog-confirm'], value: 'ok' }, confirmLabel) : null;
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', { id: `${id}-title`, class: 'dialog-title' }, title),
      h('div', { class: 'dialog-body', id: `${id}-body` }, body),
      box ? h('p', { class: 'check' }, box, h('label', { for: box.id }, checkbox.label)) : null,
      area ? h('div', { class: 'field' }, h('label', { for: area.id }, textarea.label), area,
        textarea.hint ? h('span', { class: 'hint', id: `${id}-hint` }, textarea.hint) : null, error) : null,
      h('div', { class: 'dialog-actions' }, cancel, confirm));
    const dialog = h('dialog', {
      class: ['dialog', `dialog-${tone}`], 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-body`,
    }, form);
    let result = null;
    cancel.addEventListener('click', () => dialog.close());
    // No implicit submission: Enter in a checkbox or a text field must not press the confirm button.
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      const target = event.target;
      if (target instanceof HTMLButtonElement || target instanceof HTMLTextAreaElement || target instanceof HTMLAnchorElement) return;
      event.preventDefault();
    });
    form.addEventListener('submit', (event) => {
      if (!confirm || (event.submitter && event.submitter !== confirm)) {
        event.preventDefault();
        return;
      }
      if (area && textarea.required && !area.value.trim()) {
        event.preventDefault();
        error.textContent = `${textarea.label} is required.`;
        error.hidden = false;
        area.focus();
        return;
      }
      result = { checked: box ? box.checked : undefined, text: area ? area.value.trim() : undefined };
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (area || cancel).focus();
  });
}

/** Explain why something cannot be done: one "Close" button, nothing to confirm. Resolves when closed. */
export async function inform({ title, body, tone = 'primary' }) {
  await ask({ title, body, tone, confirmLabel: null, cancelLabel: 'Close' });
}

/** A bulleted list for a dialog body (every entry inserted as text). */
export function list(entries, attrs = {}) {
  return h('ul', { class: 'dialog-list', ...attrs }, entries.map((entry) => h('li', {}, entry)));
}
