"""In-process MkDocs builds of the learning log: pages exist with their key content,
internal records stay unpublished, and strict mode fails on an invalid record."""

from __future__ import annotations

import gc
import inspect
import logging
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from html import unescape
from pathlib import Path

import pytest
from helpers import GOLDEN, ROOT, cli_runner
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from nearmiss.cli import cli

SAMPLE = ROOT / "incidents"
MKDOCS_YML = """\
site_name: Test log
site_url: https://log.example.org/
theme:
  name: material
  font: false
plugins:
  - search
  - nearmiss:
      as_of: "2026-11-22"
      edit_url: https://git.example.org/log/edit/main/
      search: pagefind  # what these tests check; 'auto' would keep lunr for the sample
"""
RECORD = "2026-08-11-technician-two-hours-late-without-a-call"
INTERNAL = "2025-09-29-gas-certificate-nearly-emailed-to-previous-tenant"


def make_project(tmp: Path, incidents: Path = SAMPLE) -> Path:
    shutil.copytree(incidents, tmp / "incidents")
    (tmp / "docs").mkdir()
    (tmp / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    return tmp


def build_site(project: Path, strict: bool = False) -> Path:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"),
                         strict=strict)
    build(config)
    return project / "site"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample learning log built once for the whole module."""
    return build_site(make_project(tmp_path_factory.mktemp("project")))


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8") if path else \
        (site / "index.html").read_text(encoding="utf-8")


def test_home_celebrates_saves_and_links_everything(sample_site: Path) -> None:
    home = page(sample_site, "")
    assert "failures prevented in 2026" in home
    assert "prevention ratio" in home
    assert "Latest saves" in home and "Kudos wall" in home
    assert "Colm Brennan (field technician)" in home
    for target in ("log/dashboard/", "log/causes/", "log/teams/", "log/months/",
                   "log/warning-signs/", "log/actions/", "log/digests/", "feed.xml"):
        assert f'href="{target}' in home


def test_record_page_has_its_story_causes_actions_and_edit_link(sample_site: Path) -> None:
    html = page(sample_site, f"log/records/{RECORD}")
    assert "Technician arrived two hours after the window closed" in html
    assert "What the customer experienced" in html
    assert "Five whys" in html
    assert 'href="../../causes/communication/no-heads-up/"' in html
    assert 'class="nm-badge nm-badge--done"' in html
    assert 'class="nm-badge nm-badge--dropped"' in html
    assert "Related records" in html
    assert ("https://git.example.org/log/edit/main/incidents/2026/"
            f"{RECORD}.yaml") in html


def test_related_links_show_both_ways(sample_site: Path) -> None:
    earlier = page(sample_site, "log/records/2026-03-14-courtesy-call-nearly-skipped")
    assert "Referred to by" in earlier
    assert f'href="../{RECORD}/"' in earlier


def test_overdue_actions_are_marked(sample_site: Path) -> None:
    html = page(sample_site, "log/actions")
    assert html.count('nm-badge--overdue') == 6


def test_record_pages_are_not_in_the_navigation(sample_site: Path) -> None:
    home = page(sample_site, "")
    assert "log/records/" not in home.split('class="md-content"')[0]


def test_browse_pages_exist(sample_site: Path) -> None:
    for path in ("log/causes", "log/causes/process", "log/causes/process/no-buffer",
                 "log/teams", "log/teams/dispatch", "log/touchpoints/home-visit",
                 "log/promises/customer-valuing", "log/months/2026-08", "log/tags",
                 "log/warning-signs", "log/digests/2026-08", "log/tags/scheduling"):
        assert (sample_site / path / "index.html").is_file(), path
    assert "near misses recorded for every failure" in page(sample_site, "log/causes/tools")


def test_dashboard_has_accessible_svg_charts(sample_site: Path) -> None:
    html = page(sample_site, "log/dashboard")
    assert html.count('<svg') >= 5
    assert html.count('role="img"') >= 5
    assert "<desc" in html and "<title" in html
    assert "<script" not in html.split('class="md-content"')[1].split("</article>")[0]


def test_internal_records_get_no_page_and_are_never_named(sample_site: Path) -> None:
    assert not (sample_site / "log" / "records" / INTERNAL).exists()
    title = "Gas safety certificate nearly e-mailed"
    for html in sample_site.rglob("*.html"):
        assert title not in html.read_text(encoding="utf-8"), html
    from test_search import holds

    assert not holds(sample_site, title)  # nor in any file of the search index


def test_warning_signs_draw_their_timeline_above_the_list(sample_site: Path) -> None:
    html = page(sample_site, "log/warning-signs")
    content = html.split('class="md-content"')[1].split("</article>")[0]
    chart = content.index('aria-labelledby="foreshadowing-title foreshadowing-desc"')
    assert chart < content.index("Each warning sign, by failure and root cause")
    assert content.count('class="nm-chart-wrap"') == 1 and content.count("<svg") == 2
    assert "nm-chart--wide" in content and "nm-chart--narrow" in content
    assert "9 failures with warning signs, most recent first." in content
    assert "313 days of warning" in content     # 2025-11-27 to the failure of 2026-10-06
    assert "<script" not in content


def test_warning_signs_timeline_draws_no_internal_record() -> None:
    """The figures count internal records; the picture leaves them out, dates included: an
    internal failure has no lane, and an internal near miss neither a mark nor a part in a
    lane's lead time."""
    from dataclasses import replace
    from html import escape

    from nearmiss.log.checker import CheckResult, check_tree
    from nearmiss.site.pages import Site, SiteOptions

    failure = "2026-10-06-second-visit-needed-for-late-heat-exchanger"
    near_miss = "2025-06-04-online-booking-offered-slot-on-public-holiday"
    result = check_tree(SAMPLE, date(2026, 11, 22), cache=None)
    files = [replace(f, record=replace(f.record, visibility="internal"))
             if f.record is not None and f.id in (failure, near_miss) else f
             for f in result.files]
    site = Site(CheckResult(result.taxonomy, files, result.problems), date(2026, 11, 22),
                SiteOptions())
    hidden = [site.by_id[i] for i in (failure, near_miss)]
    body = site.warning_signs_page().body
    svg = body[body.index("<svg"):body.rindex("</svg>")]
    assert "8 failures with warning signs" in svg
    for r in hidden:
        assert escape(r.title[:24]) not in svg and r.day.isoformat() not in svg
    # the refund of 2026-04-02 was first warned on 2025-06-04 (now internal): 2025-07-22
    assert "254 days of warning" in svg and "302 days of warning" not in svg


def test_search_index_holds_record_stories(sample_site: Path) -> None:
    from test_search import fragments

    texts = " ".join(f["content"] for f in fragments(sample_site))
    assert "carer had left at" in texts


def test_feed_is_atom_with_newest_records(sample_site: Path) -> None:
    feed = ET.parse(sample_site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert 0 < len(entries) <= 50
    link = entries[0].find("a:link", ns)
    assert link is not None and link.get("href", "").startswith(
        "https://log.example.org/log/records/")


def test_nothing_is_fetched_from_the_internet(sample_site: Path) -> None:
    home = page(sample_site, "")
    assert "fonts.googleapis.com" not in home
    assert "fonts.gstatic.com" not in home


def test_invalid_record_is_left_out_and_fails_strict(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path)
    bad = project / "incidents" / "2026" / "2026-11-01-broken-record.yaml"
    bad.write_text("title: Broken\nkind: near-mis\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING), pytest.raises(Abort):
        build_site(project, strict=True)
    messages = [r.getMessage() for r in caplog.records]
    assert any("2026-11-01-broken-record.yaml:2:7: error: 'near-mis' is not a valid kind; "
               "did you mean 'near-miss'? [invalid-choice]" in m for m in messages), messages
    site = build_site(project, strict=False)
    assert not (site / "log" / "records" / "2026-11-01-broken-record").exists()
    assert (site / "log" / "records" / RECORD / "index.html").is_file()


def test_broken_taxonomy_stops_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "incidents" / "_taxonomy.yaml").write_text("teams: [oops\n", encoding="utf-8")
    from mkdocs.exceptions import PluginError
    with pytest.raises((PluginError, Abort)):
        build_site(project)


def test_render_writes_the_same_pages_as_markdown(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "rendered"
    runner = cli_runner()
    result = runner.invoke(cli, ["render", str(out), "--as-of", "2026-11-22"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    record = (out / "log" / "records" / f"{RECORD}.md").read_text(encoding="utf-8")
    assert record.startswith("---")
    assert "## Root causes" in record
    assert (out / "index.md").is_file() and (out / "feed.xml").is_file()
    again = runner.invoke(cli, ["render", str(out)], catch_exceptions=False)
    assert again.exit_code == 2 and "--overwrite" in again.stderr


def broken_links(site: Path) -> list[str]:
    """Relative links in the built site that point at no file."""
    broken = []
    for html in site.rglob("*.html"):
        for target in re.findall(r'href="([^"#?]+)', html.read_text(encoding="utf-8")):
            if "://" in target or target.startswith(("mailto:", "/")):
                continue
            resolved = (html.parent / target).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                broken.append(f"{html.relative_to(site)} -> {target}")
    return broken


def test_every_link_in_the_site_resolves(sample_site: Path) -> None:
    assert broken_links(sample_site) == []


def test_links_resolve_without_directory_urls(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n", encoding="utf-8")
    site = build_site(project)
    assert (site / "log" / "records" / f"{RECORD}.html").is_file()
    assert broken_links(site) == []


def test_serve_watches_the_incidents_folder(tmp_path: Path) -> None:
    """`mkdocs serve` rebuilds when a record changes: the plugin registers the folder; it
    sets what the first build left aside from the collector until the server stops."""
    from nearmiss.mkdocs_plugin import NearmissPlugin

    project = make_project(tmp_path)
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["nearmiss"]
    assert isinstance(plugin, NearmissPlugin)

    class Server:
        watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    try:
        plugin.on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
        assert [Path(p).resolve() for p in server.watched] == [
            (project / "incidents").resolve()]
        assert gc.get_freeze_count() > 0  # what the first build left, out of collections
    finally:
        plugin.on_shutdown()
    assert gc.get_freeze_count() == 0  # the process after serve collects all as before


@pytest.mark.parametrize("watcher", ["native", "polling"])
def test_serve_rebuilds_when_a_record_is_saved(tmp_path: Path, watcher: str) -> None:
    """Either watcher makes MkDocs' server want a rebuild when a record is written, and
    not when records are only read, as every build reads them; the system's
    (``native``, from watchdog 4.0) leaves MkDocs' polling observer as it was."""
    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.api import BaseObserver

    project = make_project(tmp_path)
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace(
        "  - nearmiss:\n", f"  - nearmiss:\n      watcher: {watcher}\n"), encoding="utf-8")
    config = load_config(str(yml))
    plugin = config.plugins["nearmiss"]
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0,
                              root=str(tmp_path / "site"))
    polling = server.observer
    try:
        plugin.on_serve(server, config=config, builder=None)
        assert server.observer is polling
        # a watchdog before 4.0 cannot leave out the events of files read: polling
        native = watcher == "native" and "event_filter" in inspect.signature(
            BaseObserver.schedule).parameters
        assert (getattr(plugin, "observer", None) is not None) == native
        if not native:
            polling.start()  # as server.serve() does
        time.sleep(1)  # the polling observer's first look
        records = sorted((project / "incidents").rglob("*.yaml"))
        for path in records:  # what every build does: no reason to build again
            path.read_bytes()
            os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))  # read: atime
        time.sleep(1.5)
        with server._rebuild_cond:
            assert not server._want_rebuild
        record = next((project / "incidents").rglob("2026-*.yaml"))
        record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        with server._rebuild_cond:
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        plugin.on_shutdown()
        if polling.is_alive():
            polling.stop()
            polling.join()
        server.server_close()


MATERIAL_95_SEARCH = ('<div class="md-search" data-md-component="search" role="dialog">'
                      '<div class="md-search__scrollwrap" data-md-scrollfix></div></div>')


def test_search_markup_gets_a_name_and_keyboard_access(tmp_path: Path) -> None:
    """Material 9.5.0 lacks both attributes, 9.8 only the name; neither is added twice."""
    from nearmiss.mkdocs_plugin import NearmissPlugin

    config = load_config(str(make_project(tmp_path) / "mkdocs.yml"))
    plugin = config.plugins["nearmiss"]
    assert isinstance(plugin, NearmissPlugin)
    page = type("Page", (), {"file": type("File", (), {"src_uri": "index.md"})()})()
    fixed = plugin.on_post_page(MATERIAL_95_SEARCH, page=page, config=config)  # type: ignore[arg-type]
    assert fixed == ('<div class="md-search" data-md-component="search" role="dialog" '
                     'aria-label="Search"><div class="md-search__scrollwrap" data-md-scrollfix '
                     'tabindex="0"></div></div>')
    assert plugin.on_post_page(fixed, page=page, config=config) == fixed  # type: ignore[arg-type]


def test_changed_search_markup_is_a_warning_not_a_silent_miss(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from nearmiss.mkdocs_plugin import NearmissPlugin

    config = load_config(str(make_project(tmp_path) / "mkdocs.yml"))
    plugin = config.plugins["nearmiss"]
    assert isinstance(plugin, NearmissPlugin)
    page = type("Page", (), {"file": type("File", (), {"src_uri": "index.md"})()})()
    changed = '<dialog class="md-search" data-md-component="search"></dialog>'
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.nearmiss"):
        assert plugin.on_post_page(changed, page=page, config=config) == changed  # type: ignore[arg-type]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("search markup has changed" in w for w in warnings)


@contextmanager
def serving(project: Path) -> Iterator[Path]:
    """A `mkdocs serve` session: the plugins hear on_startup(command='serve'), the first
    build runs, the nearmiss plugin instance is kept for the rebuilds (``rebuild``), and
    on_shutdown ends it, as serve does."""
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
        yield project / "site"
    finally:
        config.plugins.on_shutdown()


def rebuild(project: Path) -> None:
    """A rebuild of the same `mkdocs serve` session (serve reloads the configuration)."""
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))


TYPO = ("incidents/2026/2026-08-11-technician-two-hours-late-without-a-call.yaml:6:7: error: "
        "'field-servce' is not a team of the taxonomy; did you mean 'field-service'? "
        "[unknown-team]")


def test_serving_keeps_a_broken_records_page_with_its_problems(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team typo while serving: the page stays, tells the problem as `nearmiss check`
    prints it (fix included) and still shows the story from before the edit."""
    project = make_project(tmp_path)
    monkeypatch.chdir(project)  # problem paths read as `nearmiss check` run here prints them
    record = project / "incidents" / "2026" / f"{RECORD}.yaml"
    with serving(project):
        record.write_text(record.read_text(encoding="utf-8").replace(
            "team: field-service", "team: field-servce"), encoding="utf-8")
        rebuild(project)
    shown = html_text(page(project / "site", f"log/records/{RECORD}"))
    assert "Not published: 1 error in this record" in shown
    assert TYPO in shown
    assert "The page as it read before the last change" in shown
    assert "What the customer experienced" in shown  # the story, from the earlier build
    home = html_text(page(project / "site", ""))
    assert "1 record has errors and will not be published" in home
    assert f'href="log/records/{RECORD}/"' in page(project / "site", "")


def test_serving_shows_the_file_when_no_earlier_page_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    bad = project / "incidents" / "2026" / "2026-11-01-broken-record.yaml"
    bad.write_text("title: Broken & new\nkind: near-mis\n", encoding="utf-8")
    with serving(project) as site:
        shown = html_text(page(site, "log/records/2026-11-01-broken-record"))
    assert "Broken & new" in shown
    assert ("incidents/2026/2026-11-01-broken-record.yaml:2:7: error: 'near-mis' is not a "
            "valid kind; did you mean 'near-miss'? [invalid-choice]") in shown
    assert "The file as it stands" in shown and "kind: near-mis" in shown


def test_serving_gives_an_internal_record_no_page(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    bad = project / "incidents" / "2026" / "2026-11-01-broken-internal.yaml"
    bad.write_text("title: Secret\nvisibility: internal\nkind: near-mis\n", encoding="utf-8")
    with serving(project) as site:
        assert not (site / "log" / "records" / "2026-11-01-broken-internal").exists()
    assert "broken-internal" not in page(site, "")


def test_a_build_still_leaves_a_broken_record_out(tmp_path: Path) -> None:
    """The same broken record in `mkdocs build`, even after a serve session in the same
    process: no page, no note on the home page."""
    project = make_project(tmp_path)
    with serving(project):
        pass
    record = project / "incidents" / "2026" / f"{RECORD}.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "team: field-service", "team: field-servce"), encoding="utf-8")
    site = build_site(project)
    assert not (site / "log" / "records" / RECORD).exists()
    assert "will not be published" not in page(site, "")
    with pytest.raises(Abort):
        build_site(project, strict=True)


def html_text(page_html: str) -> str:
    """The text of the page's article as a reader sees it: tags dropped, entities
    decoded (the navigation and table of contents left out)."""
    article = page_html.split("<article", 1)[1].split("</article>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", "", article))


def test_team_keys_read_as_team_labels(sample_site: Path) -> None:
    home = html_text(page(sample_site, ""))
    wall = home.split("Kudos wall")[1].split("Explore")[0]
    assert "Dispatch and scheduling 3" in " ".join(wall.split())
    assert "dispatch 3" not in wall and "web-shop" not in wall
    assert "Thank you, " not in home and "Thank you to Billing." in home
    assert "caught by luck, not by a check. Thank you to whoever reported it anonymously." \
        in " ".join(home.split())
    record = html_text(page(sample_site, f"log/records/{RECORD}"))
    assert "Dispatch and scheduling" in record and "field-service" not in record


def test_home_page_title_is_the_site_name_once(sample_site: Path) -> None:
    assert "<title>Test log</title>" in page(sample_site, "")
    assert "<title>Dashboard - Test log</title>" in page(sample_site, "log/dashboard")


def test_page_not_found_helps_the_reader_on(sample_site: Path) -> None:
    html = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in html and "<title>Page not found - Test log</title>" in html
    assert 'for="__search"' in html
    for target in ("/", "/log/dashboard/", "/log/causes/", "/log/months/", "/log/actions/"):
        assert f'href="{target}"' in html


def test_dashboard_names_its_causes_and_tells_the_rest(sample_site: Path) -> None:
    html = page(sample_site, "log/dashboard")
    shown = " ".join(html_text(html).split())
    assert "Other (" not in html  # no bar for the many that would dwarf the few
    assert "The 12 most frequent root causes (Pareto)" in html
    assert "…and 18 more causes the chart leaves out, named by" in shown
    assert "Published content (prices, FAQs, macros) is out of date" in shown  # full name
    assert "the open bar counts all 9 open actions, the 6 overdue included" in shown
    assert html.count('<details class="nm-data">') == 2
    assert "The figures page of the nearmiss guide defines" in shown  # no guide here
    record = html_text(page(sample_site, f"log/records/{RECORD}"))
    assert "communication/no-heads-up" not in record  # labels, not keys
    assert "Customer not told about a change (Communication)" in record


def test_dashboard_links_the_figures_guide_when_the_site_has_it(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "docs" / "guide").mkdir()
    (project / "docs" / "guide" / "figures.md").write_text("# Figures\n", encoding="utf-8")
    site = build_site(project)
    assert '<a href="../../guide/figures/">The figures page of the nearmiss guide</a>' in \
        page(site, "log/dashboard")


def test_record_values_read_in_one_style_and_the_loop_in_order(sample_site: Path) -> None:
    shown = " ".join(html_text(page(sample_site, f"log/records/{RECORD}")).split())
    for label, value in (("Kind", "Failure"), ("Status", "Closed"), ("Severity", "High")):
        assert f"{label} {value}" in shown
    assert " high" not in shown.split("What happened")[0]  # one style: sentence case
    closing = shown.split("Closing the loop")[1]
    assert closing.index("Learning closed on 2026-10-09") < \
        closing.index("Followed up on 2026-10-12")


def test_git_dates_are_labelled_and_only_shown_when_they_add_something() -> None:
    from datetime import date as day

    from nearmiss.log.checker import check_tree
    from nearmiss.site.history import Dates
    from nearmiss.site.pages import Site, SiteOptions

    result = check_tree(SAMPLE, day(2026, 11, 22), cache=None)
    record = next(r for r in result.records if r.id == RECORD)  # reported 2026-08-11
    where = os.path.abspath(record.path)

    def facts(dates: Dates) -> list[tuple[str, str]]:
        return Site(result, day(2026, 11, 22),
                    SiteOptions(history={where: dates})).git_facts(record)

    assert facts(Dates(day(2026, 8, 11), day(2026, 8, 11))) == []
    assert facts(Dates(day(2026, 8, 11), day(2026, 9, 1))) == [
        ("Last edited in git", "2026-09-01")]
    assert facts(Dates(day(2026, 8, 12), day(2026, 8, 12))) == [("Committed", "2026-08-12")]
    assert facts(Dates(day(2026, 8, 12), day(2026, 9, 1))) == [
        ("Committed first", "2026-08-12"), ("Last edited in git", "2026-09-01")]
    assert facts(Dates(None, day(2026, 9, 1))) == [("Last edited in git", "2026-09-01")]


SITE_GOLDEN = GOLDEN / "site"
GOLDEN_PAGES = (
    "index.md", "feed.xml", "log/dashboard.md", "log/actions.md", "log/warning-signs.md",
    f"log/records/{RECORD}.md", "log/causes/index.md", "log/causes/communication/index.md",
    "log/causes/communication/no-heads-up.md", "log/teams/index.md", "log/teams/dispatch.md",
    "log/months/index.md", "log/months/2026-03.md", "log/tags/index.md",
    "log/digests/2026-03.md",
)


def test_rendered_site_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample log's pages as `nearmiss render` writes them: every path, and the full
    text of one page of each kind. Regenerate with NEARMISS_UPDATE_GOLDEN=1 and review."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "rendered"
    result = cli_runner().invoke(cli, ["render", str(out), "--as-of", "2026-11-22",
                                       "--no-git-dates"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    pages = {"manifest.txt": "\n".join(written) + "\n"}
    pages.update({name: (out / name).read_text(encoding="utf-8") for name in GOLDEN_PAGES})
    if os.environ.get("NEARMISS_UPDATE_GOLDEN") == "1":
        for name, text in pages.items():
            (SITE_GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (SITE_GOLDEN / name).write_text(text, encoding="utf-8", newline="\n")
    for name, text in pages.items():
        assert text == (SITE_GOLDEN / name).read_text(encoding="utf-8"), name


def test_each_digest_reads_only_what_it_shows(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The site renders a month's digest from the records it needs (``digest_records``),
    and that is the digest of every record, month by month, warning signs included."""
    from nearmiss.log import digest
    from nearmiss.log.checker import check_tree
    from nearmiss.site.pages import Site, SiteOptions

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    from generate import generate

    for folder in (SAMPLE, generate(400, tmp_path)):
        result = check_tree(folder, date(2026, 11, 22))
        site = Site(result, date(2026, 11, 22), SiteOptions(link_style="directory"))
        read, rising = site.digest_records(), site.digest_signals()
        months = [m.label for m in site.stats.by_month]
        assert months and site.stats.warning_signs
        for month in months:
            link = partial(site.titled_link, f"log/digests/{month}.md")
            assert len(read(month)) < len(result.records)
            assert digest.render(read(month), site.taxonomy, month, site.as_of, link,
                                 rising=rising(month)) == \
                digest.render(result.records, site.taxonomy, month, site.as_of, link)


def test_long_lists_pass_through_markdown_as_they_are(sample_site: Path) -> None:
    """The one-line HTML blocks of the long lists (``markup.html_block``) come out of
    Markdown exactly as Python-Markdown's own raw-HTML step gives them, unparsed."""
    import markdown

    from nearmiss.mkdocs_plugin import RAW_BLOCKS
    from nearmiss.site.markup import RAW_BLOCK, html_block, html_table

    table = html_table(["Date", "Record"], [["2026-01-02", '<a href="../x/">A &amp; B</a>']])
    listing = html_block('<ul><li><a href="x/">x</a>: <em>y</em></li></ul>')
    text = f"# Title\n\nSome *words*.\n\n{table}\n{listing}\nMore.\n"
    assert RAW_BLOCK.match(table.strip()) and RAW_BLOCK.match(listing.strip())
    plain = markdown.markdown(text, extensions=["tables", "attr_list"])
    fast = markdown.markdown(text, extensions=["tables", "attr_list", RAW_BLOCKS])
    assert re.sub(r">\s+<", "><", fast) == re.sub(r">\s+<", "><", plain)
    assert table.strip() in fast and listing.strip() in fast
    # a site's own block that asks for Markdown inside (md_in_html) is left to Markdown
    own = '<div markdown="1">*not raw*</div>'
    assert not RAW_BLOCK.match(own)
    team = page(sample_site, "log/teams/field-service")
    assert "<table><thead><tr><th>Date</th><th>Record</th>" in team
