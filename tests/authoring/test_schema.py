"""The JSON Schema for editors agrees with `nearmiss check` on everything it can express.

Records are loaded the way an editor's YAML 1.2 parser sees them: safe_load, except that
an unquoted date stays the text written (YAML 1.2 has no timestamps; PyYAML's YAML 1.1 would
make it a date, and crash on 2026-13-01 instead of letting the schema judge it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import SAMPLE_LOG, invalid_fixtures, minimal_near_miss, valid_fixtures
from jsonschema import Draft202012Validator

from nearmiss.authoring import schema as schema_module
from nearmiss.authoring.schema import record_schema
from nearmiss.record.model import ACTION_FIELDS, FIELDS, Spec
from nearmiss.record.problems import CODES
from nearmiss.record.rules import _LINE_BREAKS, check_record
from nearmiss.record.taxonomy import Taxonomy, parse_taxonomy

# Codes whose every fixture the schema rejects. Partly expressible, noted here:
# - invalid-date: the pattern knows months 01-12 and days 01-31, not the calendar, so
#   2026-02-30 passes the schema and only `nearmiss check` refuses it.
# - wrong-type: a mapping key that is a list or mapping is not something JSON can hold.
EXPRESSIBLE = frozenset({
    "unknown-field", "missing-field", "missing-for-kind", "missing-for-status",
    "near-miss-only", "actions-and-no-action", "action-still-open", "not-a-mapping",
    "wrong-type", "invalid-choice", "empty-value", "empty-list", "title-length",
    "title-line-break", "invalid-date", "date-no-offset", "unknown-team",
    "unknown-touchpoint", "unknown-promise", "unknown-root-cause", "unknown-action-type",
    "duplicate-item", "invalid-tag",
})

# Codes a schema of one record's content cannot express, and why.
NOT_EXPRESSIBLE = {
    "file-unreadable": "about the file, not its content",
    "file-encoding": "about the file, not its content",
    "file-too-large": "about the file, not its content",
    "yaml-syntax": "the editor's YAML parser reports it; there is no value to validate",
    "yaml-multiple-documents": "the schema validates one document at a time",
    "yaml-too-deep": "`extra` is open: the schema does not bound its depth",
    "yaml-alias": "aliases are resolved before the schema sees the value",
    "yaml-tag": "tags are resolved (or refused) before the schema sees the value",
    "yaml-ambiguous": "a YAML 1.1 trap: editors read YAML 1.2, where `no` is a string",
    "duplicate-key": "a mapping reaches the schema with one value per key",
    "empty-file": "an empty document has no value; editors do not validate it",
    "invalid-id": "the id is the file name, which the schema does not see",
    "id-date-mismatch": "compares the file name with `occurred` (and is a warning)",
    "wrong-year-folder": "about where the file is, not its content",
    "not-in-year-folder": "about where the file is, not its content",
    "duplicate-id": "needs the whole tree",
    "record-exists": "about a file `nearmiss import` would write, not a record's content",
    "unknown-related": "needs the whole tree",
    "self-related": "compares `related` with the file name",
    "date-in-future": "needs today's date",
    "date-order": "compares two values; JSON Schema cannot",
    "closed-date-not-closed": "a warning: the schema only accepts or rejects, and rejecting "
                              "would make the editor stricter than the check",
    "weak-actions-only": "a warning, and about the strength of every action together; the "
                         "schema only accepts or rejects single values",
    "taxonomy-missing": "about the taxonomy file; the schema is made from a valid one",
    "taxonomy-invalid": "about the taxonomy file; the schema is made from a valid one",
    "symlink-outside": "about the file, not its content",
    "settings-invalid": "about the settings file",
    "personal-data": "a warning about free text: patterns over prose belong to the check",
    "blaming-language": "a warning about free text: patterns over prose belong to the check",
}


class EditorLoader(yaml.SafeLoader):
    """PyYAML's safe loader without the YAML 1.1 timestamp type."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_text(text: str | bytes, **fields: Any) -> Any:
    """A record as an editor sees it; keyword arguments set fields after loading."""
    record = yaml.load(text, Loader=EditorLoader)
    if fields:
        record.update(fields)
    return record


def load(path: Path) -> Any:
    return load_text(path.read_bytes())


def validator(taxonomy: Taxonomy) -> Draft202012Validator:
    return Draft202012Validator(record_schema(taxonomy))


def errors(taxonomy: Taxonomy, record: Any) -> list[str]:
    return [e.message for e in validator(taxonomy).iter_errors(record)]


def sample_taxonomy() -> Taxonomy:
    path = SAMPLE_LOG / "_taxonomy.yaml"
    return parse_taxonomy(path.read_bytes(), str(path))


def sample_records() -> list[Path]:
    return sorted(p for p in SAMPLE_LOG.rglob("*")
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith(("_", ".")))


def expressible_fixtures() -> list[Path]:
    return [p for p in invalid_fixtures() if p.parent.name in EXPRESSIBLE]


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_schema_is_a_valid_draft_2020_12_schema(taxonomy: Taxonomy) -> None:
    for vocabulary in (taxonomy, sample_taxonomy(), Taxonomy()):
        schema = record_schema(vocabulary)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert "$id" not in schema and schema["title"] and schema["description"]
        assert set(schema["$defs"]) == {"action", "followUp", "date"}


def test_every_code_is_classified() -> None:
    assert not EXPRESSIBLE & set(NOT_EXPRESSIBLE)
    assert EXPRESSIBLE | set(NOT_EXPRESSIBLE) == set(CODES)
    fixture_codes = {p.parent.name for p in invalid_fixtures()}
    assert EXPRESSIBLE <= fixture_codes, "every expressible code needs a fixture"


@pytest.mark.parametrize("path", valid_fixtures(), ids=name)
def test_valid_fixtures_are_accepted(path: Path, taxonomy: Taxonomy) -> None:
    assert errors(taxonomy, load(path)) == []


@pytest.mark.parametrize("path", sample_records(), ids=lambda p: p.name)
def test_the_sample_log_is_accepted_against_its_own_taxonomy(path: Path) -> None:
    assert errors(sample_taxonomy(), load(path)) == []


def related(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    """Whether one path lies on the other's way (a problem in a list is also the list's)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@pytest.mark.parametrize("path", expressible_fixtures(), ids=name)
def test_invalid_fixtures_of_expressible_codes_are_rejected(path: Path,
                                                            taxonomy: Taxonomy) -> None:
    found = list(validator(taxonomy).iter_errors(load(path)))
    assert found, f"the schema accepts {name(path)}"
    # ... and for the checker's reasons: each schema error concerns a value the checker
    # also finds wrong, not some other field the schema gets wrong.
    checked = check_record(path.read_bytes(), str(path), taxonomy)
    pointers = [tuple(int(t) if t.isdigit() else t for t in p.field.split("/")[1:])
                for p in checked.problems if p.is_error]
    for error in found:
        assert any(related(tuple(error.absolute_path), p) for p in pointers), error.message


def checker_errors(text: str, taxonomy: Taxonomy) -> list[str]:
    result = check_record(text.encode(), "2026-03-14-courtesy-call.yaml", taxonomy)
    return [p.code for p in result.problems if p.is_error]


def schema_accepts(text: str, taxonomy: Taxonomy) -> bool:
    return not errors(taxonomy, load_text(text))


FAILURE = minimal_near_miss(kind="failure", caught_by="",
                            customer_impact="The customer waited in all morning.")
ACTION = "actions:\n  - {action: Add a buffer, owner: billing, due: 2026-04-01, "
CLOSED = minimal_near_miss(status="closed", root_causes="[process/no-buffer]",
                           closed="2026-03-28", follow_up="{date: 2026-03-29, how: Told them.}")


@pytest.mark.parametrize("text", [
    # an optional field left blank counts as absent, as in a template
    minimal_near_miss() + "caught_how:\ntouchpoint:\ntags:\nfollow_up:\nextra:\n",
    FAILURE + "caught_how:\n",
    minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]",
                      no_action="Nothing to do.") + "actions:\n",
    minimal_near_miss() + ACTION + "status: done, done_on: 2026-03-20, reason: }\n",
    # a warning is not an error
    minimal_near_miss(closed="2026-03-28"),
    # what each status needs, and no more
    minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]") + ACTION
    + "status: open}\n",
    CLOSED + ACTION + "status: dropped, reason: Not needed}\n",
    CLOSED.replace("status: closed", "status: closed\nno_action: Nothing to do."),
    minimal_near_miss(whys="[Late, Late]", kudos="[Dana, Dana]", related="[2026-02-02-a]"),
], ids=["blank-optional-fields", "failure-blank-caught-how", "blank-actions-with-no-action",
        "done-action-blank-reason", "closed-date-warning", "reviewed", "closed-dropped",
        "closed-no-action", "repeats-in-texts"])
def test_what_the_checker_accepts_the_schema_accepts(text: str, taxonomy: Taxonomy) -> None:
    assert [c for c in checker_errors(text, taxonomy) if c != "unknown-related"] == []
    assert schema_accepts(text, taxonomy)


@pytest.mark.parametrize("value", [
    "2026-03-14", "2026-03-14T10:40:00+01:00", "2026-03-14T10:40+01:00",
    "2026-03-14 10:40:00+0100", "2026-03-14t10:40:00Z", "2026-03-14T10:40:00.123456-05:30",
    "2026-03-14T10:40:00", "2026-03-14 11:05", "2026-03-14T10:40:00z", "2026-13-01",
    "2026-03-32", "2026-03-00", "2026-03-14T24:00:00+01:00", "2026-03-14T10:40:60Z",
    "2026-03-14T10:40:00+25:00", "2026-3-14", "14/03/2026", "next week", "2026-03-14\n",
    "2026-03-14T10:40:00,5Z",
])
def test_dates_are_judged_as_the_checker_judges_them(value: str, taxonomy: Taxonomy) -> None:
    text = minimal_near_miss(reported=json.dumps(value))
    assert schema_accepts(text, taxonomy) == (checker_errors(text, taxonomy) == [])


@pytest.mark.parametrize("value", ["x", " a ", " ", "\t", "\n", "\u0085", "\u001f", "\u3000"],
                         ids=repr)
def test_blank_text_is_judged_as_the_checker_judges_it(value: str, taxonomy: Taxonomy) -> None:
    for text in (minimal_near_miss(lessons=json.dumps(value)),
                 minimal_near_miss(kudos=f"[Dana, {json.dumps(value)}]")):
        assert schema_accepts(text, taxonomy) == (checker_errors(text, taxonomy) == [])


@pytest.mark.parametrize("character", sorted(_LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_a_title_with_any_line_break_is_rejected(character: str, taxonomy: Taxonomy) -> None:
    for title in (f"Courtesy call{character}nearly skipped", f"Courtesy call{character}",
                  f"{character}Courtesy call", character):
        record = load_text(minimal_near_miss(), title=title)
        assert errors(taxonomy, record), repr(title)
    assert not errors(taxonomy, load_text(minimal_near_miss(), title=" Courtesy call\t"))
    assert errors(taxonomy, load_text(minimal_near_miss(), title=" \t "))


def test_vocabulary_comes_from_the_taxonomy(taxonomy: Taxonomy) -> None:
    properties = record_schema(taxonomy)["properties"]
    assert properties["team"]["enum"] == list(taxonomy.teams)
    assert properties["team"]["enumDescriptions"][2] == \
        "Support desk — First line for phone and chat."
    assert properties["touchpoint"]["anyOf"][0]["enum"] == list(taxonomy.touchpoints)
    assert properties["promise"]["anyOf"][0]["enum"] == list(taxonomy.promises)
    causes = properties["root_causes"]["anyOf"][0]
    assert causes["items"]["enum"] == taxonomy.cause_keys()
    assert causes["uniqueItems"] is True


def test_action_types_come_from_the_taxonomy_with_their_strength(taxonomy: Taxonomy) -> None:
    kind = record_schema(taxonomy)["$defs"]["action"]["properties"]["type"]["anyOf"][0]
    assert kind["enum"] == list(taxonomy.action_types)
    assert kind["enumDescriptions"][:2] == [
        "stronger: Make the wrong step impossible (forcing function, automation)",
        "intermediate: Checklist at the point of work — A short list the technician ticks "
        "off before leaving."]


@pytest.mark.parametrize("kind", ["reminder", "reminders", "forcing-function", None])
@pytest.mark.parametrize("with_types", [True, False], ids=["with-action-types", "without"])
def test_an_action_type_is_judged_as_the_checker_judges_it(
        kind: str | None, with_types: bool, taxonomy: Taxonomy) -> None:
    vocabulary = taxonomy if with_types else replace(taxonomy, action_types={})
    text = minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]") + ACTION \
        + "status: open, type: " + ("" if kind is None else kind) + "}\n"
    assert schema_accepts(text, vocabulary) == (checker_errors(text, vocabulary) == [])
    assert schema_accepts(text, vocabulary) == (kind is None or with_types
                                                and kind in taxonomy.action_types)


def test_every_field_of_the_table_is_in_the_schema(taxonomy: Taxonomy) -> None:
    schema = record_schema(taxonomy)
    for table, node in ((FIELDS, schema), (ACTION_FIELDS, schema["$defs"]["action"])):
        assert list(node["properties"]) == list(table)
        assert node["required"] == [n for n, s in table.items() if s.required]
        assert node["additionalProperties"] is False
        for field_name, spec in table.items():
            assert node["properties"][field_name]["description"] == spec.description
    assert schema["properties"]["extra"]["anyOf"][0] == {"type": "object"}


def test_the_schema_is_generated_from_the_field_table(taxonomy: Taxonomy,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fields = dict(FIELDS)
    fields["cost"] = Spec("cost", "text", "What it cost to put right.", True)
    fields["channels"] = Spec("channels", "tags", "Where customers told us.")
    actions = dict(ACTION_FIELDS)
    actions["effort"] = Spec("effort", "choice", "How big the action is.",
                             choices=("small", "large"))
    monkeypatch.setattr(schema_module, "FIELDS", fields)
    monkeypatch.setattr(schema_module, "ACTION_FIELDS", actions)
    schema = record_schema(taxonomy)
    assert schema["properties"]["cost"]["description"] == "What it cost to put right."
    assert "cost" in schema["required"]
    assert schema["properties"]["channels"]["anyOf"][0]["uniqueItems"] is True
    action = schema["$defs"]["action"]["properties"]["effort"]
    assert action["anyOf"][0]["enum"] == ["small", "large"]

    check = Draft202012Validator(schema)
    record = load_text(minimal_near_miss(channels="[phone]"))
    assert not check.is_valid(record)  # 'cost' is now required
    record["cost"] = "Two hours"
    assert check.is_valid(record)
    record["channels"] = ["Phone"]
    assert not check.is_valid(record)


def test_an_unknown_field_type_is_refused(taxonomy: Taxonomy,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema_module, "FOLLOW_UP_FIELDS",
                        {"when": Spec("when", "number", "A field type the schema lacks.")})
    with pytest.raises(ValueError, match="'number'"):
        record_schema(taxonomy)
