"""Renderings of a recap: the HTML page (linked CSS for the console's strict CSP, or inlined for the
self-contained export a hospital can archive or send to the press), CSV and JSON.

Audience and post text is untrusted: every value goes through `html.escape` (or the csv module) and links are
written only for http(s) or same-site addresses.
"""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

from server.recap import svg
from server.recap.questions import Durations
from server.recap.service import Recap

CSS_NAME = Path("console_ui") / "css" / "recap.css"  # beside the `server` package in a checkout, else in the cwd


def _css() -> str:
    """The page's stylesheet, to inline in the export (unstyled rather than failing where it is missing)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (base / CSS_NAME).is_file():
            return (base / CSS_NAME).read_text(encoding="utf-8")
    return ""


def charts(recap: Recap) -> dict[str, str]:
    """The four plots, as SVG documents keyed by name."""
    pub, q = recap.public, recap.questions
    followers = svg.line_chart(
        "Followers gained per platform", "followers",
        [svg.Series(f.platform, [(p.at, float(p.followers - (f.first or 0))) for p in f.series])
         for f in pub.followers], "followers gained")
    links = [(n + 1, link) for n, post in enumerate(pub.posts) for link in post.links]
    engagement = svg.bar_chart(
        "Engagement per post", "engagement", [f"#{n} {link.platform[:4]}" for n, link in links],
        [(name, [float(getattr(link.engagement, name)) for _, link in links])
         for name in ("likes", "reposts", "replies", "quotes")], "interactions")
    per_ten = svg.bar_chart(
        "Questions per ten minutes", "questions", [f"{b.start:%H:%M}" for b in q.per_ten_minutes],
        [("received", [float(b.received) for b in q.per_ten_minutes])], "questions")
    rows = [("first alert", q.time_to_alert), ("reply", q.time_to_reply)] + [
        (f"reply: {c.name}", c.time_to_reply) for c in q.per_clinician]
    measured = [(label, d) for label, d in rows if d.count]
    times = svg.bar_chart(
        "Response times (median, then 90th percentile above it)", "times", [label for label, _ in measured],
        [("median", [(d.median_seconds or 0) / 60 for _, d in measured]),
         ("to 90th percentile", [((d.p90_seconds or 0) - (d.median_seconds or 0)) / 60 for _, d in measured])],
        "minutes")
    return {"followers": followers, "engagement": engagement, "questions": per_ten, "response-times": times}


def _href(url: str | None) -> str | None:
    if not url:
        return None
    return url if url.startswith(("https://", "http://", "/")) and not url.startswith("//") else None


def _link(url: str | None, label: str) -> str:
    href = _href(url)
    return f'<a href="{escape(href)}">{escape(label)}</a>' if href else escape(label)


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def _durations(label: str, d: Durations) -> str:
    return (f"<tr><th scope=\"row\">{escape(label)}</th><td class=\"num\">{d.count}</td>"
            f"<td class=\"num\">{_minutes(d.median_seconds)}</td><td class=\"num\">{_minutes(d.p90_seconds)}</td></tr>")


def html_page(recap: Recap, *, inline_css: bool, exports_base: str | None = None) -> str:
    """The recap as one HTML document (no script; `inline_css` for the self-contained export)."""
    pub, q = recap.public, recap.questions
    css = f"<style>{_css()}</style>" if inline_css else (
        '<link rel="stylesheet" href="/ui/css/recap.css">')
    gained = sum(f.gained for f in pub.followers)
    figures = [("followers gained", gained), ("posts", len(pub.posts)), ("interactions", pub.engagement_total),
               ("questions received", q.received), ("answered", q.answered), ("emergencies", q.emergencies)]
    parts = [
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Recap: {escape(pub.title)}</title>{css}</head><body data-ready>",
        f'<header class="recap-head"><h1>Recap: {escape(pub.title)} {escape(pub.hashtag)}</h1>'
        f"<p>{_when(recap)} · generated {recap.generated_at:%Y-%m-%d %H:%M} UTC"
        f"{' · rehearsal' if recap.status == 'rehearsal' else ''}</p></header><main>",
    ]
    if exports_base:
        parts.append(f'<p class="exports">Download: <a href="{exports_base}.html">HTML file</a>'
                     f'<a href="{exports_base}.csv">CSV</a><a href="{exports_base}.json">JSON</a></p>')
    parts.append('<section aria-labelledby="h-figures"><h2 id="h-figures">In figures</h2><ul class="figures">'
                 + "".join(f"<li><strong>{value:,}</strong>{escape(label)}</li>" for label, value in figures)
                 + "</ul></section>")
    parts.append('<section aria-labelledby="h-plots"><h2 id="h-plots">Plots</h2><div class="charts">'
                 + "".join(f"<figure>{chart}</figure>" for chart in charts(recap).values()) + "</div></section>")
    parts.append(_followers_table(recap))
    parts.append(_thread_table(recap))
    parts.append(_questions_section(recap))
    parts.append(_moments_section(recap))
    parts.append(_sampling_section(recap))
    parts.append("</main></body></html>")
    return "".join(parts)


def _when(recap: Recap) -> str:
    pub = recap.public
    if pub.live_since is None:
        return "not started"
    start = f"{pub.live_since:%Y-%m-%d %H:%M} UTC"
    end = f"{pub.ended_at:%H:%M} UTC" if pub.ended_at else "still running"
    return f"{start} – {end}"


def _followers_table(recap: Recap) -> str:
    rows = "".join(f'<tr><th scope="row">{escape(f.platform)}</th><td class="num">{f.first:,}</td>'
                   f'<td class="num">{f.last:,}</td><td class="num">{f.gained:+,}</td>'
                   f'<td class="num">{len(f.series)}</td></tr>'
                   for f in recap.public.followers if f.first is not None and f.last is not None)
    return ('<section aria-labelledby="h-followers"><h2 id="h-followers">Followers</h2><table><thead><tr>'
            '<th scope="col">Platform</th><th scope="col" class="num">First sample</th>'
            '<th scope="col" class="num">Last sample</th><th scope="col" class="num">Gained</th>'
            '<th scope="col" class="num">Samples</th></tr></thead><tbody>'
            + (rows or '<tr><td colspan="5">No samples yet.</td></tr>') + "</tbody></table></section>")


def _thread_table(recap: Recap) -> str:
    rows = []
    for n, post in enumerate(recap.public.posts, start=1):
        links = "<br>".join(
            f"{_link(link.url, f'post {n} on {link.platform}')}: {link.engagement.likes} likes, "
            f"{link.engagement.reposts} reposts, {link.engagement.replies} replies, {link.engagement.quotes} quotes"
            for link in post.links)
        when = f"{post.posted_at:%H:%M:%S}" if post.posted_at else ""
        warning = f"<br><em>Content warning: {escape(post.content_warning)}</em>" if post.content_warning else ""
        rows.append(f'<tr><td class="num">{n}</td><td>{when}</td><td class="post-text">{escape(post.text)}{warning}'
                    f"</td><td>{links}</td></tr>")
    return ('<section aria-labelledby="h-thread"><h2 id="h-thread">The thread as posted</h2><table><thead><tr>'
            '<th scope="col" class="num">#</th><th scope="col">Posted (UTC)</th><th scope="col">Text</th>'
            '<th scope="col">Links and engagement</th></tr></thead><tbody>'
            + ("".join(rows) or '<tr><td colspan="4">Nothing was posted.</td></tr>') + "</tbody></table>"
            f'<p class="muted">{recap.replies_posted} replies were sent to individual askers.</p></section>')


def _questions_section(recap: Recap) -> str:
    q = recap.questions
    labels = ", ".join(f"{escape(k.replace('_', ' '))}: {v}" for k, v in q.by_label.items()) or "none"
    clinicians = "".join(f'<tr><th scope="row">{escape(c.name)}</th><td class="num">{c.answered}</td>'
                         f'<td class="num">{_minutes(c.time_to_reply.median_seconds)}</td>'
                         f'<td class="num">{_minutes(c.time_to_reply.p90_seconds)}</td></tr>' for c in q.per_clinician)
    return ('<section aria-labelledby="h-questions"><h2 id="h-questions">Questions</h2>'
            f"<p>{q.received} received ({labels}); {q.grouped} in {q.groups} groups; {q.answered} answered; "
            f"{q.redirected} redirected; {q.emergencies} emergencies.</p>"
            '<table><caption>Response times</caption><thead><tr><th scope="col">Time to</th>'
            '<th scope="col" class="num">Measured</th><th scope="col" class="num">Median</th>'
            '<th scope="col" class="num">90th percentile</th></tr></thead><tbody>'
            + _durations("first alert", q.time_to_alert) + _durations("reply", q.time_to_reply)
            + "</tbody></table>"
            '<table><caption>Per clinician</caption><thead><tr><th scope="col">Clinician</th>'
            '<th scope="col" class="num">Answered</th><th scope="col" class="num">Median reply</th>'
            '<th scope="col" class="num">90th percentile</th></tr></thead><tbody>'
            + (clinicians or '<tr><td colspan="4">No answers written.</td></tr>') + "</tbody></table></section>")


def _moments_section(recap: Recap) -> str:
    rows = "".join(f"<tr><td>{m.at:%H:%M:%S}</td><td>{escape(m.kind)}</td><td>{escape(m.by)}</td>"
                   f"<td>{_link(m.url, m.detail) if m.url else escape(m.detail)}</td></tr>" for m in recap.moments)
    return ('<section aria-labelledby="h-moments"><h2 id="h-moments">Holds and corrections</h2><table><thead><tr>'
            '<th scope="col">Time (UTC)</th><th scope="col">What</th><th scope="col">Who</th>'
            '<th scope="col">Detail</th></tr></thead><tbody>'
            + (rows or '<tr><td colspan="4">No holds and no corrections.</td></tr>') + "</tbody></table></section>")


def _sampling_section(recap: Recap) -> str:
    rows = "".join(f'<tr><th scope="row">{escape(s.platform)}</th><td>{escape(s.account)}</td>'
                   f'<td class="num">{s.samples}</td><td>{escape(s.last_error or "")}</td></tr>'
                   for s in recap.sampling)
    return ('<section aria-labelledby="h-sampling"><h2 id="h-sampling">Sampling</h2><table><thead><tr>'
            '<th scope="col">Platform</th><th scope="col">Account</th><th scope="col" class="num">Rounds</th>'
            '<th scope="col">Last refusal</th></tr></thead><tbody>'
            + (rows or '<tr><td colspan="4">Not sampled.</td></tr>') + "</tbody></table></section>")


CSV_COLUMNS = ("section", "time", "platform", "name", "value", "url")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _SafeWriter:
    """A csv writer that defuses text a spreadsheet would run as a formula (a leading quote, OWASP's advice)."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: tuple[object, ...]) -> None:
        self._writer.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row])


def csv_text(recap: Recap) -> str:
    """Every figure as one long table (section, time, platform, name, value, url), for a spreadsheet."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(CSV_COLUMNS)
    for f in recap.public.followers:
        for point in f.series:
            writer.writerow(("followers", point.at.isoformat(), f.platform, "followers", point.followers, ""))
    for n, post in enumerate(recap.public.posts, start=1):
        for link in post.links:
            for name in ("likes", "reposts", "replies", "quotes"):
                writer.writerow(("engagement", link.posted_at.isoformat() if link.posted_at else "", link.platform,
                                 f"post {n} {name}", getattr(link.engagement, name), link.url or ""))
    q = recap.questions
    for name in ("received", "grouped", "groups", "answered", "redirected", "emergencies"):
        writer.writerow(("questions", "", "", name, getattr(q, name), ""))
    for label, count in q.by_label.items():
        writer.writerow(("questions", "", "", f"label {label}", count, ""))
    for b in q.per_ten_minutes:
        writer.writerow(("questions per ten minutes", b.start.isoformat(), "", "received", b.received, ""))
        writer.writerow(("questions per ten minutes", b.start.isoformat(), "", "answered", b.answered, ""))
    timed = [("first alert", q.time_to_alert), ("reply", q.time_to_reply)] + [
        (f"reply {c.name}", c.time_to_reply) for c in q.per_clinician]
    for label, d in timed:
        writer.writerow(("response seconds", "", "", f"{label} median", d.median_seconds or "", ""))
        writer.writerow(("response seconds", "", "", f"{label} p90", d.p90_seconds or "", ""))
    for m in recap.moments:
        writer.writerow(("holds and corrections", m.at.isoformat(), "", m.kind, m.detail, m.url or ""))
    return out.getvalue()


def json_text(recap: Recap) -> str:
    """The recap as JSON (the API's shape)."""
    return recap.model_dump_json(indent=2)
