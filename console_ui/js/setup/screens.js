// The setup screens, one render function each: the pre-flight checklist (with the rehearsal waiver), consents
// (record, revoke, what they cover), the patient's identifiers (denylist), platform accounts, and the rehearsal.
// `ctx` = {state, act(label, call, success), refresh}; every value from the server is inserted as text.
import { api, dateTime, h, platformName, replaceChildren } from '../lib/core.js';
import { ask } from '../lib/dialog.js';
import { fromTap } from '../lib/taps.js';

const COVERS = [['photos', 'Photos'], ['video', 'Video'], ['story', 'Their story'], ['name', 'Their name']];
const ROLES = [['patient', 'Patient'], ['family', 'Family member'], ['staff', 'Member of staff']];
const before = (s) => ['draft', 'rehearsal'].includes(s.event.status);

// Forms are built once and kept across redraws: what is typed survives any refresh of the section around it.
const kept = new Map();
const keep = (name, build) => {
  if (!kept.has(name)) kept.set(name, build());
  return kept.get(name);
};

export function renderPreflight(el, { state, act }) {
  const report = state.preflight;
  if (!report) {
    replaceChildren(el, h('p', { class: 'muted' }, 'The checklist could not be read.'));
    return;
  }
  const rehearsal = report.checks.find((c) => c.name === 'rehearsal');
  const waiver = keep('waive', () => {
    const reason = h('textarea', { id: 'waive-reason', rows: 2, maxlength: 500 });
    return h('form', { class: 'su-form su-waive', onsubmit: (e) => {
      e.preventDefault();
      act('Waive the rehearsal', () => api(`/api/events/${state.event.id}/preflight/waive`, { method: 'POST', body: { check: 'rehearsal', reason: reason.value.trim() } }),
        'The rehearsal is waived; the reason is in the activity log.').then((r) => { if (r) reason.value = ''; });
    } }, h('div', { class: 'field' }, h('label', { for: 'waive-reason' }, 'No rehearsal? Waive it, saying why (at least 5 characters)'), reason),
    h('button', { type: 'submit', class: 'btn' }, 'Waive the rehearsal'));
  });
  const waive = rehearsal && !rehearsal.ok && before(state) ? waiver : null;
  const done = report.checks.filter((c) => c.ok).length;
  replaceChildren(el,
    h('p', { class: ['su-verdict', report.ok ? 'is-ok' : 'is-failed'], id: 'preflight-verdict' },
      report.ok ? 'Ready to go live: every check is done.' : `${done} of ${report.checks.length} checks done — ${report.required ? 'going live is refused until all are.' : 'advice only on this server.'}`),
    h('ul', { class: 'su-checks' }, report.checks.map((c) => h('li', { class: ['su-check', c.ok ? 'is-ok' : 'is-failed'], dataset: { check: c.name } },
      h('span', { class: 'su-mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'),
      h('span', {}, h('strong', {}, c.title), h('span', { class: 'visually-hidden' }, c.ok ? ' (done)' : ' (not done)'),
        c.waived ? ' (waived)' : '', h('br'), h('span', { class: 'su-detail' }, c.detail))))),
    waive,
    h('p', {}, h('a', { href: `/console?event=${state.event.id}` }, report.ok ? 'Go to the console to go live' : 'Back to the console')));
}

async function revoke(ctx, a) {
  const answer = await ask({
    title: `Record that “${a.person}” withdrew consent?`, tone: 'danger', confirmLabel: 'Record withdrawal',
    body: `Every post not yet published that relies on “${a.key}” is blocked at once. This cannot be undone.`,
    textarea: { label: 'Reason (kept in the record)', required: true, maxLength: 500 },
  });
  if (!answer) return;
  ctx.act('Withdraw consent', () => api(`/api/authorizations/${a.id}/revoke`, { method: 'POST', body: { reason: answer.text } }),
    (r) => `Consent “${a.key}” withdrawn: ${r.blocked_item_ids.length} post(s) blocked.`);
}

/** The "record a signed consent" form (built once: what is typed survives redraws); it empties once recorded. */
function consentForm({ state, act }) {
  const field = (label, control) => h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  const person = h('input', { id: 'cs-person', type: 'text', maxlength: 200, required: true, placeholder: 'e.g. Patient A, form 2026-114' });
  const key = h('input', { id: 'cs-key', type: 'text', maxlength: 64, required: true, pattern: '[a-z0-9][a-z0-9\\-]*', placeholder: 'e.g. patient-consent' });
  const role = h('select', { id: 'cs-role' }, ROLES.map(([v, n]) => h('option', { value: v }, n)));
  const signed = h('input', { id: 'cs-signed', type: 'date', required: true });
  const expires = h('input', { id: 'cs-expires', type: 'date' });
  const covers = COVERS.map(([v, n]) => h('p', { class: 'check' }, h('input', { type: 'checkbox', id: `cs-cover-${v}`, value: v, checked: v !== 'name' }), h('label', { for: `cs-cover-${v}` }, n)));
  const form = h('form', { class: 'su-form', id: 'consent-form', onsubmit: (e) => {
    e.preventDefault();
    const body = { key: key.value.trim(), person: person.value.trim(), role: role.value, signed_on: signed.value,
      covers: covers.map((p) => p.querySelector('input')).filter((i) => i.checked).map((i) => i.value) };
    if (expires.value) body.expires_on = expires.value;
    act('Record the consent', () => api(`/api/events/${state.event.id}/authorizations`, { method: 'POST', body }), `Consent “${body.key}” recorded.`)
      .then((r) => { if (r) { form.reset(); details.open = false; } });
  } },
  h('p', { class: 'hint' }, 'A label for the signed form, never a full name.'),
  h('div', { class: 'su-row' }, field('Who signed', person), field('Short key', key)),
  h('div', { class: 'su-row' }, field('Role', role), field('Signed on', signed), field('Expires on (optional)', expires)),
  h('fieldset', { class: 'su-covers' }, h('legend', {}, 'What it covers'), covers),
  h('button', { type: 'submit', class: 'btn btn-primary' }, 'Record consent'));
  const details = h('details', { class: 'su-add' }, h('summary', {}, 'Record a signed consent'), form);
  return details;
}

export function renderConsents(el, ctx) {
  const { state, act } = ctx;
  const rows = state.authorizations || [];
  const add = keep('consent', () => consentForm(ctx));
  if (!el.contains(add)) add.open = !rows.length;
  replaceChildren(el,
    rows.length ? h('table', { class: 'su-table' },
      h('thead', {}, h('tr', {}, ['Who', 'Role', 'Covers', 'Signed', 'State'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows.map((a) => h('tr', { dataset: { key: a.key } },
        h('td', {}, a.person, h('br'), h('span', { class: 'mono muted' }, a.key)),
        h('td', {}, a.role), h('td', {}, a.covers.join(', ')),
        h('td', {}, a.signed_on, a.expires_on ? ` (until ${a.expires_on})` : ''),
        h('td', {}, a.revoked_at ? h('span', { class: 'pill pill-rejected' }, 'Withdrawn') : h('span', { class: 'pill pill-approved' }, 'Valid'),
          a.revoked_reason ? h('span', { class: 'muted' }, ` ${a.revoked_reason}`) : null),
        h('td', {}, !a.revoked_at && state.event.status !== 'ended'
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => revoke(ctx, a) }, 'Withdraw…') : null)))))
      : h('p', { class: 'notice' }, 'No consent on file yet: the event cannot go live without a patient consent.'),
    state.event.status === 'ended' ? null : add);
}

/** The identifiers form (built once: what is typed survives redraws); it empties once the identifiers are set. */
function denylistForm({ state, act }) {
  const entries = h('textarea', { id: 'dl-entries', rows: 4, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'dl-hint' });
  const label = h('label', { for: 'dl-entries' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' });
  const form = h('form', { class: 'su-form', onsubmit: (e) => {
    e.preventDefault();
    const list = entries.value.split('\n').map((x) => x.trim()).filter(Boolean);
    act('Set the identifiers', () => api(`/api/events/${state.event.id}/denylist`, { method: 'PUT', body: { entries: list } }),
      (r) => `${r.entry_count} identifier(s) set; open posts were screened again.`).then((r) => { if (r) entries.value = ''; });
  } },
  h('div', { class: 'field' }, label, entries,
    h('span', { class: 'hint', id: 'dl-hint' }, 'Name, nicknames, record and phone numbers. Only salted hashes are kept: nobody can read them back, not even here.')),
  submit);
  /** The words follow whether identifiers are set already (replace them) or not (set them). */
  form.update = (configured) => {
    label.textContent = configured ? 'Replace the identifiers (one per line)' : 'The patient’s identifiers (one per line)';
    submit.textContent = configured ? 'Replace identifiers' : 'Set identifiers';
  };
  return form;
}

export function renderDenylist(el, ctx) {
  const { state } = ctx;
  const status = state.denylist || { configured: false, entry_count: 0 };
  const form = keep('denylist', () => denylistForm(ctx));
  form.update(status.configured);
  replaceChildren(el,
    h('p', { class: ['su-verdict', status.configured ? 'is-ok' : 'is-failed'], id: 'denylist-state' }, status.configured
      ? `${status.entry_count} identifier(s) set${status.updated_at ? `, last changed ${dateTime(status.updated_at, state.event.timezone)}` : ''}.`
      : 'Not set: no post is screened for the patient’s own name and numbers yet.'),
    state.event.status === 'ended' ? null : form);
}

/** The latest test post of an account, in words (it goes to the sandbox, never into the event's thread). */
function lastTest(state, p) {
  const tests = (state.deliveries || []).filter((d) => d.purpose === 'test' && d.account === p.account);
  const d = tests[tests.length - 1];
  if (!d) return null;
  const words = { posted: 'reached the sandbox', pending: 'is on its way', sending: 'is on its way', unknown: 'is on its way' };
  return h('p', { class: d.status === 'posted' ? 'hint' : 'field-error', dataset: { testStatus: d.status } },
    `Last test post ${words[d.status] || `failed (${d.status}${d.last_error ? `: ${d.last_error}` : ''})`}.`);
}

export function renderPlatforms(el, { state, act, refresh }) {
  const platforms = (state.event.platforms || []);
  const ready = (state.live && state.live.platforms) || {};
  const waiting = (p) => (state.deliveries || []).filter((d) => d.platform === p && d.status === 'needs_reauth').length;
  const open = state.event.status !== 'ended';
  const path = (p, what) => `/api/events/${state.event.id}/platforms/${p.platform}/${what}`;
  const reconnect = (p) => act(`Reconnect ${platformName(p.platform)}`, () => api(path(p, 'reconnect'), { method: 'POST' }),
    (r) => ({ text: `${platformName(p.platform)}: ${r.detail}${r.resumed ? ` ${r.resumed} waiting post(s) go again.` : ''}`, tone: r.ready ? 'good' : 'error' }), { tap: fromTap });
  const test = (p) => act(`Test post for ${platformName(p.platform)}`, () => api(path(p, 'test-post'), { method: 'POST' }),
    `A test post for ${platformName(p.platform)} is on its way to the sandbox (not to the event’s thread).`, { tap: fromTap })
    .then((r) => { if (r) [1000, 3000].forEach((ms) => window.setTimeout(() => refresh(), ms)); }); // say when it arrived
  replaceChildren(el, platforms.length ? h('ul', { class: 'su-platforms' }, platforms.map((p) => h('li', { class: 'su-platform', dataset: { platform: p.platform } },
    h('strong', {}, platformName(p.platform)), h('span', { class: 'mono muted' }, ` ${p.account}`), ' ',
    !p.enabled ? h('span', { class: 'pill' }, 'Switched off')
      : ready[p.platform] ? h('span', { class: 'pill pill-approved' }, 'Ready') : h('span', { class: 'pill pill-rejected' }, 'No credentials'),
    waiting(p.platform) ? h('p', { class: 'field-error' }, `${waiting(p.platform)} post(s) wait for this account to be reconnected.`) : null,
    !ready[p.platform] || waiting(p.platform) ? h('p', { class: 'hint' }, p.platform === 'sandbox' ? 'The sandbox needs no account.'
      : `To connect or reconnect: put this account’s credentials under “${p.platform}:${p.account}” in the secrets file (LIVECUE_SECRETS_FILE), then press Reconnect: the posts waiting for it go again.`) : null,
    lastTest(state, p),
    open && p.enabled ? h('div', { class: 'su-row su-inline' },
      h('button', { type: 'button', class: 'btn btn-small', dataset: { focusKey: `reconnect-${p.platform}` }, onclick: () => reconnect(p) }, `Reconnect ${platformName(p.platform)}`),
      h('button', { type: 'button', class: 'btn btn-small', dataset: { focusKey: `test-${p.platform}` }, onclick: () => test(p) }, `Test post for ${platformName(p.platform)}`)) : null)))
    : h('p', { class: 'notice' }, 'This event posts to no platform.'),
  h('p', { class: 'hint' }, 'Rehearsals and test posts always go to the sandbox, whatever the platforms.'));
}

export function renderRehearsal(el, { state, act }) {
  const s = state.event.status;
  const scale = h('select', { id: 'rh-scale' }, [1, 5, 10, 20, 60].map((n) => h('option', { value: n, selected: n === 10 }, `${n}× ${n === 1 ? '(real time)' : 'faster'}`)));
  const path = (what) => `/api/events/${state.event.id}/rehearsal/${what}`;
  const reset = async () => {
    if (await ask({ title: 'Reset the rehearsal?', tone: 'danger', confirmLabel: 'Reset', body: 'Its sandbox posts, deliveries, simulated questions and recap figures (followers, likes) are deleted. The live record is not touched.' })) {
      act('Reset the rehearsal', () => api(path('reset'), { method: 'POST' }), (r) => `Rehearsal reset: ${r.deliveries} deliver${r.deliveries === 1 ? 'y' : 'ies'} and ${r.messages} message(s) removed.`);
    }
  };
  replaceChildren(el,
    s === 'rehearsal' ? h('p', { class: 'su-verdict is-ok', id: 'rehearsal-state' }, `A rehearsal is running at ${state.event.time_scale || (state.live && state.live.time_scale) || ''}× on the sandbox. Drive it from the console (Cue next, Post now).`)
      : h('p', { class: 'muted', id: 'rehearsal-state' }, 'The whole run of show on the sandbox, faster than real time, kept apart from the live record.'),
    s === 'draft' ? h('div', { class: 'su-row su-inline' }, h('div', { class: 'field' }, h('label', { for: 'rh-scale' }, 'Speed'), scale),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => act('Start the rehearsal', () => api(path('start'), { method: 'POST', body: { time_scale: Number(scale.value) } }), 'The rehearsal has started on the sandbox.') }, 'Start rehearsal')) : null,
    s === 'rehearsal' ? h('button', { type: 'button', class: 'btn', onclick: () => act('Stop the rehearsal', () => api(path('stop'), { method: 'POST' }), 'The rehearsal has stopped; its posts stay until you reset it.') }, 'Stop rehearsal') : null,
    before(state) ? h('button', { type: 'button', class: 'btn btn-danger', onclick: reset }, 'Reset rehearsal…') : h('p', { class: 'muted' }, 'Rehearsals are for before the event.'));
}
