"""Charts drawn on the server as SVG: no script, no CDN, nothing for the browser to fetch. Each function
takes plain values and returns an <svg> element as text, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 28
BAR_ROW = 28  # the most height one bar takes, so that a single bar is not a slab


@dataclass(frozen=True)
class Band:
    """A shaded interval under a series, e.g. a forecast's prediction interval: one (low, high) per
    label, None where there is none (the band covers the labels that have one)."""

    low: Sequence[float | None]
    high: Sequence[float | None]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None leaves a gap
    css: str  # the class that colours it (ops.css)
    band: Band | None = None


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times 10^k at or above value: a round top for the axis."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    while step > value:
        step /= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _text(x: float, y: float, body: str, css: str = "axis", anchor: str = "start") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(body)}</text>'


def _frame(title: str, body: list[str], extra: str = "", width: int = WIDTH) -> str:
    label = escape(title)
    return (
        f'<svg class="chart" viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{label}"{extra}>'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], width: int = WIDTH) -> str:
    """Lines over shared x labels (dates), with a y axis from 0 to a round top and optional bands;
    `width` in the chart's own units (twice WIDTH for a chart across the page)."""
    points = [v for s in series for v in s.values if v is not None]
    points += [v for s in series if s.band for v in s.band.high if v is not None]
    top = _nice_top(max(points, default=0.0))
    plot_w, plot_h = width - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return PAD_LEFT + i * step

    def y(v: float) -> float:
        return PAD_TOP + plot_h - (max(v, 0.0) / top) * plot_h

    body = []
    for tick in range(5):
        value = top * tick / 4
        at = f"{y(value):.1f}"
        body.append(f'<line class="rule" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{at}" y2="{at}"/>')
        body.append(_text(PAD_LEFT - 6, y(value) + 4, _number(value), anchor="end"))
    every = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(_text(x(i), HEIGHT - 8, label, anchor="middle"))
    for s in series:
        if s.band is not None:
            pairs = [(i, lo, hi) for i, (lo, hi) in enumerate(zip(s.band.low, s.band.high, strict=True))]
            shown = [
                (i, lo, hi) for i, lo, hi in pairs if lo is not None and hi is not None and i < len(labels)
            ]
            upper = [f"{x(i):.1f},{y(hi):.1f}" for i, _, hi in shown]
            lower = [f"{x(i):.1f},{y(lo):.1f}" for i, lo, _ in shown]
            body.append(f'<polygon class="band {s.css}" points="{" ".join(upper + lower[::-1])}"/>')
        for run in _runs(s.values):
            path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            body.append(
                f'<polyline class="line {s.css}" points="{path}"><title>{escape(s.name)}</title></polyline>'
            )
            if len(run) == 1:
                i, v = run[0]
                body.append(f'<circle class="dot {s.css}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5"/>')
    names = "".join(
        _text(PAD_LEFT + 8 + 150 * n, PAD_TOP + 12, s.name, f"legend {s.css}") for n, s in enumerate(series)
    )
    return _frame(title, [*body, names], f' data-points="{len(points)}"', width)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """The series split at its gaps, each piece with its x positions."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, v))
    return [r for r in runs if r]


def bar_chart(title: str, bars: Sequence[tuple[str, float]], unit: str = "", css: str = "s1") -> str:
    """Horizontal bars, largest first as given, each with its label and value."""
    if not bars:
        return _frame(title, [_text(WIDTH / 2, HEIGHT / 2, "No data", "empty", "middle")])
    top = max((v for _, v in bars), default=0.0) or 1.0
    row = min((HEIGHT - 2 * PAD_TOP) / len(bars), BAR_ROW)
    label_w = 150
    body = []
    for i, (label, value) in enumerate(bars):
        y = PAD_TOP + i * row
        w = (WIDTH - label_w - 80) * value / top
        shown = f"{_number(value)}{unit}"
        body += [
            _text(label_w - 6, y + row * 0.65, label[:24], anchor="end"),
            f'<rect class="bar {css}" x="{label_w}" y="{y + row * 0.15:.1f}" width="{w:.1f}" '
            f'height="{row * 0.7:.1f}"><title>{escape(label)}: {escape(shown)}</title></rect>',
            _text(label_w + w + 6, y + row * 0.65, shown, "value"),
        ]
    return _frame(title, body, f' data-points="{len(bars)}"')
