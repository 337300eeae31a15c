"""Small server-side SVG charts for the recap: lines over time and (stacked) bars.

Written here rather than with a plotting library on purpose: the charts are four simple shapes; the console's
strict CSP (`style-src 'self'`) blocks the `style="…"` attributes and `<style>` element a library such as
matplotlib writes into its SVG, while presentation attributes (`fill="…"`) are allowed, so these charts can be
inlined in the page and in the self-contained export alike; each carries a `<title>` and `<desc>` for screen
readers (the page also prints the figures as tables), and the output is deterministic for tests. Every text
that comes from data is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 56
# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies, and dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
INK, GRID = "#222222", "#dddddd"


@dataclass(frozen=True)
class Series:
    """One named line: (time, value) points."""

    name: str
    points: Sequence[tuple[datetime, float]]


def _nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _fmt(value: float) -> str:
    """The grid line's value as written: 0.25 stays 0.25 (one decimal wrote it 0.2, and 0.75 as 0.8)."""
    if abs(value) >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _frame(title: str, desc: str, body: list[str], ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-labelledby="{ident}-t {ident}-d" font-family="sans-serif" '
            f'font-size="12" class="chart">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
            f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>'
            + "".join(body) + "</svg>")


def _y_axis(top: float, unit: str, low: float = 0.0) -> list[str]:
    out = []
    plot_h = HEIGHT - TOP - BOTTOM
    for n in range(5):
        value = low + (top - low) * n / 4
        y = HEIGHT - BOTTOM - plot_h * n / 4
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{_fmt(value)}</text>')
    out.append(f'<text x="14" y="{TOP + plot_h / 2:.1f}" fill="{INK}" text-anchor="middle" '
               f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(unit)}</text>')
    return out


def _legend(names: Sequence[str]) -> list[str]:
    out, x = [], LEFT
    for n, name in enumerate(names):
        colour = PALETTE[n % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="{HEIGHT - 8}" fill="{INK}">{escape(name)}</text>')
        x += 28 + 8 * len(name)
    return out


def empty(title: str, ident: str, why: str) -> str:
    """A chart frame that says why it has nothing to show."""
    return _frame(title, why, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{INK}">'
                               f'{escape(why)}</text>'], ident)


def line_chart(title: str, ident: str, series: Sequence[Series], unit: str, *, zero_based: bool = False) -> str:
    """Lines over time, one colour per series, times in UTC on the x axis."""
    points = [p for s in series for p in s.points]
    if not points:
        return empty(title, ident, "no samples yet")
    t0 = min(p[0] for p in points)
    t1 = max(p[0] for p in points)
    span = max((t1 - t0).total_seconds(), 1.0)
    low = 0.0 if zero_based else min(p[1] for p in points)
    high = max(p[1] for p in points)
    low = max(0.0, low - (high - low) * 0.1) if not zero_based else 0.0
    top = low + _nice_max(high - low or 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def xy(at: datetime, value: float) -> tuple[float, float]:
        return (LEFT + plot_w * (at - t0).total_seconds() / span,
                HEIGHT - BOTTOM - plot_h * (value - low) / (top - low))

    body = _y_axis(top, unit, low)
    for n in range(5):
        at = t0 + (t1 - t0) * n / 4
        x = LEFT + plot_w * n / 4
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="{INK}">'
                    f'{at:%H:%M}</text>')
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(at, v) for at, v in s.points))
        body.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for at, value in s.points[-1:]:
            x, y = xy(at, value)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
    body += _legend([s.name for s in series])
    desc = "; ".join(f"{s.name}: {_fmt(s.points[0][1])} to {_fmt(s.points[-1][1])}" for s in series if s.points)
    return _frame(title, desc + " (times in UTC)", body, ident)


def bar_chart(title: str, ident: str, labels: Sequence[str], stacks: Sequence[tuple[str, Sequence[float]]],
              unit: str) -> str:
    """Vertical bars, one per label, each stacked from the named parts (same order as `stacks`)."""
    if not labels:
        return empty(title, ident, "nothing to show yet")
    totals = [sum(part[1][i] for part in stacks) for i in range(len(labels))]
    top = _nice_max(max(totals) if totals else 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)
    bar = max(2.0, min(slot * 0.7, 56.0))
    body = _y_axis(top, unit)
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar) / 2
        base = float(HEIGHT - BOTTOM)
        for n, (_name, values) in enumerate(stacks):
            h = plot_h * values[i] / top
            if h > 0:
                body.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                            f'fill="{PALETTE[n % len(PALETTE)]}"/>')
            base -= h
        if i % every == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                        f'fill="{INK}">{escape(label)}</text>')
    body += _legend([name for name, _ in stacks])
    desc = "; ".join(f"{label}: " + ", ".join(f"{name} {_fmt(values[i])}" for name, values in stacks)
                     for i, label in enumerate(labels))
    return _frame(title, desc, body, ident)
