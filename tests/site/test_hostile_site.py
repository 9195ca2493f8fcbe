"""Records written to attack the reader: the built site must carry no live script, event
handler or dangerous URL from them, wherever their text appears."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_site import build_site, make_project

MARK = "PWNED"
HOSTILE = f"""\
title: "</title><script>alert('{MARK}')</script> &lt;script&gt;{MARK}&lt;/script&gt; {{: onclick=x}}"
kind: near-miss
status: open
occurred: 2026-11-01
team: billing
severity: high
what_happened: |
  <script>alert('{MARK}')</script>
  <img src=x onerror="alert('{MARK}')">
  [click me](javascript:alert('{MARK}'))
  [spaced]( JaVaScRiPt:alert('{MARK}'))
  [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
  ![pixel](https://tracker.example.org/{MARK}.png)
  [ref link][r]

  [r]: javascript:alert('{MARK}')

  A paragraph with an attribute list.
  {{: onclick="alert('{MARK}')" }}

  <a href="javascript:alert('{MARK}')">raw link</a> <svg onload="alert('{MARK}')"></svg>
caught_by: |
  <iframe src="https://evil.example.org/{MARK}"></iframe>
  <style>body {{ display: none }}</style>
kudos: ["<b onmouseover=\\"alert('{MARK}')\\">Ana</b>", "&lt;img src=x onerror=alert(1)&gt;"]
reported_by: "<script>{MARK}</script>"
"""  # noqa: E501 (the hostile title is one YAML line)
RECORD_ID = "2026-11-01-hostile-record"


class Scanner(HTMLParser):
    """Collects everything that could run or load: script bodies, event handlers, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.in_script = False
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "img") and \
                MARK in " ".join(f"{k}={v}" for k, v in attrs):
            self.findings.append(f"<{tag}> carrying the marker: {attrs}")
        self.in_script = tag == "script"
        self.in_title = tag == "title"
        for name, value in attrs:
            value = (value or "").strip().lower().replace(" ", "")
            if name.startswith("on") and MARK.lower() in value:
                self.findings.append(f"event handler {name}={value} on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    value.startswith(("javascript:", "vbscript:", "data:")):
                self.findings.append(f"{name}={value} on <{tag}>")
            if MARK.lower() in value and name in ("src", "srcset", "data"):
                self.findings.append(f"remote {name}={value} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False if tag == "script" else self.in_script
        self.in_title = False if tag == "title" else self.in_title

    def handle_data(self, data: str) -> None:
        if self.in_script and MARK in data:
            self.findings.append(f"script body with the marker: {data[:80]}")
        if self.in_title:
            self.title += data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("hostile"))
    (project / "incidents" / "2026" / f"{RECORD_ID}.yaml").write_text(HOSTILE,
                                                                      encoding="utf-8")
    return build_site(project)


def test_the_hostile_record_is_published(hostile_site: Path) -> None:
    page = hostile_site / "log" / "records" / RECORD_ID / "index.html"
    assert page.is_file()
    assert MARK in page.read_text(encoding="utf-8")  # its text is shown, as text


def test_no_page_carries_live_script_handlers_or_dangerous_urls(hostile_site: Path) -> None:
    findings = []
    for html in hostile_site.rglob("*.html"):
        scanner = Scanner()
        scanner.feed(html.read_text(encoding="utf-8"))
        findings += [f"{html.relative_to(hostile_site)}: {f}" for f in scanner.findings]
        assert "<" not in scanner.title, (html, scanner.title)
    assert findings == []


def test_search_index_and_feed_hold_no_markup_from_the_record(hostile_site: Path) -> None:
    """Pagefind keeps a page's text as text (what a reader sees, '<script>' as typed) and
    its dialog escapes it when showing results, which test_search checks in a browser;
    here, the record is indexed by that text, and the feed holds no markup."""
    from test_search import fragments

    indexed = [f for f in fragments(hostile_site) if RECORD_ID in f["url"]]
    assert len(indexed) == 1 and MARK in indexed[0]["content"]
    feed = (hostile_site / "feed.xml").read_text(encoding="utf-8")
    assert "<script" not in feed and "<img" not in feed


def test_nothing_is_loaded_from_elsewhere(hostile_site: Path) -> None:
    page = (hostile_site / "log" / "records" / RECORD_ID / "index.html").read_text("utf-8")
    assert "tracker.example.org" not in page.split("<img")[0] or "<img" not in page
    assert "<iframe" not in page and "<style>body" not in page


def test_a_broken_hostile_record_while_serving_shows_its_text_as_text(
        tmp_path: Path) -> None:
    """While serving, a refused record's page shows its problems and its file as it
    stands: neither may carry live markup, whatever the file holds."""
    from test_site import serving

    project = make_project(tmp_path)
    broken = HOSTILE.replace("team: billing", f"team: \"<img src=x onerror=alert('{MARK}')>\"")
    (project / "incidents" / "2026" / f"{RECORD_ID}.yaml").write_text(broken, encoding="utf-8")
    with serving(project) as site:
        page = site / "log" / "records" / RECORD_ID / "index.html"
        html = page.read_text(encoding="utf-8")
        assert "Not published" in html and "[unknown-team]" in html
        assert "The file as it stands" in html
        scanner = Scanner()
        scanner.feed(html)
        assert scanner.findings == []
        assert "<" not in scanner.title, scanner.title
