"""The figures commands (stats, actions, digest, export) through the command line.

Each test copies the hand-computed learning log of tests/fixtures/stats into a temporary
folder and runs from there, so the paths in the output are relative and deterministic.
Text and Markdown layouts are compared with golden files in tests/golden/; after a
deliberate change of layout, regenerate them with

    NEARMISS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_figures_cli.py

and read the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result
from helpers import FIXTURES, GOLDEN, SAMPLE_LOG, cli_runner

from nearmiss.cli import cli
from nearmiss.log import export as exports

FIXTURE = FIXTURES / "stats" / "incidents"
AS_OF = "2026-04-01"

R1 = "2026-01-05-board-showed-visit-on-time"
R2 = "2026-01-12-refund-amount-nearly-doubled"
R3 = "2026-01-20-technician-late-without-a-call"
R4 = "2026-02-02-invoice-sent-twice"
R6 = "2026-02-18-second-visit-squeezed-in"
R8 = "2026-03-03-reschedule-text-nearly-unsent"
R9 = "2026-03-10-engineer-change-not-announced"  # internal
R10 = "2026-03-10-customer-not-told-of-reschedule"
R11 = "2026-03-31-call-dropped-in-queue"

CONTRACT_KEYS = {
    "records", "near_misses", "failures", "prevention_ratio", "root_causes", "categories",
    "warning_signs", "actions", "saves", "loop_closure", "agility", "by_team",
    "by_touchpoint", "by_promise", "by_month", "signals",
}
OUR_EXTRA_KEYS = {"as_of", "since", "until", "saves_by_design", "without_root_cause",
                  "excluded", "signals_tested", "stronger_actions"}
BY_STRENGTH = {"stronger": 3, "intermediate": 3, "weaker": 1, "untyped": 2}

Run = Callable[..., Result]


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture log as ./incidents of a fresh working directory."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(FIXTURE, work / "incidents")
    monkeypatch.chdir(work)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLUMNS", raising=False)  # the goldens are the unfitted layout
    return work / "incidents"


@pytest.fixture
def run(log: Path) -> Run:
    def invoke(*args: str, env: dict[str, str] | None = None, color: bool = False) -> Result:
        return cli_runner().invoke(cli, list(args), catch_exceptions=False, env=env,
                                   color=color)
    return invoke


def break_record(log: Path, record_id: str, old: str, new: str) -> str:
    """Introduce an error into one record of the copy; returns its path as shown."""
    path = log / "2026" / f"{record_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"incidents/2026/{record_id}.yaml"


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NEARMISS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no golden file {path}; run with NEARMISS_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from {path}; if the change is intended, regenerate with "
        "NEARMISS_UPDATE_GOLDEN=1 and review the diff")


# --- stats ----------------------------------------------------------------------------


def test_stats_json_has_the_contract_keys(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) == CONTRACT_KEYS | OUR_EXTRA_KEYS
    assert (data["records"], data["near_misses"], data["failures"]) == (11, 7, 4)
    assert data["prevention_ratio"] == 0.6364
    # the contract's by_strength: every action not dropped (tests/fixtures/stats/README.md)
    assert data["actions"] == {"open": 5, "overdue": 3, "done": 4, "dropped": 1,
                               "by_strength": BY_STRENGTH}
    assert {k: v for k, v in data["stronger_actions"].items() if not k.startswith("by_")} \
        == {"stronger": 1, "typed": 2, "untyped": 1, "share": 0.5}
    assert set(data["saves"]) == {"barrier", "person", "customer", "luck", "unspecified"}
    row_keys = {"key", "category", "label", "near_misses", "failures", "total", "share",
                "cumulative_share"}
    assert all(set(r) == row_keys for r in data["root_causes"])
    assert all(set(r) == row_keys | {"near_misses_per_failure"} for r in data["categories"])
    assert [r["key"] for r in data["root_causes"]] == [
        "process/no-buffer", "communication/no-heads-up", "tools/no-validation",
        "tools/stale-board", "people/new-starter"]
    assert data["warning_signs"][0] == {"failure": R3, "cause": "process/no-buffer",
                                        "near_misses": [R1]}
    assert all(set(w) == {"failure", "cause", "near_misses"} for w in data["warning_signs"])
    assert [r["key"] for r in data["by_touchpoint"]] == ["phone", "visit", None]
    assert [r["key"] for r in data["by_month"]] == ["2026-01", "2026-02", "2026-03"]
    assert data["excluded"] == []


def test_stats_json_since_until_inclusive(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--since", "2026-01-20", "--until", "2026-03-10",
                 "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["since"], data["until"]) == ("2026-01-20", "2026-03-10")
    assert (data["records"], data["near_misses"], data["failures"]) == (8, 5, 3)
    assert data["prevention_ratio"] == 0.625


def test_stats_text_names_the_period(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--since", "2026-01-20", "--until", "2026-03-10")
    assert result.stdout.splitlines()[0] == (
        "Prevention (occurred 2026-01-20 to 2026-03-10, as of 2026-04-01)")
    assert re.search(r"^  records +8$", result.stdout, re.MULTILINE)
    assert re.search(r"^  prevention ratio +62\.5%$", result.stdout, re.MULTILINE)


def test_stats_of_an_empty_period_shows_dashes_not_zero_percent(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--since", "2026-06-01", "--until", "2026-06-30")
    assert result.exit_code == 0
    assert re.search(r"^  records +0$", result.stdout, re.MULTILINE)
    assert re.search(r"^  prevention ratio +–$", result.stdout, re.MULTILINE)
    assert re.search(r"^  saves by design \(barrier\) +–$", result.stdout, re.MULTILINE)
    data = json.loads(run("stats", "--as-of", AS_OF, "--since", "2026-06-01", "--until",
                          "2026-06-30", "--format", "json").stdout)
    assert data["prevention_ratio"] is None
    assert data["loop_closure"]["ratio"] is None
    assert data["agility"]["closed_days"] == {"count": 0, "median": None, "p90": None}


def test_stats_as_of_changes_overdue(run: Run) -> None:
    later = json.loads(run("stats", "--as-of", "2026-04-02", "--format", "json").stdout)
    earlier = json.loads(run("stats", "--as-of", "2026-03-10", "--format", "json").stdout)
    assert later["actions"] == {"open": 5, "overdue": 4, "done": 4, "dropped": 1,
                                "by_strength": BY_STRENGTH}
    assert earlier["actions"] == {"open": 5, "overdue": 1, "done": 4, "dropped": 1,
                                  "by_strength": BY_STRENGTH}  # strength has no as-of


def test_stats_bad_date_option_exits_2(run: Run) -> None:
    result = run("stats", "--as-of", "2026-04-31")
    assert result.exit_code == 2
    assert "is not a date like" in result.stderr


def test_stats_csv_parses_and_has_the_prevention_ratio(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert all(len(r) == 4 for r in rows)
    assert ["overall", "", "prevention_ratio", "0.6364"] in rows
    assert ["overall", "", "records", "11"] in rows
    assert ["overall", "", "actions.overdue", "3"] in rows
    assert ["overall", "", "loop_closure.days.p90", "27.0"] in rows
    assert ["root_causes", "process/no-buffer", "share", "0.3333"] in rows
    assert ["by_team", "billing", "prevention_ratio", "0.6667"] in rows
    # a null is an empty cell: the "Not given" promise group has nothing eligible
    assert ["by_promise", "", "loop_closure.ratio", ""] in rows
    assert ["categories", "people", "near_misses_per_failure", ""] in rows
    assert ["overall", "", "since", ""] in rows


def test_stats_markdown_golden(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert_golden("stats.md", result.stdout)


def test_stats_text_golden(run: Run) -> None:
    result = run("stats", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # no colour outside a terminal
    assert_golden("stats.txt", result.stdout)


def test_stats_leaves_out_a_record_with_errors_and_names_it(log: Path, run: Run) -> None:
    shown = break_record(log, R11, "team: desk", "team: nowhere")
    result = run("stats", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    # R11 (an open failure) is left out: 10 records, 7 near misses, 3 failures.
    assert (data["records"], data["near_misses"], data["failures"]) == (10, 7, 3)
    assert data["prevention_ratio"] == 0.7
    assert data["without_root_cause"] == 2
    assert data["excluded"] == [{"path": shown, "errors": 1}]
    assert "1 record with errors left out" in result.stderr
    assert f"  {shown} (1 error)" in result.stderr.splitlines()
    assert R11 not in {w["failure"] for w in data["warning_signs"]}


def test_stats_text_also_names_a_left_out_record(log: Path, run: Run) -> None:
    shown = break_record(log, R4, "kind: failure", "kind: disaster")
    result = run("stats", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert shown in result.stderr
    assert shown not in result.stdout
    assert re.search(r"^  records +10$", result.stdout, re.MULTILINE)
    assert re.search(r"^  failures that reached a customer +3$", result.stdout, re.MULTILINE)


# --- actions --------------------------------------------------------------------------


def test_actions_text_golden(run: Run) -> None:
    result = run("actions", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert_golden("actions.txt", result.stdout)


def actions_json(run: Run, *args: str) -> tuple[int, list[tuple[str, int, str]]]:
    result = run("actions", "--as-of", AS_OF, "--format", "json", *args)
    data = json.loads(result.stdout)
    assert data["as_of"] == AS_OF
    return result.exit_code, [(a["record"], a["index"], a["state"]) for a in data["actions"]]


def test_actions_default_lists_open_oldest_overdue_first(run: Run) -> None:
    assert actions_json(run) == (0, [
        (R4, 0, "overdue"), (R2, 0, "overdue"), (R10, 0, "overdue"),
        (R9, 0, "open"), (R2, 1, "open")])


def test_actions_overdue_only(run: Run) -> None:
    assert actions_json(run, "--overdue") == (0, [
        (R4, 0, "overdue"), (R2, 0, "overdue"), (R10, 0, "overdue")])


def test_actions_owner_substring_ignoring_case(run: Run) -> None:
    assert actions_json(run, "--owner", "PRIYA") == (0, [(R4, 0, "overdue"),
                                                         (R2, 0, "overdue")])
    assert actions_json(run, "--owner", "Billing") == (0, [
        (R4, 0, "overdue"), (R2, 0, "overdue"), (R2, 1, "open")])


def test_actions_owner_matches_a_team_by_its_label_too(run: Run) -> None:
    # the owner "field" is a team key; the site and stats call that team "Field service"
    assert actions_json(run, "--owner", "Field service") == (0, [(R9, 0, "open")])
    assert actions_json(run, "--owner", "FIELD SERV") == (0, [(R9, 0, "open")])
    assert actions_json(run, "--owner", "field") == (0, [(R9, 0, "open")])
    # "desk" (Support desk) has only a done action; "dispatch" is no team of the taxonomy
    assert actions_json(run, "--owner", "support desk", "--all") == (0, [(R8, 0, "done")])
    assert actions_json(run, "--owner", "Dispatch") == (0, [(R10, 0, "overdue")])
    assert actions_json(run, "--owner", "Field service lead") == (0, [])


def test_actions_all_adds_done_and_dropped(run: Run) -> None:
    assert actions_json(run, "--all") == (0, [
        (R4, 0, "overdue"), (R2, 0, "overdue"), (R10, 0, "overdue"),
        (R9, 0, "open"), (R2, 1, "open"),
        (R1, 0, "done"), (R3, 0, "done"), (R2, 2, "done"), (R8, 0, "done"),
        (R3, 1, "dropped")])


def test_actions_csv(run: Run) -> None:
    result = run("actions", "--as-of", AS_OF, "--format", "csv", "--overdue")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["record"], r["due"], r["days_overdue"]) for r in rows] == [
        (R4, "2026-03-01", "31"), (R2, "2026-03-15", "17"), (R10, "2026-03-31", "1")]


def test_actions_owner_without_match(run: Run) -> None:
    result = run("actions", "--as-of", AS_OF, "--owner", "nobody", "--fail-on-overdue")
    assert result.exit_code == 0
    assert "(none)" in result.stdout


@pytest.mark.parametrize(("args", "code"), [
    (["--as-of", AS_OF], 1),                         # three overdue actions listed
    (["--as-of", AS_OF, "--overdue"], 1),
    (["--as-of", AS_OF, "--all"], 1),
    (["--as-of", AS_OF, "--owner", "priya"], 1),     # Priya's two are overdue
    (["--as-of", AS_OF, "--owner", "field"], 0),     # field's action is due on 04-01: open
    (["--as-of", AS_OF, "--owner", "desk"], 0),      # desk has only a done action
    (["--as-of", AS_OF, "--owner", "desk", "--all"], 0),
    (["--as-of", "2026-03-01"], 0),                  # nothing is overdue yet
    (["--as-of", "2026-03-02"], 1),                  # R4's action from the next day
])
def test_actions_fail_on_overdue_only_when_an_overdue_action_is_listed(
        run: Run, args: list[str], code: int) -> None:
    result = run("actions", "--fail-on-overdue", *args)
    assert result.exit_code == code
    assert ("overdue " in result.stdout) == bool(code)


def test_actions_without_fail_on_overdue_exit_0(run: Run) -> None:
    assert run("actions", "--as-of", AS_OF, "--overdue").exit_code == 0


def test_actions_leave_out_a_record_with_errors(log: Path, run: Run) -> None:
    shown = break_record(log, R4, "due: 2026-03-01", "due: 2026-02-30")
    _, rows = actions_json(run, "--overdue")
    assert rows == [(R2, 0, "overdue"), (R10, 0, "overdue")]
    result = run("actions", "--as-of", AS_OF)
    assert shown in result.stderr


# --- text fitted to the terminal ------------------------------------------------------

TEXT_COMMANDS = [["stats"], ["stats", "--since", "2026-03-01"], ["actions"],
                 ["actions", "--all"], ["actions", "--owner", "nobody"]]


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("args", TEXT_COMMANDS, ids=" ".join)
def test_text_fits_the_terminal(run: Run, args: list[str], columns: int) -> None:
    result = run(*args, "--as-of", AS_OF, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line for line in lines if len(line) > columns] == []
    wide = run(*args, "--as-of", AS_OF, env={"COLUMNS": "250"}).stdout
    # nothing is lost: every id, date and number of the wide layout is still there
    tokens = re.compile(r"\b(?:\d{4}-\d\d-\d\d[\w-]*|\d+(?:\.\d+)?%?d?)(?=\s|,|$)", re.M)
    assert sorted(tokens.findall(result.stdout)) == sorted(tokens.findall(wide))


@pytest.mark.parametrize(("args", "golden"), [(["stats"], "stats.txt"),
                                              (["actions"], "actions.txt")])
def test_a_wide_terminal_keeps_the_one_line_per_row_layout(run: Run, args: list[str],
                                                           golden: str) -> None:
    # without COLUMNS and outside a terminal (a pipe, a file, CliRunner) there is no limit;
    # a terminal wide enough shows exactly that layout
    result = run(*args, "--as-of", AS_OF, env={"COLUMNS": "150"})
    assert result.stdout == (GOLDEN / golden).read_text(encoding="utf-8")


def test_stats_in_a_narrow_terminal_cuts_long_labels_and_keeps_numbers(run: Run) -> None:
    out = run("stats", "--as-of", AS_OF, env={"COLUMNS": "75"}).stdout
    # a label is cut with an ellipsis; its numbers stay whole, on the same line
    assert re.search(r"^  New starter not yet traine\.\.\. +1 +0 +1 +8\.3% +100\.0%$", out,
                     re.M)
    assert re.search(r"^  No slack between bookings +2 +2 +4 +33\.3% +33\.3%$", out, re.M)
    # the breakdowns keep their columns by putting headers on two lines
    assert re.search(r"^ +near +open$", out, re.M)
    assert re.search(r"^ +records +misses +failures +prevention +actions +overdue$", out,
                     re.M)
    assert re.search(r"^  Support desk +4 +3 +1 +75\.0% +1 +0$", out, re.M)


def test_actions_in_a_narrow_terminal_are_blocks_of_label_and_value(run: Run) -> None:
    out = run("actions", "--as-of", AS_OF, env={"COLUMNS": "60"}).stdout
    assert "\n".join(out.splitlines()[2:9]) == (
        "Priya Shah (billing lead) (2)\n"
        "  due:      2026-03-01\n"
        "  state:    overdue 31d\n"
        "  strength: stronger\n"
        "  action:   Billing batch refuses an invoice number it has\n"
        "            already charged\n"
        "  record:   2026-02-02-invoice-sent-twice")


def test_actions_show_overdue_ones_in_red_when_colour_is_on(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nearmiss.log.report.use_colour", lambda tty: True)
    out = run("actions", "--as-of", AS_OF, color=True).stdout
    overdue = click.style("overdue 31d", fg="red", bold=True)
    assert f"{click.style('2026-03-01', fg='red', bold=True)}  {overdue}  stronger  Billing" \
        in out
    assert click.style("open", fg="red", bold=True) not in out
    assert "  2026-04-30  open   weaker    Clear the refund form" in out
    narrow = run("actions", "--as-of", AS_OF, color=True, env={"COLUMNS": "60"}).stdout
    assert f"  state:    {overdue}\n" in narrow
    assert "\x1b[" not in run("actions", "--as-of", AS_OF).stdout  # NO_COLOR, no terminal


@pytest.mark.parametrize("columns", [80, 60])
def test_check_text_summary_fits_and_problem_lines_stay_whole(log: Path, run: Run,
                                                             columns: int) -> None:
    shown = break_record(log, R11, "team: desk", "team: nowhere-to-be-found-in-taxonomy")
    result = run("check", env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert lines[-1] == "checked 11 records: 1 error, 0 warnings"
    # one line per problem whatever the width, for editors, grep and CI log parsers
    assert len(lines) == 2 and lines[0].startswith(f"{shown}:")
    assert len(lines[0]) > columns


# --- digest ---------------------------------------------------------------------------


def test_digest_golden(run: Run) -> None:
    result = run("digest", "--month", "2026-03", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert_golden("digest-2026-03.md", result.stdout)


def test_digest_tells_saves_kudos_and_warning_signs(run: Run) -> None:
    text = run("digest", "--month", "2026-03", "--as-of", AS_OF).stdout
    assert text.startswith("# Learning log digest: March 2026\n")
    # both March near misses (R8 and the internal R9) and both failures count
    assert "2 failures prevented and 2 that reached a customer." in text
    assert "(1 internal record counts in the figures but is not told here.)" in text
    # the save and who made it
    assert "### Reschedule text nearly not sent after a visit moved" in text
    assert "*2026-03-03, Support desk, caught by a designed check (barrier)*" in text
    assert "> The end-of-day check lists every moved visit without a sent message." in text
    assert "**Thank you:** Ana Lima (support desk)" in text
    # the warning signs of R10, with the near misses that foreshadowed it
    assert ("- *Customer not told that the visit was moved to the next day* had the cause "
            "**Customer not told about a change**, seen before in: Reschedule text nearly "
            "not sent after a visit moved") in text
    assert ("had the cause **No slack between bookings**, seen before in: Dispatch board "
            "showed the next visit on time while the technician was running late, A new "
            "dispatcher squeezed a second visit into a full morning") in text
    # actions completed in March, from a January record too
    assert "- Cap refunds at the invoice total in the refund form (Billing, done 2026-03-06)" \
        in text
    # figures against February: 2 v 3 near misses, 50% v 75%
    assert "| prevention ratio | 50.0% | 75.0% | ▼ 25.0 points |" in text
    assert "| saves by design | 50.0% | 0.0% | ▲ 50.0 points |" in text


def test_digest_does_not_tell_internal_records(run: Run) -> None:
    text = run("digest", "--month", "2026-03", "--as-of", AS_OF).stdout
    assert "Engineer swap nearly not announced" not in text
    assert "Ben Okafor" not in text
    assert "care notes" not in text.lower()
    shown = run("digest", "--month", "2026-03", "--as-of", AS_OF, "--include-internal").stdout
    assert "### Engineer swap nearly not announced to a vulnerable customer" in shown
    assert "**Thank you:** Ben Okafor" in shown
    assert "internal record" not in shown


def test_digest_of_a_month_without_records(run: Run) -> None:
    result = run("digest", "--month", "2026-05", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert "0 failures prevented and 0 that reached a customer." in result.stdout
    assert "No near misses were recorded this month." in result.stdout
    assert "| prevention ratio | – | – | – |" in result.stdout


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "2026-00", "March", "2026-03-01"])
def test_digest_bad_month_exits_2(run: Run, month: str) -> None:
    result = run("digest", "--month", month)
    assert result.exit_code == 2
    assert "--month" in result.stderr
    assert "is not a month like 2026-03" in result.stderr
    assert result.stdout == ""


# --- export ---------------------------------------------------------------------------

# nearmiss/cli.py `export` calls click.get_text_stream("stdout"), deprecated since Click 8.3
# (and removed in Click 9): a DeprecationWarning, an error under this suite's
# filterwarnings. test_export_uses_no_deprecated_click_api keeps that visible; the other
# export tests ignore that one warning so that they check what export writes.
tolerate_get_text_stream = pytest.mark.filterwarnings(
    "ignore:'get_text_stream' is deprecated:DeprecationWarning")


def test_export_uses_no_deprecated_click_api(run: Run) -> None:
    result = run("export", "--as-of", AS_OF, "--format", "jsonl")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 11



def export_rows(run: Run, *args: str) -> tuple[Result, list[dict[str, str]]]:
    result = run("export", "--as-of", AS_OF, *args)
    return result, list(csv.DictReader(io.StringIO(result.stdout)))


@tolerate_get_text_stream
def test_export_csv_one_row_per_record(run: Run) -> None:
    result, rows = export_rows(run)
    assert result.exit_code == 0 and result.stderr == ""
    assert list(rows[0]) == list(exports.COLUMNS)
    assert len(rows) == 11
    by_id = {r["id"]: r for r in rows}
    r2 = by_id[R2]
    assert r2["path"] == f"incidents/2026/{R2}.yaml"
    assert r2["root_causes"] == "tools/no-validation; tools/stale-board"
    assert r2["root_cause_categories"] == "tools"
    assert (r2["actions"], r2["actions_open"], r2["actions_overdue"], r2["actions_done"],
            r2["actions_dropped"]) == ("3", "2", "1", "1", "0")
    assert r2["follow_up_date"] == "2026-02-01" and r2["closed"] == ""
    assert r2["team_label"] == "Billing"
    r1 = by_id[R1]
    assert r1["root_causes"] == "tools/stale-board; process/no-buffer"
    assert r1["root_cause_categories"] == "tools; process"
    assert r1["kudos"] == "Tom Reyes (field technician)" and r1["tags"] == "scheduling"
    r11 = by_id[R11]
    assert r11["occurred"] == "2026-03-31T23:30:00-05:00"
    assert (r11["reported"], r11["promise"], r11["caught_how"], r11["root_causes"]) == (
        "", "", "", "")
    assert by_id[R9]["visibility"] == "internal"  # internal records are exported too
    assert by_id[R6]["no_action"].startswith("The buffer action of January")
    assert by_id[R4]["reported"] == "2026-02-06T08:00:00+09:00"
    # the totals agree with `stats`
    assert sum(int(r["actions_overdue"]) for r in rows) == 3
    assert sum(int(r["actions_open"]) for r in rows) == 5
    assert sum(r["kind"] == "near-miss" for r in rows) == 7


@tolerate_get_text_stream
def test_export_jsonl_has_the_same_columns(run: Run) -> None:
    result = run("export", "--as-of", AS_OF, "--format", "jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    items = [json.loads(line) for line in lines]
    assert all(list(item) == list(exports.COLUMNS) for item in items)
    by_id = {item["id"]: item for item in items}
    assert by_id[R2]["root_causes"] == "tools/no-validation; tools/stale-board"
    assert by_id[R2]["actions_overdue"] == 1
    _, rows = export_rows(run)
    assert [r["id"] for r in rows] == [item["id"] for item in items]
    assert {k: str(v) for k, v in by_id[R2].items()} == next(r for r in rows if r["id"] == R2)


@tolerate_get_text_stream
def test_export_skips_a_record_with_errors(log: Path, run: Run) -> None:
    shown = break_record(log, R10, "status: reviewed", "status: done")
    result, rows = export_rows(run)
    assert result.exit_code == 0
    assert len(rows) == 10
    assert R10 not in {r["id"] for r in rows}
    assert "1 record with errors left out" in result.stderr
    assert shown in result.stderr


@tolerate_get_text_stream
def test_export_as_of_judges_actions_not_which_records_are_valid(run: Run) -> None:
    # --as-of says when to judge overdue actions (docs/guide/figures.md); it must not turn the
    # dates after it into "date in the future" errors that drop records from the export,
    # any more than it does for `stats --as-of`.
    result = run("export", "--as-of", "2026-03-10")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stderr == ""
    assert len(rows) == 11
    assert sum(int(r["actions_overdue"]) for r in rows) == 1  # R4's only, as of 03-10


@tolerate_get_text_stream
def test_export_of_the_sample_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLE_LOG.parent)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    runner = cli_runner()
    result = runner.invoke(cli, ["export"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 52
    assert len({r["id"] for r in rows}) == 52
    assert all(r["path"].startswith("incidents/") for r in rows)
    jsonl = runner.invoke(cli, ["export", "--format", "jsonl"], catch_exceptions=False)
    assert len(jsonl.stdout.splitlines()) == 52
    stats = runner.invoke(cli, ["stats", "--format", "json"], catch_exceptions=False)
    assert json.loads(stats.stdout)["records"] == 52


# --- machine-readable outputs, pinned before figures became typed values --------------

@pytest.mark.parametrize(("args", "name"), [
    (["stats", "--format", "json"], "stats.json"),
    (["stats", "--format", "csv"], "stats.csv"),
    (["stats", "--since", "2026-03-01", "--until", "2026-04-30", "--format", "json"],
     "stats-march-april.json"),
    (["actions", "--all", "--format", "json"], "actions-all.json"),
    (["actions", "--format", "csv"], "actions.csv"),
    (["actions", "--format", "markdown"], "actions.md"),
    (["export", "--format", "csv"], "export.csv"),
    (["export", "--format", "jsonl"], "export.jsonl"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_machine_outputs_golden(run: Run, args: list[str], name: str) -> None:
    result = run(*args, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert_golden(name, result.stdout)
