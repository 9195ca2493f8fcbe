"""Whatever a record file holds, checking it never raises, and every problem it reports
points at a real place (line and column from 1) in that very file."""

from __future__ import annotations

import copy
from datetime import timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from helpers import valid_fixtures
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.record.model import ACTION_FIELDS, FIELDS, FOLLOW_UP_FIELDS
from nearmiss.record.problems import CODES
from nearmiss.record.rules import FileResult, check_record
from nearmiss.record.taxonomy import Taxonomy

PATH = "2026-03-14-arbitrary.yaml"
FEW = settings(max_examples=200, deadline=None)


def assert_sound(result: FileResult, path: str) -> None:
    """What every check of any input must satisfy."""
    for problem in result.problems:
        assert problem.path == path
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.code in CODES
    has_errors = any(p.is_error for p in result.problems)
    assert (result.record is None) == has_errors


# --- (a) arbitrary text and bytes -----------------------------------------------------

@FEW
@given(text=st.text())
def test_any_text_is_checked_without_raising(text: str, taxonomy: Taxonomy) -> None:
    assert_sound(check_record(text.encode("utf-8"), PATH, taxonomy), PATH)


@FEW
@given(data=st.binary())
def test_any_bytes_are_checked_without_raising(data: bytes, taxonomy: Taxonomy) -> None:
    assert_sound(check_record(data, PATH, taxonomy), PATH)


# --- (b) arbitrary YAML documents ---------------------------------------------------------

# Words the rules care about, so generated documents reach deep into them.
MEANINGFUL = st.sampled_from([
    "near-miss", "failure", "open", "reviewed", "closed", "done", "dropped", "low", "critical",
    "barrier", "internal", "field-service", "billing", "phone", "on-time", "process/no-buffer",
    "no-heads-up", "2026-03-14", "2026-03-14T10:40:00+01:00", "2026-03-14T10:40:00", "no",
    "10:40", "~", "", " ", "2026-02-02-minimal-open-near-miss", "2026-03-14-arbitrary",
    "Scheduling", "x" * 121, "line\nbreak",
])
OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
           | MEANINGFUL | st.dates() | st.datetimes(timezones=OFFSETS))
KEYS = st.sampled_from(sorted({*FIELDS, *ACTION_FIELDS, *FOLLOW_UP_FIELDS})) | st.text(max_size=12)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=12) | VALUES


@FEW
@given(document=DOCUMENTS)
def test_any_yaml_document_is_checked_without_raising(document: Any,
                                                       taxonomy: Taxonomy) -> None:
    data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    assert_sound(check_record(data, PATH, taxonomy), PATH)


# --- (c) valid records with one value changed -------------------------------------------

@cache
def loaded(fixture: Path) -> Any:
    return yaml.safe_load(fixture.read_bytes().decode("utf-8-sig"))


def places(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a loaded document a value can be swapped: keys of mappings, indexes of
    lists, and the whole document (the empty place)."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += places(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += places(value, (*at, index))
    return found


def replaced(document: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    changed = copy.deepcopy(document)
    parent = changed
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    return changed


REPLACEMENTS = (st.text() | st.integers() | MEANINGFUL
                | st.lists(SCALARS, max_size=4) | st.dictionaries(KEYS, SCALARS, max_size=4))


@FEW
@given(data=st.data())
def test_a_valid_record_with_one_value_changed_is_checked_without_raising(
        data: st.DataObject, taxonomy: Taxonomy) -> None:
    fixture = data.draw(st.sampled_from(valid_fixtures()), label="fixture")
    document = loaded(fixture)
    place = data.draw(st.sampled_from(places(document)), label="place")
    value = data.draw(REPLACEMENTS, label="value")
    mutated = yaml.safe_dump(replaced(document, place, value), allow_unicode=True,
                             sort_keys=False).encode("utf-8")

    assert_sound(check_record(mutated, fixture.name, taxonomy), fixture.name)


def test_unchanged_fixtures_round_trip_as_valid(taxonomy: Taxonomy) -> None:
    """The mutation test starts from valid documents: dumped unchanged, they stay valid
    (so a problem it finds comes from the change, not from the round trip)."""
    for fixture in valid_fixtures():
        dumped = yaml.safe_dump(loaded(fixture), allow_unicode=True, sort_keys=False)
        result = check_record(dumped.encode("utf-8"), fixture.name, taxonomy)
        assert result.problems == [], fixture.name
