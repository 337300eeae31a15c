// Posts in their safety-delay countdown (from the live status), at the top of the console with the seconds
// left ticking and a one-click "Pull back" each. The panel sticks to the top of the window while it has any.
import { h, platformName, replaceChildren } from '../lib/core.js';

const PURPOSES = { thread: 'timeline post', holding: 'holding message', reply: 'reply', answer: 'answer' };
const since = (state) => (performance.now() - state.liveFetchedAt) / 1000;

function secondsLeft(entry, state) {
  return Math.max(0, Math.ceil((entry.seconds_left ?? 0) - since(state)));
}

const leftText = (n) => (n > 0 ? `${n} s` : 'leaving now…');

export function renderCountdown(el, state, actions) {
  const entries = (state.live && state.live.countdown) || [];
  el.hidden = !entries.length;
  if (!entries.length) {
    replaceChildren(el);
    return;
  }
  const delay = state.live.safety_delay_seconds;
  replaceChildren(el,
    h('h2', { class: 'countdown-title', id: 'countdown-h' }, 'About to go out',
      h('span', { class: 'countdown-sub' }, delay ? ` — safety delay ${delay} s: pull a post back before it leaves` : ' — pull a post back before it leaves')),
    h('ul', { class: 'countdown-list', 'aria-labelledby': 'countdown-h' }, entries.map((entry) => {
      const left = secondsLeft(entry, state);
      const what = entry.item_key ? `“${entry.item_key}”` : PURPOSES[entry.purpose] || entry.purpose || 'post';
      return h('li', { class: 'countdown-item', dataset: { deliveryId: entry.delivery_id, itemId: entry.item_id ?? '' } },
        h('span', { class: 'countdown-secs', dataset: { secondsLeft: entry.seconds_left ?? 0 }, 'aria-label': `${left} seconds left` }, leftText(left)),
        h('span', { class: 'countdown-what' },
          h('strong', {}, what), ` on ${platformName(entry.platform)}`,
          entry.purpose && entry.purpose !== 'thread' && entry.item_key ? h('span', { class: 'muted' }, ` (${PURPOSES[entry.purpose] || entry.purpose})`) : null),
        h('span', { class: 'countdown-text' }, entry.text || ''),
        h('button', {
          type: 'button', class: 'btn btn-danger btn-small countdown-pull', onclick: () => actions.pullBack(entry),
          'aria-label': `Pull back ${what} on ${platformName(entry.platform)}`, dataset: { focusKey: `pull-${entry.delivery_id}` },
        }, 'Pull back'));
    })));
}

/** Advance the seconds between fetches (called every second). */
export function tickCountdown(el, state) {
  const entries = new Map(((state.live && state.live.countdown) || []).map((e) => [String(e.delivery_id), e]));
  for (const row of el.querySelectorAll('.countdown-item')) {
    const entry = entries.get(row.dataset.deliveryId);
    const secs = row.querySelector('.countdown-secs');
    if (!entry || !secs) continue;
    const left = secondsLeft(entry, state);
    secs.textContent = leftText(left);
    secs.setAttribute('aria-label', `${left} seconds left`);
  }
}
