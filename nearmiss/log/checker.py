"""Check a whole learning log: find the files, check each (in parallel, cached), then the
rules that need the whole tree or today's date.

Reading the bytes of every file is the floor; a content-hash cache keeps re-checks near it,
and two worker processes halve the cold parse on a 2-core CI machine.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from nearmiss.files import links_outside
from nearmiss.log.cache import Cache, digest
from nearmiss.record.model import ID_RE, Record, day_of
from nearmiss.record.problems import Problem, Severity
from nearmiss.record.result import FileResult
from nearmiss.record.rules import check_record, suggest
from nearmiss.record.settings import SETTINGS_FILE, Settings, SettingsError, parse_settings
from nearmiss.record.taxonomy import Taxonomy, TaxonomyError, parse_taxonomy
from nearmiss.record.yamlsource import Sink

T = TypeVar("T")
TAXONOMY_FILE = "_taxonomy.yaml"
RECORD_SUFFIXES = (".yaml", ".yml")
YEAR_FOLDER = re.compile(r"\d{4}\Z")
PARALLEL_FROM = 400  # below this many files to parse, starting workers costs more than it saves
CHUNK = 64


class CannotRun(Exception):
    """The check cannot run at all (exit 2): no folder, no or broken taxonomy."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(slots=True)
class CheckResult:
    """Every file's outcome and every problem, in path order."""

    taxonomy: Taxonomy
    files: list[FileResult]
    problems: list[Problem] = field(default_factory=list)
    # derived once: the site and the figures read them many times per build
    failed_paths: set[str] = field(init=False)
    records: list[Record] = field(init=False)  # valid only: any error leaves a record out
    excluded: list[FileResult] = field(init=False)

    def __post_init__(self) -> None:
        self.failed_paths = {p.path for p in self.problems if p.is_error}
        self.records = [f.record for f in self.files
                        if f.record is not None and f.path not in self.failed_paths]
        self.excluded = [f for f in self.files if f.path in self.failed_paths]


def display_path(path: Path) -> str:
    """Relative to the working directory where possible, as the contract asks."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def discover(folder: Path) -> list[str]:
    """Record files below ``folder`` as display paths: *.yaml/*.yml not starting with '_'
    or '.', any depth, hidden folders skipped. Plain strings: at 10,000 files, Path objects
    and a relpath per file cost more than reading them."""
    top = str(folder)
    shown_top = display_path(folder)
    found: list[str] = []
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        shown_root = shown_top + root[len(top):]
        # a folder named like a record is listed too, so it is reported rather than missed
        found.extend(os.path.join(shown_root, name) for name in (*files, *dirs)
                     if name.endswith(RECORD_SUFFIXES) and not name.startswith(("_", ".")))
    return sorted(found)


def _config(path: Path, what: str, parse: Callable[[bytes, str], T]) -> tuple[T, bytes]:
    """Read and parse one of the folder's own files; any failure means CannotRun."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CannotRun(f"{display_path(path)}: cannot read the {what}: {exc.strerror}") \
            from None
    try:
        return parse(data, display_path(path)), data
    except (TaxonomyError, SettingsError) as exc:
        raise CannotRun(f"{display_path(path)}: the {what} cannot be used", exc.problems) \
            from None


def load_taxonomy(folder: Path) -> tuple[Taxonomy, bytes]:
    """The folder's taxonomy, or CannotRun: without it no record can be judged."""
    if not folder.is_dir():
        raise CannotRun(f"{display_path(folder)}: no such folder of incidents "
                        "(use --incidents DIR)")
    path = folder / TAXONOMY_FILE
    if not path.exists():
        missing = Problem(display_path(path), 1, 1, Severity.ERROR, "taxonomy-missing",
                          "no taxonomy found; a learning log needs its teams, touchpoints, "
                          "promises and root causes here",
                          hint="copy the starter taxonomy that ships with nearmiss")
        raise CannotRun("the check cannot run without a taxonomy", [missing])
    return _config(path, "taxonomy", parse_taxonomy)


def load_settings(folder: Path) -> tuple[Settings, bytes]:
    """The folder's optional settings; broken ones stop the check like a broken taxonomy."""
    path = folder / SETTINGS_FILE
    if not path.exists():
        return Settings(), b""
    return _config(path, "settings", parse_settings)


def _read(shown: str, inside: str) -> bytes | FileResult:
    """A file's bytes, or a result saying why it cannot be read. A symbolic link that leads
    out of the incidents folder (``inside``, resolved) is refused, not followed: a pull
    request must not be able to publish /etc/passwd or another repository's files."""
    sink = Sink(shown)
    if links_outside(shown, inside):
        sink.error((1, 1), "symlink-outside",
                   "this is a link to a file outside the incidents folder; it is not read",
                   hint="copy the record into the folder instead of linking to it")
        return FileResult(shown, Path(shown).stem, sink.problems)
    try:
        with open(shown, "rb") as handle:
            return handle.read()
    except OSError as exc:
        reason = "it is a folder" if os.path.isdir(shown) else (exc.strerror or str(exc))
        sink.error((1, 1), "file-unreadable", f"the file cannot be read: {reason}")
        return FileResult(shown, Path(shown).stem, sink.problems)


_worker_context: tuple[Taxonomy, Settings] | None = None


def _init_worker(taxonomy: Taxonomy, settings: Settings) -> None:
    global _worker_context
    _worker_context = (taxonomy, settings)


def _check_chunk(chunk: list[tuple[bytes, str]]) -> list[FileResult]:
    assert _worker_context is not None
    return [check_record(data, shown, *_worker_context) for data, shown in chunk]


def _check_many(jobs: list[tuple[bytes, str]], taxonomy: Taxonomy,
                settings: Settings) -> Iterator[FileResult]:
    if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 \
            or "fork" not in multiprocessing.get_all_start_methods():
        yield from (check_record(data, shown, taxonomy, settings) for data, shown in jobs)
        return
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(os.cpu_count() or 2, 4), _init_worker, (taxonomy, settings)) as pool:
        for results in pool.imap(_check_chunk, chunks):
            yield from results


def check_tree(folder: Path, today: date, *, extra_files: Iterable[Path] = (),
               cache: Cache | None = None) -> CheckResult:
    """Check every record below ``folder`` (plus ``extra_files``) against its taxonomy."""
    taxonomy, taxonomy_bytes = load_taxonomy(folder)
    settings, settings_bytes = load_settings(folder)
    paths = sorted(set(discover(folder)) | {display_path(p) for p in extra_files})
    if cache is not None:
        cache.open(digest(taxonomy_bytes + b"\0" + settings_bytes))
    results: dict[str, FileResult] = {}
    jobs: list[tuple[bytes, str]] = []
    hashes: dict[str, bytes] = {}
    inside = os.path.realpath(folder)
    for shown in paths:
        data = _read(shown, inside)
        if isinstance(data, FileResult):
            results[shown] = data
            continue
        hashes[shown] = digest(data)
        hit = cache.get(shown, hashes[shown]) if cache is not None else None
        if hit is not None:
            results[shown] = hit
        else:
            jobs.append((data, shown))
    for result in _check_many(jobs, taxonomy, settings):
        results[result.path] = result
        if cache is not None:
            cache.put(result.path, hashes[result.path], result)
    if cache is not None:
        cache.save(keep=hashes.keys())
    files = [results[p] for p in paths]
    shown_top = display_path(folder)
    problems = [p for f in files for p in f.problems] + tree_problems(files, today) + \
        [p for f in files for p in placement_problems(f.path, shown_top)]
    problems.sort(key=Problem.sort_key)
    return CheckResult(taxonomy, files, problems)


def iter_checked(folder: Path, taxonomy: Taxonomy, today: date
                 ) -> Iterator[tuple[FileResult, list[Problem]]]:
    """Check file by file, holding one record at a time: for exports of any size.

    Ids are file names, so the tree-wide rules need only the listing, not the parsed tree.
    """
    settings, _ = load_settings(folder)
    paths = discover(folder)
    by_id: dict[str, list[str]] = defaultdict(list)
    for shown in paths:
        by_id[Path(shown).stem].append(shown)
    inside = os.path.realpath(folder)
    top = display_path(folder)
    for shown in paths:
        data = _read(shown, inside)
        result = data if isinstance(data, FileResult) else check_record(data, shown, taxonomy,
                                                                        settings)
        yield result, result.problems + file_tree_problems(result, by_id, today) + \
            placement_problems(shown, top)


def placement_problems(path: str, top: str) -> list[Problem]:
    """A warning for a record outside its year folder. The first folder below the incidents
    folder (``top``, spelled as ``path`` is) must be the year the file name's date starts
    with; folders below the year are the organisation's own (``2026/billing/``). A file
    outside ``top`` (given on the command line) or without a valid id is not judged."""
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    if not ID_RE.match(stem):
        return []
    inner = os.path.relpath(path, top)
    if inner.startswith(os.pardir):
        return []
    folders = os.path.dirname(inner).split(os.sep) if os.path.dirname(inner) else []
    year = stem[:4]
    if folders and folders[0] == year:
        return []
    if folders and YEAR_FOLDER.match(folders[0]):
        code = "wrong-year-folder"
        message = (f"the record is in the folder for {folders[0]}, but its file name dates "
                   f"it in {year}")
        target = os.path.join(top, year, *folders[1:], name)
    else:
        code = "not-in-year-folder"
        where = f"in the folder '{folders[0]}'" if folders else "directly in the incidents " \
            "folder"
        message = (f"the record is {where}, not in a year folder; records go in a folder "
                   "named after the year of their date")
        target = os.path.join(top, year, *folders, name)
    return [Problem(path, 1, 1, Severity.WARNING, code, message,
                    hint=f"move it to {target}")]


def tree_problems(files: list[FileResult], today: date) -> list[Problem]:
    """Rules across files: unique ids, ``related`` that exists, nothing in the future."""
    by_id: dict[str, list[str]] = defaultdict(list)
    for f in files:
        by_id[f.id].append(f.path)
    return [p for f in files for p in file_tree_problems(f, by_id, today)]


def file_tree_problems(f: FileResult, by_id: dict[str, list[str]], today: date
                       ) -> list[Problem]:
    """The tree-wide rules for one file, given every id in the tree and the paths using it."""
    out: list[Problem] = []
    others = [p for p in by_id.get(f.id, []) if p != f.path]
    if others:
        out.append(Problem(f.path, 1, 1, Severity.ERROR, "duplicate-id",
                           f"the id '{f.id}' is also used by {', '.join(others)}",
                           hint="ids are file names and must be unique across all folders; "
                                "rename one file"))
    for ref in f.related:
        if ref.value == f.id:
            out.append(Problem(f.path, ref.line, ref.column, Severity.ERROR, "self-related",
                               "a record cannot be related to itself", ref.pointer))
        elif ref.value not in by_id:
            out.append(Problem(f.path, ref.line, ref.column, Severity.ERROR,
                               "unknown-related", f"no record has the id '{ref.value}'",
                               ref.pointer, suggest(ref.value, list(by_id))))
    for event in f.events:
        if day_of(event.value) > today:
            out.append(Problem(f.path, event.line, event.column, Severity.ERROR,
                               "date-in-future",
                               f"{day_of(event.value)} is in the future (today is {today})",
                               event.pointer, "record what has happened, with its real date"))
    return out
