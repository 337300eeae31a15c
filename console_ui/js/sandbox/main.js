// The sandbox timeline: polls the public feed, and lets anyone reply as an audience member.
import { $, announce, api, ApiError, h, markReady, replaceChildren } from '../lib/core.js';
import { graphemes } from '../lib/textcount.js';
import { post } from './post.js';

const POLL_MS = 4000;
const PROFILE_KEY = 'livecue.sandbox.profile';
const expanded = new Set(); // open content warnings and alt texts survive re-rendering
let posts = [];
let lastJson = '';

function excerpt(text, max = 60) {
  const chars = Array.from(text.replace(/\s+/gu, ' '));
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}

function startReply(p) {
  $('#r-to').value = String(p.id);
  $('#r-text').focus();
}

function renderOptions() {
  const select = $('#r-to');
  const chosen = select.value;
  replaceChildren(select, posts.length
    ? posts.map((p) => h('option', { value: p.id }, `${p.author.display_name}: ${excerpt(p.text)}`))
    : h('option', { value: '' }, 'No posts yet'));
  if (chosen && posts.some((p) => String(p.id) === chosen)) select.value = chosen;
}

function render() {
  const now = Date.now();
  replaceChildren($('#feed'), posts.length
    ? posts.map((p) => post(p, now, expanded, startReply))
    : h('li', { class: 'sb-card sb-empty' }, 'Nothing has been posted yet. Posts from the live console appear here.'));
  renderOptions();
}

async function load() {
  const data = await api('/api/sandbox/feed?limit=100', { quiet401: true });
  const json = JSON.stringify(data.posts);
  if (json === lastJson) return;
  const before = new Set(posts.map((p) => p.id));
  const fresh = lastJson ? data.posts.filter((p) => !before.has(p.id)).length : 0;
  lastJson = json;
  posts = data.posts;
  render();
  if (fresh) announce($('#feed-news'), `${fresh} new post${fresh > 1 ? 's' : ''}`);
}

function profile() {
  try {
    return JSON.parse(localStorage.getItem(PROFILE_KEY) || '{}');
  } catch {
    return {};
  }
}

function updateCount() {
  const n = graphemes($('#r-text').value);
  const counter = $('#r-count');
  counter.textContent = `${n} / 500`;
  counter.classList.toggle('is-over', n > 500);
}

async function submit(event) {
  event.preventDefault();
  const status = $('#r-status');
  const body = {
    in_reply_to: Number($('#r-to').value), display_name: $('#r-name').value.trim(),
    handle: $('#r-handle').value.trim().replace(/^@/u, ''), text: $('#r-text').value.trim(),
  };
  const missing = [['#r-name', body.display_name, 'your display name'], ['#r-handle', body.handle, 'a handle'],
    ['#r-to', body.in_reply_to, 'a post to reply to'], ['#r-text', body.text, 'your reply']].find(([, v]) => !v);
  if (missing) {
    announce(status, `Please enter ${missing[2]}.`, 'error');
    $(missing[0]).focus();
    return;
  }
  const button = $('.sb-send');
  button.disabled = true;
  try {
    const created = await api('/api/sandbox/replies', { method: 'POST', body, quiet401: true });
    localStorage.setItem(PROFILE_KEY, JSON.stringify({ display_name: body.display_name, handle: body.handle }));
    $('#r-text').value = '';
    updateCount();
    announce(status, 'Your reply is posted.', 'good');
    await load();
    const card = document.getElementById(`post-${created.id}`);
    if (card) card.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    announce(status, err instanceof ApiError && err.status === 429 ? 'You are replying too fast. Wait a minute and try again.' : `Not posted: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function init() {
  const saved = profile();
  if (saved.display_name) $('#r-name').value = saved.display_name;
  if (saved.handle) $('#r-handle').value = saved.handle;
  $('#r-text').addEventListener('input', updateCount);
  $('#reply-form').addEventListener('submit', submit);
  try {
    await load();
  } catch (err) {
    replaceChildren($('#feed'), h('li', { class: 'sb-card sb-empty' }, `The timeline could not load: ${err.message}`));
  }
  markReady();
  window.setInterval(() => {
    if (document.visibilityState === 'visible') load().catch(() => {});
  }, POLL_MS);
}

init();
