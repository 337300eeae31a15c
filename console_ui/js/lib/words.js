// Words for what happened and why: the journal as sentences (who by display name), and triage reasons in plain
// words. Every value is inserted as text by the callers.
import { platformName } from './core.js';

const STATUS_WORDS = { live: 'went live', held: 'put the event on hold', ended: 'ended the event', draft: 'reset the event', rehearsal: 'started a rehearsal' };

/** Display names of staff by user id (from /api/events/{id}/staff), so no sentence shows a login. */
export const staffNames = new Map();

/** Who did it, by display name when known. */
export const actorName = (entry) => (entry.actor_id && staffNames.get(entry.actor_id)) || entry.actor_name || 'system';

/** describe(entry, itemLabel) -> {text, tone}; itemLabel(id) names an item, e.g. "“step-3”". */
export function describe(entry, itemLabel = (id) => `item ${id}`) {
  const p = entry.payload || {};
  const item = entry.subject_type === 'item' ? itemLabel(entry.subject_id) : '';
  const who = entry.actor_id ? actorName(entry) : 'system';
  const of = p.item_id ? ` ${itemLabel(p.item_id)}` : '';
  switch (entry.kind) {
    case 'event.status': {
      const to = p.to || p.status;
      if (to === 'held' && p.kind === 'emergency') return { text: `${who} called an emergency hold`, tone: 'danger' };
      if (to === 'live' && p.held_seconds !== undefined) return { text: `${who} resumed live posting`, tone: 'good' };
      return { text: `${who} ${STATUS_WORDS[to] || `moved the event to ${to}`}`, tone: to === 'held' ? 'warn' : 'info' };
    }
    case 'alert.emergency_message':
      return { text: `Possible emergency in an audience message on ${platformName(p.platform)} — send the emergency reply`, tone: 'danger' };
    case 'questions.ingested': {
      const n = p.stored || 0;
      const e = (p.emergencies || []).length;
      return { text: `${n} new audience message${n === 1 ? '' : 's'}${e ? `, ${e} possibly urgent` : ''}${p.rejected ? ` (${p.rejected} filtered out)` : ''}`, tone: e ? 'danger' : 'info' };
    }
    case 'question.claimed': return { text: `${who} is answering a question`, tone: 'info' };
    case 'question.released': return { text: `${who} released a question`, tone: 'info' };
    case 'question.assigned': return { text: `${who} assigned a question${p.to_name || p.to ? ` to ${p.to_name || p.to}` : ''}`, tone: 'info' };
    case 'question.unassigned': return { text: `${who} unassigned a question${p.from_name || p.from ? ` (was ${p.from_name || p.from})` : ''}`, tone: 'info' };
    case 'question.status': return { text: `${who} marked a question ${String(p.status || p.to || '').replace(/_/g, ' ')}`, tone: 'info' };
    case 'answer.drafted': return { text: `${who} drafted an answer${p.item_id ? ` (${itemLabel(p.item_id)})` : ''}`, tone: 'info' };
    case 'answer.queued': return { text: `An answer was queued to post`, tone: 'info' };
    case 'answer.template': return { text: `${who} sent the ${p.template || 'template'} reply to an audience member`, tone: p.template === 'emergency' ? 'warn' : 'info' };
    case 'message.relabeled': {
      const words = (label) => String(label || '').replace(/_/g, ' ');
      return { text: `${who} relabelled an audience message${p.to ? ` as ${words(p.to)}` : ''}${p.from ? ` (was ${words(p.from)})` : ''}`, tone: p.to === 'emergency' ? 'warn' : 'info' };
    }
    case 'message.hidden': return { text: `${who} hid an audience message`, tone: 'info' };
    case 'author.muted': return { text: `${who} muted @${p.handle || '?'} on ${platformName(p.platform)}`, tone: 'info' };
    case 'alert.emergency_hold':
      return { text: `EMERGENCY HOLD by ${who}${p.holding_message ? ' — holding message sent' : ''}`, tone: 'danger' };
    case 'item.created': return { text: `${who} wrote ${item}`, tone: 'info' };
    case 'item.edited': return { text: `${who} edited ${item} (version ${p.version}); approvals cleared`, tone: 'info' };
    case 'item.approved':
      return { text: `${who} approved ${item}${p.as_clinical ? ' as clinician' : ''}${p.fully_approved ? ' — ready to post' : ''}`, tone: 'good' };
    case 'item.rejected': return { text: `${who} rejected ${item}: “${p.note || ''}”`, tone: 'warn' };
    case 'item.queued': return { text: `${p.holding ? 'Holding message' : item} queued to post${p.manual ? ' (manual)' : ''}${entry.actor_id ? ` by ${who}` : ' automatically'}`, tone: 'info' };
    case 'item.skipped': return { text: `${who} skipped ${item}`, tone: 'info' };
    case 'item.unskipped': return { text: `${who} undid the skip of ${item}`, tone: 'info' };
    case 'delivery.pulled_back': return { text: `${who === 'system' ? 'Pulled back' : `${who} pulled back`}${of} on ${platformName(p.platform)} before it left${p.reason === 'emergency hold' ? ' (emergency hold)' : ''}`, tone: 'warn' };
    case 'answer.waiting': return { text: `An answer waits: ${p.reason || 'held back'}`, tone: 'warn' };
    case 'item.rescheduled': return { text: `${who} changed the timing of ${item}`, tone: 'info' };
    case 'delivery.posted': return { text: `Posted${of} to ${platformName(p.platform)}`, tone: 'good' };
    case 'delivery.retry': return { text: `${platformName(p.platform)} did not accept a post yet; retrying (${p.error || 'temporary error'})`, tone: 'warn' };
    case 'delivery.unknown': return { text: `${platformName(p.platform)}: outcome unknown, checking before retrying`, tone: 'warn' };
    case 'delivery.failed': return { text: `Posting${of} to ${platformName(p.platform)} failed: ${p.error || ''}`, tone: 'danger' };
    case 'delivery.needs_reauth': return { text: `Posting${of} to ${platformName(p.platform)} waits: reconnect the account, then retry (${p.error || ''})`, tone: 'danger' };
    case 'delivery.abandoned': return { text: `${who} abandoned a post to ${platformName(p.platform)}`, tone: 'warn' };
    case 'delivery.retry_requested': return { text: `${who} asked to retry ${platformName(p.platform)}`, tone: 'info' };
    case 'delivery.reconciled': return { text: `Found an earlier post on ${platformName(p.platform)}; not posting twice`, tone: 'info' };
    case 'authorization.recorded': return { text: `${who} recorded a consent (${p.key || ''})`, tone: 'info' };
    case 'authorization.revoked': return { text: `${who} recorded a withdrawn consent — dependent posts blocked`, tone: 'danger' };
    case 'finding.overridden': return { text: `${who} let a privacy finding stand on ${item}: “${p.reason || ''}”`, tone: 'warn' };
    case 'item.rescreened': return { text: `${item} was screened again: ${p.open_findings || 0} open finding(s)`, tone: p.open_findings ? 'warn' : 'info' };
    case 'event.created': return { text: `${who} created the event`, tone: 'info' };
    case 'event.updated': return { text: `${who} changed the event settings`, tone: 'info' };
    case 'schedule.imported': return { text: `${who} imported the run of show`, tone: 'info' };
    case 'timeline.reordered': return { text: `${who} reordered the timeline`, tone: 'info' };
    case 'preflight.waived': return { text: `${who} waived the ${p.check || 'check'} before going live: “${p.reason || ''}”`, tone: 'warn' };
    case 'rehearsal.reset': return { text: `${who} reset the rehearsal`, tone: 'info' };
    case 'denylist.replaced': return { text: `${who} set the patient's identifiers (denylist)`, tone: 'info' };
    default: {
      if (entry.kind.startsWith('alert.')) return { text: `Alert (${entry.kind.slice(6).replace(/_/g, ' ')}) from ${who}`, tone: 'danger' };
      return { text: `${entry.kind.replace(/[._]/g, ' ')} — ${who}${item ? ` · ${item}` : ''}`, tone: 'info' };
    }
  }
}


const SURE = /^learned model: ([a-z_]+) \((\d?\.\d+)\)$/;
const CUES = /: ((?:'[^']*')(?: \+ '[^']*')*)( told in the present)?$/;

/**
 * A triage reason in plain words: "asks a general question: '?'" → "it asks a general question (it has a question
 * mark)"; "learned model: comment (0.81)" → "it reads like a comment (81% sure)".
 */
export function plainReason(reason) {
  let text = String(reason || '').trim();
  if (!text) return '';
  const sure = SURE.exec(text);
  if (sure) return `it reads like a ${sure[1].replace(/_/g, ' ')} (${Math.round(Number(sure[2]) * 100)}% sure)`;
  text = text.replace(CUES, (m, cues, now) => ` (${cues === "'?'" ? 'it has a question mark'
    : cues.replace(/'([^']*)'/g, '“$1”').replace(/ \+ /g, ' and ')}${now ? ', happening now' : ''})`);
  text = text.replace(/learned model: ([a-z_]+) \((\d?\.\d+)\)/g, (m, label, p) => `it reads like a ${label.replace(/_/g, ' ')} (${Math.round(Number(p) * 100)}% sure)`);
  return /^[a-z]+s\b/.test(text) ? `it ${text}` : text;
}
