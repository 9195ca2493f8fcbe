"""`nearmiss stats --window --baseline` and the signals in every output, through the
command line, on a small log whose manual hand-offs tripled in the last 90 days."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from helpers import build_rising_log, cli_runner

from nearmiss.cli import cli

AS_OF = date(2026, 11, 30)


@pytest.fixture
def rising_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A year of 12 records per cause, then 3 per cause in the window, but 12 hand-offs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    return build_rising_log(tmp_path, AS_OF)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return cli_runner().invoke(cli, ["stats", "--as-of", AS_OF.isoformat(), *args],
                               catch_exceptions=False, env=env)


def test_json_lists_the_rise_with_the_contract_keys(rising_log: Path) -> None:
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # the category rises with its cause: 15 against 24 x 90/365 = 5.92
    assert [(s["dimension"], s["key"], s["observed"]) for s in data["signals"]] == [
        ("cause", "process/manual-handoff", 12), ("category", "process", 15)]
    signal = data["signals"][0]
    assert set(signal) == {"dimension", "key", "label", "observed", "expected", "p_value",
                           "window_start", "window_end"}
    # 12 in the window against 12 in the 365 days before: 12 x 90/365 = 2.96 expected
    assert (signal["observed"], signal["expected"]) == (12, 2.96)
    assert signal["label"] == "Work passes between teams by hand"
    assert (signal["window_start"], signal["window_end"]) == ("2026-09-02", "2026-11-30")
    assert 0 < signal["p_value"] <= 0.05
    assert data["signals_tested"]["baseline_start"] == "2025-09-02"


def test_window_and_baseline_options(rising_log: Path) -> None:
    data = json.loads(run("--format", "json", "--window", "30", "--baseline", "200").stdout)
    assert data["signals_tested"]["window_start"] == "2026-11-01"
    assert data["signals_tested"]["baseline_start"] == "2026-04-15"
    # a window longer than the log's history before it: nothing is tested
    young = json.loads(run("--format", "json", "--window", "400").stdout)
    assert young["signals"] == [] and young["signals_tested"]["baseline_start"] is None
    text = run("--window", "400").stdout
    assert "Not tested: the log has less than 400 days of history before the last 400" in text


@pytest.mark.parametrize("option", ["--window", "--baseline"])
@pytest.mark.parametrize("value", ["0", "-3", "ninety", "1.5"])
def test_bad_days_exit_2(rising_log: Path, option: str, value: str) -> None:
    result = run(option, value)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert option in result.stderr


def test_text_says_what_rose_within_80_columns(rising_log: Path) -> None:
    result = run(env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
    section = result.stdout.split("Rising (2026-09-02 to 2026-11-30)")[1].split("\n\n")[0]
    rows = [line.split() for line in section.splitlines()]
    assert rows[-3][:4] == ["what", "rose", "last", "90"]
    assert rows[-2][:4] == ["cause", "process/manual-handoff", "12", "3"]
    assert rows[-1][:4] == ["category", "process", "15", "5.9"]


def test_markdown_and_csv_carry_the_signals(rising_log: Path) -> None:
    markdown = run("--format", "markdown").stdout
    assert "## Rising (2026-09-02 to 2026-11-30)" in markdown
    assert "| cause process/manual-handoff | 12 | 3 | 0.007 |" in markdown
    rows = list(csv.reader(io.StringIO(run("--format", "csv").stdout)))
    mine = {(r[2], r[3]) for r in rows if r[0] == "signals"}
    assert {("dimension", "cause"), ("observed", "12"), ("expected", "2.96")} <= mine
    assert {r[1] for r in rows if r[0] == "signals"} == {"cause:process/manual-handoff",
                                                       "category:process"}


def test_the_digest_says_what_is_rising(rising_log: Path) -> None:
    result = cli_runner().invoke(cli, ["digest", "--month", "2026-11", "--as-of",
                                       "2026-12-05"], catch_exceptions=False)
    assert result.exit_code == 0
    rising = result.stdout.split("## Rising as of 2026-11-30")[1].split("\n## ")[0]
    assert "- cause **Work passes between teams by hand** is up: 12 in the last 90 days" \
        in rising
    earlier = cli_runner().invoke(cli, ["digest", "--month", "2026-01", "--as-of",
                                        "2026-12-05"], catch_exceptions=False).stdout
    assert "## Rising as of 2026-01-31" in earlier and "Too early to tell" in earlier
