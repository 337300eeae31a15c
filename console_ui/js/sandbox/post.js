// One sandbox post as a social-timeline card: avatar, names, time, text, media with alt text,
// content warning as a click-through, and replies nested underneath. All text goes in as text.
import { ago, h } from '../lib/core.js';

const AVATAR_COLOURS = ['#1d5bbf', '#136135', '#7a3db8', '#a3161c', '#0f6b73', '#8a4b00', '#34495e', '#b0306a'];

function initials(name) {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] || '?'];
  return letters.map((w) => Array.from(w)[0] || '').join('').toUpperCase();
}

function colour(handle) {
  let hash = 0;
  for (const ch of handle) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
}

function avatar(author) {
  return h('span', { class: ['sb-avatar', `sb-av-${AVATAR_COLOURS.indexOf(colour(author.handle))}`], 'aria-hidden': 'true' }, initials(author.display_name || author.handle));
}

function figure(m, index, postId, expanded) {
  const key = `${postId}-alt-${index}`;
  const open = expanded.has(key);
  const altId = `alt-${key}`;
  const visual = m.mime_type.startsWith('video/')
    ? h('video', { src: m.url, controls: true, preload: 'metadata', 'aria-label': m.alt })
    : h('img', { src: m.url, alt: m.alt, loading: 'lazy', width: m.width || undefined, height: m.height || undefined });
  return h('figure', { class: 'sb-media' }, h('div', { class: 'sb-media-frame' }, visual,
    h('button', {
      type: 'button', class: 'sb-alt-badge', 'aria-expanded': String(open), 'aria-controls': altId,
      'aria-label': open ? 'Hide image description' : 'Show image description',
      onclick: (e) => { toggle(expanded, key); flip(e.currentTarget, altId); },
    }, 'ALT')),
    h('figcaption', { id: altId, class: 'sb-alt-text', hidden: !open }, m.alt));
}

function toggle(set, key) {
  if (set.has(key)) set.delete(key);
  else set.add(key);
}

function flip(button, id) {
  const target = document.getElementById(id);
  const open = target.hidden;
  target.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (button.classList.contains('sb-alt-badge')) button.setAttribute('aria-label', open ? 'Hide image description' : 'Show image description');
  else button.textContent = open ? 'Hide post' : 'Show post';
}

function body(post, expanded) {
  const content = [
    h('p', { class: 'sb-text' }, post.text),
    post.media.length ? h('div', { class: ['sb-media-grid', `sb-media-${Math.min(post.media.length, 4)}`] },
      post.media.map((m, i) => figure(m, i, post.id, expanded))) : null,
  ];
  if (!post.content_warning) return content;
  const key = `${post.id}-cw`;
  const open = expanded.has(key);
  const id = `cw-${post.id}`;
  return [
    h('div', { class: 'sb-cw' },
      h('span', { class: 'sb-cw-label' }, h('span', { class: 'sb-cw-tag' }, 'Content warning'), post.content_warning),
      h('button', {
        type: 'button', class: 'btn btn-small', 'aria-expanded': String(open), 'aria-controls': id,
        onclick: (e) => { toggle(expanded, key); flip(e.currentTarget, id); },
      }, open ? 'Hide post' : 'Show post')),
    h('div', { id, class: 'sb-cw-body', hidden: !open }, content),
  ];
}

function head(post, now) {
  const time = h('time', { datetime: post.created_at, title: new Date(post.created_at).toLocaleString('en-GB') }, ago(post.created_at, now));
  return h('div', { class: 'sb-head' },
    h('span', { class: 'sb-name' }, post.author.display_name),
    h('span', { class: 'sb-handle-text' }, `@${post.author.handle}`),
    h('span', { class: 'sb-dot', 'aria-hidden': 'true' }, '·'),
    h('a', { href: `#post-${post.id}`, class: 'sb-time' }, time),
    post.rehearsal ? h('span', { class: 'pill pill-rehearsal' }, 'Rehearsal') : null,
    post.author.is_audience ? null : h('span', { class: 'sb-org' }, 'Organiser'));
}

export function reply(r, anchor, now, expanded) {
  return h('li', { class: 'sb-reply', id: `post-${r.id}`, dataset: { postId: r.id } },
    avatar(r.author),
    h('div', { class: 'sb-main' }, head(r, now),
      r.in_reply_to_id && r.in_reply_to_id !== anchor.id && r.in_reply_to_handle
        ? h('p', { class: 'sb-replying' }, `Replying to @${r.in_reply_to_handle}`) : null,
      body(r, expanded)));
}

export function post(p, now, expanded, onReply) {
  return h('li', { class: 'sb-card sb-post', id: `post-${p.id}`, dataset: { postId: p.id } },
    p.thread_parent_id ? h('p', { class: 'sb-thread' }, h('a', { href: `#post-${p.thread_parent_id}` }, 'Continues a thread')) : null,
    h('div', { class: 'sb-row' }, avatar(p.author),
      h('div', { class: 'sb-main' }, head(p, now), body(p, expanded),
        h('div', { class: 'sb-actions' },
          h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => onReply(p), dataset: { focusKey: `reply-${p.id}` } },
            `Reply${p.replies.length ? ` · ${p.replies.length}` : ''}`)))),
    p.replies.length ? h('ol', { class: 'sb-replies', 'aria-label': `Replies to ${p.author.display_name}` },
      p.replies.map((r) => reply(r, p, now, expanded))) : null);
}
