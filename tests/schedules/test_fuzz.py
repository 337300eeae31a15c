"""check_schedule never raises, whatever YAML-ish text the schedule file holds."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.schedules import Problem, check_schedule
from tests.schedules.conftest import DEMO

TOKENS = [
    "version: 1\n",
    "event:\n",
    "  slug: ab-c\n",
    "  hashtag: '#X'\n",
    "  timezone: Europe/Paris\n",
    "  planned_start: 2027-01-01T00:00:00+01:00\n",
    "  platforms: [{platform: x, account: a}]\n",
    "items:\n",
    "  - id: a\n",
    "    at: T+00:10\n",
    "    cue: go\n",
    "    caption: hi\n",
    "    media:\n",
    "      - file: media/or-prepared.png\n",
    "        alt: ''\n",
    "authorizations: [{id: a}]\n",
    "- ",
    "  ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: ",
    "!!binary ",
    "!tag ",
    "? ",
    "|\n",
    "'",
    '"',
    "#",
    "\t",
    "---\n",
    "...\n",
    "\n",
    "null",
    "~",
    "true",
    "1e999",
    "0x1F",
    "2027-13-45",
    "T+99:99",
    "\x00",
    "\ufeff",
    "é",
    "👩‍⚕️",
]
TEXT = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_check_schedule_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        schedule, problems = check_schedule(path)
    assert all(isinstance(p, Problem) and p.line >= 0 and p.field for p in problems)
    assert (schedule is None) == bool(problems)


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo folder whose schedule.yaml each example overwrites."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO / "media", folder / "media")
    return folder


@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_mutated_demo_never_raises(demo_copy: Path, data: st.DataObject) -> None:
    lines = (DEMO / "schedule.yaml").read_text().splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=20)))
    path = demo_copy / "schedule.yaml"
    path.write_text("".join(lines), encoding="utf-8", errors="surrogatepass")
    schedule, problems = check_schedule(path)
    assert all(isinstance(p, Problem) for p in problems)
    assert (schedule is None) == bool(problems)


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text("version: 1\nitems: " + "[" * 5000)
    _, problems = check_schedule(path)
    assert [(p.line, p.field, p.message) for p in problems] == [(1, "(yaml)", "document nested too deeply")]
