"""Triage's deferred start-up work (`warm_up`): the same masks and labels whether it ran or not (issue 19)."""

from __future__ import annotations

import re
import threading

import pytest

from server.triage import triage as triage_module
from server.triage.triage import triage, warm_up
from server.triage.triage_lazy import LazyPattern
from server.triage.triage_prefilter import PREFILTER, Prefilter

SOURCES = [r"\bkill (myself|himself)\b", r"\bsuicid\w*", r"\bwhere is\b", r"[a-z]+\d", r"\bchest pain\b"]
TEXTS = ["i want to kill myself", "suicidal thoughts", "where is the stage", "abc1", "chest pain now", "hello"]


def _eager() -> tuple[Prefilter, list[int]]:
    prefilter = Prefilter()
    bits = [prefilter.add(re.compile(s)) for s in SOURCES]
    prefilter.settle()
    return prefilter, bits


def test_lazy_patterns_give_the_eager_masks_whether_warmed_partly_fully_or_not_at_all() -> None:
    eager, _ = _eager()
    expected = [eager.mask(t) for t in TEXTS]
    for steps in (0, 2, 7, 100):
        lazy = Prefilter()
        for s in SOURCES:
            lazy.add(LazyPattern(s))
        warm = lazy.warm_steps()
        for _ in range(steps):
            if next(warm, "done") == "done":
                break
        assert [lazy.mask(t) for t in TEXTS] == expected, steps
        lazy.add(LazyPattern(r"\bhello\b"))  # added after the first mask: settled at the next one
        assert lazy.mask("hello") >> len(SOURCES) & 1


def test_masks_from_many_threads_during_the_first_settle_never_skip_a_pattern() -> None:
    eager, _ = _eager()
    lazy = Prefilter()
    for s in SOURCES:
        lazy.add(LazyPattern(s))
    seen: list[bool] = []
    threads = [threading.Thread(target=lambda: seen.extend(lazy.mask(t) == eager.mask(t) for t in TEXTS))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen and all(seen)


async def test_warm_up_compiles_every_triage_pattern_and_keeps_the_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(triage_module, "WARM_UP_DELAY", 0)
    texts = ["I want to end my life tonight", "what time does the surgery start?", "buy cheap pills now"]
    before = [triage(t) for t in texts]
    await warm_up()
    assert not PREFILTER._pending
    assert all(p._compiled is not None for p in PREFILTER.patterns if isinstance(p, LazyPattern))
    assert [triage(t) for t in texts] == before
