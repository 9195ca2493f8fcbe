"""Dashboard charts as inline SVG strings, drawn when the site is built.

The site is static and may be read offline, so a chart is plain SVG in the page: no script,
nothing fetched, no fonts or images. Each chart names itself for screen readers (``<title>``,
and a ``<desc>`` that says all the data in words), tells its series apart by pattern, marker
and legend text as well as by colour, and takes its colours from CSS classes (``CSS``) so the
light and dark themes can restyle it; inline fallback colours keep an SVG readable on its own.
Text is measured by estimate (there are no font metrics at build time), so layouts leave room.

An SVG scales as a whole, text with it, so one drawing cannot suit a desktop column and a
phone. Each chart is drawn twice: a wide layout (``WIDTH`` units across, for a column of
about 650 px or more) and a narrow one (``NARROW`` units, one unit about one CSS pixel on a
390 px phone, with horizontal bars and labels above them where a wide chart sets things side
by side). By default a chart function returns both, the wide one first; ``CSS`` shows the
one that fits its container (a CSS container query: the site's ``.nm-chart-wrap``), and
without the stylesheet the narrow one stays hidden. ``layout="wide"`` or ``"narrow"`` gives
one SVG alone. No text in either layout is smaller than ``MIN_TEXT`` units, so text stays at
least ``READABLE_PX`` CSS pixels high wherever its layout is shown.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from nearmiss.log.words import plural, whole_percent

WIDTH = 720             # the wide layout, in SVG units
NARROW = 360            # the narrow layout: about 1 unit per CSS pixel on a 390 px phone
MIN_TEXT = 10           # the smallest font size (units) either layout uses
READABLE_PX = 9         # the smallest text height (CSS px) a reader should get
# The container width below which the wide layout's smallest text would fall under
# READABLE_PX: narrower containers get the narrow layout.
SWITCH_PX = math.ceil(WIDTH * READABLE_PX / MIN_TEXT)
NARROW_MAX_PX = 480     # the narrow layout is not drawn wider, so its text stays modest
LABEL_MAX = 40          # characters shown before a label is cut with an ellipsis
FONT = 12
TITLE_FONT = 14
_CHAR = 0.6             # average glyph width per font size, generous for system sans fonts
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 forbids even when escaped; dropped so odd data cannot break the page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Layout = Literal["both", "wide", "narrow"]

# Fallback colours, used when the stylesheet is absent (Okabe-Ito blue and vermilion).
_NEAR, _FAIL, _AXIS, _GRID, _REF, _CUM = (
    "#0072b2", "#d55e00", "#767676", "#d9d9d9", "#333333", "#767676")

CSS = (
    "/* nearmiss charts (nearmiss.site.charts): colours by class, so light and dark themes apply."
    " Override --nm-near / --nm-fail to choose other series colours. The series take the"
    " theme's link colour (readable on its background in light and dark schemes) and its"
    " accent colour. */\n"
    ".nm-chart { display: block; width: 100%; height: auto;\n"
    "  --nm-near: var(--md-typeset-a-color, var(--md-primary-fg-color, #0072b2));"
    " --nm-fail: var(--md-accent-fg-color, #d55e00); }\n"
    ".nm-chart .nm-series-near, .nm-chart .nm-bar:not(.nm-series-fail) { fill: var(--nm-near); }\n"
    ".nm-chart .nm-series-fail { stroke: var(--nm-fail); }\n"
    ".nm-chart pattern .nm-series-fail { fill: var(--nm-fail); stroke: none; }\n"
    ".nm-chart pattern .nm-hatch-gap { fill: var(--md-default-bg-color, #fff); }\n"
    ".nm-chart .nm-series-line { stroke: var(--nm-near); }\n"
    ".nm-chart .nm-marker { fill: var(--nm-near); stroke: var(--md-default-bg-color, #fff); }\n"
    ".nm-chart .nm-axis { stroke: var(--md-default-fg-color--light, #767676); }\n"
    ".nm-chart .nm-grid { stroke: var(--md-default-fg-color--lighter, #d9d9d9);"
    " stroke-opacity: .5; }\n"
    ".nm-chart .nm-cum { fill: var(--md-default-fg-color--light, #767676); }\n"
    ".nm-chart .nm-ref { stroke: var(--md-default-fg-color, #333); }\n"
    ".nm-chart .nm-label { fill: currentColor; }\n"
    ".nm-chart .nm-halo { stroke: var(--md-default-bg-color, #fff); }\n"
    ".nm-chart .nm-dot-near { fill: var(--md-default-bg-color, #fff); stroke: var(--nm-near); }\n"
    ".nm-chart .nm-mark-fail { fill: var(--nm-fail); stroke: var(--md-default-bg-color, #fff); }\n"
    ".nm-chart .nm-lead { stroke: var(--md-default-fg-color--light, #767676); }\n"
    "/* Two layouts of each chart: the narrow one where the wide one's text would be too"
    " small. */\n"
    ".nm-chart.nm-chart--narrow { display: none; max-width: " + f"{NARROW_MAX_PX}px; }}\n"
    f"@container (width < {SWITCH_PX}px) {{\n"
    "  .nm-chart.nm-chart--wide { display: none; }\n"
    "  .nm-chart.nm-chart--narrow { display: block; }\n}\n"
)


# -- text and numbers ----------------------------------------------------------------------

def _esc(value: str) -> str:
    """Text from data, safe as XML element content or attribute value."""
    return html.escape(_NOT_XML.sub("", value), quote=True)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _clip(value: str, limit: int = LABEL_MAX) -> str:
    """A label cut to ``limit`` characters with an ellipsis; the full text goes elsewhere."""
    value = _one_line(value)
    limit = max(limit, 2)
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "…"


def _width(value: str, size: float = FONT) -> float:
    return len(value) * size * _CHAR


def _n(x: float) -> str:
    """A coordinate, short and stable: one decimal at most, never '-0'."""
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _gauge(x: float, y: float, width: float, height: float, share: float | None
           ) -> list[str]:
    """A cumulative-share gauge: an outlined box filled as far as the share (0 to 1)."""
    fill = 0.0 if share is None or not math.isfinite(share) else min(max(share, 0), 1)
    at, high = f'x="{_n(x)}" y="{_n(y)}"', f'height="{_n(height)}"'
    out = [f'<rect class="nm-grid" {at} width="{_n(width)}" {high} fill="none" '
           f'stroke="{_GRID}"/>']
    if fill > 0:
        out.append(f'<rect class="nm-cum" {at} width="{_n(width * fill)}" {high} '
                   f'fill="{_CUM}"/>')
    return out


def _text(x: float, y: float, value: str, *, anchor: str = "start", size: float = FONT,
          limit: int = LABEL_MAX, cls: str = "nm-label", extra: str = "") -> str:
    """A one-line label; if cut short, its full text is a tooltip (``<title>`` child)."""
    shown = _clip(value, limit)
    tip = f"<title>{_esc(_one_line(value))}</title>" if shown != _one_line(value) else ""
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    if size != FONT:
        attrs += f' font-size="{_n(size)}"'
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}"{attrs} fill="currentColor"{extra}>'
            f"{tip}{_esc(shown)}</text>")


# Text outlined in the background colour, so a value stays legible over gridlines and lines.
_HALO = ' stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
_HALO_CLS = "nm-label nm-halo"


# -- frame ---------------------------------------------------------------------------------

def _check_id(chart_id: str) -> None:
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be a letter then letters, digits, '-' or '_': "
                         f"{chart_id!r}")


def _wrap(value: str, limit: int, lines: int) -> list[str]:
    """Words filled into at most ``lines`` lines of ``limit`` characters; the last line
    takes the rest (and is cut with an ellipsis when drawn)."""
    words = _one_line(value).split(" ")
    out: list[str] = []
    line = ""
    for i, word in enumerate(words):
        if len(out) == lines - 1:
            out.append(" ".join([line, *words[i:]]).strip() if line else " ".join(words[i:]))
            return out
        if line and len(line) + 1 + len(word) > limit:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*out, line] if line or not out else out


def _heading(title: str, width: int) -> tuple[str, float]:
    """The chart's visible title in bold, on two lines if one is too short; and the y below
    it where the chart's content starts."""
    limit = int((width - 16) / (TITLE_FONT * _CHAR))
    lines = _wrap(title, limit, 2)
    svg = "".join(_text(8, 20 + 18 * i, line, size=TITLE_FONT, limit=limit,
                        extra=' font-weight="bold"') for i, line in enumerate(lines))
    return svg, 24 + 18 * (len(lines) - 1)


def _svg(chart_id: str, width: int, height: float, title: str, desc: str, heading: str,
         body: str, defs: str = "") -> str:
    """The accessible root: role=img, named by its title and described by its desc."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_n(height)}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="nm-chart" '
            f'font-family="system-ui, sans-serif" font-size="{FONT}">'
            f'<title id="{chart_id}-title">{_esc(_one_line(title))}</title>'
            f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
            + (f"<defs>{defs}</defs>" if defs else "")
            + heading + body + "</svg>")


_ROOT_CLASS = ' class="nm-chart" '


def _layouts(chart_id: str, layout: Layout, draw: Callable[[str, int], str]) -> str:
    """The chart in the layout asked for, or both: the wide one, then the narrow one with
    its own ids, marked for the stylesheet to choose between and hidden without it."""
    _check_id(chart_id)
    if layout == "wide":
        return draw(chart_id, WIDTH)
    if layout == "narrow":
        return draw(chart_id, NARROW)
    if layout != "both":
        raise ValueError(f"layout must be 'both', 'wide' or 'narrow': {layout!r}")
    wide, narrow = draw(chart_id, WIDTH), draw(f"{chart_id}-narrow", NARROW)
    return (wide.replace(_ROOT_CLASS, ' class="nm-chart nm-chart--wide" ', 1)
            + narrow.replace(_ROOT_CLASS, ' class="nm-chart nm-chart--narrow" display="none" ',
                             1))


def _empty(chart_id: str, width: int, title: str) -> str:
    """Small but complete, so a new log's dashboard still explains itself."""
    heading, head = _heading(title, width)
    return _svg(chart_id, width, head + 40, title, "No data yet.", heading,
                _text(8, head + 24, "No data yet", cls="nm-label nm-empty"))


def _hatch(chart_id: str) -> tuple[str, str]:
    """The failure fill (colour plus diagonal stripes), so failures read without colour."""
    pid = f"{chart_id}-hatch"
    return pid, (f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
                 f'patternTransform="rotate(45)">'
                 f'<rect class="nm-series-fail" width="6" height="6" fill="{_FAIL}"/>'
                 f'<rect class="nm-hatch-gap" width="2.5" height="6" fill="#fff" '
                 f'fill-opacity=".6"/></pattern>')


def _nice_axis(top: int) -> tuple[int, int]:
    """(step, intervals) for an integer axis from 0 with 3 to 5 gridlines covering ``top``."""
    scale = 1
    while True:
        for base in (1, 2, 5, 10, 20, 25, 50):
            step = base * scale
            if math.ceil(top / step) <= 4:
                return step, max(math.ceil(top / step), 2)
        scale *= 10


def _x_labels(labels: Sequence[str], centres: Sequence[float], slot: float, y: float
              ) -> tuple[str, float]:
    """Category labels under a plot: level if they fit, else slanted and thinned out.

    Returns the SVG and the height it takes.
    """
    limit, size = 12, 11.0
    widest = max(_width(_clip(s, limit), size) for s in labels)
    if len(labels) <= 12 and widest <= slot - 4:
        return "".join(_text(x, y + 14, s, anchor="middle", size=size, limit=limit)
                       for x, s in zip(centres, labels, strict=True)), 22
    step = max(1, math.ceil(18 / slot))     # slanted labels need ~18 units between them
    out = []
    for i, (x, s) in enumerate(zip(centres, labels, strict=True)):
        if i % step == 0:
            out.append(_text(x + 4, y + 12, s, anchor="end", size=size, limit=limit,
                             extra=f' transform="rotate(-45 {_n(x + 4)} {_n(y + 12)})"'))
    return "".join(out), 18 + (widest + size) * 0.71


def _legend(x: float, y: float, entries: Sequence[tuple[str, str]], width: int
            ) -> tuple[str, float]:
    """Swatches (SVG) each followed by its series name as text, on as many lines as the
    width needs; and the height they take."""
    out = []
    start, lines = x, 1
    limit = int((width - 8 - start - 18) / (FONT * _CHAR))
    for swatch, name in entries:
        shown = _clip(name, limit)
        step = 18 + _width(shown) + 18
        if x > start and x + step - 18 > width - 8:
            x, y, lines = start, y + 18, lines + 1
        out.append(f'<g transform="translate({_n(x)} {_n(y)})">{swatch}</g>')
        out.append(_text(x + 18, y + 10, name, limit=limit))
        x += step
    return "".join(out), 12 + 18 * (lines - 1)


# -- charts --------------------------------------------------------------------------------

def monthly(chart_id: str, months: list[tuple[str, int, int]],
            title: str = "Near misses and failures per month", layout: Layout = "both"
            ) -> str:
    """Near misses beside failures, month by month: is the log catching more before harm?

    Near misses are solid, failures hatched, and every count is written by its bar, so the
    chart reads in greyscale and the desc repeats every number. The wide layout groups the
    bars per month along the bottom; the narrow one gives each month a row, bars across.
    """
    def draw(cid: str, width: int) -> str:
        if not months:
            return _empty(cid, width, title)
        desc = "; ".join(f"{_one_line(m)}: {plural(n, 'near miss', 'near misses')}, "
                         f"{plural(f, 'failure')}" for m, n, f in months) + "."
        pid, hatch = _hatch(cid)
        heading, head = _heading(title, width)
        near_swatch = (f'<rect class="nm-bar nm-series-near" width="12" height="12" '
                       f'fill="{_NEAR}"/>')
        fail_swatch = (f'<rect class="nm-bar nm-series-fail" width="12" height="12" '
                       f'fill="url(#{pid})" stroke="{_FAIL}"/>')
        legend, legend_h = _legend(8, head + 8, [(near_swatch, "Near misses"),
                                                 (fail_swatch, "Failures (hatched)")], width)
        plot = _monthly_rows if width < WIDTH else _monthly_columns
        height, body = plot(months, pid, width, head + 8 + legend_h)
        return _svg(cid, width, height, title, desc, heading, legend + body, hatch)

    return _layouts(chart_id, layout, draw)


def _bar_fill(cls: str, pid: str) -> str:
    return f'fill="{_NEAR}"' if cls == "nm-series-near" else f'fill="url(#{pid})" stroke="{_FAIL}"'


def _monthly_columns(months: list[tuple[str, int, int]], pid: str, width: int, top_y: float
                     ) -> tuple[float, str]:
    """The wide layout: a month's two bars side by side, months along the bottom."""
    top = max(max(n, f) for _, n, f in months)
    step, intervals = _nice_axis(max(top, 0))
    y_max = step * intervals
    left = 14 + _width(str(y_max), 11)
    right = width - 12
    slot = (right - left) / len(months)
    gap = min(2.0, slot * 0.1)              # between a month's two bars
    bar = min((slot * 0.8 - gap) / 2, 32)
    labels_w = max(_width(str(v), 10) for _, n, f in months for v in (n, f))
    level = labels_w <= bar + 1
    upright = not level and bar >= 7        # values turned to read upwards over thin bars
    plot_top = top_y + 20 + (labels_w if upright else 0)
    plot_h = 200
    base = plot_top + plot_h

    def y_of(v: int) -> float:
        return base - max(v, 0) / y_max * plot_h

    body = []
    for i in range(intervals + 1):
        y = y_of(i * step)
        body.append(f'<line class="nm-grid" x1="{_n(left)}" x2="{_n(right)}" y1="{_n(y)}" '
                    f'y2="{_n(y)}" stroke="{_GRID}"/>')
        body.append(_text(left - 6, y + 4, str(i * step), anchor="end", size=11))
    centres = [left + slot * (i + 0.5) for i in range(len(months))]
    for cx, (month, near, fail) in zip(centres, months, strict=True):
        for x, v, cls in ((cx - gap / 2 - bar, near, "nm-series-near"),
                          (cx + gap / 2, fail, "nm-series-fail")):
            what = "near misses" if cls == "nm-series-near" else "failures"
            y = y_of(v)
            if v > 0:
                body.append(f'<rect class="nm-bar {cls}" x="{_n(x)}" y="{_n(y)}" '
                            f'width="{_n(bar)}" height="{_n(base - y)}" {_bar_fill(cls, pid)}>'
                            f"<title>{_esc(_one_line(month))}: {v} {what}</title></rect>")
            mid = x + bar / 2
            if level:
                body.append(_text(mid, y - 4, str(v), anchor="middle", size=10,
                                  cls=_HALO_CLS, extra=_HALO))
            elif upright:
                body.append(_text(mid + 3.5, y - 4, str(v), size=10, cls=_HALO_CLS, extra=_HALO
                                  + f' transform="rotate(-90 {_n(mid + 3.5)} {_n(y - 4)})"'))
    body.append(f'<line class="nm-axis" x1="{_n(left)}" x2="{_n(right)}" y1="{_n(base)}" '
                f'y2="{_n(base)}" stroke="{_AXIS}"/>')
    xl, xl_h = _x_labels([m for m, _, _ in months], centres, slot, base)
    body.append(xl)
    if not level and not upright:
        body.append(_text(right, base + xl_h + 12, "Bars too narrow for numbers; "
                          "the description lists every month.", anchor="end", size=10,
                          limit=80))
        xl_h += 14
    return base + xl_h + 6, "".join(body)


def _monthly_rows(months: list[tuple[str, int, int]], pid: str, width: int, top_y: float
                  ) -> tuple[float, str]:
    """The narrow layout: a row per month, oldest first, its near misses above its
    failures, each bar drawn across with its count at the end."""
    limit, label_size, value_size = 12, 11.0, 10.0
    row_h, bar_h, gap = 30, 10, 2
    label_w = max(_width(_clip(m, limit), label_size) for m, _, _ in months)
    bar_x = 8 + label_w + 6
    counts_w = max(_width(str(v), value_size) for _, n, f in months for v in (n, f)) + 6
    span = width - 8 - counts_w - bar_x
    top = max(max(max(n, f) for _, n, f in months), 1)
    y0 = top_y + 10
    body = []
    for i, (month, near, fail) in enumerate(months):
        row = y0 + i * row_h
        body.append(_text(bar_x - 6, row + row_h / 2 + 4, month, anchor="end", size=label_size,
                          limit=limit))
        for y, v, cls in ((row + 4, near, "nm-series-near"),
                          (row + 4 + bar_h + gap, fail, "nm-series-fail")):
            what = "near misses" if cls == "nm-series-near" else "failures"
            length = max(v, 0) / top * span
            if v > 0:
                body.append(f'<rect class="nm-bar {cls}" x="{_n(bar_x)}" y="{_n(y)}" '
                            f'width="{_n(length)}" height="{bar_h}" {_bar_fill(cls, pid)}>'
                            f"<title>{_esc(_one_line(month))}: {v} {what}</title></rect>")
            body.append(_text(bar_x + length + 4, y + bar_h - 1.5, str(v), size=value_size,
                              cls=_HALO_CLS, extra=_HALO))
    end = y0 + row_h * len(months)
    body.append(f'<line class="nm-axis" x1="{_n(bar_x)}" x2="{_n(bar_x)}" y1="{_n(y0)}" '
                f'y2="{_n(end)}" stroke="{_AXIS}"/>')
    return end + 6, "".join(body)


def _hbars(chart_id: str, width: int, title: str, desc: str, rows: Sequence[tuple[str, int]],
           cumulative: Sequence[float | None] | None = None) -> str:
    """Horizontal bars, each with its count at its end; optionally, per row, the
    cumulative share on a small 0-100% scale with an 80% reference line, and as text.
    Wide: the label on the bar's left. Narrow: the label on its own line above the bar."""
    heading, head = _heading(title, width)
    if width < WIDTH:
        height, stacked = _hbars_stacked(width, head, rows, cumulative)
        return _svg(chart_id, width, height, title, desc, heading, stacked)
    row_h, bar_h = 26, 16
    label_w = min(max(_width(_clip(s), FONT) for s, _ in rows), 240.0)
    label_chars = max(4, int(label_w / (FONT * _CHAR)))
    bar_x = 8 + label_w + 8
    counts_w = max(_width(str(v), FONT) for _, v in rows) + 10
    cum_w = 90
    right = width - 8 - (16 + cum_w + 50 if cumulative is not None else 0)
    bar_span = right - counts_w - bar_x
    top = max(max(v for _, v in rows), 1)
    y0 = head + (32 if cumulative is not None else 10)
    body = []
    end = y0 + row_h * len(rows)
    if cumulative is not None:
        cx = right + 16
        body.append(_text(bar_x, y0 - 8, "Count", size=11))
        body.append(_text(cx, y0 - 8, "Cumulative share", size=11))
        ref = cx + cum_w * 0.8
        body.append(f'<line class="nm-ref" x1="{_n(ref)}" x2="{_n(ref)}" y1="{_n(y0)}" '
                    f'y2="{_n(end + 4)}" stroke="{_REF}" stroke-dasharray="4 3"/>')
        body.append(_text(ref, end + 16, "80%", anchor="middle", size=11))
    for i, (label, value) in enumerate(rows):
        top_y = y0 + i * row_h
        mid = top_y + row_h / 2
        body.append(_text(bar_x - 8, mid + 4, label, anchor="end", limit=label_chars))
        length = max(value, 0) / top * bar_span
        if length > 0:
            body.append(f'<rect class="nm-bar" x="{_n(bar_x)}" y="{_n(mid - bar_h / 2)}" '
                        f'width="{_n(length)}" height="{bar_h}" fill="{_NEAR}"/>')
        body.append(_text(bar_x + length + 5, mid + 4, str(value)))
        if cumulative is not None:
            share = cumulative[i]
            body += _gauge(right + 16, mid - 5, cum_w, 10, share)
            body.append(_text(width - 8, mid + 4, whole_percent(share), anchor="end"))
    body.append(f'<line class="nm-axis" x1="{_n(bar_x)}" x2="{_n(bar_x)}" y1="{_n(y0)}" '
                f'y2="{_n(end)}" stroke="{_AXIS}"/>')
    height = end + (24 if cumulative is not None else 8)
    return _svg(chart_id, width, height, title, desc, heading, "".join(body))


def _hbars_stacked(width: int, head: float, rows: Sequence[tuple[str, int]],
                   cumulative: Sequence[float | None] | None) -> tuple[float, str]:
    """The narrow layout of horizontal bars: each label on a line of its own, its bar and
    count below it; the cumulative share, if any, as a small bar and a percentage at the
    right, with a dashed line at 80% that the labels are written over."""
    label_size, size = 11.0, 11.0
    row_h, bar_h = 34, 10
    label_limit = int((width - 16) / (label_size * _CHAR))
    counts_w = max(_width(str(v), size) for _, v in rows) + 8
    cum_w, pct_w = 56.0, _width("100%", size) + 6
    cx = width - 8 - pct_w - cum_w
    right = cx - 10 if cumulative is not None else width - 8
    span = right - counts_w - 8
    top = max(max(v for _, v in rows), 1)
    y0 = head + (28 if cumulative is not None else 8)
    end = y0 + row_h * len(rows)
    body = []
    if cumulative is not None:
        ref = cx + cum_w * 0.8
        body.append(_text(8, y0 - 8, "Count", size=10))
        body.append(_text(width - 8, y0 - 8, "Cumulative share", anchor="end", size=10))
        body.append(f'<line class="nm-ref" x1="{_n(ref)}" x2="{_n(ref)}" y1="{_n(y0)}" '
                    f'y2="{_n(end + 2)}" stroke="{_REF}" stroke-dasharray="4 3"/>')
        body.append(_text(ref, end + 14, "80%", anchor="middle", size=10))
    for i, (label, value) in enumerate(rows):
        row = y0 + i * row_h
        bar_y = row + 16
        body.append(_text(8, row + 11, label, size=label_size, limit=label_limit,
                          cls=_HALO_CLS, extra=_HALO))
        length = max(value, 0) / top * span
        if length > 0:
            body.append(f'<rect class="nm-bar" x="8" y="{_n(bar_y)}" width="{_n(length)}" '
                        f'height="{bar_h}" fill="{_NEAR}"/>')
        body.append(_text(8 + length + 5, bar_y + bar_h - 1, str(value), size=size))
        if cumulative is not None:
            share = cumulative[i]
            body += _gauge(cx, bar_y, cum_w, bar_h, share)
            body.append(_text(width - 8, bar_y + bar_h - 1, whole_percent(share),
                              anchor="end", size=size))
    return end + (20 if cumulative is not None else 4), "".join(body)


def pareto(chart_id: str, rows: list[tuple[str, int, float]],
           title: str = "Root causes (Pareto)", limit: int = 12, layout: Layout = "both"
           ) -> str:
    """The few causes behind most records, biggest first, with where 80% is reached.

    Rows come sorted by total as given. Rows past ``limit`` are drawn as one "Other (N
    causes)" bar (a single extra row is drawn as itself: folding it would hide its name and
    save nothing); the desc still lists every row.
    """
    desc = "; ".join(f"{_one_line(label)}: {total}, cumulative {whole_percent(share)}"
                     for label, total, share in rows) + "."
    limit = max(limit, 1)
    shown = list(rows)
    if len(rows) > limit + 1:
        rest = rows[limit:]
        shown = rows[:limit] + [(f"Other ({len(rest)} causes)",
                                 sum(total for _, total, _ in rest), rest[-1][2])]
        desc += f" The chart combines the last {len(rest)} as Other."

    def draw(cid: str, width: int) -> str:
        if not rows:
            return _empty(cid, width, title)
        return _hbars(cid, width, title, desc, [(label, total) for label, total, _ in shown],
                      [share for _, _, share in shown])

    return _layouts(chart_id, layout, draw)


def ratio_trend(chart_id: str, points: list[tuple[str, float | None]],
                title: str = "Prevention ratio per month", layout: Layout = "both") -> str:
    """Share of records caught before harm, month by month, on a fixed 0-100% scale.

    A month with no records (None) is a gap in the line, not a fall to zero. The first,
    last, lowest and highest points carry their value as text. Both layouts are the same
    line chart; the narrow one labels fewer months.
    """
    values = [None if v is None or not math.isfinite(v) else v for _, v in points]
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    desc = "; ".join(f"{_one_line(m)}: {'no data' if v is None else whole_percent(v)}"
                     for (m, _), v in zip(points, values, strict=True)) + "."
    if known:
        lo = min(known, key=lambda iv: iv[1])
        hi = max(known, key=lambda iv: iv[1])
        desc += (f" Lowest {whole_percent(lo[1])} ({_one_line(points[lo[0]][0])}), highest "
                 f"{whole_percent(hi[1])} ({_one_line(points[hi[0]][0])}).")

    def draw(cid: str, width: int) -> str:
        if not points:
            return _empty(cid, width, title)
        heading, head = _heading(title, width)
        line_swatch = (f'<line class="nm-series-line" x1="0" x2="14" y1="6" y2="6" '
                       f'stroke="{_NEAR}" stroke-width="2"/><circle class="nm-marker" cx="7" '
                       f'cy="6" r="4" fill="{_NEAR}" stroke="#fff" stroke-width="1.5"/>')
        gap_swatch = (f'<circle class="nm-marker" cx="2" cy="6" r="3" fill="{_NEAR}"/>'
                      f'<circle class="nm-marker" cx="11" cy="6" r="3" fill="{_NEAR}"/>')
        entries = [(line_swatch, "Prevention ratio")]
        if any(v is None for v in values):
            entries.append((gap_swatch, "Gap: a month with no records"))
        legend, legend_h = _legend(8, head + 8, entries, width)
        left, right = 14 + _width("100%", 11), width - 16
        plot_top, plot_h = head + 8 + legend_h + 34, 200    # room above 100% for a value
        base = plot_top + plot_h
        slot = (right - left) / len(points)
        centres = [left + slot * (i + 0.5) for i in range(len(points))]

        def y_of(v: float) -> float:
            return base - min(max(v, 0.0), 1.0) * plot_h

        body = [legend]
        for q in range(5):
            y = y_of(q / 4)
            body.append(f'<line class="{"nm-axis" if q == 0 else "nm-grid"}" x1="{_n(left)}" '
                        f'x2="{_n(right)}" y1="{_n(y)}" y2="{_n(y)}" '
                        f'stroke="{_AXIS if q == 0 else _GRID}"/>')
            body.append(_text(left - 6, y + 4, f"{q * 25}%", anchor="end", size=11))
        run: list[str] = []
        runs: list[list[str]] = [run]
        for x, v in zip(centres, values, strict=True):
            if v is None:
                run = []
                runs.append(run)
            else:
                run.append(f"{_n(x)},{_n(y_of(v))}")
        for r in runs:
            if len(r) > 1:
                body.append(f'<polyline class="nm-series-line" points="{" ".join(r)}" '
                            f'fill="none" stroke="{_NEAR}" stroke-width="2" '
                            f'stroke-linejoin="round"/>')
        for (m, _), x, v in zip(points, centres, values, strict=True):
            if v is not None:
                body.append(f'<circle class="nm-marker" cx="{_n(x)}" cy="{_n(y_of(v))}" r="4" '
                            f'fill="{_NEAR}" stroke="#fff" stroke-width="1.5">'
                            f"<title>{_esc(_one_line(m))}: {whole_percent(v)}</title></circle>")
        if known:
            body.append(_point_labels(known, centres, y_of))
        else:
            body.append(_text((left + right) / 2, plot_top + plot_h / 2, "No data yet",
                              anchor="middle", cls="nm-label nm-empty"))
        xl, xl_h = _x_labels([m for m, _ in points], centres, slot, base)
        body.append(xl)
        return _svg(cid, width, base + xl_h + 6, title, desc, heading, "".join(body))

    return _layouts(chart_id, layout, draw)


def _point_labels(known: list[tuple[int, float]], centres: Sequence[float],
                  y_of: Callable[[float], float]) -> str:
    """Values for the last, highest, lowest and first points, each on the side of its point
    away from the line, skipping any that would overlap one already placed (the desc has
    every value)."""
    lo = min(known, key=lambda iv: iv[1])
    hi = max(known, key=lambda iv: iv[1])
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for i, v in dict.fromkeys([known[-1], hi, lo, known[0]]):    # most wanted first
        pos = known.index((i, v))
        near = [known[j][1] for j in (pos - 1, pos + 1)
                if 0 <= j < len(known) and abs(known[j][0] - i) == 1]
        below = (i, v) == lo or (bool(near) and sum(near) / len(near) > v)
        if (i, v) == hi and (i, v) != lo:
            below = False
        if below and v < 0.12:          # no room between the point and the month labels
            below = False
        text = whole_percent(v)
        x, y = centres[i], y_of(v)
        ty = y + 18 if below else y - 9
        w = _width(text, 11)
        box = (x - w / 2 - 2, ty - 11, x + w / 2 + 2, ty + 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in placed):
            continue
        placed.append(box)
        out.append(_text(x, ty, text, anchor="middle", size=11, cls=_HALO_CLS, extra=_HALO))
    return "".join(out)


def bars(chart_id: str, items: list[tuple[str, int]], title: str, layout: Layout = "both"
         ) -> str:
    """Counts by kind (actions by state, saves by how they were caught), largest readable
    at a glance and every count written at its bar's end."""
    desc = "; ".join(f"{_one_line(label)}: {value}" for label, value in items) + "."

    def draw(cid: str, width: int) -> str:
        if not items:
            return _empty(cid, width, title)
        return _hbars(cid, width, title, desc, items)

    return _layouts(chart_id, layout, draw)


# -- warning signs on a timeline -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Mark:
    """A record on a timeline: the day it occurred and its title."""

    day: date
    label: str


@dataclass(frozen=True, slots=True)
class Foreshadowed:
    """A failure and the earlier near misses that had one of its root causes."""

    failure: Mark
    earlier: tuple[Mark, ...]   # near misses before the failure's day, in any order
    causes: tuple[str, ...]     # the labels of the root causes they share

    @property
    def lead_days(self) -> int:
        """Days from the first warning to the failure: how long the lesson was on offer."""
        return (self.failure.day - min(m.day for m in self.earlier)).days if self.earlier \
            else 0


LANES_SHOWN = 12    # failures a timeline draws; older ones are told as a count
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


def lead_words(days: int) -> str:
    """'47 days of warning': the time from a failure's first warning sign to the failure."""
    return f"{plural(days, 'day')} of warning"


def _time_ticks(lo: date, hi: date, span_units: float, size: float
                ) -> list[tuple[date, str]]:
    """Month starts within [lo, hi], every 1, 2, 3 or 6 months or 1, 2, 5... years, the
    closest steps whose labels fit side by side; a month's label names its year at the
    first tick and in January. None when no month starts in the range."""
    days = max((hi - lo).days, 1)
    first = lo.year * 12 + lo.month - 1 + (lo.day > 1)      # the first month start >= lo
    last = hi.year * 12 + hi.month - 1
    steps = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000)
    ticks: list[tuple[date, str]] = []
    for step in steps:
        start = -(-first // step) * step
        ticks = []
        for m in range(start, last + 1, step):
            day = date(m // 12, m % 12 + 1, 1)
            if step >= 12:
                label = str(day.year)
            else:
                label = _MONTH_NAMES[day.month - 1]
                if not ticks or day.month == 1:
                    label += f" {day.year}"
            ticks.append((day, label))
        room = step * 30.4 / days * span_units
        widest = max((_width(label, size) for _, label in ticks), default=0.0)
        if len(ticks) < 2 or room >= widest + 10:
            break
    return ticks


def _lane_text(lane: Foreshadowed, title_chars: int, info_chars: int
               ) -> tuple[list[str], list[str]]:
    """A lane's words: its failure's title on one or two lines, then its lead time and
    shared causes on one line, or on two when they do not fit on one."""
    heads = _wrap(lane.failure.label, title_chars, 2)
    lead = lead_words(lane.lead_days)
    causes = [_one_line(c) for c in lane.causes]
    if not causes:
        return heads, [lead]
    more = f" and {plural(len(causes) - 1, 'other cause')}" if len(causes) > 1 else ""
    if len(lead) + 3 + len(causes[0]) + len(more) <= info_chars:
        return heads, [f"{lead} · {causes[0]}{more}"]
    return heads, [lead, _clip(causes[0], max(info_chars - len(more), 8)) + more]


_DOT_GAP = 10.0    # near misses closer than this (units) on a lane share one circle


def _dots(earlier: Sequence[Mark], x_of: Callable[[date], float]
          ) -> list[tuple[float, list[Mark]]]:
    """The circles of a lane, oldest first: near misses closer together than a circle is
    wide are one circle (at the first of them), so a cause seen a hundred times draws a
    row of circles, not a hundred on top of each other."""
    out: list[tuple[float, list[Mark]]] = []
    for m in earlier:
        x = x_of(m.day)
        if out and x - out[-1][0] < _DOT_GAP:
            out[-1][1].append(m)
        else:
            out.append((x, [m]))
    return out


def _dot_tip(group: Sequence[Mark]) -> str:
    """A circle's tooltip: its near miss, or how many it stands for and when (the page's
    list names them: a hundred names would weigh on the page twice, once per layout)."""
    first, last = group[0].day.isoformat(), group[-1].day.isoformat()
    if len(group) == 1:
        return f"{first}, near miss: {_one_line(group[0].label)}"
    return f"{len(group)} near misses " + (f"on {first}" if first == last
                                            else f"from {first} to {last}")


def foreshadowing(chart_id: str, lanes: Sequence[Foreshadowed],
                  title: str = "Failures and the near misses that foreshadowed them",
                  limit: int = LANES_SHOWN, layout: Layout = "both", older: int = 0) -> str:
    """Each failure on a lane of a shared time axis, with the earlier near misses that had
    one of its root causes: was the lesson on offer, and for how long?

    Lanes run most recent failure first, so the picture opens on what the team can still
    act on and a long log drops its oldest failures (told as a count) rather than its
    newest; each lane writes its lead time, so the longest warnings still stand out. Near
    misses are hollow circles, the failure a filled diamond, joined by a thin line from the
    first warning: shapes as well as colours, so the chart reads in greyscale. Nothing in it
    links: a chart is one image to a screen reader (role=img), where links would be out of
    reach, so the page's list beside it carries the links. The desc says every drawn lane
    in words; each mark's tooltip names its record and day (near misses days apart share a
    circle, whose tooltip counts them). ``older`` counts failures older than all of
    ``lanes`` that the caller left out, so a long log need not build lanes never drawn.
    """
    ordered = sorted((lane for lane in lanes if lane.earlier),
                     key=lambda lane: (lane.failure.day, lane.failure.label), reverse=True)
    limit = max(limit, 1)
    shown = ordered[:limit]
    rest = len(ordered) - len(shown) + max(older, 0)

    def said(lane: Foreshadowed) -> str:
        earlier = sorted(lane.earlier, key=lambda m: m.day)
        causes = " and ".join(_one_line(c) for c in lane.causes)
        return (f"{_one_line(lane.failure.label) or 'A failure'} on "
                f"{lane.failure.day.isoformat()}{f', root cause {causes}' if causes else ''}: "
                f"{plural(len(earlier), 'earlier near miss', 'earlier near misses')} from "
                f"{earlier[0].day.isoformat()}, {lead_words(lane.lead_days)}")

    desc = (f"{plural(len(ordered) + max(older, 0), 'failure')} with warning signs, most "
            "recent first. " + "; ".join(said(lane) for lane in shown) + ".")
    if rest:
        desc += f" {plural(rest, 'older failure')} not drawn."

    def draw(cid: str, width: int) -> str:
        if not shown:
            return _empty(cid, width, title)
        narrow = width < WIDTH
        size, small = (11.0, 10.0) if narrow else (12.0, 11.0)
        heading, head = _heading(title, width)
        near_swatch = (f'<circle class="nm-dot-near" cx="6" cy="6" r="4.5" fill="#fff" '
                       f'stroke="{_NEAR}" stroke-width="2"/>')
        fail_swatch = (f'<path class="nm-mark-fail" d="M6 0.5L11.5 6L6 11.5L0.5 6Z" '
                       f'fill="{_FAIL}"/>')
        legend, legend_h = _legend(8, head + 8, [
            (near_swatch, "Near miss with the same root cause"),
            (fail_swatch, "Failure")], width)
        left, right = 14.0, width - 14.0
        lo = min(m.day for lane in shown for m in lane.earlier)
        hi = max(lane.failure.day for lane in shown)
        span = max((hi - lo).days, 1)

        def x_of(day: date) -> float:
            return left + (day - lo).days / span * (right - left)

        title_chars = int((width - 16) / (size * _CHAR))
        info_chars = int((width - 16) / (small * _CHAR))
        texts = [_lane_text(lane, title_chars, info_chars) for lane in shown]
        line_h = size + 4
        heights = [line_h * (len(heads) + len(infos)) + 22 for heads, infos in texts]
        axis_y = head + 8 + legend_h + 22
        top = axis_y + 8
        end = top + sum(heights)
        body = [legend]
        ticks = _time_ticks(lo, hi, right - left, small)
        if not ticks:   # no month starts within the range: name its ends
            ticks = [(lo, lo.isoformat()), (hi, hi.isoformat())]
        for day, label in ticks:
            x = x_of(day)
            half = _width(label, small) / 2
            body.append(f'<line class="nm-grid" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" '
                        f'y2="{_n(end)}" stroke="{_GRID}"/>')
            body.append(_text(min(max(x, 8 + half), width - 8 - half), axis_y, label,
                              anchor="middle", size=small))
        body.append(f'<line class="nm-axis" x1="{_n(left)}" x2="{_n(right)}" y1="{_n(top)}" '
                    f'y2="{_n(top)}" stroke="{_AXIS}"/>')
        y = top
        for lane, (heads, infos), lane_h in zip(shown, texts, heights, strict=True):
            fail = lane.failure
            line_y = y + 4
            for line in heads:
                line_y += line_h
                body.append(_text(8, line_y, line, size=size, limit=title_chars,
                                  cls=_HALO_CLS, extra=_HALO))
            for line in infos:
                line_y += line_h
                body.append(_text(8, line_y, line, size=small, limit=info_chars,
                                  cls=_HALO_CLS, extra=_HALO))
            track = line_y + 12
            y += lane_h
            earlier = sorted(lane.earlier, key=lambda m: (m.day, m.label))
            fx = x_of(fail.day)
            body.append(f'<line class="nm-lead" x1="{_n(x_of(earlier[0].day))}" '
                        f'x2="{_n(fx)}" y1="{_n(track)}" y2="{_n(track)}" stroke="{_AXIS}" '
                        f'stroke-width="1.5"/>')
            for x, group in _dots(earlier, x_of):
                body.append(
                    f'<circle class="nm-dot-near" cx="{_n(x)}" cy="{_n(track)}" '
                    f'r="4.5" fill="#fff" stroke="{_NEAR}" stroke-width="2">'
                    f"<title>{_esc(_dot_tip(group))}</title></circle>")
            tip = f"{fail.day.isoformat()}, failure: {_one_line(fail.label)}"
            body.append(
                f'<path class="nm-mark-fail" d="M{_n(fx)} {_n(track - 6.5)}l6.5 6.5l-6.5 '
                f'6.5l-6.5 -6.5Z" fill="{_FAIL}" stroke="#fff" stroke-width="1">'
                f"<title>{_esc(tip)}</title></path>")
        height = end + 6
        if rest:
            body.append(_text(8, end + 14, f"…and {plural(rest, 'older failure')}, not drawn",
                              size=small, limit=info_chars))
            height += 16
        return _svg(cid, width, height, title, desc, heading, "".join(body))

    return _layouts(chart_id, layout, draw)
