// The incoming-questions summary (shown as "not available" until the questions service exists).
import { apiOptional } from '../lib/api.js';
import { h, replaceChildren } from '../lib/dom.js';

const LABELS = {
  total: 'Total', open_groups: 'Open questions', rejected: 'Filtered out', by_label: 'By kind', question: 'Questions', emergency: 'Emergencies', personal_medical: 'Personal medical',
  comment: 'Comments', spam: 'Spam', abuse: 'Abuse', waiting: 'Waiting', answered: 'Answered', assigned: 'Assigned',
};
const label = (key) => LABELS[key] || key.replace(/_/g, ' ');

export async function loadQuestionsSummary(eventId) {
  try {
    return await apiOptional(`/api/events/${eventId}/questions/summary`, null);
  } catch {
    return null;
  }
}

/** Labelled counts from the summary: {by_label: {question: 3}, open_groups: 2, open_emergencies: [ids], ...}. */
function counts(summary) {
  const rows = [];
  const emergencies = Array.isArray(summary.open_emergencies) ? summary.open_emergencies.length : 0;
  rows.push(['Open emergencies', emergencies, 'emergency']);
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === 'number') rows.push([label(key), value, key]);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && k !== 'emergency') rows.push([label(k), v, k]);
    }
  }
  return rows;
}

export function renderQuestions(el, summary) {
  if (summary === null || summary === undefined) {
    replaceChildren(el, h('p', { class: 'notice', id: 'questions-unavailable' }, 'Incoming questions are not available yet on this server.'));
    return;
  }
  const rows = counts(summary);
  const emergencies = rows[0][1];
  replaceChildren(el,
    emergencies ? h('p', { class: 'question-alert', role: 'alert' }, `${emergencies} possible emergenc${emergencies > 1 ? 'ies' : 'y'} from the audience — reply with the emergency template now.`) : null,
    h('dl', { class: 'question-counts' }, rows.map(([name, value, key]) => h('div', { class: ['qc', key === 'emergency' && value > 0 && 'is-alert'] }, h('dt', {}, name), h('dd', {}, String(value))))),
    h('p', { class: 'hint' }, 'Clinicians answer from the tablet.'));
}
