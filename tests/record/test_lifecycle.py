"""The lifecycle tables of the model are the one statement of what each kind and status
requires: the checker's rules, the JSON Schema and the questions of `nearmiss new` all
follow them, so a change to a table shows up in all three."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import TAXONOMY_FIXTURE, cli_runner, minimal_near_miss
from jsonschema import Draft202012Validator

from nearmiss.authoring import new
from nearmiss.authoring.schema import record_schema
from nearmiss.cli import cli
from nearmiss.record.model import (
    ACTION_NEEDS,
    DATE_RE,
    DATETIME_RE,
    FIELDS,
    KIND_RULES,
    REPORT_ORDER,
    STATUS_RULES,
    Need,
    alternatives,
    only_for,
    status_rules,
)
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import Taxonomy

NAME = "2026-03-14-courtesy-call.yaml"
TODAY = date(2026, 6, 30)


def found(text: str, taxonomy: Taxonomy) -> list[tuple[str, int, int, str, str, str]]:
    result = check_record(text.encode(), NAME, taxonomy)
    return [(p.code, p.line, p.column, p.field, p.message, p.hint) for p in result.problems]


def as_editor_sees(text: str) -> Any:
    """The record as JSON values, dates as the text written (as test_schema loads them)."""
    return yaml.load(text, Loader=_EditorLoader)


class _EditorLoader(yaml.SafeLoader):
    pass


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema_accepts(text: str, taxonomy: Taxonomy) -> bool:
    return Draft202012Validator(record_schema(taxonomy)).is_valid(as_editor_sees(text))


FAILURE = minimal_near_miss(kind="failure", caught_by="",
                            customer_impact="The customer waited in all morning.")
STORY = {"kind": "near-miss", "title": "Courtesy call nearly skipped", "team": "billing",
         "severity": "low", "what_happened": "The visit overran.",
         "caught_by": "The technician phoned ahead."}


def test_the_tables_hold_the_contract() -> None:
    assert list(KIND_RULES) == ["near-miss", "failure"]
    assert [n.field for n in KIND_RULES["near-miss"].needs] == ["caught_by"]
    assert [n.field for n in KIND_RULES["failure"].needs] == ["customer_impact"]
    assert KIND_RULES["failure"].forbids == ("caught_how",)
    assert only_for("caught_how") == ("near-miss",)
    assert list(STATUS_RULES) == ["open", "reviewed", "closed"]
    needs = {s: [(n.field, n.instead) for n in r.needs] for s, r in STATUS_RULES.items()}
    assert needs == {"open": [], "reviewed": [("root_causes", ""), ("actions", "no_action")],
                     "closed": [("closed", ""), ("follow_up", "")]}
    assert [r.name for r in status_rules("closed")] == ["open", "reviewed", "closed"]
    assert status_rules("reviewed")[-1].name == "reviewed" and status_rules(None) == ()
    assert alternatives() == [("actions", "no_action")]
    assert {s: [n.field for n in needs] for s, needs in ACTION_NEEDS.items()} == \
        {"open": [], "done": ["done_on"], "dropped": ["reason"]}
    assert set(REPORT_ORDER) <= set(FIELDS)


def test_the_date_formats_are_written_once() -> None:
    assert DATE_RE.match("2026-03-14") and not DATE_RE.match("2026-03-14\n")
    match = DATETIME_RE.match("2026-03-14T10:40:00+01:00")
    assert match and match.group("offset") == "+01:00"
    no_offset = DATETIME_RE.match("2026-03-14 10:40")
    assert no_offset and no_offset.group("offset") is None
    for wrong in ("2026-13-01", "2026-03-14T24:00Z", "2026-03-14T10:40+01:60",
                  "2026-03-14T10:40:00z"):
        assert not DATE_RE.match(wrong) and not DATETIME_RE.match(wrong), wrong


def test_a_need_added_to_a_kind_shows_in_the_rule_the_schema_and_new(
        taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rule = KIND_RULES["near-miss"]
    monkeypatch.setitem(KIND_RULES, "near-miss", replace(rule, needs=(
        *rule.needs, Need("lessons", "what was learned", hint="say what the save taught"))))
    without, with_it = minimal_near_miss(), minimal_near_miss(lessons="Buffers help.")

    # the rule
    assert found(without, taxonomy) == [
        ("missing-for-kind", 1, 1, "/lessons", "a near miss needs 'lessons': what was learned",
         "say what the save taught")]
    assert found(with_it, taxonomy) == []
    assert found(FAILURE, taxonomy) == []  # only near misses need it
    # the schema
    assert not schema_accepts(without, taxonomy)
    assert schema_accepts(with_it, taxonomy) and schema_accepts(FAILURE, taxonomy)
    # new: asked for a near miss only, after what the table's order names, and required
    assert new.asked_fields("near-miss")[-2:] == ["severity", "lessons"]
    assert "lessons" not in new.asked_fields("failure")
    assert new.missing_fields(STORY) == ["lessons"]
    assert new.missing_fields({**STORY, "kind": "failure", "customer_impact": "x"}) == []
    lessons = [q for q in new.questions("near-miss", taxonomy, TODAY) if q.field == "lessons"]
    assert lessons and lessons[0].required and lessons[0].label == "Lessons"
    # ... and asked by the command, which then writes it
    folder = tmp_path / "incidents"
    folder.mkdir()
    shutil.copy(TAXONOMY_FIXTURE, folder / "_taxonomy.yaml")
    answers = ["near-miss", "Refund nearly sent", "2026-03-14", "billing", "A story.",
               "Dana checked.", "person", "", "low", "Check before sending."]
    result = cli_runner().invoke(cli, ["new", "--incidents", str(folder)],
                                 input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-3].startswith("Lessons: ")
    written = next(folder.rglob("2026-03-14-*.yaml"))
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["lessons"] == \
        "Check before sending.\n"
    cut = cli_runner().invoke(cli, ["new", "--incidents", str(folder), "--no-input",
                                    *[f"--{k.replace('_', '-')}={v}" for k, v in STORY.items()]])
    assert cut.exit_code == 2 and "missing --lessons" in cut.stderr


def test_a_need_added_to_the_first_status_applies_to_every_record(
        taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = STATUS_RULES["open"]
    monkeypatch.setitem(STATUS_RULES, "open", replace(rule, needs=(Need("reported_by"),)))
    reviewed = minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]",
                                 no_action="Nothing to change.")
    for text, status in ((minimal_near_miss(), "an open record"),
                         (reviewed, "a reviewed record")):
        assert found(text, taxonomy) == [
            ("missing-for-status", 1, 1, "/reported_by", f"{status} needs 'reported_by'",
             "who raised it; 'anonymous' is fine")]  # the hint: the field's description,
        # with code in quotes and no final full stop
        assert not schema_accepts(text, taxonomy)
        given = text + "reported_by: anonymous\n"
        assert found(given, taxonomy) == [] and schema_accepts(given, taxonomy)
    for kind in KIND_RULES:
        assert "reported_by" in new.asked_fields(kind)
    assert new.missing_fields(STORY) == ["reported_by"]


def test_a_field_a_kind_forbids_is_refused_there_and_asked_for_the_other(
        taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = KIND_RULES["failure"]
    monkeypatch.setitem(KIND_RULES, "failure", replace(rule, forbids=(*rule.forbids,
                                                                      "lessons")))
    text = FAILURE + "lessons: Buffers help.\n"
    assert found(text, taxonomy) == [
        ("near-miss-only", 9, 10, "/lessons",
         "'lessons' is only for near misses; this record is a failure",
         "remove it, or set kind: near-miss")]
    assert not schema_accepts(text, taxonomy)
    assert schema_accepts(minimal_near_miss(lessons="Buffers help."), taxonomy)
    # new asks for it, as for caught_how, where it may be given; never required
    assert "lessons" in new.asked_fields("near-miss")
    assert "lessons" not in new.asked_fields("failure")
    assert new.missing_fields(STORY) == []


def test_an_action_need_shows_in_the_rule_and_the_schema(
        taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ACTION_NEEDS, "done", (*ACTION_NEEDS["done"],
                                               Need("reason", hint="say what was done")))
    text = minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]") + (
        "actions:\n  - {action: Add a buffer, owner: billing, due: 2026-04-01, status: done,"
        " done_on: 2026-03-20}\n")
    assert found(text, taxonomy) == [
        ("missing-for-status", 11, 5, "/actions/0/reason", "a done action needs 'reason'",
         "say what was done")]
    assert not schema_accepts(text, taxonomy)
    given = text.replace("}\n", ", reason: Added}\n")
    assert found(given, taxonomy) == [] and schema_accepts(given, taxonomy)


def test_new_has_an_option_for_every_field_it_may_ask() -> None:
    """The Click options are written out; the lifecycle decides what is asked."""
    command = cli.commands["new"]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for kind in KIND_RULES:
        for name in new.asked_fields(kind):
            assert f"--{name.replace('_', '-')}" in options, (kind, name)
