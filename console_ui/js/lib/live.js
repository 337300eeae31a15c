// The live feed (the journal over a WebSocket, resumed after drops) and its indicator and banner.
import { h, replaceChildren } from './core.js';

// The live feed: the journal over a WebSocket, resumed from the last sequence number after any drop.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
export const JOURNAL_KEEP = 1000; // entries a page keeps for its activity log (the first load's snapshot sends as many)

const SILENCE_MS = 25000; // the server sends a heartbeat every 10 s; this much silence means a dead link

export class LiveFeed {
  /**
   * @param {object} options
   * @param {number} options.eventId  the event whose entries to receive
   * @param {number} options.after    the last sequence number already seen (entries after it are sent)
   * @param {(entry: object, live: boolean) => void} options.onEntry
   * @param {() => void} options.onCaughtUp  after the backlog of each (re)connection
   * @param {(state: string) => void} options.onState  'connecting' | 'live' | 'reconnecting' | 'signed-out' | 'refused'
   */
  constructor({ eventId, after = 0, onEntry, onCaughtUp, onState }) {
    Object.assign(this, { eventId, seq: after, onEntry, onCaughtUp, onState });
    this.socket = null;
    this.attempt = 0;
    this.caughtUp = false;
    this.stopped = false;
    this.lastFrameAt = Date.now();
    this.timer = null;
    this.watchdog = null;
  }

  start() {
    this.stopped = false;
    this.connect();
    this.watchdog = window.setInterval(() => this.checkSilence(), 5000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.socket && !this.stopped) this.reconnectNow();
    });
    window.addEventListener('online', () => this.reconnectNow());
  }

  stop() {
    this.stopped = true;
    window.clearInterval(this.watchdog);
    window.clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, 'page closed');
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams({ after: String(this.seq) });
    if (this.eventId) params.set('event_id', String(this.eventId));
    return `${scheme}//${location.host}/api/ws?${params}`;
  }

  connect() {
    window.clearTimeout(this.timer);
    this.timer = null;
    this.caughtUp = false;
    this.onState(this.attempt ? 'reconnecting' : 'connecting');
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.lastFrameAt = Date.now();
    socket.addEventListener('message', (message) => this.receive(message));
    socket.addEventListener('close', (event) => this.closed(socket, event));
  }

  receive(message) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === 'entry' && frame.entry) {
      if (frame.entry.seq <= this.seq) return;
      this.seq = frame.entry.seq;
      this.onEntry(frame.entry, this.caughtUp);
    } else if (frame.type === 'caught_up') {
      this.seq = Math.max(this.seq, frame.seq || 0);
      this.caughtUp = true;
      this.attempt = 0;
      this.onState('live');
      this.onCaughtUp();
    } else if (frame.type === 'heartbeat') {
      this.seq = Math.max(this.seq, frame.seq || 0);
    }
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.stopped) return;
    if (event.code === 4401 || event.code === 4403) {
      // Not logged in, or refused (role, or a page of another site): retrying cannot help.
      this.onState(event.code === 4401 ? 'signed-out' : 'refused');
      return;
    }
    this.onState('reconnecting');
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.timer || this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.timer = window.setTimeout(() => this.connect(), base + Math.random() * base * 0.3);
  }

  reconnectNow() {
    if (this.socket || this.stopped) return;
    this.connect();
  }

  checkSilence() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN && Date.now() - this.lastFrameAt > SILENCE_MS) {
      this.socket.close(4000, 'no heartbeat');
    }
  }
}

// The connection indicator in the header and the banner shown while live updates are down.

const LABELS = {
  connecting: 'Connecting…',
  live: 'Live updates on',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
  refused: 'Live updates refused',
};

export function connectionUi({ indicator, banner, timeZoneOf }) {
  let lastUpdate = null;
  let state = 'connecting';

  function render() {
    document.body.dataset.feed = state;
    indicator.dataset.state = state;
    replaceChildren(indicator, h('span', { class: 'dot', 'aria-hidden': 'true' }), LABELS[state] || state);
    const ended = state === 'signed-out' || state === 'refused';
    const down = state === 'reconnecting' || ended;
    banner.hidden = !down;
    if (!down) return;
    const since = lastUpdate
      ? ` Last update received at ${lastUpdate.toLocaleTimeString('en-GB', { timeZone: timeZoneOf() })}.`
      : '';
    const message = {
      'signed-out': 'Your session has ended. Log in again to see live changes.',
      refused: 'This account may not receive live changes on this page. Log in with the right account.',
    }[state] || `Reconnecting… what you see may be out of date until the connection is back.${since}`;
    replaceChildren(banner, h('strong', {}, 'Live updates disconnected. '), message,
      ended ? h('a', { href: '/login', class: 'banner-link' }, 'Log in') : null);
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
