"""The ``nearmiss`` command: a thin Click shell over the core.

Commands parse options, call the core, print, and choose the exit code; nothing here
decides what is valid or computes a figure.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from nearmiss import __version__, report
from nearmiss.cache import Cache
from nearmiss.checker import RECORD_SUFFIXES, CannotRun, CheckResult, check_tree
from nearmiss.problems import Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2

incidents_option = click.option(
    "--incidents", "incidents", default="incidents", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder of records; its taxonomy is DIR/_taxonomy.yaml.",
)
no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Parse every file afresh instead of reusing results for unchanged files.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nearmiss")
def cli() -> None:
    """Record near misses and service failures as YAML, check them, learn from them."""


def run_check(folder: Path, *, no_cache: bool, extra: tuple[Path, ...] = ()) -> CheckResult:
    """Run the core check or leave with exit 2 and a clear message when it cannot run."""
    try:
        return check_tree(folder, date.today(), extra_files=extra,
                          cache=None if no_cache else Cache(folder))
    except CannotRun as exc:
        for line in report.text(0, exc.problems).splitlines()[:-1]:
            click.echo(line, err=True)
        click.echo(f"nearmiss: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)


def _narrow(result: CheckResult, given: tuple[str, ...]) -> tuple[int, list[Problem]]:
    """Keep what concerns the given files or folders, with paths spelled as given."""
    if not given:
        return len(result.files), result.problems
    targets = [(Path(g).resolve(), g) for g in given]
    shown: dict[str, str] = {}
    for f in result.files:
        resolved = Path(f.path).resolve()
        for target, spelled in targets:
            if resolved == target:
                shown[f.path] = spelled
            elif target in resolved.parents:
                shown[f.path] = os.path.join(spelled, os.path.relpath(resolved, target))
    problems = [replace(p, path=shown[p.path]) for p in result.problems if p.path in shown]
    return len(shown), problems


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@incidents_option
@click.option("--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text",
              show_default=True, help="text for people, json for programs, github for "
              "annotations on a pull request.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@no_cache_option
def check(paths: tuple[str, ...], incidents: Path, fmt: str, strict: bool,
          no_cache: bool) -> None:
    """Check the records and report every problem with its line and column.

    PATHS (files or folders) narrow what is reported, as pre-commit does with the files
    it passes; ids and related links are always checked against the whole tree.

    Exit status: 0 no errors (warnings allowed unless --strict), 1 problems found,
    2 the check could not run.
    """
    extra = tuple(Path(p) for p in paths if Path(p).is_file()
                  and p.endswith(RECORD_SUFFIXES) and not Path(p).name.startswith(("_", ".")))
    result = run_check(incidents, no_cache=no_cache, extra=extra)
    files, problems = _narrow(result, paths)
    colour = report.use_colour(sys.stdout.isatty()) and fmt == "text"
    click.echo(report.FORMATS[fmt](files, problems, colour))
    failed = any(p.is_error or strict for p in problems)
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)


def main() -> None:
    """Console-script entry: never show a traceback, unless NEARMISS_DEBUG asks for one."""
    try:
        cli(standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - the contract promises no traceback
        if os.environ.get("NEARMISS_DEBUG"):
            traceback.print_exc()
        click.echo(f"nearmiss: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("This is a bug in nearmiss; run again with NEARMISS_DEBUG=1 to see where, "
                   "and please report it.", err=True)
        sys.exit(EXIT_CANNOT_RUN)
