"""The dashboard charts: valid, accessible, escaped, robust SVG that reads without colour,
in both layouts (wide for a desktop column, narrow for a phone)."""

from __future__ import annotations

import itertools
import math
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from helpers import GOLDEN
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.site import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert('x')</script> & \"quoted\" 'single'"
LONG = "A root cause whose name goes on and on well past forty characters"

MONTHS = [("2026-01", 3, 1), ("2026-02", 0, 2), (NASTY, 7, 0), ("2026-04", 1, 1)]
CAUSES = [(NASTY, 12, 0.5), (LONG, 6, 0.75), ("Handover missed", 4, 0.9167),
          ("Stale access code", 2, 1.0)]
RATIOS: list[tuple[str, float | None]] = [
    ("2026-01", 0.5), ("2026-02", None), (NASTY, 0.25), ("2026-04", 0.8), ("2026-05", 0.6)]
ITEMS = [("open", 5), ("overdue", 2), ("done", 11), (NASTY, 0)]
M, F = charts.Mark, charts.Foreshadowed
LANES = [
    F(M(date(2026, 4, 2), "Refund sent to a closed account"),
      (M(date(2025, 6, 4), "Holiday slot offered"), M(date(2026, 1, 27), "Expired card")),
      ("Manual handoff", "No validation")),
    F(M(date(2026, 2, 3), NASTY), (M(date(2025, 12, 18), LONG),), (NASTY,)),
    F(M(date(2026, 9, 3), "Showroom quote higher than the web"),
      (M(date(2025, 11, 27), "Promo codes stacked"), M(date(2026, 3, 26), "Letter missing date"),
       M(date(2026, 3, 26), "Same day, another")), ("Conflicting rules",)),
]

LAYOUTS: tuple[charts.Layout, ...] = ("wide", "narrow")
LAYOUT_WIDTH = {"wide": charts.WIDTH, "narrow": charts.NARROW}

Chart = Callable[[str], str]
Make = Callable[[str, charts.Layout], str]
SAMPLES_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, MONTHS, layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, CAUSES, layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, RATIOS, layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, ITEMS, "Actions by state", layout=lay),
    "foreshadowing": lambda cid, lay: charts.foreshadowing(cid, LANES, layout=lay),
}
EMPTY_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, [], layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, [], layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, [], layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, [], "Saves by how caught", layout=lay),
    "foreshadowing": lambda cid, lay: charts.foreshadowing(cid, [], layout=lay),
}
ZERO_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, [("2026-01", 0, 0), ("2026-02", 0, 0)],
                                               layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, [("A", 0, 0.0), ("B", 0, 0.0)], layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, [("2026-01", 0.0), ("2026-02", 0.0)],
                                                       layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, [("open", 0), ("done", 0)], "Actions", layout=lay),
    # a warning the day before, and a failure naming no cause: the shortest lane there is
    "foreshadowing": lambda cid, lay: charts.foreshadowing(cid, [
        F(M(date(2026, 1, 2), ""), (M(date(2026, 1, 1), ""),), ())], layout=lay),
}


def _each_layout(table: dict[str, Make]) -> dict[str, Chart]:
    """Every chart of a table once per layout, named 'chart-layout'."""
    def bind(make: Make, layout: charts.Layout) -> Chart:
        return lambda cid: make(cid, layout)

    return {f"{name}-{layout}": bind(make, layout) for name, make in table.items()
            for layout in LAYOUTS}


SAMPLES = _each_layout(SAMPLES_BY_LAYOUT)
EMPTY = _each_layout(EMPTY_BY_LAYOUT)
EVERY = {f"{kind}-{name}": make for kind, table in
         (("sample", SAMPLES_BY_LAYOUT), ("empty", EMPTY_BY_LAYOUT), ("zero", ZERO_BY_LAYOUT))
         for name, make in _each_layout(table).items()}


@pytest.fixture(params=LAYOUTS)
def layout(request: pytest.FixtureRequest) -> charts.Layout:
    """Each test that takes it runs once per layout."""
    value: charts.Layout = request.param
    return value


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def local(el: ET.Element) -> str:
    return el.tag.rpartition("}")[2]


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    return {el.get("id", ""): el for el in root.iter() if el.get("id")}


def desc_of(root: ET.Element) -> str:
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text
    return desc.text


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text> (without its tooltip)."""
    return ["".join(t.itertext()).removeprefix(t.findtext(f"{SVG}title") or "")
            for t in root.iter(f"{SVG}text")]


def numbers(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)"',
                                         svg)]


# -- structure and accessibility -----------------------------------------------------------

@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_accessible_svg_root(make: Chart) -> None:
    svg = make("c1")
    root = parse(svg)
    assert local(root) == "svg" and root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("class") == "nm-chart" and root.get("display") is None
    assert re.fullmatch(r"0 0 (720|360) \d+(\.\d)?", root.get("viewBox", ""))
    assert root.get("width") is None and root.get("height") is None    # scales with the page
    title_id, desc_id = root.get("aria-labelledby", "").split()
    ids = by_id(root)
    assert local(ids[title_id]) == "title" and ids[title_id].text
    assert local(ids[desc_id]) == "desc" and ids[desc_id].text
    assert local(root[0]) == "title"            # the accessible name comes first


@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_self_contained_and_script_free(make: Chart) -> None:
    svg = make("c1")
    root = parse(svg)
    tags = {local(el) for el in root.iter()}
    assert not tags & {"script", "foreignObject", "image", "use", "a", "style"}
    assert "<script" not in svg.lower()
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)
    assert "href" not in svg and "@import" not in svg
    assert "\n" not in svg and "  " not in svg          # compact


@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_every_id_and_reference_belongs_to_the_chart(make: Chart) -> None:
    svg = make("dash-7")
    root = parse(svg)
    ids = by_id(root)
    assert all(i.startswith("dash-7-") for i in ids)
    for ref in re.findall(r"url\(#([^)]*)\)", svg):
        assert ref in ids
        assert local(ids[ref]) == "pattern"


@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_deterministic(make: Chart) -> None:
    assert make("c1") == make("c1")


@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_finite_geometry(make: Chart) -> None:
    """All-zero and empty data never divide by zero or draw negative sizes."""
    svg = make("c1")
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    root = parse(svg)
    for el in root.iter(f"{SVG}rect"):
        assert float(el.get("width", "0")) >= 0 and float(el.get("height", "0")) >= 0
    assert all(math.isfinite(v) for v in numbers(svg))


def _extent(t: ET.Element) -> tuple[float, float, float, float]:
    """Rough box (left, top, right, bottom) of a <text>, allowing for its rotation."""
    x, y = float(t.get("x", "0")), float(t.get("y", "0"))
    size = float(t.get("font-size", "12"))
    shown = "".join(t.itertext()).removeprefix(t.findtext(f"{SVG}title") or "")
    w = len(shown) * size * 0.55
    anchor = t.get("text-anchor", "start")
    before = {"start": 0.0, "middle": w / 2, "end": w}[anchor]   # run length before (x, y)
    angle = re.search(r"rotate\((-?\d+)", t.get("transform", ""))
    a = math.radians(float(angle.group(1))) if angle else 0.0
    ends = [(x - before * math.cos(a), y - before * math.sin(a)),
            (x + (w - before) * math.cos(a), y + (w - before) * math.sin(a))]
    xs, ys = [e[0] for e in ends], [e[1] for e in ends]
    return min(xs), min(ys) - size * 0.8, max(xs), max(ys) + size * 0.25


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("count", [1, 6, 12, 18, 60])
def test_no_text_falls_outside_the_picture(count: int, layout: charts.Layout) -> None:
    months = [(f"{2020 + i // 12}-{i % 12 + 1:02d}", 100 * i, i) for i in range(count)]
    ratios: list[tuple[str, float | None]] = [(m, (i % 5) / 4) for i, (m, _, _) in
                                              enumerate(months)]
    for svg in (charts.monthly("m", months, layout=layout),
                charts.ratio_trend("r", ratios, layout=layout),
                charts.pareto("p", [(LONG, 5, 0.5), ("B", 5, 1.0)], layout=layout),
                charts.bars("b", [(LONG * 2, 10**6), ("x", 1)], LONG * 3, layout=layout),
                charts.foreshadowing("f", [
                    F(M(date(2020 + i // 12, i % 12 + 1, 28), LONG * 2),
                      (M(date(2019, 1, 1), LONG),), (LONG * 2, LONG)) for i in range(count)],
                    LONG * 3, layout=layout)):
        root = parse(svg)
        width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
        assert width == LAYOUT_WIDTH[layout]
        for t in root.iter(f"{SVG}text"):
            left, top, right, bottom = _extent(t)
            assert left >= 0 and top >= 0 and right <= width and bottom <= height, \
                ET.tostring(t)


@pytest.mark.parametrize("make", EVERY.values(), ids=EVERY.keys())
def test_no_text_is_smaller_than_the_least_size(make: Chart) -> None:
    sizes = [float(t.get("font-size", str(charts.FONT))) for t in parse(make("c1")).iter(
        f"{SVG}text")]
    assert sizes and min(sizes) >= charts.MIN_TEXT


def test_each_layout_is_shown_only_where_its_text_stays_readable() -> None:
    """The wide layout down to the container width the stylesheet switches at, the narrow
    one on a 390 px phone (358 px of content beside the theme's margins)."""
    assert charts.MIN_TEXT * charts.SWITCH_PX / charts.WIDTH >= charts.READABLE_PX
    assert charts.MIN_TEXT * (charts.SWITCH_PX - 1) / charts.WIDTH < charts.READABLE_PX
    assert charts.MIN_TEXT * 358 / charts.NARROW >= charts.READABLE_PX
    assert f"@container (width < {charts.SWITCH_PX}px)" in charts.CSS
    hidden = re.search(r"\.nm-chart\.nm-chart--narrow \{ display: none;", charts.CSS)
    assert hidden and hidden.start() < charts.CSS.index("@container")


def test_both_layouts_by_default_the_narrow_one_hidden_without_css() -> None:
    page = ET.fromstring("<div>" + charts.monthly("m", MONTHS) + "</div>")
    wide, narrow = list(page)
    assert wide.get("class") == "nm-chart nm-chart--wide" and wide.get("display") is None
    assert narrow.get("class") == "nm-chart nm-chart--narrow" and narrow.get("display") == "none"
    assert wide.get("viewBox", "").startswith("0 0 720 ")
    assert narrow.get("viewBox", "").startswith("0 0 360 ")
    assert all(el.get("id", "").startswith("m-narrow-") for el in narrow.iter() if el.get("id"))
    assert desc_of(wide) == desc_of(narrow)
    assert wide.findtext(f"{SVG}title") == narrow.findtext(f"{SVG}title")
    for make in (charts.pareto("p", CAUSES), charts.ratio_trend("r", RATIOS),
                 charts.bars("b", ITEMS, "Actions"), charts.bars("e", [], "Nothing")):
        assert [svg.get("class") for svg in ET.fromstring(f"<div>{make}</div>")] == [
            "nm-chart nm-chart--wide", "nm-chart nm-chart--narrow"]


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError):
        charts.bars("b", ITEMS, "Actions", layout="tall")  # type: ignore[arg-type]


def test_a_long_title_wraps_in_the_narrow_layout() -> None:
    title = "Follow-up actions by state (open includes overdue)"
    def heading(root: ET.Element) -> list[str]:
        return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")
                if t.get("font-weight") == "bold"]

    wide, narrow = (parse(charts.bars("b", ITEMS, title, layout=lay)) for lay in LAYOUTS)
    assert heading(wide) == [title]
    assert len(heading(narrow)) == 2 and " ".join(heading(narrow)) == title


def test_bad_chart_id_is_refused() -> None:
    for bad in ("", "two words", "1st", 'x"y', "a<b"):
        with pytest.raises(ValueError):
            charts.monthly(bad, MONTHS)


def test_two_charts_on_one_page_share_no_id() -> None:
    page = ("<div>" + charts.monthly("monthly", MONTHS) + charts.monthly("monthly-team", MONTHS)
            + charts.pareto("causes", CAUSES) + charts.ratio_trend("ratio", RATIOS)
            + charts.bars("actions", ITEMS, "Actions") + charts.monthly("empty", [])
            + "</div>")
    root = ET.fromstring(page)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and len(ids) == len(set(ids))
    assert not any(local(el) == "script" for el in root.iter())


# -- the data, in words and escaped --------------------------------------------------------

def test_monthly_desc_states_every_value(layout: charts.Layout) -> None:
    desc = desc_of(parse(charts.monthly("m", MONTHS, layout=layout)))
    assert "2026-01: 3 near misses, 1 failure" in desc
    assert "2026-02: 0 near misses, 2 failures" in desc
    assert f"{NASTY}: 7 near misses, 0 failures" in desc
    assert "2026-04: 1 near miss, 1 failure" in desc


def test_pareto_desc_states_every_value(layout: charts.Layout) -> None:
    desc = desc_of(parse(charts.pareto("p", CAUSES, layout=layout)))
    for label, total, share in CAUSES:
        assert f"{label}: {total}, cumulative {round(share * 100)}%" in desc


def test_ratio_desc_states_every_value_and_the_gaps(layout: charts.Layout) -> None:
    desc = desc_of(parse(charts.ratio_trend("r", RATIOS, layout=layout)))
    for part in ("2026-01: 50%", "2026-02: no data", f"{NASTY}: 25%", "2026-04: 80%",
                 "2026-05: 60%", "Lowest 25%", "highest 80% (2026-04)"):
        assert part in desc


def test_bars_desc_states_every_value(layout: charts.Layout) -> None:
    desc = desc_of(parse(charts.bars("b", ITEMS, "Actions", layout=layout)))
    for label, value in ITEMS:
        assert f"{label}: {value}" in desc


@pytest.mark.parametrize("make", SAMPLES.values(), ids=SAMPLES.keys())
def test_labels_are_escaped(make: Chart) -> None:
    svg = make("c1")
    root = parse(svg)
    assert not any(local(el) == "script" for el in root.iter())
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg and "&quot;quoted&quot;" in svg
    assert NASTY in desc_of(root)               # the reader hears the label as written


def test_titles_are_escaped(layout: charts.Layout) -> None:
    root = parse(charts.bars("b", ITEMS, title=NASTY, layout=layout))
    assert root.findtext(f"{SVG}title") == NASTY
    assert not any(local(el) == "script" for el in root.iter())


def test_characters_xml_forbids_are_dropped(layout: charts.Layout) -> None:
    root = parse(charts.bars("b", [("bell\x07 and nul\x00", 1)], "Odd\x1b title",
                             layout=layout))
    assert "bell and nul: 1" in desc_of(root)


def test_long_labels_are_cut_with_the_full_text_kept(layout: charts.Layout) -> None:
    root = parse(charts.pareto("p", CAUSES, layout=layout))
    cut = [t for t in root.iter(f"{SVG}text") if t.findtext(f"{SVG}title") == LONG]
    assert len(cut) == 1
    shown = "".join(cut[0].itertext()).removeprefix(LONG)
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert len(shown) <= {"wide": charts.LABEL_MAX, "narrow": 52}[layout]
    assert LONG in desc_of(root)
    assert "Handover missed" in texts(root)     # short labels are whole, without a tooltip


# -- readable without colour ---------------------------------------------------------------

def test_monthly_failures_are_hatched_and_named_in_a_legend(layout: charts.Layout) -> None:
    root = parse(charts.monthly("m", MONTHS, layout=layout))
    patterns = list(root.iter(f"{SVG}pattern"))
    assert [p.get("id") for p in patterns] == ["m-hatch"]
    fails = [r for r in root.iter(f"{SVG}rect") if "nm-series-fail" in r.get("class", "")
             and r.get("class", "").startswith("nm-bar")]
    nears = [r for r in root.iter(f"{SVG}rect") if "nm-series-near" in r.get("class", "")]
    assert fails and nears
    assert all(r.get("fill") == "url(#m-hatch)" for r in fails)
    assert all(not r.get("fill", "").startswith("url(") for r in nears)
    shown = texts(root)
    assert "Near misses" in shown and any(t.startswith("Failures") for t in shown)


def test_monthly_bars_carry_their_values_as_text(layout: charts.Layout) -> None:
    root = parse(charts.monthly("m", MONTHS, layout=layout))
    values = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")
              if "nm-halo" in t.get("class", "")]
    assert values == [str(v) for _, near, fail in MONTHS for v in (near, fail)]


def test_colours_come_from_classes_with_inline_fallbacks() -> None:
    for make in SAMPLES.values():
        root = parse(make("c1"))
        for el in root.iter():
            if local(el) in ("rect", "line", "polyline", "circle") and el.get("class"):
                assert el.get("fill") or el.get("stroke"), ET.tostring(el)
            if local(el) == "text":
                assert el.get("fill") == "currentColor"
    classes = {c for make in SAMPLES.values() for el in parse(make("c1")).iter()
               for c in el.get("class", "").split()}
    assert {"nm-series-near", "nm-series-fail", "nm-series-line", "nm-axis", "nm-grid",
            "nm-label", "nm-bar", "nm-ref"} <= classes


def test_css_styles_every_class_from_the_theme() -> None:
    for cls in ("nm-series-near", "nm-series-fail", "nm-series-line", "nm-axis", "nm-grid",
                "nm-label", "nm-bar", "nm-ref"):
        assert f".{cls}" in charts.CSS
    for var in ("--md-typeset-a-color", "--md-primary-fg-color", "--md-accent-fg-color",
                "--md-default-fg-color--light", "--md-default-bg-color"):
        assert f"var({var}" in charts.CSS
    assert "url(" not in charts.CSS and "@import" not in charts.CSS
    assert charts.CSS.count("{") == charts.CSS.count("}")
    # A rule setting 'fill' on the failure bars would paint over their hatching.
    for rule in re.findall(r"([^{}]*)\{([^}]*)\}", charts.CSS):
        selectors, body = rule
        if "fill:" in body.replace(" ", ""):
            for sel in selectors.split(","):
                assert not sel.strip().endswith(".nm-series-fail") or "pattern" in sel


# -- layout --------------------------------------------------------------------------------

@pytest.mark.parametrize("top", [0, 1, 3, 7, 9, 41, 99, 1000, 123456])
def test_monthly_y_axis_has_3_to_5_integer_gridlines(top: int) -> None:
    root = parse(charts.monthly("m", [("2026-01", top, 0), ("2026-02", 0, top // 2)],
                                layout="wide"))
    grid = [g for g in root.iter(f"{SVG}line") if g.get("class") == "nm-grid"]
    assert 3 <= len(grid) <= 5
    ticks = [t for t in texts(root) if t.isdigit()]
    steps = {int(b) - int(a) for a, b in itertools.pairwise(ticks[:len(grid)])}
    assert ticks[0] == "0" and len(steps) == 1 and int(ticks[len(grid) - 1]) >= top


def _x_label_anchors(svg: str) -> list[float]:
    root = parse(svg)
    return [float(t.get("x", "0")) for t in root.iter(f"{SVG}text")
            if re.fullmatch(r"\d{4}-\d{2}", "".join(t.itertext()))]


def test_monthly_labels_every_month_up_to_a_year() -> None:
    months = [(f"2026-{m:02d}", m, 1) for m in range(1, 13)]
    svg = charts.monthly("m", months, layout="wide")
    xs = _x_label_anchors(svg)
    assert len(xs) == 12 and "rotate(-" not in svg
    assert min(b - a for a, b in itertools.pairwise(xs)) > 7 * 11 * 0.6      # no overlap


@pytest.mark.parametrize("count", [13, 18, 36, 60, 120, 400])
def test_many_months_are_slanted_and_thinned_to_fit(count: int) -> None:
    months = [(f"{2020 + i // 12}-{i % 12 + 1:02d}", i, i % 3) for i in range(count)]
    svg = charts.monthly("m", months, layout="wide")
    xs = _x_label_anchors(svg)
    assert "rotate(-45" in svg and xs and xs[0] < 100
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 17     # slanted labels need ~16
    assert desc_of(parse(svg)).count("near miss") == count   # all months still in words
    bars = [r for r in parse(svg).iter(f"{SVG}rect") if r.get("class", "").startswith("nm-bar")]
    assert all(float(r.get("width", "0")) > 0 for r in bars)


@pytest.mark.parametrize("count", [1, 12, 18, 60])
def test_narrow_monthly_gives_every_month_a_row_of_its_own(count: int) -> None:
    """On a phone the months run down the chart, oldest first, each labelled, level."""
    months = [(f"{2020 + i // 12}-{i % 12 + 1:02d}", i, i % 3) for i in range(count)]
    svg = charts.monthly("m", months, layout="narrow")
    root = parse(svg)
    labels = [(t.get("y", "0"), "".join(t.itertext())) for t in root.iter(f"{SVG}text")
              if re.fullmatch(r"\d{4}-\d{2}", "".join(t.itertext()))]
    assert [m for _, m in labels] == [m for m, _, _ in months] and "rotate(-" not in svg
    ys = [float(y) for y, _ in labels]
    assert min((b - a for a, b in itertools.pairwise(ys)), default=30) >= 2 * 11   # no overlap
    fails = [r for r in root.iter(f"{SVG}rect") if "nm-series-fail" in r.get("class", "")
             and r.find(f"{SVG}title") is not None]
    assert len(fails) == sum(1 for _, _, f in months if f)


def test_pareto_folds_rows_past_the_limit_into_other(layout: charts.Layout) -> None:
    rows = [(f"Cause {i}", 20 - i, (i + 1) / 15) for i in range(15)]
    root = parse(charts.pareto("p", rows, limit=12, layout=layout))
    shown = texts(root)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "nm-bar"]
    assert len(bars) == 13
    assert "Other (3 causes)" in shown and "Cause 11" in shown and "Cause 12" not in shown
    assert str(8 + 7 + 6) in shown                      # the folded totals, summed
    desc = desc_of(root)
    assert all(f"Cause {i}: {20 - i}" in desc for i in range(15))


def test_pareto_draws_a_lone_extra_row_as_itself(layout: charts.Layout) -> None:
    rows = [(f"Cause {i}", 20 - i, (i + 1) / 13) for i in range(13)]
    shown = texts(parse(charts.pareto("p", rows, limit=12, layout=layout)))
    assert "Cause 12" in shown and not any(t.startswith("Other") for t in shown)


def test_pareto_shows_cumulative_share_and_the_80_percent_line(layout: charts.Layout) -> None:
    root = parse(charts.pareto("p", CAUSES, layout=layout))
    shown = texts(root)
    assert ["50%", "75%", "92%", "100%"] == [t for t in shown if t.endswith("%") and t != "80%"]
    refs = [r for r in root.iter(f"{SVG}line") if r.get("class") == "nm-ref"]
    assert len(refs) == 1 and refs[0].get("x1") == refs[0].get("x2")   # vertical
    assert "80%" in shown


def test_ratio_none_is_a_gap_not_a_zero(layout: charts.Layout) -> None:
    points: list[tuple[str, float | None]] = [
        ("2026-01", 0.5), ("2026-02", None), ("2026-03", 0.7), ("2026-04", 0.8),
        ("2026-05", None), ("2026-06", None), ("2026-07", 0.9)]
    root = parse(charts.ratio_trend("r", points, layout=layout))
    markers = [c for c in root.iter(f"{SVG}circle") if c.get("cy")]
    cy = [float(c.get("cy", "0")) for c in markers if c.find(f"{SVG}title") is not None]
    assert len(cy) == 4                                 # one marker per month with data
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1                              # only 2026-03 to 2026-04 join
    assert len(lines[0].get("points", "").split()) == 2
    zero_y = max(float(g.get("y1", "0")) for g in root.iter(f"{SVG}line")
                 if g.get("class") in ("nm-grid", "nm-axis"))
    assert zero_y not in cy
    assert "Gap: a month with no records" in texts(root)


def test_ratio_axis_runs_0_to_100_percent_and_labels_the_extremes(layout: charts.Layout) -> None:
    points: list[tuple[str, float | None]] = [
        ("2026-01", 0.4), ("2026-02", 0.9), ("2026-03", 0.55), ("2026-04", 0.2),
        ("2026-05", 0.5), ("2026-06", 0.7)]
    shown = texts(parse(charts.ratio_trend("r", points, layout=layout)))
    for tick in ("0%", "25%", "50%", "75%", "100%"):
        assert tick in shown
    for value in ("40%", "90%", "20%", "70%"):       # first, max, min, last
        assert value in shown
    assert "55%" not in shown                          # the others are in the desc only


def test_ratio_with_no_data_at_all_says_so(layout: charts.Layout) -> None:
    root = parse(charts.ratio_trend("r", [("2026-01", None), ("2026-02", None)],
                                    layout=layout))
    assert "No data yet" in texts(root)
    assert "2026-01: no data; 2026-02: no data" in desc_of(root)
    assert not [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]


@pytest.mark.parametrize("make", EMPTY.values(), ids=EMPTY.keys())
def test_empty_input_says_no_data_yet(make: Chart) -> None:
    root = parse(make("e"))
    assert "No data yet" in texts(root) and "No data yet" in desc_of(root)
    assert float(root.get("viewBox", "").split()[3]) < 100


def test_bars_draw_one_bar_per_nonzero_item(layout: charts.Layout) -> None:
    root = parse(charts.bars("b", ITEMS, "Actions by state", layout=layout))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "nm-bar"]
    assert len(bars) == 3
    widths = [float(r.get("width", "0")) for r in bars]
    assert widths[2] == max(widths)                   # 'done' (11) is the longest
    shown = texts(parse(charts.bars("b", ITEMS, "A", layout=layout)))
    assert ["5", "2", "11", "0"] == [t for t in shown if t.isdigit()]


# -- any text at all -----------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(label=st.text(max_size=80), title=st.text(max_size=120), n=st.integers(0, 10**6),
       share=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_any_label_gives_valid_svg(label: str, title: str, n: int, share: float | None) -> None:
    for svg in (charts.monthly("a", [(label, n, n // 2)], title),
                charts.pareto("b", [(label, n, share or 0.0)], title),
                charts.ratio_trend("c", [(label, share), ("x", 0.5)], title),
                charts.bars("d", [(label, n)], title),
                charts.foreshadowing("e", [F(M(date(2026, 5, 1), label),
                                             (M(date(2026, 1, 1), label),), (label,))], title)):
        page = ET.fromstring(f"<div>{svg}</div>")
        assert [local(root) for root in page] == ["svg", "svg"]      # both layouts
        for root in page:
            assert not any(local(el) == "script" for el in root.iter())
            assert desc_of(root)


# -- warning signs on a timeline -----------------------------------------------------------

CHART_GOLDEN = GOLDEN / "charts"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_foreshadowing_golden(layout: charts.Layout) -> None:
    """The picture of a small fixed set, as drawn. Regenerate with NEARMISS_UPDATE_GOLDEN=1
    and look at the diff (and the SVG)."""
    svg = charts.foreshadowing("signs", LANES, layout=layout) + "\n"
    golden = CHART_GOLDEN / f"foreshadowing-{layout}.svg"
    if os.environ.get("NEARMISS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(svg, encoding="utf-8", newline="\n")
    assert svg == golden.read_text(encoding="utf-8")


def _lane_titles(root: ET.Element) -> list[str]:
    return [t for t in texts(root) if t in {lane.failure.label for lane in LANES}
            or t.startswith("&lt;") or t.startswith("<script")]


def test_foreshadowing_runs_most_recent_failure_first_with_its_lead_time(
        layout: charts.Layout) -> None:
    root = parse(charts.foreshadowing("f", LANES, layout=layout))
    shown = texts(root)
    refund = shown.index("Refund sent to a closed account")
    assert shown.index("Showroom quote higher than the web") < refund
    assert refund < next(i for i, t in enumerate(shown) if t.startswith("<script"))
    # the first warning to the failure: 2025-11-27 to 2026-09-03
    assert any(t.startswith("280 days of warning") for t in shown)
    assert any(t.startswith("302 days of warning") for t in shown)      # 2025-06-04 on
    assert "302 days of warning · Manual handoff and 1 other cause" in shown
    desc = desc_of(root)
    assert desc.startswith("3 failures with warning signs, most recent first. Showroom")
    assert ("Refund sent to a closed account on 2026-04-02, root cause Manual handoff and "
            "No validation: 2 earlier near misses from 2025-06-04, 302 days of warning") in desc
    assert "1 earlier near miss from 2025-12-18, 47 days of warning" in desc


def test_foreshadowing_draws_near_misses_hollow_and_failures_filled(
        layout: charts.Layout) -> None:
    root = parse(charts.foreshadowing("f", LANES, layout=layout))
    dots = [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    fails = [m for m in root.iter(f"{SVG}path") if m.find(f"{SVG}title") is not None]
    assert len(dots) == 5 and len(fails) == 3          # two on one day share a circle
    assert {c.get("class") for c in dots} == {"nm-dot-near"}
    assert all(c.get("fill") == "#fff" and c.get("stroke") for c in dots)      # hollow
    assert {m.get("class") for m in fails} == {"nm-mark-fail"}
    tips = [c.findtext(f"{SVG}title") for c in dots]
    assert "2 near misses on 2026-03-26" in tips and "2025-11-27, near miss: Promo codes stacked" \
        in tips
    # on each lane, the marks stand in time order along one line from the first warning
    leads = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "nm-lead"]
    assert len(leads) == 3
    for lead in leads:
        y = lead.get("y1")
        xs = sorted(float(c.get("cx", "0")) for c in dots if c.get("cy") == y)
        assert xs and float(lead.get("x1", "0")) == xs[0] < float(lead.get("x2", "0"))
    assert ".nm-dot-near" in charts.CSS and ".nm-mark-fail" in charts.CSS


def _axis(svg: str) -> list[tuple[float, str]]:
    """The time axis's labels (month names, with a year where they carry one, or years)."""
    root = parse(svg)
    month = "|".join(charts._MONTH_NAMES)
    return [(float(t.get("x", "0")), "".join(t.itertext())) for t in root.iter(f"{SVG}text")
            if re.fullmatch(rf"(?:(?:{month})(?: \d{{4}})?|\d{{4}})", "".join(t.itertext()))]


@pytest.mark.parametrize("first", [date(2025, 6, 4), date(2024, 1, 1), date(2019, 3, 9),
                                   date(1990, 1, 1), date(2026, 8, 1)])
def test_foreshadowing_axis_dates_run_in_order(first: date, layout: charts.Layout) -> None:
    lanes = [F(M(date(2026, 9, 3), "Late"), (M(first, "First"),), ("Cause",))]
    axis = _axis(charts.foreshadowing("f", lanes, layout=layout))
    assert len(axis) >= 2
    xs = [x for x, _ in axis]
    assert xs == sorted(xs) and min(b - a for a, b in itertools.pairwise(xs)) > 30
    days, year = [], 0
    for _, label in axis:
        name, _, y = label.partition(" ")
        if name.isdigit():
            year, month = int(name), 1
        else:
            year, month = int(y) if y else year, charts._MONTH_NAMES.index(name) + 1
        days.append(date(year, month, 1))
    assert days == sorted(days) and len(set(days)) == len(days)
    assert first <= days[0] and days[-1] <= date(2026, 9, 3)
    assert re.search(r"\d{4}", axis[0][1])          # the first label names its year


def test_foreshadowing_within_one_month_names_the_range_ends(layout: charts.Layout) -> None:
    lanes = [F(M(date(2026, 3, 20), "Late"), (M(date(2026, 3, 3), "First"),), ("Cause",))]
    shown = texts(parse(charts.foreshadowing("f", lanes, layout=layout)))
    assert "2026-03-03" in shown and "2026-03-20" in shown


def test_foreshadowing_caps_its_lanes_and_tells_the_rest(layout: charts.Layout) -> None:
    lanes = [F(M(date(2026, 1, 1 + i), f"Failure {i}"), (M(date(2025, 12, 1), "W"),),
               ("C",)) for i in range(15)]
    root = parse(charts.foreshadowing("f", lanes, limit=12, layout=layout))
    shown = texts(root)
    assert "Failure 14" in shown and "Failure 3" in shown and "Failure 2" not in shown
    assert "…and 3 older failures, not drawn" in shown
    desc = desc_of(root)
    assert desc.startswith("15 failures") and desc.endswith("3 older failures not drawn.")


def test_foreshadowing_of_nothing_says_no_data_yet(layout: charts.Layout) -> None:
    """No lanes, or failures with no earlier near miss, draw the charts' empty state."""
    for lanes in ([], [F(M(date(2026, 1, 1), "Alone"), (), ("C",))]):
        root = parse(charts.foreshadowing("f", lanes, layout=layout))
        assert "No data yet" in texts(root) and "Alone" not in ET.tostring(root, "unicode")


def test_foreshadowing_escapes_hostile_text(layout: charts.Layout) -> None:
    lanes = [F(M(date(2026, 2, 3), NASTY), (M(date(2026, 1, 3), NASTY),), (NASTY,))]
    svg = charts.foreshadowing("f", lanes, title=NASTY, layout=layout)
    root = parse(svg)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert not any(local(el) in ("script", "a") for el in root.iter())
    assert root.findtext(f"{SVG}title") == NASTY
    assert f"{NASTY} on 2026-02-03" in desc_of(root)
    tips = [el.findtext(f"{SVG}title") for el in root.iter() if local(el) in ("circle", "path")]
    assert f"2026-01-03, near miss: {NASTY}" in tips and f"2026-02-03, failure: {NASTY}" in tips


def test_foreshadowing_gathers_near_misses_too_close_to_tell_apart(
        layout: charts.Layout) -> None:
    """A cause seen every day for a year draws a row of circles that do not overlap, each
    telling in its tooltip how many near misses it stands for; the desc counts them all."""
    start = date(2025, 1, 1)
    earlier = tuple(M(date.fromordinal(start.toordinal() + i), f"Near {i}") for i in range(365))
    root = parse(charts.foreshadowing("f", [F(M(date(2026, 1, 1), "Late"), earlier, ("C",))],
                                      layout=layout))
    dots = [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    xs = [float(c.get("cx", "0")) for c in dots]
    assert 10 < len(dots) < 100 and min(b - a for a, b in itertools.pairwise(xs)) >= 10
    counts = [int(m.group(1)) for c in dots
              if (m := re.match(r"(\d+) near misses from ", c.findtext(f"{SVG}title") or ""))]
    singles = sum(", near miss: " in (c.findtext(f"{SVG}title") or "") for c in dots)
    assert sum(counts) + singles == 365
    assert "365 earlier near misses from 2025-01-01, 365 days of warning" in desc_of(root)


def test_foreshadowing_counts_the_failures_its_caller_left_out(layout: charts.Layout) -> None:
    root = parse(charts.foreshadowing("f", LANES, layout=layout, older=40))
    assert "…and 40 older failures, not drawn" in texts(root)
    assert desc_of(root).startswith("43 failures with warning signs")
