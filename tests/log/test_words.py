"""The shared formatters of nearmiss/log/words.py: numbers, percentages, plurals, changes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nearmiss.log.figures import Change
from nearmiss.log.words import change, number, percent, plural, trend, whole_percent


@pytest.mark.parametrize(("value", "expected"), [
    (None, "–"), (0, "0"), (3, "3"), (2.0, "2"), (1.67, "1.67"), (1.5, "1.5"), (27.0, "27"),
])
def test_number(value: float | None, expected: str) -> None:
    assert number(value) == expected


@pytest.mark.parametrize(("share", "expected"), [
    (None, "–"), (0.0, "0.0%"), (0.7308, "73.1%"), (0.6364, "63.6%"), (1.0, "100.0%"),
    (0.0833, "8.3%"),
])
def test_percent(share: float | None, expected: str) -> None:
    assert percent(share) == expected


@pytest.mark.parametrize(("share", "expected"), [
    (None, "n/a"), (float("nan"), "n/a"), (0.625, "63%"), (0.0833, "8%"), (1.0, "100%"),
    (0.005, "1%"),
])
def test_whole_percent_rounds_half_up(share: float | None, expected: str) -> None:
    assert whole_percent(share) == expected


def test_plural() -> None:
    assert plural(1, "record") == "1 record"
    assert plural(0, "record") == "0 records"
    assert plural(2, "error") == "2 errors"
    assert plural(1, "near miss", "near misses") == "1 near miss"
    assert plural(3, "near miss", "near misses") == "3 near misses"
    assert plural(2, "record has", "records have") == "2 records have"


@pytest.mark.parametrize(("c", "cell", "phrase"), [
    (Change(0.5, 0.75, share=True), "▼ 25.0 points", "▼ down 25.0 points"),
    (Change(0.7308, 0.7195, share=True), "▲ 1.1 points", "▲ up 1.1 points"),
    (Change(0.6366, 0.6364, share=True), "no change", "steady"),
    (Change(0.6369, 0.6364, share=True), "▲ 0.1 points", "▲ up 0.1 points"),
    (Change(2, 3), "▼ 1", "▼ down 1"),
    (Change(3, 3), "no change", "steady"),
    (Change(None, 0.5, share=True), "–", "no trend yet"),
])
def test_change_as_a_cell_and_as_a_phrase_share_one_rule(c: Change, cell: str,
                                                          phrase: str) -> None:
    assert change(c) == cell
    assert trend(c) == phrase


def test_words_imports_nothing_heavy() -> None:
    code = ("import sys; import nearmiss.log.words; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('click', 'yaml', 'markdown', 'mkdocs', 'nearmiss')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['nearmiss', 'nearmiss.log', 'nearmiss.log.words']"
