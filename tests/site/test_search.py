"""Search with Pagefind (nearmiss.site.search and the plugin's ``search`` option).

The markup and the indexer are tested without MkDocs; then MkDocs builds with the plugin
(what is indexed, what never is, the option, file URLs and a sub-path, a failing index,
`mkdocs serve`); then, in chromium, a reader opens search with the keyboard and finds a
public record by a word of its story, and nothing by a word of an internal one.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import add_record, build_learning_log, chromium, minimal_near_miss
from helpers import served as on_loopback
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from test_site import INTERNAL, RECORD, make_project, page

from nearmiss.site import search

# -- the markup, on a page as Material renders it --------------------------------------------

SOURCE = '<div class="md-header__source"><a href="https://git.example.org/log">log</a></div>'
MATERIAL_PAGE = """<!doctype html>
<html lang="en"><head><title>A record - Log</title>
<link rel="stylesheet" href="{root}assets/stylesheets/main.css"></head>
<body dir="ltr" data-md-color-scheme="default">
<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">
<header class="md-header md-header--shadow" data-md-component="header">
<nav class="md-header__inner md-grid" aria-label="Header">
<div class="md-header__title" data-md-component="header-title">Log</div>
<form class="md-header__option" data-md-component="palette"></form>{source}
</nav></header>
<div class="md-container"><main class="md-main"><div class="md-sidebar">Navigation</div>
<div class="md-content" data-md-component="content">
<article class="md-content__inner md-typeset"><h1 id="a-record">A record</h1>
<p>The story.</p></article></div></main></div>
<script src="{root}assets/javascripts/bundle.js"></script>
</body></html>
"""


def material_page(root: str = "", source: str = "") -> str:
    return MATERIAL_PAGE.format(root=root, source=source)


def test_a_page_gets_the_button_the_dialog_and_its_article_marked() -> None:
    done = search.inject(material_page(), "", index=True)
    html = done.html
    assert done.indexed and done.missing == ()
    assert '<article class="md-content__inner md-typeset" data-pagefind-body>' in html
    assert html.count("data-pagefind-body") == 1  # the sidebar and header are not indexed
    header = html.split('<header class="md-header')[1].split("</header>")[0]
    assert "<pagefind-modal-trigger></pagefind-modal-trigger>" in header
    assert header.index("pagefind-modal-trigger") > header.index('data-md-component="palette"')
    assert f'<pagefind-config highlight-param="{search.HIGHLIGHT_PARAM}">' in header
    head = html.split("</head>")[0]
    assert '<link rel="stylesheet" href="pagefind/pagefind-component-ui.css"' in head
    end = html.split("<article")[1]
    assert "<pagefind-modal" in end
    assert '<script src="pagefind/pagefind-component-ui.js" defer' in end
    assert f'<script src="{search.SCRIPT_PATH}" defer' in end
    assert "://" not in html.replace("https://git.example.org", "")  # nothing from elsewhere


def test_the_button_sits_where_materials_search_does_before_the_repository_link() -> None:
    html = search.inject(material_page(source=SOURCE), "", index=True).html
    nav = html.split('<nav class="md-header__inner')[1].split("</nav>")[0]
    assert nav.index("pagefind-modal-trigger") < nav.index("md-header__source")


@pytest.mark.parametrize(("page_url", "root"), [
    ("", ""), ("index.html", ""), ("log/", "../"), ("log/dashboard/", "../../"),
    ("log/records/a/", "../../../"),                   # use_directory_urls: true
    ("log/dashboard.html", "../"), ("log/records/a.html", "../../"),  # false
])
def test_addresses_are_relative_to_the_root_for_either_url_style(page_url: str,
                                                                root: str) -> None:
    assert search.root_of(page_url) == root
    html = search.inject(material_page(root), search.root_of(page_url), index=True).html
    assert f'href="{root}pagefind/pagefind-component-ui.css"' in html
    assert f'src="{root}pagefind/pagefind-component-ui.js"' in html
    assert f'src="{root}assets/nearmiss-search.js"' in html


def test_injecting_twice_changes_nothing() -> None:
    once = search.inject(material_page(source=SOURCE), "../", index=True)
    twice = search.inject(once.html, "../", index=True)
    assert twice.html == once.html and twice.indexed
    assert once.html.count("pagefind-modal-trigger") == 2  # the opening and closing tag


def test_a_page_that_names_the_marker_is_still_injected() -> None:
    """A page whose text mentions the markup (a guide page, a record) is not taken for
    one already done."""
    text = material_page().replace("The story.", "&lt;pagefind-modal data-nm-search&gt; "
                                   "data-nm-search data-pagefind-body")
    done = search.inject(text, "", index=True)
    assert done.indexed and "<pagefind-modal data-nm-search>" in done.html


def test_a_page_kept_out_of_search_gets_the_button_but_no_mark() -> None:
    """As the page not found and the browse lists: the dialog is there, but Pagefind,
    indexing only marked articles once any page is marked, leaves the page out."""
    done = search.inject(material_page(), "/", index=False)
    assert not done.indexed and "data-pagefind-body" not in done.html
    assert 'src="/pagefind/pagefind-component-ui.js"' in done.html
    assert "<pagefind-modal-trigger>" in done.html


def test_changed_theme_markup_is_named_not_guessed() -> None:
    changed = material_page().replace("md-content__inner", "md-content__body").replace(
        '<header class="md-header', '<header class="md-top')
    done = search.inject(changed, "", index=True)
    assert not done.indexed and "data-pagefind-body" not in done.html
    assert done.missing == ('<article class="md-content__inner">',
                            '<header class="md-header"> with its <nav>')
    assert "<pagefind-modal " in done.html  # still openable with the keys
    assert search.inject("<p>no page</p>", "", index=False).html == "<p>no page</p>"


@pytest.mark.parametrize(("meta", "expected"), [
    ({}, True), ({"title": "Dashboard"}, True), ({"search": {"exclude": True}}, False),
    ({"search": {"exclude": False}}, True), ({"search": {"boost": 2}}, True),
])
def test_front_matter_decides_what_is_searchable(meta: dict[str, Any],
                                                 expected: bool) -> None:
    assert search.searchable(meta) is expected


def test_the_indexer_command() -> None:
    args = search.command("/site")
    assert args[:3] == [sys.executable, "-m", "pagefind"]
    assert args[args.index("--site") + 1] == "/site"
    assert ".headerlink" in args[args.index("--exclude-selectors") + 1]
    assert "--keep-index-url" not in args and "--output-path" not in args
    args = search.command("/site", output="/site/.next", keep_index_url=True)
    assert "--keep-index-url" in args and args[args.index("--output-path") + 1] == "/site/.next"


# -- the indexer, on a site of three hand-written pages ---------------------------------------

def write_site(site: Path, word: str) -> None:
    """Two pages marked for search, one carrying ``word``, and a page not marked."""
    for name, body in (("index.html", f"<p>Home of the {word} log.</p>"),
                       ("a/index.html", "<p>A page about dispatch boards.</p>")):
        html = material_page(search.root_of(name.replace("index.html", "")))
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search.inject(html.replace("<p>The story.</p>", body),
                                      "", index=True).html, encoding="utf-8")
    (site / "404.html").write_text(material_page().replace("The story.", f"{word} missing"),
                                   encoding="utf-8")


def bundle_files(site: Path, bundle: str = search.BUNDLE) -> dict[str, bytes]:
    """Every file Pagefind wrote, by path, gzip-compressed ones decompressed."""
    out = {}
    for path in (site / bundle).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            out[str(path.relative_to(site))] = (gzip.decompress(data)
                                                if data[:2] == b"\x1f\x8b" else data)
    return out


def fragments(site: Path) -> list[dict[str, Any]]:
    """The pages Pagefind indexed: url, title, content."""
    found = []
    for name, data in bundle_files(site).items():
        if name.endswith(".pf_fragment"):
            assert data.startswith(b"pagefind_dcd")
            found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def holds(site: Path, word: str) -> bool:
    """Whether any file of the search bundle holds ``word`` (fragments or the index)."""
    return any(word.encode() in data for data in bundle_files(site).values())


def test_index_covers_only_the_marked_articles(tmp_path: Path) -> None:
    write_site(tmp_path, "quokka")
    done = search.index(tmp_path)
    assert done.seconds > 0
    assert (tmp_path / "pagefind" / search.COMPONENT_UI).is_file()
    pages = {f["url"]: f for f in fragments(tmp_path)}
    assert set(pages) == {"/", "/a/"}
    assert "quokka" in pages["/"]["content"]
    assert "Navigation" not in pages["/"]["content"]  # the sidebar is not the article
    assert pages["/a/"]["meta"]["title"] == "A record"


def test_file_urls_keep_their_index_html(tmp_path: Path) -> None:
    write_site(tmp_path, "quokka")
    search.index(tmp_path, keep_index_url=True)
    assert {f["url"] for f in fragments(tmp_path)} == {"/index.html", "/a/index.html"}


def test_a_failing_index_says_why_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(search.IndexFailed) as failed:
        search.index(tmp_path)  # no page at all
    message = str(failed.value)
    assert message.startswith("Pagefind could not index the site: ")
    assert "\n" not in message and "index" in message.split(": ", 1)[1].lower()


def test_serving_keeps_the_last_index_answering_until_the_new_one_is_in(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, "quokka")
    indexer = search.Indexer()
    try:
        assert indexer.run(site, background=True) is not None  # nothing held: at once
        assert holds(site, "quokka")
        indexer.hold(site)  # a rebuild starts: MkDocs cleans all but hidden entries
        for entry in site.iterdir():
            if not entry.name.startswith("."):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        write_site(site, "wombat")
        finished: list[search.Done] = []
        assert indexer.run(site, background=True, done=finished.append,
                           failed=pytest.fail) is None
        assert holds(site, "quokka") and not holds(site, "wombat")  # the last index, back
        indexer.wait(60)
        assert finished and not indexer.running
        assert holds(site, "wombat") and not holds(site, "quokka")
        assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []
    finally:
        indexer.close()


def test_a_rebuild_replaces_a_run_still_going(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    write_site(site, "quokka")
    indexer = search.Indexer()
    indexer.run(site, background=False)
    indexer.hold(site)
    monkeypatch.setattr(search, "command", lambda *a, **k: [
        sys.executable, "-c", "import time; time.sleep(60)"])
    heard: list[object] = []
    indexer.run(site, background=True, done=heard.append, failed=heard.append)
    assert indexer.running
    indexer.stop()  # what the next build's hold does first
    assert not indexer.running and heard == []
    assert holds(site, "quokka")  # still the last complete index
    indexer.close()
    assert not any(p.name.startswith(".") for p in site.iterdir())


# -- the index in parts ---------------------------------------------------------------------

def record_pages(*ids: str) -> dict[str, str | None]:
    return {f"log/records/{i}/index.html": i for i in ids}


SITE_PAGES: dict[str, str | None] = {"index.html": None, "log/dashboard/index.html": None}
# bound 4: 2024 fits whole; 2025 is cut by month, 2026 by month, its June by day, and the
# first of June (five records) between ids; then they are packed, in order, up to 4
IDS = ["2024-01-05-a", "2024-01-09-b", "2024-02-01-c",
       "2025-01-02-d", "2025-01-03-e", "2025-01-04-f", "2025-03-01-g", "2025-03-02-h",
       "2025-07-01-i", "2025-07-02-j",
       "2026-05-05-k", "2026-05-05-l",
       "2026-06-01-m", "2026-06-01-n", "2026-06-01-o", "2026-06-01-p", "2026-06-01-q"]


def parts_of(pages: dict[str, str | None], bound: int) -> dict[str, set[str]]:
    """The parts, by bundle, as sets of record ids (or page files for the site's own)."""
    return {part.path: {pages[p] or p for p in part.pages}
            for part in search.partition(pages, bound)}


def test_a_site_within_the_bound_is_one_bundle_of_every_page() -> None:
    pages = {**SITE_PAGES, **record_pages(*IDS)}
    assert search.partition(pages, len(pages)) == (search.Part("", frozenset(pages)),)
    assert search.merged(search.partition(pages, len(pages))) == ()
    assert search.partition(pages) == (search.Part("", frozenset(pages)),)  # PART_PAGES


def test_record_pages_are_cut_at_years_then_months_days_and_ids() -> None:
    pages = {**SITE_PAGES, **record_pages(*IDS)}
    assert parts_of(pages, 4) == {
        "": {"index.html", "log/dashboard/index.html"},
        "parts/2024": set(IDS[0:3]),
        "parts/2025-01": set(IDS[3:6]),
        "parts/2025-03": set(IDS[6:10]),  # March and July
        "parts/2026-05": set(IDS[10:14]),  # May, and two records of the first of June
        "parts/2026-06-01-o": set(IDS[14:17]),
    }
    parts = search.partition(pages, 4)
    assert all(len(part.pages) <= 4 for part in parts)
    assert sorted(p for part in parts for p in part.pages) == sorted(pages)  # each once


def test_parts_keep_their_pages_as_records_are_added() -> None:
    pages = {**SITE_PAGES, **record_pages(*IDS)}
    before = set(search.partition(pages, 4))
    later = set(search.partition({**pages, **record_pages("2026-06-02-new")}, 4))
    assert {p.path for p in before ^ later} == {"parts/2026-06-01-o"}  # the last part
    backfilled = set(search.partition({**pages, **record_pages("2024-03-01-old")}, 4))
    assert {p.path for p in before - backfilled} == {"parts/2024"}  # its year's part only


def test_a_site_of_many_own_pages_or_none_still_has_a_main_bundle() -> None:
    own = {f"guide/{n}/index.html": None for n in range(5)}
    parts = parts_of({**own, **record_pages(*IDS[:2])}, 4)
    assert parts[""] == set(sorted(own)[:4]) and parts["pages/2"] == {sorted(own)[4]}
    assert parts["parts/2024"] == set(IDS[:2])
    only_records = parts_of(record_pages(*IDS[:6]), 4)
    assert only_records == {"": set(IDS[:3]), "parts/2025": set(IDS[3:6])}


def write_records(site: Path, words: dict[str, str]) -> dict[str, str | None]:
    """Home, and a record page per id carrying its word; the pages, as the plugin notes
    them."""
    pages: dict[str, str | None] = {"index.html": None}
    for name, record in [("index.html", None),
                         *((f"log/records/{r}/index.html", r) for r in words)]:
        body = f"<p>The {words[record]} story of {record}.</p>" if record else "<p>Home</p>"
        html = material_page(search.root_of(name.replace("index.html", "")))
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search.inject(html.replace("<p>The story.</p>", body), "",
                                      index=True).html, encoding="utf-8")
        pages[name] = record
    return pages


WORDS = {"2025-01-02-a": "quokka", "2025-02-02-b": "quokka", "2026-01-02-c": "wombat",
         "2026-02-02-d": "numbat"}


def test_an_index_in_parts_has_every_page_once_at_its_address(tmp_path: Path) -> None:
    pages = write_records(tmp_path, WORDS)
    parts = search.partition(pages, 2)
    assert search.merged(parts) == ("parts/2025", "parts/2026")
    done = search.index(tmp_path, parts=parts)
    assert done.bundles == 3
    urls = [f["url"] for f in fragments(tmp_path)]
    assert sorted(urls) == sorted(["/", *(f"/log/records/{r}/" for r in WORDS)])
    bundle = tmp_path / search.BUNDLE
    assert (bundle / search.COMPONENT_UI).is_file()
    for part in ("parts/2025", "parts/2026"):  # what the main bundle brings is not copied
        assert (bundle / part / "pagefind-entry.json").is_file()
        assert not list((bundle / part).glob("*.js")) and not list((bundle / part).glob("wasm*"))
    script = (tmp_path / search.SCRIPT_PATH).read_text(encoding="utf-8")
    assert 'const parts = ["parts/2025", "parts/2026"];' in script
    assert search.PARTS_LINE in search.SCRIPT.read_text(encoding="utf-8")
    assert not (tmp_path / search.STAGE).exists()


def test_serving_indexes_again_only_the_parts_whose_pages_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    pages = search.Pages()
    for name, record in write_records(site, WORDS).items():
        pages.note(name, indexed=True, record=record)
    monkeypatch.setattr(search, "PART_PAGES", 2)
    real, outputs = search.command, []

    def spy(site_dir: str | Path, **options: Any) -> list[str]:
        outputs.append(Path(options["output"]).relative_to(site / search.NEXT).as_posix())
        return real(site_dir, **options)

    indexer = search.Indexer()
    try:
        indexer.run(site, background=True, pages=pages)  # the first: at once, every part
        monkeypatch.setattr(search, "command", spy)
        indexer.hold(site)  # a dirty rebuild: the pages it does not render stay
        write_records(site, {**WORDS, "2026-02-02-d": "bilby"})
        pages.note("log/records/2026-02-02-d/index.html", indexed=True,
                   record="2026-02-02-d")
        indexer.run(site, background=True, pages=pages, failed=pytest.fail)
        assert holds(site, "numbat")  # the index in place answers meanwhile
        indexer.wait(60)
        assert outputs == ["parts/2026"]
        assert holds(site, "bilby") and not holds(site, "numbat") and holds(site, "quokka")
        assert len(fragments(site)) == 1 + len(WORDS)

        indexer.hold(site)  # a record deleted: its page goes, its part is indexed again
        shutil.rmtree(site / "log" / "records" / "2026-01-02-c")
        outputs.clear()
        indexer.run(site, background=True, pages=pages, failed=pytest.fail)
        indexer.wait(60)
        assert outputs == ["parts/2026"] and not holds(site, "wombat")

        indexer.hold(site)  # nothing rendered: nothing to index, the index comes back
        outputs.clear()
        assert indexer.run(site, background=True, pages=pages) is None
        assert not indexer.running and outputs == [] and holds(site, "bilby")
        assert 'const parts = ["parts/2025", "parts/2026"];' in (
            site / search.SCRIPT_PATH).read_text(encoding="utf-8")
    finally:
        indexer.close()
    assert not any(p.name.startswith(".") for p in site.iterdir())


def fed(site: Path, pages: dict[str, str | None], plan: tuple[search.Part, ...],
        *, keep_index_url: bool = False) -> search.Stream:
    """A stream fed the pages written in ``site``, in the order a build renders them."""
    stream = search.Stream(site, plan, keep_index_url=keep_index_url)
    for name in pages:
        stream.add(name, (site / name).read_text(encoding="utf-8"))
    return stream


def test_a_stream_makes_the_index_the_built_site_makes(tmp_path: Path) -> None:
    streamed, built = tmp_path / "streamed", tmp_path / "built"
    pages = write_records(streamed, WORDS)
    write_records(built, WORDS)
    done = fed(streamed, pages, search.partition(pages)).finish(pages)
    assert done is not None and done.bundles == 1
    search.index(built)
    assert sorted(map(json.dumps, fragments(streamed))) == \
        sorted(map(json.dumps, fragments(built)))
    assert (streamed / search.BUNDLE / search.COMPONENT_UI).is_file()
    assert search.PARTS_LINE in (streamed / search.SCRIPT_PATH).read_text(encoding="utf-8")


def test_a_stream_in_parts_writes_a_part_once_its_last_page_is_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PART_PAGES", 2)
    pages = write_records(tmp_path, WORDS)
    plan = search.partition(pages)
    first = tmp_path / search.BUNDLE / "parts/2025" / "pagefind-entry.json"
    stream = search.Stream(tmp_path, plan)
    try:
        for name in [n for n, r in pages.items() if r and r.startswith("2025")]:
            stream.add(name, (tmp_path / name).read_text(encoding="utf-8"))
        for _ in range(600):  # written while the build goes on, not at its end
            if first.is_file():
                break
            threading.Event().wait(0.1)
        assert first.is_file()
        for name in [n for n, r in pages.items() if not (r and r.startswith("2025"))]:
            stream.add(name, (tmp_path / name).read_text(encoding="utf-8"))
        done = stream.finish(pages)
    finally:
        stream.close()
    assert done is not None and done.bundles == 3
    urls = [f["url"] for f in fragments(tmp_path)]
    assert sorted(urls) == sorted(["/", *(f"/log/records/{r}/" for r in WORDS)])
    assert not list((tmp_path / search.BUNDLE / "parts/2026").glob("*.js"))  # trimmed
    assert 'const parts = ["parts/2025", "parts/2026"];' in (
        tmp_path / search.SCRIPT_PATH).read_text(encoding="utf-8")


def test_a_stream_keeps_index_html_in_file_urls(tmp_path: Path) -> None:
    pages = write_records(tmp_path, {"2025-01-02-a": "quokka"})
    assert fed(tmp_path, pages, search.partition(pages), keep_index_url=True).finish(pages)
    assert {f["url"] for f in fragments(tmp_path)} == {
        "/index.html", "/log/records/2025-01-02-a/index.html"}


def test_a_page_the_plan_did_not_foresee_leaves_the_index_to_the_built_site(
        tmp_path: Path) -> None:
    pages = write_records(tmp_path, WORDS)
    plan = search.partition({p: r for p, r in pages.items() if r != "2026-02-02-d"})
    assert fed(tmp_path, pages, plan).finish(pages) is None
    assert not (tmp_path / search.BUNDLE).exists()


def test_a_page_planned_but_never_rendered_is_just_not_indexed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PART_PAGES", 2)
    pages = write_records(tmp_path, WORDS)
    rendered = {p: r for p, r in pages.items() if r != "2025-01-02-a"}
    done = fed(tmp_path, rendered, search.partition(pages)).finish(rendered)
    assert done is not None and done.bundles == 3
    assert sorted(f["url"] for f in fragments(tmp_path)) == sorted(
        ["/", *(f"/log/records/{r}/" for r in WORDS if r != "2025-01-02-a")])


def failing_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind's binary, for the service only, replaced by one that fails at once."""
    import pagefind.service

    fake = tmp_path / "pagefind-fails"
    fake.write_text("#!/bin/sh\necho 'Error: no service here' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind.service, "get_executable", lambda: fake)


def test_a_service_that_fails_says_why(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    failing_service(tmp_path, monkeypatch)
    with pytest.raises(search.IndexFailed, match="^Pagefind could not index the site: "):
        search.Stream(tmp_path, search.partition({"index.html": None}))


def test_a_missing_pagefind_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pagefind" else real(name, *a))
    with pytest.raises(search.PagefindMissing, match="pagefind is not installed"):
        search.require_pagefind()


# -- built by MkDocs with the plugin ------------------------------------------------------------

PUBLIC_WORD = "zygomorphic"
INTERNAL_WORD = "quillwortish"
PUBLIC_TITLE = "Dispatch board showed the wrong route"
SMALL_YML = """\
site_name: Small log
theme:
  name: material
  font: false
plugins:
  - search
  - nearmiss:
      as_of: "2026-11-22"
      git_dates: false
      search: pagefind
"""


def small_project(where: Path, extra: str = "") -> Path:
    """A learning log of two records: a public one with PUBLIC_WORD in its story (only
    there: its title is also on the home page), an internal one with INTERNAL_WORD in its
    title and story."""
    folder = build_learning_log(where, with_valid_records=False)
    add_record(folder, "2026-03-14-public-record.yaml", minimal_near_miss(
        title=f'"{PUBLIC_TITLE}"',
        what_happened=f'"The route looked {PUBLIC_WORD} on the board, so nobody called."'))
    add_record(folder, "2026-03-15-internal-record.yaml", minimal_near_miss(
        "2026-03-15", title=f'"A {INTERNAL_WORD} certificate nearly went astray"',
        what_happened=f'"The {INTERNAL_WORD} file was attached to the wrong e-mail."',
        visibility="internal"))
    (where / "docs").mkdir()
    (where / "mkdocs.yml").write_text(SMALL_YML + extra, encoding="utf-8")
    return where


def build_project(project: Path) -> Path:
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return project / "site"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample learning log (52 records, one internal), built once."""
    return build_project(make_project(tmp_path_factory.mktemp("search-sample")))


def test_pagefind_replaces_materials_search(sample: Path) -> None:
    assert not (sample / "search" / "search_index.json").exists()  # lunr is off
    assert (sample / "pagefind" / search.COMPONENT_UI).is_file()
    assert (sample / search.SCRIPT_PATH).read_bytes() == search.SCRIPT.read_bytes()
    assert not (sample / "pagefind" / search.PARTS).exists()  # one bundle, as it was
    home = page(sample, "")
    assert 'for="__search"' not in home.split("</header>")[0]  # Material's button is gone
    assert "<pagefind-modal-trigger>" in home and "data-pagefind-body" in home


def test_the_sample_is_as_findable_as_with_materials_search(sample: Path) -> None:
    """What Material's search indexed (the home page, the dashboard, every record page,
    the guide's pages), and nothing else: no browse list, no page not found."""
    urls = {f["url"] for f in fragments(sample)}
    records = {p.parent.name for p in (sample / "log" / "records").glob("*/index.html")}
    assert records and {f"/log/records/{r}/" for r in records} <= urls
    assert {"/", "/log/dashboard/"} <= urls
    assert not {u for u in urls if u.startswith(("/log/causes", "/log/teams", "/log/tags",
                                                  "/log/months", "/log/actions"))}
    assert "/404.html" not in urls and "/404/" not in urls
    assert len(urls) == len(records) + 2  # this test project's docs/ holds no page
    texts = " ".join(f["content"] for f in fragments(sample))
    assert "carer had left at" in texts
    titles = {f["meta"]["title"] for f in fragments(sample)}
    assert "Technician arrived two hours after the window closed and nobody called ahead" \
        in titles and not any("¶" in t for t in titles)


def test_the_sample_indexed_as_it_builds_is_indexed_as_its_built_pages(
        sample: Path, tmp_path: Path) -> None:
    """Fed from each page's article while MkDocs builds, Pagefind makes the very index it
    makes of the built site afterwards: the same pages, titles, words and sections."""
    again = tmp_path / "site"
    shutil.copytree(sample, again)
    search.index(again)
    assert sorted(map(json.dumps, fragments(again))) == \
        sorted(map(json.dumps, fragments(sample)))


def test_internal_records_are_never_indexed(sample: Path) -> None:
    assert not (sample / "log" / "records" / INTERNAL).exists()
    assert not holds(sample, "Gas safety certificate nearly e-mailed")
    assert not holds(sample, INTERNAL)
    assert holds(sample, RECORD)  # the check can find what is there


def test_the_page_not_found_has_search_at_absolute_addresses(sample: Path) -> None:
    html = (sample / "404.html").read_text(encoding="utf-8")
    assert '<script src="/pagefind/pagefind-component-ui.js"' in html
    assert "<pagefind-modal-trigger>" in html and "data-pagefind-body" not in html
    assert 'for="__search"' in html  # its Search button: search.js opens the dialog


def test_a_small_log_hides_its_internal_record(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.nearmiss"):
        site = build_project(small_project(tmp_path))
    said = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.nearmiss"]
    assert any("Pagefind replaces the search plugin of Material, turned off" in m
               for m in said), said
    # the home page, the dashboard and the public record
    assert any(m.startswith("nearmiss: search: Pagefind indexed 3 pages") for m in said), said
    assert holds(site, PUBLIC_WORD) and not holds(site, INTERNAL_WORD)
    for html in site.rglob("*.html"):
        assert INTERNAL_WORD not in html.read_text(encoding="utf-8"), html


def test_auto_keeps_the_themes_search_below_a_size_and_takes_pagefind_from_it() -> None:
    assert search.chosen("auto", search.AUTO_FROM - 1) == "theme"
    assert search.chosen("auto", search.AUTO_FROM) == "pagefind"
    assert search.chosen("theme", 10**6) == "theme"
    assert search.chosen("pagefind", 0) == "pagefind"


@pytest.mark.parametrize("mode", ["theme", "auto"])  # auto: a log of two records
def test_search_theme_keeps_the_themes_own_search(tmp_path: Path, mode: str) -> None:
    project = small_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      search: pagefind\n", f"      search: {mode}\n"), encoding="utf-8")
    site = build_project(project)
    assert PUBLIC_WORD in (site / "search" / "search_index.json").read_text("utf-8")
    assert not (site / "pagefind").exists() and not (site / search.SCRIPT_PATH).exists()
    home = page(site, "")
    assert 'for="__search"' in home and "pagefind" not in home
    assert 'role="dialog" aria-label="Search"' in home  # the accessibility fixes still apply


def test_an_unknown_search_option_is_a_config_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = small_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "      search: lunr\n",
                      encoding="utf-8")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        load_config(str(config))
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "search" in said and "'pagefind'" in said and "'theme'" in said


def test_file_urls_and_a_site_under_a_sub_path(tmp_path: Path) -> None:
    site = build_project(small_project(
        tmp_path, "use_directory_urls: false\nsite_url: https://example.org/team/log/\n"))
    record = (site / "log" / "records" / "2026-03-14-public-record.html").read_text("utf-8")
    assert 'src="../../pagefind/pagefind-component-ui.js"' in record
    assert 'src="../../assets/nearmiss-search.js"' in record
    urls = {f["url"] for f in fragments(site)}
    assert "/log/records/2026-03-14-public-record.html" in urls and "/index.html" in urls
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert 'src="/team/log/pagefind/pagefind-component-ui.js"' in not_found


def test_other_themes_keep_their_own_search(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    project = small_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  name: material\n  font: false\n", "  name: mkdocs\n"), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.nearmiss"):
        site = build_project(project)
    assert any("pagefind needs the Material theme" in r.getMessage() for r in caplog.records)
    assert not (site / "pagefind").exists() and (site / "search" / "search_index.json").exists()


def test_a_build_feeds_pagefind_as_it_renders_the_index_the_site_makes(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.nearmiss"):
        site = build_project(small_project(tmp_path))
    said = [r.getMessage() for r in caplog.records]
    assert any("pages as they were rendered" in line for line in said), said
    streamed = sorted(map(json.dumps, fragments(site)))
    assert len(streamed) == 3 and any(PUBLIC_WORD in f for f in streamed)  # home, dashboard
    search.index(site)  # Pagefind over the built site, as before: the very same index
    assert sorted(map(json.dumps, fragments(site))) == streamed


def test_a_service_that_fails_leaves_the_index_to_the_built_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    failing_service(tmp_path, monkeypatch)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.nearmiss"):
        site = build_project(small_project(tmp_path / "log"))
    assert any("Pagefind indexes the built site instead" in r.getMessage()
               for r in caplog.records)
    assert any(PUBLIC_WORD in f["content"] for f in fragments(site))


def test_a_failing_index_fails_the_build_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    failing_service(tmp_path, monkeypatch)
    monkeypatch.setattr(search, "command", lambda *a, **k: [
        sys.executable, "-c", "print('Error: the disk is full'); raise SystemExit(1)"])
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_project(small_project(tmp_path / "log"))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "nearmiss: search: Pagefind could not index the site: Error: the disk is full" \
        in errors


def test_a_missing_pagefind_names_the_extra(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from nearmiss.mkdocs_plugin import MissingSiteExtra

    def missing() -> None:
        raise search.PagefindMissing("pagefind is not installed")

    monkeypatch.setattr(search, "require_pagefind", missing)
    config = load_config(str(small_project(tmp_path) / "mkdocs.yml"))
    with pytest.raises(MissingSiteExtra) as raised:
        config.plugins.on_config(config)
    message = str(raised.value)
    assert "'site' extra" in message and 'pip install "nearmiss-log[site]==' in message
    assert "search: theme" in message and "\n" not in message


def test_serving_indexes_in_the_background(tmp_path: Path) -> None:
    """The first build of `mkdocs serve` indexes before serving; a rebuild comes back
    at once with the last index in place, and the new one follows."""
    project = small_project(tmp_path)
    site = project / "site"

    def load() -> Any:
        return load_config(str(project / "mkdocs.yml"), site_dir=str(site))

    config = load()
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["nearmiss"]
    try:
        build(config)
        assert holds(site, PUBLIC_WORD) and not plugin.indexer.running
        record = project / "incidents" / "2026" / "2026-03-14-public-record.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace(
            PUBLIC_WORD, "xylophonic"), encoding="utf-8")
        rebuilt = load()
        assert rebuilt.plugins["nearmiss"] is plugin  # serve keeps the instance
        build(rebuilt)
        assert (site / "pagefind" / search.COMPONENT_UI).is_file()  # search still works
        plugin.indexer.wait(60)
        assert holds(site, "xylophonic") and not holds(site, PUBLIC_WORD)
    finally:
        config.plugins.on_shutdown()
    assert not plugin.indexer.running
    assert not any(p.name.startswith(".nearmiss") for p in site.iterdir())


# -- in a browser -----------------------------------------------------------------------------

def serve_folder(project: Path) -> Iterator[str]:
    """Serve ``project`` on a loopback port, its built site at the sub-path /site/."""
    with on_loopback(project) as url:
        yield url + "site/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, as in test_browser."""
    with chromium() as instance:
        yield instance


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small log with a hostile record added, served on a loopback port from the
    folder above the site, so the site lives under a sub-path (/site/)."""
    from test_hostile_site import HOSTILE, RECORD_ID

    project = small_project(tmp_path_factory.mktemp("search-browser"),
                            "site_url: https://log.example.org/site/\n")
    add_record(project / "incidents", f"{RECORD_ID}.yaml", HOSTILE)
    build_project(project)
    yield from serve_folder(project)


SHARED_WORD = "marmoset"  # in the stories of a record of each part
LATER_WORD = "quincunxial"  # in the story of the record in the second part only
LATER_TITLE = "Van stock count skipped the top shelf"


@pytest.fixture(scope="module")
def served_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small log with two more records, built with an index of at most two pages a
    bundle: the home page and the dashboard in the main one, the record of 2025 in one
    part, those of 2026 in another; served under /site/."""
    project = small_project(tmp_path_factory.mktemp("search-parts"),
                            "site_url: https://log.example.org/site/\n")
    add_record(project / "incidents", "2025-05-02-earlier-record.yaml", minimal_near_miss(
        "2025-05-02", title='"Boiler part ordered for the wrong model"',
        what_happened=f'"A {SHARED_WORD} sticker hid the model number."'), "2025")
    add_record(project / "incidents", "2026-09-01-later-record.yaml", minimal_near_miss(
        "2026-09-01", title=f'"{LATER_TITLE}"',
        what_happened=f'"The {SHARED_WORD} shelf was {LATER_WORD}, so nobody counted it."'))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PART_PAGES", 2)
        site = build_project(project)
    script = (site / search.SCRIPT_PATH).read_text(encoding="utf-8")
    assert 'const parts = ["parts/2025", "parts/2026"];' in script
    main = {name: data for name, data in bundle_files(site).items()
            if not name.startswith(f"{search.BUNDLE}/{search.PARTS}/")}
    assert not any(LATER_WORD.encode() in data for data in main.values())  # merged only
    yield from serve_folder(project)


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    tab.errors, tab.hosts, tab.dialogs = [], set(), []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("request", lambda r: tab.hosts.add(r.url.split("/")[2]))
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()


def open_search(tab: Any, key: str) -> Any:
    """Open the dialog with a keyboard shortcut; its search field has focus."""
    tab.wait_for_function("customElements.get('pagefind-modal') !== undefined")
    tab.keyboard.press(key)
    field = tab.locator("pagefind-modal dialog[open] input.pf-input")
    field.wait_for()
    assert tab.evaluate("document.activeElement.classList.contains('pf-input')")
    return field


def find_and_open(tab: Any, word: str, title: str, slug: str) -> None:
    """Search for a word only one record has: one result, titled so; opening it lands on
    the record's page with the word highlighted."""
    field = open_search(tab, "/")
    field.press_sequentially(word, delay=20)
    link = tab.locator("pagefind-modal .pf-result-link")
    link.first.wait_for(timeout=60000)
    assert link.count() == 1 and link.first.inner_text() == title
    link.first.click()
    tab.wait_for_url(f"**/site/log/records/{slug}/?highlight=*")
    mark = tab.locator("article mark.pagefind-highlight")
    mark.first.wait_for(timeout=10000)
    assert mark.first.inner_text() == word


def search_again(tab: Any, word: str) -> Any:
    """Open the search with Pagefind's own shortcut (on any page), search for ``word``
    and wait for the count of results: "Searching for …" comes first."""
    field = open_search(tab, "Control+k")
    field.fill("")
    field.press_sequentially(word, delay=20)
    summary = tab.locator("pagefind-modal .pf-summary")
    summary.filter(has_text=re.compile(rf"results? for {word}$")).wait_for(timeout=60000)
    return summary


@pytest.mark.slow
def test_a_reader_finds_the_public_record_and_not_the_internal_one(tab: Any,
                                                                   served: str) -> None:
    tab.goto(served)
    tab.wait_for_load_state("networkidle")
    find_and_open(tab, PUBLIC_WORD, PUBLIC_TITLE, "2026-03-14-public-record")
    assert tab.locator("h1").first.inner_text() == PUBLIC_TITLE

    summary = search_again(tab, INTERNAL_WORD)
    assert summary.inner_text() == f"No results for {INTERNAL_WORD}"
    assert tab.locator("pagefind-modal .pf-result").count() == 0
    tab.keyboard.press("Escape")
    assert tab.errors == []
    assert tab.hosts == {served.split("/")[2]}  # everything from the site itself


@pytest.mark.slow
def test_a_hostile_record_is_shown_as_text_in_results(tab: Any, served: str) -> None:
    from test_hostile_site import MARK

    tab.goto(served)
    tab.wait_for_load_state("networkidle")
    field = open_search(tab, "s")
    field.press_sequentially(MARK, delay=20)
    tab.locator("pagefind-modal .pf-result-link").first.wait_for(timeout=60000)
    tab.wait_for_timeout(500)  # let every result's excerpt render
    results = tab.locator("pagefind-modal .pf-results")
    assert MARK in results.inner_text()  # shown, as text
    assert results.locator("script, img, iframe, svg, [onerror], [onclick]").count() == 0
    assert tab.dialogs == [] and tab.errors == []


@pytest.mark.slow
def test_the_page_not_found_button_opens_the_search(tab: Any, served: str) -> None:
    tab.goto(served + "404.html")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function("customElements.get('pagefind-modal') !== undefined")
    tab.locator('article label[for="__search"]').click()
    tab.locator("pagefind-modal dialog[open]").wait_for()
    assert tab.evaluate("document.getElementById('__search').checked") is False


@pytest.mark.slow
def test_a_reader_finds_records_of_every_part_in_one_list(tab: Any,
                                                          served_in_parts: str) -> None:
    tab.goto(served_in_parts)
    tab.wait_for_load_state("networkidle")
    find_and_open(tab, LATER_WORD, LATER_TITLE, "2026-09-01-later-record")

    summary = search_again(tab, SHARED_WORD)
    assert summary.inner_text() == f"2 results for {SHARED_WORD}"
    links = tab.locator("pagefind-modal .pf-result-link")
    links.nth(1).wait_for(timeout=60000)  # the count is shown before the results render
    titles = links.all_inner_texts()
    assert sorted(titles) == sorted([LATER_TITLE, "Boiler part ordered for the wrong model"])
    assert tab.errors == []
    assert tab.hosts == {served_in_parts.split("/")[2]}
