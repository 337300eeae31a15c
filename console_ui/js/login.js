// The login page: log in, then go to the page that fits the user's roles.
import { $, api, ApiError, hasRole, markReady } from './lib/core.js';

/** The page a user starts on: operators and admins the console, clinicians the tablet. */
function landingFor(user) {
  if (user.roles.includes('admin') || user.roles.includes('comms')) return '/console';
  if (user.roles.includes('clinical')) return '/tablet';
  return null;
}

/** A `next` path from the login URL, only when it is one of our pages (no open redirects). */
function safeNext(raw, user) {
  if (!raw || typeof raw !== 'string') return null;
  const match = /^\/(console|tablet|sandbox|setup)(\?event=\d{1,9})?$/.exec(raw);
  if (!match) return null;
  if ((match[1] === 'console' || match[1] === 'setup') && !hasRole(user, 'comms')) return null;
  return raw;
}

function go(user) {
  const next = safeNext(new URLSearchParams(location.search).get('next'), user);
  const target = next || landingFor(user);
  if (target) {
    location.replace(target);
    return true;
  }
  return false;
}

function showError(message) {
  const error = $('#login-error');
  error.textContent = message;
  error.hidden = false;
}

async function submit(event) {
  event.preventDefault();
  const username = $('#username').value.trim();
  const password = $('#password').value;
  if (!username || !password) {
    showError('Enter your username and password.');
    (username ? $('#password') : $('#username')).focus();
    return;
  }
  const button = event.submitter || $('.login-submit');
  button.disabled = true;
  try {
    const result = await api('/api/auth/login', { method: 'POST', body: { username, password }, quiet401: true });
    if (!go(result.user)) showError('Your account has no role yet. Ask an administrator to give you one.');
  } catch (err) {
    const message = err instanceof ApiError && err.status === 401
      ? 'That username and password do not match. Try again.'
      : err.message;
    showError(message);
    $('#password').select();
  } finally {
    button.disabled = false;
  }
}

async function init() {
  $('#login-form').addEventListener('submit', submit);
  try {
    const user = await api('/api/auth/me', { quiet401: true });
    if (go(user)) return;
  } catch {
    // not logged in: stay here
  }
  $('#username').focus();
  markReady();
}

init();
