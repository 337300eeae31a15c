// The API client: same-origin fetch with the session cookie and the CSRF header on writes.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
    this.field = this.body.field;
  }
}

export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'livecue_csrf') return decodeURIComponent(rest.join('='));
  }
  return '';
}

export function loginUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/**
 * api('/api/x', {method, body, form, quiet401}) -> parsed JSON (or null for 204).
 * A 401 sends the browser to the login page unless quiet401 is set.
 */
export async function api(path, { method = 'GET', body, form, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check the connection and try again.' });
  }
  if (response.status === 204) return null;
  let data = null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('application/json')) data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !quiet401) location.assign(loginUrl());
    throw new ApiError(response.status, data);
  }
  return data;
}

/** Like api(), but a 404 gives `missing` instead of an error (for features that may not exist yet). */
export async function apiOptional(path, missing = undefined) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return missing;
    throw err;
  }
}

export async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST', quiet401: true });
  } finally {
    location.assign('/login');
  }
}
