"""Page weight and time to interactive of the Livecue pages, against a bare static page on the same server.

`python bench/ui_weight.py [--rounds N] [--json]`

For each page (login, console, tablet, setup, sandbox, the public live page `/live/{slug}`) it reports the bytes of
HTML + CSS + JS the browser loads (cold cache, decoded) and the time from navigation start until the page marks
`<body data-ready>` (its first data load is rendered). Budget: each page under 150 KB and ready under 500 ms on a
quiet machine; a page over either is marked "OVER" (and `--check` exits 1). Modules a page loads only when asked
(the console's composer, moderation tools, shortcuts, policy; the setup screens are their own page) are not part of
its first load.
The baseline is `/ui/baseline.html`, a bare HTML page served by the same server; its time is
`domContentLoadedEventEnd`. Pages and baseline are measured interleaved (baseline, page, baseline,
page, ...) in one run, and each page is reported as a ratio to the baseline: on these machines absolute
timings drift, ratios hold (shared/docs/benchmarking.md). Needs Playwright (Python) and Debian's Chromium.
The `requests` column counts what the page asked for before it was ready (the document, then Resource Timing).

Where the time went (issue 16, 2026-12-07, 2-core machine; Resource Timing and long tasks from Playwright, the
server's CPU per request, SQL statements counted on the engine, V8 CPU profiles). The console was ready in
689-819 ms (quiet) against a bare page's 82 ms, the tablet in 595-609 ms:
- Its files, about 40%: a shell, 2 stylesheets and 17 modules (tablet 19), six at a time (HTTP/1.1), each through
  the body limits, the header middleware, routing, dependencies and `StaticFiles`' two thread hops: 1.3 ms of the
  one server process per file, on the critical path.
- Its data, about 35%: two round trips, `me` + the events, then 9 requests (the questions summary led to a third);
  more than the six connections, each paying the session check, the event lookup and the middleware again; about
  90 ms of server CPU in all. Items were read with 2 statements per item (21 for the bench's 8).
- Its first render, about 15%: the browser's first `Intl.DateTimeFormat` loads its date data (20-30 ms), and the
  run of show's scroll anchor forced a layout in the middle of the render (18 ms and more).
What changed: one `GET /api/events/{id}/snapshot` (server/pages/snapshot.py: the same parts from the same services,
in one transaction, the journal read first) asked for by console_ui/js/lib/firstload.js, an async module that runs
while the other modules download; items in 2 statements for any number; the shells and files answered from memory
(server/pages/assets.py: 0.25 ms of server CPU instead of 1.3 ms); the event follower and the authors' toasts
loaded after the first render; the date data loaded while the request is out; the scroll anchor in the next frame.
Requests before ready: console 32 -> 21, tablet 31 -> 22-23. Quiet machine, same half hour, the tree before and after:
console 730 -> 281-362 ms, tablet 543 -> 274-356 ms, setup 475 -> 329-351 ms (bare page 66-81 ms); weights 145.5,
141.1 and 67.0 KiB (were 143.9, 140.1 and 67.6).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ui.harness import (  # noqa: E402
    CHROMIUM_ARGS,
    PASSWORD,
    Api,
    LiveServer,
    add_consent,
    approve,
    chromium_path,
    create_event,
    create_item,
    upload_image,
)

PAGES = {"login": ("/login", None), "console": ("/console", "comms"), "tablet": ("/tablet", "clinician"),
         "setup": ("/setup", "comms"), "sandbox": ("/sandbox", None), "live": ("/live/{slug}", None)}
BUDGET_BYTES = 150_000
BUDGET_MS = 500.0
BASELINE = "/ui/baseline.html"
COUNTED = {"document", "stylesheet", "script"}


def seed(server: LiveServer) -> tuple[int, str]:
    """An event with a realistic handful of items, one of them posted to the sandbox."""
    author, comms, clinician = (Api(server, name) for name in ("author", "comms", "clinician"))
    event = create_event(author, title="Heart bypass, live from OR 3")
    add_consent(author, event["id"])
    image = upload_image(author)
    media = [{"sha256": image["sha256"], "alt_text": "The surgical team at the table.", "mime_type": image["mime_type"],
              "size_bytes": image["size_bytes"], "width": image["width"], "height": image["height"]}]
    for n in range(1, 9):
        item = create_item(author, event["id"], key=f"step-{n}", offset=f"T+{n // 2:02d}:{(n % 2) * 30:02d}",
                           caption=f"Update {n}: the team is at step {n} of the operation. #LiveOR",
                           media=media if n == 1 else [])
        if n <= 6:
            approve(comms, item)
            approve(clinician, item)
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    for client in (author, comms, clinician):
        client.close()
    return int(event["id"]), str(event["slug"])


def measure(browser: Any, server: LiveServer, path: str, user: str | None) -> dict[str, float]:
    """One cold load: bytes of HTML/CSS/JS and milliseconds to ready."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1440, "height": 1000})
    try:
        if user:
            context.request.post("/api/auth/login", data={"username": user, "password": PASSWORD})
        page = context.new_page()
        sizes: list[int] = []

        def counted(response: Any) -> None:
            if response.request.resource_type in COUNTED and response.status == 200:
                sizes.append(len(response.body()))

        page.on("response", counted)
        page.goto(path, wait_until="load")
        if path == BASELINE:
            ready = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        else:
            page.wait_for_selector("body[data-ready]", timeout=30_000)
            ready = float(page.get_attribute("body", "data-ready") or "nan")
        # Requests the page made before it was ready (the document, then what Resource Timing saw start).
        requests = 1 + page.evaluate("(ready) => performance.getEntriesByType('resource')"
                                     ".filter((r) => r.startTime < ready).length", ready)
        return {"bytes": float(sum(sizes)), "ms": float(ready), "requests": float(requests)}
    finally:
        context.close()


def run(rounds: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="livecue-bench-") as tmp:
        server = LiveServer(data_dir=Path(tmp), in_process=False).start()
        try:
            event_id, slug = seed(server)
            samples: dict[str, list[dict[str, float]]] = {name: [] for name in PAGES}
            base: list[dict[str, float]] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                urls = {name: (f"{path}?event={event_id}" if user else path.format(slug=slug), user)
                        for name, (path, user) in PAGES.items()}
                for url, user in urls.values():  # warm-up: server caches, browser code paths
                    measure(browser, server, url, user)
                for _ in range(rounds):
                    for name, (url, user) in urls.items():
                        base.append(measure(browser, server, BASELINE, None))
                        samples[name].append(measure(browser, server, url, user))
                browser.close()
        finally:
            server.stop()
    base_bytes = statistics.median(s["bytes"] for s in base)
    base_ms = statistics.median(s["ms"] for s in base)
    report: dict[str, Any] = {"rounds": rounds, "baseline": {"bytes": base_bytes, "ms": base_ms}, "pages": {}}
    for name, runs in samples.items():
        page_bytes = statistics.median(s["bytes"] for s in runs)
        page_ms = statistics.median(s["ms"] for s in runs)
        report["pages"][name] = {"bytes": page_bytes, "ms": page_ms, "bytes_ratio": page_bytes / base_bytes,
                                 "ms_ratio": page_ms / base_ms if base_ms else float("nan"),
                                 "requests": statistics.median(s["requests"] for s in runs)}
    report["figures"] = [row for name, page in report["pages"].items() for row in (
        {"figure": f"{name} weight", "value": page["bytes"], "baseline": base_bytes,
         "ratio": round(page["bytes_ratio"], 1), "unit": "bytes"},
        {"figure": f"{name} ready", "value": round(page["ms"]), "baseline": round(base_ms),
         "ratio": round(page["ms_ratio"], 2), "unit": "ms"})]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is over its budget")
    args = parser.parse_args()
    report = run(args.rounds)
    over = [name for name, row in report["pages"].items() if row["bytes"] >= BUDGET_BYTES or row["ms"] >= BUDGET_MS]
    if args.json:
        print(json.dumps({**report, "over_budget": over}, indent=2))
        return 1 if args.check and over else 0
    base = report["baseline"]
    print(f"UI weight and time to interactive — median of {report['rounds']} interleaved cold loads")
    print(f"  baseline {BASELINE}: {base['bytes'] / 1024:.1f} KiB, ready in {base['ms']:.0f} ms")
    print(f"  {'page':<10}{'HTML+CSS+JS':>14}{'x base':>9}{'ready':>10}{'x base':>9}{'requests':>10}")
    for name, row in report["pages"].items():
        print(f"  {name:<10}{row['bytes'] / 1024:>10.1f} KiB{row['bytes_ratio']:>8.1f}x"
              f"{row['ms']:>7.0f} ms{row['ms_ratio']:>8.1f}x{row['requests']:>10.0f}{'  OVER' if name in over else ''}")
    print(f"  budget: under {BUDGET_BYTES / 1000:.0f} KB and {BUDGET_MS:.0f} ms per page"
          f"{'' if not over else ' — over: ' + ', '.join(over)}")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    raise SystemExit(main())
