// Incoming audience questions on the console: counts by label, and open emergencies shown at the top of the
// page (an assertive live region) with the one-tap emergency reply. Clinicians answer from the tablet.
import { api, apiOptional, clock, h, platformName, replaceChildren } from '../lib/core.js';

const LABEL_ROWS = [
  ['emergency', 'Emergencies'], ['personal_medical', 'Own or relative’s case'], ['question', 'Questions'],
  ['comment', 'Comments'], ['spam', 'Spam'], ['abuse', 'Abuse'],
];

/**
 * {summary, queue, groups, emergencies}: summary null when this server has no questions service; queue the
 * clinicians' queue, groups what the moderation list shows (`filter`: 'queue' or a label); null when unreadable.
 */
export async function loadQuestions(eventId, filter = 'queue') {
  let summary;
  try {
    summary = await apiOptional(`/api/events/${eventId}/questions/summary`, null);
  } catch {
    summary = null;
  }
  if (!summary) return questionsData(summary, filter);
  const base = `/api/events/${eventId}/questions`;
  const [queue, other] = await Promise.all([
    api(base).catch(() => null),
    filter === 'queue' ? null : api(`${base}?label=${encodeURIComponent(filter)}`).catch(() => null),
  ]);
  return questionsData(summary, filter, queue, other);
}

/** The same from the first load's snapshot. */
export const questionsOf = (snap) => questionsData(snap.question_summary, 'queue', snap.questions);

function questionsData(summary, filter, queue, other) {
  if (!summary) return { summary, filter, queue: [], groups: [], emergencies: [] };
  // A message relabelled as an emergency may sit in a larger question group: look for it in every group.
  const ids = new Set(summary.open_emergencies || []);
  const emergencies = (queue || []).flatMap((g) => g.messages || []).filter((m) => ids.has(m.id));
  return { summary, filter, queue, groups: filter === 'queue' ? queue : other, emergencies };
}

const keys = new WeakMap(); // element -> what it shows, so unchanged content is not re-rendered (or re-announced)
function changed(el, value) {
  const key = JSON.stringify(value);
  if (keys.get(el) === key) return false;
  keys.set(el, key);
  return true;
}

export function renderQuestions(el, data) {
  const summary = data && data.summary;
  if (!changed(el, summary === undefined ? null : summary)) return;
  if (summary === null || summary === undefined) {
    replaceChildren(el, h('p', { class: 'notice', id: 'questions-unavailable' }, 'Incoming questions are not available yet on this server.'));
    return;
  }
  const byLabel = summary.by_label || {};
  const emergencies = (summary.open_emergencies || []).length;
  const rows = [
    ['Waiting to be answered', summary.open_groups || 0, 'open'],
    ...LABEL_ROWS.map(([key, name]) => [name, key === 'emergency' ? emergencies : byLabel[key] || 0, key]),
    ['Filtered out', summary.rejected || 0, 'rejected'],
  ];
  replaceChildren(el,
    emergencies ? h('p', { class: 'question-alert' }, `${emergencies} possible emergenc${emergencies > 1 ? 'ies' : 'y'} — see the red banner at the top.`) : null,
    h('dl', { class: 'question-counts' }, rows.map(([name, value, key]) => h('div', { class: ['qc', key === 'emergency' && value > 0 && 'is-alert'], dataset: { label: key } },
      h('dt', {}, name), h('dd', {}, String(value))))),
    h('p', { class: 'hint' }, 'Counts are of messages not yet answered. Clinicians answer from the tablet; answers they write appear under “Waiting for your approval”.'));
}

/** The red banner for audience emergencies, with a one-tap emergency reply for each message. */
export function renderAudienceEmergency(el, data, state, actions) {
  const summary = data && data.summary;
  const ids = (summary && summary.open_emergencies) || [];
  const shown = (data && data.emergencies) || [];
  if (!changed(el, { ids, shown: shown.map((m) => [m.id, m.status]) })) return;
  el.hidden = !ids.length;
  if (!ids.length) {
    replaceChildren(el);
    return;
  }
  const tz = state.event.timezone;
  const known = new Set(shown.map((m) => m.id));
  const unknown = ids.filter((id) => !known.has(id)).length;
  replaceChildren(el,
    h('p', { class: 'aud-title' }, h('strong', {}, `POSSIBLE EMERGENCY FROM THE AUDIENCE (${ids.length})`),
      ' Send the pre-approved emergency reply now; clinicians see it at the top of the tablet.'),
    h('ul', { class: 'aud-list' }, shown.map((m) => h('li', { class: 'aud-item', dataset: { messageId: m.id } },
      h('p', { class: 'aud-who' }, `${m.author_name || m.author_handle} (@${m.author_handle}) · ${platformName(m.platform)} · ${clock(m.received_at, tz)}`),
      h('p', { class: 'aud-text' }, m.text),
      h('button', { type: 'button', class: 'btn btn-small aud-reply', onclick: () => actions.emergencyReply(m), dataset: { focusKey: `aud-${m.id}` } }, 'Send emergency reply')))),
    unknown ? h('p', {}, `${unknown} more in the clinicians' queue.`) : null);
}
