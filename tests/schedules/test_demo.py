"""The demo schedule checks clean, and the JSON Schema agrees with the checker."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from server.schedules import check_schedule, json_schema
from server.schedules.cli import run_check, run_schema
from server.schedules.loader import load_yaml
from tests.schedules.conftest import BROKEN, DEMO


def _data(path: Path) -> object:
    loaded = load_yaml(path.read_text(), str(path))
    assert loaded.ok
    return loaded.data


def test_demo_checks_clean() -> None:
    schedule, problems = check_schedule(DEMO)
    assert [str(p) for p in problems] == []
    assert schedule is not None
    assert schedule.event.slug == "sunnybrook-bypass"
    assert [p.platform for p in schedule.event.platforms] == ["sandbox"]
    assert 18 <= len(schedule.items) <= 24
    assert len(schedule.answers) >= 6
    assert schedule.holding_message is not None
    assert schedule.replies is not None
    offsets = [item.offset for item in schedule.items if item.offset is not None]
    assert offsets == sorted(offsets)
    assert offsets[-1].total_seconds() >= 5 * 3600
    assert any(item.at is None and item.cue == "first graft done" for item in schedule.items)


def test_demo_run_check_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(DEMO) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{DEMO / 'schedule.yaml'}: ok (21 items")


def test_demo_also_fits_every_other_platform(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    path = tmp_path / "demo" / "schedule.yaml"
    text = path.read_text()
    extra = "".join(f"    - platform: {name}\n      account: demo\n" for name in ("x", "mastodon", "bluesky"))
    anchor = "      account: sunnybrook-demo\n"
    path.write_text(text.replace(anchor, anchor + extra))
    _, problems = check_schedule(path)
    assert [str(p) for p in problems] == []


def test_demo_texts_fit_x_and_name_only_listed_staff() -> None:
    schedule, _ = check_schedule(DEMO)
    assert schedule is not None
    for ident, text in schedule.texts():
        assert len(text) <= 280, ident
        for title in re.findall(r"Dr\. [A-Z][a-z]+(?: [A-Z][a-z]+)?", text):
            assert any(
                name.startswith(title) or title.startswith("Dr. " + name.split()[-1])
                for name in schedule.event.staff_names
            ), (ident, title)


def test_demo_has_no_obvious_identifiers() -> None:
    text = (DEMO / "schedule.yaml").read_text()
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text)  # emails
    assert not re.search(r"https?://|www\.", text)  # URLs
    assert not re.search(r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b", text)  # phone numbers
    assert not re.search(r"\b(MRN|OHIP|health card|room \d)", text, re.IGNORECASE)


def test_demo_media_are_small_placeholders() -> None:
    files = sorted((DEMO / "media").glob("*.png"))
    assert 6 <= len(files) <= 10
    for file in files:
        assert file.stat().st_size < 100_000, file.name
        with Image.open(file) as image:
            assert image.size == (1200, 675)


def test_schema_is_valid_and_accepts_the_demo() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"].startswith("Livecue schedule")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_data(DEMO / "schedule.yaml"), schema)


def test_schema_has_field_descriptions() -> None:
    schema = json_schema()
    item = schema["$defs"]["ItemSpec"]
    assert item["properties"]["at"]["description"].startswith("Planned offset")
    assert schema["$defs"]["MediaRef"]["properties"]["alt"]["description"]
    assert item["anyOf"] == [{"required": ["at"]}, {"required": ["cue"]}]


SCHEMA_CATCHES = [
    "unknown_key",
    "bad_offset",
    "missing_alt",
    "empty_alt",
    "bad_hashtag",
    "bad_platform",
    "no_at_or_cue",
]


@pytest.mark.parametrize("name", SCHEMA_CATCHES)
def test_schema_rejects_broken_schedules(name: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_data(BROKEN / f"{name}.yaml"), json_schema())


def test_run_schema_writes_the_schema_as_json() -> None:
    out = io.StringIO()
    assert run_schema(out) == 0
    assert json.loads(out.getvalue()) == json_schema()
