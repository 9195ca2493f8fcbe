"""The built learning log in a real browser: Playwright drives Debian's chromium.

The sample site is built with this repository's colour schemes (light and dark, following
the system's preference) and its theme.css, so the dark scheme is tested as published; the
phone tests use a 390 px wide viewport.

Without chromium these tests skip on a developer's machine, but fail under CI=true: a
browser test that silently skips proves nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, chromium, need_chromium, served
from test_site import INTERNAL, RECORD, build_site, make_project

need_chromium(module=True)
pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
SCHEMES = ("light", "dark")
# The pages a reader on a phone is sent to: the home page, a record, the dashboard, the
# open actions, the root causes (index and one cause), a monthly digest and the warning signs.
PHONE_PAGES = {"home": "", "record": f"log/records/{RECORD}/", "dashboard": "log/dashboard/",
               "open actions": "log/actions/", "root causes": "log/causes/",
               "a cause": "log/causes/process/no-buffer/", "digest": "log/digests/2026-08/",
               "warning signs": "log/warning-signs/"}
MIN_CHART_TEXT_PX = 9.0


def make_themed_project(where: Path) -> Path:
    """The test project with the palette of this repository's mkdocs.yml (the light and
    dark schemes, chosen by the system's preference) and its docs/assets/theme.css."""
    project = make_project(where)
    sample = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    themed = config.replace("  font: false\n", "  font: false\n  palette: "
                            f"{json.dumps(sample['theme']['palette'])}\n")
    assert themed != config
    (project / "docs" / "assets").mkdir()
    shutil.copy(ROOT / "docs" / "assets" / "theme.css", project / "docs" / "assets")
    (project / "mkdocs.yml").write_text(
        themed + "extra_css:\n  - assets/nearmiss.css\n  - assets/theme.css\n",
        encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site built once and served on a loopback port for the module."""
    site = build_site(make_themed_project(tmp_path_factory.mktemp("browser")))
    with served(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens fresh pages, each in its own context (viewport, light or dark system colour
    scheme), recording console errors, page errors and every request's host."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int] | None = None, color_scheme: str = "light") -> Any:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 720},
                                      color_scheme=color_scheme)
        contexts.append(context)
        tab = context.new_page()
        tab.errors = []
        tab.hosts = set()
        tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: tab.errors.append(str(e)))
        tab.on("request", lambda r: tab.hosts.add(r.url.split("/")[2]))
        return tab

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A fresh desktop-sized page in the light scheme."""
    return new_page()


def load(tab: Any, url: str, color_scheme: str = "light") -> None:
    """Go to a page and wait until the theme's script has run (it wraps tables and sets
    the colour scheme); in the dark scheme, check that the theme really switched."""
    tab.goto(url)
    tab.wait_for_load_state("networkidle")
    scheme = tab.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == ("slate" if color_scheme == "dark" else "default")


def serious_violations(tab: Any) -> list[str]:
    """axe-core's serious and critical findings, each with its first few elements, once
    no transition runs (endless ones aside, as a spinner's): mid-fade (Material's header
    title, after the page scrolls to a field), a colour is a blend no reader is left with."""
    tab.wait_for_function("document.getAnimations().every(a => a.playState !== 'running' "
                          "|| a.effect?.getComputedTiming().iterations === Infinity)",
                          timeout=10000)
    results = axe_api.Axe().run(tab)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            where = "; ".join(f"{n.get('target')}: {n.get('failureSummary', '')[-160:]}"
                              for n in v["nodes"][:3])
            found.append(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {where})")
    return found


def test_home_renders_without_console_errors_or_outside_requests(page: Any,
                                                                 base_url: str) -> None:
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "Test log"
    assert page.locator(".nm-figure").count() == 6
    assert page.errors == []
    assert page.hosts == {base_url.split("/")[2]}


def open_search(tab: Any, query: str = "") -> Any:
    """Open the search dialog (Pagefind's) from its button in the header, type ``query``
    and wait for its first result; returns the dialog."""
    tab.wait_for_function("customElements.get('pagefind-modal-trigger') !== undefined")
    tab.locator(".md-header pagefind-modal-trigger button").click()
    dialog = tab.locator("pagefind-modal dialog[open]")
    dialog.wait_for()
    if query:
        dialog.locator("input.pf-input").press_sequentially(query, delay=30)
        dialog.locator(".pf-result-link").first.wait_for(timeout=60000)
        tab.wait_for_timeout(300)  # the excerpts of the first results render
    return dialog


def test_search_finds_a_record_by_a_word_of_its_story(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.wait_for_load_state("networkidle")  # the search script must be listening first
    page.keyboard.press("/")  # Material's key for search
    field = page.locator("pagefind-modal dialog[open] input.pf-input")
    field.wait_for()
    field.press_sequentially("carer", delay=30)
    result = page.locator("pagefind-modal .pf-result-link").first
    result.wait_for(timeout=60000)
    assert "Technician arrived two hours" in result.inner_text()
    assert page.errors == []
    assert page.hosts == {base_url.split("/")[2]}


def test_a_result_lists_its_sections_but_not_its_title_again(page: Any,
                                                            base_url: str) -> None:
    """Material gives each page's <h1> an id, which Pagefind takes for a section; the
    result template leaves it out."""
    page.goto(base_url)
    dialog = open_search(page, "courtesy call")  # words of record titles and stories
    results = dialog.locator(".pf-result").all()
    assert len(results) > 2
    sections = 0
    for result in results:
        title = result.locator(".pf-result-link").inner_text()
        chips = result.locator(".pf-heading-link").all_inner_texts()
        assert title not in chips
        sections += len(chips)
    assert sections > 0  # the sections that match are still listed


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_open_search_has_no_serious_accessibility_violations(
        new_page: Callable[..., Any], base_url: str, scheme: str,
        viewport: dict[str, int] | None) -> None:
    """The search dialog with results, in the light scheme and the dark one, on a desktop
    and on a phone, where the dialog fills the screen and nothing stands past its edge."""
    tab = new_page(viewport=viewport, color_scheme=scheme)
    load(tab, base_url, scheme)
    dialog = open_search(tab, "customer")
    assert serious_violations(tab) == []
    width = tab.evaluate("document.documentElement.clientWidth")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    if viewport == PHONE:
        assert box["width"] == pytest.approx(width, abs=1)
        assert dialog.locator(".pf-modal-close").is_visible()  # a way back on a phone
    assert tab.errors == []


def test_record_page_shows_root_causes_and_actions(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}log/records/{RECORD}/")
    content = page.locator("article").inner_text()
    assert "Root causes" in content
    assert "Customer not told about a change" in content
    assert "Amber board status sends the customer an automatic text" in content
    assert page.locator(".nm-badge--done").count() == 2
    assert page.errors == []


def test_internal_record_has_no_page(page: Any, base_url: str) -> None:
    response = page.goto(f"{base_url}log/records/{INTERNAL}/")
    assert response is not None and response.status == 404


def test_dashboard_contains_its_svg_charts(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}log/dashboard/")
    charts = page.locator("svg.nm-chart[role=img]")
    assert charts.count() >= 5
    assert charts.first.locator("title").count() >= 1
    assert charts.first.bounding_box()["width"] > 300
    assert page.errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", ["", f"log/records/{RECORD}/", "log/dashboard/",
                                  "log/causes/", "log/actions/", "log/digests/2026-08/",
                                  "log/warning-signs/"])
def test_no_serious_accessibility_violations(new_page: Callable[..., Any], base_url: str,
                                             path: str, scheme: str) -> None:
    """axe-core finds no serious or critical problem (text contrast among them) in the
    light scheme or in the dark one."""
    tab = new_page(color_scheme=scheme)
    load(tab, base_url + path, scheme)
    assert serious_violations(tab) == []


# -- a phone ---------------------------------------------------------------------------------

# Every element in the page's content whose box reaches past the viewport's left or right
# edge, even inside a scrolling box: a reader would have to scroll sideways to read it.
PAST_THE_EDGE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll(".md-content, .md-content *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const cls = typeof el.className === "string" && el.className ? "." + el.className : "";
      const what = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}${cls} [${Math.round(box.left)}, `
               + `${Math.round(box.right)}] of ${width}: ${what}`);
    }
  }
  return out;
}"""

# Every rendered <text> of a chart, with its font size as drawn on screen: the computed
# font size times the scale its SVG is drawn at (rotation left out).
CHART_TEXT = """() => [...document.querySelectorAll(".md-content svg text")]
  .filter(t => t.getClientRects().length > 0 && t.getBoundingClientRect().width > 0)
  .map(t => {
    const m = t.getScreenCTM();
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale];
  })"""


@pytest.mark.parametrize("path", PHONE_PAGES.values(), ids=PHONE_PAGES.keys())
def test_nothing_stands_past_a_phone_screen(new_page: Callable[..., Any], base_url: str,
                                           path: str) -> None:
    tab = new_page(viewport=PHONE)
    load(tab, base_url + path)
    assert tab.evaluate(PAST_THE_EDGE) == []
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("path", PHONE_PAGES.values(), ids=PHONE_PAGES.keys())
def test_chart_text_is_readable_on_a_phone(new_page: Callable[..., Any], base_url: str,
                                          path: str) -> None:
    tab = new_page(viewport=PHONE)
    load(tab, base_url + path)
    shown = tab.evaluate(CHART_TEXT)
    if path in ("log/dashboard/", "log/causes/"):
        assert len(shown) > 20                      # the charts are there and drawn
        shown_per_chart = tab.evaluate(
            "() => [...document.querySelectorAll('.nm-chart-wrap')].map(w => "
            "[...w.querySelectorAll('svg.nm-chart')].filter(s => s.getClientRects().length"
            " > 0 && s.getBoundingClientRect().width > 0).length)")
        assert shown_per_chart and set(shown_per_chart) == {1}
    small = [f"{text!r} at {px:.1f} px" for text, px in shown if px < MIN_CHART_TEXT_PX]
    assert small == []


# -- colours ---------------------------------------------------------------------------------

def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(v) for v in re.findall(r"[\d.]+", css)]
    assert len(parts) in (3, 4), css
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 1.0)


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of a CSS colour (alpha laid over the background) against an
    opaque background."""
    bg = _rgba(background)[:3]
    r, g, b, a = _rgba(colour)
    fg = tuple(c * a + d * (1 - a) for c, d in zip((r, g, b), bg, strict=True))

    def luminance(rgb: tuple[float, ...]) -> float:
        lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4
               for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The colour of every drawn bar, line and marker of the charts (the outline, for a hatched
# bar), with the page's background.
CHART_MARKS = """() => {
  const bg = getComputedStyle(document.body).backgroundColor;
  const marks = ".md-content svg.nm-chart :is(rect.nm-bar, rect.nm-cum, circle.nm-marker, "
              + "polyline.nm-series-line)";
  return [...document.querySelectorAll(marks)]
    .filter(el => el.closest("pattern") === null && el.getClientRects().length > 0
                  && el.getBoundingClientRect().width > 0)
    .map(el => {
      const style = getComputedStyle(el);
      const paint = el.tagName === "polyline" || style.fill.startsWith("url(")
        ? style.stroke : style.fill;
      return [el.getAttribute("class"), paint, bg];
    });
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_chart_marks_stand_out_from_the_page(new_page: Callable[..., Any], base_url: str,
                                            scheme: str) -> None:
    """Bars, lines and markers reach 3:1 against the page (WCAG 1.4.11, non-text)."""
    tab = new_page(color_scheme=scheme)
    load(tab, base_url + "log/dashboard/", scheme)
    marks = tab.evaluate(CHART_MARKS)
    assert len(marks) > 20
    faint = sorted({f"{cls}: {paint} on {bg} is {contrast(paint, bg):.2f}:1"
                    for cls, paint, bg in marks if contrast(paint, bg) < 3})
    assert faint == []


# The warning signs' marks: the outline of a hollow near miss, the fill of a failure.
TIMELINE_MARKS = """() => {
  const bg = getComputedStyle(document.body).backgroundColor;
  return [...document.querySelectorAll(
      ".md-content svg.nm-chart :is(circle.nm-dot-near, path.nm-mark-fail)")]
    .filter(el => el.getClientRects().length > 0 && el.getBoundingClientRect().width > 0)
    .map(el => {
      const style = getComputedStyle(el);
      return [el.getAttribute("class"), el.tagName === "circle" ? style.stroke : style.fill,
              bg];
    });
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_warning_sign_marks_stand_out_from_the_page(new_page: Callable[..., Any],
                                                   base_url: str, scheme: str) -> None:
    tab = new_page(color_scheme=scheme)
    load(tab, base_url + "log/warning-signs/", scheme)
    marks = tab.evaluate(TIMELINE_MARKS)
    assert {cls for cls, _, _ in marks} == {"nm-dot-near", "nm-mark-fail"}
    faint = sorted({f"{cls}: {paint} on {bg} is {contrast(paint, bg):.2f}:1"
                    for cls, paint, bg in marks if contrast(paint, bg) < 3})
    assert faint == []
