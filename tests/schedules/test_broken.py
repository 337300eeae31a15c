"""Each broken fixture schedule reports exactly the expected problems, at the expected line and field."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from server.schedules import check_schedule
from server.schedules.cli import run_check
from tests.schedules.conftest import BROKEN

# fixture name -> [(line, field, fragment of the message)], in the order they are reported
EXPECTED: dict[str, list[tuple[int, str, str]]] = {
    "unknown_key": [
        (25, "items[1].caption", "missing required key 'caption'"),
        (28, "items[1].captoin", "unknown key 'captoin' (did you mean 'caption'?)"),
    ],
    "bad_offset": [(26, "items[1].at", "bad offset 'T+0:30'")],
    "missing_alt": [(22, "items[0].media[0].alt", "missing required key 'alt'")],
    "empty_alt": [(23, "items[0].media[0].alt", "must not be empty")],
    "missing_media_file": [(22, "items[0].media[0].file", "media file not found: media/missing.png")],
    "text_too_long_x": [
        (24, "items[0].platform_text.x", "x: "),
        (32, "items[1].caption", "x: "),
    ],
    "duplicate_ids": [
        (25, "items[1].id", "duplicate id 'first' (also used by items[0])"),
        (30, "answers[0].id", "duplicate id 'first' (also used by items[0])"),
    ],
    "bad_timezone": [(6, "event.timezone", "unknown timezone 'America/Torontoo'")],
    "bad_hashtag": [(5, "event.hashtag", "hashtag must start with '#'")],
    "unknown_authorization": [
        (24, "items[0].media[0].authorizations[0]", "unknown authorization 'patient-consnet'"),
        (28, "items[1].authorizations[0]", "unknown authorization 'family-consent'"),
    ],
    "out_of_order": [(26, "items[1].at", "items must be in time order: T+00:30 comes after T+01:00")],
    "no_at_or_cue": [(25, "items[1]", "an item needs 'at' or 'cue'")],
    "yaml_syntax": [(20, "(yaml)", "YAML syntax error: mapping values are not allowed here")],
    "duplicate_key": [(29, "items[1].caption", "duplicate key 'caption' (first at line 28)")],
    "not_an_image": [(22, "items[0].media[0].file", "not an image or video file")],
    "naive_start": [(7, "event.planned_start", "must include a UTC offset")],
    "wrong_utc_offset": [(7, "event.planned_start", "did you mean 2027-02-18T07:30:00-05:00?")],
    "bad_platform": [(9, "event.platforms[0].platform", "got 'myspace'")],
    "consent_not_for_photos": [
        (24, "items[0].media[0].authorizations[0]", "covers neither photos nor video"),
    ],
    "expired_consent": [(17, "authorizations[0].expires", "expires 2027-02-10, before the event's planned")],
    "warning_without_text": [(28, "items[1].content_warning", "content_warning_text is missing")],
    "root_is_list": [(1, "(root)", "not a mapping of keys")],
    "empty": [(1, "(root)", "the schedule is empty")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_schedule_reports_exact_locations(name: str) -> None:
    path = BROKEN / f"{name}.yaml"
    schedule, problems = check_schedule(path)
    assert schedule is None
    expected = [(str(path), line, field) for line, field, _ in EXPECTED[name]]
    assert [(p.file, p.line, p.field) for p in problems] == expected
    for problem, (line, field, fragment) in zip(problems, EXPECTED[name], strict=True):
        assert str(problem).startswith(f"{path}:{line}: {field}: ")
        assert fragment in problem.message


def test_too_long_text_names_the_platform() -> None:
    _, problems = check_schedule(BROKEN / "text_too_long_x.yaml")
    assert all(p.message.startswith("x: ") for p in problems)


def test_fixture_count_covers_the_brief() -> None:
    assert len(list(BROKEN.glob("*.yaml"))) == len(EXPECTED) >= 12


def test_problems_in_several_places_are_all_collected(tmp_path: Path) -> None:
    text = (BROKEN / "unknown_authorization.yaml").read_text()
    text = text.replace('hashtag: "#LcTest"', "hashtag: LcTest").replace('at: "T+00:30"', 'at: "T+00:3"')
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ok.png").write_bytes((BROKEN / "media" / "ok.png").read_bytes())
    (tmp_path / "schedule.yaml").write_text(text)
    _, problems = check_schedule(tmp_path)
    assert [(p.line, p.field) for p in problems] == [
        (5, "event.hashtag"),
        (24, "items[0].media[0].authorizations[0]"),
        (26, "items[1].at"),
        (28, "items[1].authorizations[0]"),
    ]


def test_run_check_prints_every_problem_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "duplicate_ids.yaml"
    assert run_check(path) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}:25: items[1].id: duplicate id 'first' (also used by items[0])",
        f"{path}:30: answers[0].id: duplicate id 'first' (also used by items[0])",
    ]
    assert err.strip() == f"{path}: 2 problems"


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    schedule, problems = check_schedule(tmp_path / "nope.yaml")
    assert schedule is None
    assert [(p.line, p.field) for p in problems] == [(0, "(file)")]


def test_directory_without_schedule_yaml(tmp_path: Path) -> None:
    _, problems = check_schedule(tmp_path)
    assert problems[0].file == str(tmp_path / "schedule.yaml")
    assert "cannot read schedule" in problems[0].message


def test_media_path_may_not_leave_the_schedule_folder(tmp_path: Path) -> None:
    text = (BROKEN / "missing_media_file.yaml").read_text().replace("media/missing.png", "../secret.png")
    (tmp_path / "schedule.yaml").write_text(text)
    _, problems = check_schedule(tmp_path / "schedule.yaml")
    assert [(p.line, p.field) for p in problems] == [(22, "items[0].media[0].file")]
    assert "relative path inside the schedule folder" in problems[0].message


def test_missing_platform_rules_fail_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("server.schedules.check._textrules", lambda: None)
    _, problems = check_schedule(BROKEN / "bad_hashtag.yaml")
    assert [(p.line, p.field) for p in problems] == [(5, "event.hashtag"), (8, "event.platforms")]
    assert "server.textrules is unavailable" in problems[1].message


def _copy_broken(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """Copy a fixture and its media into tmp_path, applying text edits; returns the schedule path."""
    text = (BROKEN / f"{name}.yaml").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ok.png").write_bytes((BROKEN / "media" / "ok.png").read_bytes())
    (tmp_path / "schedule.yaml").write_text(text)
    return tmp_path / "schedule.yaml"


def test_consent_for_video_only_does_not_cover_a_photo(tmp_path: Path) -> None:
    path = _copy_broken(
        tmp_path,
        "bad_hashtag",
        ('hashtag: "LC Test"', 'hashtag: "#LcTest"'),
        ("covers: [photos, story]", "covers: [video, story]"),
    )
    _, problems = check_schedule(path)
    assert [(p.line, p.field) for p in problems] == [(24, "items[0].media[0].authorizations[0]")]
    assert "does not cover photos" in problems[0].message


def test_answers_and_replies_are_checked_against_each_platform(tmp_path: Path) -> None:
    long = "word " * 70
    extra = f'answers:\n  - id: a1\n    question: "Q?"\n    caption: "{long}"\n'
    extra += f'replies:\n  emergency: {{id: r1, caption: "{long}"}}\n  redirect: {{id: r2, caption: ok}}\n'
    path = _copy_broken(tmp_path, "text_too_long_x")
    path.write_text(path.read_text() + extra)
    _, problems = check_schedule(path)
    assert [(p.line, p.field) for p in problems][2:] == [
        (36, "answers[0].caption"),
        (38, "replies.emergency.caption"),
    ]
    assert all(p.message.startswith("x: ") for p in problems)


def test_media_limits_come_from_the_platform_rules(
    tmp_path: Path, textrules: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = '      - file: media/ok.png\n        alt: "A blue rectangle"\n'
    path = _copy_broken(
        tmp_path,
        "bad_hashtag",
        ('hashtag: "LC Test"', 'hashtag: "#LcTest"'),
        ("    media:\n", "    media:\n" + media * 4),
    )
    calls: list[tuple[str, int]] = []

    def check_media(platform: str, specs: list[object]) -> list[str]:
        calls.append((platform, len(specs)))
        return ["too many files"] if len(specs) > 4 else []

    monkeypatch.setattr(textrules, "check_media", check_media)
    _, problems = check_schedule(path)
    assert calls == [("sandbox", 5)]
    assert [str(p) for p in problems] == [f"{path}:21: items[0].media: sandbox: too many files"]


def test_a_crash_in_the_platform_rules_is_reported(
    tmp_path: Path, textrules: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy_broken(tmp_path, "bad_hashtag", ('hashtag: "LC Test"', 'hashtag: "#LcTest"'))

    def check_text(platform: str, text: str) -> list[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr(textrules, "check_text", check_text)
    _, problems = check_schedule(path)
    assert [(p.line, p.field) for p in problems] == [(20, "items[0].caption"), (28, "items[1].caption")]
    assert problems[0].message == "sandbox: platform rules failed: RuntimeError('boom')"


def test_only_listed_staff_may_be_named(tmp_path: Path) -> None:
    path = _copy_broken(
        tmp_path,
        "bad_hashtag",
        ('hashtag: "LC Test"', 'hashtag: "#LcTest"'),
        ("  timezone:", '  staff_names: ["Dr. Maya Chen"]\n  timezone:'),
        (
            'caption: "First post #LcTest"',
            'caption: "Dr. Chen and Dr. Maya Chen are here with Dr. Ann Smith"',
        ),
    )
    _, problems = check_schedule(path)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (21, "items[0].caption", "names Dr. Ann Smith, who is not listed in event.staff_names")
    ]
