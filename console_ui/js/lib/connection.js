// The connection indicator in the header and the banner shown while live updates are down.
import { h, replaceChildren } from './dom.js';

const LABELS = {
  connecting: 'Connecting…',
  live: 'Live updates on',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
};

export function connectionUi({ indicator, banner, timeZoneOf }) {
  let lastUpdate = null;
  let state = 'connecting';

  function render() {
    document.body.dataset.feed = state;
    indicator.dataset.state = state;
    replaceChildren(indicator, h('span', { class: 'dot', 'aria-hidden': 'true' }), LABELS[state] || state);
    const down = state === 'reconnecting' || state === 'signed-out';
    banner.hidden = !down;
    if (!down) return;
    const since = lastUpdate
      ? ` Last update received at ${lastUpdate.toLocaleTimeString('en-GB', { timeZone: timeZoneOf() })}.`
      : '';
    const message = state === 'signed-out'
      ? 'Your session has ended. Log in again to see live changes.'
      : `Reconnecting… what you see may be out of date until the connection is back.${since}`;
    replaceChildren(banner, h('strong', {}, 'Live updates disconnected. '), message,
      state === 'signed-out' ? h('a', { href: '/login', class: 'banner-link' }, 'Log in') : null);
  }

  return {
    setState(next) {
      state = next;
      render();
    },
    touched() {
      lastUpdate = new Date();
    },
  };
}
