"""Offsets, problem rendering and the pydantic models on their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from server.schedules import Problem, Schedule, format_offset, parse_offset
from server.schedules.problems import format_field


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("T+00:00", timedelta(0)),
        ("T+01:30", timedelta(hours=1, minutes=30)),
        ("T+05:15:30", timedelta(hours=5, minutes=15, seconds=30)),
        ("T+99:59:59", timedelta(hours=99, minutes=59, seconds=59)),
    ],
)
def test_offsets_round_trip(text: str, delta: timedelta) -> None:
    assert parse_offset(text) == delta
    assert format_offset(delta) == text


@pytest.mark.parametrize("text", ["T+1:30", "T+01:60", "01:30", "T-01:00", "T+01:30:60", "T+01:30 ", ""])
def test_bad_offsets_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="bad offset"):
        parse_offset(text)


@pytest.mark.parametrize("delta", [timedelta(seconds=-1), timedelta(hours=100), timedelta(milliseconds=5)])
def test_unformattable_offsets(delta: timedelta) -> None:
    with pytest.raises(ValueError, match="offset"):
        format_offset(delta)


def test_problem_renders_file_line_field_message() -> None:
    problem = Problem("s/schedule.yaml", 12, "items[3].media[0].alt", "must not be empty")
    assert str(problem) == "s/schedule.yaml:12: items[3].media[0].alt: must not be empty"
    assert format_field(("items", 3, "media", 0, "alt")) == "items[3].media[0].alt"
    assert format_field(()) == "(root)"


def _minimal(**items: Any) -> dict[str, Any]:
    item = {"id": "one", "at": "T+00:00", "caption": "Hello #Tag", **items}
    return {
        "version": 1,
        "event": {
            "slug": "demo",
            "title": "Demo",
            "hashtag": "#Tag",
            "timezone": "America/Toronto",
            "planned_start": "2027-02-18T07:30:00-05:00",
            "platforms": [{"platform": "sandbox", "account": "demo"}],
        },
        "items": [item],
    }


def test_minimal_schedule_and_defaults() -> None:
    schedule = Schedule.model_validate(_minimal(platform_text={"x": "Short for X"}))
    policy = schedule.event.approval_policy
    assert (policy.approvals_required, policy.clinical_required) == (2, 1)
    assert schedule.event.date_everything is False
    item = schedule.items[0]
    assert item.offset == timedelta(0)
    assert item.text_for("x") == "Short for X"
    assert item.text_for("sandbox") == "Hello #Tag"
    assert schedule.texts() == [("one", "Hello #Tag")]


def test_model_runs_cross_checks_too() -> None:
    data = _minimal()
    data["items"].append({"id": "one", "cue": "again", "caption": "Again"})
    with pytest.raises(ValidationError, match="duplicate id 'one'"):
        Schedule.model_validate(data)


def test_model_rejects_unknown_keys_everywhere() -> None:
    data = _minimal()
    data["event"]["approval_policy"] = {"approvals_required": 1, "clinical_required": 2}
    data["event"]["password"] = "hunter2"
    with pytest.raises(ValidationError) as info:
        Schedule.model_validate(data)
    kinds = {(tuple(e["loc"]), e["type"]) for e in info.value.errors()}
    assert (("event", "password"), "extra_forbidden") in kinds
    assert (("event", "approval_policy"), "value_error") in kinds


@pytest.mark.parametrize("bad", ["/etc/passwd", "../other/x.png", "media/../../x.png", "C:/x.png", " "])
def test_media_paths_stay_inside_the_folder(bad: str) -> None:
    data = _minimal(media=[{"file": bad, "alt": "x"}])
    with pytest.raises(ValidationError, match="relative path inside the schedule folder"):
        Schedule.model_validate(data)
