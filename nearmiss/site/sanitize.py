"""The last line of defence between record text and a reader's browser.

Record fields are Markdown written by many hands. ``markup`` already shows raw HTML as
text and defuses dangerous link schemes in the Markdown; here the HTML that Markdown
produced for pages carrying record text is cleaned once more by nh3 (the Rust sanitizer
ammonia) against an allow-list: no script, no event handler, no style but table
alignment, no image (it would be fetched from elsewhere when the page is viewed), and
links only to relative, http(s) or mailto targets.
"""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "ol": {"start"},
    "th": {"style"},  # the tables extension aligns columns with style="text-align: ..."
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """HTML safe to publish, whatever the Markdown it came from contained."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True)


_LOOKALIKES = str.maketrans({"&": "&amp;", "<": "‹", ">": "›", '"': "”", "'": "’"})


def page_title(title: str) -> str:
    """A page title the theme may print anywhere, escaped or not, decoded once or not.

    MkDocs renders templates without autoescaping and Material passes titles through
    filters that decode entities, so an escaped '&lt;' would come out as '<'. Characters
    that could open a tag or close an attribute become look-alikes, and '&' is escaped so
    that one decoding gives back exactly what was typed.
    """
    return title.translate(_LOOKALIKES)
