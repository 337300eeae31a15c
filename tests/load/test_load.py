"""The load run at full size on SQLite (see `tests.load.driver`): correctness only, never timings.

1,000 mentions/s for 60 s from the Mastodon fake process while the operator cues an item every 2 s. Asserted:
nothing lost, nothing stored twice, every operator post on the platform exactly once, no contract violation,
both processes alive. Latencies and the achieved rate are printed with the verdict, not judged; the wait for
stragglers is long so that a slow machine shows up as lag, not as loss.
"""

from __future__ import annotations

import pytest

from tests.load.driver import run_load

pytestmark = pytest.mark.slow


def test_a_thousand_messages_a_second_for_a_minute_on_sqlite() -> None:
    report = run_load(rate=1000, seconds=60, database_url=None, drain_timeout=600, quiet=True)
    print(report.verdict)
    assert report.ok, report.verdict + "\n" + "\n".join(report.problems)
    assert report.generated == report.stored == 60_000
    assert (report.lost, report.doubled) == (0, 0)
    assert report.operator_posts == 30
    assert report.fake_violations == []
