"""The MkDocs plugin ``nearmiss``: a thin shell that hands the learning log to MkDocs.

It checks the records on every build, logs each problem as a warning with the text
``nearmiss check`` prints so ``mkdocs build --strict`` fails exactly when the check does,
and adds the files of ``nearmiss.site.writer`` as generated files: the same files
``nearmiss render`` writes to disk for generators without plugins. ProperDocs, a fork of
MkDocs 1.6, runs it unchanged.

While ``mkdocs serve`` runs (``on_startup``, which also keeps this instance across
rebuilds), a record with errors keeps its page, telling its problems over what the page
showed before; a build never publishes it. With Material, the page not found is ours
(``overrides/404.html``), linking home, to search and to the browse pages.
"""

from __future__ import annotations

import gc
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment
from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage

from nearmiss.distribution import MissingExtra, install_command, needs_site_extra
from nearmiss.log import report
from nearmiss.log.cache import Cache, digest
from nearmiss.log.checker import CannotRun, check_tree, discover


class MissingSiteExtra(PluginError):
    """MkDocs runs, but the rest of the site extra is not installed: exit 2, one line."""

    exit_code = 2


try:
    with needs_site_extra("the nearmiss MkDocs plugin"):
        from nearmiss.site import sanitize, writer
        from nearmiss.site import search as site_search
        from nearmiss.site.markup import RAW_BLOCK, url
        from nearmiss.site.pages import BROWSE, FIGURES_GUIDE, Reuse, SiteOptions
except MissingExtra as _missing:
    raise MissingSiteExtra(f"nearmiss: {_missing}") from None

log = get_plugin_logger("nearmiss")
NEEDED_EXTENSIONS = ("admonition", "attr_list", "tables", "toc")
# Material's search markup, fixed for axe-core: the dialog has no accessible name (every
# version here), and before 9.5.x's later releases its scrolling result list cannot be
# reached by keyboard. Each fix adds an attribute only where it is missing.
_SEARCH_FIXES = (
    (re.compile(r'<div class="md-search" data-md-component="search" role="dialog"[^>]*>'),
     "aria-label", ' aria-label="Search"'),
    (re.compile(r'<div class="md-search__scrollwrap"[^>]*>'), "tabindex", ' tabindex="0"'),
)


class DateOption(BaseConfigOption[date | None]):
    """A calendar day: unquoted in YAML (``as_of: 2026-11-22``) or as ISO text."""

    def run_validation(self, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            raise ValidationError(f"expected a date like 2026-11-22, not a time ({value})")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(f"expected a date like 2026-11-22, not {value!r}")


class NearmissConfig(Config):  # type: ignore[no-untyped-call]
    enabled = c.Type(bool, default=True)
    incidents = c.Dir(exists=False, default="incidents")  # relative to mkdocs.yml
    prefix = c.Type(str, default="log")
    home = c.Type(bool, default=True)
    title = c.Optional(c.Type(str))
    edit_url = c.Optional(c.Type(str))
    as_of = DateOption()
    cache = c.Type(bool, default=True)
    git_dates = c.Type(bool, default=True)
    search = c.Choice(site_search.MODES, default="auto")  # or "pagefind", or "theme"
    watcher = c.Choice(("native", "polling"), default="native")  # how serve sees an edit


class NearmissPlugin(BasePlugin[NearmissConfig]):  # type: ignore[no-untyped-call]
    """Publishes ``incidents/`` as a learning log."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}
        self.record_text: set[str] = set()
        self.edit_base: str | None = None
        self.serving = False
        # record pages as the last build of this `mkdocs serve` wrote them, by path: what
        # a record's page showed before an edit broke it
        self.shown: dict[str, str] = {}
        self.session: str | None = None  # the mkdocs.yml ``shown`` was built from
        # serving: each file this plugin gave the last build, by path, and what that
        # build was of (``kept_files``); whether MkDocs runs --dirty
        self.built: dict[str, str] = {}
        self.built_for: tuple[str, str, bytes] | None = None
        self.dirty = False
        self.told_dirty = False
        self.reuse = Reuse()  # the pages of the last build, for the next (serving only)
        # search: pagefind (nearmiss.site.search): the configuration of the build that
        # uses it (none when the theme's search is kept), the pages it indexes (kept
        # across the rebuilds of `mkdocs serve --dirty`, which render only what changed)
        # and the indexer, kept across the rebuilds of `mkdocs serve`
        self.pagefind: MkDocsConfig | None = None
        self.search_pages = site_search.Pages()
        self.indexer = site_search.Indexer()
        self.stream: site_search.Stream | None = None  # a build's index, fed as it renders
        self.search_lang: str | None = None  # the language the theme gives its pages
        self.search_told = False  # said, in this serve session, that Material's is off
        self.check_cache: Cache | None = None  # kept open across the rebuilds of a serve
        self.frozen = False  # whether on_serve set what was alive aside from the collector
        self.observer: Any = None  # the system's watcher of the records while serving

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Tells serve from build. Defining it also keeps this instance across the
        rebuilds of `mkdocs serve`, which ``shown`` and ``built`` rely on."""
        self.serving = command == "serve"
        self.dirty = dirty

    def on_shutdown(self) -> None:
        """The end of a `mkdocs serve` or build: MkDocs keeps this instance for the
        process, so nothing of this session may reach the next one."""
        self.serving = False
        self.shown = {}
        self.session = None
        self.built, self.built_for, self.dirty, self.told_dirty = {}, None, False, False
        self.reuse = Reuse()
        self.check_cache = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        if self.observer is not None:
            self.observer.stop()
            self.observer.join()
            self.observer = None
        self.indexer.close()
        self.end_stream()
        self.search_pages = site_search.Pages()
        self.search_told = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.pagefind = None
        if not self.config.enabled:
            return config
        for name in NEEDED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if writer.STYLESHEET_PATH not in config.extra_css:
            config.extra_css.append(writer.STYLESHEET_PATH)
        self.edit_base = self.config.edit_url or _edit_base(config)
        if config.theme.name == "material" and writer.OVERRIDES not in config.theme.dirs:
            # after the site's own custom_dir, whose templates win, before the theme's
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, writer.OVERRIDES)
        records = len(discover(Path(self.config.incidents)))
        if site_search.chosen(self.config.search, records) == "pagefind" \
                and self.use_pagefind(config):
            self.pagefind = config
        return config

    def use_pagefind(self, config: MkDocsConfig) -> bool:
        """Search with Pagefind instead of the theme's search, which is turned off."""
        if not (self.serving and self.dirty):  # every page is rendered again
            self.search_pages = site_search.Pages()
        if config.theme.name != "material":
            log.info("search: pagefind needs the Material theme; keeping this theme's search")
            return False
        try:
            site_search.require_pagefind()
        except site_search.PagefindMissing as exc:
            raise MissingSiteExtra(
                f"nearmiss: search: pagefind needs the 'site' extra ({exc}): "
                f"{install_command('site')}, or set search: theme") from None
        theme_search = config.plugins.get("material/search")
        if theme_search is not None and getattr(theme_search.config, "enabled", False):
            theme_search.config.enabled = False  # its header.html and hooks honour this
            if not (self.serving and self.search_told):  # once a serve, not every rebuild
                log.info("search: Pagefind replaces the search plugin of Material, turned "
                         "off for this site (set search: theme to keep it)")
            self.search_told = self.serving
        if self.serving:
            self.indexer.hold(config.site_dir)  # out of the clean; put back after the build
        return True

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        if RAW_BLOCKS not in config.markdown_extensions:
            config.markdown_extensions.append(RAW_BLOCKS)  # our long lists, unparsed
        folder = Path(self.config.incidents)
        as_of = self.config.as_of or date.today()
        try:
            result = check_tree(folder, as_of, cache=self.cache_of(folder))
        except CannotRun as exc:
            lines = [report.line(p) for p in exc.problems]
            raise PluginError("\n".join([*lines, f"nearmiss: {exc}"])) from None
        for problem in result.problems:
            log.warning(report.line(problem))
        options = SiteOptions(
            prefix=self.config.prefix.strip("/"), home=self.config.home,
            title=self.config.title or config.site_name, edit_base=self.edit_base,
            source_root=str(Path(config.config_file_path or ".").parent),
            site_url=config.site_url or "",
            link_style="directory" if config.use_directory_urls else "file",
            figures_page=(FIGURES_GUIDE if files.get_file_from_path(FIGURES_GUIDE) is not None
                          else None),
            serving=self.serving, shown_before=self.session_pages(config),
            reuse=self.reuse if self.serving else None,
        )
        self.sources = {}
        self.record_text = set()
        kept = self.kept_files(config, len(result.records))
        built: dict[str, str] = {}
        unsearched: set[str] = set()  # the log's pages that search leaves out
        for out in writer.site_files(result, folder, as_of, options,
                                     git_dates=self.config.git_dates):
            if files.get_file_from_path(out.path) is not None:
                log.info(f"{out.path} exists in docs/; keeping it instead of the generated one")
                continue
            if self.serving and out.source and not out.refused:
                self.shown[out.path] = out.content
            inclusion = InclusionLevel.INCLUDED if out.in_nav else InclusionLevel.NOT_IN_NAV
            same = False  # as the last build of this serve session wrote it
            if self.serving:
                before = kept.get(out.path)  # a page reused (``Reuse``) has the same text
                built[out.path] = out.content
                same = before is out.content or before == out.content
            if not same:
                files.append(File.generated(config, out.path, content=out.content,
                                            inclusion=inclusion))
            elif out.in_nav:  # the nav needs its page
                files.append(KeptFile.generated(config, out.path, content=out.content,
                                                inclusion=inclusion))
            else:
                files.append(KeptPage.of(config, out.path, out.content, inclusion))
            if out.source:
                self.sources[out.path] = out.source
            if out.record_text:
                self.record_text.add(out.path)
            if not out.searchable:
                unsearched.add(out.path)
        self.start_stream(config, files, unsearched)
        if self.serving:
            _remove_outputs(config, [path for path in kept if path not in built])
            self.built = built
        return files

    def cache_of(self, folder: Path) -> Cache | None:
        """The check's cache: opened afresh for a build, kept open while serving, so a
        rebuild neither loads it again nor pickles again what it holds."""
        if not self.config.cache:
            return None
        if not self.serving:
            return Cache(folder)
        if self.check_cache is None or self.check_cache.folder != folder:
            self.check_cache = Cache(folder)
        return self.check_cache

    def kept_files(self, config: MkDocsConfig, records: int) -> dict[str, str]:
        """While serving: the content of each file the last build of this session had,
        for ``KeptFile``; none after a change to mkdocs.yml, which any page may show."""
        if not self.serving:
            return {}
        try:
            with open(config.config_file_path or "", "rb") as handle:
                settings = handle.read()
        except OSError:
            settings = b""
        stamp = (config.site_dir, config.config_file_path or "", digest(settings))
        if stamp != self.built_for:
            self.built, self.built_for = {}, stamp
        if not self.dirty and not self.told_dirty and records >= BIG_LOG:
            self.told_dirty = True
            log.info(f"nearmiss: {records} records; `mkdocs serve --dirty` renders again "
                     "only the pages an edit changes, in seconds instead of minutes")
        return self.built

    def on_build_error(self, *, error: Exception) -> None:
        """A build that failed may have left pages unwritten: the next one renders all."""
        self.built, self.built_for = {}, None
        self.end_stream()

    def start_stream(self, config: MkDocsConfig, files: Files, unsearched: set[str]) -> None:
        """A build (not serving: a rebuild renders only some pages) with Pagefind feeds
        it each page's article as its Markdown is converted, in the parts the pages it
        will index make: every page but those of the log that search leaves out (browse
        lists), as a page of docs/ tells only once read (``search: exclude``)."""
        self.end_stream()
        if self.pagefind is not config or self.serving or self.dirty:
            return
        self.search_lang = _page_language(config)
        if self.search_lang is None:
            log.info("search: the theme does not say its pages' language; Pagefind "
                     "indexes the built site instead")
            return
        plan = {f.dest_uri: (Path(f.src_uri).stem if f.src_uri in self.sources else None)
                for f in files.documentation_pages() if f.src_uri not in unsearched}
        try:
            self.stream = site_search.Stream(config.site_dir, site_search.partition(plan),
                                             keep_index_url=not config.use_directory_urls)
        except (site_search.IndexFailed, site_search.PagefindMissing, OSError) as exc:
            log.info(f"search: {exc}; Pagefind indexes the built site instead")

    def end_stream(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def session_pages(self, config: MkDocsConfig) -> dict[str, str]:
        """The record pages of earlier builds of this serve session, of this site only."""
        if self.session != config.config_file_path:
            self.session, self.shown = config.config_file_path, {}
        return dict(self.shown) if self.serving else {}

    def on_page_markdown(self, markdown: str, /, *, page: MkDocsPage, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Point the theme's edit button of a record page at its YAML file."""
        source = self.sources.get(page.file.src_uri)
        if source is not None:
            page.edit_url = self.edit_base + source if self.edit_base else None
        return markdown

    def on_page_content(self, html: str, /, *, page: MkDocsPage, config: MkDocsConfig,
                        files: Files) -> str | None:
        """Sanitize the HTML of pages that carry record text, before search indexes it;
        with Pagefind fed as the build goes, hand it the page's article."""
        if page.file.src_uri in self.record_text:
            html = sanitize.clean_html(html)
        if self.stream is not None and self.search_lang is not None \
                and site_search.searchable(page.meta):
            self.stream.add(page.file.dest_uri, site_search.article_page(
                html, page.title or config.site_name, self.search_lang))
        return html

    def on_post_page(self, output: str, /, *, page: MkDocsPage, config: MkDocsConfig
                     ) -> str | None:
        """Make Material's search dialog accessible; say so loudly (a warning, which
        fails --strict) the day its markup no longer matches, instead of silently not.
        With Pagefind, add its button and dialog, and mark what it indexes."""
        if self.pagefind is config:
            done = site_search.inject(output, site_search.root_of(page.url),
                                      index=site_search.searchable(page.meta))
            self.search_pages.note(page.file.dest_uri, indexed=done.indexed,
                                   record=(Path(page.file.src_uri).stem
                                           if page.file.src_uri in self.sources else None))
            for part in done.missing:
                log.warning(f"{page.file.src_uri}: the theme's markup has changed, so "
                            f"nearmiss cannot find {part} for search; please report this")
            output = done.html
        if 'data-md-component="search"' not in output:
            return output
        for pattern, attribute, addition in _SEARCH_FIXES:
            tag = pattern.search(output)
            if tag is None:
                log.warning(f"{page.file.src_uri}: the theme's search markup has changed, so "
                            f"nearmiss cannot add {attribute!r} to it; please report this")
            elif f"{attribute}=" not in tag[0]:
                fixed = tag[0][:-1] + addition + ">"
                output = output[:tag.start()] + fixed + output[tag.end():]
        return output

    def on_post_template(self, output_content: str, /, *, template_name: str,
                         config: MkDocsConfig) -> str | None:
        """The page not found gets the search too, at absolute addresses (it is served
        at any), and is never indexed."""
        if self.pagefind is not config or not template_name.endswith(".html"):
            return output_content
        root = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
        return site_search.inject(output_content, root, index=False).html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Index the built site with Pagefind: at once for a build; in the background
        while serving, the last index answering meanwhile."""
        if self.pagefind is not config:
            return
        # a dirty rebuild renders only what changed: the pages it kept are indexed still,
        # and the index it set aside must come back
        if not self.search_pages and not self.serving:
            log.warning("search: no page is searchable, so nearmiss writes no search index")
            self.end_stream()
            return
        pages = self.search_pages

        def bundles(done: site_search.Done) -> str:
            return f" ({done.bundles} bundles)" if done.bundles > 1 else ""

        if self.stream is not None:
            stream, self.stream = self.stream, None
            try:
                streamed = stream.finish(pages.records)
            except (site_search.IndexFailed, OSError) as exc:
                log.info(f"search: {exc}; Pagefind indexes the built site instead")
            else:
                if streamed is not None:
                    log.info(f"search: Pagefind indexed {len(pages)} pages as they were "
                             f"rendered{bundles(streamed)}, done {streamed.seconds:.1f} s "
                             "after the last")
                    return
                log.info("search: the pages rendered were not the ones foreseen; Pagefind "
                         "indexes the built site instead")

        try:
            done = self.indexer.run(
                config.site_dir, background=self.serving,
                keep_index_url=not config.use_directory_urls, pages=pages,
                done=lambda d: log.info(f"search: Pagefind has indexed {len(pages)} pages"
                                        f"{bundles(d)} in {d.seconds:.1f} s; reload to "
                                        "search them"),
                failed=lambda message: log.warning(f"search: {message}"))
        except site_search.IndexFailed as exc:
            raise PluginError(f"nearmiss: search: {exc}") from None
        if done is not None:
            for line in done.warnings:
                log.info(f"search: Pagefind: {line}")
            log.info(f"search: Pagefind indexed {len(pages)} pages{bundles(done)} in "
                     f"{done.seconds:.1f} s")

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files
               ) -> Environment | None:
        """What the page not found (overrides/404.html) links to. Every page's Markdown
        is converted by now: Pagefind, fed them all, writes the index while MkDocs lays
        them out in the theme."""
        if self.stream is not None:
            self.stream.write_all()
        if not self.config.enabled:
            return env
        style = "directory" if config.use_directory_urls else "file"
        prefix = self.config.prefix.strip("/")

        def under(target: str) -> str:
            return url(f"{prefix}/{target}" if prefix else target, style)

        links = [("Home", url("index.md", style))]
        if prefix and not self.config.home:
            links.append(("The learning log", under("index.md")))
        env.globals["nearmiss_links"] = links + [(label, under(target))
                                                 for label, target in BROWSE]
        env.globals["nearmiss_search"] = any(name in config.plugins
                                             for name in ("search", "material/search"))
        return env

    def watch(self, server: LiveReloadServer) -> None:
        """Rebuild when a record changes, told by the system (inotify, FSEvents,
        ReadDirectoryChangesW) rather than by MkDocs' polling, twice a second, of
        everything it watches: at 10,000 records a poll takes a tenth of a second of the
        server's process, rebuilds included, and an edit waits for the next. MkDocs' own
        handler is put on the system's observer (``_changes_observer``). ``watcher:
        polling`` keeps MkDocs' way, for a folder the system says nothing of (a network
        drive, a Windows drive under WSL), as does an observer that cannot start or a
        watchdog before 4.0."""
        from watchdog.observers.polling import PollingObserver

        folder = self.config.incidents
        polling = getattr(server, "observer", None)
        if self.config.watcher == "polling" or not isinstance(polling, PollingObserver):
            server.watch(folder)
            return
        native: Any = _changes_observer()
        if native is None:
            server.watch(folder)
            return
        server.observer = native
        try:
            server.watch(folder)
            native.start()
        except OSError as exc:
            log.info(f"nearmiss: the system cannot tell changes in {folder} ({exc}); "
                     "polling it as MkDocs does")
            server.unwatch(folder)
            server.observer = polling
            server.watch(folder)
            return
        finally:
            server.observer = polling
        self.observer = native

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer | None:
        if self.config.enabled:
            self.watch(server)
            self.serving = True  # `mkdocs serve --clean` starts up as a build
            # What the first build leaves for the next (the check's cache, the pages kept,
            # the similar records' index) lives as long as the server; left to the
            # collector, each full collection in a rebuild walks all of it again: 0.2 to
            # 0.8 s of a 3 s rebuild at 10,000 records. The build's own garbage is
            # collected first, so that nothing frozen is left to leak.
            gc.collect()
            gc.freeze()
            self.frozen = True
        return server


def _changes_observer() -> Any:
    """The system's observer of files (watchdog's), or None with a watchdog too old to
    choose its events (before 4.0). It asks the system for changes only: every build
    reads every record, and the events of files opened and closed unwritten, 20,000 a
    rebuild at 10,000 records, would cost more than polling. The handler is then passed
    only the events of files that changed as MkDocs' polling tells it (in size,
    modification time or inode, or by coming or going), not a new access time."""
    import inspect

    from watchdog.events import (
        FileClosedEvent,
        FileCreatedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
        FileMovedEvent,
        FileSystemEvent,
        FileSystemEventHandler,
    )
    from watchdog.observers import Observer
    from watchdog.observers.api import BaseObserver

    if "event_filter" not in inspect.signature(BaseObserver.schedule).parameters:
        return None
    changes = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
               FileClosedEvent]

    def signature(path: str) -> tuple[int, int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns, st.st_ino

    class Changes(FileSystemEventHandler):
        def __init__(self, handler: FileSystemEventHandler, folder: str) -> None:
            self.handler = handler
            self.seen = {os.path.join(top, name): signature(os.path.join(top, name))
                         for top, _dirs, names in os.walk(folder) for name in names}

        def dispatch(self, event: FileSystemEvent) -> None:
            changed = False
            for path in (event.src_path, getattr(event, "dest_path", "")):
                path = os.fsdecode(path)
                if path and not event.is_directory:
                    now = signature(path)
                    changed = changed or self.seen.get(path) != now
                    self.seen[path] = now
            if changed:
                self.handler.dispatch(event)

    class ChangesObserver(Observer):  # type: ignore[misc, valid-type]
        def schedule(self, handler: FileSystemEventHandler, path: str, **options: Any
                     ) -> Any:
            return super().schedule(Changes(handler, path), path, event_filter=changes,
                                    **options)

    return ChangesObserver()


def _page_language(config: MkDocsConfig) -> str | None:
    """The ``lang`` of Material's pages (``<html lang>``), which Pagefind indexes by: the
    theme's own translation of ``theme.language``, rendered as its base.html does; None
    if the theme cannot say."""
    try:
        language = config.theme.get_env().from_string(
            '{% import "partials/language.html" as lang with context %}'
            '{{ lang.t("language") }}').render(config=config)
    except Exception:  # noqa: BLE001 - a theme of other templates: index the built pages
        return None
    return language.strip() or None


def _edit_base(config: MkDocsConfig) -> str | None:
    """repo_url + edit_uri points into docs/; the records live beside docs/, one level up."""
    if not config.repo_url or not config.edit_uri:
        return None
    edit_uri = config.edit_uri.rstrip("/")
    docs = os.path.basename(os.path.normpath(config.docs_dir))
    if edit_uri.endswith("/" + docs):
        edit_uri = edit_uri[: -len(docs) - 1]
    return urljoin(config.repo_url.rstrip("/") + "/", edit_uri.lstrip("/") + "/")


BIG_LOG = 2000  # records from which serving without --dirty earns a tip


class KeptFile(File):
    """A generated file whose content is the one the last build of this `mkdocs serve`
    session wrote: MkDocs' --dirty keeps its output (``is_modified`` is False) instead
    of rendering the page again, as it does for a file of docs/ older than its output.
    Any change to the content makes it a plain generated file again, always rendered."""

    def is_modified(self) -> bool:
        return not os.path.isfile(self.abs_dest_path)


class KeptPage(File):
    """A page out of the nav whose output this `mkdocs serve --dirty` session wrote from
    the same content, as ``KeptFile``, given to MkDocs as a file that is not a page: MkDocs
    then makes no Page of it, neither reads nor lays it out, and leaves it out of the
    sitemap it writes while serving. For the thousands of record and browse pages an edit
    does not change, that is about a second of each rebuild at 10,000 records. Links to
    it still resolve, to its page's address."""

    page_like = True  # until its address is known, which MkDocs works out for pages

    @classmethod
    def of(cls, config: MkDocsConfig, path: str, content: str,
           inclusion: InclusionLevel) -> File:
        """The kept page, or a page to render again when its output is gone."""
        kept = cls.generated(config, path, content=content, inclusion=inclusion)
        if not os.path.isfile(kept.abs_dest_path):  # also fixes dest_uri, as a page's
            return File.generated(config, path, content=content, inclusion=inclusion)
        assert isinstance(kept, KeptPage)
        kept.url  # noqa: B018 - worked out (and cached) as a page's
        kept.page_like = False
        return kept

    def is_documentation_page(self) -> bool:
        return self.page_like

    def is_modified(self) -> bool:
        return False  # its output is in place: never copied over


def _remove_outputs(config: MkDocsConfig, paths: list[str]) -> None:
    """Take the pages of files that are gone (a record deleted, made internal or
    renamed) out of the site being served: --dirty would serve them on."""
    for path in paths:
        dest = File(path, src_dir=None, dest_dir=config.site_dir,
                    use_directory_urls=config.use_directory_urls).abs_dest_path
        try:
            os.remove(dest)
            if os.path.basename(dest) == "index.html" and path.endswith(".md"):
                os.rmdir(os.path.dirname(dest))  # the page's own folder, if now empty
        except OSError:
            pass


RAW_BLOCKS = "nearmiss.mkdocs_plugin:RawBlocks"  # as markdown_extensions names it


class _RawBlockPreprocessor(Preprocessor):  # type: ignore[misc]
    def run(self, lines: list[str]) -> list[str]:
        last = len(lines) - 1
        for i, line in enumerate(lines):
            if (line.startswith("<") and RAW_BLOCK.match(line) and " markdown" not in line
                    and (i == 0 or not lines[i - 1].strip())
                    and (i == last or not lines[i + 1].strip())):
                lines[i] = self.md.htmlStash.store(line)
        return lines


class RawBlocks(Extension):  # type: ignore[misc]
    """Stores the one-line HTML blocks of the learning log's long lists
    (``markup.html_block``) as Python-Markdown's own raw-HTML step would, without
    parsing them: the same HTML, in a fraction of the time."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        # after whitespace is normalised (30), before raw HTML is parsed (20)
        md.preprocessors.register(_RawBlockPreprocessor(md), "nearmiss_raw_blocks", 25)
