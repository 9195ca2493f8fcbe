"""Arbitrary text in every field of a record: the check never raises, the pages render,
and no markup from the text reaches the HTML as markup."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import markdown
from helpers import TAXONOMY_FIXTURE
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nearmiss.authoring.new import record_text
from nearmiss.log.checker import CheckResult
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import parse_taxonomy
from nearmiss.site.pages import Site, SiteOptions
from nearmiss.site.sanitize import TAGS, clean_html

TAXONOMY = parse_taxonomy(TAXONOMY_FIXTURE.read_bytes(), str(TAXONOMY_FIXTURE))
EXTENSIONS = ["admonition", "attr_list", "tables", "toc", "meta"]
HOSTILE_BITS = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "{: onclick=alert(1)}", "&lt;b&gt;", "</title>", "<!--", "`<code>`", "*", "_", "|", "\\",
    "![i](https://example.org/i.png)", "<a href='javascript:x'>a</a>", "\n\n", "    ",
])
CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t")
TEXT = st.lists(st.one_of(st.text(CHARS, max_size=12), HOSTILE_BITS), min_size=1,
                max_size=6).map("".join).map(lambda t: t if t.strip() else t + "x")
# the tags our own page templates write, beyond what record text may produce
OURS = {"table", "thead", "tbody", "tr", "th", "td", "span", "a", "small", "code", "pre"}


class TagScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS | OURS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.bad.append(f"<{tag} {name}={value}>")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT.map(lambda t: " ".join(t.split())[:120]), story=TEXT, save=TEXT,
       lessons=TEXT, kudos=st.lists(TEXT, max_size=3), whys=st.lists(TEXT, max_size=3))
def test_any_text_renders_without_live_markup(title: str, story: str, save: str,
                                             lessons: str, kudos: list[str],
                                             whys: list[str]) -> None:
    values = {"title": title, "kind": "near-miss", "status": "open", "occurred": "2026-03-14",
              "team": "billing", "severity": "low", "what_happened": story,
              "caught_by": save, "lessons": lessons, "kudos": kudos, "whys": whys}
    text = record_text(values)
    result = check_record(text.encode(), "incidents/2026/2026-03-14-x.yaml", TAXONOMY)
    event("rendered" if result.record else "refused by the check")
    if result.record is None:  # invalid input is reported, never raised
        served = Site(CheckResult(TAXONOMY, [result], result.problems), date(2026, 6, 30),
                      SiteOptions(serving=True))
        for refused in served.problem_pages():  # its page while `mkdocs serve` runs
            html = clean_html(markdown.markdown(refused.markdown, extensions=EXTENSIONS))
            scanner = TagScanner()
            scanner.feed(html)
            assert scanner.bad == [], (text, html)
        return
    site = Site(CheckResult(TAXONOMY, [result]), date(2026, 6, 30), SiteOptions())
    page = site.record_page(result.record)
    html = markdown.markdown(page.markdown, extensions=EXTENSIONS)
    html = clean_html(html) if page.record_text else html
    scanner = TagScanner()
    scanner.feed(html)
    assert scanner.bad == [], (text, html)
    home = markdown.markdown(site.home().markdown, extensions=EXTENSIONS)
    scanner = TagScanner()
    scanner.feed(home)
    assert [b for b in scanner.bad if not b.startswith(("<div", "<ul", "<li"))] == []


def test_properties_module_uses_the_fixture_taxonomy() -> None:
    assert Path(TAXONOMY_FIXTURE).is_file() and "billing" in TAXONOMY.teams
