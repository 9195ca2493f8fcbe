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
- ``Indexer`` runs Pagefind over the built site, at once for a build, or in the
  background while serving so a reload is not kept waiting for the index: the previous
  index keeps answering until the new one is complete and swapped in.

Only pages marked with ``data-pagefind-body`` are indexed: records with ``visibility:
internal`` get no page, pages with ``search: exclude`` in their front matter (browse
lists, which would match every word of every story they list) and the page not found get
no mark, so Pagefind leaves them out.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODES = ("pagefind", "theme")  # the plugin's ``search`` option
BUNDLE = "pagefind"  # the folder Pagefind writes in the site, and the URL path it is read at
SCRIPT = Path(__file__).with_name("search.js")
SCRIPT_PATH = "assets/nearmiss-search.js"  # where SCRIPT goes in the site
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


def write_script(site_dir: str | Path) -> Path:
    """Put search.js (Material's keys, the page not found's button, highlighting on the
    page a result opens) into the built site."""
    target = Path(site_dir, SCRIPT_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SCRIPT, target)
    return target


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


def _check_bundle(bundle: Path) -> None:
    if not (bundle / COMPONENT_UI).is_file():
        raise IndexFailed(f"Pagefind wrote no {COMPONENT_UI}: the search needs "
                          "pagefind-bin 1.5 or newer")


@dataclass(frozen=True)
class Done:
    """A finished index: how long it took, and anything Pagefind warned about."""

    seconds: float
    warnings: tuple[str, ...] = ()


def _warnings(output: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in output.splitlines() if line.strip())


def index(site_dir: str | Path, *, keep_index_url: bool = False) -> Done:
    """Index a built site into its ``pagefind/`` folder, waiting for it."""
    start = time.perf_counter()
    run = subprocess.run(command(site_dir, keep_index_url=keep_index_url),
                         capture_output=True, text=True, check=False,
                         stdin=subprocess.DEVNULL)
    if run.returncode != 0:
        raise IndexFailed(_failure(run.stdout + run.stderr, run.returncode))
    _check_bundle(Path(site_dir, BUNDLE))
    return Done(time.perf_counter() - start, _warnings(run.stdout + run.stderr))


class Indexer:
    """Runs Pagefind for one build after another, as ``mkdocs serve`` rebuilds.

    ``hold`` (before the site folder is cleaned) keeps the last index aside; ``run``
    (after the pages are written) puts it back, so search keeps answering from it, and
    starts Pagefind in the background into a folder of its own, swapped in when it has
    finished. A rebuild, ``stop`` or ``close`` replaces or ends a run still going. The
    first run of a session, with no index to keep answering, waits for Pagefind.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None
        self._sites: set[Path] = set()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._proc is not None

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
            done: Callable[[Done], None] | None = None,
            failed: Callable[[str], None] | None = None) -> Done | None:
        """Index the site: at once (returning Done, raising IndexFailed), or, with
        ``background`` and an index held, in the background (returning None; ``done``
        or ``failed`` hears how it went, from another thread)."""
        self.stop()
        site = Path(site_dir)
        held = site / HELD
        if not (background and held.is_dir()):
            shutil.rmtree(held, ignore_errors=True)
            return index(site, keep_index_url=keep_index_url)
        bundle = site / BUNDLE
        if bundle.exists():  # a dirty build kept it: the held one is the same or older
            shutil.rmtree(held, ignore_errors=True)
        else:
            os.replace(held, bundle)
        following = site / NEXT
        shutil.rmtree(following, ignore_errors=True)
        self._sites.add(site)
        proc = subprocess.Popen(command(site, output=following, keep_index_url=keep_index_url),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                stdin=subprocess.DEVNULL)
        thread = threading.Thread(target=self._watch, name="nearmiss-pagefind", daemon=True,
                                  args=(proc, site, time.perf_counter(), done, failed))
        with self._lock:
            self._proc, self._thread = proc, thread
        thread.start()
        return None

    def _watch(self, proc: subprocess.Popen[str], site: Path, start: float,
               done: Callable[[Done], None] | None,
               failed: Callable[[str], None] | None) -> None:
        output, _ = proc.communicate()
        with self._lock:
            if self._proc is not proc:  # replaced by a newer build, or stopped
                return
            self._proc = None
            problem = None
            if proc.returncode != 0:
                problem = _failure(output or "", proc.returncode)
            else:
                try:
                    _check_bundle(site / NEXT)
                    _swap(site)
                except (IndexFailed, OSError) as exc:
                    problem = str(exc)
        if problem is not None:
            if failed is not None:
                failed(problem)
        elif done is not None:
            done(Done(time.perf_counter() - start, _warnings(output or "")))

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background run to finish (for tests and benchmarks)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stop(self) -> None:
        """End a background run still going; its index is never swapped in."""
        with self._lock:
            proc, self._proc = self._proc, None
            thread, self._thread = self._thread, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def close(self) -> None:
        """The end of a session: stop, and remove the folders set aside in its sites."""
        self.stop()
        for site in self._sites:
            for name in (HELD, NEXT, OLD):
                shutil.rmtree(site / name, ignore_errors=True)
        self._sites = set()


def _swap(site: Path) -> None:
    """Put the index written in the background where the browser reads it."""
    bundle, following, old = site / BUNDLE, site / NEXT, site / OLD
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        os.replace(bundle, old)
    os.replace(following, bundle)
    shutil.rmtree(old, ignore_errors=True)
