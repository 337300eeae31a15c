// Pages that follow the event: the picker lists live events first, and an open page learns (every 15 s) when
// another event goes live. It says so with a "Switch to it" button, or switches by itself when its own event has
// ended and `autoSwitch` is set (the tablet: a clinician must not sit on a finished event while questions arrive).
import { api, h, replaceChildren, RUNNING, sortEvents, switchEvent } from './core.js';

const WORDS = { draft: 'not started', rehearsal: 'rehearsal', live: 'LIVE', held: 'on hold', ended: 'ended' };
export const optionLabel = (e) => `${RUNNING.has(e.status) ? '● ' : ''}${e.title} (${WORDS[e.status] || e.status})`;

/** Fill the event picker (live ones first); hidden or disabled when there is nothing to pick. */
export function fillPicker(picker, events, current) {
  replaceChildren(picker, sortEvents(events).map((e) => h('option', { value: e.id, selected: current && e.id === current.id }, optionLabel(e))));
  if (!picker.dataset.wired) {
    picker.dataset.wired = '1';
    picker.addEventListener('change', () => switchEvent(Number(picker.value)));
  }
}

export function followEvents({ state, picker, banner, autoSwitch = false, every = 15000 }) {
  const dismissed = new Set();

  function render() {
    const others = sortEvents(state.events).filter((e) => e.id !== state.event.id && RUNNING.has(e.status));
    if (autoSwitch && state.event.status === 'ended' && others.length) {
      switchEvent(others[0].id);
      return;
    }
    const shown = others.find((e) => !dismissed.has(e.id));
    banner.hidden = !shown;
    if (!shown) {
      replaceChildren(banner);
      return;
    }
    replaceChildren(banner,
      h('span', {}, h('strong', {}, `“${shown.title}” is ${shown.status === 'live' ? 'live' : 'on hold'} now.`),
        state.event.status === 'ended' ? ' This page shows an event that has ended.' : ' This page shows another event.'),
      h('button', { type: 'button', class: 'btn btn-primary btn-small', id: 'switch-event', onclick: () => switchEvent(shown.id) }, 'Switch to it'),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => { dismissed.add(shown.id); render(); } }, 'Stay here'));
  }

  async function check() {
    try {
      state.events = await api('/api/events');
    } catch {
      return; // the page's own refresh says when the server cannot be reached
    }
    const mine = state.events.find((e) => e.id === state.event.id);
    if (mine) Object.assign(state.event, { status: mine.status });
    fillPicker(picker, state.events, state.event);
    render();
  }

  fillPicker(picker, state.events, state.event);
  render();
  window.setInterval(check, every);
  return { check, render };
}
