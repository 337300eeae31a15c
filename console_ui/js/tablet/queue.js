// The tablet's audience question queue: groups of similar questions with their askers (all text as text),
// emergencies on top with the one-tap emergency reply, claim / answer / redirect / close / release, and
// moderation: relabel each message, hide it or mute its author (comms), assign to any active clinician or
// unassign (comms, from the staff directory), assign to me (comms who are clinicians).
import { apiOptional, clock, h, platformName, replaceChildren } from '../lib/core.js';
import { kindName } from '../lib/items.js';
import { plainReason } from '../lib/words.js';
import { assignPicker, countByAuthor, directoryNote, holdWhilePicking, LABELS, moderationRow } from '../lib/moderation.js';
import { replyable } from './answer.js';

const expanded = new Map(); // group id -> the askers list opened or closed by hand (kept across updates)
const STATUS = { open: 'Open', claimed: 'Being answered', answered: 'Answered', answered_in_thread: 'Answered in the thread', offline: 'Taken offline', dismissed: 'Dismissed' };

/** The queue (open and claimed groups), or null when this server has no questions service. */
export async function loadQuestions(eventId) {
  try {
    const data = await apiOptional(`/api/events/${eventId}/questions`, null);
    if (data === null || data === undefined) return null;
    return Array.isArray(data) ? data : (data.questions || data.items || []);
  } catch {
    return null;
  }
}

function phiNote(m) {
  const findings = Array.isArray(m.phi) ? m.phi : [];
  if (!findings.length) return null;
  const kinds = [...new Set(findings.map((f) => kindName(f.kind)))].join(', ');
  return h('p', { class: 'tb-phi' }, h('strong', {}, 'Contains personal details — never quote'), kinds ? ` (looks like ${kinds})` : null);
}

/** A message sorted as an emergency inside a group that is not (relabelled after it joined a question). */
const urgentInside = (m, group) => m.label === 'emergency' && group.label !== 'emergency' && m.status === 'queued';

function asker(m, group, ctx, tag = 'li', withText = true) {
  const { tz } = ctx;
  const urgent = urgentInside(m, group);
  return h(tag, { class: ['tb-asker', m.phi && m.phi.length && 'has-phi', urgent && 'is-emergency'], dataset: { messageId: m.id, label: m.label } },
    h('p', { class: 'tb-asker-head' },
      h('strong', { class: 'tb-asker-name' }, m.author_name || m.author_handle),
      m.author_handle && m.author_name ? h('span', { class: 'muted' }, `@${m.author_handle}`) : null,
      h('span', { class: 'muted' }, `${platformName(m.platform)} · ${clock(m.received_at, tz)}`),
      m.status === 'answered' ? h('span', { class: 'pill pill-posted' }, 'Replied') : null),
    phiNote(m),
    withText ? h('p', { class: 'tb-asker-text' }, m.text) : null,
    m.label_reason ? h('p', { class: 'tb-why' }, `${m.label !== group.label ? `Sorted as “${LABELS[m.label] || m.label}”` : 'Why it is here'}: ${plainReason(m.label_reason)}.`) : null,
    urgent ? h('button', { type: 'button', class: 'btn btn-emergency tb-btn', onclick: () => ctx.answers.actions.replyWith('emergency', [m]), dataset: { focusKey: `emergency-${m.id}` } }, 'Send emergency reply') : null,
    moderationRow(m, { ...ctx, group, btnClass: 'tb-mod-btn' }));
}

function assignment(group, ctx) {
  if (!group.assigned_to) return null;
  if (group.assigned_to === ctx.me.id) return h('span', { class: 'pill pill-assigned is-me' }, 'Assigned to you');
  return h('span', { class: 'pill pill-assigned' }, `Assigned to ${group.assigned_to_name || 'a colleague'}`);
}

function answerState(group, items) {
  if (!group.answer_item_id) return null;
  const item = items.find((i) => i.id === group.answer_item_id);
  if (item && item.status === 'rejected') {
    const r = item.approvals.filter((a) => a.decision === 'reject').pop();
    return { pending: false, node: h('div', { class: 'tb-pending is-rejected' },
      h('p', { class: 'tb-pending-title' }, `Comms did not approve the answer${r ? ` (${r.display_name || r.username})` : ''}`),
      r && r.note ? h('p', {}, 'Their note: ', h('q', {}, r.note)) : null,
      h('p', { class: 'muted' }, 'Write a new answer or use a bank answer.')) };
  }
  if (item && item.status !== 'draft') return null;
  return { pending: true, node: h('div', { class: 'tb-pending' },
    h('p', { class: 'tb-pending-title' }, 'Waiting for comms approval'),
    item ? h('p', { class: 'tb-pending-text' }, item.content.caption) : null,
    h('p', { class: 'muted' }, 'It goes out under the askers’ posts as soon as comms approves it.')) };
}

function card(group, ctx) {
  const { me, items, tz, answers, can } = ctx;
  const { actions } = answers;
  const mine = group.claimed_by === me.id;
  const other = group.claimed_by && !mine;
  const emergency = group.label === 'emergency';
  const open = replyable(group);
  const answer = answerState(group, items);
  const btn = (label, onclick, cls, key) => h('button', { type: 'button', class: ['btn', 'tb-btn', cls], onclick, dataset: { focusKey: `${key}-${group.id}` } }, label);
  const messages = group.messages || [];
  const size = group.size || messages.length || 1;
  const platforms = [...new Set(messages.map((m) => platformName(m.platform)))].join(', ');
  const lastAt = group.last_asked_at || group.created_at;

  const main = [];
  if (ctx.ended) {
    return h('li', { class: ['tb-question', emergency && 'is-emergency'], dataset: { groupId: group.id, label: group.label, status: group.status } },
      h('div', { class: 'tb-q-meta' }, h('span', { class: ['pill', emergency ? 'pill-emergency' : `pill-label-${group.label}`] }, LABELS[group.label] || group.label),
        h('span', { class: 'tb-q-size' }, size > 1 ? `${size} people asked` : '1 person asked')),
      h('p', { class: 'tb-q-text' }, group.text || (messages[0] && messages[0].text) || ''),
      h('p', { class: 'notice tb-closed' }, 'The event has ended: this question can no longer be answered here.'));
  }
  if (emergency && open.length) main.push(btn(open.length > 1 ? `Send emergency reply to all ${open.length}` : 'Send emergency reply', () => actions.template(group, 'emergency'), 'btn-emergency', 'emergency'));
  if (group.label === 'personal_medical' && open.length && !other) main.push(btn('Send redirect reply', () => actions.template(group, 'redirect'), 'btn-primary', 'redirect'));
  if (!group.claimed_by && !(answer && answer.pending)) main.push(btn('Claim to answer', () => actions.claim(group), emergency || group.label === 'personal_medical' ? '' : 'btn-primary', 'claim'));
  const more = other ? [] : [
    btn('Answered in thread', () => actions.inThread(group), 'btn-quiet', 'thread'),
    btn('Dismiss…', () => actions.dismiss(group), 'btn-quiet', 'dismiss'),
    mine ? btn('Release', () => actions.release(group), 'btn-quiet', 'release') : null,
  ];
  if (can.assignSelf && group.assigned_to !== me.id) more.push(btn('Assign to me', () => ctx.moderation.assign(group, me), 'btn-quiet', 'assign-me'));
  if (can.assign) more.push(assignPicker(group, { moderation: ctx.moderation, directory: ctx.directory, idPrefix: 'tb-assign' }));

  return h('li', { class: ['tb-question', emergency && 'is-emergency', mine && 'is-mine', group.assigned_to === me.id && 'is-assigned'], dataset: { groupId: group.id, label: group.label, status: group.status } },
    h('div', { class: 'tb-q-meta' },
      h('span', { class: ['pill', emergency ? 'pill-emergency' : `pill-label-${group.label}`] }, LABELS[group.label] || group.label),
      h('span', { class: 'tb-q-size' }, size > 1 ? `${size} people asked` : '1 person asked'),
      group.status && group.status !== 'open' && group.status !== 'claimed' ? h('span', { class: 'pill' }, STATUS[group.status] || group.status) : null,
      assignment(group, ctx),
      messages.length === 1 ? null : h('span', { class: 'muted' }, [platforms, lastAt ? `last ${clock(lastAt, tz)}` : ''].filter(Boolean).join(' · '))),
    mine ? h('p', { class: 'tb-claim is-mine' }, `You are answering this${group.claim_until ? ` (until ${clock(group.claim_until, tz, { zone: false })})` : ''}`) : null,
    other ? h('p', { class: 'tb-claim' }, `${group.claimed_by_name || 'Another clinician'} is answering this${group.claim_until ? ` (until ${clock(group.claim_until, tz, { zone: false })})` : ''}`) : null,
    h('p', { class: 'tb-q-text' }, group.text || (messages[0] && messages[0].text) || ''),
    // One asker whose words are the question: their name under it, without repeating the text.
    messages.length === 1 && messages[0].text === group.text ? asker(messages[0], group, ctx, 'div', false) : null,
    messages.length > 1 || (messages.length === 1 && messages[0].text !== group.text) ? h('details', {
      class: 'tb-askers', open: expanded.has(group.id) ? expanded.get(group.id) : messages.length <= 3 || emergency || messages.some((m) => urgentInside(m, group)),
      ontoggle: (e) => expanded.set(group.id, e.currentTarget.open),
    },
      h('summary', {}, `Who asked (${messages.length})`),
      h('ul', { class: 'tb-asker-list' }, messages.map((m) => asker(m, group, ctx)))) : null,
    answer ? answer.node : null,
    main.length ? h('div', { class: 'tb-actions tb-q-actions' }, main) : null,
    mine && !(answer && answer.pending) ? answers.composer(group) : null,
    more.some(Boolean) ? h('div', { class: 'tb-more' }, more) : null);
}

/** 0: an emergency (or holds one), 1: assigned to me, 2: the rest. */
function rank(group, me) {
  if (group.label === 'emergency' || (group.messages || []).some((m) => urgentInside(m, group))) return 0;
  return group.assigned_to === me.id ? 1 : 2;
}

/** Render the queue: emergencies first (the server orders them so too), then mine, then as the server sent them. */
export function renderQueue(el, countEl, ctx) {
  const { questions } = ctx;
  if (questions && holdWhilePicking(el, ctx.rerender)) return;
  if (questions === null) {
    countEl.hidden = true;
    replaceChildren(el, h('p', { class: 'tb-empty', id: 'questions-unavailable' }, 'The question queue is not available yet. Questions will appear here when it is switched on.'));
    return;
  }
  ctx.answers.prune(questions);
  countEl.textContent = String(questions.length);
  countEl.hidden = !questions.length;
  if (!questions.length) {
    replaceChildren(el, h('p', { class: 'tb-empty' }, 'No questions are waiting. New ones appear here as they arrive.'));
    return;
  }
  // Composers are moved into the new cards while these are built, which drops focus: note it first.
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.focusKey : undefined;
  const selection = key && active.tagName === 'TEXTAREA' ? [active.selectionStart, active.selectionEnd] : null;
  const ordered = [...questions].sort((a, b) => rank(a, ctx.me) - rank(b, ctx.me));
  const directory = ctx.can.assign ? ctx.moderation.clinicians(ctx.rerender) : null;
  const full = { ...ctx, directory, queued: countByAuthor(questions) };
  replaceChildren(el, h('ul', { class: 'tb-questions' }, ordered.map((g) => card(g, full))),
    ctx.can.assign ? directoryNote(directory) : null);
  const again = key && !el.contains(document.activeElement) ? el.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
  if (again) {
    again.focus({ preventScroll: true });
    if (selection) again.setSelectionRange(...selection);
  }
}
