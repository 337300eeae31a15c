"""Check a schedule file and report every problem with its file, line and field."""

from __future__ import annotations

import difflib
import importlib
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from server.schedules.format import PLATFORM_NAMES, Schedule, check_media_file
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
    problems += _file_problems(loaded, file, file_path.parent)
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


def _file_problems(loaded: LoadedYaml, file: str, base: Path) -> list[Problem]:
    doc = _dict(loaded.data)
    out: list[Problem] = []
    accounts = map(_dict, _list(_dict(doc.get("event")).get("platforms")))
    platforms: list[str] = list(
        dict.fromkeys(str(a.get("platform")) for a in accounts if a.get("platform") in PLATFORM_NAMES)
    )
    covers = {
        a.get("id"): set(_list(a.get("covers")))
        for a in map(_dict, _list(doc.get("authorizations")))
        if isinstance(a.get("id"), str)
    }
    rules = _textrules() if platforms else None
    if platforms and rules is None:
        message = "cannot check platform limits: server.textrules is unavailable"
        out.append(_at(loaded, file, ("event", "platforms"), message))
    texts: list[tuple[YamlPath, str, str]] = []  # (path, platform, text)
    for i, item in enumerate(_list(doc.get("items"))):
        item = _dict(item)
        overrides = _dict(item.get("platform_text"))
        for platform in dict.fromkeys([*platforms, *overrides]):
            if platform in overrides:
                path: YamlPath = ("items", i, "platform_text", platform)
                text = _text(overrides[platform])
            else:
                path, text = ("items", i, "caption"), _text(item.get("caption"))
            if text is not None and platform in PLATFORM_NAMES:
                texts.append((path, str(platform), text))
        specs: list[Any] = []
        for k, media in enumerate(_list(item.get("media"))):
            media = _dict(media)
            path = ("items", i, "media", k, "file")
            found = _sniff(base, media.get("file"))
            if isinstance(found, str):
                out.append(_at(loaded, file, path, found))
            elif found is not None:
                out += _coverage(loaded, file, ("items", i, "media", k), media, found, covers)
                if rules is not None:
                    specs.append(_media_spec(rules, found, media.get("alt")))
        for platform in platforms if specs and rules is not None else ():
            for message in _call(rules, "check_media", platform, specs):
                out.append(_at(loaded, file, ("items", i, "media"), f"{platform}: {message}"))
    for path, entry in _other_texts(doc):
        text = _text(_dict(entry).get("caption"))
        texts += [((*path, "caption"), p, text) for p in platforms if text is not None]
    for path, platform, text in texts if rules is not None else ():
        for message in _call(rules, "check_text", platform, text):
            out.append(_at(loaded, file, path, f"{platform}: {message}"))
    return out


def _other_texts(doc: dict[Any, Any]) -> list[tuple[YamlPath, object]]:
    out: list[tuple[YamlPath, object]] = [(("holding_message",), doc.get("holding_message"))]
    out += [(("answers", i), a) for i, a in enumerate(_list(doc.get("answers")))]
    replies = _dict(doc.get("replies"))
    out += [(("replies", kind), replies.get(kind)) for kind in ("emergency", "redirect")]
    return out


def _coverage(
    loaded: LoadedYaml,
    file: str,
    path: YamlPath,
    media: dict[Any, Any],
    found: SniffedMedia,
    covers: dict[Any, set[Any]],
) -> list[Problem]:
    need = "photos" if found.kind == "image" else "video"
    out = []
    for j, ref in enumerate(_list(media.get("authorizations"))):
        have = covers.get(ref)
        if have is not None and have & {"photos", "video"} and need not in have:
            message = f"authorization '{ref}' does not cover {need}, and this file is a {found.kind}"
            out.append(_at(loaded, file, (*path, "authorizations", j), message))
    return out


def _textrules() -> types.ModuleType | None:
    try:
        return importlib.import_module("server.textrules")
    except ImportError:
        return None


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
