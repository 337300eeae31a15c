// The status bar (state, clocks, time zone, readiness) and the live controls.
import { clock, dateTime, duration, h, platformName, replaceChildren, zoneName } from '../lib/core.js';
import { EMERGENCY_BLOCKS_POSTS, eventPill, isEmergency } from '../lib/items.js';

/** Seconds since the live status was fetched, to advance its clocks between fetches. */
const since = (state) => (performance.now() - state.liveFetchedAt) / 1000;

function elapsedText(state) {
  const live = state.live;
  if (!live || live.elapsed_seconds === null || live.elapsed_seconds === undefined) return '—';
  const extra = state.event.status === 'ended' ? 0 : since(state);
  return duration(live.elapsed_seconds + extra);
}

function nextText(state) {
  const live = state.live;
  const tz = state.event.timezone;
  if (state.event.status === 'held') return 'Stopped — the event is on hold';
  if (!['live', 'rehearsal'].includes(state.event.status)) return state.event.status === 'ended' ? '—' : 'Starts when you go live';
  if (!live || !live.next_automatic) return 'None scheduled — the rest waits for cues';
  const waiting = live.next_automatic.waiting_for
    || ((live.upcoming || []).find((u) => u.id === live.next_automatic.id) || {}).waiting_for;
  if (waiting) return `“${live.next_automatic.key}” — ${waiting}`;
  const left = Math.max(0, live.seconds_to_next - since(state));
  return `“${live.next_automatic.key}” in ${duration(left)} · ${clock(live.next_automatic.planned_at, tz)}`;
}

/** Update only the ticking numbers (called every second). */
export function tick(state) {
  const elapsed = document.getElementById('elapsed');
  const next = document.getElementById('next-auto');
  if (elapsed) elapsed.textContent = elapsedText(state);
  if (next) next.textContent = nextText(state);
}

function stat(label, value, id) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value', id }, value));
}

export function renderStatus(el, state) {
  const { event, live } = state;
  const tz = event.timezone;
  const platforms = Object.entries((live && live.platforms) || {});
  const waitingQuestions = (state.questions && state.questions.summary && state.questions.summary.open_groups) || 0;
  replaceChildren(el,
    h('div', { class: 'status-title' },
      h('h1', { class: 'event-title' }, event.title),
      eventPill(state),
      h('span', { class: 'muted hashtag' }, event.hashtag),
      h('span', { class: 'muted tz', title: 'Times are shown in the event’s time zone' }, `${tz.replace(/_/g, ' ')} (${zoneName(tz)})`)),
    h('div', { class: 'stats' },
      stat(event.started_at ? 'Elapsed' : 'Planned start', event.started_at ? elapsedText(state) : dateTime(event.planned_start, tz), event.started_at ? 'elapsed' : undefined),
      h('div', { class: 'stat stat-next' }, h('span', { class: 'stat-label' }, 'Next automatic post'), h('span', { class: 'stat-value', id: 'next-auto' }, nextText(state))),
      live && Number.isInteger(live.safety_delay_seconds)
        ? stat('Safety delay', live.safety_delay_seconds ? `${live.safety_delay_seconds} s` : 'None — posts leave at once', 'safety-delay') : null,
      stat('Platforms', platforms.length
        ? h('span', { class: 'chips' }, platforms.map(([p, ready]) => h('span', { class: ['chip', ready ? 'chip-good' : 'chip-bad'] }, `${platformName(p)} ${ready ? 'ready' : 'not set up'}`)))
        : 'none'),
      stat('Patient consent', live && live.patient_authorization
        ? h('span', { class: 'chip chip-good' }, 'On file')
        : h('span', { class: 'chip chip-bad' }, event.status === 'ended' ? 'None' : 'Missing — cannot go live')),
      stat('Questions waiting', String(waitingQuestions), 'questions-waiting')),
    live && live.posting_rule && event.status !== 'ended' ? h('p', { class: ['posting-rule', isEmergency(state) && 'is-emergency', event.status === 'held' && 'is-held'], id: 'posting-rule' },
      h('span', { class: 'posting-rule-label' }, 'Posting now: '), h('span', { class: 'posting-rule-text' }, live.posting_rule)) : null);
}

export function renderControls(el, state, actions) {
  const s = state.event.status;
  const btn = (label, onclick, cls = '', key = label) => h('button', { type: 'button', class: ['btn', cls], onclick, dataset: { focusKey: `ctl-${key}` } }, label);
  const upcoming = (state.live && state.live.upcoming) || [];
  const next = upcoming[0];
  const main = [];
  if (s === 'draft' || s === 'rehearsal') main.push(btn('Go live', actions.goLive, 'btn-primary'));
  if (s === 'live' || s === 'held' || s === 'rehearsal') { // a rehearsal is driven from here too (Setup says so)
    const ready = next && next.status === 'approved';
    const cue = btn(next ? `Cue next: “${next.key}”` : 'Cue next', actions.cueNext, 'btn-primary', 'cue');
    if (!ready || isEmergency(state)) {
      cue.disabled = true;
      cue.title = isEmergency(state) ? EMERGENCY_BLOCKS_POSTS : next ? `“${next.key}” is not approved yet` : 'Nothing left to cue';
    }
    main.push(cue);
    if (s !== 'rehearsal') {
      main.push(s === 'live' ? btn('Hold', actions.hold) : btn('Resume live posting…', actions.resume, 'btn-good', 'resume'));
      main.push(btn('End event', actions.end, 'btn-danger', 'end'));
    }
  }
  const emergency = (s === 'live' || s === 'held')
    ? h('button', { type: 'button', class: 'btn btn-emergency', id: 'emergency-hold', onclick: actions.emergencyHold, dataset: { focusKey: 'ctl-emergency' } },
      h('span', { class: 'stop-icon', 'aria-hidden': 'true' }), 'Emergency hold')
    : null;
  if (s === 'draft' || s === 'rehearsal') main.push(h('a', { class: 'btn btn-quiet', href: `/setup?event=${state.event.id}` }, 'Setup & pre-flight'));
  main.push(btn('New post…', actions.compose, 'btn-quiet', 'compose'));
  if (s === 'ended') main.length = 0;
  const note = s === 'ended' ? h('p', { class: 'muted', id: 'read-only-note' }, 'This event has ended: everything here is read-only. Nothing more can be written, approved or posted.') : null;
  const blocked = isEmergency(state)
    ? h('p', { class: 'controls-note', id: 'cue-blocked' }, 'Cue next and Post now wait until you resume: the emergency hold stops every post.') : null;
  replaceChildren(el, h('div', { class: 'controls-main' }, main, note, blocked), emergency);
}

export function renderEmergencyBanner(el, state) {
  const on = isEmergency(state);
  el.hidden = !on;
  if (on) {
    // What goes out now is the server's sentence, shown under the title (“Posting now”); older servers give none.
    const rule = state.live && state.live.posting_rule;
    replaceChildren(el, h('strong', {}, 'EMERGENCY HOLD. '),
      rule ? 'Unsent posts were pulled back; what may still go out is under the title.' : 'All automatic posting has stopped and unsent posts were pulled back.',
      ' Resume only when the clinical team says it is safe.');
  }
}
