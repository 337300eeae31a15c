"""Importing the app does none of the work a restart can leave until it is serving (issue 19).

Checked in a fresh interpreter: Alembic is not loaded (the schema check needs only SQL) and no triage regex is
compiled or analysed (the app's `warm_up` task does that once the port is open). Counted, not timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
import server.app
from server.triage.triage_lazy import LazyPattern
from server.triage.triage_prefilter import PREFILTER
lazy = [p for p in PREFILTER.patterns if isinstance(p, LazyPattern)]
print(json.dumps({"alembic": sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "mako")),
                  "patterns": len(PREFILTER.patterns), "lazy": len(lazy),
                  "compiled": sum(p._compiled is not None for p in lazy), "pending": len(PREFILTER._pending)}))
"""


def test_importing_the_app_loads_no_alembic_and_compiles_no_triage_pattern() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["alembic"] == []
    assert found["patterns"] > 100 and found["lazy"] == found["patterns"]
    assert found["compiled"] == 0 and found["pending"] == found["patterns"]
