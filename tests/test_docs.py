"""The user guide keeps up with the code: every rule code, field and command is documented."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT, cli_runner, weaker_only_failure

from nearmiss.cli import cli
from nearmiss.record.model import ACTION_FIELDS, FIELDS
from nearmiss.record.problems import CODES

DOCS = ROOT / "docs"
README = DOCS.parent / "README.md"


def test_every_rule_code_is_documented_with_its_meaning() -> None:
    rules = (DOCS / "guide" / "rules.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", rules, re.M))
    assert documented == CODES


def test_every_field_is_documented() -> None:
    fields = (DOCS / "guide" / "fields.md").read_text(encoding="utf-8")
    for name in [*FIELDS, *ACTION_FIELDS]:
        assert f"| `{name}` |" in fields, name


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"`nearmiss {name}" in readme, name


def test_readme_quick_start_has_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, re.M)
    assert commands == ["make serve", "make test"]
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_the_sample_log_is_in_canonical_form() -> None:
    from nearmiss.authoring.fmt import format_text

    for record in sorted((DOCS.parent / "incidents").rglob("2*.yaml")):
        text = record.read_text(encoding="utf-8")
        assert format_text(text) == text, f"run `nearmiss fmt` on {record}"


def install_texts() -> dict[str, str]:
    """Everything a user copies an install line from: the README, the guide, the hook
    file and what `nearmiss init` writes."""
    from nearmiss.authoring import scaffold

    texts = {str(p.relative_to(DOCS.parent)): p.read_text(encoding="utf-8")
             for p in [README, DOCS.parent / ".pre-commit-hooks.yaml", *DOCS.rglob("*.md")]}
    texts.update({f"init:{name}": text
                  for name, text in scaffold.files(date(2026, 3, 14)).items()})
    return texts


def test_every_install_line_names_our_distribution_at_this_version() -> None:
    from nearmiss import __version__

    lines = [(where, line) for where, text in install_texts().items()
             for line in text.splitlines()
             if re.search(r"pip (install|download)|additional_dependencies", line)]
    assert len(lines) >= 8, lines
    pinned = (f"nearmiss-log=={__version__}", f"nearmiss-log[site]=={__version__}",
              f"nearmiss_log-{__version__}-py3-none-any.whl", f".git@v{__version__}")
    for where, line in lines:
        assert any(pin in line for pin in pinned), (where, line)
        assert set(re.findall(r"==(\d[\w.]*)", line)) <= {__version__}, (where, line)


def test_every_pinned_hook_revision_is_this_version() -> None:
    from nearmiss import __version__

    revisions = [(where, rev) for where, text in install_texts().items()
                 for rev in re.findall(r"^\s*rev: (\S+)", text, re.M)]
    assert revisions and all(rev == f"v{__version__}" for _, rev in revisions), revisions


def test_the_api_page_names_exactly_the_public_api_and_its_example_runs(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import nearmiss

    page = (DOCS / "guide" / "api.md").read_text(encoding="utf-8")
    names = page.split("## The names", 1)[1].split("\n## ", 1)[0]
    listed = {name for row in re.findall(r"^\| (`.+?`) \|", names, re.M)
              for name in re.findall(r"`(\w+)", row)}
    public = set(nearmiss.__all__) - {"__version__"}
    assert public == set(nearmiss._API)
    assert listed == public
    assert all(getattr(nearmiss, name) is not None for name in public)
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(example, "api.md", "exec"), {})  # our own documented example
    printed = capsys.readouterr().out.splitlines()
    records = nearmiss.check_tree(ROOT / "incidents", date.today())
    stats = nearmiss.compute(records.records, records.taxonomy, date.today())
    assert printed == [str(stats.overall.prevention_ratio), str(stats.overall.near_misses)]


# --- every output the docs show is what the command prints ------------------------------
#
# A console block in README.md or docs/guide/*.md whose output is tested starts right
# after a marker naming the scenario it runs in:
#
#     <!-- tested-output: sample-log -->
#     ```console
#     $ nearmiss check
#     checked 52 records: all good
#     ```
#
# Each `$ ` line is run with CliRunner (stdout and stderr as a terminal shows them, at
# COLUMNS=80, on DOCS_TODAY) in a temporary folder the scenario prepares, and the lines up
# to the next `$ ` must be exactly what it printed. After a change of wording or layout,
#
#     NEARMISS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_docs.py
#
# rewrites those lines in place; read the diff before committing it.

DOCS_TODAY = date(2026, 12, 1)  # after every record of the sample log
DOCUMENTS = [README, *sorted((DOCS / "guide").glob("*.md"))]
MARKER = re.compile(r"^<!-- tested-output: (?P<scenario>[a-z-]+) -->\n```console\n"
                    r"(?P<body>.*?)^```$", re.M | re.S)


def _sample_log(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "incidents", work / "incidents")


def _sample_log_with_a_typo(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sample_log(work, monkeypatch)
    record = work / "incidents" / "2026" / "2026-03-14-courtesy-call-nearly-skipped.yaml"
    text = record.read_text(encoding="utf-8")
    assert "\nteam: field-service\n" in text
    record.write_text(text.replace("\nteam: field-service\n", "\nteam: field-servce\n"),
                      encoding="utf-8")


UNQUOTED_TIME = """\
title: Callback nearly booked into the wrong slot
kind: near-miss
status: open
occurred: 2026-04-02
team: support-desk
severity: low
what_happened: The callback form offered the slot before the one the customer chose.
caught_by: The agent read the booking back to the customer.
whys:
  - The form lists slots by their start time
  - 10:30
"""


def _sample_log_with_an_unquoted_time(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sample_log(work, monkeypatch)
    (work / "incidents" / "2026" / "2026-04-02-callback-nearly-in-wrong-slot.yaml"
     ).write_text(UNQUOTED_TIME, encoding="utf-8")


WEAKER_ACTIONS_ONLY = weaker_only_failure("2026-11-20", "2026-12-15", "dispatch")


def _sample_log_with_weaker_actions_only(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sample_log(work, monkeypatch)
    (work / "incidents" / "2026" / "2026-11-20-technician-late-again.yaml"
     ).write_text(WEAKER_ACTIONS_ONLY, encoding="utf-8")


A_SHEET = """\
title,kind,occurred,team,severity,what_happened,caught_by
Refund nearly sent twice,Near miss,2026-03-14,Billing,Medium,"A refund was keyed twice
after the first screen froze.",The second approver saw the same amount twice.
"""
OWN_HEADERS = """\
Summary;Kind;Date;Team;Severity;Description;Caught by
Parcel nearly sent to the old flat;Near miss;14/03/2026;Delivery;Low;The label still had the \
old address.;The packer compared the label with the slip.
"""


def _a_sheet_to_import(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sample_log(work, monkeypatch)
    (work / "old-log.csv").write_text(A_SHEET, encoding="utf-8", newline="")


def _a_sheet_with_its_own_headers(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sample_log(work, monkeypatch)
    (work / "old-log.csv").write_text(OWN_HEADERS, encoding="utf-8", newline="")


def _without_the_site_extra(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if nh3 were not installed: importing the site package fails as it then would."""
    import builtins

    _sample_log(work, monkeypatch)
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "nearmiss.site" or name.startswith("nearmiss.site."):
            raise ModuleNotFoundError("No module named 'nh3'", name="nh3")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def _empty_folder(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pass


SCENARIOS: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    "sample-log": _sample_log,
    "sample-log-with-a-typo": _sample_log_with_a_typo,
    "sample-log-with-an-unquoted-time": _sample_log_with_an_unquoted_time,
    "sample-log-with-weaker-actions-only": _sample_log_with_weaker_actions_only,
    "a-sheet-to-import": _a_sheet_to_import,
    "a-sheet-with-its-own-headers": _a_sheet_with_its_own_headers,
    "without-the-site-extra": _without_the_site_extra,
    "empty-folder": _empty_folder,
}


class _DocsDate(date):
    @classmethod
    def today(cls) -> _DocsDate:
        return cls(DOCS_TODAY.year, DOCS_TODAY.month, DOCS_TODAY.day)


def _tested_blocks() -> list[tuple[Path, int]]:
    return [(path, n) for path in DOCUMENTS
            for n, _ in enumerate(MARKER.finditer(path.read_text(encoding="utf-8")))]


def _steps(body: str) -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for each `$ ` line of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line)
    return steps


def _run(command: str) -> list[str]:
    """What `command` prints in the current folder, as lines."""
    words = shlex.split(command)
    redirect = None
    if len(words) > 2 and words[-2] == ">":
        words, redirect = words[:-2], words[-1]
    assert Path(words[0]).name == "nearmiss", f"not a nearmiss command: {command}"
    if redirect:  # stdout goes to the file: only stderr is shown
        result = cli_runner().invoke(cli, words[1:], catch_exceptions=False)
        Path(redirect).write_text(result.stdout, encoding="utf-8")
        shown = result.stderr
    else:  # stdout and stderr, interleaved as a terminal shows them (on every Click)
        shown = CliRunner().invoke(cli, words[1:], catch_exceptions=False).output
    return [line.rstrip() for line in shown.rstrip("\n").splitlines()] if shown else []


@pytest.mark.parametrize(("path", "n"), _tested_blocks(),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path)
                         else str(v))
def test_shown_output_is_what_the_command_prints(path: Path, n: int, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    match = list(MARKER.finditer(path.read_text(encoding="utf-8")))[n]
    scenario = match["scenario"]
    assert scenario in SCENARIOS, f"{path.name}: no scenario {scenario!r} in {__file__}"
    work = tmp_path / "work"
    work.mkdir()
    SCENARIOS[scenario](work, monkeypatch)
    monkeypatch.chdir(work)
    monkeypatch.setattr("nearmiss.cli.date", _DocsDate)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    steps = _steps(match["body"])
    printed = [(command, _run(command)) for command, _ in steps]
    if os.environ.get("NEARMISS_UPDATE_GOLDEN") == "1":
        text = path.read_text(encoding="utf-8")
        match = list(MARKER.finditer(text))[n]
        body = "".join(f"$ {command}\n" + "".join(f"{line}\n" for line in lines)
                       for command, lines in printed)
        path.write_text(text[:match.start("body")] + body + text[match.end("body"):],
                        encoding="utf-8", newline="\n")
        return
    for (command, shown), (_, actual) in zip(steps, printed, strict=True):
        assert shown == actual, (
            f"{path.relative_to(ROOT)} shows other output for `{command}` than it prints; "
            "if the change is intended, regenerate with NEARMISS_UPDATE_GOLDEN=1 and read "
            "the diff")


def test_every_shown_nearmiss_command_has_its_output_tested() -> None:
    """A console block that runs nearmiss is marked, so its output comes from a test.
    Pages that show a single problem line without a command are left to their prose."""
    for path in DOCUMENTS:
        lines = path.read_text(encoding="utf-8").splitlines()
        for start, line in enumerate(lines):
            if line != "```console":
                continue
            body = lines[start + 1:lines.index("```", start + 1)]
            if any(re.match(r"\$ \S*nearmiss ", b) for b in body):
                assert start and lines[start - 1].startswith("<!-- tested-output: "), (
                    f"{path.relative_to(ROOT)}:{start + 1}: mark this console block with the "
                    "scenario it runs in")
