"""Search with Pagefind: the markup each page gets, and the indexer run over the built site.

Material's own search loads one JSON index of every page's text before it answers, 22 MB
at ten thousand records. Pagefind indexes the built HTML once (a Rust binary, pip package
``pagefind[bin]``) into a bundle of small files under ``pagefind/`` that the browser
fetches as a search needs them: a few hundred kilobytes for a first result at that size.

This module knows nothing of MkDocs, so all of it is testable without a build:

- ``inject`` adds to a page Material rendered: ``data-pagefind-body`` on its article (the
  only part indexed, so the navigation and the sidebars do not pollute results), the
  search button where Material's search sits in the header, the dialog, and the script
  and style tags, relative to the site's root so they work with directory or file URLs
  and under any path the site is served from;
- ``partition`` splits a big site's index into parts of at most PART_PAGES pages, as
  Pagefind holds a run's whole index in memory: the site's own pages in the main bundle,
  the record pages in parts of consecutive records under ``pagefind/parts/``, which
  search.js has the dialog merge;
- ``Stream`` feeds a build's articles to one Pagefind as MkDocs converts them, so the
  index is made on the core MkDocs leaves idle;
- ``Indexer`` runs Pagefind over the built site, at once for a build, or in the
  background while serving so a reload is not kept waiting for the index: the previous
  index keeps answering until the new one is complete and swapped in, and only the parts
  whose pages a rebuild rendered again are indexed again.

Only pages marked with ``data-pagefind-body`` are indexed: records with ``visibility:
internal`` get no page, pages with ``search: exclude`` in their front matter (browse
lists, which would match every word of every story they list) and the page not found get
no mark, so Pagefind leaves them out.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import Any

MODES = ("auto", "pagefind", "theme")  # the plugin's ``search`` option
# With ``auto`` (the default), a log of fewer records keeps the theme's search: its one
# index is then small (about 0.45 MB and 2.8 KB a record) and answers at once, where
# Pagefind's first search fetches some 0.7 MB whatever the size (benchmarks/bench_search.py:
# at 52 records lunr answered in 0.07 s from 0.49 MB, Pagefind in 0.31 s from 0.69 MB; at
# 1,000, lunr needed 3.2 MB and Pagefind 0.68 MB).
AUTO_FROM = 200


def chosen(mode: str, records: int) -> str:
    """The search a site gets: ``mode`` as set, or for ``auto`` by the log's size."""
    if mode != "auto":
        return mode
    return "pagefind" if records >= AUTO_FROM else "theme"
BUNDLE = "pagefind"  # the folder Pagefind writes in the site, and the URL path it is read at
SCRIPT = Path(__file__).with_name("search.js")
SCRIPT_PATH = "assets/nearmiss-search.js"  # where SCRIPT goes in the site
PARTS_LINE = "const parts = [];"  # in SCRIPT: the bundles merged into the main one
HIGHLIGHT_PARAM = "highlight"  # the query parameter carrying the words to mark on a page
# Not indexed inside an article: the permalink mark after each heading (it would end every
# title in "¶") and the edit button.
EXCLUDE_SELECTORS = (".headerlink", ".md-content__button")
# What only the Component UI of Pagefind 1.5 writes: older binaries lack it.
COMPONENT_UI = "pagefind-component-ui.js"
# While serving, beside the bundle in the site folder; MkDocs does not clean hidden entries
HELD = ".nearmiss-pagefind-held"  # the last complete index, kept across the clean
NEXT = ".nearmiss-pagefind-next"  # the index being written in the background
OLD = ".nearmiss-pagefind-old"  # the index just replaced, removed at once

_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*"[^>]*>')
_HEADER = re.compile(r'<header class="md-header[^"]*"[^>]*>')
_SOURCE = '<div class="md-header__source">'
MARK = "data-nm-search"  # on what inject adds: a page carrying it is left as it is
# The dialog's parts, as Pagefind builds them by default, but for two things. The field
# pauses 150 ms after the last key before it searches (Pagefind's search box waits as
# long), not 300. And a result lists the sections that match, but not the page's own
# title again: Material gives the <h1> an id, which Pagefind takes for a section. The
# template is Pagefind 1.5's own (pagefind-component-ui.js), without images, which these
# pages have none of, and with that one condition added. Its links are single-quoted
# (``{{ }}`` escapes ' too), so nothing reading href="…" takes a placeholder for a link.
DEBOUNCE_MS = 150
RESULT_TEMPLATE = (
    '<li class="pf-result"><div class="pf-result-card"><div class="pf-result-content">'
    '<p class="pf-result-title"><a class="pf-result-link" '
    "href='{{ meta.url | default(url) | safeUrl }}'>{{ meta.title }}</a></p>"
    '{{#if excerpt}}<p class="pf-result-excerpt">{{+ excerpt +}}</p>{{/if}}'
    '</div></div>{{#if sub_results}}<ul class="pf-heading-chips">'
    '{{#each sub_results as sub}}{{#if ne(sub.title, meta.title)}}'
    '<li class="pf-heading-chip"><a class="pf-heading-link" '
    "href='{{ sub.url | safeUrl }}'>"
    '{{ sub.title }}</a><p class="pf-heading-excerpt">{{+ sub.excerpt +}}</p></li>'
    '{{/if}}{{/each}}</ul>{{/if}}</li>')
MODAL = ("<pagefind-modal-header>"
         f'<pagefind-input debounce="{DEBOUNCE_MS}"></pagefind-input></pagefind-modal-header>'
         "<pagefind-modal-body><pagefind-summary></pagefind-summary><pagefind-results>"
         f'<script type="text/pagefind-template">{RESULT_TEMPLATE}</script>'
         "</pagefind-results></pagefind-modal-body>"
         "<pagefind-modal-footer><pagefind-keyboard-hints></pagefind-keyboard-hints>"
         "</pagefind-modal-footer>")


class PagefindMissing(Exception):
    """Pagefind (the pip packages ``pagefind`` and ``pagefind-bin``) is not installed."""


class IndexFailed(Exception):
    """Pagefind ran and failed; the message is one line."""


def searchable(meta: Mapping[str, Any]) -> bool:
    """Whether a page's front matter lets search index it (Material's ``search:
    exclude: true`` says not)."""
    setting = meta.get("search")
    return not (isinstance(setting, Mapping) and setting.get("exclude") is True)


def root_of(page_url: str) -> str:
    """The relative path from a page to the site's root, for a page URL as MkDocs writes
    it: ``log/records/a/`` (directory URLs) or ``log/records/a.html`` (file URLs)."""
    return "../" * page_url.lstrip("/").count("/")


def tags(root: str) -> tuple[str, str, str]:
    """The markup inject adds, relative to ``root`` (``""``, ``"../"``… or an absolute
    path ending in ``/``): in the head, in the header, and at the end of the body."""
    head = f'<link rel="stylesheet" href="{root}{BUNDLE}/pagefind-component-ui.css" {MARK}>'
    # The trigger shows Ctrl+K (Cmd+K on a Mac) and opens the dialog; search.js adds
    # Material's own keys, / and s. The component script finds the bundle and the
    # site's root from its own address, so no path is configured here.
    header = (f'<div class="md-header__option nm-search" {MARK}>'
              f'<pagefind-config highlight-param="{HIGHLIGHT_PARAM}"></pagefind-config>'
              '<pagefind-modal-trigger></pagefind-modal-trigger></div>')
    body = (f'<pagefind-modal {MARK}>{MODAL}</pagefind-modal>'
            f'<script src="{root}{BUNDLE}/{COMPONENT_UI}" defer {MARK}></script>'
            f'<script src="{root}{SCRIPT_PATH}" defer {MARK}></script>')
    return head, header, body


@dataclass(frozen=True)
class Injected:
    html: str
    indexed: bool  # the article carries data-pagefind-body
    missing: tuple[str, ...] = ()  # the parts of Material's markup that were not found


def inject(html: str, root: str, *, index: bool) -> Injected:
    """The page with the search button, dialog and scripts added, and, with ``index``,
    its article marked as what Pagefind indexes. A page already injected is returned
    as it is; a part of the theme's markup that cannot be found is named in ``missing``
    (nothing is added for it) rather than guessed at."""
    article = _ARTICLE.search(html)
    missing: list[str] = []
    if index and article is None:
        missing.append('<article class="md-content__inner">')
    if f"<pagefind-modal {MARK}>" in html:  # record text cannot make this tag: escaped
        return Injected(html, index and article is not None
                        and "data-pagefind-body" in article[0], tuple(missing))
    head, header, body = tags(root)
    header_at = _header_insert_point(html)
    if header_at is None:
        missing.append('<header class="md-header"> with its <nav>')
    if "</head>" not in html or "</body>" not in html:
        missing.append("</head> and </body>")
        return Injected(html, False, tuple(missing))
    edits: list[tuple[int, str]] = [(html.index("</head>"), head),
                                    (html.rindex("</body>"), body)]
    if header_at is not None:
        edits.append((header_at, header))
    indexed = False
    if index and article is not None:
        if "data-pagefind-body" not in article[0]:
            edits.append((article.end() - 1, " data-pagefind-body"))
        indexed = True
    for at, text in sorted(edits, reverse=True):
        html = html[:at] + text + html[at:]
    return Injected(html, indexed, tuple(missing))


def _header_insert_point(html: str) -> int | None:
    """Where Material's search sits in the header: before the repository link, or at the
    end of the header's bar."""
    header = _HEADER.search(html)
    if header is None:
        return None
    end = html.find("</nav>", header.end())
    if end < 0:
        return None
    source = html.find(_SOURCE, header.end(), end)
    return source if source >= 0 else end


def write_script(site_dir: str | Path, parts: Sequence[str] = ()) -> Path:
    """Put search.js (Material's keys, the page not found's button, highlighting on the
    page a result opens) into the built site, naming the bundles, relative to the main
    one, that the dialog merges into it (``PARTS_LINE``): none for a site in one."""
    target = Path(site_dir, SCRIPT_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    script = SCRIPT.read_bytes()
    if parts:
        line = f"const parts = {json.dumps(list(parts))};"
        script = script.replace(PARTS_LINE.encode(), line.encode(), 1)
    target.write_bytes(script)
    return target


# -- the index in parts ---------------------------------------------------------------------

# Pagefind keeps the whole index of a run in memory, about 125 KB a page (1.3 GB at ten
# thousand records), so a site of more pages than this is indexed in parts: one run after
# another, each into a bundle of its own, which the dialog merges (search.js) and whose
# results rank in one list. A site of fewer is one bundle, indexed as a whole.
PART_PAGES = 2500
PARTS = "parts"  # in the bundle: parts/<key>/, the bundle of some record pages
PAGES = "pages"  # in the bundle: pages/<n>/, the site's other pages past PART_PAGES
STAGE = ".nearmiss-pagefind-stage"  # in the site: the pages of the part being indexed
# A record id starts with its day (YYYY-MM-DD-…): the record pages are cut into parts
# between years where they can be, else between months, days, and last between ids.
_CUTS: tuple[int | None, ...] = (4, 7, 10, None)
# All that a merged bundle needs: the main one brings the scripts and the WebAssembly.
_MERGED_KEEP = ("pagefind-entry.json", "index", "fragment", "filter")
NICE = 10  # how much lower the priority of a background run is, on POSIX
QUIET = 0.5  # seconds a background run waits first, so the page reloading comes first


@dataclass(frozen=True)
class Part:
    """What one Pagefind run indexes: some pages of the site (by their file in it,
    ``log/records/a/index.html``), into the bundle at ``path`` within the main bundle
    (``""``: the main bundle itself)."""

    path: str
    pages: frozenset[str]


class Pages:
    """The pages a build marked for search, with the record each shows (None for any
    other page). The plugin keeps it across the rebuilds of `mkdocs serve --dirty`, which
    render only what changed; ``fresh`` are the pages rendered since the indexer last
    looked, which tell it the parts to index again."""

    def __init__(self) -> None:
        self.records: dict[str, str | None] = {}
        self.fresh: set[str] = set()

    def __len__(self) -> int:
        return len(self.records)

    def note(self, path: str, *, indexed: bool, record: str | None = None) -> None:
        """A page as this build rendered it: marked for search, or not (any more)."""
        if indexed:
            self.records[path] = record
        else:
            self.records.pop(path, None)
        self.fresh.add(path)

    def prune(self, site_dir: str | Path) -> None:
        """Forget the pages no longer in the site (a record deleted, renamed, made internal)."""
        site = Path(site_dir)
        for path in [p for p in self.records if not (site / p).is_file()]:
            del self.records[path]

    def take_fresh(self) -> set[str]:
        fresh, self.fresh = self.fresh, set()
        return fresh


def partition(pages: Mapping[str, str | None], bound: int | None = None) -> tuple[Part, ...]:
    """The parts of a site's index: one of every page while they are at most ``bound``
    (PART_PAGES); past that, the main bundle of the site's own pages (the home page, the
    dashboard, docs/: none a record's), and the record pages in parts of consecutive ids,
    at most ``bound`` each, made of whole years, else of whole months (days…), so a part
    keeps its pages as records are added (to the last part, mostly) and an edit indexes
    one part again."""
    bound = max(1, PART_PAGES if bound is None else bound)
    if len(pages) <= bound:
        return (Part("", frozenset(pages)),)
    by_record: dict[str, list[str]] = {}
    for page, record in pages.items():
        if record is not None:
            by_record.setdefault(record, []).append(page)
    parts = [Part(f"{PARTS}/{key}", frozenset(p for r in ids for p in by_record[r]))
             for key, ids in _cut(sorted(by_record), bound)]
    others = sorted(page for page, record in pages.items() if record is None)
    if not others:  # a site of record pages only: the first part is the main bundle
        return (Part("", parts[0].pages), *parts[1:])
    chunks = [frozenset(others[at:at + bound]) for at in range(0, len(others), bound)]
    return (Part("", chunks[0]),
            *(Part(f"{PAGES}/{n}", chunk) for n, chunk in enumerate(chunks[1:], 2)), *parts)


def _cut(ids: list[str], bound: int) -> list[tuple[str, list[str]]]:
    """Sorted ids in runs of at most ``bound``, each named by the year (month, day, id) of
    its first: whole years where they fit, a year of more than ``bound`` by month, a
    month of more by day, a day of more by id."""
    blocks = _blocks(ids, bound, 0)
    runs: list[tuple[str, list[str]]] = []
    for key, block in blocks:
        if runs and len(runs[-1][1]) + len(block) <= bound:
            runs[-1][1].extend(block)
        else:
            runs.append((key, list(block)))
    return runs


def _blocks(ids: list[str], bound: int, level: int) -> list[tuple[str, list[str]]]:
    """Sorted ids by year, a year of more than ``bound`` by month, and so on: blocks of
    at most ``bound``, in order, each named by what its ids share."""
    width = _CUTS[level]
    blocks: list[tuple[str, list[str]]] = []
    for record in ids:
        key = record if width is None else record[:width]
        if blocks and blocks[-1][0] == key:
            blocks[-1][1].append(record)
        else:
            blocks.append((key, [record]))
    if width is None:  # one id each
        return blocks
    out: list[tuple[str, list[str]]] = []
    for key, block in blocks:
        out.extend(_blocks(block, bound, level + 1) if len(block) > bound else [(key, block)])
    return out


def merged(parts: Sequence[Part] | None) -> tuple[str, ...]:
    """The bundles the dialog merges into the main one, relative to it."""
    return tuple(part.path for part in parts or () if part.path)


# -- running Pagefind -----------------------------------------------------------------------

def require_pagefind() -> None:
    """Raise PagefindMissing unless Pagefind's Python package and its binary are there."""
    if importlib.util.find_spec("pagefind") is None:
        raise PagefindMissing("pagefind is not installed")
    from pagefind.service import get_executable  # the binary: pagefind-bin, or PATH

    if get_executable() is None:
        raise PagefindMissing("pagefind is installed without its binary (pagefind-bin)")


def command(site_dir: str | Path, *, output: str | Path | None = None,
            keep_index_url: bool = False) -> list[str]:
    """The Pagefind command line that indexes a built site (into ``output``, by default
    its ``pagefind/`` folder)."""
    args = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--quiet",
            "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS)]
    if output is not None:
        args += ["--output-path", str(output)]
    if keep_index_url:  # file URLs: a result links log/index.html, not log/
        args.append("--keep-index-url")
    return args


def _failure(output: str, returncode: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    said = (errors or lines or [f"exit status {returncode}"])[-1]
    return f"Pagefind could not index the site: {said}"


def _check_bundle(bundle: Path, parts: Sequence[str] = ()) -> None:
    if not (bundle / COMPONENT_UI).is_file():
        raise IndexFailed(f"Pagefind wrote no {COMPONENT_UI}: the search needs "
                          "pagefind-bin 1.5 or newer")
    for path in parts:
        if not (bundle / path / "pagefind-entry.json").is_file():
            raise IndexFailed(f"Pagefind could not index the site: no {BUNDLE}/{path}")


@dataclass(frozen=True)
class Done:
    """A finished index: how long it took, anything Pagefind warned about, and how many
    bundles it is in."""

    seconds: float
    warnings: tuple[str, ...] = ()
    bundles: int = 1


def _warnings(output: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in output.splitlines() if line.strip())


@dataclass(frozen=True)
class _Step:
    part: Part | None  # None: the whole site, as it is
    output: Path | None  # None: the site's own bundle, where Pagefind writes by default
    args: list[str]


def _steps(site: Path, parts: Sequence[Part] | None, out: Path | None,
           keep_index_url: bool) -> list[_Step]:
    """The runs that index ``parts`` (None: the whole site, as one bundle) into ``out``
    (None: the site's own bundle)."""
    if parts is None:
        return [_Step(None, out, command(site, output=out, keep_index_url=keep_index_url))]
    target = out or site / BUNDLE
    return [_Step(part, target / part.path, command(site / STAGE, output=target / part.path,
                                                    keep_index_url=keep_index_url))
            for part in parts]


def _whole(parts: Sequence[Part] | None) -> bool:
    """Whether an index of ``parts`` is one bundle of the whole site (as it always was)."""
    return not merged(parts)


class _Stopped(Exception):
    """A background run was stopped: its index is dropped."""


class _Job:
    """The runs of one index, in turn; ``cancel`` (from another thread) ends them."""

    def __init__(self, background: bool) -> None:
        self.background = background
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()

    def pause(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise _Stopped

    def run(self, args: list[str]) -> str:
        """Run one Pagefind, returning what it said (IndexFailed if it failed)."""
        with self._lock:
            if self._cancelled.is_set():
                raise _Stopped
            self._proc = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                stdin=subprocess.DEVNULL)
            if self.background:
                _lower_priority(self._proc.pid)
            proc = self._proc
        output, _ = proc.communicate()
        if self._cancelled.is_set():
            raise _Stopped
        if proc.returncode != 0:
            raise IndexFailed(_failure(output or "", proc.returncode))
        return output or ""

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _lower_priority(pid: int) -> None:
    """Let the rebuild that shows a page come first (POSIX; Windows has no nice). Set as
    the child starts: ``python -m pagefind`` replaces itself with Pagefind (the same
    process, its priority kept) before Pagefind starts its threads, which inherit it."""
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, pid,
                           min(19, os.getpriority(os.PRIO_PROCESS, pid) + NICE))
        except OSError:  # it has already ended
            pass


def _write(site: Path, steps: Sequence[_Step], job: _Job) -> tuple[str, ...]:
    """Run ``steps``, each part's pages linked into a folder of their own first (so one
    run reads them only, at their addresses in the site); what Pagefind warned about."""
    stage = site / STAGE
    said: list[str] = []
    try:
        for step in steps:
            shutil.rmtree(stage, ignore_errors=True)
            if step.part is not None:
                for page in step.part.pages:
                    _link(site / page, stage / page)
            said.extend(_warnings(job.run(step.args)))
            if step.part is not None and step.part.path and step.output is not None:
                _trim(step.output)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return tuple(said)


def _link(source: Path, target: Path) -> None:
    """``target`` as a second name of ``source`` (a copy where links cannot be made)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _trim(bundle: Path) -> None:
    """Remove from a merged bundle what the browser loads from the main one only."""
    for entry in bundle.iterdir():
        if entry.name in _MERGED_KEEP or entry.suffix == ".pf_meta":
            continue
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _link_tree(source: Path, target: Path, *, skip: tuple[str, ...] = ()) -> None:
    """A bundle of the index in place, unchanged, into the one being written."""
    for entry in source.iterdir():
        if entry.name in skip:
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, copy_function=_link_file,
                            dirs_exist_ok=True)
        else:
            _link(entry, target / entry.name)


def _link_file(source: str, target: str) -> None:
    _link(Path(source), Path(target))


def index(site_dir: str | Path, *, keep_index_url: bool = False,
          parts: Sequence[Part] | None = None) -> Done:
    """Index a built site into its ``pagefind/`` folder, in ``parts`` (None: as a whole),
    waiting for it, and write search.js, which merges them."""
    start = time.perf_counter()
    site = Path(site_dir)
    whole = _whole(parts)
    if not whole:  # no part of an earlier index may stay
        shutil.rmtree(site / BUNDLE, ignore_errors=True)
    said = _write(site, _steps(site, None if whole else parts, None, keep_index_url),
                  _Job(background=False))
    _check_bundle(site / BUNDLE, merged(parts))
    write_script(site, merged(parts))
    return Done(time.perf_counter() - start, said, 1 + len(merged(parts)))


class Indexer:
    """Runs Pagefind for one build after another, as ``mkdocs serve`` rebuilds.

    ``hold`` (before the site folder is cleaned) keeps the last index aside; ``run``
    (after the pages are written) puts it back, so search keeps answering from it, and
    indexes again, in the background, the parts whose pages changed since (all of them
    without ``pages``), into a folder of its own, the other parts linked in from the
    index in place; it is swapped in when complete. A rebuild, ``stop`` or ``close``
    replaces or ends a run still going. The first run of a session, with no index to keep
    answering, waits for Pagefind.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._sites: set[Path] = set()
        # the parts of the index in place and its site, and the pages rendered since it
        self._live: tuple[Path, dict[str, frozenset[str]]] | None = None
        self._stale: set[str] = set()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._job is not None

    def hold(self, site_dir: str | Path) -> None:
        """Stop a run still going and set the site's index aside, out of the clean."""
        self.stop()
        site = Path(site_dir)
        bundle, held = site / BUNDLE, site / HELD
        if bundle.is_dir():
            shutil.rmtree(held, ignore_errors=True)
            os.replace(bundle, held)
            self._sites.add(site)

    def run(self, site_dir: str | Path, *, background: bool, keep_index_url: bool = False,
            pages: Pages | None = None, done: Callable[[Done], None] | None = None,
            failed: Callable[[str], None] | None = None) -> Done | None:
        """Index the site (its ``pages``; without, the whole site as one bundle): at once
        (returning Done, raising IndexFailed), or, with ``background`` and an index held,
        in the background (returning None; ``done`` or ``failed`` hears how it went, from
        another thread; neither when no page indexed changed)."""
        self.stop()
        site = Path(site_dir)
        parts: tuple[Part, ...] | None = None
        if pages is not None:
            pages.prune(site)
            parts = partition(pages.records)
            self._stale |= pages.take_fresh()
        held = site / HELD
        if not (background and held.is_dir()):
            shutil.rmtree(held, ignore_errors=True)
            finished = index(site, keep_index_url=keep_index_url, parts=parts)
            self._settle(site, parts)
            return finished
        bundle = site / BUNDLE
        if bundle.exists():  # a dirty build kept it: the held one is the same or older
            shutil.rmtree(held, ignore_errors=True)
        else:
            os.replace(held, bundle)
        self._sites.add(site)
        live = self._live[1] if self._live is not None and self._live[0] == site else None
        write_script(site, tuple(path for path in live or () if path))  # the index in place
        todo = parts
        if parts is not None and live is not None:
            todo = tuple(p for p in parts if live.get(p.path) != p.pages or p.pages & self._stale)
            if not todo and set(live) == {p.path for p in parts}:
                return None
        shutil.rmtree(site / NEXT, ignore_errors=True)
        job = _Job(background=True)
        thread = threading.Thread(target=self._work, name="nearmiss-pagefind", daemon=True,
                                  args=(job, site, parts, todo, keep_index_url,
                                        time.perf_counter(), done, failed))
        with self._lock:
            self._job, self._thread = job, thread
        thread.start()
        return None

    def _settle(self, site: Path, parts: Sequence[Part] | None) -> None:
        """The index of ``parts`` is in place: nothing rendered since."""
        self._live = None if parts is None else (site, {p.path: p.pages for p in parts})
        self._stale = set()

    def _work(self, job: _Job, site: Path, parts: tuple[Part, ...] | None,
              todo: tuple[Part, ...] | None, keep_index_url: bool, start: float,
              done: Callable[[Done], None] | None,
              failed: Callable[[str], None] | None) -> None:
        following = site / NEXT
        problem: str | None = None
        said: tuple[str, ...] = ()
        try:
            job.pause(QUIET)
            said = _write(site, _steps(site, None if _whole(parts) else todo, following,
                                       keep_index_url), job)
        except _Stopped:
            return
        except (IndexFailed, OSError) as exc:
            problem = str(exc)
        with self._lock:
            if self._job is not job:  # replaced by a newer build, or stopped
                return
            self._job = None
            if problem is None:
                try:
                    if parts is not None and todo is not None and not _whole(parts):
                        self._link_unchanged(site, parts, todo)
                    _check_bundle(following, merged(parts))
                    _swap(site)
                    write_script(site, merged(parts))
                    self._settle(site, parts)
                except (IndexFailed, OSError) as exc:
                    problem = str(exc)
        if problem is not None:
            if failed is not None:
                failed(problem)
        elif done is not None:
            done(Done(time.perf_counter() - start, said, 1 + len(merged(parts))))

    @staticmethod
    def _link_unchanged(site: Path, parts: Sequence[Part], todo: Sequence[Part]) -> None:
        """Into the index being written, the parts of the one in place no page of which
        changed."""
        bundle, following = site / BUNDLE, site / NEXT
        for part in parts:
            if part in todo:
                continue
            if part.path:
                _link_tree(bundle / part.path, following / part.path)
            else:
                following.mkdir(parents=True, exist_ok=True)
                _link_tree(bundle, following, skip=(PARTS, PAGES))

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background run to finish (for tests and benchmarks)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stop(self) -> None:
        """End a background run still going; its index is never swapped in."""
        with self._lock:
            job, self._job = self._job, None
            thread, self._thread = self._thread, None
        if job is not None:
            job.cancel()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def close(self) -> None:
        """The end of a session: stop, and remove the folders set aside in its sites."""
        self.stop()
        for site in self._sites:
            for name in (HELD, NEXT, OLD, STAGE):
                shutil.rmtree(site / name, ignore_errors=True)
        self._sites = set()
        self._live, self._stale = None, set()


def _swap(site: Path) -> None:
    """Put the index written in the background where the browser reads it."""
    bundle, following, old = site / BUNDLE, site / NEXT, site / OLD
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        os.replace(bundle, old)
    os.replace(following, bundle)
    shutil.rmtree(old, ignore_errors=True)


# -- indexing while MkDocs renders ----------------------------------------------------------

# Run after a build (``index``), Pagefind reads every page back and indexes it while
# MkDocs waits: about a fifth of a build of a thousand records. ``Stream`` instead hands
# each page's article (``article_page``: all of a page Pagefind indexes) to one
# ``pagefind --service`` as MkDocs converts its Markdown, so Pagefind reads pages on the
# core MkDocs leaves idle, and writes the index while MkDocs lays the pages out in the
# theme (``write_all``): little is left for the end.
#
# The service reads and answers messages of base64-encoded JSON, each ended by a comma.
# Pagefind's own Python package (pagefind.index) speaks it through asyncio, but polls for
# each answer 0.1 s after the last, which is 100 s for a thousand pages; Stream speaks it
# from two threads, one writing what the build sends, one reading the answers.
SERVICE_QUEUE = 256  # pages waiting to be written to the service before the build waits
CLOSE_WAIT = 10.0  # seconds the service has to end once its input has


def article_page(content: str, title: str, lang: str) -> str:
    """A page's article as Pagefind reads it from the built page: the content MkDocs made
    of its Markdown, under the title Material adds when the content has no ``<h1>``, in
    the page's language (Pagefind's index and stemming are by language)."""
    heading = "" if "<h1" in content else f"<h1>{html_escape(title)}</h1>"
    return (f'<!DOCTYPE html><html lang="{html_escape(lang)}"><head><meta charset="utf-8">'
            f"<title>{html_escape(title)}</title></head><body>"
            f"<article data-pagefind-body>{heading}{content}</article></body></html>")


class Stream:
    """One index of a site, fed its pages as they are rendered, by the parts ``plan``
    expects (``partition`` of the pages the build will render). A part of record pages
    is written and dropped from Pagefind's memory as soon as its last page arrives, the
    rest at ``finish``; a page the plan did not foresee, or a plan that the pages rendered
    did not bear out, makes ``finish`` answer None, and the caller indexes the built site
    instead (``index``), so the index is always the one the site's pages make."""

    def __init__(self, site_dir: str | Path, plan: Sequence[Part], *,
                 keep_index_url: bool = False) -> None:
        from pagefind.service import get_executable  # the binary: pagefind-bin, or PATH

        self.site = Path(site_dir)
        self.plan = tuple(plan)
        self._part_of = {page: part.path for part in self.plan for page in part.pages}
        self._left = {part.path: len(part.pages) for part in self.plan}
        self._sent: dict[str, set[str]] = {part.path: set() for part in self.plan}
        self._written: set[str] = set()  # the parts asked to be written already
        self._unplanned = False
        self._answers: dict[int, dict[str, Any]] = {}
        self._asked = 0
        self._failure: str | None = None
        self._changed = threading.Condition()
        self._queue: queue.Queue[bytes | None] = queue.Queue(SERVICE_QUEUE)
        executable = get_executable()
        if executable is None:
            raise PagefindMissing("pagefind is installed without its binary (pagefind-bin)")
        self.site.mkdir(parents=True, exist_ok=True)
        self._proc = subprocess.Popen([str(executable), "--service"], cwd=self.site,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL)
        self._threads = [threading.Thread(target=target, daemon=True, name=name)
                         for target, name in ((self._write, "nearmiss-pagefind-write"),
                                              (self._read, "nearmiss-pagefind-read"))]
        for thread in self._threads:
            thread.start()
        config = {"exclude_selectors": list(EXCLUDE_SELECTORS),
                  "keep_index_url": keep_index_url}
        asked = {part.path: self._ask({"type": "NewIndex", "config": config})
                 for part in self.plan}
        self._index = {path: int(self._answer(ask)["index_id"]) for path, ask in asked.items()}

    def add(self, page: str, html: str) -> None:
        """A rendered page to index, by its file in the site (``log/records/a/index.html``)."""
        path = self._part_of.get(page)
        if path is None or page in self._sent[path]:
            self._unplanned = True
            return
        self._sent[path].add(page)
        self._ask({"type": "AddFile", "index_id": self._index[path], "file_path": page,
                   "url": None, "file_contents": html})
        self._left[path] -= 1
        if path and self._left[path] == 0:  # a part of records, complete
            self._write_part(path)

    def write_all(self) -> None:
        """Have Pagefind write every part it has pages of (it does so while the build
        goes on): no page is to come."""
        for path, pages in self._sent.items():
            if pages and path not in self._written:
                self._write_part(path)

    def finish(self, pages: Mapping[str, str | None]) -> Done | None:
        """Write what is left and wait for Pagefind: the index, if the pages the build
        marked for search (``pages``) are the ones sent, in the parts planned; else None,
        the bundle removed, for ``index`` to make."""
        start = time.perf_counter()
        actual = {part.path: part.pages for part in partition(pages)}
        sent = {path: frozenset(p) for path, p in self._sent.items() if p}
        if self._unplanned or sent != actual:
            self.close()
            shutil.rmtree(self.site / BUNDLE, ignore_errors=True)
            return None
        self.write_all()
        try:
            for ask in range(1, self._asked + 1):
                self._answer(ask)
        except IndexFailed:
            shutil.rmtree(self.site / BUNDLE, ignore_errors=True)  # no half an index
            raise
        finally:
            self.close()
        merged_parts = tuple(path for path in sent if path)
        for path in merged_parts:
            _trim(self.site / BUNDLE / path)
        _check_bundle(self.site / BUNDLE, merged_parts)
        write_script(self.site, merged_parts)
        return Done(time.perf_counter() - start, (), 1 + len(merged_parts))

    def close(self) -> None:
        """End the service: it ends as its input does; one that does not is stopped."""
        try:
            self._queue.put_nowait(None)
        except queue.Full:  # the writer is stuck on a service that reads no more
            self._proc.kill()
        try:
            self._proc.wait(timeout=CLOSE_WAIT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=CLOSE_WAIT)

    def _write_part(self, path: str) -> None:
        self._written.add(path)
        output = self.site / BUNDLE / path if path else self.site / BUNDLE
        self._ask({"type": "WriteFiles", "index_id": self._index[path],
                   "output_path": str(output)})
        self._ask({"type": "DeleteIndex", "index_id": self._index[path]})

    def _ask(self, payload: dict[str, Any]) -> int:
        self._asked += 1
        message = json.dumps({"message_id": self._asked, "payload": payload})
        self._queue.put(base64.b64encode(message.encode("utf-8")) + b",")
        return self._asked

    def _answer(self, ask: int) -> dict[str, Any]:
        """The answer to message ``ask``, waiting for it; IndexFailed if Pagefind failed."""
        with self._changed:
            self._changed.wait_for(lambda: ask in self._answers or self._failure is not None)
            answer = self._answers.get(ask)
            if answer is None:
                raise IndexFailed(f"Pagefind could not index the site: "
                                  f"{self._failure or 'its service stopped'}")
        if answer.get("type") == "Error":
            raise IndexFailed(f"Pagefind could not index the site: {answer.get('message')}")
        return answer

    def _fail(self, why: str) -> None:
        with self._changed:
            self._failure = self._failure or why
            self._changed.notify_all()

    def _write(self) -> None:
        """Send what the build asks, in order; once the service is gone, drop it, so the
        build is never kept waiting on a full queue."""
        stdin = self._proc.stdin
        assert stdin is not None
        broken = False
        while (message := self._queue.get()) is not None:
            if broken:
                continue
            try:
                stdin.write(message)
                stdin.flush()
            except OSError as exc:
                broken = True
                self._fail(f"its service stopped ({exc.strerror or exc})")
        try:
            stdin.close()
        except OSError:
            pass

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        pending = b""
        while chunk := os.read(stdout.fileno(), 1 << 16):
            pending += chunk
            *messages, pending = pending.split(b",")
            for message in messages:
                try:
                    answer = json.loads(base64.b64decode(message))
                except ValueError:
                    self._fail("it answered something that is not a message")
                    continue
                with self._changed:
                    ask = answer.get("message_id")
                    if isinstance(ask, int):
                        self._answers[ask] = answer.get("payload") or {}
                    else:  # a message it could not read: no id to answer
                        self._failure = self._failure or str(
                            (answer.get("payload") or {}).get("message"))
                    self._changed.notify_all()
        stdout.close()
        self._fail("its service stopped")
