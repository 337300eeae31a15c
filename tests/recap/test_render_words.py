"""The recap's words and labels: axis labels say the value of their grid line (a count axis from 0 to 1 has
lines at 0.25 and 0.75: they were labelled "0.2" and "0.8"); a recap of an event not started says just that."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

from server.recap import render, svg


def test_axis_labels_are_the_grid_values() -> None:
    chart = svg.bar_chart("Engagement per post", "engagement", ["#1", "#2"], [("likes", [0, 0])], "interactions")
    labels = re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', chart)
    assert labels == ["0", "0.25", "0.5", "0.75", "1"]
    big = svg.bar_chart("Questions", "questions", ["a"], [("received", [1234])], "questions")
    assert re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', big) == ["0", "500", "1,000", "1,500", "2,000"]


def test_a_recap_of_an_event_not_started_does_not_say_still_running() -> None:
    """The header of a draft's recap read "not started – still running"."""
    draft = SimpleNamespace(public=SimpleNamespace(live_since=None, ended_at=None))
    assert render._when(draft) == "not started"  # type: ignore[arg-type]
    start = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    running = SimpleNamespace(public=SimpleNamespace(live_since=start, ended_at=None))
    assert render._when(running) == "2026-12-07 13:00 UTC – still running"  # type: ignore[arg-type]
