"""Accessible SVG charts rendered on the server: pure functions that return markup.

Every chart is one ``<svg role="img">`` labelled by its own ``<title>`` and
``<desc>`` (aria-labelledby), so a screen reader announces it as one picture
with a summary; the page shows the same figures as a table beside it. All
text arrives here already translated: these functions only draw. No script,
no external service, no web font: the markup scales with its viewBox. No
``style`` attribute either, which the Content-Security-Policy would refuse: the
font comes from ``.sk-chart`` in static/css/monitoring.css, colours and lines
from SVG presentation attributes (``fill``, ``stroke``), which it allows.

Each function escapes every piece of text it is given before it joins the
markup, and only then marks the result safe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Dark enough against white for graphics (WCAG 1.4.11, at least 3:1), and
# told apart by more than hue alone: the legend and the table say which is which.
PALETTE = ("#1d4f91", "#b04a00", "#2d6a2e", "#6b3fa0", "#8a6d00")
TEXT = "#1b1b1b"
GRID = "#767676"


def _fmt(value: float, decimals: int = 0) -> str:
    # Rounded first: number_format cuts the other decimals off.
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)


def _nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _nice_step(value: float, steps: int) -> float:
    """A round tick step so that ``steps`` of them reach at least ``value``: 1, 2, 2.5 or 5 times a power of ten."""
    return _nice_max(value / steps)


def _decimals(step: float) -> int:
    """As many decimals as the step needs to be written exactly (0.25 needs two, 2.5 one, 50 none)."""
    for decimals in range(4):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-9:
            return decimals
    return 3


def _open(chart_id: str, title: str, description: str, width: int, height: int, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sk-chart {escape(css_class)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _text(x: float, y: float, content: str, *, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{TEXT}" text-anchor="{anchor}" font-weight="{weight}">'
        f"{escape(content)}</text>"
    )


def _empty(chart_id: str, title: str, description: str, empty_text: str) -> SafeString:
    body = _open(chart_id, title, description, 640, 60, "sk-chart--empty")
    markup = body + _text(0, 35, empty_text) + "</svg>"
    return mark_safe(markup)  # nosec B308, B703 # every piece is escaped above


def funnel_svg(
    stages: Sequence[tuple[str, int]],
    *,
    chart_id: str,
    title: str,
    description: str,
    empty_text: str,
) -> SafeString:
    """A funnel: one centred bar per step, as wide as the number that reached it."""
    if not stages or max(v for _, v in stages) <= 0:
        return _empty(chart_id, title, description, empty_text)
    width, label_width, value_width, row = 480, 130, 50, 40
    bar_area = width - label_width - value_width
    centre = label_width + bar_area / 2
    height = row * len(stages) + 10
    biggest = max(v for _, v in stages)
    parts = [_open(chart_id, title, description, width, height, "sk-chart--funnel")]
    for i, (label, value) in enumerate(stages):
        y = 5 + i * row
        bar = max(2.0, bar_area * value / biggest) if value else 0.0
        parts.append(_text(0, y + row / 2 + 4, label))
        if bar:
            parts.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{y + 4:.1f}" width="{bar:.1f}" height="{row - 8}" '
                f'fill="{PALETTE[0]}" rx="2"></rect>'
            )
        parts.append(_text(width, y + row / 2 + 4, _fmt(value), anchor="end", weight="bold"))
    parts.append("</svg>")
    markup = "".join(parts)
    return mark_safe(markup)  # nosec B308, B703 # every piece is escaped above


def stacked_bars_svg(
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
    empty_text: str,
    unit: str,
    value_format: Callable[[float], str] | None = None,
    label_width: int = 190,
) -> SafeString:
    """Horizontal stacked bars: one row per category, one segment per series (e.g. days per stage).

    ``label_width``: room for the categories' names at the left (longer names need more)."""
    fmt = value_format or (lambda v: _fmt(v, 1))
    totals = [sum(v or 0 for v in row) for row in values]
    if not categories or max(totals, default=0) <= 0:
        return _empty(chart_id, title, description, empty_text)
    width, value_width, row, legend = 640, 70, 30, 30
    bar_area = width - label_width - value_width
    # Ticks from the data's range: a round step, four of them, written with the decimals the step needs.
    ticks = 4
    step = _nice_step(max(totals), ticks)
    axis_max = step * ticks
    top = legend + 10
    height = top + row * len(categories) + 40
    parts = [_open(chart_id, title, description, width, height, "sk-chart--stacked")]
    # Legend: a swatch and the series name, left to right in stacking order.
    x = 0.0
    for i, name in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="6" width="14" height="14" fill="{PALETTE[i % len(PALETTE)]}"></rect>')
        parts.append(_text(x + 20, 18, name))
        x += 20 + 8 * len(name) + 24
    for i, (category, row_values) in enumerate(zip(categories, values, strict=True)):
        y = top + i * row
        parts.append(_text(0, y + row / 2 + 4, category))
        offset = float(label_width)
        for j, value in enumerate(row_values):
            if not value:
                continue
            segment = bar_area * value / axis_max
            parts.append(
                f'<rect x="{offset:.1f}" y="{y + 4:.1f}" width="{segment:.1f}" height="{row - 8}" '
                f'fill="{PALETTE[j % len(PALETTE)]}" stroke="#ffffff" stroke-width="1"></rect>'
            )
            offset += segment
        parts.append(_text(width, y + row / 2 + 4, fmt(totals[i]), anchor="end", weight="bold"))
    # Axis with five ticks (0 and four steps), labelled in the unit.
    axis_y = top + row * len(categories) + 4
    parts.append(
        f'<line x1="{label_width}" y1="{axis_y}" x2="{label_width + bar_area}" y2="{axis_y}" stroke="{GRID}"></line>'
    )
    decimals = _decimals(step)
    for k in range(ticks + 1):
        tx = label_width + bar_area * k / ticks
        parts.append(f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 5}" stroke="{GRID}"></line>')
        parts.append(_text(tx, axis_y + 20, _fmt(step * k, decimals if k else 0), anchor="middle"))
    parts.append(_text(width, axis_y + 20, unit, anchor="end"))
    parts.append("</svg>")
    markup = "".join(parts)
    return mark_safe(markup)  # nosec B308, B703 # every piece is escaped above


def columns_svg(
    points: Sequence[tuple[str, int]],
    *,
    chart_id: str,
    title: str,
    description: str,
    empty_text: str,
) -> SafeString:
    """Vertical columns over time (e.g. agreements signed per month), the number above each."""
    if not points:
        return _empty(chart_id, title, description, empty_text)
    width, height, bottom, top = 640, 250, 50, 24
    plot = height - bottom - top
    slot = width / len(points)
    column = slot * 0.6
    axis_max = _nice_max(max((v for _, v in points), default=0))
    parts = [_open(chart_id, title, description, width, height, "sk-chart--columns")]
    base = height - bottom
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{GRID}"></line>')
    for i, (label, value) in enumerate(points):
        cx = slot * i + slot / 2
        bar = plot * value / axis_max
        if bar:
            parts.append(
                f'<rect x="{cx - column / 2:.1f}" y="{base - bar:.1f}" width="{column:.1f}" height="{bar:.1f}" '
                f'fill="{PALETTE[2]}"></rect>'
            )
        parts.append(_text(cx, base - bar - 6, _fmt(value), anchor="middle", weight="bold"))
        # A label may hold two lines ("jan\n2026") so twelve months fit side by side.
        for line_number, line in enumerate(label.split("\n")):
            parts.append(_text(cx, base + 18 + 15 * line_number, line, anchor="middle"))
    parts.append("</svg>")
    markup = "".join(parts)
    return mark_safe(markup)  # nosec B308, B703 # every piece is escaped above
