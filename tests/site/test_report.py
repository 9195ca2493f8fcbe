"""The page "Report a near miss" (nearmiss.site.report), without a browser: the form is
made from the model and the taxonomy, escapes the taxonomy's words, knows where to
propose a record, and the plain values it writes read back in YAML 1.1 as typed.
tests/site/test_report_browser.py fills it in chromium."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import yaml
from helpers import ROOT
from hypothesis import given
from hypothesis import strategies as st
from test_site import build_site, make_project, page

from nearmiss.authoring.new import asked_fields, question, record_text, required_fields
from nearmiss.log.checker import check_tree
from nearmiss.record.model import FIELDS, KINDS, SEVERITIES
from nearmiss.record.taxonomy import Taxonomy, Term
from nearmiss.site import report
from nearmiss.site.pages import SiteOptions, build
from nearmiss.site.writer import site_files

CONTRACT_NAMES = {"kind", "title", "occurred", "team", "touchpoint", "promise", "severity",
                  "what_happened", "caught_by", "caught_how", "customer_impact",
                  "reported_by", "kudos"}


class _Form(HTMLParser):
    """The form's controls (name -> tag, attributes, options) and the data of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, list[tuple[str, dict[str, str | None]]]] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.fields: dict[str, dict[str, str | None]] = {}
        self.form: dict[str, str | None] = {}
        self._select: str | None = None
        self._option: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.form = a
        if "data-field" in a:
            self.fields[a["data-field"] or ""] = a
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.controls.setdefault(a["name"] or "", []).append((tag, a))
        if tag == "select":
            self._select = a["name"]
            self.options[self._select or ""] = []
        if tag == "option":
            self._option = a.get("value") or ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._select is not None and self._option is not None:
            self.options[self._select].append((self._option, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        if tag == "select":
            self._select = None


def parse(markdown: str) -> _Form:
    form = _Form()
    form.feed(markdown)
    return form


def sample_taxonomy() -> Taxonomy:
    return check_tree(ROOT / "incidents", date(2026, 11, 22)).taxonomy


def test_the_form_asks_every_field_of_the_contract_by_its_name() -> None:
    form = parse(report.page(sample_taxonomy(), None))
    assert set(form.controls) == CONTRACT_NAMES
    assert set(form.fields) == CONTRACT_NAMES
    kinds = form.controls["kind"]
    assert [a["value"] for _, a in kinds] == list(KINDS)
    assert [a for _, a in kinds if "checked" in a][0]["value"] == KINDS[0]  # new's default
    assert form.controls["what_happened"][0][0] == "textarea"
    assert form.controls["occurred"][0][1]["type"] == "date"


def test_each_kind_shows_and_requires_what_new_asks_and_requires() -> None:
    form = parse(report.page(sample_taxonomy(), None))
    for kind in KINDS:
        shown = {name for name, a in form.fields.items() if kind in (a["data-kinds"] or "")}
        needed = {name for name, a in form.fields.items()
                  if kind in (a["data-required"] or "").split()}
        assert set(asked_fields(kind)) <= shown
        assert shown - set(asked_fields(kind)) == set(report.EXTRA)
        # occurred too: new fills it in with today, the form from the start
        assert needed == {*required_fields(kind), "occurred"}
    assert form.fields["caught_how"]["data-kinds"] == "near-miss"  # a failure may not have it
    assert form.fields["customer_impact"]["data-kinds"] == "failure"


def test_choices_come_from_the_taxonomy_and_the_model() -> None:
    taxonomy = sample_taxonomy()
    form = parse(report.page(taxonomy, None))
    for name, terms in (("team", taxonomy.teams), ("touchpoint", taxonomy.touchpoints),
                        ("promise", taxonomy.promises)):
        assert form.options[name] == [("", "Choose one" if name == "team" else "Not said"),
                                      *((key, t.label) for key, t in terms.items())]
    assert [key for key, _ in form.options["severity"][1:]] == list(SEVERITIES)
    words = question("severity", "near-miss", taxonomy, date.min).choices or {}
    assert form.options["severity"][2] == ("medium", f"medium: {words['medium']}")
    selected = [a for a in re.findall(r"<option[^>]*>", report.page(taxonomy, None))
                if "selected" in a]
    assert selected == ['<option value="person" selected>', '<option value="medium" selected>']


def test_the_record_is_written_as_new_writes_it() -> None:
    form = parse(report.page(sample_taxonomy(), None))
    assert form.form["data-header"] == record_text({})
    assert (form.form["data-order"] or "").split() == list(FIELDS)
    assert form.form["data-status"] == "open"
    assert form.form["data-title-max"] == "120"


def test_a_hostile_taxonomy_label_stays_text() -> None:
    hostile = '<script>alert(1)</script>" onmouseover="alert(2)'
    taxonomy = Taxonomy(teams={"ops": Term("ops", hostile)},
                        touchpoints={"web": Term("web", "<img src=x onerror=alert(3)>")})
    markdown = report.page(taxonomy, None)
    assert "<script>alert" not in markdown and "<img" not in markdown
    assert 'onmouseover="' not in markdown
    form = parse(markdown)
    assert form.options["team"][1] == ("ops", hostile)
    assert form.options["touchpoint"][1] == ("web", "<img src=x onerror=alert(3)>")
    # no inline handler anywhere: the page's own script does everything
    assert not re.search(r"<[^>]+\son[a-z]+=", markdown)


def test_new_file_pages_of_github_and_gitlab() -> None:
    github = report.new_file("https://github.com/acme/log/edit/main/", "incidents")
    assert github == report.NewFile("GitHub", "https://github.com/acme/log/new/main/incidents/",
                                    "filename", "value")
    gitlab = report.new_file("https://gitlab.com/acme/cx/log/-/edit/main/site/", "incidents")
    assert gitlab == report.NewFile(
        "GitLab", "https://gitlab.com/acme/cx/log/-/new/main/site/incidents/", "file_name",
        "content")
    nested = report.new_file("https://github.com/acme/log/edit/release/2026/", "../records")
    assert nested is not None and nested.folder.endswith("/new/release/2026/../records/")
    assert report.new_file("https://github.com/acme/log/blob/main/", ".") == report.NewFile(
        "GitHub", "https://github.com/acme/log/new/main/", "filename", "value")
    named_edit = report.new_file("https://github.com/acme/edit/edit/main/", "incidents")
    assert named_edit is not None
    assert named_edit.folder == "https://github.com/acme/edit/new/main/incidents/"
    assert report.new_file(None, "incidents") is None
    assert report.new_file("https://bitbucket.org/acme/log/src/main/", "incidents") is None


def test_the_propose_button_only_with_a_repository() -> None:
    taxonomy = sample_taxonomy()
    assert 'id="nm-report-propose"' not in report.page(taxonomy, None)
    target = report.new_file("https://github.com/acme/log/edit/main/", "incidents")
    markdown = report.page(taxonomy, target)
    assert "Propose it on GitHub" in markdown
    form = parse(markdown)
    assert form.form["data-new-file"] == "https://github.com/acme/log/new/main/incidents/"
    assert (form.form["data-name-param"], form.form["data-content-param"]) == ("filename",
                                                                                "value")


_PLAIN_TEXT = st.from_regex(report.PLAIN, fullmatch=True)


@given(_PLAIN_TEXT)
def test_a_plain_value_reads_back_as_typed_in_yaml_11(value: str) -> None:
    """What report.js writes unquoted (data-plain, not a YAML 1.1 word) is the same text
    for PyYAML, in a block mapping and in a flow list (kudos, whose names never hold the
    commas they are split on)."""
    if value.lower() in report.YAML11_WORDS:
        return
    assert yaml.safe_load(f"k: {value}") == {"k": value}
    name = value.replace(",", ";")
    assert yaml.safe_load(f"k: [{name}, x]") == {"k": [name, "x"]}


def test_yaml_11_words_would_not_read_back() -> None:
    for word in ("yes", "No", "on", "OFF", "null", "True"):
        assert report.PLAIN.fullmatch(word)
        assert yaml.safe_load(f"k: {word}") != {"k": word}


def test_the_site_has_the_page_the_script_and_a_link_home(tmp_path: Path) -> None:
    result = check_tree(ROOT / "incidents", date(2026, 11, 22))
    files = {f.path: f for f in site_files(result, ROOT / "incidents", date(2026, 11, 22),
                                           SiteOptions(source_root=str(ROOT),
                                                       edit_base="https://github.com/a/b/edit/main/"),
                                           git_dates=False)}
    assert files[report.SCRIPT_PATH].content == report.SCRIPT.read_text(encoding="utf-8")
    assert "data-new-file=\"https://github.com/a/b/new/main/incidents/\"" in \
        files[report.PATH].content
    assert f'<script src="../{report.SCRIPT_PATH}" defer></script>' in files[report.PATH].content
    button = "{ .md-button .md-button--primary .nm-button }\n"
    assert f"[Report a near miss](report/index.md){button}" in files["index.md"].content
    pages, _, _ = build(result, date(2026, 11, 22), SiteOptions(home=False))
    home = next(p for p in pages if p.path == "log/index.md")
    assert "[Report a near miss](../report/index.md)" in home.body


def test_mkdocs_builds_the_page_with_the_form(tmp_path: Path) -> None:
    site = build_site(make_project(tmp_path))
    html = page(site, "report")
    assert '<form class="nm-report" id="nearmiss-form"' in html
    assert 'id="nearmiss-yaml"' in html and 'id="nearmiss-path"' in html
    assert '<script src="../assets/nearmiss-report.js" defer></script>' in html
    assert (site / "assets" / "nearmiss-report.js").is_file()
    # the test project's edit links (git.example.org/log/edit/main/) are of neither
    # GitHub's shape nor GitLab's: copy and download only
    assert "data-new-file" not in html and 'id="nm-report-propose"' not in html
    assert re.search(r'<a class="md-button md-button--primary nm-button" href="report/">'
                     r"Report a near miss</a>", page(site, ""))
