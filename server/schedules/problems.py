"""A problem found in a schedule file, located by file, line and field path."""

from __future__ import annotations

from dataclasses import dataclass

YamlPath = tuple[object, ...]


@dataclass(frozen=True)
class Problem:
    """One problem in a schedule file; `line` is 1-based (0 when the whole file is concerned)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """Render as `FILE:LINE: field: message`."""
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


def format_field(path: YamlPath) -> str:
    """Render a path tuple like ("items", 3, "media", 0, "alt") as "items[3].media[0].alt"."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"
