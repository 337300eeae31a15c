"""An emergency on the tablet: the alarm sound starts (WebAudio tones), the device vibrates where it can, and a
browser notification appears when the page is in the background (Chromium with the notifications permission
granted; navigator.vibrate, Notification and the oscillators are recorded by an init script)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, expect
from tests.ui.questions_kit import EMERGENCY_REPLY, audience_reply, live_event_with_post

pytestmark = pytest.mark.slow

RECORDER = """
window.__alarm = { vibrate: [], notifications: [], tones: 0 };
Object.defineProperty(Navigator.prototype, 'vibrate', { configurable: true,
  value(pattern) { window.__alarm.vibrate.push(pattern); return true; } });
const RealNotification = window.Notification;
window.Notification = class {
  constructor(title, options) { window.__alarm.notifications.push({ title, body: (options || {}).body }); }
  static get permission() { return RealNotification.permission; }
  static requestPermission() { return RealNotification.requestPermission(); }
};
const realStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__alarm.tones += 1; return realStart.apply(this, args); };
let hidden = false;
window.__setHidden = (value) => { hidden = value; };
Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true,
  get() { return hidden ? 'hidden' : 'visible'; } });
"""


def _recorded(context: Any) -> None:
    context.grant_permissions(["notifications"])
    context.add_init_script(RECORDER)


def test_emergency_sound_vibration_and_background_notification(open_page: Callable[..., Any], apis: dict[str, Api],
                                                                server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Background alarm drill", "Ask away. #LiveOR", extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=768, height=1024, touch=True,
                       before=_recorded)
    tablet.locator("#alarm-toggle").tap()  # browsers allow sound only after a tap
    expect(tablet.locator("#alarm-toggle")).to_have_attribute("aria-pressed", "true")
    assert tablet.evaluate("Notification.permission") == "granted"
    tablet.evaluate("() => { window.__alarm.tones = 0; window.__setHidden(true); }")  # the clinician switched apps
    audience_reply(server.url, anchor["id"], "kim_r", "Kim R",
                   "I have crushing chest pain right now and my left arm is numb, what do I do?")
    expect(tablet.locator('.tb-alert[data-kind="alert.emergency_message"]')).to_be_visible(timeout=30_000)
    expect(tablet.locator("body")).to_have_attribute("data-last-alarm-used",
                                                     re.compile(r"^sound vibration notification$"))
    calls = tablet.evaluate("window.__alarm")
    assert calls["tones"] >= 3  # the alarm sound started: three beeps
    assert calls["vibrate"] and calls["vibrate"][0] == [300, 120, 300, 120, 300]
    assert calls["notifications"][0]["title"] == "Possible emergency from the audience"
    screenshot(tablet, "tablet-emergency-alarm-768x1024")
    assert tablet.errors == []


def test_no_notification_while_the_page_is_in_front(open_page: Callable[..., Any], apis: dict[str, Api],
                                                   server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Foreground alarm drill", "Ask away. #LiveOR", extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=768, touch=True,
                       before=_recorded)
    audience_reply(server.url, anchor["id"], "lou_p", "Lou P", "My husband collapsed and is not breathing, help!")
    expect(tablet.locator('.tb-alert[data-kind="alert.emergency_message"]')).to_be_visible(timeout=30_000)
    expect(tablet.locator("body")).to_have_attribute("data-last-alarm-used", "vibration")  # sound is off by default
    assert tablet.evaluate("window.__alarm.notifications") == []
    assert tablet.errors == []
