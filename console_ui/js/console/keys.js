// Keyboard shortcuts for the live hour, and their help overlay (`?`). Single keys, ignored while typing or while a
// dialog is open; anything that posts or stops posting opens its confirmation with "Cancel" focused.
import { ask } from '../lib/dialog.js';
import { h } from '../lib/core.js';

const KEYS = [
  ['?', 'Show these shortcuts'],
  ['c', 'Cue the next item (asks first)'],
  ['h', 'Hold, or resume after a hold (asks first)'],
  ['e', 'Emergency hold (asks first)'],
  ['n', 'Jump to the next item in the run of show'],
  ['j / k', 'Move to the next / previous item'],
  ['a', 'Approvals waiting for you'],
  ['q', 'Incoming questions'],
  ['w', 'Write an ad-hoc post'],
  ['l', 'Activity log'],
  ['s', 'Setup and pre-flight checklist'],
];

const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

function focusPane(id) {
  const pane = document.getElementById(id);
  if (!pane) return;
  pane.scrollIntoView({ block: 'start' });
  pane.focus({ preventScroll: true });
}

function moveInRunOfShow(step) {
  const rows = [...document.querySelectorAll('#timeline .tl-item')];
  const at = rows.findIndex((r) => r.contains(document.activeElement));
  const next = rows[Math.min(rows.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
  if (!next) return;
  next.tabIndex = -1;
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}

export function showKeys() {
  return ask({
    title: 'Keyboard shortcuts', confirmLabel: null, cancelLabel: 'Close',
    body: h('dl', { class: 'keys-list' }, KEYS.map(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, what)])),
  });
}

/** Wire the shortcuts; returns {handle(event), help()} so the key that loaded this module is not lost. */
export function setUpKeys({ state, actions }) {
  const s = () => state.event.status;
  const running = () => ['live', 'held'].includes(s());
  const confirmThen = async (title, body, label, run) => {
    if (await ask({ title, body, confirmLabel: label, tone: 'danger' })) run();
  };
  const table = {
    '?': showKeys,
    c: () => {
      if (!running() && s() !== 'rehearsal') return;
      const next = ((state.live && state.live.upcoming) || [])[0];
      confirmThen(next ? `Cue next: “${next.key}”?` : 'Cue next?', 'It goes out now (after the safety delay, if any).', 'Cue next', actions.cueNext);
    },
    h: () => {
      if (s() === 'held') actions.resume();
      else if (s() === 'live') confirmThen('Hold the event?', 'Nothing posts automatically until you resume.', 'Hold', actions.hold);
    },
    e: () => { if (running()) actions.emergencyHold(); },
    n: () => {
      const next = document.querySelector('#timeline .tl-item.is-next') || document.querySelector('#timeline .tl-item');
      if (next) { next.tabIndex = -1; next.focus(); next.scrollIntoView({ block: 'nearest' }); }
    },
    j: () => moveInRunOfShow(1),
    k: () => moveInRunOfShow(-1),
    a: () => focusPane('approvals-pane'),
    q: () => focusPane('questions-pane'),
    w: () => { if (s() !== 'ended') actions.compose(); },
    l: () => focusPane('activity-pane'),
    s: () => { location.assign(`/setup?event=${state.event.id}`); },
  };
  const handle = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target) || document.querySelector('dialog[open]')) return;
    const run = table[event.key] || table[event.key.toLowerCase()];
    if (!run || (event.key.length === 1 && event.key !== '?' && event.shiftKey)) return;
    event.preventDefault();
    run();
  };
  document.addEventListener('keydown', handle);
  return { handle, help: showKeys };
}
