"""Putting record text into Markdown without letting it become markup it did not mean.

Titles, names and keys are plain text: escaped so a '*' or '<' shows as itself. Markdown
fields are Markdown, but raw HTML in them is shown as text, never passed to the browser.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re

# Characters that would start emphasis, code, links, headings, tables or attribute lists
# ('{: ...}' would let a title set HTML attributes); all are backslash-escapable.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|])")


def text(value: str) -> str:
    """Plain text for an inline Markdown context (link text, table cell, heading)."""
    escaped = html.escape(value, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("\n", " ")


def attr(value: str) -> str:
    """Plain text for an HTML element or attribute written into a page."""
    return html.escape(value, quote=True)


# A link target or reference definition that starts with a scheme that runs or embeds
# content; spaces and an opening '<' are allowed before it, as browsers allow them.
_UNSAFE_LINK = re.compile(
    r"(\]\(\s*<?|^[ \t]*\[[^\]\n]*\]:[ \t]*<?)\s*(javascript|vbscript|data|file)\s*:",
    re.IGNORECASE | re.MULTILINE)


def block(value: str) -> str:
    """A Markdown field: Markdown stays Markdown, raw HTML is shown, not run, and a link
    to a javascript:, vbscript:, data: or file: target goes nowhere."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").strip()
    return _UNSAFE_LINK.sub(r"\1#unsafe-\2-link-removed:", escaped)


def link(label: str, target: str) -> str:
    return f"[{text(label)}]({target})"


@functools.lru_cache(maxsize=4096)
def _rel_dir(from_dir: str, to_dir: str) -> str:
    return posixpath.relpath(to_dir, from_dir)


def rel(from_page: str, to_page: str) -> str:
    """A relative link between two pages of the site, which every Markdown tool resolves.

    Cached per pair of folders: a site links thousands of records from a few folders.
    """
    to_dir, name = posixpath.split(to_page)
    prefix = _rel_dir(posixpath.dirname(from_page) or ".", to_dir or ".")
    return name if prefix == "." else f"{prefix}/{name}"


def url(page: str, style: str) -> str:
    """Where a page ends up: 'directory' (a/b/ for a/b.md, MkDocs' default), 'file'
    (a/b.html) or 'md' (the Markdown file itself, for `nearmiss render`)."""
    if style == "md":
        return page
    stem = page[:-3]
    if style == "file":
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


def href(from_page: str, to_page: str, style: str) -> str:
    """A relative URL from one page to another as the browser resolves it."""
    if style == "md":
        return rel(from_page, to_page)
    here, there = url(from_page, style), url(to_page, style)
    base = (here if style == "directory" else posixpath.dirname(here)).rstrip("/") or "."
    if style == "file":
        target_dir, name = posixpath.split(there)
    else:
        target_dir, name = there.rstrip("/"), ""
        if target_dir and base != target_dir and not base.startswith(target_dir + "/"):
            # a page's own folder ('log/records/<id>') is one of thousands: cache the pair
            # of its parent instead, as the folders of ``rel``
            target_dir, name = posixpath.split(target_dir)
            name += "/"
    prefix = _rel_dir(base, target_dir or ".")
    if not name:
        return "./" if prefix == "." else prefix + "/"
    return name if prefix == "." else f"{prefix}/{name}"


def html_block(html: str) -> str:
    """A block of HTML on one line of its own, which the MkDocs plugin passes through
    Markdown unparsed (``RAW_BLOCK``): Python-Markdown would keep such a line as it is,
    but reading thousands of rows of it through its HTML parser takes longer than the
    record pages themselves. Record text in it must already be escaped (``attr``)."""
    if "\n" in html:
        raise ValueError("an HTML block is written on one line")
    return html + "\n"


# a line ``html_block`` writes: an element of nearmiss's own, opened as only these pages
# open one (a site's own pages keep Python-Markdown's parsing), closed at the line's end
RAW_BLOCK = re.compile(
    r"(?:<table><thead><tr><th>.*</table>|<ul>(?:<li>.*)?</ul>)\Z")


def html_table(headers: list[str], rows: list[list[str]]) -> str:
    """A table as one line of HTML (``html_block``), for lists of thousands of records:
    its cells must already be HTML, record text escaped with ``attr``."""
    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return html_block(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


_PROBE = "x"  # a page name, for ``folder_href``
_SUFFIX = {"md": ".md", "file": ".html", "directory": "/"}


def folder_href(from_page: str, folder: str, style: str) -> tuple[str, str]:
    """(prefix, suffix) such that ``href(from_page, f"{folder}/{name}.md", style)`` is
    ``prefix + name + suffix`` for any page ``name`` of ``folder``: a list linking
    thousands of records works out the way to their folder once."""
    whole, suffix = href(from_page, f"{folder}/{_PROBE}.md", style), _SUFFIX[style]
    assert whole.endswith(_PROBE + suffix), whole
    return whole[:-len(_PROBE + suffix)], suffix


def table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()
          ) -> str:
    """A Markdown table; cells must already be escaped."""
    if not rows:
        return ""
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(out) + "\n"
