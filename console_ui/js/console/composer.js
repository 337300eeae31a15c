// The ad-hoc composer (loaded the first time it is opened): caption, images with required alt text, content
// warning, where it goes in the run of show ("next" by default while live), a human name made from the caption,
// and per-platform previews with counters. Closed and disabled, with the reason, once the event has ended.
import { announce, api, ApiError, h, platformName, replaceChildren } from '../lib/core.js';
import { highlighted } from '../lib/items.js';
import { count } from '../lib/textcount.js';
import { renderPreviews } from './previews.js';
import { humanName } from './timeline.js';

const MAX_MEDIA = 4;
const STOP = new Set(['the', 'a', 'an', 'and', 'of', 'to', 'in', 'on', 'for', 'is', 'are', 'we', 'our', 'with', 'at', 'it', 'this']);

/** A readable key from the caption ("Thanks to the family!" → "thanks-family"), never `post-32`. */
export function keyFrom(text, taken) {
  const words = text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9\s-]/g, ' ').split(/\s+/)
    .filter((w) => w && !STOP.has(w) && !/^\d{3,}$/.test(w)).slice(0, 4);
  const base = (words.join('-') || 'ad-hoc').slice(0, 48).replace(/-+$/, '');
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}-${n}`;
  return key;
}

function loadStyles() {
  if (document.querySelector('link[data-composer]')) return;
  document.head.appendChild(h('link', { rel: 'stylesheet', href: '/ui/css/composer.css', dataset: { composer: '1' } }));
}

export function initComposer(slot, state, { onSaved }) {
  loadStyles();
  const field = (label, control, hint) => h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint || null);
  const el = {
    caption: h('textarea', { id: 'c-caption', rows: 4, maxlength: 5000, required: true, 'aria-describedby': 'c-caption-hint' }),
    cue: h('input', { id: 'c-cue', type: 'text', maxlength: 200, value: 'Ad hoc' }),
    key: h('input', { id: 'c-key', type: 'text', maxlength: 64, pattern: '[a-z0-9][a-z0-9\\-]*', 'aria-describedby': 'c-key-hint' }),
    place: h('select', { id: 'c-place' }),
    cw: h('input', { id: 'c-cw', type: 'checkbox' }),
    files: h('input', { id: 'c-files', class: 'visually-hidden', type: 'file', accept: 'image/*', multiple: true }),
    media: h('ul', { id: 'c-media', class: 'composer-media', 'aria-label': 'Images' }),
    preview: h('div', { id: 'c-preview', class: 'previews' }),
    status: h('p', { id: 'c-status', class: 'composer-status', role: 'status', 'aria-live': 'polite' }),
    auths: h('div', { id: 'c-authorizations' }),
    closed: h('p', { class: 'notice', id: 'c-closed', tabindex: -1, hidden: true }),
    submit: h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save for approval'),
  };
  const fields = h('fieldset', { class: 'composer-fields' },
    h('legend', { class: 'visually-hidden' }, 'New ad-hoc post'),
    field('Caption', el.caption, h('span', { id: 'c-caption-hint', class: 'hint' }, 'Saved as a draft: it needs the event’s approvals before it can go out.')),
    h('div', { class: 'composer-row' }, field('Cue label', el.cue),
      field('Name', el.key, h('span', { id: 'c-key-hint', class: 'hint' }, 'Made from the caption; change it if you like.'))),
    field('Place in the run of show', el.place),
    h('p', { class: 'check' }, el.cw, h('label', { for: 'c-cw' }, 'Content warning (surgical images)')),
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Images'), el.media,
      h('label', { class: 'btn btn-small file-btn', for: 'c-files' }, 'Add image…'), el.files),
    el.auths,
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Preview per platform'), el.preview),
    el.status,
    h('div', { class: 'composer-actions' }, el.submit));
  const form = h('form', { id: 'composer', class: 'composer', novalidate: true }, el.closed, fields);
  replaceChildren(slot, form);
  let media = [];
  let nextId = 1;
  let keyTouched = false;
  const platforms = () => (state.event.platforms || []).filter((p) => p.enabled).map((p) => p.platform);
  const upcoming = () => {
    const ids = new Set(((state.live && state.live.upcoming) || []).map((u) => u.id));
    return state.items.filter((i) => i.kind === 'post' && ids.has(i.id));
  };
  const lastPosted = () => state.items.filter((i) => i.kind === 'post' && ['posted', 'queued'].includes(i.status)).pop();

  function renderPlaces() {
    const before = el.place.value;
    const running = ['live', 'held'].includes(state.event.status);
    replaceChildren(el.place,
      h('option', { value: 'next' }, `Next${upcoming()[0] ? `, before “${humanName(upcoming()[0])}”` : ''}`),
      upcoming().map((i) => h('option', { value: `after-${i.id}` }, `After “${humanName(i)}”`)),
      h('option', { value: 'end' }, 'At the end of the run of show'));
    el.place.value = before || (running ? 'next' : 'end');
  }

  function afterName() {
    const v = el.place.value;
    if (v.startsWith('after-')) return humanName(state.items.find((i) => i.id === Number(v.slice(6))) || { key: 'an item' });
    const shown = upcoming();
    if (v === 'end' && shown.length) return humanName(shown[shown.length - 1]);
    const posted = lastPosted();
    return posted ? humanName(posted) : null;
  }

  function renderPreview() {
    if (!keyTouched) el.key.value = el.caption.value.trim() ? keyFrom(el.caption.value, new Set(state.items.map((i) => i.key))) : '';
    replaceChildren(el.preview, renderPreviews(state.event, {
      text: el.caption.value, cw: el.cw.checked, media: media.map((m) => ({ url: m.url, alt: m.alt })), after: afterName(),
    }));
  }

  function renderMedia() {
    replaceChildren(el.media, media.map((m) => h('li', { class: 'composer-image' },
      h('img', { src: m.url, alt: '', width: 72, height: 54 }),
      h('div', { class: 'field' },
        h('label', { for: `c-alt-${m.id}` }, `Alt text for ${m.name} (required)`),
        h('textarea', { id: `c-alt-${m.id}`, rows: 2, maxlength: 2000, required: true, dataset: { mediaId: m.id, focusKey: `alt-${m.id}` }, oninput: (e) => { m.alt = e.target.value; renderPreview(); } }, m.alt),
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

  function renderAuthorizations() {
    const usable = (state.authorizations || []).filter((a) => !a.revoked_at);
    const checked = new Set([...el.auths.querySelectorAll('input:checked')].map((i) => i.value));
    replaceChildren(el.auths, usable.length ? h('fieldset', { class: 'auths' },
      h('legend', { class: 'label' }, 'Consents this post relies on'),
      usable.map((a) => h('p', { class: 'check' },
        h('input', { type: 'checkbox', id: `c-auth-${a.id}`, value: a.key, checked: checked.has(a.key) }),
        h('label', { for: `c-auth-${a.id}` }, `${a.person} (${a.role}: ${a.covers.join(', ')})`)))) : null);
  }

  function problem(message, target) {
    announce(el.status, message, 'error');
    if (target) target.focus();
    return false;
  }

  function check() {
    if (!el.caption.value.trim()) return problem('Write a caption first.', el.caption);
    for (const platform of platforms()) {
      if (count(platform, el.caption.value).over) return problem(`The caption is too long for ${platformName(platform)}.`, el.caption);
    }
    const key = el.key.value.trim();
    if (key && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(key)) return problem('The name may use lower-case letters, digits and dashes.', el.key);
    for (const m of media) {
      if (!m.uploaded) return problem(`${m.name} is not uploaded yet.`, el.files);
      if (!m.alt.trim()) return problem(`Describe ${m.name} in its alt text.`, el.media.querySelector(`[data-media-id="${m.id}"]`));
    }
    return true;
  }

  /** Put the new item where the operator chose (the server adds it at the end): one reorder of the upcoming posts. */
  async function place(item) {
    const order = upcoming().map((i) => i.id).filter((id) => id !== item.id);
    const v = el.place.value;
    if (v === 'end' || !order.length) return null;
    const at = v === 'next' ? 0 : order.indexOf(Number(v.slice(6))) + 1;
    order.splice(at, 0, item.id);
    await api(`/api/events/${state.event.id}/live/reorder`, { method: 'POST', body: { item_ids: order } });
    return v === 'next' ? 'next in the run of show' : `after “${afterName()}”`;
  }

  async function submit(event) {
    event.preventDefault();
    if (state.event.status === 'ended' || !check()) return;
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
      let where = 'at the end of the run of show';
      try {
        where = (await place(item)) || where;
      } catch (err) {
        where = `at the end of the run of show (it could not be moved: ${err.message})`;
      }
      media.forEach((m) => URL.revokeObjectURL(m.url));
      media = [];
      form.reset();
      keyTouched = false;
      el.cue.value = 'Ad hoc';
      renderMedia();
      const findings = item.findings || [];
      replaceChildren(el.status, h('strong', {}, `Saved “${item.key}” ${where}.`),
        ` It needs ${item.approvals_needed} approval${item.approvals_needed === 1 ? '' : 's'} before it can go out; you will be told when it is approved or rejected.`,
        findings.length ? [h('span', { class: 'field-error' }, ` ${findings.length} possible privacy problem${findings.length > 1 ? 's' : ''}:`),
          h('p', { class: 'caption' }, highlighted(item.content.caption, findings))] : null);
      el.status.dataset.tone = findings.length ? 'error' : 'good';
      onSaved(item);
    } catch (err) {
      const name = err instanceof ApiError && err.field;
      const target = name === 'key' ? el.key : (name && name.startsWith('media') ? el.files : el.caption);
      problem(`Not saved: ${err.message}`, target);
    } finally {
      el.submit.disabled = state.event.status === 'ended';
    }
  }

  /** After each refresh: places, consents, previews; read-only once the event has ended. */
  function update() {
    const ended = state.event.status === 'ended';
    fields.disabled = ended;
    el.closed.hidden = !ended;
    el.closed.textContent = ended ? 'The event has ended: no more posts can be written or posted for it.' : '';
    renderPlaces();
    renderAuthorizations();
    renderPreview();
  }

  el.caption.addEventListener('input', renderPreview);
  el.key.addEventListener('input', () => { keyTouched = Boolean(el.key.value.trim()); });
  el.cw.addEventListener('change', renderPreview);
  el.place.addEventListener('change', renderPreview);
  el.files.addEventListener('change', addFiles);
  form.addEventListener('submit', submit);
  update();
  return {
    update,
    open() {
      slot.closest('section').scrollIntoView({ block: 'start' });
      (state.event.status === 'ended' ? el.closed : el.caption).focus({ preventScroll: true });
    },
  };
}
