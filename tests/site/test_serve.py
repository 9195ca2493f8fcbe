"""`mkdocs serve --dirty` on a learning log: a rebuild renders again only the pages an
edit changed, never serves a page of a record that is gone, and the pages it reuses are
the pages a full build would make.

The builds run in-process as serve runs them: on_startup(command='serve', dirty=True),
then `build(dirty=True)` into the same site folder for every rebuild, the configuration
loaded again each time (MkDocs keeps the plugin instance), and on_shutdown at the end.
Whether a page was rendered again is told by a mark put into its output file before the
rebuild: a page rendered again loses it.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from nearmiss.log.checker import check_tree
from nearmiss.mkdocs_plugin import KeptFile, NearmissConfig
from nearmiss.site import search, writer
from nearmiss.site.pages import Reuse, SiteOptions

SAMPLE = ROOT / "incidents"
RECORD = "2026-08-11-technician-two-hours-late-without-a-call"  # team: field-service
OTHER = "2025-07-22-direct-debit-nearly-collected-twice"  # another team and month
GONE = "2026-03-05-service-reminder-for-removed-boiler"  # a related record links it
MARK = "<!-- kept from the build before -->"
SERVE_URL = "http://127.0.0.1:8000/"
# the theme's own search where the plugin has a choice: its index is not what this tests
SEARCH = "      search: theme\n" if any(name == "search"
                                        for name, _ in NearmissConfig._schema) else ""
MKDOCS_YML = ("site_name: Test log\ntheme:\n  name: material\n  font: false\n"
              "plugins:\n  - search\n  - nearmiss:\n      as_of: \"2026-11-22\"\n" + SEARCH)


def record_file(project: Path, record_id: str) -> Path:
    return project / "incidents" / record_id[:4] / f"{record_id}.yaml"


def output(project: Path, page: str) -> Path:
    return project / "site" / page / "index.html"


def load(project: Path) -> MkDocsConfig:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.site_url = SERVE_URL  # as serve sets it
    return config


@contextmanager
def serving_dirty(tmp_path: Path, yml: str = MKDOCS_YML) -> Iterator[Path]:
    """A `mkdocs serve --dirty` session of a copy of the sample log, first build done."""
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project / "incidents")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(yml, encoding="utf-8")
    config = load(project)
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, serve_url=SERVE_URL, dirty=True)
        yield project
    finally:
        config.plugins.on_shutdown()


def rebuild(project: Path) -> None:
    """What serve does when a watched file changes, with --dirty."""
    build(load(project), serve_url=SERVE_URL, dirty=True)


def mark(project: Path, *pages: str) -> None:
    for page in pages:
        with output(project, page).open("a", encoding="utf-8") as handle:
            handle.write(MARK)


def kept(project: Path, page: str) -> bool:
    """Whether the last rebuild left the page's output as it was (not rendered again)."""
    return MARK in output(project, page).read_text(encoding="utf-8")


def retitle(path: Path, title: str) -> None:
    text = re.sub(r"^title:.*$", f"title: {title}", path.read_text(encoding="utf-8"),
                  count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


def test_a_dirty_rebuild_renders_the_edited_record_and_its_lists_only(
        tmp_path: Path) -> None:
    pages = [f"log/records/{RECORD}", f"log/records/{OTHER}", "log/teams/field-service",
             "log/teams/billing", "log/months/2026-08", "log/months/2025-07", "log/dashboard"]
    with serving_dirty(tmp_path) as project:
        mark(project, *pages)
        retitle(record_file(project, RECORD), "Technician late and nobody called ahead")
        rebuild(project)
        edited = output(project, f"log/records/{RECORD}").read_text(encoding="utf-8")
        assert "Technician late and nobody called ahead" in edited
        assert not kept(project, f"log/records/{RECORD}")
        # the lists that show the record's title are rendered again, with it
        for shows in ("log/teams/field-service", "log/months/2026-08"):
            assert not kept(project, shows)
            assert "Technician late and nobody called ahead" in \
                output(project, shows).read_text(encoding="utf-8")
        # pages that do not show it are not: not another record, its team or month,
        # nor the dashboard, whose figures a title does not change
        for other in (f"log/records/{OTHER}", "log/teams/billing", "log/months/2025-07",
                      "log/dashboard"):
            assert kept(project, other), other

        # nothing changed: nothing of the log is rendered again
        mark(project, f"log/records/{RECORD}", "log/teams/field-service")
        rebuild(project)
        assert kept(project, f"log/records/{RECORD}")
        assert kept(project, "log/teams/field-service")


def test_links_of_a_rendered_page_reach_the_pages_kept_without_a_page(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A kept record page is no page for MkDocs in a dirty rebuild (``KeptPage``): the
    Markdown links to it from the pages rendered again still go to its address."""
    with serving_dirty(tmp_path) as project:
        records = project / "site" / "log" / "records"
        mark(project, *(f"log/records/{p.name}" for p in records.iterdir() if p.is_dir()))
        path = record_file(project, RECORD)  # its story, not its title: no list changes
        story = path.read_text(encoding="utf-8").replace(
            "what_happened: |\n", "what_happened: |\n  Edited while serving.\n", 1)
        path.write_text(story, encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            rebuild(project)
        page = output(project, f"log/records/{RECORD}").read_text(encoding="utf-8")
        assert "Edited while serving." in page and MARK not in page
        links = set(re.findall(r'href="\.\./([0-9]{4}-[^"#/]+)/"', page)) - {RECORD}
        assert links and all((records / link / "index.html").exists() for link in links)
        assert any(kept(project, f"log/records/{link}") for link in links)
        assert not [r.getMessage() for r in caplog.records if "contains" in r.getMessage()]


def test_a_dirty_rebuild_indexes_again_only_the_search_parts_of_the_edit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With Pagefind and its index in parts of 20 pages here, an edit to one record
    indexes again the parts holding a page it rendered again (its own, the records
    related to it, the home page's), no other: those are kept from the index in place."""
    from test_search import fragments

    monkeypatch.setattr(search, "PART_PAGES", 20)
    config = MKDOCS_YML.replace(SEARCH, "      search: pagefind\n")
    with serving_dirty(tmp_path, config) as project:
        site = project / "site"
        plugin = load(project).plugins["nearmiss"]
        parts = search.partition(plugin.search_pages.records)
        assert len(parts) >= 4
        real, runs = search.command, []

        def spy(site_dir: str | Path, **options: Any) -> list[str]:
            runs.append(Path(options["output"]).relative_to(site / search.NEXT).as_posix())
            return real(site_dir, **options)

        monkeypatch.setattr(search, "command", spy)
        indexed = sorted(plugin.search_pages.records)
        for page in indexed:
            (site / page).write_text((site / page).read_text("utf-8") + MARK, "utf-8")
        retitle(record_file(project, RECORD), "Technician late and xylographic")
        rebuild(project)
        plugin.indexer.wait(120)
        rendered = {page for page in indexed if MARK not in (site / page).read_text("utf-8")}
        assert f"log/records/{RECORD}/index.html" in rendered
        expected = {part.path or "." for part in parts if part.pages & rendered}
        assert sorted(runs) == sorted(expected) and len(expected) < len(parts)
        found = fragments(site)
        assert len(found) == len(plugin.search_pages)  # every page, once
        assert any(f["meta"]["title"] == "Technician late and xylographic" for f in found)


def test_a_deleted_record_leaves_the_site_and_every_list(tmp_path: Path) -> None:
    with serving_dirty(tmp_path) as project:
        assert output(project, f"log/records/{GONE}").exists()
        record_file(project, GONE).unlink()
        rebuild(project)
        assert not output(project, f"log/records/{GONE}").exists()
        assert not (project / "site" / "log" / "records" / GONE).exists()
        linking = [str(p.relative_to(project / "site")) for p in
                   (project / "site").rglob("*.html")
                   if f"records/{GONE}/" in p.read_text(encoding="utf-8")]
        assert linking == []


def test_a_page_missing_from_the_site_is_rendered_again(tmp_path: Path) -> None:
    """Unchanged content is not enough: the output must still be there to keep."""
    with serving_dirty(tmp_path) as project:
        output(project, f"log/records/{OTHER}").unlink()
        rebuild(project)
        assert output(project, f"log/records/{OTHER}").exists()


def test_a_change_to_mkdocs_yml_renders_every_page_again(tmp_path: Path) -> None:
    with serving_dirty(tmp_path) as project:
        mark(project, f"log/records/{OTHER}", "log/dashboard")
        yml = project / "mkdocs.yml"
        yml.write_text(yml.read_text(encoding="utf-8").replace("Test log", "Our log"),
                       encoding="utf-8")
        rebuild(project)
        assert not kept(project, f"log/records/{OTHER}")
        assert "Our log" in output(project, "log/dashboard").read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_next_one_rendering_everything(tmp_path: Path) -> None:
    with serving_dirty(tmp_path) as project:
        config = load(project)
        plugin = config.plugins["nearmiss"]
        assert plugin.built
        plugin.on_build_error(error=RuntimeError("a page failed"))
        mark(project, f"log/records/{OTHER}")
        rebuild(project)
        assert not kept(project, f"log/records/{OTHER}")


def test_only_serving_keeps_pages(tmp_path: Path) -> None:
    """`mkdocs build --dirty` renders every generated page: nothing is kept between
    separate builds."""
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project / "incidents")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=True)
    try:
        build(config, dirty=True)
        mark(project, f"log/records/{OTHER}")
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")),
              dirty=True)
    finally:
        config.plugins.on_shutdown()
    assert not kept(project, f"log/records/{OTHER}")


def test_kept_file_is_modified_only_without_its_output(tmp_path: Path) -> None:
    page = KeptFile("log/a.md", src_dir=None, dest_dir=str(tmp_path / "site"),
                    use_directory_urls=True)
    assert page.is_modified()
    Path(page.abs_dest_path).parent.mkdir(parents=True)
    Path(page.abs_dest_path).write_text("<h1>A</h1>", encoding="utf-8")
    assert not page.is_modified()


@pytest.mark.parametrize("style", ["directory", "file", "md"])
def test_reused_pages_are_the_pages_of_a_fresh_build(tmp_path: Path, style: str) -> None:
    """``Reuse`` across two builds of a serve session, with records edited, added and
    deleted between them, gives exactly what a build without it gives."""
    folder = tmp_path / "incidents"
    shutil.copytree(SAMPLE, folder)
    as_of = date(2026, 11, 22)
    reuse = Reuse()
    options = SiteOptions(link_style=style, serving=True)

    def files(with_reuse: bool) -> list[writer.SiteFile]:
        result = check_tree(folder, as_of)
        chosen = SiteOptions(link_style=style, serving=True,
                             reuse=reuse if with_reuse else None)
        return writer.site_files(result, folder, as_of, chosen, git_dates=False)

    first = files(True)
    assert first == files(False)
    retitle(record_file(tmp_path, RECORD), "A new title, shown by many pages")
    record_file(tmp_path, GONE).unlink()
    shutil.copy(record_file(tmp_path, OTHER), folder / "2025" / "2025-07-23-a-copy.yaml")
    again = files(True)
    assert again == files(False)
    assert again != first
    assert options.reuse is None  # options compare without it


def test_while_serving_an_edited_story_finds_its_own_similar_records_again(
        tmp_path: Path) -> None:
    """The similar records of a serve session (``Kept``): after an edit to one story, the
    edited record's page lists what a fresh build lists; the other records keep their
    lists until a build that matches them all again (here: a record deleted), as
    docs/guide/publishing.md says; a build without ``Reuse`` is always exact."""
    import yaml

    from nearmiss.site.pages import Site

    folder = tmp_path / "incidents"
    shutil.copytree(SAMPLE, folder)
    as_of = date(2026, 11, 22)
    reuse = Reuse()

    def site(with_reuse: bool) -> Site:
        return Site(check_tree(folder, as_of), as_of, SiteOptions(
            link_style="directory", serving=True, reuse=reuse if with_reuse else None))

    first = dict(site(True).similar)
    path = record_file(tmp_path, RECORD)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    other = yaml.safe_load(record_file(tmp_path, OTHER).read_text(encoding="utf-8"))
    data["what_happened"] = other["what_happened"]  # now it tells OTHER's story
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    served, fresh = site(True), site(False)
    assert OTHER in {m.id for m in fresh.similar[RECORD]}
    assert served.similar[RECORD] == fresh.similar[RECORD]
    assert served.record_page(served.by_id[RECORD]) == fresh.record_page(fresh.by_id[RECORD])
    assert "## Similar records" in served.record_page(served.by_id[RECORD]).body
    # OTHER's own list is kept from the build before; a fresh build finds RECORD in it
    assert RECORD in {m.id for m in fresh.similar[OTHER]}
    assert served.similar[OTHER] == first[OTHER]
    record_file(tmp_path, GONE).unlink()
    served, fresh = site(True), site(False)
    assert served.similar == fresh.similar
    assert list(served.pages()) == list(fresh.pages())


def test_while_serving_the_digests_count_signals_again_only_when_their_records_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signals of each digest (``Reuse.value``): an edit to what they do not count
    (a severity) counts none again; one to what they count (a team) gives the pages a
    fresh build gives. Neither is text that similar records read."""
    from nearmiss.site import pages

    folder = tmp_path / "incidents"
    shutil.copytree(SAMPLE, folder)
    as_of = date(2026, 11, 22)
    reuse = Reuse()
    counted: list[date] = []
    real = pages.signals

    def counting(records: Any, taxonomy: Any, day: date, **options: Any) -> Any:
        counted.append(day)
        return real(records, taxonomy, day, **options)

    monkeypatch.setattr(pages, "signals", counting)

    def built(with_reuse: bool) -> list[pages.Page]:
        return list(pages.Site(check_tree(folder, as_of), as_of, SiteOptions(
            serving=True, reuse=reuse if with_reuse else None)).pages())

    first = built(True)
    assert counted
    counted.clear()
    path = record_file(tmp_path, RECORD)
    path.write_text(path.read_text("utf-8").replace("\nseverity: high\n", "\nseverity: low\n"),
                    "utf-8")
    again = built(True)
    assert counted == [] and again != first
    assert again == built(False)
    counted.clear()
    path.write_text(re.sub(r"^team: .*$", "team: billing", path.read_text("utf-8"),
                           count=1, flags=re.MULTILINE), "utf-8")
    served = built(True)
    assert counted  # the months whose window holds the record
    assert served == built(False)


def test_serving_keeps_the_checks_cache_open_from_one_build_to_the_next(
        tmp_path: Path) -> None:
    with serving_dirty(tmp_path) as project:
        plugin = load(project).plugins["nearmiss"]
        cache = plugin.check_cache
        assert cache is not None
        path = record_file(project, RECORD)
        retitle(path, "Technician late and the cache kept open")
        rebuild(project)
        assert load(project).plugins["nearmiss"].check_cache is cache
        assert cache.records is not None
        kept = next(r for shown, (_, r) in cache.records.items()
                    if shown.endswith(f"/{RECORD}.yaml"))
        assert kept is not None and kept.title == "Technician late and the cache kept open"
    assert plugin.check_cache is None  # the end of the session lets it go
