"""The MkDocs plugin ``nearmiss``: a thin shell that hands the learning log to MkDocs.

It checks the records on every build (serve keeps plugin instances, so nothing is kept
between builds but the content-hash cache), logs each problem as a warning with the text
``nearmiss check`` prints so ``mkdocs build --strict`` fails exactly when the check does,
and adds the files of ``nearmiss.site.writer`` as generated files: the same files
``nearmiss render`` writes to disk for generators without plugins. ProperDocs, a fork of
MkDocs 1.6, runs it unchanged.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

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
        from nearmiss.site.pages import SiteOptions
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

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        for name in NEEDED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if writer.STYLESHEET_PATH not in config.extra_css:
            config.extra_css.append(writer.STYLESHEET_PATH)
        self.edit_base = self.config.edit_url or _edit_base(config)
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
        )
        self.sources = {}
        self.record_text = set()
        for out in writer.site_files(result, folder, as_of, options,
                                     git_dates=self.config.git_dates):
            if files.get_file_from_path(out.path) is not None:
                log.info(f"{out.path} exists in docs/; keeping it instead of the generated one")
                continue
            inclusion = InclusionLevel.INCLUDED if out.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, out.path, content=out.content,
                                        inclusion=inclusion))
            if out.source:
                self.sources[out.path] = out.source
            if out.record_text:
                self.record_text.add(out.path)
        return files

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

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(self.config.incidents)
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
