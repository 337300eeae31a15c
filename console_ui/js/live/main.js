// The public live page: the server renders the posts (they read without JavaScript); this module adds posts
// as they go out (Server-Sent Events, resumed with Last-Event-ID) and sends questions from the form.
// Every text is inserted as text, never as markup.

const body = document.body;
const slug = body.dataset.slug;
const list = document.getElementById('posts');
const news = document.getElementById('lv-news');
const NAMES = { mastodon: 'Mastodon', bluesky: 'Bluesky', x: 'X', sandbox: 'Sandbox' };
const LABELS = { holding: 'Pause', answer: 'Answer', correction: 'Correction' };
let lastSeq = Number(body.dataset.seq || 0);
let source = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function media(m) {
  if (m.mime_type.startsWith('video/')) {
    return el('figure', { class: 'lv-media' },
      el('video', { controls: '', preload: 'none', src: m.url, width: m.width, height: m.height, 'aria-label': m.alt_text }),
      el('figcaption', {}, m.alt_text));
  }
  return el('figure', { class: 'lv-media' },
    el('img', { src: m.url, alt: m.alt_text, width: m.width, height: m.height, loading: 'lazy', decoding: 'async' }));
}

/** The same structure as server/livepage/render.py: post_html. */
function postItem(post) {
  const meta = el('p', { class: 'lv-meta' });
  if (LABELS[post.kind]) meta.append(el('span', { class: 'lv-kind' }, LABELS[post.kind]), ' ');
  meta.append(el('time', { datetime: post.posted_at }, post.time_label));
  const parts = [el('p', { class: 'lv-text' }, post.text), ...post.media.map(media)];
  let content = parts;
  if (post.content_warning) {
    content = [el('details', { class: 'lv-cw' }, el('summary', {}, `Content warning: ${post.content_warning}`), ...parts)];
  }
  const article = el('article', {}, meta, ...content);
  if (post.links.length) {
    const links = el('p', { class: 'lv-links' }, 'On ');
    post.links.forEach((link, index) => {
      if (index) links.append(', ');
      links.append(el('a', { href: link.url, rel: 'noopener nofollow' }, NAMES[link.platform] || link.platform));
    });
    article.append(links);
  }
  return el('li', { id: `post-${post.id}`, class: `lv-post lv-${post.kind}`, 'data-seq': post.seq, 'data-order': post.order },
    article);
}

function upsert(post) {
  const item = postItem(post);
  const existing = document.getElementById(`post-${post.id}`);
  if (existing) {
    const open = existing.querySelector('details')?.open;
    if (open) item.querySelector('details').open = true; // a reader who opened a warning keeps it open
    existing.replaceWith(item);
    return;
  }
  document.getElementById('lv-empty')?.remove();
  const later = [...list.children].find((li) => Number(li.dataset.order) < post.order);
  list.insertBefore(item, later || null); // newest first
  news.textContent = `New update at ${post.time_label}${LABELS[post.kind] ? ` (${LABELS[post.kind]})` : ''}.`;
}

function ended() {
  if (body.dataset.status === 'ended') return;
  body.dataset.status = 'ended';
  const state = document.getElementById('lv-state');
  state.className = 'lv-state lv-ended';
  state.textContent = 'This event has ended. ';
  state.append(el('a', { href: `/live/${encodeURIComponent(slug)}` }, 'Reload for the recap'));
  document.querySelector('.lv-ask')?.remove();
}

function listen() {
  source = new EventSource(`/live/${encodeURIComponent(slug)}/events?after=${lastSeq}`);
  source.addEventListener('post', (event) => {
    const post = JSON.parse(event.data);
    if (Number(event.lastEventId) > lastSeq) lastSeq = Number(event.lastEventId);
    upsert(post);
  });
  source.addEventListener('status', (event) => {
    const status = JSON.parse(event.data);
    if (status.status === 'ended') ended();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) { // refused (server full, restarting): try again later
      source = null;
      setTimeout(listen, 10_000 + Math.random() * 5_000);
    }
  });
}

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function form() {
  const ask = document.getElementById('ask-form');
  if (!ask) return;
  const send = document.getElementById('q-send');
  const status = document.getElementById('q-status');
  const text = document.getElementById('q-text');
  let submission = randomId();
  send.disabled = false;
  ask.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      status.textContent = 'Write your question first.';
      text.focus();
      return;
    }
    send.disabled = true;
    status.textContent = 'Sending…';
    try {
      const response = await fetch(ask.dataset.endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: document.getElementById('q-name').value, text: text.value, submission_id: submission }),
      });
      if (response.ok) {
        status.textContent = 'Thank you: your question was sent to the team.';
        text.value = '';
        submission = randomId();
      } else {
        const answer = await response.json().catch(() => ({}));
        status.textContent = typeof answer.detail === 'string' ? answer.detail : 'The question could not be sent; try again.';
      }
    } catch {
      status.textContent = 'No connection: the question was not sent; try again.';
    } finally {
      send.disabled = false;
    }
  });
}

form();
if (body.dataset.status === 'live') listen();
body.dataset.ready = String(Math.round(performance.now()));
