"""What every drill report shares (chaos, disk-full, load): its problems, where its logs are, a one-line verdict."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DrillReport:
    """The problems a drill found (none: it passed) and the work directory holding its logs."""

    problems: list[str] = field(default_factory=list, kw_only=True)
    workdir: str = field(default="", kw_only=True)

    @property
    def ok(self) -> bool:
        """Nothing lost, duplicated, out of order or refused wrongly."""
        return not self.problems

    def verdict_line(self, head: str, passed: str = "") -> str:
        """`PASS head: passed`, or `FAIL head: N problems, first: ...` naming the logs."""
        if self.ok:
            return f"PASS {head}: {passed}" if passed else f"PASS {head}"
        return f"FAIL {head}: {len(self.problems)} problems, first: {self.problems[0]} (logs in {self.workdir})"
