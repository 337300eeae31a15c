// What the clinician can do with a question: claim, answer (bank answer at once, or new text for comms
// approval), template replies (emergency, redirect), close it, release it. Every call reports calmly.
import { announce, api, ApiError, h, platformName } from '../lib/core.js';
import { ask } from '../lib/dialog.js';
import { sendEmergencyReply } from '../lib/emergency.js';
import { isEmergency } from '../lib/items.js';
import { run as runAction } from '../lib/run.js';
import { fromTap } from '../lib/taps.js';
import { count, LIMITS } from '../lib/textcount.js';

const REPLYABLE = new Set(['queued', 'closed']);
const GOOD_MATCH = 0.35; // a bank answer this alike is offered first; weaker ones wait behind “Other answers”
export const replyable = (group) => (group.messages || []).filter((m) => REPLYABLE.has(m.status));
const ALREADY = { answered: 'answered', answered_in_thread: 'answered in the thread', offline: 'taken offline', dismissed: 'dismissed' };

/**
 * A 409 in words: someone else got there first (nothing is wrong), or the server's own words when it is
 * anything else (e.g. an answer waiting for the end of an emergency hold): never a guess.
 */
function calmConflict(err) {
  const stateName = err.body && err.body.state;
  if (stateName === 'claimed') return 'Another clinician is already answering this question. The card shows who; it comes back to the queue if they release it.';
  if (ALREADY[stateName]) return `This question was already ${ALREADY[stateName]}. Nothing more to do here.`;
  return sentence(err.message);
}

const sentence = (text) => {
  const t = String(text || '').trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : 'The server did not accept this.';
};

export function makeAnswers({ state, status, refresh }) {
  const composers = new Map(); // group id -> a composer whose nodes survive re-rendering (typed text stays)
  const sending = new Set(); // message ids whose template reply is on its way
  const say = (message, tone) => announce(status, message, tone);

  /** Call the API for the button tapped (disabled until done); the outcome is said beside it and in the live region
   * (someone else having got there first is said calmly, not as an error). */
  const run = (label, call, success) => runAction(label, call, {
    success, tap: fromTap, say, after: refresh,
    fail: (err) => (err instanceof ApiError && err.status === 409 ? { text: calmConflict(err), tone: 'info' } : undefined),
  });

  const groupPath = (group, suffix) => `/api/question-groups/${group.id}/${suffix}`;
  /** What the server said about an answer it accepted but keeps waiting, when it says so. */
  const serverSays = (result) => (result && typeof (result.note || result.detail) === 'string' ? sentence(result.note || result.detail) : null);
  /** The message as the page knows it (an alert names only its id), for naming the asker. */
  const messageOf = (m) => (m.author_handle ? m
    : (state.questions || []).flatMap((g) => g.messages || []).find((x) => x.id === m.id) || m);

  const actions = {
    claim: (group) => run('Claim', () => api(groupPath(group, 'claim'), { method: 'POST' }),
      'The question is yours for 10 minutes. Choose a bank answer or write a new one.'),
    release: (group) => run('Release', () => api(groupPath(group, 'release'), { method: 'POST' }),
      'Released: the question is back in the queue for anyone to claim.'),
    inThread: (group) => run('Mark answered', () => api(groupPath(group, 'status'), { method: 'POST', body: { status: 'answered_in_thread' } }),
      'Marked as answered in the thread.'),
    async dismiss(group) {
      const answer = await ask({
        title: 'Dismiss this question?', confirmLabel: 'Dismiss', tone: 'danger',
        body: 'It leaves the queue without a reply. The askers are not told.',
      });
      if (answer) await run('Dismiss', () => api(groupPath(group, 'status'), { method: 'POST', body: { status: 'dismissed' } }), 'Dismissed.');
    },
    /** One tap: the event's pre-approved emergency or redirect reply under every message not yet replied to. */
    template: (group, template) => actions.replyWith(template, replyable(group)),
    async replyWith(template, messages) {
      const todo = messages.filter((m) => !sending.has(m.id)); // a second tap while the first is on its way
      if (!todo.length) return;
      let sent = 0;
      let declined = 0;
      let problem = null;
      for (const m of todo) {
        sending.add(m.id);
        try {
          // During an emergency hold each emergency reply is asked about on its own (Cancel focused).
          const result = template === 'emergency' ? await sendEmergencyReply(state, messageOf(m))
            : await api(`/api/messages/${m.id}/template-reply`, { method: 'POST', body: { template } });
          if (result === null) declined += 1;
          else sent += 1;
        } catch (err) {
          problem = err;
        } finally {
          sending.delete(m.id);
        }
      }
      refresh();
      const what = template === 'emergency' ? 'emergency reply' : 'redirect reply';
      const failed = todo.length - sent - declined;
      if (!problem && declined) {
        say(sent ? `The ${what} is on its way to ${sent} asker${sent > 1 ? 's' : ''}; ${declined} not sent (you cancelled).`
          : `No ${what} sent: you cancelled.`, 'info');
      } else if (sent && failed) say(`The ${what} is on its way to ${sent} asker${sent > 1 ? 's' : ''}; ${failed} could not get it: ${problem.message}`, 'error');
      else if (sent) say(`The ${what} is on its way to ${sent} asker${sent > 1 ? 's' : ''}.`, 'good');
      else if (problem instanceof ApiError && problem.status === 409) say(`No ${what} sent: ${problem.message}.`, problem.field ? 'error' : 'info');
      else if (problem) say(`No ${what} sent: ${problem.message}`, 'error');
    },
    sendBank: (group, suggestion, mode) => run('Send answer', () => api(groupPath(group, 'answer'), { method: 'POST', body: { bank_item_id: suggestion.item_id, mode } }),
      (result) => serverSays(result) || 'The pre-approved answer is going out now.'),
    sendNew: (group, caption, mode) => run('Send answer', () => api(groupPath(group, 'answer'), { method: 'POST', body: { caption, mode } }),
      (result) => serverSays(result) || (isEmergency(state)
        // Under an emergency hold nothing goes out: the page says what the server says posting is now.
        ? `Your answer is saved.${state.live && state.live.posting_rule ? ` ${sentence(state.live.posting_rule)}` : ''}`
        : result && result.status === 'answered' ? 'Your answer is going out now.'
          : 'Your answer is saved and waiting for comms approval. It goes out as soon as comms approves it.')),
  };

  function platformsOf(group, mode) {
    if (mode === 'thread') return (state.event.platforms || []).filter((p) => p.enabled).map((p) => p.platform);
    return [...new Set(replyable(group).map((m) => m.platform))].filter((p) => LIMITS[p]);
  }

  function makeComposer(group) {
    const id = `answer-${group.id}`;
    const c = { group, mode: 'reply_each', suggestions: null };
    c.text = h('textarea', { id: `${id}-text`, rows: 4, maxlength: 2000, dataset: { focusKey: `${id}-text` } });
    c.counter = h('p', { class: 'tb-counter', id: `${id}-count` });
    c.text.setAttribute('aria-describedby', c.counter.id);
    c.send = h('button', { type: 'button', class: 'btn btn-primary tb-btn', dataset: { focusKey: `${id}-send` } }, 'Send for approval');
    c.list = h('div', { class: 'tb-suggestions' }, h('p', { class: 'muted' }, 'Looking in the answer bank…'));
    const radio = (value, label) => h('label', { class: 'tb-mode' },
      h('input', { type: 'radio', name: `${id}-mode`, value, checked: value === c.mode, onchange: () => { c.mode = value; update(c); } }), label);
    c.closed = h('p', { class: 'notice tb-closed', hidden: true });
    c.root = h('div', { class: 'tb-answer', dataset: { groupId: group.id } }, c.closed,
      h('fieldset', { class: 'tb-modes' }, h('legend', {}, 'Where the answer goes'),
        radio('reply_each', 'A reply to each asker'), radio('thread', 'One post in the event thread')),
      h('h3', { class: 'tb-answer-h' }, 'From the answer bank ', h('span', { class: 'muted' }, '(pre-approved: goes out at once)')),
      c.list,
      h('div', { class: 'field' }, h('label', { for: c.text.id }, 'Or write a new answer ', h('span', { class: 'muted' }, '(comms approves it before it goes out)')), c.text, c.counter),
      h('div', { class: 'tb-actions' }, c.send));
    c.text.addEventListener('input', () => update(c));
    c.send.addEventListener('click', async () => {
      const caption = c.text.value.trim();
      if (!caption) {
        say('Write the answer first.', 'error');
        c.text.focus();
        return;
      }
      c.send.disabled = true;
      const result = await actions.sendNew(c.group, caption, c.mode);
      if (result) c.text.value = '';
      update(c);
    });
    loadSuggestions(c);
    update(c);
    return c;
  }

  function update(c) {
    const ended = state.event.status === 'ended';
    c.closed.hidden = !ended;
    c.closed.textContent = ended ? 'The event has ended: answers can no longer be sent for it.' : '';
    for (const control of c.root.querySelectorAll('textarea, input, button')) {
      control.disabled = ended;
      if (ended) control.dataset.keepDisabled = '1';
      else delete control.dataset.keepDisabled;
    }
    if (ended) return;
    const text = c.text.value;
    const counts = platformsOf(c.group, c.mode).map((p) => ({ p, ...count(p, text) }));
    c.counter.textContent = counts.map((x) => `${platformName(x.p)} ${x.length} / ${x.max}`).join(' · ');
    const over = counts.some((x) => x.over);
    c.counter.classList.toggle('is-over', over);
    c.send.disabled = over || !text.trim();
  }

  async function loadSuggestions(c) {
    try {
      c.suggestions = await api(groupPath(c.group, 'suggestions'));
    } catch {
      c.suggestions = [];
    }
    renderSuggestions(c);
  }

  /** Ask before a bank answer goes to every asker: the answer quoted, and who gets it. */
  async function confirmBank(c, s) {
    const askers = replyable(c.group);
    const to = c.mode === 'thread' ? 'as one post in the event thread'
      : `to ${askers.length === 1 ? `@${askers[0].author_handle}` : `all ${askers.length} askers (${askers.slice(0, 4).map((m) => `@${m.author_handle}`).join(', ')}${askers.length > 4 ? ', …' : ''})`}`;
    return ask({
      title: 'Send this pre-approved answer?', confirmLabel: 'Send answer', tone: 'good',
      body: [h('blockquote', { class: 'dialog-quote' }, s.caption), h('p', {}, `It goes out at once ${to}.`),
        s.question ? h('p', { class: 'muted' }, `It was written for “${s.question}”. Send it only if it answers this question.`) : null],
    });
  }

  function suggestion(c, s, rank) {
    const strong = s.score >= GOOD_MATCH;
    return h('li', { class: ['tb-suggestion', !strong && 'is-weak'], dataset: { bankItemId: s.item_id, score: s.score } },
      h('p', { class: 'tb-match' }, h('span', { class: ['pill', strong ? 'pill-approved' : 'pill-draft'] },
        rank === 0 && strong ? 'Best match' : strong ? 'Good match' : 'Weak match'), ` ${Math.round(s.score * 100)}% alike`),
      s.question ? h('p', { class: 'muted tb-suggestion-q' }, `For “${s.question}”`) : null,
      h('p', { class: 'tb-suggestion-text' }, s.caption),
      h('button', { type: 'button', class: ['btn', strong ? 'btn-good' : '', 'tb-btn'], dataset: { focusKey: `bank-${c.group.id}-${s.item_id}` }, onclick: async () => {
        if (await confirmBank(c, s)) await actions.sendBank(c.group, s, c.mode);
      } }, 'Use this answer…'));
  }

  function renderSuggestions(c) {
    const list = (c.suggestions || []).filter((s) => s.caption).sort((a, b) => b.score - a.score);
    const strong = list.filter((s) => s.score >= GOOD_MATCH);
    const weak = list.filter((s) => s.score < GOOD_MATCH);
    c.list.replaceChildren(
      strong.length ? h('ol', { class: 'tb-suggestion-list' }, strong.map((s, i) => suggestion(c, s, i)))
        : h('p', { class: 'muted' }, 'No pre-approved answer fits this question. Write a new one below.'),
      weak.length ? h('details', { class: 'tb-weak' }, h('summary', {}, `Other pre-approved answers (${weak.length}, weak matches)`),
        h('ol', { class: 'tb-suggestion-list' }, weak.map((s) => suggestion(c, s, 1)))) : null);
  }

  /** The composer of a group (created once, then reused so what the clinician typed survives updates). */
  function composer(group) {
    let c = composers.get(group.id);
    if (!c) {
      c = makeComposer(group);
      composers.set(group.id, c);
    }
    c.group = group;
    update(c);
    return c.root;
  }

  /** Forget composers of groups that left the queue, or that are no longer this user's and hold no text. */
  function prune(groups) {
    const byId = new Map(groups.map((g) => [g.id, g]));
    for (const [id, c] of composers) {
      const group = byId.get(id);
      if (!group || (group.claimed_by !== state.me.id && !c.text.value.trim())) composers.delete(id);
    }
  }

  return { actions, composer, prune };
}
