"""Driving the dispatcher through retries with the fake clock, checking that no retry comes early."""

from __future__ import annotations

from datetime import timedelta

from server.models import Delivery
from tests.livekit import LiveKit
from tests.publishing.platform_kit import Harness

OPEN = ("pending", "unknown")


async def open_deliveries(kit: LiveKit, platform: str) -> list[Delivery]:
    """The platform's deliveries still waiting to be sent or reconciled."""
    return [d for d in await kit.deliveries() if d.platform == platform and d.status in OPEN]


async def step_to_next_attempt(kit: LiveKit, harness: Harness) -> bool:
    """Move the clock to the earliest future retry time, checking that a second before it nothing is sent.

    Returns False when no delivery of the platform is waiting.
    """
    await kit.pump()
    waiting = await open_deliveries(kit, harness.name)
    if not waiting:
        return False
    now = kit.clock.now()
    future = [d.next_attempt_at for d in waiting if d.next_attempt_at is not None and d.next_attempt_at > now]
    assert future, f"{harness.name}: due deliveries were not attempted: {[(d.id, d.status) for d in waiting]}"
    due = min(future)
    before = due - timedelta(seconds=1)
    if before > now:
        calls = harness.publish_calls()
        kit.clock.set(before)
        await kit.pump()
        assert harness.publish_calls() == calls, f"{harness.name}: sent before the retry time {due}"
    kit.clock.set(due)
    await kit.pump()
    return True


async def drain(kit: LiveKit, harness: Harness, max_steps: int = 12) -> None:
    """Step through retries until nothing of the platform is waiting."""
    for _ in range(max_steps):
        if not await step_to_next_attempt(kit, harness):
            return
    raise AssertionError(f"{harness.name}: deliveries still open after {max_steps} retry steps: "
                         f"{[(d.id, d.status, d.last_error) for d in await open_deliveries(kit, harness.name)]}")


async def delivery_of(kit: LiveKit, item_id: int, platform: str) -> Delivery:
    """The delivery of an item to a platform."""
    found = [d for d in await kit.deliveries() if d.item_id == item_id and d.platform == platform]
    assert len(found) == 1, found
    return found[0]


async def retry_wait(kit: LiveKit, item_id: int, platform: str) -> float:
    """Seconds from now until the delivery's next attempt."""
    delivery = await delivery_of(kit, item_id, platform)
    assert delivery.next_attempt_at is not None
    return (delivery.next_attempt_at - kit.clock.now()).total_seconds()
