"""The ``nearmiss`` command: a thin Click shell over the core.

Commands parse options, call the core, print, and choose the exit code; nothing here
decides what is valid or computes a figure.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from nearmiss import __version__
from nearmiss.authoring import new as authoring
from nearmiss.authoring import scaffold
from nearmiss.authoring.schema import record_schema
from nearmiss.distribution import MissingExtra, needs_site_extra
from nearmiss.files import write_atomic
from nearmiss.log import digest as digests
from nearmiss.log import export as exports
from nearmiss.log import report, tables
from nearmiss.log import similar as similar_records
from nearmiss.log.cache import Cache
from nearmiss.log.checker import (
    RECORD_SUFFIXES,
    CannotRun,
    CheckResult,
    check_tree,
    display_path,
    iter_checked,
    load_taxonomy,
)
from nearmiss.log.figures import Excluded, Period, Stats, action_list, compute, listed_counts
from nearmiss.log.signals import BASELINE_DAYS, WINDOW_DAYS
from nearmiss.log.words import plural
from nearmiss.record.model import CAUGHT_HOW, KINDS, SEVERITIES
from nearmiss.record.problems import Problem
from nearmiss.record.rules import suggest
from nearmiss.record.taxonomy import Taxonomy

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2
# --format of the figures commands: text first, then json, then the others
FIGURE_FORMATS = ("text", "json", "csv", "markdown")

incidents_option = click.option(
    "--incidents", "incidents", default="incidents", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder of records; its taxonomy is DIR/_taxonomy.yaml.",
)
no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Parse every file afresh instead of reusing results for unchanged files.",
)




class Day(click.ParamType):  # type: ignore[type-arg]
    """An ISO date option (YYYY-MM-DD) that arrives as a ``date``."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-03-14", param, ctx)


as_of_option = click.option("--as-of", type=Day(), default=None,
                            help="Judge overdue actions as of this date (default: today).")
since_option = click.option("--since", type=Day(), default=None,
                            help="Only records that occurred on or after this date.")
until_option = click.option("--until", type=Day(), default=None,
                            help="Only records that occurred on or before this date.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nearmiss")
def cli() -> None:
    """Record near misses and service failures as YAML, check them, learn from them."""


def cannot_run(exc: CannotRun) -> NoReturn:
    """Say why the command cannot run, in the check's own format, and exit 2."""
    for problem in exc.problems:
        click.echo(report.line(problem), err=True)
    click.echo(f"nearmiss: {exc}", err=True)
    sys.exit(EXIT_CANNOT_RUN)


def taxonomy_of(folder: Path) -> Taxonomy:
    try:
        return load_taxonomy(folder)[0]
    except CannotRun as exc:
        cannot_run(exc)


def run_check(folder: Path, *, no_cache: bool, extra: tuple[Path, ...] = (),
              records: bool = True) -> CheckResult:
    """Run the core check or leave with exit 2 and a clear message when it cannot run."""
    try:
        return check_tree(folder, date.today(), extra_files=extra,
                          cache=None if no_cache else Cache(folder), records=records)
    except CannotRun as exc:
        cannot_run(exc)


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


@cli.command(short_help="Check records; every problem with its line and column.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@incidents_option
@click.option("--format", "fmt", type=click.Choice(list(report.FORMATS)), default="text",
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
    result = run_check(incidents, no_cache=no_cache, extra=extra, records=False)
    files, problems = _narrow(result, paths)
    colour = report.use_colour(sys.stdout.isatty()) and fmt == "text"
    click.echo(report.FORMATS[fmt](files, problems, colour))
    failed = any(p.is_error or strict for p in problems)
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)


def load_stats(incidents: Path, as_of: date | None, since: date | None,
               until: date | None, no_cache: bool, window: int = WINDOW_DAYS,
               baseline: int = BASELINE_DAYS) -> Stats:
    """Check, then compute figures from the valid records, saying on stderr which were left
    out: a figure that silently ignores a broken record would mislead."""
    result = run_check(incidents, no_cache=no_cache)
    excluded = _excluded_note(result)
    return compute(result.records, result.taxonomy, as_of or date.today(), since, until,
                   excluded, window_days=window, baseline_days=baseline)


@cli.command(short_help="Figures: prevention, root causes, warning signs, actions.")
@incidents_option
@as_of_option
@since_option
@until_option
@click.option("--format", "fmt", type=click.Choice(FIGURE_FORMATS), default="text",
              show_default=True, help="text for people (fitted to the terminal), json for "
              "programs, csv for spreadsheets, markdown for a page or a pull request.")
@click.option("--window", type=click.IntRange(min=1), default=WINDOW_DAYS, show_default=True,
              metavar="DAYS", help="Signals: the recent days, up to --as-of, tested for a "
              "rise.")
@click.option("--baseline", type=click.IntRange(min=1), default=BASELINE_DAYS,
              show_default=True, metavar="DAYS",
              help="Signals: the days before the window the rise is measured against.")
@no_cache_option
def stats(incidents: Path, as_of: date | None, since: date | None, until: date | None,
          fmt: str, window: int, baseline: int, no_cache: bool) -> None:
    """Figures to learn from: prevention, root-cause Pareto, warning signs, what is rising,
    actions, loop closure, response agility, and all of them by team, touchpoint, promise
    and month.

    Records with errors are left out, and the command says which on stderr.
    """
    figures = load_stats(incidents, as_of, since, until, no_cache, window, baseline)
    if fmt == "json":
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(tables.stats_csv(figures), nl=False)
    elif fmt == "markdown":
        click.echo(tables.render_markdown(tables.stats_tables(figures)), nl=False)
    else:
        tty = sys.stdout.isatty()
        click.echo(tables.render_text(tables.stats_tables(figures), report.use_colour(tty),
                                      tables.terminal_width(tty)), nl=False)


def _say_left_out(excluded: list[Excluded]) -> None:
    """Never leave a broken record out of figures silently: name it on stderr."""
    if excluded:
        click.echo(f"nearmiss: {plural(len(excluded), 'record')} with errors left out; "
                   "run 'nearmiss check' to see why:", err=True)
        for item in excluded:
            click.echo(f"  {item.path} ({plural(item.errors, 'error')})", err=True)


def _excluded_note(result: CheckResult) -> list[Excluded]:
    errors = Counter(p.path for p in result.problems if p.is_error)
    excluded = [Excluded(f.path, errors[f.path]) for f in result.excluded]
    _say_left_out(excluded)
    return excluded


@cli.command(short_help="Follow-up actions per owner, oldest overdue first.")
@incidents_option
@as_of_option
@click.option("--owner", default=None,
              help="Only actions whose owner contains this text, ignoring case; a team "
                   "owner matches by its key or its label.")
@click.option("--overdue", is_flag=True, help="Only overdue actions.")
@click.option("--all", "show_all", is_flag=True,
              help="Done and dropped actions too (not in ics: a calendar lists open ones).")
@click.option("--format", "fmt", type=click.Choice((*FIGURE_FORMATS, "ics")), default="text",
              show_default=True, help="text for people (fitted to the terminal), json for "
              "programs, csv for spreadsheets, markdown for a page or a pull request, ics "
              "for calendars (one to-do per open action, due on its day).")
@click.option("--as-events", is_flag=True,
              help="With ics: all-day events on the due days instead of to-dos, for "
                   "calendar apps that show no to-dos (Google, Outlook, Apple).")
@click.option("--fail-on-overdue", is_flag=True,
              help="Exit 1 when any listed action is overdue: a CI gate for following up.")
@no_cache_option
def actions(incidents: Path, as_of: date | None, owner: str | None, overdue: bool,
            show_all: bool, fmt: str, as_events: bool, fail_on_overdue: bool,
            no_cache: bool) -> None:
    """The follow-up list: open actions per owner, oldest overdue first.

    `--format ics > actions.ics` writes them for a calendar."""
    if as_events and fmt != "ics":
        raise click.UsageError("--as-events goes with --format ics")
    result = run_check(incidents, no_cache=no_cache)
    _excluded_note(result)
    today = as_of or date.today()
    states = ("overdue",) if overdue else (
        ("overdue", "open", "done", "dropped") if show_all else ("overdue", "open"))
    rows = action_list(result.records, today, owner, states, taxonomy=result.taxonomy)
    if fmt == "json":
        click.echo(json.dumps({"as_of": today.isoformat(),
                               "actions": [row.as_dict() for row in rows]}, indent=2,
                              ensure_ascii=False))
    elif fmt == "csv":
        click.echo(tables.actions_csv(rows), nl=False)
    elif fmt == "ics":  # bytes: RFC 5545's CRLF line ends reach the file as they are
        from nearmiss.log.calendar import calendar

        click.echo(calendar(rows, today, events=as_events,
                            owner_label=result.taxonomy.name_label).encode("utf-8"), nl=False)
    else:
        owned = tables.actions_tables(rows, today, result.taxonomy.name_label)
        heading = tables.actions_heading(rows, today)
        if fmt == "markdown":
            click.echo(f"# {heading}\n\n" + tables.render_markdown(owned), nl=False)
        else:
            tty = sys.stdout.isatty()
            colour, width = report.use_colour(tty), tables.terminal_width(tty)
            for line in tables.fit_line(heading, width):
                click.echo(click.style(line, bold=True) if colour else line)
            click.echo("\n" + tables.render_text(owned, colour, width), nl=False)
    if fail_on_overdue and listed_counts(rows).overdue:
        sys.exit(EXIT_PROBLEMS)


@cli.command(short_help="Records like a record, or like a text: seen this before?")
@click.argument("record_id", metavar="[ID]", required=False)
@click.option("--text", default=None, metavar="TEXT",
              help="Free text to find records like (instead of ID); it is never listed.")
@incidents_option
@click.option("--top", type=click.IntRange(min=1), default=similar_records.TOP,
              show_default=True, help="At most this many records.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for programs.")
@no_cache_option
def similar(record_id: str | None, text: str | None, incidents: Path, top: int, fmt: str,
            no_cache: bool) -> None:
    """The records most like record ID (or like --text), highest score first: has this
    happened before? A score (0 to 1) says how much of what the query says a record
    says too; the ID itself is never listed. Records with errors are left out.
    docs/guide/figures.md says how the score is computed."""
    if (record_id is None) == (text is None):
        raise click.UsageError("give a record ID or --text \"...\", not both"
                               if record_id is not None else
                               "give a record ID, or --text \"...\" to find records like a text")
    result = run_check(incidents, no_cache=no_cache)
    _excluded_note(result)
    if record_id is not None and record_id not in {r.id for r in result.records}:
        if record_id in {f.id for f in result.files}:
            why = "has errors, so it is left out; run 'nearmiss check' to see why"
        else:
            hint = suggest(record_id, sorted({f.id for f in result.files}))
            why = f"is not in {incidents}" + (f"; {hint}" if hint else "")
        click.echo(f"nearmiss: record '{record_id}' {why}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    try:
        matches = (similar_records.similar_text(result.records, text or "", top)
                   if record_id is None else
                   similar_records.similar_to(result.records, record_id, top))
    except similar_records.Unavailable as exc:
        click.echo(f"nearmiss: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if fmt == "json":
        click.echo(json.dumps({"query": record_id, "similar": [m.as_dict() for m in matches]},
                              indent=2, ensure_ascii=False))
    elif matches:
        for line in tables.similar_lines(matches, tables.terminal_width(sys.stdout.isatty())):
            click.echo(line)
    else:
        click.echo("No similar records.")


@cli.command(short_help="A Markdown digest of one month.")
@incidents_option
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to digest.")
@as_of_option
@click.option("--include-internal", is_flag=True,
              help="Also tell internal records (they always count in the figures).")
@no_cache_option
def digest(incidents: Path, month: str, as_of: date | None, include_internal: bool,
           no_cache: bool) -> None:
    """A Markdown digest of one month: saves, changes, warning signs, figures."""
    try:
        Period.month(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    result = run_check(incidents, no_cache=no_cache)
    _excluded_note(result)
    click.echo(digests.render(result.records, result.taxonomy, month, as_of or date.today(),
                              include_internal=include_internal), nl=False)


@cli.command(short_help="One flat row per record, as CSV or JSON Lines.")
@incidents_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="csv for spreadsheets, jsonl (one JSON object a line) "
              "for programs and BI tools.")
@as_of_option
def export(incidents: Path, fmt: str, as_of: date | None) -> None:
    """One flat row per valid record (lists joined with '; '), written as it is read."""
    today = as_of or date.today()
    taxonomy = taxonomy_of(incidents)
    skipped: list[Excluded] = []

    def valid_rows() -> Iterator[dict[str, object]]:
        for result, problems in iter_checked(incidents, taxonomy, date.today()):
            errors = sum(p.is_error for p in problems)
            if result.record is None or errors:
                skipped.append(Excluded(result.path, errors))
                continue
            yield exports.row(result.record, taxonomy, today)

    exports.write(valid_rows(), fmt, sys.stdout)
    _say_left_out(skipped)


@cli.command(short_help="The site's files, for a generator that runs no plugins.")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@incidents_option
@as_of_option
@click.option("--prefix", default="log", show_default=True,
              help="Folder of the generated pages inside OUTDIR.")
@click.option("--title", default="Learning log", show_default=True,
              help="The learning log's title on the home page and in the feed.")
@click.option("--edit-url", default=None, metavar="URL",
              help="URL that each record's YAML path is appended to for its edit link.")
@click.option("--site-url", default="", metavar="URL",
              help="Where the site is published, for the feed's absolute links.")
@click.option("--git-dates/--no-git-dates", default=True, show_default=True,
              help="Tell on record pages when their file was first committed and last "
                   "changed.")
@click.option("--overwrite", is_flag=True, help="Replace files a previous render wrote.")
@no_cache_option
def render(outdir: Path, incidents: Path, as_of: date | None, prefix: str, title: str,
           edit_url: str | None, site_url: str, git_dates: bool, overwrite: bool,
           no_cache: bool) -> None:
    """Write the learning log's pages as Markdown, its feed.xml and its stylesheet
    assets/nearmiss.css into OUTDIR, for a site generator that runs no MkDocs plugins
    (Zensical, for one): the same files the MkDocs plugin adds to a build. List
    assets/nearmiss.css under extra_css in the generator's configuration."""
    try:
        with needs_site_extra("nearmiss render"):
            from nearmiss.site import writer
            from nearmiss.site.pages import FIGURES_GUIDE, SiteOptions
    except MissingExtra as exc:
        click.echo(f"nearmiss: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    result = run_check(incidents, no_cache=no_cache)
    _excluded_note(result)
    options = SiteOptions(prefix=prefix.strip("/"), title=title, source_root=".",
                          edit_base=edit_url, site_url=site_url,
                          figures_page=FIGURES_GUIDE if (outdir / FIGURES_GUIDE).is_file()
                          else None)
    files = writer.site_files(result, incidents, as_of or date.today(), options,
                              git_dates=git_dates)
    try:
        writer.write_to(outdir, files, overwrite=overwrite)
    except writer.WouldOverwrite as exc:
        click.echo(f"nearmiss: {exc}; use --overwrite to replace them", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(f"wrote {len(files)} files to {outdir}")


def _ask(question: authoring.Question, again: bool = False) -> str:
    """One prompt, the answer as typed; with choices, each key is shown with its words
    (the first time: ``again`` when asking once more)."""
    label = question.label
    if question.choices and not again:
        click.echo(label if label.endswith((":", "?")) else f"{label}:")
        for key, text in question.choices.items():
            click.echo(f"  {key:<22} {text}".rstrip())
    default = question.default or ""
    # Click puts ': ' after the prompt; after a question mark, a space will do
    suffix = " " if label.endswith("?") and not default else ": "
    typed: str = click.prompt(label, default=default, show_default=bool(default),
                              prompt_suffix=suffix)
    return typed


def _answer(question: authoring.Question, values: dict[str, str] | None = None,
            log: authoring.Log | None = None) -> str:
    """Ask one question of ``nearmiss new`` until the answer can be recorded, saying each
    time why it cannot: read as ``read_answer`` reads it and, given the answers so far
    (``values``) and the ``log``, checked as ``nearmiss check`` would check it."""
    again = False
    while True:
        typed = _ask(question, again)
        again = True
        try:
            value = authoring.read_answer(question, typed) if log is None else \
                authoring.check_answer(question, typed, values or {}, log)
        except authoring.BadAnswer as exc:
            click.echo(f"Try again: {exc}")
            continue
        if question.is_date and typed.strip() and value != typed.strip():
            click.echo(f"  read as {authoring.spoken_day(value)} ({value})")
        return value


def _given(given: dict[str, str | None], log: authoring.Log,
           no_input: bool) -> dict[str, str]:
    """The values the options give, each read as an answer would be (a team's label, a
    day-first date). With --no-input one that cannot be read is a usage error (and the
    checker judges the record); without, one the checker refuses is said and asked."""
    values: dict[str, str] = {}
    for name, text in given.items():  # --kind first: the other questions follow from it
        if not text:
            continue
        kind = values.get("kind") or authoring.default_kind()
        question = authoring.question(name, kind, log.taxonomy, log.today)
        option = f"--{name.replace('_', '-')}"
        try:
            values[name] = authoring.read_answer(question, text) if no_input else \
                authoring.check_answer(question, text, values, log)
        except authoring.BadAnswer as exc:
            if no_input:
                raise click.BadParameter(str(exc), param_hint=option) from None
            click.echo(f"Not taken from {option}: {exc}")
    return values


def _same_name(record: authoring.Draft, values: dict[str, str], told: set[str],
               ask: bool) -> None:
    """Say when the record's name was taken, naming the records that have it; when
    asking, let the reporter record it anyway, link it to them (related), or stop."""
    if not record.same_name or record.path.name in told:
        return
    told.add(record.path.name)
    click.echo(f"nearmiss: {authoring.same_name_notice(record)}", err=True)
    if not ask:
        return
    ids = ", ".join(e.id for e in record.same_name)
    what = authoring.Question("", "Record this one too", {
        "new": f"yes, as {record.path.name}",
        "related": f"yes, and link it to {ids} (related)",
        "stop": "no: stop here, nothing is written"}, default="new", noun="the answer")
    choice = _answer(what)
    if choice == "stop":
        click.echo("Stopped; nothing was written.")
        sys.exit(EXIT_OK)
    if choice == "related":
        values["related"] = "; ".join(e.id for e in record.same_name)


@cli.command(short_help="Record a new near miss or failure.")
@incidents_option
@click.option("--kind", metavar="|".join(KINDS),
              help="near-miss: caught before the customer felt it; failure: it reached "
                   "the customer.")
@click.option("--title", help="What nearly happened (or, for a failure, what happened), in "
                              "one line (at most 120 characters).")
@click.option("--occurred", metavar="DATE",
              help="When it happened: 2026-03-14, or day first 14/03/2026 (default: today).")
@click.option("--team", help="Whose work it was in: a team of the taxonomy (key or label).")
@click.option("--severity", metavar="|".join(SEVERITIES))
@click.option("--what-happened", help="The story, blameless.")
@click.option("--caught-by", help="Near miss: how it was caught (the save).")
@click.option("--caught-how", metavar="|".join(CAUGHT_HOW),
              help="Near miss: what caught it.")
@click.option("--customer-impact", help="Failure: what the customer experienced.")
@click.option("--touchpoint", help="A touchpoint of the taxonomy (key or label).")
@click.option("--promise", help="A promise of the taxonomy (key or label).")
@click.option("--reported-by", help="Who raised it (or 'anonymous').")
@click.option("--kudos", multiple=True, help="Someone to thank for the save (repeatable).")
@click.option("--no-input", is_flag=True, help="Never prompt: take everything from options.")
def new(incidents: Path, no_input: bool, kudos: tuple[str, ...],
        **given: str | None) -> None:
    """Record a new near miss or failure: asks for the essentials (each answer checked as
    it is given), shows what `nearmiss check` would warn about, writes
    incidents/YYYY/YYYY-MM-DD-slug.yaml, and says what to do next."""
    taxonomy = taxonomy_of(incidents)
    try:
        settings = authoring.log_settings(incidents)
    except CannotRun as exc:
        cannot_run(exc)
    log = authoring.Log(incidents, taxonomy, settings, date.today(),
                        authoring.existing_records(incidents))
    values = _given(given, log, no_input)
    told: set[str] = set()

    def make() -> authoring.Draft:
        return authoring.draft(incidents, taxonomy, values, kudos=kudos, today=log.today,
                               settings=settings, records=log.records)

    if not no_input:
        skip = {"kudos"} if kudos else set()
        while (question := authoring.next_question(values, taxonomy, log.today, skip)) \
                is not None:
            values[question.field] = _answer(question, values, log)
            if "title" in values and "occurred" in values:
                _same_name(make(), values, told, ask=True)
    missing = [f"--{name.replace('_', '-')}" for name in authoring.missing_fields(values)]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}"
                               + (" (needed with --no-input)" if no_input else ""))
    record = make()
    _same_name(record, values, told, ask=not no_input)
    colour = report.use_colour(sys.stderr.isatty())
    while True:
        if not record.ok:
            for problem in record.problems:
                click.echo(report.line(problem, colour), err=True)
            click.echo("nearmiss: nothing was written; correct the values above", err=True)
            sys.exit(EXIT_PROBLEMS)
        if not record.warnings:
            break
        for problem in record.warnings:
            click.echo(report.line(problem, colour), err=True)
        kind = values.get("kind") or authoring.default_kind()
        edited = False
        for name in authoring.flagged(record) if not no_input else ():
            if name not in values:
                continue
            question = authoring.question(name, kind, taxonomy, log.today)
            if click.confirm(f"Edit {question.noun} before writing?", default=True):
                click.echo(f"  It says: {values[name]}")
                values[name] = _answer(question, values, log)
                edited = True
        if not edited:
            break
        record = make()
        _same_name(record, values, told, ask=True)
    try:
        authoring.write(record)
    except FileExistsError:
        click.echo(f"nearmiss: {record.path} appeared meanwhile; nothing was overwritten",
                   err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(f"Created {display_path(record.path)}")
    _seen_before(incidents, record.path, values.get("related", ""))
    more = " and ".join(name for name in ("touchpoint", "promise") if name not in values)
    click.echo(f"Next: read it over{f' (add {more} if you like)' if more else ''}, then "
               "commit it and open a pull request. Thank you for reporting!")


def _seen_before(incidents: Path, path: Path, related: str) -> None:
    """After `new` wrote a record, name the records that tell a similar story, so that
    the reporter can link the same problem (related). A help, never a hurdle: whatever
    goes wrong here prints nothing and `new` still succeeds."""
    try:
        result = check_tree(incidents, date.today(), cache=Cache(incidents))
        if path.stem not in {r.id for r in result.records}:
            return
        linked = set(related.split("; "))
        matches = [m for m in similar_records.similar_to(result.records, path.stem)
                   if m.score >= similar_records.THRESHOLD and m.id not in linked]
    except Exception:  # noqa: BLE001 - a similarity problem must never fail `new`
        return
    if matches:
        click.echo("Seen this before? These records tell a similar story:")
        for line in tables.similar_lines(matches[:similar_records.SHOWN],
                                         tables.terminal_width(sys.stdout.isatty())):
            click.echo(line)
        click.echo("If one is the same problem, add its id under 'related:' in the new "
                   "record.")


def _mapping(ctx: click.Context, param: click.Parameter, given: tuple[str, ...]
             ) -> dict[str, str]:
    """--map FIELD=COLUMN options as {field: column}."""
    mapping: dict[str, str] = {}
    for item in given:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column:
            raise click.BadParameter(f"{item!r}: write it as FIELD=COLUMN, e.g. "
                                     "what_happened=\"Description\"", ctx, param)
        mapping[name.strip()] = column
    return mapping


@cli.command("import", short_help="Bring in an existing log from a spreadsheet (CSV).")
@click.argument("csv_file", metavar="FILE.csv",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@incidents_option
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", callback=_mapping,
              help="Read FIELD from the column headed COLUMN (repeatable); columns named "
                   "like a field need none.")
@click.option("--date-format", metavar="FORMAT", default=None,
              help="How the sheet writes dates that are not ISO, in strftime notation, "
                   "e.g. %d/%m/%Y.")
@click.option("--dry-run", is_flag=True, help="Check every row and show what would be "
                                              "written; write nothing.")
@click.option("--format", "fmt", type=click.Choice(list(report.FORMATS)), default="text",
              show_default=True, help="text for people, json for programs, github for "
              "annotations.")
def import_(csv_file: Path, incidents: Path, mapping: dict[str, str],
            date_format: str | None, dry_run: bool, fmt: str) -> None:
    """Make a record of every row of FILE.csv (row 1 names the columns), as
    incidents/YYYY/ID.yaml, each checked as `nearmiss check` checks it.

    All or nothing: when any row has an error, no file is written. Existing files are
    never overwritten. Try it with --dry-run first; docs/guide/moving-in.md tells how.

    Exit status: 0 written (or, with --dry-run, would be), 1 problems found, 2 the import
    could not run.
    """
    from nearmiss.authoring import importer

    taxonomy = taxonomy_of(incidents)
    try:
        settings = authoring.log_settings(incidents)
        plan = importer.plan(csv_file, incidents, taxonomy, settings, mapping=mapping,
                             date_format=date_format, today=date.today(),
                             existing=authoring.existing_records(incidents))
    except CannotRun as exc:
        cannot_run(exc)
    except importer.BadMap as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    write = plan.ok and not dry_run
    if write:
        try:
            importer.write_all(plan)
        except FileExistsError as exc:
            click.echo(f"nearmiss: {exc.filename} appeared meanwhile; it was not "
                       "overwritten", err=True)
            sys.exit(EXIT_CANNOT_RUN)
    paths = [display_path(r.path) for r in plan.records]
    if fmt == "json":
        click.echo(json.dumps({
            "source": plan.source, "dry_run": dry_run, "written": write,
            "records": [{"row": r.row, "id": r.id, "path": path}
                        for r, path in zip(plan.records, paths, strict=True)],
            "errors": sum(p.is_error for p in plan.problems),
            "warnings": sum(not p.is_error for p in plan.problems),
            "problems": [report.as_dict(p) for p in plan.problems]},
            indent=2, ensure_ascii=False))
    else:
        colour = report.use_colour(sys.stdout.isatty()) and fmt == "text"
        lines = report.github(0, plan.problems).splitlines()[:-1] if fmt == "github" \
            else [report.line(p, colour) for p in plan.problems]
        for line in lines:
            click.echo(line)
        errors = sum(p.is_error for p in plan.problems)
        verb = "would write" if dry_run else "wrote"
        if errors:
            click.echo(f"nothing was written: {plural(errors, 'error')} in {plan.source}")
        else:
            if fmt == "text":
                for r, path in zip(plan.records, paths, strict=True):
                    click.echo(f"{verb} {path} (row {r.row}: {r.kind}, {r.status}) {r.title}")
            then = "; run again without --dry-run to write them" if dry_run and paths else ""
            click.echo(f"{verb} {plural(len(paths), 'record')} to {incidents}{then}")
    sys.exit(EXIT_OK if plan.ok else EXIT_PROBLEMS)


@cli.command(short_help="Canonical key order and style, comments kept.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@incidents_option
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing; list the files that would change and exit 1 if any.")
def fmt(paths: tuple[Path, ...], incidents: Path, check_only: bool) -> None:
    """Put records in canonical key order and style, keeping comments and values.

    Without PATHS, every record under the incidents folder. Writes are atomic; a file
    that cannot be formatted (not one YAML mapping) is reported and left untouched.
    """
    # imported here: ruamel.yaml takes longer to import than a whole cached check
    from nearmiss.authoring.fmt import files_to_format, format_files, tally

    try:
        files, settings = files_to_format(paths, incidents)
    except CannotRun as exc:
        cannot_run(exc)
    outcomes = []
    for outcome in format_files(files, incidents, check=check_only,
                                max_bytes=settings.max_file_bytes):
        outcomes.append(outcome)
        if outcome.error:
            click.echo(f"{outcome.path}: not formatted: {outcome.error}", err=True)
        elif outcome.changed:
            click.echo(f"{'would reformat' if check_only else 'reformatted'} {outcome.path}")
    done = tally(outcomes, check=check_only)
    verb = "would be reformatted" if check_only else "reformatted"
    click.echo(f"{done.changed} of {done.files} files {verb}"
               + (f", {done.failed} could not be formatted" if done.failed else ""))
    sys.exit(EXIT_OK if done.passed else EXIT_PROBLEMS)


@cli.command(short_help="A JSON Schema of a record, for editors.")
@incidents_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of printing it.")
def schema(incidents: Path, output: Path | None) -> None:
    """A JSON Schema of a record, with this learning log's taxonomy, for editors.

    Generated from the same field table the checker uses; regenerate it after changing
    the taxonomy. See docs/guide/editors.md for VS Code.
    """
    taxonomy = taxonomy_of(incidents)
    text = json.dumps(record_schema(taxonomy), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text, overwrite=True)
    click.echo(f"wrote {output}")


@cli.command(short_help="Start a new learning-log repository.")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True,
              help="Without DIRECTORY, start in the current folder without asking, even "
                   "when it holds other files.")
def init(directory: Path | None, yes: bool) -> None:
    """Start a learning log in DIRECTORY: starter taxonomy, an example record, the site,
    pre-commit, GitHub Actions and GitLab CI, and a README for the team.

    Without DIRECTORY, in the current folder, after asking when it holds anything but
    .git. Nothing is overwritten: if any of those files exists, nothing is written at all.
    The example record counts in every figure until you delete it.
    """
    folder = directory if directory is not None else Path(".")
    today = date.today()
    planned = scaffold.files(today)
    existing = [name for name in planned if (folder / name).exists()]
    if existing:
        click.echo(f"nearmiss: {folder} already has {', '.join(existing)}; nothing was "
                   "written (move them aside, or start in an empty folder)", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if directory is None and not yes and _holds_files(folder):
        try:
            go = click.confirm(f"Start a learning log here, in {folder.resolve()}, beside "
                               "the files already in it?", default=False)
        except click.Abort:  # no answer (end of input)
            click.echo()
            go = False
        if not go:
            click.echo("nearmiss: nothing was written; give a folder (nearmiss init "
                       "my-learning-log), or add --yes to start here", err=True)
            sys.exit(EXIT_CANNOT_RUN)
    for name, content in planned.items():
        write_atomic(folder / name, content)
    click.echo("Started a learning log in "
               + ("the current folder:" if directory is None else f"{directory}:"))
    for name in planned:
        click.echo(f"  {name}")
    click.echo("Next:" if directory is None else f"Next, in {directory}:")
    click.echo("  1. Read the example, to see what a record holds:")
    click.echo(f"       {scaffold.example_path(today)}")
    click.echo("     It counts in every figure and shows on the site as a save until you")
    click.echo("     delete it: delete it (git rm) when you record your first real one.")
    click.echo("  2. git init (if needed), and commit.")
    click.echo("  3. nearmiss new records a near miss; mkdocs serve shows the site.")


def _holds_files(folder: Path) -> bool:
    """Whether a folder holds anything but a .git (a fresh git init is still empty)."""
    return any(entry.name != ".git" for entry in folder.iterdir())


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
