"""The dashboard charts: valid, accessible, escaped, robust SVG that reads without colour,
in both layouts (wide for a desktop column, narrow for a phone)."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable

import pytest
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

LAYOUTS: tuple[charts.Layout, ...] = ("wide", "narrow")
LAYOUT_WIDTH = {"wide": charts.WIDTH, "narrow": charts.NARROW}

Chart = Callable[[str], str]
Make = Callable[[str, charts.Layout], str]
SAMPLES_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, MONTHS, layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, CAUSES, layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, RATIOS, layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, ITEMS, "Actions by state", layout=lay),
}
EMPTY_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, [], layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, [], layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, [], layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, [], "Saves by how caught", layout=lay),
}
ZERO_BY_LAYOUT: dict[str, Make] = {
    "monthly": lambda cid, lay: charts.monthly(cid, [("2026-01", 0, 0), ("2026-02", 0, 0)],
                                               layout=lay),
    "pareto": lambda cid, lay: charts.pareto(cid, [("A", 0, 0.0), ("B", 0, 0.0)], layout=lay),
    "ratio_trend": lambda cid, lay: charts.ratio_trend(cid, [("2026-01", 0.0), ("2026-02", 0.0)],
                                                       layout=lay),
    "bars": lambda cid, lay: charts.bars(cid, [("open", 0), ("done", 0)], "Actions", layout=lay),
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
                charts.bars("b", [(LONG * 2, 10**6), ("x", 1)], LONG * 3, layout=layout)):
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
                charts.bars("d", [(label, n)], title)):
        page = ET.fromstring(f"<div>{svg}</div>")
        assert [local(root) for root in page] == ["svg", "svg"]      # both layouts
        for root in page:
            assert not any(local(el) == "script" for el in root.iter())
            assert desc_of(root)
