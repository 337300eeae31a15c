"""Fault injection for the sandbox: latency, 429 with a reset, 5xx, and a timeout after the post was stored."""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["rate_limit", "server_error", "timeout_after_store", "reset_before_send"]
FAULT_KINDS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout_after_store", "reset_before_send")


@dataclass
class Fault:
    """One queued fault."""

    kind: FaultKind
    retry_after: float = 1.0


@dataclass
class FaultPlan:
    """Faults to inject per operation (`publish`, `upload`, `fetch`), consumed in order, plus latency."""

    latency_seconds: float = 0.0
    queued: dict[str, deque[Fault]] = field(default_factory=dict)
    every_nth: dict[str, tuple[int, Fault]] = field(default_factory=dict)
    _calls: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FaultPlan:
        """A plan from the environment, for drills and process-level tests.

        `LIVECUE_SANDBOX_LATENCY_MS` delays every sandbox call; `LIVECUE_SANDBOX_FAULT_EVERY=N` makes every
        N-th publish fail with `LIVECUE_SANDBOX_FAULT_KIND` (default `timeout_after_store`).
        """
        env = os.environ if environ is None else environ
        plan = cls(latency_seconds=float(env.get("LIVECUE_SANDBOX_LATENCY_MS") or 0) / 1000)
        every = int(env.get("LIVECUE_SANDBOX_FAULT_EVERY") or 0)
        kind = env.get("LIVECUE_SANDBOX_FAULT_KIND") or "timeout_after_store"
        if kind not in FAULT_KINDS:
            raise ValueError(f"LIVECUE_SANDBOX_FAULT_KIND must be one of {', '.join(FAULT_KINDS)}")
        if every > 0:
            plan.every_nth["publish"] = (every, Fault(kind))
        return plan

    def add(self, op: str, kind: FaultKind, count: int = 1, retry_after: float = 1.0) -> None:
        """Queue `count` faults for the next calls of `op`."""
        self.queued.setdefault(op, deque()).extend(Fault(kind, retry_after) for _ in range(count))

    def clear(self) -> None:
        """Remove every fault and the latency."""
        self.queued.clear()
        self.every_nth.clear()
        self.latency_seconds = 0.0

    async def before(self, op: str) -> Fault | None:
        """Apply latency and return the fault for this call, if any."""
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        self._calls[op] = self._calls.get(op, 0) + 1
        queue = self.queued.get(op)
        if queue:
            return queue.popleft()
        nth = self.every_nth.get(op)
        if nth and self._calls[op] % nth[0] == 0:
            return nth[1]
        return None

    def describe(self) -> dict[str, object]:
        """What is configured, for the API."""
        return {"latency_seconds": self.latency_seconds,
                "queued": {op: [f.kind for f in q] for op, q in self.queued.items() if q}}
