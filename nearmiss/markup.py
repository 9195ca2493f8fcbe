"""Putting record text into Markdown without letting it become markup it did not mean.

Titles, names and keys are plain text: escaped so a '*' or '<' shows as itself. Markdown
fields are Markdown, but raw HTML in them is shown as text, never passed to the browser.
"""

from __future__ import annotations

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


def block(value: str) -> str:
    """A Markdown field: Markdown stays Markdown, raw HTML is shown, not run."""
    return value.replace("&", "&amp;").replace("<", "&lt;").strip()


def link(label: str, target: str) -> str:
    return f"[{text(label)}]({target})"


def rel(from_page: str, to_page: str) -> str:
    """A relative link between two pages of the site, which every Markdown tool resolves."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()
          ) -> str:
    """A Markdown table; cells must already be escaped."""
    if not rows:
        return ""
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(out) + "\n"
