"""FakeMastodon with a load generator: `mention` notifications appearing at a fixed rate, made on demand.

    python -m tests.fakes.mastodon_load --port 8081 [--check-every 10]

Generation is paused until `POST /_fake/load/start {"rate": 1000, "seconds": 60}`. From then on notification
`i` (0 <= i < rate * seconds) exists once `start + i / rate` has passed (times in whole milliseconds), with
`created_at` equal to that moment and a unique text; it mentions our account and replies to nothing. Nothing
is stored per message: a page of `GET /api/v1/notifications` is computed from the ids it asks for (notification
`NOTE_BASE + i`, status `STATUS_BASE + i`), so memory stays flat however many are generated. Everything else
(posting statuses, media, faults, ordinary notifications from `/_fake/reply`) is FakeMastodon's own.

Rate limits: a real instance allows one account 300 requests per 5 minutes, so at 80 notifications a page a
real single account could read about 80 mentions/s. This fake, like FakeMastodon, never answers 429 unless a
fault is injected: a load run measures Livecue, not the platform's quota.

Contract checks: every request is checked against the OpenAPI document as usual, and so is every response
except generated notification pages, of which only every `check_every`-th is checked (validating 80 full
notifications costs more than making them). `GET /_fake/load` reports how many pages were served and checked.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import uvicorn

from tests.fakes.asgi import FakeRequest, FakeResponse
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.mastodon_entities import Account, StatusRec, account_json, status_json
from tests.fakes.openapi_check import FormValue, OpenAPIChecker

NOTE_BASE = 120_000_000_000_000_000  # generated notification ids: NOTE_BASE + i (same length as the fake's own)
STATUS_BASE = 130_000_000_000_000_000  # generated status ids: STATUS_BASE + i
AUDIENCE = 500  # distinct audience accounts the generated mentions come from
TOPICS = ("bypass", "graft", "valve", "pump", "anaesthesia", "recovery", "scar", "drain", "rehab", "diet",
          "statin", "pacemaker", "rhythm", "camera", "nurse", "oxygen", "kidney", "stitches", "monitor", "team")
TEMPLATES = ("How long does the {t} take?", "What are the risks of the {t}?", "Is the {t} painful?",
             "Why do they need the {t} during the {u}?", "What happens to the {t} after the {u}?",
             "Can you explain the {t} and the {u}?", "Does the {t} affect the {u}?", "Who decides on the {t}?",
             "Great job with the {t}, thank you!", "When does the {u} start?")
SYLLABLES = ("ka", "lo", "mi", "ru", "sa", "te", "vo", "ne", "pi", "du", "fa", "go", "hu", "je", "be", "zo")


def iso_ms(ms: int) -> str:
    """Format a time in whole milliseconds since the epoch as Mastodon does (exact: no float rounding)."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def token(i: int) -> str:
    """A pronounceable word unique to `i` (digits could read as identifiers to the privacy screen)."""
    out = []
    while True:
        i, digit = divmod(i, len(SYLLABLES))
        out.append(SYLLABLES[digit])
        if i == 0:
            return "".join(out)


def message_text(i: int) -> str:
    """The unique text of generated mention `i` (after the @mention)."""
    template = TEMPLATES[i % len(TEMPLATES)]
    return template.format(t=TOPICS[(i // 7) % len(TOPICS)], u=TOPICS[(i // 3) % len(TOPICS)]) + f" ({token(i)})"


class SampledChecker(OpenAPIChecker):
    """Delegates to a checker; responses of generated notification pages are checked one in `every`."""

    def __init__(self, inner: OpenAPIChecker, every: int) -> None:  # no super().__init__: nothing of its own
        self.inner = inner
        self.every = max(1, every)
        self.pages = 0
        self.pages_checked = 0
        self.sample_next = True  # set by the fake before it answers a generated page

    def check_request(self, method: str, path: str, *, query: Sequence[tuple[str, str]] = (),
                      headers: Mapping[str, str] | None = None, content_type: str | None = None, body: bytes = b"",
                      form: Mapping[str, Sequence[FormValue]] | None = None) -> list[str]:
        """Check every request."""
        return self.inner.check_request(method, path, query=query, headers=headers, content_type=content_type,
                                        body=body, form=form)

    def check_response(self, method: str, path: str, status: int, content_type: str | None,
                       body: bytes) -> list[str]:
        """Check every response but the unsampled generated pages."""
        if not self.sample_next and method == "GET" and path == "/api/v1/notifications":
            self.sample_next = True
            return []
        return self.inner.check_response(method, path, status, content_type, body)


class LoadMastodon(FakeMastodon):
    """FakeMastodon plus rate-based mention generation (see the module docstring)."""

    def __init__(self, *, check_every: int = 10, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sampler = SampledChecker(self.checker, check_every)
        self.checker = self.sampler
        self.rate = 0
        self.total = 0
        self.start_ms: int | None = None
        self.served_max = -1  # highest generated index handed out so far
        self.audience = [Account(str(100_000_000_000_000_000 + n), f"fan{token(n)}", "clinic.example",
                                 f"Fan {token(n).title()}", self.domain) for n in range(AUDIENCE)]
        self._audience_json = [account_json(a, 1) for a in self.audience]
        self.add_route("POST", "/_fake/load/start", self._start_route)
        self.add_route("GET", "/_fake/load", self._load_route)

    # ----------------------------------------------------------- generation
    def start(self, rate: int, seconds: float) -> None:
        """Begin generating `rate` mentions per second for `seconds` from now."""
        self.rate, self.total = int(rate), int(rate * seconds)
        self.start_ms = int(self.clock() * 1000)

    def created_ms(self, i: int) -> int:
        """When generated notification `i` appears (ms since the epoch)."""
        assert self.start_ms is not None
        return self.start_ms + (i * 1000) // self.rate

    def available(self) -> int:
        """How many generated notifications exist now."""
        if self.start_ms is None or self.rate <= 0:
            return 0
        elapsed = int(self.clock() * 1000) - self.start_ms
        if elapsed < 0:
            return 0
        return min(self.total, math.ceil((elapsed + 1) * self.rate / 1000))

    def load_state(self) -> dict[str, Any]:
        """Generation parameters and progress."""
        return {"rate": self.rate, "total": self.total, "start_ms": self.start_ms, "available": self.available(),
                "served_max": self.served_max, "note_base": NOTE_BASE, "status_base": STATUS_BASE,
                "pages": self.sampler.pages, "pages_checked": self.sampler.pages_checked,
                "check_every": self.sampler.every, "violations": len(self.violations)}

    def snapshot(self) -> dict[str, Any]:
        """FakeMastodon's snapshot plus our account's status texts (plain) and the generation state."""
        return {**super().snapshot(), "texts": [s.text for s in self.account_statuses()], "load": self.load_state()}

    def _generated_ids(self, req: FakeRequest, limit: int) -> list[int]:
        """Indices of generated notifications matching max_id/since_id/min_id, oldest first, at most `limit`."""
        lo, hi = 0, self.available()  # indices lo <= i < hi; ids are numeric, so id order is number order
        if (max_id := req.q("max_id")) is not None and max_id.isdigit():
            hi = min(hi, int(max_id) - NOTE_BASE)
        for name in ("since_id", "min_id"):
            if (value := req.q(name)) is not None and value.isdigit():
                lo = max(lo, int(value) - NOTE_BASE + 1)
        if lo >= hi:
            return []
        if req.q("min_id") is not None:
            return list(range(lo, min(hi, lo + limit)))
        return list(range(max(lo, hi - limit), hi))

    def _generated(self, i: int) -> dict[str, Any]:
        author = self.audience[i % AUDIENCE]
        created = iso_ms(self.created_ms(i))
        rec = StatusRec(id=str(STATUS_BASE + i), account_id=author.id,
                        text=f"@{self.me.username}@{self.domain} {message_text(i)}", created_at=0.0,
                        in_reply_to_id=None, in_reply_to_account_id=None, sensitive=False, spoiler_text="",
                        visibility="public", language="en", mention_ids=[self.me.id])
        accounts = {author.id: author, self.me.id: self.me}
        status = status_json(rec, accounts, {}, 0, 1, self.domain) | {"created_at": created}
        return {"id": str(NOTE_BASE + i), "type": "mention", "created_at": created, "group_key": f"ungrouped-{i}",
                "account": self._audience_json[i % AUDIENCE], "status": status}

    async def _notifications(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        types = req.q_all("types[]") or req.q_all("types")
        excluded = req.q_all("exclude_types[]") or req.q_all("exclude_types")
        if self.start_ms is None or (types and "mention" not in types) or "mention" in excluded:
            return await super()._notifications(req, params, account_id)
        limit = max(1, min(int(req.q("limit") or 40), 80))
        generated = self._generated_ids(req, limit)
        own = await super()._notifications(req, params, account_id)  # the fake's own: ids below NOTE_BASE
        if not generated:
            return own
        # Oldest first: the fake's own notifications (older ids), then the generated ones.
        merged: list[dict[str, Any] | int] = [*reversed(own.body), *generated]
        window = merged[:limit] if req.q("min_id") is not None else merged[-limit:]
        window.reverse()  # newest first
        self.served_max = max(self.served_max, *(x for x in window if isinstance(x, int)))
        body = [self._generated(x) if isinstance(x, int) else x for x in window]
        self.sampler.pages += 1
        self.sampler.sample_next = (self.sampler.pages - 1) % self.sampler.every == 0
        self.sampler.pages_checked += int(self.sampler.sample_next)
        return self._ok(body, headers=self._link(req, [str(n["id"]) for n in body]))

    # --------------------------------------------------------------- routes
    async def _start_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        body = req.json or {}
        self.start(int(body["rate"]), float(body["seconds"]))
        return FakeResponse(200, self.load_state())

    async def _load_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        return FakeResponse(200, self.load_state())


def main() -> None:
    """Serve on a loopback port."""
    parser = argparse.ArgumentParser(description="Run the load-generating Mastodon fake on a loopback port.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--check-every", type=int, default=10, help="check one generated page response in N")
    args = parser.parse_args()
    fake = LoadMastodon(check_every=args.check_every)
    fake.in_process = False
    uvicorn.run(fake, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
