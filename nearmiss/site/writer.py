"""The one writer of the learning-log site: every page, the stylesheet, the feed, the
calendars, git dates and edit links, for any generator.

The MkDocs plugin hands these files to MkDocs (and ProperDocs) as generated files;
``nearmiss render`` writes them into a folder for a generator that runs no plugins, such
as Zensical. They differ only in where the files go, so a page looks the same whichever
generator builds it, as long as that generator loads ``STYLESHEET_PATH`` (``extra_css``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from nearmiss.files import write_atomic
from nearmiss.log.checker import CheckResult
from nearmiss.site import charts, history, report
from nearmiss.site.pages import STYLESHEET, SiteOptions, build

STYLESHEET_PATH = "assets/nearmiss.css"
FEED_PATH = "feed.xml"
# templates the MkDocs plugin adds to Material's (the page not found, 404.html); a
# generator without the plugin keeps its own
OVERRIDES = str(Path(__file__).with_name("overrides"))


@dataclass(frozen=True)
class SiteFile:
    """One file of the site, relative to the generator's docs folder."""

    path: str
    content: str
    in_nav: bool = False
    source: str | None = None  # the record's YAML, relative to the site's root folder
    record_text: bool = False  # carries record Markdown: its HTML must be sanitized
    refused: bool = False  # a refused record's problems, written only while serving
    searchable: bool = False  # search indexes it: a record, the home page, the dashboard


def stylesheet() -> str:
    """The ``nm-*`` classes of the pages and the charts' colours, light and dark."""
    return STYLESHEET.read_text(encoding="utf-8") + charts.CSS


def site_files(result: CheckResult, folder: Path, as_of: date, options: SiteOptions,
               *, git_dates: bool = True) -> list[SiteFile]:
    """Every file of the learning log for the records in ``result``, read from ``folder``.

    With ``git_dates``, record pages tell when their file was first committed and last
    changed (one ``git log`` for the folder, cached by commit; nothing outside git).
    """
    if git_dates:
        options = replace(options, history=history.record_dates(folder))
    # the report form proposes new records where the edit links point, in this folder
    where = os.path.relpath(folder, options.source_root).replace(os.sep, "/")
    options = replace(options, incidents_source=where)
    pages, feed, calendars = build(result, as_of, options)
    files = [SiteFile(page.path, page.markdown, page.in_nav, page.source, page.record_text,
                      page.refused, page.searchable) for page in pages]
    files.append(SiteFile(FEED_PATH, feed))
    files += [SiteFile(path, content) for path, content in calendars.items()]
    files.append(SiteFile(STYLESHEET_PATH, stylesheet()))
    files.append(SiteFile(report.SCRIPT_PATH, report.SCRIPT.read_text(encoding="utf-8")))
    return files


class WouldOverwrite(Exception):
    """Files of the site already exist where they would be written."""

    def __init__(self, folder: Path, existing: list[str]) -> None:
        super().__init__(f"{len(existing)} file(s) already exist in {folder}, e.g. "
                         f"{existing[0]}")
        self.existing = existing


def write_to(folder: Path, files: list[SiteFile], *, overwrite: bool = False) -> None:
    """Write the site into ``folder``. Without ``overwrite``, any file that exists stops
    the whole write before the first file, so nothing is half replaced."""
    existing = [f.path for f in files if (folder / f.path).exists()]
    if existing and not overwrite:
        raise WouldOverwrite(folder, existing)
    for f in files:
        write_atomic(folder / f.path, f.content, overwrite=overwrite)
