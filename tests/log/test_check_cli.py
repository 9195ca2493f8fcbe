"""`nearmiss check` as CI, editors, pre-commit and people use it: formats, exit codes,
narrowing to given paths, the cache, and colour."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from helpers import (
    add_record,
    build_learning_log,
    cli_runner,
    minimal_near_miss,
    valid_fixtures,
    weaker_only_failure,
)

from nearmiss.cli import cli, main
from nearmiss.log import report
from nearmiss.record.problems import Problem, Severity

N_VALID = len(valid_fixtures())
TEAM_TYPO = "2026-03-14-team-typo.yaml"
OCCURRED_LATER = "2026-03-14-occurred-a-day-later.yaml"
BAD_DUE = "2026-03-14-action-due-next-week.yaml"
TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): "
                       r"(?P<severity>error|warning): (?P<message>.+) \[(?P<code>[a-z-]+)\]$")
ANSI = "\x1b["


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """incidents/ of valid fixtures in a temporary working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return build_learning_log(tmp_path)


def check(*args: str) -> Result:
    return cli_runner().invoke(cli, ["check", *args], catch_exceptions=False)


def add_team_typo(log: Path) -> None:
    add_record(log, TEAM_TYPO, minimal_near_miss(team="field-services"))


def add_warning(log: Path) -> None:
    add_record(log, OCCURRED_LATER, minimal_near_miss(occurred="2026-03-15"))


def add_bad_due(log: Path) -> None:
    add_record(log, BAD_DUE, minimal_near_miss(
        status="reviewed", root_causes="[process/no-buffer]",
        actions="\n  - action: Add a buffer\n    owner: field-service\n    due: next week"
                "\n    status: open",
        follow_up="{date: 2026-03-20}"))


# --- text ---------------------------------------------------------------------------------

def test_valid_log_exits_0_with_a_summary(log: Path) -> None:
    result = check()
    assert result.exit_code == 0
    assert result.stdout == f"checked {N_VALID} records: all good\n"
    assert result.stderr == ""


def test_text_reports_each_problem_on_its_line_then_a_summary(log: Path) -> None:
    add_team_typo(log)
    add_warning(log)

    result = check()

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"incidents/2026/{OCCURRED_LATER}:4:11: warning: the file name starts with 2026-03-14 "
        "but 'occurred' is 2026-03-15; rename the file so its date matches when it occurred "
        "[id-date-mismatch]",
        f"incidents/2026/{TEAM_TYPO}:5:7: error: 'field-services' is not a team of the "
        "taxonomy; did you mean 'field-service'? [unknown-team]",
        f"checked {N_VALID + 2} records: 1 error, 1 warning",
    ]


def test_every_problem_line_follows_the_contract(log: Path) -> None:
    add_team_typo(log)
    add_warning(log)
    add_bad_due(log)

    lines = check().stdout.splitlines()

    problem_lines = lines[:-1]
    assert len(problem_lines) == 4
    for line in problem_lines:
        match = TEXT_LINE.match(line)
        assert match, line
        assert Path(match["path"]).is_file()
        assert int(match["line"]) >= 1 and int(match["column"]) >= 1
    assert lines[-1] == f"checked {N_VALID + 3} records: 3 errors, 1 warning"


def test_problems_are_sorted_by_path_then_position(log: Path) -> None:
    add_team_typo(log)
    add_bad_due(log)
    add_warning(log)

    places = [(m["path"], int(m["line"]), int(m["column"]))
              for m in map(TEXT_LINE.match, check().stdout.splitlines()) if m]

    assert places == sorted(places)


# --- exit codes ---------------------------------------------------------------------------

def test_warnings_alone_exit_0(log: Path) -> None:
    add_warning(log)
    result = check()
    assert result.exit_code == 0
    assert result.stdout.endswith(f"checked {N_VALID + 1} records: 0 errors, 1 warning\n")


def test_warnings_with_strict_exit_1(log: Path) -> None:
    add_warning(log)
    assert check("--strict").exit_code == 1


WEAK_ONLY = weaker_only_failure("2026-03-14", "2026-04-01", "support-desk")


def test_a_failure_fixed_only_by_weaker_actions_warns_and_fails_strict(log: Path) -> None:
    add_record(log, "2026-03-14-late-again.yaml", WEAK_ONLY)
    result = check()
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "incidents/2026/2026-03-14-late-again.yaml:10:1: warning: the 2 actions of this "
        "failure are all weaker ones, which seldom prevent a repeat; add a stronger action, "
        "one that changes the system instead of asking people to remember: Make the wrong "
        "step impossible (forcing function, automation) [weak-actions-only]",
        f"checked {N_VALID + 1} records: 0 errors, 1 warning"]
    assert check("--strict").exit_code == 1
    stronger = WEAK_ONLY.replace("type: training", "type: forcing-function")
    add_record(log, "2026-03-14-late-again.yaml", stronger)
    assert check("--strict").exit_code == 0


def test_errors_exit_1_in_every_format(log: Path) -> None:
    add_team_typo(log)
    for fmt in ("text", "json", "github"):
        assert check("--format", fmt).exit_code == 1


def test_missing_incidents_folder_exits_2(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = check()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "incidents: no such folder of incidents" in result.stderr
    assert "Traceback" not in result.output


def test_missing_given_incidents_folder_exits_2(log: Path) -> None:
    result = check("--incidents", "records")
    assert result.exit_code == 2
    assert "records: no such folder" in result.stderr


def test_incidents_option_naming_a_file_exits_2(log: Path) -> None:
    assert check("--incidents", "incidents/_taxonomy.yaml").exit_code == 2


def test_missing_taxonomy_exits_2(log: Path) -> None:
    (log / "_taxonomy.yaml").unlink()

    result = check("--format", "json")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "incidents/_taxonomy.yaml:1:1: error: no taxonomy found" in result.stderr


def test_missing_taxonomy_names_its_code(log: Path) -> None:
    """The catalogue lists taxonomy-missing and scripts match on codes, so the code must
    appear, as [taxonomy-invalid] does for a broken taxonomy."""
    (log / "_taxonomy.yaml").unlink()
    assert "[taxonomy-missing]" in check().stderr


def test_broken_taxonomy_exits_2_and_points_into_it(log: Path) -> None:
    taxonomy = log / "_taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("  billing: Billing", "  Billing: Billing"))

    result = check()

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "incidents/_taxonomy.yaml:5:3: error: 'Billing' is not a valid key (lower-case "
        "letters, digits, dashes) [taxonomy-invalid]",
        "nearmiss: incidents/_taxonomy.yaml: the taxonomy cannot be used",
    ]


def test_taxonomy_with_bad_yaml_exits_2(log: Path) -> None:
    (log / "_taxonomy.yaml").write_text("teams: [billing\n")
    result = check()
    assert result.exit_code == 2
    assert "[yaml-syntax]" in result.stderr


@pytest.mark.parametrize("args", [
    ["--format", "xml"], ["--bogus"], ["incidents/2026/2026-01-01-no-such-file.yaml"],
], ids=["unknown format", "unknown option", "path that does not exist"])
def test_bad_usage_exits_2(args: list[str], log: Path) -> None:
    result = check(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_internal_error_exits_2_without_a_traceback(
        log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("nearmiss.cli.check_tree", explode)
    monkeypatch.setattr(sys, "argv", ["nearmiss", "check"])
    monkeypatch.delenv("NEARMISS_DEBUG", raising=False)

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


# --- json -------------------------------------------------------------------------------

def test_json_for_a_valid_log(log: Path) -> None:
    result = check("--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"files": N_VALID, "errors": 0, "warnings": 0,
                                         "problems": []}


def test_json_shape_and_field_pointers(log: Path) -> None:
    add_bad_due(log)
    add_warning(log)

    result = check("--format", "json")

    data = json.loads(result.stdout)
    assert (data["files"], data["errors"], data["warnings"]) == (N_VALID + 2, 2, 1)
    for problem in data["problems"]:
        assert {"path", "line", "column", "severity", "code", "field", "message"} <= set(problem)
        assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
        assert problem["severity"] in ("error", "warning")
    by_field = {p["field"]: p for p in data["problems"]}
    assert by_field["/actions/0/due"] == {**by_field["/actions/0/due"],
                                          "path": f"incidents/2026/{BAD_DUE}", "line": 13,
                                          "column": 10, "severity": "error",
                                          "code": "invalid-date"}
    assert by_field["/follow_up/how"]["code"] == "missing-field"
    assert by_field["/occurred"]["severity"] == "warning"


# --- github -----------------------------------------------------------------------------

def test_github_annotations(log: Path) -> None:
    add_team_typo(log)
    add_warning(log)

    lines = check("--format", "github").stdout.splitlines()

    assert lines == [
        f"::warning file=incidents/2026/{OCCURRED_LATER},line=4,col=11,title=id-date-mismatch"
        "::the file name starts with 2026-03-14 but 'occurred' is 2026-03-15 (rename the file "
        "so its date matches when it occurred)",
        f"::error file=incidents/2026/{TEAM_TYPO},line=5,col=7,title=unknown-team::"
        "'field-services' is not a team of the taxonomy (did you mean 'field-service'?)",
        f"checked {N_VALID + 2} records: 1 error, 1 warning",
    ]


def test_github_escapes_what_would_break_a_workflow_command() -> None:
    problem = Problem("odd,name:100%.yaml", 3, 4, Severity.ERROR, "yaml-syntax",
                      "first line\nsecond 50%")
    first = report.github(1, [problem]).splitlines()[0]
    assert first == ("::error file=odd%2Cname%3A100%25.yaml,line=3,col=4,title=yaml-syntax::"
                     "first line%0Asecond 50%25")


# --- narrowing to given paths -----------------------------------------------------------

@pytest.fixture
def two_broken_folders(log: Path) -> Path:
    add_team_typo(log)
    add_record(log, "2025-11-02-old-typo.yaml",
               minimal_near_miss(occurred="2025-11-02", severity="urgent"), "2025")
    return log


def test_path_narrows_the_report_and_keeps_its_spelling(two_broken_folders: Path) -> None:
    result = check(f"./incidents/2026/{TEAM_TYPO}")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"./incidents/2026/{TEAM_TYPO}:5:7: error: 'field-services' is not a team of the "
        "taxonomy; did you mean 'field-service'? [unknown-team]",
        "checked 1 record: 1 error, 0 warnings",
    ]


def test_folder_path_narrows_to_the_files_below_it(two_broken_folders: Path) -> None:
    result = check("incidents/2025")
    assert result.exit_code == 1
    assert [m["path"] for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m] == [
        "incidents/2025/2025-11-02-old-typo.yaml"]
    assert result.stdout.endswith("checked 1 record: 1 error, 0 warnings\n")


def test_narrowing_to_a_clean_file_exits_0_despite_errors_elsewhere(
        two_broken_folders: Path) -> None:
    result = check("incidents/2026/2026-02-02-minimal-open-near-miss.yaml")
    assert result.exit_code == 0
    assert result.stdout == "checked 1 record: all good\n"


def test_narrowed_file_is_still_checked_against_the_whole_tree(log: Path) -> None:
    add_record(log, "2025-11-02-earlier-story.yaml",
               minimal_near_miss(occurred="2025-11-02"), "2025")
    add_record(log, "2026-03-14-same-story.yaml",
               minimal_near_miss(related="[2025-11-02-earlier-story, 2025-11-03-missing]"))

    result = check("--format", "json", "incidents/2026/2026-03-14-same-story.yaml")

    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["field"]) for p in problems] == [("unknown-related", "/related/1")]


def test_narrowed_file_reports_an_id_used_elsewhere(log: Path) -> None:
    name = "2026-02-02-minimal-open-near-miss.yaml"
    add_record(log, name, (log / "2026" / name).read_bytes(), "2026/archive")

    result = check(f"incidents/2026/archive/{name}")

    assert [m["code"] for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m] == [
        "duplicate-id"]
    assert result.exit_code == 1


def test_records_outside_their_year_folder_are_warned_with_the_move(log: Path) -> None:
    add_record(log, "2026-03-14-filed-last-year.yaml", minimal_near_miss(), "2025")
    add_record(log, "2026-03-15-no-year-folder.yaml", minimal_near_miss(occurred="2026-03-15"),
               "")
    add_record(log, "2026-03-16-team-folder.yaml", minimal_near_miss(occurred="2026-03-16"),
               "2026/billing")

    result = check()

    assert result.exit_code == 0, "warnings alone pass"
    assert result.stdout.splitlines() == [
        "incidents/2025/2026-03-14-filed-last-year.yaml:1:1: warning: the record is in the "
        "folder for 2025, but its file name dates it in 2026; move it to "
        "incidents/2026/2026-03-14-filed-last-year.yaml [wrong-year-folder]",
        "incidents/2026-03-15-no-year-folder.yaml:1:1: warning: the record is directly in the "
        "incidents folder, not in a year folder; records go in a folder named after the year "
        "of their date; move it to incidents/2026/2026-03-15-no-year-folder.yaml "
        "[not-in-year-folder]",
        f"checked {N_VALID + 3} records: 0 errors, 2 warnings",
    ]
    assert check("--strict").exit_code == 1
    narrowed = check("--format", "json", "incidents/2025")
    assert [(p["code"], p["line"], p["column"], p["severity"])
            for p in json.loads(narrowed.stdout)["problems"]] == [
        ("wrong-year-folder", 1, 1, "warning")]


def test_taxonomy_as_a_path_reports_no_record(log: Path) -> None:
    # pre-commit passes every changed *.yaml under incidents/, the taxonomy included.
    result = check("incidents/_taxonomy.yaml")
    assert result.exit_code == 0
    assert result.stdout == "checked 0 records: all good\n"


def test_discovered_paths_are_relative_to_the_working_directory(
        log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_team_typo(log)
    elsewhere = log.parent / "docs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    relative = check("--incidents", "../incidents").stdout
    absolute = check("--incidents", str(log)).stdout

    assert relative.startswith(f"../incidents/2026/{TEAM_TYPO}:5:7: error:")
    assert absolute == relative


# --- the cache --------------------------------------------------------------------------

def test_cache_run_gives_the_same_output_as_a_fresh_one(
        log: Path, private_cache_dir: Path) -> None:
    add_team_typo(log)
    add_warning(log)
    before = sorted(p.relative_to(log.parent) for p in log.parent.rglob("*"))

    first = check()
    assert list(private_cache_dir.iterdir()), "the first run should fill the cache"
    second = check()
    fresh = check("--no-cache")

    assert first.exit_code == second.exit_code == fresh.exit_code == 1
    assert first.stdout == second.stdout == fresh.stdout
    after = sorted(p.relative_to(log.parent) for p in log.parent.rglob("*"))
    assert after == before, "the cache must never be written into the repository"


def test_no_cache_writes_no_cache(log: Path, private_cache_dir: Path) -> None:
    check("--no-cache")
    assert list(private_cache_dir.iterdir()) == []


def test_cache_notices_an_edited_record(log: Path) -> None:
    add_team_typo(log)
    assert check().exit_code == 1
    add_record(log, TEAM_TYPO, minimal_near_miss(team="field-service"))
    result = check()
    assert result.exit_code == 0
    assert result.stdout.endswith("all good\n")


def test_cache_notices_an_edited_taxonomy(log: Path) -> None:
    assert check().exit_code == 0
    taxonomy = log / "_taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("  billing: Billing\n", ""))

    result = check()

    assert result.exit_code == 1
    assert "'billing' is not a team of the taxonomy;" in result.stdout


def test_damaged_cache_is_only_a_slower_run(log: Path, private_cache_dir: Path) -> None:
    add_team_typo(log)
    expected = check().stdout
    for cached in private_cache_dir.iterdir():
        cached.write_bytes(b"not a pickle")
    assert check().stdout == expected


# --- colour -----------------------------------------------------------------------------

def test_no_colour_when_output_is_not_a_terminal(log: Path) -> None:
    add_team_typo(log)
    result = cli_runner().invoke(cli, ["check"], color=True, catch_exceptions=False)
    assert ANSI not in result.output


def test_use_colour_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.use_colour(True) is True
    assert report.use_colour(False) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert report.use_colour(True) is False


def test_text_colours_only_the_severity() -> None:
    problem = Problem("a.yaml", 1, 2, Severity.ERROR, "empty-file", "the file is empty")
    coloured = report.text(1, [problem], colour=True).splitlines()[0]
    assert ANSI in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == \
        "a.yaml:1:2: error: the file is empty [empty-file]"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)],
                         ids=["terminal", "terminal with NO_COLOR"])
def test_colour_on_a_real_terminal(no_color: str | None, coloured: bool, log: Path,
                                   private_cache_dir: Path) -> None:
    add_team_typo(log)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["NEARMISS_CACHE_DIR"] = str(private_cache_dir)
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = os.openpty()
    try:
        run = subprocess.run([sys.executable, "-m", "nearmiss", "check"], stdout=follower,
                             stderr=subprocess.PIPE, cwd=log.parent, env=env, timeout=120)
        os.close(follower)
        follower = -1
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO once the terminal is drained and closed
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert run.returncode == 1, run.stderr
    assert (ANSI.encode() in output) is coloured
    assert b"[unknown-team]" in output
