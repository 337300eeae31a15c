"""Check a schedule file and report every problem with its file, line and field."""

from __future__ import annotations

import difflib
import importlib
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from server.platforms.capabilities import PLATFORM_NAMES
from server.schedules.format import Schedule, check_media_file
from server.schedules.loader import LoadedYaml, load_yaml
from server.schedules.media import SniffedMedia, sniff_media
from server.schedules.problems import Problem, YamlPath, format_field
from server.schedules.rules import cross_problems

__all__ = ["MAX_FILE_BYTES", "SCHEDULE_FILENAME", "Problem", "check_schedule", "resolve_schedule_path"]

SCHEDULE_FILENAME = "schedule.yaml"
MAX_FILE_BYTES = 1_000_000


def resolve_schedule_path(path: Path | str) -> Path:
    """The schedule file for `path`: the path itself, or `schedule.yaml` inside a directory."""
    path = Path(path)
    return path / SCHEDULE_FILENAME if path.is_dir() else path


def check_schedule(path: Path | str) -> tuple[Schedule | None, list[Problem]]:
    """Check a schedule file or a folder holding schedule.yaml; the Schedule comes back only if clean."""
    file_path = resolve_schedule_path(path)
    file = str(file_path)
    try:
        raw = file_path.read_bytes() if file_path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError as exc:
        return None, [Problem(file, 0, "(file)", f"cannot read schedule: {exc.strerror or exc}")]
    if raw is None:
        return None, [Problem(file, 0, "(file)", f"schedule file is larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(file, line, "(file)", "schedule file is not valid UTF-8")]
    loaded = load_yaml(text, file)
    if not loaded.ok:
        return None, loaded.problems
    problems = list(loaded.problems)
    if not isinstance(loaded.data, dict):
        what = "empty" if loaded.data is None else "not a mapping of keys (version, event, items, ...)"
        problems.append(Problem(file, loaded.line_for(()), "(root)", f"the schedule is {what}"))
        return None, problems
    schedule: Schedule | None = None
    try:
        schedule = Schedule.model_validate(loaded.data)
    except ValidationError as exc:
        problems += _validation_problems(exc, loaded, file)
    problems += [_at(loaded, file, path, message) for path, message in cross_problems(loaded.data)]
    problems += _FileChecker(loaded, file, file_path.parent).run()
    problems = sorted(dict.fromkeys(problems), key=lambda p: p.line)
    return (schedule if not problems else None), problems


def _at(loaded: LoadedYaml, file: str, path: YamlPath, message: str) -> Problem:
    return Problem(file, loaded.line_for(path), format_field(path), message)


# --- pydantic errors -------------------------------------------------------------------------


def _validation_problems(exc: ValidationError, loaded: LoadedYaml, file: str) -> list[Problem]:
    out: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc: YamlPath = tuple(error["loc"])
        kind, msg = error["type"], error["msg"]
        if not loc and kind == "value_error":
            continue  # the Schedule's cross-field checks: reported with lines by cross_problems
        if "[key]" in loc:
            loc = loc[: loc.index("[key]")]
            message = f"bad key '{loc[-1]}': {msg}" if loc else msg
        elif kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'" + _suggest(loc)
        elif kind == "missing":
            message = f"missing required key '{loc[-1]}'"
        elif kind in ("value_error", "assertion_error"):
            message = str(msg).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = "expected a mapping of keys"
        elif kind == "list_type":
            message = "expected a list"
        elif kind == "string_type":
            message = "expected text"
        elif kind == "literal_error":
            message = f"{msg}, got {_short(error.get('input'))}"
        else:
            message = msg
        out.append(Problem(file, loaded.line_for(loc), format_field(loc), message))
    return out


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(loc: YamlPath) -> str:
    names = _field_names(loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _strip(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        elif hasattr(tp, "__metadata__"):
            tp = get_args(tp)[0]
        else:
            return tp


def _field_names(loc: YamlPath) -> list[str]:
    tp: Any = Schedule
    for part in loc:
        tp = _strip(tp)
        if isinstance(part, int) and get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[str(part)].annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return []
    tp = _strip(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


# --- media files and platform limits ---------------------------------------------------------


def _dict(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _sniff(base: Path, name: object) -> SniffedMedia | str | None:
    """The sniffed file, an error message, or None when the name itself is invalid (reported elsewhere)."""
    if not isinstance(name, str):
        return None
    try:
        check_media_file(name)
    except ValueError:
        return None
    full = base / name
    if not full.exists():
        return f"media file not found: {name}"
    if not full.is_file():
        return f"media path is not a file: {name}"
    if not full.resolve().is_relative_to(base.resolve()):
        return f"media file {name} resolves outside the schedule folder"
    try:
        return sniff_media(full)
    except ValueError as exc:
        return f"{name}: {exc}"


class _FileChecker:
    """Checks that need the files and the platform rules: media content, consent scope, text limits."""

    def __init__(self, loaded: LoadedYaml, file: str, base: Path) -> None:
        self.loaded, self.file, self.base = loaded, file, base
        self.doc = _dict(loaded.data)
        accounts = map(_dict, _list(_dict(self.doc.get("event")).get("platforms")))
        names = (str(a.get("platform")) for a in accounts if a.get("platform") in PLATFORM_NAMES)
        self.platforms: list[str] = list(dict.fromkeys(names))
        self.covers = {
            a.get("id"): set(_list(a.get("covers")))
            for a in map(_dict, _list(self.doc.get("authorizations")))
            if isinstance(a.get("id"), str)
        }
        self.rules = _textrules() if self.platforms else None
        self.out: list[Problem] = []

    def add(self, path: YamlPath, message: str) -> None:
        self.out.append(_at(self.loaded, self.file, path, message))

    def run(self) -> list[Problem]:
        if self.platforms and self.rules is None:
            self.add(("event", "platforms"), "cannot check platform limits: server.textrules is unavailable")
        for i, item in enumerate(_list(self.doc.get("items"))):
            item = _dict(item)
            self.item_texts(i, item)
            self.item_media(i, item)
        for path, entry in _other_texts(self.doc):
            for platform in self.platforms:
                self.text((*path, "caption"), platform, _dict(entry).get("caption"))
        return self.out

    def text(self, path: YamlPath, platform: str, text: object) -> None:
        if self.rules is not None and _text(text) is not None:
            for message in _call(self.rules, "check_text", platform, text):
                self.add(path, f"{platform}: {message}")

    def item_texts(self, i: int, item: dict[Any, Any]) -> None:
        overrides = _dict(item.get("platform_text"))
        for platform in dict.fromkeys([*self.platforms, *overrides]):
            if platform not in PLATFORM_NAMES:
                continue  # an unknown platform name is reported by validation
            if platform in overrides:
                self.text(("items", i, "platform_text", platform), platform, overrides[platform])
            else:
                self.text(("items", i, "caption"), platform, item.get("caption"))

    def item_media(self, i: int, item: dict[Any, Any]) -> None:
        media_list = [_dict(m) for m in _list(item.get("media"))]
        all_alt = all(_text(m.get("alt")) for m in media_list)  # else missing alt is reported already
        specs: list[Any] = []
        for k, media in enumerate(media_list):
            found = _sniff(self.base, media.get("file"))
            if isinstance(found, str):
                self.add(("items", i, "media", k, "file"), found)
            elif found is not None:
                self.coverage(("items", i, "media", k), media, found)
                if self.rules is not None and all_alt:
                    specs.append(_media_spec(self.rules, found, media.get("alt")))
        for platform in self.platforms if specs else ():
            for message in _call(self.rules, "check_media", platform, specs):
                self.add(("items", i, "media"), f"{platform}: {message}")

    def coverage(self, path: YamlPath, media: dict[Any, Any], found: SniffedMedia) -> None:
        need = "photos" if found.kind == "image" else "video"
        for j, ref in enumerate(_list(media.get("authorizations"))):
            have = self.covers.get(ref) if isinstance(ref, str) else None
            if have is not None and have & {"photos", "video"} and need not in have:
                message = f"authorization '{ref}' does not cover {need}, and this file is a {found.kind}"
                self.add((*path, "authorizations", j), message)


def _other_texts(doc: dict[Any, Any]) -> list[tuple[YamlPath, object]]:
    out: list[tuple[YamlPath, object]] = [(("holding_message",), doc.get("holding_message"))]
    out += [(("answers", i), a) for i, a in enumerate(_list(doc.get("answers")))]
    replies = _dict(doc.get("replies"))
    out += [(("replies", kind), replies.get(kind)) for kind in ("emergency", "redirect")]
    return out


def _textrules() -> types.ModuleType | None:
    """server.textrules if it is installed and complete (it is written separately), else None."""
    try:
        module = importlib.import_module("server.textrules")
    except ImportError:
        return None
    needed = ("check_text", "check_media", "MediaSpec")
    return module if all(hasattr(module, name) for name in needed) else None


def _media_spec(rules: types.ModuleType, found: SniffedMedia, alt: object) -> Any:
    try:
        return rules.MediaSpec(
            mime_type=found.mime_type,
            size_bytes=found.size_bytes,
            alt_text=alt if isinstance(alt, str) else "",
            width=found.width,
            height=found.height,
        )
    except Exception:  # an incompatible MediaSpec: check_media then reports through _call
        return found


def _call(rules: types.ModuleType | None, name: str, platform: str, arg: object) -> list[str]:
    try:
        return [str(m) for m in getattr(rules, name)(platform, arg)]
    except Exception as exc:  # a bug in the platform rules must not crash the checker
        return [f"platform rules failed: {exc!r}"]
