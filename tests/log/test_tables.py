"""The layout of nearmiss/log/tables.py on its own: aligned text, Markdown, CSV of actions.

Every expected string is written out by hand; the figures themselves are tested in
test_figures.py and the whole outputs in the golden files of test_figures_cli.py.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date

import click
import pytest

from nearmiss.log.figures import ActionRow, ActionState, Spread
from nearmiss.log.tables import (
    Table,
    actions_csv,
    actions_heading,
    actions_tables,
    days,
    render_markdown,
    render_text,
    terminal_width,
    width_of,
)

AS_OF = date(2026, 4, 1)


def row(record: str, owner: str, state: ActionState = "open", days_overdue: int = 0,
        due: date = date(2026, 4, 30), strength: str | None = None) -> ActionRow:
    return ActionRow(record=record, title=f"Title of {record}", index=0,
                     action=f"Do something about {record}", owner=owner, due=due,
                     state=state, days_overdue=days_overdue,
                     done_on=None, reason=None, type=strength and f"{strength}-kind",
                     strength=strength)


# --- text ------------------------------------------------------------------------------


def test_text_pads_columns_to_the_widest_cell_and_right_aligns_numeric_ones() -> None:
    table = Table("Counts", ["name", "n"], [["a", "1"], ["bbb", "22"]], numeric={1})
    assert render_text([table]) == (
        "Counts\n"
        "  name   n\n"
        "  a      1\n"
        "  bbb   22\n")


def test_text_header_wider_than_every_cell_sets_the_width() -> None:
    table = Table("T", ["count", "label"], [["7", "x"]], numeric={0})
    assert render_text([table]) == (
        "T\n"
        "  count  label\n"
        "      7  x\n")


def test_text_strips_the_padding_at_the_end_of_a_line() -> None:
    table = Table("T", ["a", "b"], [["x", "longer"], ["xx", ""]])
    lines = render_text([table]).splitlines()
    assert lines == ["T", "  a   b", "  x   longer", "  xx"]
    assert all(line == line.rstrip() for line in lines)


def test_text_of_an_empty_table_says_none_and_keeps_the_note() -> None:
    assert render_text([Table("Nothing", ["a"], [])]) == "Nothing\n  (none)\n"
    assert render_text([Table("Nothing", ["a"], [], note="a note")]) == (
        "Nothing\n  a note\n  (none)\n")


def test_text_separates_tables_by_one_blank_line_and_ends_with_one_newline() -> None:
    tables = [Table("A", ["x"], [["1"]]), Table("B", ["y"], [])]
    assert render_text(tables) == "A\n  x\n  1\n\nB\n  (none)\n"


def test_text_colour_makes_the_title_bold_and_the_header_dim() -> None:
    out = render_text([Table("T", ["h"], [["v"]])], colour=True)
    assert out == (click.style("T", bold=True) + "\n" + click.style("  h", dim=True)
                   + "\n  v\n")
    assert "\x1b[" not in render_text([Table("T", ["h"], [["v"]])])


def test_text_measures_non_ascii_by_characters() -> None:
    table = Table("T", ["figure", "n"], [["occurred → closed", "3"], ["–", "12"]],
                  numeric={1})
    assert render_text([table]).splitlines()[1:] == [
        "  figure              n",
        "  occurred → closed   3",
        "  –                  12",
    ]


# --- fitted to a width -------------------------------------------------------------------


def test_a_table_that_fits_keeps_its_layout_at_any_width() -> None:
    table = Table("Counts", ["name", "n"], [["a", "1"], ["bbb", "22"]], numeric={1},
                  fit={0: "cut"})
    assert render_text([table], width=12) == render_text([table]) == render_text(
        [table], width=None)


def test_a_label_is_cut_with_an_ellipsis_and_its_number_kept() -> None:
    table = Table("T", ["cause", "n"], [["Board shows out-of-date status", "12"],
                                        ["Short", "3"]], numeric={1}, fit={0: "cut"})
    assert render_text([table], width=24).splitlines()[1:] == [
        "  cause                n",
        "  Board shows out...  12",
        "  Short                3",
    ]


def test_labels_that_a_cut_would_make_alike_wrap_instead() -> None:
    table = Table("T", ["cause", "n"], [["Customer not told of the delay", "1"],
                                        ["Customer not told of the change", "2"]],
                  numeric={1}, fit={0: "cut"})
    lines = render_text([table], width=26).splitlines()
    assert lines[1:] == ["  cause                  n",
                         "  Customer not told of   1",
                         "  the delay",
                         "  Customer not told of   2",
                         "  the change"]


def test_free_text_wraps_at_words_and_ids_and_dates_stay_whole() -> None:
    table = Table("T", ["due", "action", "record"],
                  [["2026-03-01", "Billing batch refuses an invoice number it has already "
                    "charged", "2026-02-02-invoice-sent-twice"]], fit={1: "wrap"})
    assert render_text([table], width=70).splitlines()[1:] == [
        "  due         action                     record",
        "  2026-03-01  Billing batch refuses an   2026-02-02-invoice-sent-twice",
        "              invoice number it has",
        "              already charged",
    ]


def test_headers_go_on_two_lines_when_that_leaves_a_label_more_room() -> None:
    table = Table("T", ["", "near misses", "open actions"],
                  [["Dispatch and scheduling", "8", "0"]], numeric={1, 2}, fit={0: "cut"})
    assert render_text([table], width=36).splitlines()[1:] == [
        "                       near     open",
        "                     misses  actions",
        "  Dispatch and s...       8        0"]


def test_a_table_that_cannot_fit_becomes_blocks_of_label_and_value() -> None:
    table = Table("Warning signs", ["failure", "cause", "earlier near misses"],
                  [["2026-03-10-customer-not-told", "process/no-buffer",
                    "2026-01-05-board-showed-visit, 2026-02-18-second-visit"]],
                  fit={2: "list"})
    assert render_text([table], width=53) == (
        "Warning signs\n"
        "  failure:             2026-03-10-customer-not-told\n"
        "  cause:               process/no-buffer\n"
        "  earlier near misses: 2026-01-05-board-showed-visit,\n"
        "                       2026-02-18-second-visit\n")
    # narrower still: the values go under their labels, and no id is ever broken
    assert render_text([table], width=40) == (
        "Warning signs\n"
        "  failure:\n"
        "    2026-03-10-customer-not-told\n"
        "  cause:               process/no-buffer\n"
        "  earlier near misses:\n"
        "    2026-01-05-board-showed-visit,\n"
        "    2026-02-18-second-visit\n")


def test_blocks_of_a_table_without_a_first_header_are_headed_by_the_first_cell() -> None:
    table = Table("By team", ["", "records", "prevention"],
                  [["Billing", "9", "66.7%"], ["Field service", "8", "62.5%"]],
                  numeric={1, 2}, fit={0: "cut"})
    assert render_text([table], width=24) == (
        "By team\n"
        "  Billing\n"
        "    records:    9\n"
        "    prevention: 66.7%\n"
        "\n"
        "  Field service\n"
        "    records:    8\n"
        "    prevention: 62.5%\n")


def test_titles_and_notes_wrap_at_words() -> None:
    table = Table("Closing the loop and response agility", ["a"], [["1"]],
                  note="loop closure: 5 of 8 reviewed or closed records followed up (62.5%).")
    assert render_text([table], width=30).splitlines()[:5] == [
        "Closing the loop and response",
        "agility",
        "  loop closure: 5 of 8",
        "  reviewed or closed records",
        "  followed up (62.5%).",
    ]


def test_alert_cells_are_red_and_bold_only_with_colour() -> None:
    table = Table("T", ["due", "state"], [["2026-03-01", "overdue 31d"], ["2026-04-30", "open"]],
                  alerts={(0, 1)})
    coloured = render_text([table], colour=True).splitlines()
    assert coloured[2] == "  2026-03-01  " + click.style("overdue 31d", fg="red", bold=True)
    assert coloured[3] == "  2026-04-30  open"
    assert "\x1b[" not in render_text([table], width=12)


def test_width_is_measured_in_terminal_columns() -> None:
    assert width_of("Zürich") == 6
    assert width_of("東京オフィス") == 12
    assert width_of("e\u0301") == 1
    table = Table("T", ["team", "n"], [["東京オフィスのサポートデスク", "3"]], numeric={1},
                  fit={0: "cut"})
    lines = render_text([table], width=22).splitlines()
    assert lines[2] == "  東京オフィスの...  3"
    assert all(width_of(line) <= 22 for line in lines)


def test_terminal_width_honours_columns_then_the_terminal_then_none(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert terminal_width(False) == 72 and terminal_width(True) == 72
    monkeypatch.setenv("COLUMNS", "5")
    assert terminal_width(False) == 20  # never narrower than this
    monkeypatch.delenv("COLUMNS")
    assert terminal_width(False) is None  # a pipe or a file: one line per row
    monkeypatch.setattr("shutil.get_terminal_size", lambda: os.terminal_size((91, 30)))
    assert terminal_width(True) == 91


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_table_with_numeric_columns_aligned_right() -> None:
    table = Table("Counts", ["name", "n", "share"], [["a", "1", "50.0%"]], numeric={1, 2})
    assert render_markdown([table]) == (
        "## Counts\n"
        "\n"
        "| name | n | share |\n"
        "|---|---:|---:|\n"
        "| a | 1 | 50.0% |\n")


def test_markdown_heading_level_note_and_empty_table() -> None:
    assert render_markdown([Table("Nothing", ["a"], [])]) == "## Nothing\n\nNone.\n"
    assert render_markdown([Table("Nothing", ["a"], [], note="a note")], level=3) == (
        "### Nothing\n\na note\n\nNone.\n")


def test_markdown_separates_tables_by_one_blank_line() -> None:
    tables = [Table("A", ["x"], [["1"]]), Table("B", ["y"], [])]
    assert render_markdown(tables) == "## A\n\n| x |\n|---|\n| 1 |\n\n## B\n\nNone.\n"


def test_markdown_escapes_cells_and_headers_as_plain_text() -> None:
    table = Table("T", ["a|b"], [["pipe | inside"], ["two\nlines"], ["*not* _emphasis_"],
                                 ["<b>not html</b> & co"], ["[not](a-link)"]])
    assert render_markdown([table]).splitlines()[2:] == [
        "| a\\|b |",
        "|---|",
        "| pipe \\| inside |",
        "| two lines |",
        "| \\*not\\* \\_emphasis\\_ |",
        "| &lt;b&gt;not html&lt;/b&gt; &amp; co |",
        "| \\[not\\](a-link) |",
    ]


def test_markdown_leaves_ordinary_text_alone() -> None:
    cells = ["2026-03-01", "overdue 31d", "Priya Shah (billing lead)", "73.1%", "–",
             "process/no-buffer"]
    out = render_markdown([Table("T", ["c"] * len(cells), [cells])])
    assert out.splitlines()[-1] == "| " + " | ".join(cells) + " |"


# --- days and actions ----------------------------------------------------------------


def test_days_of_a_spread() -> None:
    assert days(Spread(count=3, median=1.5, p90=4.0)) == ["3", "1.5", "4"]
    assert days(Spread(count=0, median=None, p90=None)) == ["0", "–", "–"]


def test_actions_heading_counts_the_overdue_ones() -> None:
    rows = [row("r1", "ana", "overdue", 31, date(2026, 3, 1)), row("r2", "ben")]
    assert actions_heading(rows, AS_OF) == (
        "Follow-up actions as of 2026-04-01: 2 listed, 1 overdue")
    assert actions_heading([], AS_OF) == "Follow-up actions as of 2026-04-01: 0 listed, 0 overdue"


def test_actions_tables_one_per_owner_in_the_order_given() -> None:
    rows = [row("r1", "ana", "overdue", 31, date(2026, 3, 1)), row("r2", "ben"),
            row("r3", "ana")]
    tables = actions_tables(rows, AS_OF)
    assert [(t.title, t.headers) for t in tables] == [
        ("ana (2)", ["due", "state", "action", "record"]),
        ("ben (1)", ["due", "state", "action", "record"])]
    assert tables[0].rows == [
        ["2026-03-01", "overdue 31d", "Do something about r1", "r1"],
        ["2026-04-30", "open", "Do something about r3", "r3"]]


def test_actions_tables_show_the_strength_once_an_action_has_a_type() -> None:
    rows = [row("r1", "ana", strength="stronger"), row("r2", "ana")]
    (table,) = actions_tables(rows, AS_OF)
    assert table.headers == ["due", "state", "strength", "action", "record"]
    assert [r[2] for r in table.rows] == ["stronger", "untyped"]
    assert table.fit == {3: "wrap"}  # the action's text still wraps, not the strength
    assert "strength" not in actions_tables([row("r2", "ana")], AS_OF)[0].headers


def test_actions_tables_of_nothing_is_one_empty_table() -> None:
    tables = actions_tables([], AS_OF)
    assert [(t.title, t.rows) for t in tables] == [("Follow-up actions as of 2026-04-01", [])]
    assert render_text(tables) == "Follow-up actions as of 2026-04-01\n  (none)\n"


def test_actions_csv_has_the_json_fields_as_columns() -> None:
    out = actions_csv([row("r1", "ana", "overdue", 31, date(2026, 3, 1), "weaker")])
    assert out.splitlines()[0] == ("record,title,index,action,owner,due,state,days_overdue,"
                                   "done_on,reason,type,strength")
    assert list(csv.DictReader(io.StringIO(out))) == [{
        "record": "r1", "title": "Title of r1", "index": "0",
        "action": "Do something about r1", "owner": "ana", "due": "2026-03-01",
        "state": "overdue", "days_overdue": "31", "done_on": "", "reason": "",
        "type": "weaker-kind", "strength": "weaker"}]
    assert actions_csv([]) == ""
