// The ad-hoc composer: caption, cue, images with required alt text, content warning, and a live
// per-platform preview with character counters.
import { $, announce, api, ApiError, h, platformName, replaceChildren } from '../lib/core.js';
import { highlighted } from '../lib/items.js';
import { count } from '../lib/textcount.js';

const MAX_MEDIA = 4;

export function initComposer(form, state, { onSaved }) {
  const el = {
    caption: $('#c-caption', form), cue: $('#c-cue', form), key: $('#c-key', form), cw: $('#c-cw', form),
    files: $('#c-files', form), media: $('#c-media', form), preview: $('#c-preview', form),
    status: $('#c-status', form), auths: $('#c-authorizations', form), submit: form.querySelector('[type="submit"]'),
  };
  let media = [];
  let nextId = 1;
  const platforms = () => (state.event.platforms || []).filter((p) => p.enabled).map((p) => p.platform);

  function renderPreview() {
    const text = el.caption.value;
    const list = platforms();
    replaceChildren(el.preview, list.length ? list.map((platform) => {
      const c = count(platform, text);
      const counter = `${c.length} / ${c.max}${c.maxBytes ? ` · ${c.bytes} / ${c.maxBytes} bytes` : ''}`;
      return h('div', { class: ['preview', c.over && 'is-over'], dataset: { platform } },
        h('div', { class: 'preview-head' }, h('span', { class: 'preview-platform' }, platformName(platform)),
          h('span', { class: 'counter', 'aria-label': `${platformName(platform)}: ${counter}${c.over ? ', too long' : ''}` }, counter)),
        el.cw.checked ? h('p', { class: 'preview-cw' }, `CW: ${state.event.content_warning_text || 'Surgical images'}`) : null,
        h('p', { class: 'preview-text' }, text || h('span', { class: 'muted' }, 'Your caption appears here.')),
        media.length ? h('p', { class: 'muted preview-media' }, `${media.length} image${media.length > 1 ? 's' : ''} with alt text`) : null);
    }) : h('p', { class: 'notice' }, 'This event posts to no platform yet.'));
  }

  function renderMedia() {
    replaceChildren(el.media, media.map((m) => h('li', { class: 'composer-image' },
      h('img', { src: m.url, alt: '', width: 72, height: 54 }),
      h('div', { class: 'field' },
        h('label', { for: `c-alt-${m.id}` }, `Alt text for ${m.name} (required)`),
        h('textarea', { id: `c-alt-${m.id}`, rows: 2, maxlength: 2000, required: true, dataset: { mediaId: m.id, focusKey: `alt-${m.id}` }, oninput: (e) => { m.alt = e.target.value; } }, m.alt),
        h('span', { class: m.error ? 'field-error' : 'hint' }, m.error || (m.uploaded ? 'Uploaded; metadata removed.' : 'Uploading…'))),
      h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Remove ${m.name}`, onclick: () => remove(m) }, 'Remove'))));
    renderPreview();
  }

  function remove(m) {
    URL.revokeObjectURL(m.url);
    media = media.filter((x) => x !== m);
    renderMedia();
    el.files.focus();
  }

  async function addFiles() {
    const files = [...el.files.files].slice(0, MAX_MEDIA - media.length);
    el.files.value = '';
    for (const file of files) {
      const m = { id: nextId++, name: file.name, url: URL.createObjectURL(file), alt: '', uploaded: null, error: '' };
      media.push(m);
      renderMedia();
      const body = new FormData();
      body.append('file', file);
      try {
        m.uploaded = await api('/api/media', { method: 'POST', form: body });
      } catch (err) {
        m.error = `Upload failed: ${err.message}`;
      }
      renderMedia();
    }
    const first = el.media.querySelector('textarea');
    if (first) first.focus();
  }

  function renderAuthorizations(list) {
    const usable = (list || []).filter((a) => !a.revoked_at);
    replaceChildren(el.auths, usable.length ? h('fieldset', { class: 'auths' },
      h('legend', { class: 'label' }, 'Consents this post relies on'),
      usable.map((a) => h('p', { class: 'check' },
        h('input', { type: 'checkbox', id: `c-auth-${a.id}`, value: a.key }),
        h('label', { for: `c-auth-${a.id}` }, `${a.person} (${a.role}: ${a.covers.join(', ')})`)))) : null);
  }

  function problem(message, field) {
    announce(el.status, message, 'error');
    if (field) field.focus();
    return false;
  }

  function check() {
    if (!el.caption.value.trim()) return problem('Write a caption first.', el.caption);
    for (const platform of platforms()) {
      if (count(platform, el.caption.value).over) return problem(`The caption is too long for ${platformName(platform)}.`, el.caption);
    }
    const key = el.key.value.trim();
    if (key && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(key)) return problem('The key may use lower-case letters, digits and dashes.', el.key);
    for (const m of media) {
      if (!m.uploaded) return problem(`${m.name} is not uploaded yet.`, el.files);
      if (!m.alt.trim()) return problem(`Describe ${m.name} in its alt text.`, el.media.querySelector(`[data-media-id="${m.id}"]`));
    }
    return true;
  }

  async function submit(event) {
    event.preventDefault();
    if (!check()) return;
    const body = {
      caption: el.caption.value, cue: el.cue.value.trim() || 'Ad hoc', content_warning: el.cw.checked,
      media: media.map((m) => ({
        sha256: m.uploaded.sha256, alt_text: m.alt.trim(), mime_type: m.uploaded.mime_type, size_bytes: m.uploaded.size_bytes,
        width: m.uploaded.width || undefined, height: m.uploaded.height || undefined,
      })),
      authorizations: [...el.auths.querySelectorAll('input:checked')].map((i) => i.value),
    };
    if (el.key.value.trim()) body.key = el.key.value.trim();
    el.submit.disabled = true;
    try {
      const item = await api(`/api/events/${state.event.id}/items`, { method: 'POST', body });
      media.forEach((m) => URL.revokeObjectURL(m.url));
      media = [];
      form.reset();
      el.cue.value = 'Ad hoc';
      renderMedia();
      const findings = item.findings || [];
      replaceChildren(el.status, h('strong', {}, `Saved “${item.key}”.`),
        ` It needs ${item.approvals_needed} approval${item.approvals_needed === 1 ? '' : 's'} before it can go out.`,
        findings.length ? [h('span', { class: 'field-error' }, ` ${findings.length} possible privacy problem${findings.length > 1 ? 's' : ''}:`),
          h('p', { class: 'caption' }, highlighted(item.content.caption, findings))] : null);
      el.status.dataset.tone = findings.length ? 'error' : 'good';
      onSaved(item);
    } catch (err) {
      const field = err instanceof ApiError && err.field;
      const target = field === 'key' ? el.key : (field && field.startsWith('media') ? el.files : el.caption);
      problem(`Not saved: ${err.message}`, target);
    } finally {
      el.submit.disabled = false;
    }
  }

  el.caption.addEventListener('input', renderPreview);
  el.cw.addEventListener('change', renderPreview);
  el.files.addEventListener('change', addFiles);
  form.addEventListener('submit', submit);
  renderMedia();
  return { renderAuthorizations, renderPreview };
}
