"""Check a whole learning log: find the files, check each (in parallel, cached), then the
rules that need the whole tree or today's date.

Reading the bytes of every file is the floor; a content-hash cache keeps re-checks near it.
A cold check shares the files out among every core, the main process's included: forked
workers inherit the list of files, the taxonomy and the cache, read and hash their own
files, and send back only results, which the main process takes in between its own.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import TypeVar

from nearmiss.files import links_outside
from nearmiss.log.cache import Cache, digest, pack, paused_gc
from nearmiss.record.model import ID_RE, Record
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
PARALLEL_FROM = 400  # below this many files, starting workers costs more than it saves
MAX_WORKERS = 3  # besides the main process, which takes in every result
CHUNK = 32  # files per claim: small enough that all processes finish together


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


# A file's outcome: its content digest (None: unreadable), its result (None: the cache
# holds it for that digest), and its verdict pickled when a worker sent it so (for the
# cache, which keeps it as it is). Workers send the result as pickled verdict and record.
Outcome = tuple[bytes | None, FileResult | None, bytes | None]
Sent = tuple[bytes | None, bytes | None, Record | None]


@dataclass(frozen=True)
class _Job:
    """Everything checking the files needs, fixed before any worker is forked."""

    paths: list[str]
    read: dict[str, bytes]  # files already read, by path; the others are read here
    inside: str  # the incidents folder, resolved: links out of it are refused
    taxonomy: Taxonomy
    settings: Settings
    cache: Cache | None
    records: bool

    def outcome(self, shown: str) -> Outcome:
        data = self.read[shown] if shown in self.read else _read(shown, self.inside)
        if isinstance(data, FileResult):
            return None, data, None
        content = digest(data)
        if self.cache is not None and self.cache.holds(shown, content):
            return content, None, None
        return content, check_record(data, shown, self.taxonomy, self.settings,
                                     record=self.records), None

    def chunk(self, start: int) -> list[Outcome]:
        return [self.outcome(shown) for shown in self.paths[start:start + CHUNK]]


def _claim(next_chunk: Synchronized[int]) -> int:
    """The first file of the next chunk no process has taken yet."""
    with next_chunk.get_lock():
        start = next_chunk.value
        next_chunk.value = start + CHUNK
    return start


def _help(job: _Job, next_chunk: Synchronized[int],
          send: multiprocessing.connection.Connection) -> None:
    """A worker: check chunk after chunk and send each back, until none is left."""
    try:
        while (start := _claim(next_chunk)) < len(job.paths):
            sent: list[Sent] = [(content, None, None) if result is None else
                                (content, pack(result.verdict()), result.record)
                                for content, result, _ in job.chunk(start)]
            send.send((start, sent))
    except BaseException:  # the main process checks an undelivered chunk itself, and so
        pass  # reports any error once, with its own traceback
    finally:
        send.close()


def _receive(job: _Job, pipes: list[multiprocessing.connection.Connection],
             outcomes: list[Outcome | None], timeout: float | None) -> None:
    """Take in the chunks that workers have sent; a closed pipe means that worker is done."""
    for pipe in multiprocessing.connection.wait(pipes, timeout):
        assert isinstance(pipe, multiprocessing.connection.Connection)
        try:
            start, sent = pipe.recv()
        except EOFError:
            pipes.remove(pipe)
            pipe.close()
            continue
        outcomes[start:start + len(sent)] = [
            (content, None if packed is None else
             FileResult.from_verdict(shown, pickle.loads(packed), record), packed)
            for shown, (content, packed, record) in zip(job.paths[start:], sent, strict=False)]


def _workers(files: int) -> int:
    if files < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    return min(cores - 1, MAX_WORKERS)


def _outcomes(job: _Job) -> list[Outcome]:
    """Every file's outcome, in the order of ``job.paths``.

    All processes claim chunks from one counter, so a busy core simply takes fewer; the
    main process checks chunks too and takes in the workers' results between its own.
    Forking, not spawning: workers start in milliseconds with everything inherited, and
    no file's bytes are ever sent between processes."""
    workers = _workers(len(job.paths))
    if not workers:
        return [job.outcome(shown) for shown in job.paths]
    context = multiprocessing.get_context("fork")
    next_chunk = context.Value("q", 0)
    outcomes: list[Outcome | None] = [None] * len(job.paths)
    started: list[multiprocessing.process.BaseProcess] = []
    pipes: list[multiprocessing.connection.Connection] = []
    try:
        for _ in range(workers):
            receive, send = context.Pipe(duplex=False)
            worker = context.Process(target=_help, args=(job, next_chunk, send), daemon=True)
            worker.start()
            send.close()  # the worker's end: closed here, so its exit reads as EOF
            started.append(worker)
            pipes.append(receive)
        while (start := _claim(next_chunk)) < len(job.paths):
            outcomes[start:start + CHUNK] = job.chunk(start)
            _receive(job, pipes, outcomes, timeout=0)
        while pipes:
            _receive(job, pipes, outcomes, timeout=None)
    finally:
        for process in started:
            if pipes:  # leaving early (an error, ^C): stop the workers
                process.terminate()
            process.join()
    for start in range(0, len(outcomes), CHUNK):  # a worker that died left its chunk
        if outcomes[start] is None:
            outcomes[start:start + CHUNK] = job.chunk(start)
    return outcomes  # type: ignore[return-value]  # every slot is filled now


def _known(paths: list[str], inside: str, cache: Cache
           ) -> tuple[dict[str, Outcome], dict[str, bytes]]:
    """Read the files the cache has a result for, here: the outcomes of those unchanged
    (or unreadable), and the bytes of those changed, to be checked with the new files. So
    a warm check is done in this process; forking workers to read costs more than it
    saves, while many changed files (another branch checked out) still share out."""
    outcomes: dict[str, Outcome] = {}
    changed: dict[str, bytes] = {}
    for shown in paths:
        if not cache.knows(shown):
            continue
        data = _read(shown, inside)
        if isinstance(data, FileResult):
            outcomes[shown] = None, data, None
            continue
        content = digest(data)
        if cache.holds(shown, content):
            outcomes[shown] = content, None, None
        else:
            changed[shown] = data
    return outcomes, changed


def check_tree(folder: Path, today: date, *, extra_files: Iterable[Path] = (),
               cache: Cache | None = None, records: bool = True) -> CheckResult:
    """Check every record below ``folder`` (plus ``extra_files``) against its taxonomy.

    Without ``records`` (all `nearmiss check` needs) only the verdicts are made: every
    file's problems, related ids and dates, but no Record, so ``CheckResult.records`` is
    empty; a cold check sends less between processes and a warm one loads less cache."""
    taxonomy, taxonomy_bytes = load_taxonomy(folder)
    settings, settings_bytes = load_settings(folder)
    paths = sorted(set(discover(folder)) | {display_path(p) for p in extra_files})
    inside = os.path.realpath(folder)
    with paused_gc():
        outcomes: dict[str, Outcome] = {}
        changed: dict[str, bytes] = {}
        if cache is not None:
            cache.open(digest(taxonomy_bytes + b"\0" + settings_bytes), records=records)
            outcomes, changed = _known(paths, inside, cache)
        todo = [shown for shown in paths if shown not in outcomes]
        job = _Job(todo, changed, inside, taxonomy, settings, cache, records)
        outcomes.update(zip(todo, _outcomes(job), strict=True))
        files: list[FileResult] = []
        readable: list[str] = []
        for shown in paths:
            content, result, packed = outcomes[shown]
            if content is not None:
                readable.append(shown)
                if cache is not None:
                    if result is None:
                        result = cache.get(shown, content)
                    else:
                        cache.put(shown, content, result, packed)
            assert result is not None  # an outcome without a result is in the cache
            files.append(result)
        if cache is not None:
            cache.save(keep=readable)
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
    inner = _relative(path, top)
    if inner.startswith(name[:4] + os.sep):  # the usual case, decided without the id
        return []  # in the folder of its year, or no id at all
    stem = os.path.splitext(name)[0]
    if not ID_RE.match(stem) or inner.startswith(os.pardir):
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


def _relative(path: str, top: str) -> str:
    """``os.path.relpath(path, top)``, without its two trips to the working directory for
    the usual path, one that starts with ``top`` and goes on in normal form: relpath
    cost a warm check of 10,000 files a tenth of a second."""
    tail = path[len(top) + 1:]
    if path.startswith(top) and path[len(top):len(top) + 1] == os.sep and tail \
            and os.path.normpath(tail) == tail and not tail.startswith(os.pardir) \
            and not os.path.isabs(tail) and not os.path.splitdrive(tail)[0]:
        return tail
    return os.path.relpath(path, top)


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
    for value, line, column, pointer in f.related:
        if value == f.id:
            out.append(Problem(f.path, line, column, Severity.ERROR, "self-related",
                               "a record cannot be related to itself", pointer))
        elif value not in by_id:
            out.append(Problem(f.path, line, column, Severity.ERROR,
                               "unknown-related", f"no record has the id '{value}'",
                               pointer, suggest(value, list(by_id))))
    latest = today.toordinal()
    for day, line, column, pointer in f.events:
        if day > latest:
            out.append(Problem(f.path, line, column, Severity.ERROR,
                               "date-in-future",
                               f"{date.fromordinal(day)} is in the future (today is {today})",
                               pointer, "record what has happened, with its real date"))
    return out
