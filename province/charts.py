"""Small hand-made SVG charts (pure functions: data in, SVG text out).

Colours are presentation attributes, not ``style``, so the page's Content-Security-Policy can
forbid inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 22, 24, 28


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    color: str


TICKS = 4


def nice_max(value: float) -> int:
    """The axis maximum: ``TICKS`` equal whole steps (a round number each) reaching ``value``."""
    raw = max(value, 1) / TICKS
    magnitude = 1
    while True:
        for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            if raw <= step * magnitude and float(step * magnitude).is_integer():
                return int(step * magnitude * TICKS)
        magnitude *= 10


def _frame(width: int, height: int, title: str, top: float, body: list[str], legend: list[Series],
           y_suffix: str = "") -> str:
    plot_h = height - PAD_TOP - PAD_BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for i in range(TICKS + 1):
        value = top * i / TICKS
        y = PAD_TOP + plot_h - plot_h * i / TICKS
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{width - PAD_RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d9dee5" stroke-width="1"/>')
        label = f"{value:g}{y_suffix}"
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{label}</text>')
    x = PAD_LEFT
    for item in legend:
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{item.color}"/>')
        parts.append(f'<text x="{x + 14}" y="15" class="legend">{escape(item.name)}</text>')
        x += 24 + 7 * len(item.name)
    return "".join(parts + body + ["</svg>"])


def bar_chart(title: str, labels: list[str], series: list[Series], width: int = 640, height: int = 220,
              stacked: bool = False, top: float | None = None, y_suffix: str = "") -> str:
    """Grouped (or stacked) bars, one group per label."""
    count = max(len(labels), 1)
    totals = [sum(s.values[i] for s in series) if stacked else max((s.values[i] for s in series), default=0)
              for i in range(len(labels))]
    top = top or nice_max(max(totals, default=0))
    plot_w, plot_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / count
    body: list[str] = []
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * slot
        base = 0.0
        for k, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top if top else 0
            if stacked:
                x, w, y = x0 + slot * 0.15, slot * 0.7, PAD_TOP + plot_h - h - plot_h * base / top
                base += value
            else:
                w = slot * 0.8 / len(series)
                x, y = x0 + slot * 0.1 + k * w, PAD_TOP + plot_h - h
            if value:
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w - 1, 1):.1f}" height="{h:.1f}" '
                            f'fill="{s.color}"><title>{escape(s.name)}: {value:g}</title></rect>')
        if count <= 16 or i % max(1, count // 12) == 0:
            body.append(f'<text x="{x0 + slot / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                        f'class="axis">{escape(label)}</text>')
    return _frame(width, height, title, top, body, series, y_suffix)


def line_chart(title: str, labels: list[str], series: list[Series], width: int = 640, height: int = 220,
               top: float | None = None, y_suffix: str = "") -> str:
    """Lines over evenly spaced labels (a single point is drawn as a dot)."""
    count = len(labels)
    top = top or nice_max(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = width - PAD_LEFT - PAD_RIGHT, height - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(count - 1, 1)
    body: list[str] = []
    for s in series:
        points = [(PAD_LEFT + i * step, PAD_TOP + plot_h - plot_h * v / top) for i, v in enumerate(s.values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        for (x, y), v in zip(points, s.values):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{s.color}">'
                        f"<title>{escape(s.name)}: {v:g}</title></circle>")
    every = max(1, count // 10)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(f'<text x="{PAD_LEFT + i * step:.1f}" y="{height - 10}" text-anchor="middle" '
                        f'class="axis">{escape(label)}</text>')
    return _frame(width, height, title, top, body, series, y_suffix)
