"""What every drill report shares (chaos, disk-full, load): its problems, where its logs are, a one-line verdict.

Problems are correctness (lost, doubled, out of order, refused wrongly) and fail the drill everywhere. Timing goals
(restart to next post, singleton hand-over) are `slow` findings: the drill's own command fails on them (`met`), the
pytest runs only report them, because tests never assert timings (a loaded CI machine is not a slow Livecue).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DrillReport:
    """The problems a drill found (none: it passed) and the work directory holding its logs."""

    problems: list[str] = field(default_factory=list, kw_only=True)
    workdir: str = field(default="", kw_only=True)
    slow: list[str] = field(default_factory=list, kw_only=True)  # timing goals missed (reported, see module doc)

    @property
    def ok(self) -> bool:
        """Nothing lost, duplicated, out of order or refused wrongly."""
        return not self.problems

    @property
    def met(self) -> bool:
        """Correct and within every timing goal: what the drill's command exits 0 on."""
        return self.ok and not self.slow

    def verdict_line(self, head: str, passed: str = "") -> str:
        """`PASS head: passed`, or `FAIL head: N problems, first: ...` naming the logs."""
        if self.ok:
            line = f"PASS {head}: {passed}" if passed else f"PASS {head}"
            if self.slow:
                line += f"; timing goal missed {len(self.slow)} times, first: {self.slow[0]}"
            return line
        return f"FAIL {head}: {len(self.problems)} problems, first: {self.problems[0]} (logs in {self.workdir})"
