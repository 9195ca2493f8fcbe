"""Every rule code, each pinned to the exact line and column it reports.

Invalid fixtures live in ``fixtures/invalid/<code>/<id>.yaml`` and carry their expectations
in leading ``# expect: code line:col`` comments: the test checks that file, dropped into a
learning log full of valid records, yields exactly those problems and nothing else. A
leading ``# folder: incidents/...`` comment puts the file in that folder instead of
``incidents/2026/`` (for the rules about where a record belongs).
Rules that need several files, the file system or the taxonomy have dedicated tests below.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import (
    FIXED_TODAY,
    INVALID_DIR,
    TAXONOMY_FIXTURE,
    add_record,
    build_learning_log,
    expectations,
    invalid_fixtures,
    minimal_near_miss,
    valid_fixtures,
)

from nearmiss.log.checker import CannotRun, check_tree, placement_problems
from nearmiss.record.model import Record
from nearmiss.record.problems import CODES, Problem, Severity
from nearmiss.record.rules import DEFAULT_SETTINGS, check_record
from nearmiss.record.taxonomy import ActionType, Taxonomy, TaxonomyError, parse_taxonomy
from nearmiss.record.yamlsource import Sink, load

WARNINGS = {"id-date-mismatch", "closed-date-not-closed", "personal-data", "blaming-language",
            "wrong-year-folder", "not-in-year-folder", "weak-actions-only"}
_FOLDER = re.compile(r"^# folder: incidents(?:/(?P<sub>\S*?))?/?$", re.M)


def fixture_folder(fixture: Path) -> str:
    """The folder below incidents/ a fixture is placed in: 2026 unless it says otherwise."""
    match = _FOLDER.search(fixture.read_text(encoding="utf-8"))
    return (match["sub"] or "") if match else "2026"


def found(problems: list[Problem]) -> Counter[tuple[str, int, int]]:
    return Counter((p.code, p.line, p.column) for p in problems)


def problems_of(problems: list[Problem], path: str) -> list[Problem]:
    return [p for p in problems if p.path == path]


# --- the invalid fixtures ---------------------------------------------------------------

@pytest.mark.parametrize(
    "fixture", invalid_fixtures(),
    ids=lambda p: p.relative_to(INVALID_DIR).as_posix(),
)
def test_invalid_fixture_reports_exactly_its_expected_problems(
        fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)
    path = add_record(folder, fixture.name, fixture.read_bytes(), fixture_folder(fixture))
    shown = os.path.relpath(path, tmp_path)

    result = check_tree(folder, FIXED_TODAY)

    assert found(problems_of(result.problems, shown)) == expectations(fixture)
    assert [p for p in result.problems if p.path != shown] == [], \
        "the valid records around the fixture must stay clean"
    for problem in problems_of(result.problems, shown):
        expected = Severity.WARNING if problem.code in WARNINGS else Severity.ERROR
        assert problem.severity is expected
        assert "\n" not in problem.message


def test_every_invalid_fixture_folder_is_a_code_its_files_expect() -> None:
    folders = sorted(p for p in INVALID_DIR.iterdir() if p.is_dir())
    assert folders, "no invalid fixtures found"
    for folder in folders:
        assert folder.name in CODES, f"{folder.name} is not a rule code"
        files = [p for p in invalid_fixtures() if p.parent == folder]
        assert files, f"{folder.name} holds no fixture"
        for fixture in files:
            codes = {code for code, _, _ in expectations(fixture)}
            assert folder.name in codes, f"{fixture} does not expect {folder.name}"


# Codes a single fixture file cannot show: they need several files, the file system, today's
# date or the taxonomy. Each maps to the test in this module that exercises it.
DEDICATED_TESTS = {
    "file-unreadable": "test_file_unreadable_for_a_dangling_symlink",
    "file-encoding": "test_file_encoding_points_at_the_first_bad_byte",
    "duplicate-id": "test_duplicate_id_across_folders",
    "unknown-related": "test_unknown_related_points_at_the_id",
    "self-related": "test_self_related",
    "date-in-future": "test_date_in_future_for_every_date_of_something_that_happened",
    "taxonomy-missing": "test_taxonomy_missing_cannot_run",
    "taxonomy-invalid": "test_taxonomy_invalid_cannot_run",
    "yaml-too-deep": "test_very_deep_nesting_is_a_problem_not_a_crash",
    "file-too-large": "test_file_over_the_size_limit_is_refused_before_parsing",
    "symlink-outside": "test_link_out_of_the_folder_is_refused",
    "settings-invalid": "test_broken_settings_cannot_run",
    "record-exists": "test_record_exists_when_an_import_would_overwrite",
}


def style_slips(problem: Problem) -> list[str]:
    """How a problem breaks the house style of messages and hints: no final full stop,
    fields named in single quotes (never a quoted JSON pointer, never Markdown code)."""
    slips = []
    for part, text in (("message", problem.message), ("hint", problem.hint)):
        if text.rstrip().endswith("."):
            slips.append(f"the {part} ends with a full stop: {text!r}")
        if "`" in text:
            slips.append(f"the {part} holds Markdown code: {text!r}")
        if "'/" in text:
            slips.append(f"the {part} quotes a JSON pointer: {text!r}")
        if "\n" in text:
            slips.append(f"the {part} has a line break: {text!r}")
    return slips


def test_every_problem_of_the_fixtures_follows_the_house_style(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taxonomy: Taxonomy) -> None:
    """Every message and hint the invalid fixtures produce, and those of the tree-wide
    rules: no final full stop (the one rule for every message and hint), fields in single
    quotes."""
    monkeypatch.chdir(tmp_path)
    problems: list[Problem] = []
    for fixture in invalid_fixtures():
        placed = os.path.join("incidents", fixture_folder(fixture), fixture.name)
        problems += check_record(fixture.read_bytes(), placed, taxonomy).problems
        problems += placement_problems(placed, "incidents")
    folder = build_learning_log(tmp_path)
    add_record(folder, "2026-03-14-myself.yaml", minimal_near_miss(
        related="[2026-03-14-myself, 2026-03-13-missing]", reported="2027-01-01"))
    add_record(folder, "2026-02-02-minimal-open-near-miss.yaml", minimal_near_miss(), "2025")
    (folder / "2026" / "2026-03-14-a-folder.yaml").mkdir()
    problems += check_tree(folder, FIXED_TODAY).problems
    codes = {p.code for p in problems}
    assert {"self-related", "unknown-related", "date-in-future", "duplicate-id",
            "file-unreadable", "wrong-year-folder", "not-in-year-folder", "yaml-syntax",
            "missing-for-status", "personal-data"} <= codes
    slips = [f"{p.path}:{p.line}:{p.column} [{p.code}] {slip}"
             for p in problems for slip in style_slips(p)]
    assert slips == []


def test_missing_for_status_says_once_that_the_field_is_required(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(status="closed", root_causes="[process/no-buffer]",
                             no_action="Nothing to change")
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    said = [f"{p.message}; {p.hint}" for p in result.problems]
    assert said == ["a closed record needs 'closed'; when the learning was closed",
                    "a closed record needs 'follow_up'; when and how the customer or "
                    "reporter was told what changed"]
    assert all(s.lower().count("required") + s.count("needs") == 1 for s in said)


@pytest.mark.parametrize(("text", "kind", "hint"), [
    ("Mail sam.lee@example.net about it.", "an e-mail address", "a team mailbox"),
    ("Call 07700 900123 back.", "a phone number", "your own hotline or a company number"),
    ("Card 4111 1111 1111 1111 was charged.", "a payment card number", "test card number"),
    ("The van went to 221B Baker Street instead.", "a postal address",
     "name only the town or area"),
])
def test_personal_data_hint_fits_what_was_found(text: str, kind: str, hint: str,
                                                taxonomy: Taxonomy) -> None:
    record = minimal_near_miss(what_happened=text)
    problem = only(check_record(record.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert problem.code == "personal-data"
    assert kind in problem.message
    assert hint in problem.hint and "personal_data.allow" in problem.hint
    if kind != "a phone number":
        assert "company number" not in problem.hint


@pytest.mark.parametrize(("value", "hint"), [
    ("\n  -scheduling\n  -dispatch", "put a space after each '-'"),
    ("scheduling\n  - dispatch", "leave nothing after 'tags:'"),
])
def test_a_list_written_as_text_names_the_slip(value: str, hint: str,
                                               taxonomy: Taxonomy) -> None:
    # Indented '-item' lines, or a '- item' under 'tags: scheduling', read as one text:
    # YAML has no error to give, so the list check names the likely slip.
    text = minimal_near_miss(tags=value)
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.code, problem.message) == ("wrong-type", "'tags' should be a list")
    assert hint in problem.hint


def test_unindented_block_text_holding_a_colon_says_to_indent_it(taxonomy: Taxonomy) -> None:
    # 'what_happened: |' then 'Note: the visit overran' unindented: an empty story and an
    # unknown field 'Note' to YAML; the hint on the unknown field says what happened.
    text = minimal_near_miss(what_happened="|\nNote: the visit overran")
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    unknown = [p for p in result.problems if p.code == "unknown-field"]
    assert [(p.message, p.hint) for p in unknown] == [
        ("unknown field 'Note'", "the text under '|' must be indented; this line is read as "
                                 "a field of its own")]


def test_every_code_is_exercised() -> None:
    from_fixtures = {code for f in invalid_fixtures() for code, _, _ in expectations(f)}
    assert set(DEDICATED_TESTS) <= set(CODES)
    for code, test_name in DEDICATED_TESTS.items():
        assert callable(globals().get(test_name)), f"{test_name} (for {code}) does not exist"
    missing = set(CODES) - from_fixtures - set(DEDICATED_TESTS)
    assert not missing, f"codes no test exercises: {sorted(missing)}"
    assert from_fixtures <= set(CODES), "fixtures expect codes the catalogue does not list"


# --- the valid fixtures ---------------------------------------------------------------

@pytest.mark.parametrize("fixture", valid_fixtures(), ids=lambda p: p.name)
def test_valid_fixture_has_no_problems_and_builds_a_record(
        fixture: Path, taxonomy: Taxonomy) -> None:
    result = check_record(fixture.read_bytes(), fixture.name, taxonomy)

    assert result.problems == []
    assert isinstance(result.record, Record)
    assert result.record.id == fixture.stem
    assert result.record.path == fixture.name


def test_valid_fixtures_together_make_a_clean_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)

    result = check_tree(folder, FIXED_TODAY)

    assert result.problems == []
    assert sorted(r.id for r in result.records) == sorted(p.stem for p in valid_fixtures())


def record_of(name: str, taxonomy: Taxonomy) -> Record:
    path = next(p for p in valid_fixtures() if p.name == name)
    record = check_record(path.read_bytes(), path.name, taxonomy).record
    assert record is not None
    return record


def test_quoted_yaml_1_1_words_stay_text(taxonomy: Taxonomy) -> None:
    record = record_of("2026-03-20-quoted-words-yaml-would-misread.yaml", taxonomy)
    assert record.title == "No"
    assert record.what_happened == "2026-03-20"
    assert record.customer_impact == "null"
    assert record.whys == ("10:40", "1.5", "0x1F")
    assert record.no_action == "Off"
    assert record.reported_by == "yes"
    assert record.kudos == ("On", "~")
    assert record.tags == ("on", "no")


def test_extra_is_kept_as_written_and_related_ids_are_read(taxonomy: Taxonomy) -> None:
    record = record_of("2026-03-25-extra-and-related.yaml", taxonomy)
    assert record.extra == {
        "ticket": "SUP-1234",
        "escalated": "no",
        "cost_estimate": "12.50",
        "contacts": [{"name": "Queue supplier", "since": "2024-01-01"}],
        "empty": "",
    }
    assert record.related == ("2026-03-01-reviewed-no-action-needed",
                              "2026-02-10-minimal-open-failure")


def test_datetime_keeps_its_offset(taxonomy: Taxonomy) -> None:
    record = record_of("2026-03-14-occurred-at-a-time-with-offset.yaml", taxonomy)
    assert record.occurred == datetime(2026, 3, 14, 10, 40, tzinfo=timezone(timedelta(hours=1)))
    assert record.reported == datetime(2026, 3, 14, 11, 5, tzinfo=UTC)
    assert record.day == date(2026, 3, 14)


def test_closed_record_keeps_actions_and_follow_up(taxonomy: Taxonomy) -> None:
    record = record_of("2026-03-05-closed-with-done-and-dropped-actions.yaml", taxonomy)
    assert [(a.status, a.done_on, a.reason is not None) for a in record.actions] == [
        ("done", date(2026, 3, 18), False), ("dropped", None, True)]
    assert record.closed == date(2026, 3, 25)
    assert record.follow_up is not None and record.follow_up.date == date(2026, 3, 26)
    assert record.visibility == "internal"


def test_crlf_fixture_really_has_crlf_and_reads_as_plain_lines(taxonomy: Taxonomy) -> None:
    path = next(p for p in valid_fixtures() if p.name == "2026-04-01-windows-line-endings.yaml")
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 5, "git or an editor changed the bytes"
    record = record_of(path.name, taxonomy)
    assert record.title == "Address change not reaching dispatch"
    assert "\r" not in record.what_happened
    assert record.what_happened == ("The customer changed their address in the portal.\n"
                                    "Dispatch still had the old one.\n")


def test_bom_fixture_really_has_a_bom_and_reads_without_it(taxonomy: Taxonomy) -> None:
    path = next(p for p in valid_fixtures() if p.name == "2026-04-02-byte-order-mark.yaml")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "git or an editor changed the bytes"
    record = record_of(path.name, taxonomy)
    assert record.title.startswith("Caf\u00e9 voucher")
    assert record.kudos == ("Ren\u00e9e",)


def test_yml_extension_is_a_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)
    ids = {f.id for f in check_tree(folder, FIXED_TODAY).files}
    assert "2026-04-05-short-yml-extension" in ids


# --- details of single-file rules -------------------------------------------------------

def only(result_problems: list[Problem]) -> Problem:
    assert len(result_problems) == 1, result_problems
    return result_problems[0]


def test_unknown_field_hints_at_the_known_field(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(root_cause="[process/no-buffer]")
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert problem.code == "unknown-field"
    assert problem.hint == "did you mean 'root_causes'?"
    assert problem.field == "/root_cause"


def test_unknown_team_hints_at_the_close_key(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(team="field-services")
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.code, problem.hint) == ("unknown-team", "did you mean 'field-service'?")


def test_root_cause_without_category_hints_at_the_full_key(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(status="reviewed", root_causes="[no-heads-up]", no_action="None.")
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert problem.code == "unknown-root-cause"
    assert "communication/no-heads-up" in problem.hint


@pytest.mark.parametrize("written, read_as", [
    ("no", "a true/false value"), ("10:40", "a number"), ("2026-03-15", "a date"),
    ("~", "an empty value (null)"), ("1.5", "a number"),
])
def test_yaml_ambiguous_says_what_to_quote(written: str, read_as: str,
                                           taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(reported_by=written)
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert problem.code == "yaml-ambiguous"
    assert read_as in problem.message
    assert f'"{written}"' in problem.hint


def test_missing_action_field_points_with_a_json_pointer(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(
        status="reviewed", root_causes="[process/no-buffer]",
        actions="\n  - action: A\n    owner: billing\n    due: 2026-04-01\n    status: open"
                "\n  - action: B\n    owner: billing\n    status: open")
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.code, problem.field) == ("missing-field", "/actions/1/due")


def test_title_of_120_code_points_is_fine_121_is_not(taxonomy: Taxonomy) -> None:
    for title, codes in [("é" * 120, []), ("x" * 120, []), ("x" * 121, ["title-length"])]:
        result = check_record(minimal_near_miss(title=title).encode(), "2026-03-14-x.yaml",
                              taxonomy)
        assert [p.code for p in result.problems] == codes


def test_folded_title_is_one_line(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(title=">-\n  Courtesy call nearly\n  skipped")
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    assert result.problems == []
    assert result.record is not None and result.record.title == "Courtesy call nearly skipped"


def test_date_and_datetime_compare_by_calendar_day(taxonomy: Taxonomy) -> None:
    # reported (a date) on the same day as occurred (a datetime): not before it.
    text = minimal_near_miss(occurred="2026-03-14T22:00:00-05:00", reported="2026-03-14")
    assert check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems == []


def test_warnings_alone_still_build_a_record(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(occurred="2026-03-15")
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    assert [p.code for p in result.problems] == ["id-date-mismatch"]
    assert result.record is not None


def test_blank_optional_field_counts_as_absent(taxonomy: Taxonomy) -> None:
    # As in a template: 'closed:' left blank on an open record is no closed date at all.
    text = minimal_near_miss() + "closed:\nlessons:\n"
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    assert result.problems == []
    assert result.record is not None and result.record.closed is None


def actions_of(*items: tuple[str, str]) -> str:
    """An 'actions' value with one action per (type, status); a type of "" leaves it out."""
    finish = {"done": "\n    done_on: 2026-03-20", "dropped": "\n    reason: Not needed"}
    return "".join(f"\n  - action: Step {n}\n    owner: billing\n    due: 2026-04-01"
                   f"\n    status: {status}" + (f"\n    type: {kind}" if kind else "")
                   + finish.get(status, "") for n, (kind, status) in enumerate(items, 1))


def failure(status: str = "reviewed", **fields: str) -> str:
    """A failure at this status (with a root cause); keyword arguments add or replace fields."""
    return minimal_near_miss(**{"kind": "failure", "caught_by": "", "status": status,
                                "customer_impact": "The customer waited in all morning.",
                                "root_causes": "[process/no-buffer]", **fields})


def test_unknown_action_type_hints_at_the_close_key(taxonomy: Taxonomy) -> None:
    fixture = INVALID_DIR / "unknown-action-type" / "2026-03-14-action-type-typo.yaml"
    problem = only(check_record(fixture.read_bytes(), fixture.name, taxonomy).problems)
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-action-type", 19, 11, "/actions/1/type")
    assert problem.message == "'reminders' is not an action type of the taxonomy"
    assert problem.hint == "did you mean 'reminder'?"


def test_an_action_type_needs_action_types_in_the_taxonomy(taxonomy: Taxonomy) -> None:
    without = replace(taxonomy, action_types={})
    text = failure(actions=actions_of(("", "open"), ("reminder", "open")))
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", without).problems)
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-action-type", 19, 11, "/actions/1/type")
    assert problem.message == "the taxonomy has no action types"
    assert problem.hint == "add an 'action_types' section to _taxonomy.yaml, or leave out 'type'"
    untyped = failure(actions=actions_of(("", "open")))
    assert check_record(untyped.encode(), "2026-03-14-x.yaml", without).problems == []


def test_a_typed_action_carries_its_strength(taxonomy: Taxonomy) -> None:
    text = failure(actions=actions_of(("forcing-function", "open"), ("checklist", "open"),
                                      ("reminder", "open"), ("", "open")))
    record = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).record
    assert record is not None
    assert [(a.type, a.strength) for a in record.actions] == [
        ("forcing-function", "stronger"), ("checklist", "intermediate"), ("reminder", "weaker"),
        (None, None)]


@pytest.mark.parametrize(("text", "codes"), [
    (failure(actions=actions_of(("reminder", "open"))), ["weak-actions-only"]),
    (failure(actions=actions_of(("reminder", "open"), ("training", "done"))),
     ["weak-actions-only"]),
    (failure(actions=actions_of(("reminder", "open"), ("forcing-function", "dropped"))),
     ["weak-actions-only"]),
    (failure(actions=actions_of(("reminder", "open"), ("", "dropped"))), ["weak-actions-only"]),
    (failure(actions=actions_of(("reminder", "open"), ("checklist", "open"))), []),
    (failure(actions=actions_of(("reminder", "open"), ("forcing-function", "open"))), []),
    (failure(actions=actions_of(("reminder", "open"), ("", "open"))), []),
    (failure(actions=actions_of(("reminder", "dropped"))), []),
    (failure(no_action="Nothing to change."), []),
    (failure("open", root_causes="", actions=actions_of(("reminder", "open"))), []),
    (minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]",
                       actions=actions_of(("reminder", "open"))), []),
    (failure(actions=actions_of(("reminder", "open"), ("remindr", "open"))),
     ["unknown-action-type"]),
], ids=["one-reminder", "reminder-and-training", "stronger-one-dropped", "untyped-dropped",
        "with-intermediate", "with-stronger", "with-untyped", "all-dropped", "no-action",
        "open-failure", "reviewed-near-miss", "unknown-type-is-not-weak"])
def test_weak_actions_only_warns_when_nothing_stronger_is_planned(
        text: str, codes: list[str], taxonomy: Taxonomy) -> None:
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    assert [p.code for p in result.problems] == codes
    assert result.record is not None or codes == ["unknown-action-type"]


def test_weak_actions_only_hint_names_the_stronger_types(taxonomy: Taxonomy) -> None:
    text = failure(actions=actions_of(("reminder", "open"), ("training", "open"))).encode()
    problem = only(check_record(text, "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.line, problem.column, problem.field) == (10, 1, "/actions")
    assert problem.message == ("the 2 actions of this failure are all weaker ones, which "
                               "seldom prevent a repeat")
    assert problem.hint == ("add a stronger action, one that changes the system instead of "
                            "asking people to remember: Make the wrong step impossible "
                            "(forcing function, automation)")
    weaker_only = replace(taxonomy, action_types={
        k: t for k, t in taxonomy.action_types.items() if t.strength == "weaker"})
    problem = only(check_record(text, "2026-03-14-x.yaml", weaker_only).problems)
    assert problem.hint == ("add a stronger action, one that changes the system instead of "
                            "asking people to remember: make the wrong step impossible, "
                            "automate it, or simplify the process")


def test_reviewed_with_an_empty_list_of_actions_needs_actions_or_no_action(
        taxonomy: Taxonomy) -> None:
    """'actions: []' names no action and gives no reason: reviewed requires one or the other."""
    text = minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]", actions="[]")
    result = check_record(text.encode(), "2026-03-14-x.yaml", taxonomy)
    assert {p.code for p in result.problems} & {"empty-list", "missing-for-status"}
    assert result.record is None


def test_a_list_used_as_a_key_is_reported_readably(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss() + "? [a, b]\n: c\n"
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.code, problem.line, problem.column) == ("wrong-type", 9, 3)
    assert "Node" not in problem.message and "tag:yaml.org" not in problem.message


def test_file_name_with_a_trailing_line_break_is_not_a_valid_id(taxonomy: Taxonomy) -> None:
    result = check_record(minimal_near_miss().encode(), "2026-03-14-courtesy-call\n.yaml",
                          taxonomy)
    assert "invalid-id" in [p.code for p in result.problems]


def test_field_pointer_escapes_slash_and_tilde(taxonomy: Taxonomy) -> None:
    # RFC 6901: '/' in a key is written '~1' and '~' is written '~0'.
    text = minimal_near_miss() + "notes/internal: x\n"
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert (problem.code, problem.field) == ("unknown-field", "/notes~1internal")


def test_control_character_is_reported_where_it_stands_on_one_line(
        taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(what_happened="The visit\x00 overran.")
    problem = only(check_record(text.encode(), "2026-03-14-x.yaml", taxonomy).problems)
    assert problem.code == "yaml-syntax"
    assert "\n" not in problem.message, "a message must fit the one-line text format"
    assert (problem.line, problem.column) == (7, 25)


@pytest.mark.parametrize(("text", "where"), [
    ("[" * 1500 + "]" * 1500, (1, 101)),
    ("- " * 1500 + "x\n", (1, 201)),
    ("".join(f"{' ' * i}k{i}:\n" for i in range(1200)) + " " * 1200 + "v\n", (101, 101)),
], ids=["flow brackets", "block sequences", "indented mappings"])
def test_nesting_past_libyamls_own_limit_is_too_deep_at_level_101(
        text: str, where: tuple[int, int]) -> None:
    """PyYAML 6.0.4's libyaml stops at 1,000 levels with its own error while scanning
    ahead; the verdict and its place must not depend on which libyaml is installed."""
    sink = Sink("2026-03-14-deep.yaml")
    assert load(text.encode(), sink) is None
    assert [(p.code, p.line, p.column) for p in sink.problems] == [("yaml-too-deep", *where)]


def test_nesting_at_the_limit_is_accepted() -> None:
    sink = Sink("2026-03-14-deep.yaml")
    assert load(("[" * 100 + "]" * 100).encode(), sink) is not None
    assert sink.problems == []


def test_very_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """A 200 KB file of nested brackets must be reported, not kill the process."""
    record = tmp_path / "2026-03-14-deep.yaml"
    record.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from nearmiss.record.rules import check_record\n"
        "from nearmiss.record.taxonomy import parse_taxonomy\n"
        "tax = parse_taxonomy(Path(sys.argv[1]).read_bytes(), 'tax')\n"
        "result = check_record(Path(sys.argv[2]).read_bytes(), sys.argv[2], tax)\n"
        "print(sorted({p.code for p in result.problems}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(TAXONOMY_FIXTURE), str(record)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-500:]}"
    assert run.stdout.strip() == "['yaml-too-deep']"


@pytest.mark.parametrize("text", [
    "kudos: " + "[" * 101 + "]" * 101 + "\n",
    "".join("  " * i + "- \n" for i in range(102)),
    "- " * 120 + "x\n",
], ids=["flow brackets", "indented block lists", "nested dashes on one line"])
def test_nesting_past_the_limit_is_reported_where_it_crosses_it(text: str,
                                                                 taxonomy: Taxonomy) -> None:
    problems = check_record(text.encode(), "2026-03-14-deep.yaml", taxonomy).problems
    codes = [p.code for p in problems if p.code != "missing-field"]
    assert codes == ["yaml-too-deep"], problems
    assert problems[[p.code for p in problems].index("yaml-too-deep")].line >= 1


def test_nesting_within_the_limit_is_fine(taxonomy: Taxonomy) -> None:
    extra = "extra: {deep: " + "[" * 60 + "x" + "]" * 60 + "}\n"
    result = check_record((minimal_near_miss() + extra).encode(), "2026-03-14-x.yaml",
                          taxonomy)
    assert result.problems == [] and result.record is not None


def test_file_over_the_size_limit_is_refused_before_parsing(taxonomy: Taxonomy) -> None:
    text = minimal_near_miss() + "lessons: |\n" + ("  a line of lessons\n" * 60_000)
    result = check_record(text.encode(), "2026-03-14-huge.yaml", taxonomy)
    assert [(p.code, p.line, p.column) for p in result.problems] == [("file-too-large", 1, 1)]


def test_link_out_of_the_folder_is_refused(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(minimal_near_miss(), encoding="utf-8")
    link = folder / "2026" / "2026-03-14-linked.yaml"
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(outside)
    inside = folder / "2026" / "2026-03-14-linked-inside.yaml"
    inside.symlink_to(next(p for p in folder.rglob("*.yaml") if not p.is_symlink()
                           and not p.name.startswith("_")))
    result = check_tree(folder, FIXED_TODAY)
    found = [(p.path, p.code, p.line, p.column) for p in result.problems
             if p.code == "symlink-outside"]
    assert found == [("incidents/2026/2026-03-14-linked.yaml", "symlink-outside", 1, 1)]


def test_broken_settings_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)
    (folder / "_settings.yaml").write_text("blame:\n  also: oops\nmax_file_kb: -3\n",
                                           encoding="utf-8")
    with pytest.raises(CannotRun) as raised:
        check_tree(folder, FIXED_TODAY)
    assert sorted((p.code, p.line, p.column) for p in raised.value.problems) == [
        ("settings-invalid", 2, 9), ("settings-invalid", 3, 14)]


def test_settings_allow_known_numbers_and_drop_blame_phrases(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path, with_valid_records=False)
    story = "Dispatch forgot to call; the hotline 0800 123 4567 was busy."
    (folder / "2026" / "2026-03-14-x.yaml").write_text(
        minimal_near_miss(what_happened=f'"{story}"'), encoding="utf-8")
    codes = [p.code for p in check_tree(folder, FIXED_TODAY).problems]
    assert sorted(codes) == ["blaming-language", "personal-data"]
    (folder / "_settings.yaml").write_text(
        'personal_data:\n  allow: ["0800 123 4567"]\nblame:\n  except: [forgot to, forgot]\n'
        "max_file_kb: 1\n", encoding="utf-8")
    assert check_tree(folder, FIXED_TODAY).problems == []
    (folder / "2026" / "2026-03-14-x.yaml").write_text(
        minimal_near_miss(lessons='"' + "x" * 2000 + '"'), encoding="utf-8")
    assert [p.code for p in check_tree(folder, FIXED_TODAY).problems] == ["file-too-large"]


# --- rules across files -----------------------------------------------------------------

@pytest.fixture
def learning_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A learning log of the valid fixtures, with the working directory at its parent so
    problem paths read incidents/..."""
    monkeypatch.chdir(tmp_path)
    return build_learning_log(tmp_path)


def test_duplicate_id_across_folders(learning_log: Path) -> None:
    name = "2026-02-02-minimal-open-near-miss.yaml"
    add_record(learning_log, name, (learning_log / "2026" / name).read_bytes(),
               "2026/archive")

    result = check_tree(learning_log, FIXED_TODAY)

    assert [(p.path, p.code, p.line, p.column) for p in result.problems] == [
        (f"incidents/2026/{name}", "duplicate-id", 1, 1),
        (f"incidents/2026/archive/{name}", "duplicate-id", 1, 1),
    ]
    assert f"incidents/2026/archive/{name}" in result.problems[0].message
    assert f"incidents/2026/{name}" in result.problems[1].message
    assert result.records and all(r.id != name[:-5] for r in result.records)


def test_same_id_with_yaml_and_yml_is_a_duplicate(learning_log: Path) -> None:
    name = "2026-02-02-minimal-open-near-miss"
    add_record(learning_log, name + ".yml", (learning_log / "2026" / f"{name}.yaml").read_bytes())

    codes = [p.code for p in check_tree(learning_log, FIXED_TODAY).problems]

    assert codes == ["duplicate-id", "duplicate-id"]


def test_folders_below_the_year_folder_are_free(learning_log: Path) -> None:
    add_record(learning_log, "2026-03-14-team-folder.yaml", minimal_near_miss(), "2026/billing")
    add_record(learning_log, "2025-11-02-last-year.yaml",
               minimal_near_miss(occurred="2025-11-02"), "2025/a/b")
    assert check_tree(learning_log, FIXED_TODAY).problems == []


@pytest.mark.parametrize(("folder", "code", "move_to"), [
    ("2025", "wrong-year-folder", "incidents/2026/2026-03-14-x.yaml"),
    ("2025/billing", "wrong-year-folder", "incidents/2026/billing/2026-03-14-x.yaml"),
    ("", "not-in-year-folder", "incidents/2026/2026-03-14-x.yaml"),
    ("billing", "not-in-year-folder", "incidents/2026/billing/2026-03-14-x.yaml"),
    ("26", "not-in-year-folder", "incidents/2026/26/2026-03-14-x.yaml"),
])
def test_a_record_outside_its_year_folder_is_told_the_exact_move(
        folder: str, code: str, move_to: str, learning_log: Path) -> None:
    add_record(learning_log, "2026-03-14-x.yaml", minimal_near_miss(), folder)

    result = check_tree(learning_log, FIXED_TODAY)

    problem = only(result.problems)
    assert (problem.path, problem.code, problem.severity, problem.line, problem.column) == (
        os.path.join("incidents", folder, "2026-03-14-x.yaml"), code, Severity.WARNING, 1, 1)
    assert problem.hint == f"move it to {move_to}"
    assert "2026-03-14-x" in {r.id for r in result.records}, "a warning keeps it counted"


def test_a_file_without_a_dated_name_is_not_judged_for_its_folder(learning_log: Path) -> None:
    add_record(learning_log, "courtesy-call.yaml", minimal_near_miss(), "")
    assert [p.code for p in check_tree(learning_log, FIXED_TODAY).problems] == ["invalid-id"]


def test_the_year_folder_is_judged_below_the_incidents_folder_however_it_is_spelled(
        learning_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # checked from inside incidents/2026 as '..': the folders are counted from the
    # incidents folder, and the move is spelled the way the paths are
    add_record(learning_log, "2026-03-14-x.yaml", minimal_near_miss(), "")
    monkeypatch.chdir(learning_log / "2026")
    problem = only(check_tree(Path(".."), FIXED_TODAY).problems)
    assert (problem.path, problem.code) == ("../2026-03-14-x.yaml", "not-in-year-folder")
    assert problem.hint == "move it to ../2026/2026-03-14-x.yaml"


def test_a_file_given_from_outside_the_folder_is_not_judged_for_its_folder(
        learning_log: Path, tmp_path: Path) -> None:
    outside = tmp_path / "2026-03-14-elsewhere.yaml"
    outside.write_text(minimal_near_miss(), encoding="utf-8")
    result = check_tree(learning_log, FIXED_TODAY, extra_files=[outside])
    assert result.problems == []


def test_unknown_related_points_at_the_id(learning_log: Path) -> None:
    text = minimal_near_miss(related="\n  - 2026-02-02-minimal-open-near-miss"
                                     "\n  - 2026-02-10-minimal-open-failur")
    add_record(learning_log, "2026-03-14-related-typo.yaml", text)

    problem = only(check_tree(learning_log, FIXED_TODAY).problems)

    assert (problem.path, problem.code, problem.line, problem.column, problem.field) == (
        "incidents/2026/2026-03-14-related-typo.yaml", "unknown-related", 11, 5, "/related/1")
    assert problem.hint == "did you mean '2026-02-10-minimal-open-failure'?"


def test_related_to_a_record_in_another_folder_exists(learning_log: Path) -> None:
    (learning_log / "2026" / "archive").mkdir()
    shutil.move(learning_log / "2026" / "2026-02-02-minimal-open-near-miss.yaml",
                learning_log / "2026" / "archive")
    text = minimal_near_miss(related="[2026-02-02-minimal-open-near-miss]")
    add_record(learning_log, "2026-03-14-related-elsewhere.yaml", text)

    assert check_tree(learning_log, FIXED_TODAY).problems == []


def test_self_related(learning_log: Path) -> None:
    text = minimal_near_miss(related="[2026-02-02-minimal-open-near-miss, 2026-03-14-myself]")
    add_record(learning_log, "2026-03-14-myself.yaml", text)

    problem = only(check_tree(learning_log, FIXED_TODAY).problems)

    assert (problem.code, problem.line, problem.column, problem.field) == (
        "self-related", 9, 46, "/related/1")


def test_date_in_future_for_every_date_of_something_that_happened(learning_log: Path) -> None:
    result = check_tree(learning_log, date(2026, 1, 1))
    closed = "incidents/2026/2026-03-05-closed-with-done-and-dropped-actions.yaml"

    in_future = [(p.line, p.column, p.field) for p in problems_of(result.problems, closed)]

    assert in_future == [(4, 11, "/occurred"), (5, 11, "/reported"),
                         (20, 14, "/actions/0/done_on"), (26, 9, "/closed"),
                         (28, 9, "/follow_up/date")]
    assert {p.code for p in result.problems} == {"date-in-future"}
    assert all("2026-01-01" in p.message for p in result.problems)


def test_due_dates_may_lie_ahead_and_today_is_not_the_future(learning_log: Path) -> None:
    # Actions of 2026-02-20 are due 2026-03-31 and 2026-04-30; the latest event of any
    # fixture (the record of 2026-04-05) happens on "today".
    result = check_tree(learning_log, date(2026, 4, 5))
    assert result.problems == []


def test_datetime_in_future_compares_by_its_own_calendar_day(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path, with_valid_records=False)
    add_record(folder, "2026-03-14-late-evening.yaml",
               minimal_near_miss(occurred="2026-03-14T23:30:00-05:00"))
    assert check_tree(folder, date(2026, 3, 14)).problems == []


# --- files that cannot be read ----------------------------------------------------------

def test_file_unreadable_for_a_dangling_symlink(learning_log: Path) -> None:
    (learning_log / "2026" / "2026-03-14-moved-away.yaml").symlink_to("nowhere.yaml")

    problem = only(check_tree(learning_log, FIXED_TODAY).problems)

    assert (problem.path, problem.code, problem.line, problem.column) == (
        "incidents/2026/2026-03-14-moved-away.yaml", "file-unreadable", 1, 1)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their permissions")
def test_file_unreadable_without_read_permission(learning_log: Path) -> None:
    path = add_record(learning_log, "2026-03-14-locked.yaml", minimal_near_miss())
    path.chmod(0)
    try:
        problem = only(check_tree(learning_log, FIXED_TODAY).problems)
    finally:
        path.chmod(0o644)
    assert (problem.code, problem.line, problem.column) == ("file-unreadable", 1, 1)


def test_file_unreadable_for_a_folder_given_as_a_file(learning_log: Path) -> None:
    folder = learning_log / "2026" / "2026-03-14-folder.yaml"
    folder.mkdir()

    result = check_tree(learning_log, FIXED_TODAY, extra_files=[folder])

    problem = only(result.problems)
    assert (problem.path, problem.code) == ("incidents/2026/2026-03-14-folder.yaml",
                                            "file-unreadable")
    assert "folder" in problem.message


def test_folder_named_like_a_record_is_reported(learning_log: Path) -> None:
    """The catalogue says file-unreadable covers 'a folder named like a record'; a folder
    found while walking the tree must be reported, not silently walked into."""
    (learning_log / "2026" / "2026-03-14-folder.yaml").mkdir()

    problem = only(check_tree(learning_log, FIXED_TODAY).problems)

    assert (problem.path, problem.code) == ("incidents/2026/2026-03-14-folder.yaml",
                                            "file-unreadable")


def test_file_encoding_points_at_the_first_bad_byte(learning_log: Path) -> None:
    add_record(learning_log, "2026-03-14-one-bad-byte.yaml", b"\xff")
    latin1 = minimal_near_miss(reported_by="Ren\u00e9e").encode("latin-1")
    add_record(learning_log, "2026-03-14-latin-1.yaml", latin1)

    result = check_tree(learning_log, FIXED_TODAY)

    assert [(p.path, p.code, p.line, p.column) for p in result.problems] == [
        ("incidents/2026/2026-03-14-latin-1.yaml", "file-encoding", 9, 17),
        ("incidents/2026/2026-03-14-one-bad-byte.yaml", "file-encoding", 1, 1),
    ]
    assert "0xe9" in result.problems[0].message
    assert "0xff" in result.problems[1].message


def test_discovery_skips_underscore_and_dot_files_and_other_extensions(
        learning_log: Path) -> None:
    for name in ("_template.yaml", ".2026-03-14-hidden.yaml", "README.md",
                 "2026-03-14-notes.txt"):
        add_record(learning_log, name, "not: [a record")
    add_record(learning_log, "2026-03-14-deep-down.yaml", minimal_near_miss(), "2026/q1/march")

    result = check_tree(learning_log, FIXED_TODAY)

    assert result.problems == []
    assert "incidents/2026/q1/march/2026-03-14-deep-down.yaml" in {f.path for f in result.files}
    assert len(result.files) == len(valid_fixtures()) + 1


# --- the taxonomy -----------------------------------------------------------------------

def test_taxonomy_missing_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path, with_taxonomy=False)

    with pytest.raises(CannotRun) as raised:
        check_tree(folder, FIXED_TODAY)
    [problem] = raised.value.problems
    assert (problem.path, problem.code, problem.line, problem.column) == (
        "incidents/_taxonomy.yaml", "taxonomy-missing", 1, 1)


def test_missing_incidents_folder_cannot_run(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CannotRun, match="no such folder"):
        check_tree(tmp_path / "incidents", FIXED_TODAY)


GOOD_TAIL = """\
touchpoints: {phone: Phone}
promises: {on-time: On time}
root_causes:
  process:
    label: Process
    causes: {no-buffer: No buffer}
"""

BROKEN_TAXONOMIES = {
    "a team key with capitals": (
        "teams:\n  Field-Service: Field service\n" + GOOD_TAIL, [(2, 3, "/teams/Field-Service")]),
    "a section missing": (
        "teams: {billing: Billing}\npromises: {on-time: On time}\n"
        "root_causes: {process: {label: Process, causes: {no-buffer: No buffer}}}\n",
        [(1, 1, "")]),
    "a category without causes": (
        "teams: {billing: Billing}\ntouchpoints: {phone: Phone}\npromises: {on-time: On time}\n"
        "root_causes:\n  process:\n    label: Process\n", [(6, 5, "/root_causes/process")]),
    "a term mapping without a label": (
        "teams:\n  billing: {description: Sends invoices}\n" + GOOD_TAIL,
        [(2, 12, "/teams/billing")]),
    "an empty label": (
        "teams:\n  billing: ''\n" + GOOD_TAIL, [(2, 12, "/teams/billing")]),
    "an unknown section": (
        "teams: {billing: Billing}\nchannels: {phone: Phone}\n" + GOOD_TAIL, [(2, 1, "")]),
    "a list instead of a mapping": (
        "teams:\n  - billing\n" + GOOD_TAIL, [(2, 3, "/teams")]),
    "not a mapping at all": ("- teams\n- touchpoints\n", [(1, 1, "")]),
    "an action type without a strength": (
        "teams: {billing: Billing}\n" + GOOD_TAIL + "action_types:\n  reminder:\n"
        "    label: Reminder\n", [(10, 5, "/action_types/reminder")]),
    "an action type with an unknown strength": (
        "teams: {billing: Billing}\n" + GOOD_TAIL + "action_types:\n  reminder:\n"
        "    label: Reminder\n    strength: weak\n", [(11, 15, "/action_types/reminder/strength")]),
    "an action type as a plain label": (
        "teams: {billing: Billing}\n" + GOOD_TAIL + "action_types:\n  reminder: Reminder\n",
        [(9, 13, "/action_types/reminder")]),
    "action types as a list": (
        "teams: {billing: Billing}\n" + GOOD_TAIL + "action_types:\n  - reminder\n",
        [(9, 3, "/action_types")]),
}


@pytest.mark.parametrize("case", BROKEN_TAXONOMIES, ids=str)
def test_taxonomy_invalid_cannot_run(case: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    text, places = BROKEN_TAXONOMIES[case]
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path, with_taxonomy=False)
    (folder / "_taxonomy.yaml").write_text(text, encoding="utf-8")

    with pytest.raises(CannotRun, match="the taxonomy cannot be used") as raised:
        check_tree(folder, FIXED_TODAY)

    problems = raised.value.problems
    assert {p.code for p in problems} == {"taxonomy-invalid"}
    assert {p.path for p in problems} == {"incidents/_taxonomy.yaml"}
    assert [(p.line, p.column, p.field) for p in problems] == places


def test_taxonomy_with_yaml_errors_reports_them(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path, with_taxonomy=False)
    (folder / "_taxonomy.yaml").write_text("teams: {billing: Billing}\nteams: {}\n" + GOOD_TAIL)

    with pytest.raises(CannotRun) as raised:
        check_tree(folder, FIXED_TODAY)

    assert [(p.code, p.line, p.column) for p in raised.value.problems] == [("duplicate-key", 2, 1)]


@pytest.mark.parametrize("text", [
    "? [a, b]\n: c\n" + GOOD_TAIL,
    "teams: {? [billing] : Billing}\n" + GOOD_TAIL,
    "teams:\n  billing: {? [label] : Billing}\n" + GOOD_TAIL,
], ids=["as a section", "as a team", "inside a term"])
def test_taxonomy_with_a_list_as_key_is_invalid_not_a_crash(text: str) -> None:
    with pytest.raises(TaxonomyError) as raised:
        parse_taxonomy(text.encode(), "_taxonomy.yaml")
    assert raised.value.problems


def test_taxonomy_term_forms(taxonomy: Taxonomy) -> None:
    assert taxonomy.teams["billing"].label == "Billing"
    assert taxonomy.teams["support-desk"].label == "Support desk"
    assert taxonomy.teams["support-desk"].description == "First line for phone and chat."
    assert sorted(taxonomy.cause_keys()) == [
        "communication/no-heads-up", "process/manual-handoff", "process/no-buffer"]
    assert taxonomy.cause_label("process/no-buffer") == "No slack between bookings"


def test_taxonomy_action_types_carry_label_strength_and_description(taxonomy: Taxonomy) -> None:
    assert {k: t.strength for k, t in taxonomy.action_types.items()} == {
        "forcing-function": "stronger", "checklist": "intermediate", "training": "weaker",
        "reminder": "weaker"}
    assert taxonomy.action_types["checklist"] == ActionType(
        "checklist", "Checklist at the point of work", "intermediate",
        "A short list the technician ticks off before leaving.")


def test_taxonomy_action_types_are_optional() -> None:
    without = ("teams: {billing: Billing}\n" + GOOD_TAIL).encode()
    assert parse_taxonomy(without, "_taxonomy.yaml").action_types == {}
    empty = without + b"action_types: {}\n"
    assert parse_taxonomy(empty, "_taxonomy.yaml").action_types == {}


@pytest.mark.parametrize(("entry", "message", "hint"), [
    ("{label: Reminder}", "the action type 'reminder' has no strength",
     "add strength: stronger | intermediate | weaker"),
    ("{label: Reminder, strength: weak}", "'weak' is not a strength",
     "a strength is one of stronger, intermediate, weaker"),
    ("Reminder", "the action type 'reminder' needs a label and a strength",
     "write it as a mapping: label: ..., strength: stronger | intermediate | weaker"),
], ids=["no strength", "unknown strength", "plain label"])
def test_a_broken_action_type_says_what_it_lacks(entry: str, message: str, hint: str) -> None:
    text = "teams: {billing: Billing}\n" + GOOD_TAIL + f"action_types:\n  reminder: {entry}\n"
    with pytest.raises(TaxonomyError) as raised:
        parse_taxonomy(text.encode(), "_taxonomy.yaml")
    assert [(p.code, p.message, p.hint) for p in raised.value.problems] == [
        ("taxonomy-invalid", message, hint)]


def test_record_exists_when_an_import_would_overwrite(tmp_path: Path, taxonomy: Taxonomy
                                                     ) -> None:
    from nearmiss.authoring.importer import plan

    (tmp_path / "2026").mkdir()
    (tmp_path / "2026" / "2026-03-14-x.yaml").write_text("title: x\n", encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,title\n2026-03-14-x,x\n", encoding="utf-8")
    found = plan(sheet, tmp_path, taxonomy, DEFAULT_SETTINGS, mapping={}, date_format=None,
                 today=date(2026, 4, 1), existing={"2026-03-14-x": [tmp_path / "2026"]})
    assert [(p.line, p.column) for p in found.problems if p.code == "record-exists"] == [
        (2, 1)]
