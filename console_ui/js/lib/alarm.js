// Emergency alerts a clinician cannot miss: a beep (WebAudio, no sound file), a vibration where the device allows,
// and a system notification while the page is in the background. Browsers allow sound and notifications only
// after a tap, so the page offers "Turn on alert sounds" once; the choice is remembered on this device.
import { h } from './core.js';

const KEY = 'livecue.alarm';
let audio = null;

function context() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!audio && Ctx) audio = new Ctx();
  return audio;
}

/** Three short beeps at 880 Hz. */
export function beep() {
  const ctx = context();
  if (!ctx) return false;
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < 3; i += 1) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start + i * 0.3);
    gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.3 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.3 + 0.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + i * 0.3);
    osc.stop(start + i * 0.3 + 0.22);
  }
  return true;
}

/** Sound, vibration and (in the background) a notification; returns what was used, for tests and the log. */
export function raise(title, body) {
  const used = [];
  document.body.dataset.lastAlarm = String(Date.now());
  if (localStorage.getItem(KEY) === 'on' && beep()) used.push('sound');
  if (navigator.vibrate && navigator.vibrate([300, 120, 300, 120, 300])) used.push('vibration');
  if (document.visibilityState === 'hidden' && 'Notification' in window && Notification.permission === 'granted') {
    try {
      new Notification(title, { body, tag: 'livecue-emergency', requireInteraction: true });
      used.push('notification');
    } catch {
      // some platforms only notify from a service worker
    }
  }
  document.body.dataset.lastAlarmUsed = used.join(' ');
  return used;
}

/** The "Turn on alert sounds" button: unlocks audio and asks for notifications, both need a tap. */
export function alarmButton() {
  const on = () => localStorage.getItem(KEY) === 'on';
  const button = h('button', { type: 'button', class: 'btn btn-quiet', id: 'alarm-toggle', 'aria-pressed': String(on()) });
  const show = () => {
    button.textContent = on() ? 'Alert sound: on' : 'Alert sound: off';
    button.setAttribute('aria-pressed', String(on()));
  };
  button.addEventListener('click', async () => {
    if (on()) {
      localStorage.setItem(KEY, 'off');
    } else {
      localStorage.setItem(KEY, 'on');
      beep();
      if ('Notification' in window && Notification.permission === 'default') await Notification.requestPermission().catch(() => {});
    }
    show();
  });
  // After any tap the audio context may start: browsers keep it suspended until then.
  document.addEventListener('pointerdown', () => { if (on() && audio && audio.state === 'suspended') audio.resume().catch(() => {}); }, { once: true });
  show();
  return button;
}
