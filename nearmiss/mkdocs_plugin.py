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

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage

from nearmiss.distribution import MissingExtra, needs_site_extra
from nearmiss.log import report
from nearmiss.log.cache import Cache
from nearmiss.log.checker import CannotRun, check_tree


class MissingSiteExtra(PluginError):
    """MkDocs runs, but the rest of the site extra is not installed: exit 2, one line."""

    exit_code = 2


try:
    with needs_site_extra("the nearmiss MkDocs plugin"):
        from nearmiss.site import sanitize, writer
        from nearmiss.site.markup import url
        from nearmiss.site.pages import BROWSE, FIGURES_GUIDE, SiteOptions
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

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Tells serve from build. Defining it also keeps this instance across the
        rebuilds of `mkdocs serve`, which ``shown`` relies on."""
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        """The end of a `mkdocs serve` or build: MkDocs keeps this instance for the
        process, so nothing of this session may reach the next one."""
        self.serving = False
        self.shown = {}
        self.session = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
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
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        folder = Path(self.config.incidents)
        as_of = self.config.as_of or date.today()
        try:
            result = check_tree(folder, as_of,
                                cache=Cache(folder) if self.config.cache else None)
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
        )
        self.sources = {}
        self.record_text = set()
        for out in writer.site_files(result, folder, as_of, options,
                                     git_dates=self.config.git_dates):
            if files.get_file_from_path(out.path) is not None:
                log.info(f"{out.path} exists in docs/; keeping it instead of the generated one")
                continue
            if self.serving and out.source and not out.refused:
                self.shown[out.path] = out.content
            inclusion = InclusionLevel.INCLUDED if out.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, out.path, content=out.content,
                                        inclusion=inclusion))
            if out.source:
                self.sources[out.path] = out.source
            if out.record_text:
                self.record_text.add(out.path)
        return files

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
        """Sanitize the HTML of pages that carry record text, before search indexes it."""
        if page.file.src_uri in self.record_text:
            return sanitize.clean_html(html)
        return html

    def on_post_page(self, output: str, /, *, page: MkDocsPage, config: MkDocsConfig
                     ) -> str | None:
        """Make Material's search dialog accessible; say so loudly (a warning, which
        fails --strict) the day its markup no longer matches, instead of silently not."""
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

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files
               ) -> Environment | None:
        """What the page not found (overrides/404.html) links to."""
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

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(self.config.incidents)
            self.serving = True  # `mkdocs serve --clean` starts up as a build
        return server


def _edit_base(config: MkDocsConfig) -> str | None:
    """repo_url + edit_uri points into docs/; the records live beside docs/, one level up."""
    if not config.repo_url or not config.edit_uri:
        return None
    edit_uri = config.edit_uri.rstrip("/")
    docs = os.path.basename(os.path.normpath(config.docs_dir))
    if edit_uri.endswith("/" + docs):
        edit_uri = edit_uri[: -len(docs) - 1]
    return urljoin(config.repo_url.rstrip("/") + "/", edit_uri.lstrip("/") + "/")
