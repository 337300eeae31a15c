"""Run every benchmark and evaluation of the project; print a table and write bench/results/latest.json.

Each script is run as `python bench/<name>.py --json`; its `figures` list (`figure`, `value`, `baseline`,
`ratio`, `unit`) is listed, or else every number that sits next to a `baseline` and a `ratio` in its JSON.
Usage: `python bench/run.py [--only NAME ...] [--timeout S]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
QUALITY = {"recall", "precision", "fpr", "accuracy"}
ORDER = ["phi_eval", "triage_eval", "screen_speed", "grouping_bench", "ingest_bench", "form_bench", "form_latency",
         "cue_to_request", "ws_fanout", "live_page", "restart_bench", "hostile_bench", "ui_weight"]


def _figures(data: Any, path: str = "") -> list[dict[str, Any]]:
    """Find every object with a `ratio` (and usually `value` and `baseline`) anywhere in the JSON."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if "ratio" in data and isinstance(data["ratio"], int | float):
            found.append({"figure": path or "result", **{k: v for k, v in data.items()
                                                          if isinstance(v, int | float | str)}})
        for key, value in data.items():
            found += _figures(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _figures(value, f"{path}[{index}]")
    return found


def _scalars(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def _json_of(stdout: str) -> Any:
    """The JSON a script printed (after any log lines), or None."""
    for start in (0, stdout.find("{")):
        if start >= 0:
            try:
                return json.loads(stdout[start:])
            except json.JSONDecodeError:
                continue
    return None


def _quality(data: Any, path: str = "") -> dict[str, float]:
    """Evaluation scores (recall, precision, false-positive rate) anywhere in the JSON, by dotted path."""
    found: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and key in QUALITY:
                found[where] = value
            else:
                found.update(_quality(value, where))
    return found


def run(name: str, timeout: float) -> dict[str, Any]:
    """Run one script and collect its figures."""
    script = BENCH / f"{name}.py"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, text=True, timeout=timeout,
                          cwd=BENCH.parent)
    elapsed = round(time.monotonic() - started, 1)
    data = _json_of(proc.stdout)
    explicit = data.get("figures") if isinstance(data, dict) else None
    figures = explicit if isinstance(explicit, list) else _figures(data)
    return {"name": name, "exit": proc.returncode, "seconds": elapsed, "figures": figures,
            "summary": _scalars(data), "quality": _quality(data), "stderr_tail": proc.stderr.strip().splitlines()[-3:]}


# Debian packages some benches drive their load with: the form and live-page benches use wrk.
TOOLS = {"wrk": "wrk"}


def ensure_tools() -> None:
    """Install the load tools from Debian's packages when missing and we may (root + apt-get); else say which
    benches will fail, before spending minutes on the others."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    packages = sorted({TOOLS[tool] for tool in missing})
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing Debian's {', '.join(packages)} for the load generators (apt-get) ...", flush=True)
        subprocess.run(["sh", "-c", f"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                        f"{' '.join(packages)}"], check=False, capture_output=True)
    still = [tool for tool in missing if shutil.which(tool) is None]
    if still:
        print(f"warning: {', '.join(still)} missing (apt-get install {' '.join(packages)}); form_bench and "
              "live_page will fail", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table, write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    names = [n for n in ORDER if (BENCH / f"{n}.py").exists() and (not args.only or n in args.only)]
    ensure_tools()
    results = [run(name, args.timeout) for name in names]
    print(f"{'benchmark':<16} {'figure':<40} {'value':>12} {'baseline':>12} {'ratio':>8}")
    for result in results:
        rows = result["figures"] or [{"figure": "(an evaluation: no baseline)"}]
        for row in rows:
            print(f"{result['name']:<16} {str(row.get('figure'))[:40]:<40} {str(row.get('value', '')):>12} "
                  f"{str(row.get('baseline', '')):>12} {str(row.get('ratio', '')):>8}")
        scores = [f"{k.rsplit('/', 1)[-1]} {v:g}" for k, v in result["quality"].items() if "emergency" in k
                  or "." not in k or k.count(".") == 1]
        if not result["figures"] and scores:
            print(f"{'':<16} {'; '.join(scores[:6])}")
        if result["exit"]:
            print(f"{result['name']:<16} exited {result['exit']}: {' | '.join(result['stderr_tail'])}")
    out = BENCH / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": _cpus(),
               "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"\nwritten: {out.relative_to(BENCH.parent)}")
    return 1 if any(r["exit"] for r in results) else 0


def _cpus() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
