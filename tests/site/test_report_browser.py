"""The report form in chromium: what a reporter types, however hostile or tricky, becomes
a record that `nearmiss check --strict` accepts and that reads back as typed; nothing
typed runs as script; the page passes axe and works by keyboard alone.

The site is the sample log built with this repository's colour schemes (test_browser's
project) and a GitHub edit link, so the form offers "Propose it on GitHub".
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import ROOT, chromium, cli_runner, served
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_browser import (
    PHONE,
    SCHEMES,
    make_themed_project,
    serious_violations,
)
from test_site import build_site

from nearmiss.cli import cli
from nearmiss.record.model import Record
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import parse_taxonomy

pytestmark = pytest.mark.slow

REPO = "https://github.com/acme/learning-log"
SHOTS = Path("/tmp/nearmiss-report-shots")  # screenshots for a person to look at
# text that YAML, Markdown or HTML would take for something else, in every text field
TRICKY = {
    "title": '  "Quoted": #1 - no, 1:20 <script>alert(1)</script> émoji 🚐\t\\ ',
    "what_happened": "- starts like a list item\nno\n1:20\n# not a comment\n"
                     "key: value with 'quotes' and \"double\" ones\n\n"
                     "<script>alert('what')</script><img src=x onerror=alert(2)>\n"
                     "   indented line\ttab \\ backslash 🚐  \n",
    "caught_by": "no",
    "kudos": "Priya: night shift, <b>Jonas</b>; #ops, - Ana",
    "reported_by": "- yes",
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_themed_project(tmp_path_factory.mktemp("report"))
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("https://git.example.org/log/edit/main/",
                                   f"{REPO}/edit/main/"), encoding="utf-8")
    site = build_site(project)
    with served(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site_url: str) -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def open_form(browser: Any, site_url: str, viewport: dict[str, int] | None = None,
              color_scheme: str = "light") -> Any:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900},
                                  color_scheme=color_scheme, accept_downloads=True)
    tab = context.new_page()
    tab.problems = []
    tab.on("dialog", lambda d: (tab.problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    tab.goto(site_url + "report/")
    tab.wait_for_load_state("networkidle")
    return tab


@pytest.fixture(scope="module")
def form(browser: Any, site_url: str) -> Iterator[Any]:
    """One tab on the form for the module's many fillings."""
    tab = open_form(browser, site_url)
    yield tab
    tab.context.close()


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample log to write the form's records into."""
    folder = tmp_path_factory.mktemp("log") / "incidents"
    shutil.copytree(ROOT / "incidents", folder)
    return folder


def fill(tab: Any, kind: str, values: dict[str, str]) -> None:
    tab.check(f'input[name="kind"][value="{kind}"]')
    for name in ("title", "what_happened", "caught_by", "customer_impact", "kudos",
                 "reported_by"):
        field = tab.locator(f'[name="{name}"]')
        if field.is_visible():
            field.fill(values.get(name, ""))
    tab.select_option('[name="team"]', index=1)


def written(tab: Any) -> tuple[str, str] | None:
    """Write the record: its path and YAML, or None when the form refused."""
    tab.click("button[type=submit]")
    if tab.locator("#nm-report-result").is_hidden():
        return None
    return (tab.locator("#nearmiss-path").text_content(),
            tab.locator("#nearmiss-yaml").text_content())


def held(tab: Any, name: str) -> str:
    """What the browser holds for a field: a text input drops line breaks, a textarea
    turns CR LF into LF; the record must carry exactly that."""
    return tab.eval_on_selector(f'[name="{name}"]', "e => e.value")


def record_of(log: Path, path: str, yaml_text: str) -> Record:
    """The record the YAML makes, checked as `nearmiss check` checks a file: no errors."""
    taxonomy = parse_taxonomy((log / "_taxonomy.yaml").read_bytes(), "_taxonomy.yaml")
    result = check_record(yaml_text.encode(), f"{log}/{path}", taxonomy)
    assert [p for p in result.problems if p.is_error] == [], yaml_text
    assert result.record is not None
    return result.record


def test_tricky_text_becomes_a_record_that_passes_check_strict_and_reads_back(
        form: Any, log: Path) -> None:
    fill(form, "near-miss", TRICKY)
    made = written(form)
    assert made is not None
    path, text = made
    day = form.evaluate("document.querySelector('[name=occurred]').value")
    assert path.startswith(f"{day[:4]}/{day}-quoted-1-no-1-20-script-alert-1")
    assert path.endswith(".yaml")
    target = log / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    result = cli_runner().invoke(cli, ["check", str(target), "--incidents", str(log),
                                       "--strict"], catch_exceptions=False)
    assert result.exit_code == 0, result.output + text
    record = record_of(log, path, text)
    assert record.title == TRICKY["title"]
    assert record.what_happened == TRICKY["what_happened"]
    assert record.caught_by == "no"
    assert record.reported_by == "- yes"
    assert record.kudos == ("Priya: night shift", "<b>Jonas</b>", "#ops", "- Ana")
    assert (record.status, record.kind, record.caught_how, record.severity) == (
        "open", "near-miss", "person", "medium")
    assert str(record.reported) == str(record.occurred) == day
    assert text.startswith("# A near miss or service failure")
    assert "what_happened: |\n  - starts like a list item\n" in text  # a block, readable
    assert form.locator("script:text('what')").count() == 0  # shown as text, not run
    assert form.problems == []


def test_a_failure_asks_what_the_customer_experienced(form: Any, log: Path) -> None:
    fill(form, "failure", {"title": "Refund sent to a closed account",
                           "what_happened": "The refund went to the old card.",
                           "customer_impact": ""})
    assert form.locator('[name="caught_by"]').is_hidden()
    assert form.locator('[name="caught_how"]').is_hidden()
    assert written(form) is None
    error = form.locator("#nm-error-customer_impact")
    assert error.inner_text() == "Please fill this in."
    described = form.get_attribute('[name="customer_impact"]', "aria-describedby") or ""
    assert "nm-error-customer_impact" in described.split()
    assert form.evaluate("document.activeElement.name") == "customer_impact"
    form.fill('[name="customer_impact"]', "Waited two weeks for the money.")
    made = written(form)
    assert made is not None
    record = record_of(log, *made)
    assert record.kind == "failure" and record.caught_how is None and record.caught_by is None
    assert record.customer_impact == "Waited two weeks for the money."
    assert "caught_how" not in made[1]


def test_what_the_browser_can_check_is_told_next_to_the_field(form: Any) -> None:
    fill(form, "near-miss", {"title": "x" * 121, "what_happened": "Story.",
                             "caught_by": "Seen."})
    assert written(form) is None
    assert "at most 120 fit" in form.locator("#nm-error-title").inner_text()
    form.fill('[name="title"]', "Two\u2028lines")
    assert written(form) is None
    assert form.locator("#nm-error-title").inner_text() == "Keep the title on one line."
    form.fill('[name="title"]', "🚐" * 120)  # code points, as the checker counts them
    form.fill('[name="occurred"]', "2999-01-01")
    assert written(form) is None
    assert form.locator("#nm-error-title").is_hidden()
    assert "in the future" in form.locator("#nm-error-occurred").inner_text()
    assert form.get_attribute('[name="occurred"]', "aria-invalid") == "true"
    form.fill('[name="occurred"]', "2026-03-14")
    assert written(form) is not None
    assert form.locator("#nearmiss-path").text_content() == "2026/2026-03-14-record.yaml"


TITLES = ["Café refund nearly lost!", "Straße gesperrt", "Ærø færge", "İstanbul ofisi",
          "ﬁx the ﬂow", "Ⅻ o'clock", "１２３ full width", "naïve coördination",
          "", "!!!", "one two three four five six seven eight nine ten"]


def test_file_names_are_slugged_as_new_slugs_them(form: Any) -> None:
    from nearmiss.authoring.new import slugify
    fill(form, "near-miss", {"what_happened": "Story.", "caught_by": "Seen."})
    form.fill('[name="occurred"]', "2026-03-14")
    for title in TITLES:
        form.fill('[name="title"]', title or "🚐")
        made = written(form)
        assert made is not None, title
        assert made[0] == f"2026/2026-03-14-{slugify(title or '🚐')}.yaml", title


one_line = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
                   min_size=1, max_size=40)
story = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=one_line, what_happened=story, caught_by=story, kudos=one_line,
       reported_by=one_line)
@example(title="no", what_happened="a\n   \nb  \n\tc", caught_by="x\n\n\n",
         kudos="yes, on; null", reported_by="1:20")
@example(title="\u00a0lead", what_happened="  leading spaces", caught_by="end\n  ",
         kudos="a] [b", reported_by="#")
@example(title="\x85\x1c", what_happened="\u2028 line separator\x85 nel\x7f del",
         caught_by="\ufeffbom", kudos="\x1f", reported_by="\t")
def test_any_text_reads_back_or_is_refused_where_it_was_typed(
        form: Any, log: Path, title: str, what_happened: str, caught_by: str, kudos: str,
        reported_by: str) -> None:
    """Whatever is typed, the form either says which field is wrong, or writes a record
    without errors whose every field holds what the browser held."""
    fill(form, "near-miss", {"title": title, "what_happened": what_happened,
                             "caught_by": caught_by, "kudos": kudos,
                             "reported_by": reported_by})
    made = written(form)
    if made is None:
        wrong = form.locator(".nm-report__error:not([hidden])").evaluate_all(
            "es => es.map(e => e.id)")
        assert wrong, "refused without saying why"
        assert set(wrong) <= {"nm-error-title", "nm-error-what_happened",
                              "nm-error-caught_by"}
        return
    record = record_of(log, *made)
    assert record.title == held(form, "title")
    assert record.what_happened == held(form, "what_happened")
    assert record.caught_by == held(form, "caught_by")
    names = [n.strip() for n in held(form, "kudos").replace(";", ",").split(",")]
    assert list(record.kudos) == [n for n in names if n and not n.isspace()]
    typed_name = held(form, "reported_by")
    assert record.reported_by == (None if not typed_name or typed_name.isspace() else typed_name)
    assert form.problems == []


def test_propose_opens_githubs_new_file_page_with_the_record(form: Any) -> None:
    fill(form, "near-miss", TRICKY)
    form.fill('[name="occurred"]', "2026-03-14")
    made = written(form)
    assert made is not None
    link = form.get_attribute("#nm-report-propose", "href") or ""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        f"{REPO}/new/main/incidents/2026"
    query = parse_qs(parts.query)
    assert query["filename"] == [made[0].split("/")[1]]
    assert query["value"] == [made[1]]
    form.fill('[name="what_happened"]', "A long story. " * 700)
    assert form.locator("#nm-report-propose").is_hidden()  # too long for a link
    assert form.locator("#nm-report-long").is_visible()


def test_keyboard_alone_writes_copies_and_downloads(browser: Any, site_url: str) -> None:
    tab = open_form(browser, site_url)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.locator('input[name="kind"][value="near-miss"]').focus()
    order = []
    for _ in range(40):
        tab.keyboard.press("Tab")
        name = tab.evaluate("document.activeElement.name || document.activeElement.id")
        order.append(name)
        if name == "title":
            tab.keyboard.type("Courtesy call nearly skipped")
        elif name == "team":
            tab.keyboard.press("ArrowDown")
        elif name == "what_happened":
            tab.keyboard.type("The visit overran.\nThe board showed it on time.")
        elif name == "caught_by":
            tab.keyboard.type("The technician checked the board.")
        elif tab.evaluate("document.activeElement.type") == "submit":
            tab.keyboard.press("Enter")
            break
    # a date field takes a Tab per part (day, month, year)
    visited = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert visited[:4] == ["title", "occurred", "team", "what_happened"]
    tab.locator("#nm-report-result").wait_for()
    assert tab.evaluate("document.activeElement.id") == "nm-report-result-title"
    text = tab.locator("#nearmiss-yaml").text_content()
    assert "what_happened: |-\n  The visit overran.\n  The board showed it on time.\n" in text
    tab.focus("#nm-report-copy")
    tab.keyboard.press("Enter")
    tab.locator("#nm-report-status:text('Copied.')").wait_for()
    assert tab.evaluate("navigator.clipboard.readText()") == text
    tab.focus("#nm-report-download")
    with tab.expect_download() as info:
        tab.keyboard.press(" ")
    download = info.value
    assert download.suggested_filename == tab.locator("#nearmiss-path").text_content() \
        .split("/")[1]
    assert Path(download.path()).read_text(encoding="utf-8") == text
    assert tab.problems == []
    tab.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_form_passes_axe_and_is_screenshot(browser: Any, site_url: str, scheme: str,
                                              width: str) -> None:
    tab = open_form(browser, site_url, PHONE if width == "phone" else None, scheme)
    assert serious_violations(tab) == []
    fill(tab, "near-miss", {"title": "", "what_happened": "Story."})
    assert written(tab) is None  # errors shown: checked too
    assert serious_violations(tab) == []
    tab.fill('[name="title"]', "Courtesy call nearly skipped")
    tab.fill('[name="caught_by"]', "Seen in time.")
    assert written(tab) is not None
    assert serious_violations(tab) == []
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"report-{width}-{scheme}.png"), full_page=True)
    assert tab.problems == []
    tab.context.close()
