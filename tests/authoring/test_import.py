"""`nearmiss import FILE.csv`: messy sheets in, checked records out, all or nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, cli_runner
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.authoring import importer
from nearmiss.cli import cli
from nearmiss.log.checker import check_tree
from nearmiss.log.csvcells import TRIGGERS, restored, safe
from nearmiss.record.rules import DEFAULT_SETTINGS
from nearmiss.record.taxonomy import Taxonomy, Term

STORY = "The refund was queued twice.\r\nThe second approval noticed: \"twice?\""
QUOTED_STORY = '"' + STORY.replace('"', '""') + '"'


def run(*args: str) -> tuple[int, str, str]:
    result = cli_runner().invoke(cli, ["import", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def written(log: Path) -> list[Path]:
    return sorted(p for p in log.rglob("*.yaml") if not p.name.startswith("_"))


def sheet(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_messy_spreadsheet_export_becomes_checked_records(log: Path) -> None:
    # what a spreadsheet in a European locale saves: BOM, CRLF, ';' between cells, a quoted
    # line break, labels instead of keys, headers in words
    csv_file = sheet(log.parent / "old.csv", (
        "\ufeffTitle;Kind;Status;Occurred;Team;Touch point;Severity;What happened;"
        "Caught by;Root causes;Kudos;No action\r\n"
        "Refund nearly sent twice;Near miss;open;2026-03-14;Support desk;phone;Medium;"
        + QUOTED_STORY + ";The second approval;;\"Priya; the night shift\";\r\n"
        "Visit booked without a gap;near-miss;Reviewed;2026-03-20;field_service;Home visit;"
        "low;It overran.;Dispatch saw it;No slack between bookings;;Buffer added at once\r\n"))

    code, out, err = run(str(csv_file))

    assert (code, err) == (0, ""), out
    first, second = written(log)
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    assert first.relative_to(log).as_posix() == "2026/2026-03-14-refund-nearly-sent-twice.yaml"
    assert (data["kind"], data["team"], data["touchpoint"], data["severity"]) == (
        "near-miss", "support-desk", "phone", "medium")
    assert data["what_happened"] == STORY.replace("\r\n", "\n") + "\n"
    assert data["kudos"] == ["Priya", "the night shift"]
    assert yaml.safe_load(second.read_text(encoding="utf-8"))["root_causes"] == [
        "process/no-buffer"]
    assert check_tree(log, date.today()).problems == []
    assert "wrote 2 records to incidents" in out


def test_a_bad_row_writes_nothing_and_is_reported_at_its_line_and_column(log: Path) -> None:
    # row 2 spans lines 2-3 (a quoted line break), so the bad row 3 starts on line 4
    csv_file = sheet(log.parent / "old.csv", (
        "title,kind,occurred,team,severity,what_happened,caught_by\n"
        "Good one,near-miss,2026-03-14,billing,low,\"two\nlines\",a colleague\n"
        "Bad one,near-miss,2026-03-15,accounts,low,story,a colleague\n"))

    code, out, _ = run(str(csv_file))

    assert code == 1
    assert written(log) == []
    assert out.splitlines()[0].startswith(
        "old.csv:4:4: error: 'accounts' is not a team of the taxonomy")
    assert out.splitlines()[0].endswith("[unknown-team]")
    assert out.splitlines()[-1] == "nothing was written: 1 error in old.csv"


def test_an_existing_file_is_refused_and_nothing_is_written(log: Path) -> None:
    (log / "2026").mkdir()
    existing = log / "2026" / "2026-03-14-refund-nearly-sent-twice.yaml"
    existing.write_text("title: mine\n", encoding="utf-8")
    csv_file = sheet(log.parent / "old.csv", (
        "id,title,kind,occurred,team,severity,what_happened,caught_by\n"
        "2026-03-15-other,Other,near-miss,2026-03-15,billing,low,story,someone\n"
        "2026-03-14-refund-nearly-sent-twice,Refund,near-miss,2026-03-14,billing,low,s,x\n"))

    code, out, _ = run(str(csv_file))

    assert code == 1
    assert existing.read_text(encoding="utf-8") == "title: mine\n"
    assert written(log) == [existing]
    assert ("old.csv:3:1: error: incidents/2026/2026-03-14-refund-nearly-sent-twice.yaml "
            "already exists") in out
    assert "[record-exists]" in out


def test_formula_cells_are_neutralised_on_export_and_restored_on_import(
        log: Path, tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://example.invalid","open")'
    (log / "2026").mkdir()
    (log / "2026" / "2026-03-14-link.yaml").write_text(
        f"title: '{hostile}'\nkind: near-miss\nstatus: open\noccurred: 2026-03-14\n"
        "team: billing\nseverity: low\nwhat_happened: \"-1 refund, @billing\"\n"
        "caught_by: \"+ a colleague\"\nkudos: [\"\\tTab\", \"\\rCR\"]\n", encoding="utf-8")
    runner = cli_runner()
    exported = runner.invoke(cli, ["export", "--format", "csv"], catch_exceptions=False).stdout
    jsonl = runner.invoke(cli, ["export", "--format", "jsonl"], catch_exceptions=False).stdout

    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["title"] == "'" + hostile
    assert (row["what_happened"], row["caught_by"]) == ("'-1 refund, @billing", "'+ a colleague")
    assert row["kudos"] == "'\tTab; \rCR"  # one cell, neutralised once
    assert row["actions"] == "0"  # numbers the tool wrote are left alone
    assert json.loads(jsonl)["title"] == hostile  # JSON Lines are never altered

    new_log = tmp_path / "new" / "incidents"
    new_log.mkdir(parents=True)
    shutil.copy(log / "_taxonomy.yaml", new_log)
    csv_file = sheet(tmp_path / "export.csv", exported)
    code, out, _ = run(str(csv_file), "--incidents", str(new_log))
    assert code == 0, out
    (record,) = check_tree(new_log, date.today()).records
    assert (record.title, record.what_happened, record.caught_by) == (
        hostile, "-1 refund, @billing\n", "+ a colleague\n")  # Markdown: a block


@given(st.text(max_size=30))
def test_a_safe_cell_reads_back_as_written(text: str) -> None:
    cell = safe(text)
    assert isinstance(cell, str)
    assert not cell.startswith(TRIGGERS)
    if not (text.startswith("'") and text[1:].startswith(TRIGGERS)):
        assert restored(cell) == text  # the one text it cannot tell: ' then a trigger


def test_numbers_the_tool_computed_are_never_quoted() -> None:
    assert (safe(-3), safe(-0.5), safe("-3")) == (-3, -0.5, "'-3")


_TITLES = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                  min_size=1, max_size=120).filter(lambda t: t.strip() != "")


@settings(max_examples=60, deadline=None)
@given(_TITLES)
def test_any_title_survives_export_safety_and_import(
        tmp_path_factory: pytest.TempPathFactory, title: str) -> None:
    folder = tmp_path_factory.mktemp("t")
    out = io.StringIO()
    csv.writer(out).writerows([["title", "kind", "occurred", "team", "severity",
                                "what_happened", "caught_by"],
                               [safe(title), "near-miss", "2026-03-14", "billing", "low",
                                "story", "someone"]])
    csv_file = sheet(folder / "sheet.csv", out.getvalue())
    taxonomy = Taxonomy(teams={"billing": Term("billing", "Billing")})
    plan = importer.plan(csv_file, folder / "incidents", taxonomy, DEFAULT_SETTINGS,
                         mapping={}, date_format=None, today=date(2026, 4, 1), existing={})
    (record,) = plan.records
    assert yaml.safe_load(record.text)["title"] == title


def test_the_sample_log_round_trips_through_export_and_import(tmp_path: Path) -> None:
    runner = cli_runner()
    exported = runner.invoke(cli, ["export", "--incidents", str(ROOT / "incidents")],
                             catch_exceptions=False).stdout
    new_log = tmp_path / "incidents"
    new_log.mkdir()
    shutil.copy(ROOT / "incidents" / "_taxonomy.yaml", new_log)
    csv_file = sheet(tmp_path / "export.csv", exported)

    code, out, _ = run(str(csv_file), "--incidents", str(new_log))

    assert code == 0, out
    before = {r.id: r for r in check_tree(ROOT / "incidents", date.today()).records}
    after = check_tree(new_log, date.today())
    assert after.problems == []
    assert {r.id for r in after.records} == set(before) and len(before) == 52
    for record in after.records:
        for f in fields(record):
            if f.name != "path":
                assert getattr(record, f.name) == getattr(before[record.id], f.name), \
                    (record.id, f.name)


def test_map_and_date_format_read_another_sheets_columns(log: Path) -> None:
    csv_file = sheet(log.parent / "old.csv", (
        "Summary,Type,When,Dept,Impact,Notes,Saved by,Ticket\n"
        "Refund nearly sent twice,Failure,14/03/2026,Billing,High,story,,SD-1\n"))

    code, _, err = run(str(csv_file), "--map", "what_happened=Notes", "--map",
                       "customer_impact=Notes")

    assert code == 2  # a column carries one field
    assert "column 'Notes' is mapped to both what_happened and customer_impact" in err
    code, out, _ = run(str(csv_file), "--map", "title=Summary", "--map", "kind=Type",
                       "--map", "occurred=When", "--map", "team=dept", "--map",
                       "severity=Impact", "--map", "customer_impact=Notes", "--map",
                       "what_happened=Saved by", "--date-format", "%d/%m/%Y")
    assert code == 1 and "old.csv:2:7: error: the field 'what_happened' is required" in out
    sheet(csv_file, csv_file.read_text(encoding="utf-8").replace(",,SD-1", ",It did,SD-1"))
    code, out, _ = run(str(csv_file), "--map", "title=Summary", "--map", "kind=Type",
                       "--map", "occurred=When", "--map", "team=dept", "--map",
                       "severity=Impact", "--map", "customer_impact=Notes", "--map",
                       "what_happened=Saved by", "--date-format", "%d/%m/%Y")
    assert code == 0, out
    (path,) = written(log)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["occurred"], data["kind"], data["customer_impact"]) == (
        date(2026, 3, 14), "failure", "story\n")
    assert data["extra"] == {"Ticket": "SD-1"}  # an unmapped column is never lost


def test_a_date_that_is_not_iso_says_how_to_give_the_format(log: Path) -> None:
    csv_file = sheet(log.parent / "old.csv", (
        "title,kind,occurred,team,severity,what_happened,caught_by\n"
        "One,near-miss,14/03/2026,billing,low,story,someone\n"))
    code, out, _ = run(str(csv_file))
    assert code == 1
    assert out.startswith("old.csv:2:3: error: '14/03/2026' is not an ISO date")
    assert "--date-format %d/%m/%Y" in out
    code, out, _ = run(str(csv_file), "--date-format", "%m/%d/%Y")
    assert "old.csv:2:3: error: '14/03/2026' does not match --date-format %m/%d/%Y" in out


def test_a_dry_run_writes_nothing_and_lists_what_it_would(log: Path) -> None:
    csv_file = sheet(log.parent / "old.csv", (
        "title,kind,occurred,team,severity,what_happened,caught_by\n"
        "Same title,near-miss,2026-03-14,billing,low,story,someone\n"
        "Same title,near-miss,2026-03-14,billing,low,story again,someone else\n"))

    code, out, _ = run(str(csv_file), "--dry-run")

    assert code == 0 and written(log) == []
    assert out.splitlines() == [
        "would write incidents/2026/2026-03-14-same-title.yaml (row 2: near-miss, open) "
        "Same title",
        "would write incidents/2026/2026-03-14-same-title-2.yaml (row 3: near-miss, open) "
        "Same title",
        "would write 2 records to incidents; run again without --dry-run to write them"]
    code, out, _ = run(str(csv_file), "--dry-run", "--format", "json")
    report = json.loads(out)
    assert (code, report["written"], report["errors"]) == (0, False, 0)
    assert [r["id"] for r in report["records"]] == ["2026-03-14-same-title",
                                                    "2026-03-14-same-title-2"]


def test_json_and_github_formats_report_the_rows(log: Path) -> None:
    csv_file = sheet(log.parent / "old.csv", (
        "title,kind,occurred,team,severity,what_happened,caught_by\n"
        "One,near-miss,2026-03-14,billing,huge,story,someone\n"))
    code, out, _ = run(str(csv_file), "--format", "json")
    (problem,) = json.loads(out)["problems"]
    assert (code, problem["path"], problem["line"], problem["column"], problem["code"],
            problem["field"]) == (1, "old.csv", 2, 5, "invalid-choice", "/severity")
    code, out, _ = run(str(csv_file), "--format", "github")
    assert code == 1
    assert out.startswith("::error file=old.csv,line=2,col=5,title=invalid-choice::")


def test_a_sheet_that_cannot_be_imported_exits_2(log: Path) -> None:
    csv_file = log.parent / "old.csv"
    csv_file.write_bytes("title\nCaf\xe9\n".encode("latin-1"))
    code, _, err = run(str(csv_file))
    assert code == 2 and "not UTF-8 text" in err and "CSV UTF-8" in err
    sheet(csv_file, "title\nOne\n")
    code, _, err = run(str(csv_file), "--map", "title=Summary")
    assert code == 2 and "the sheet has no column 'Summary'" in err
