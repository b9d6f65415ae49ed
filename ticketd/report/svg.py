"""Hand-written SVG charts for the HTML report (pure functions returning SVG text)."""

from __future__ import annotations

import math
from html import escape

FONT = "Noto Sans, DejaVu Sans, sans-serif"
INK, MUTED, GRID = "#1d2733", "#5b6776", "#e3e8ef"
LABEL_W = 250
ROW_H = 30


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}" font-family="{FONT}">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, size: int = 13, anchor: str = "start", color: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _legend(items: list[tuple[str, str]], y: float, x: float = LABEL_W) -> list[str]:
    parts = []
    for name, color in items:
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" rx="2" fill="{color}"/>')
        parts.append(_text(x + 17, y, name, 12, color=MUTED))
        x += 34 + 7.2 * len(name)
    return parts


def nice_top(value: float, ticks: int = 4) -> int:
    """The smallest axis top >= ``value`` with ``ticks`` whole-number steps (at least 4)."""
    return ticks * max(1, math.ceil(value / ticks))


def bar_chart(title: str, rows: list[tuple[str, float, str]], color: str, width: int = 1000) -> str:
    """Horizontal bars: ``(label, value, text shown after the bar)`` per row."""
    plot_w = width - LABEL_W - 150
    top = 10
    height = top + ROW_H * max(1, len(rows)) + 10
    peak = max((value for _, value, _ in rows), default=0) or 1
    body = []
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * ROW_H
        length = plot_w * value / peak
        body.append(_text(LABEL_W - 10, y + 19, label, anchor="end"))
        body.append(f'<rect x="{LABEL_W}" y="{y + 5}" width="{length:.1f}" height="{ROW_H - 10}" rx="4" '
                    f'fill="{color}"/>')
        body.append(_text(LABEL_W + length + 8, y + 19, shown, 12, color=MUTED))
    return _svg(width, height, body, title)


def stacked_chart(title: str, rows: list[tuple[str, list[float], str]], series: list[tuple[str, str]],
                  width: int = 1000, normalise: bool = False) -> str:
    """Stacked horizontal bars: ``(label, values per series, text after the bar)`` per row.

    ``series`` gives each value's legend name and colour; with ``normalise`` every bar is 100 %.
    """
    plot_w = width - LABEL_W - 150
    top = 26
    height = top + ROW_H * max(1, len(rows)) + 8
    peak = max((sum(values) for _, values, _ in rows), default=0) or 1
    body = _legend(series, 14)
    for i, (label, values, shown) in enumerate(rows):
        y = top + i * ROW_H
        total = sum(values)
        scale = (plot_w / total if total else 0) if normalise else plot_w / peak
        x = float(LABEL_W)
        body.append(_text(LABEL_W - 10, y + 19, label, anchor="end"))
        if not total:
            body.append(f'<rect x="{LABEL_W}" y="{y + 5}" width="{plot_w}" height="{ROW_H - 10}" rx="4" '
                        f'fill="none" stroke="{GRID}"/>')
        for value, (_name, color) in zip(values, series, strict=True):
            if value <= 0:
                continue
            body.append(f'<rect x="{x:.1f}" y="{y + 5}" width="{value * scale:.1f}" height="{ROW_H - 10}" '
                        f'fill="{color}"/>')
            x += value * scale
        end = LABEL_W + (plot_w if normalise or not total else total * scale)
        body.append(_text(end + 8, y + 19, shown, 12, color=MUTED))
    return _svg(width, height, body, title)


def wait_chart(title: str, rows: list[tuple[str, float | None, float | None, str]],
               legend: tuple[str, str], width: int = 1000) -> str:
    """Average wait as a bar and the P90 as a tick: ``(label, avg_s, p90_s, text after)``."""
    plot_w = width - LABEL_W - 150
    top = 26
    height = top + ROW_H * max(1, len(rows)) + 8
    peak = max((p or a or 0 for _, a, p, _ in rows), default=0) or 1
    body = _legend([(legend[0], "#0b63c5"), (legend[1], "#d84315")], 14)
    for i, (label, avg, high, shown) in enumerate(rows):
        y = top + i * ROW_H
        body.append(_text(LABEL_W - 10, y + 19, label, anchor="end"))
        if avg is None:
            body.append(_text(LABEL_W, y + 19, shown, 12, color=MUTED))
            continue
        high = avg if high is None else high
        body.append(f'<rect x="{LABEL_W}" y="{y + 7}" width="{plot_w * avg / peak:.1f}" height="{ROW_H - 14}" '
                    f'rx="3" fill="#0b63c5"/>')
        x90 = LABEL_W + plot_w * high / peak
        body.append(f'<line x1="{x90:.1f}" x2="{x90:.1f}" y1="{y + 3}" y2="{y + ROW_H - 3}" stroke="#d84315" '
                    f'stroke-width="3"/>')
        body.append(_text(x90 + 8, y + 19, shown, 12, color=MUTED))
    return _svg(width, height, body, title)


def hour_chart(title: str, rows: list[tuple[int, int, float | None]], legend: tuple[str, str],
               width: int = 1000, height: int = 280) -> str:
    """Arrivals per hour as columns (left axis) and the average wait in minutes as a line (right):
    ``(hour, arrivals, avg_wait_s)`` per row; ``legend`` names the two series."""
    left, right, top, bottom = 50, 60, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(rows))
    slot = plot_w / n
    peak = nice_top(max((a for _, a, _ in rows), default=0))
    peak_wait = nice_top(max((w for _, _, w in rows if w is not None), default=0) / 60)
    body = _legend([(legend[0], "#7aa7dd"), (legend[1], "#d84315")], 14, x=left)
    for k in range(5):
        y = top + plot_h * k / 4
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, f"{peak * (4 - k) // 4}", 11, "end", MUTED))
        body.append(_text(left + plot_w + 6, y + 4, f"{peak_wait * (4 - k) // 4}", 11, color="#d84315"))
    points = []
    for i, (hour, arrivals, wait) in enumerate(rows):
        x = left + i * slot
        bar_h = plot_h * arrivals / peak
        body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{bar_h:.1f}" rx="3" fill="#7aa7dd"/>')
        if arrivals:
            body.append(_text(x + slot / 2, top + plot_h - bar_h - 4, str(arrivals), 11, "middle", MUTED))
        body.append(_text(x + slot / 2, top + plot_h + 16, f"{hour}h", 12, "middle"))
        if wait is not None:
            points.append((x + slot / 2, top + plot_h - plot_h * (wait / 60) / peak_wait))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="#d84315" stroke-width="2.5"/>')
    for x, y in points:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#d84315"/>')
    return _svg(width, height, body, title)
