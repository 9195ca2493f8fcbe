"""Record text into Markdown and HTML: plain text stays text, Markdown stays Markdown, and
nothing becomes live markup or a dangerous link; the sanitizer is the second line."""

from __future__ import annotations

import pytest

from nearmiss.site import markup
from nearmiss.site.sanitize import clean_html, page_title


@pytest.mark.parametrize(("value", "expected"), [
    ("Refund *sent* twice", r"Refund \*sent\* twice"),
    ("<b>bold</b> & [link](x)", r"&lt;b&gt;bold&lt;/b&gt; &amp; \[link\](x)"),
    ("{: onclick=alert(1) }", r"\{: onclick=alert(1) \}"),
    ("a | b # c", r"a \| b \# c"),
    ("two\nlines", "two lines"),
])
def test_text_is_shown_as_typed(value: str, expected: str) -> None:
    assert markup.text(value) == expected


def test_block_keeps_markdown_but_shows_raw_html_as_text() -> None:
    assert markup.block("**bold** <script>x</script>") == "**bold** &lt;script>x&lt;/script>"


@pytest.mark.parametrize("link", [
    "[x](javascript:alert(1))", "[x](  javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,AAAA)", "[x]: vbscript:msgbox", "[x](file:///etc/passwd)",
])
def test_block_defuses_dangerous_link_schemes(link: str) -> None:
    defused = markup.block(link)
    assert "-link-removed:" in defused
    for scheme in ("javascript:", "data:", "vbscript:", "file:"):
        assert scheme not in defused.lower().replace("unsafe-", "")


@pytest.mark.parametrize(("here", "there", "style", "expected"), [
    ("log/records/a.md", "log/causes/p/x.md", "md", "../causes/p/x.md"),
    ("log/records/a.md", "log/records/b.md", "md", "b.md"),
    ("log/records/a.md", "log/causes/p/x.md", "directory", "../../causes/p/x/"),
    ("log/records/a.md", "log/records/b.md", "directory", "../b/"),
    ("index.md", "log/teams/index.md", "directory", "log/teams/"),
    ("log/records/a.md", "log/causes/p/x.md", "file", "../causes/p/x.html"),
])
def test_links_resolve_in_each_url_style(here: str, there: str, style: str,
                                         expected: str) -> None:
    assert markup.href(here, there, style) == expected


def test_table_is_empty_without_rows_and_right_aligns_numbers() -> None:
    assert markup.table(["a", "b"], []) == ""
    assert markup.table(["a", "n"], [["x", "1"]], frozenset({1})) == (
        "| a | n |\n|---|---:|\n| x | 1 |\n")


@pytest.mark.parametrize(("html", "expected"), [
    ('<p onclick="x()">hi</p>', "<p>hi</p>"),
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="https://example.org/">x</a>', '<a href="https://example.org/">x</a>'),
    ('<img src="https://tracker.example/p.gif">', ""),
    ('<table><tbody><tr><td style="text-align: right">1</td></tr></tbody></table>',
     '<table><tbody><tr><td style="text-align: right">1</td></tr></tbody></table>'),
    ("<!-- note --><p>x</p>", "<p>x</p>"),
])
def test_clean_html_keeps_the_allow_list_only(html: str, expected: str) -> None:
    assert clean_html(html) == expected


def test_page_title_never_opens_a_tag_even_when_decoded() -> None:
    title = page_title('<script>"x" & \'y\'</script>')
    assert "<" not in title and ">" not in title and '"' not in title
    assert title == "‹script›”x” &amp; ’y’‹/script›"
