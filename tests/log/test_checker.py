"""check_tree as its callers use it: with or without records, cold or from the cache, in
one process or shared out among workers; every way gives the same answer."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXED_TODAY, add_record, build_learning_log, minimal_near_miss

from nearmiss.log import checker
from nearmiss.log.cache import Cache
from nearmiss.log.checker import CheckResult, check_tree
from nearmiss.record.result import FileResult
from nearmiss.record.rules import check_record

TEAM_TYPO = "2026-03-14-team-typo.yaml"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The valid fixtures, one record with an error and one with a broken related link."""
    monkeypatch.chdir(tmp_path)
    folder = build_learning_log(tmp_path)
    add_record(folder, TEAM_TYPO, minimal_near_miss(team="field-services"))
    add_record(folder, "2026-03-15-links-nowhere.yaml",
               minimal_near_miss(occurred="2026-03-15", related="[2026-01-01-nothing]"))
    return folder


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths check_record is called for, in this process (workers are not counted)."""
    calls: list[str] = []
    real = check_record

    def counting(data: bytes, path: str, *args: Any, **kwargs: Any) -> FileResult:
        calls.append(path)
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr("nearmiss.log.checker.check_record", counting)
    return calls


def run(log: Path, cache_dir: Path | None, records: bool = True) -> CheckResult:
    cache = Cache(log, cache_dir) if cache_dir is not None else None
    return check_tree(log, FIXED_TODAY, cache=cache, records=records)


def same_verdicts(a: CheckResult, b: CheckResult) -> bool:
    return a.problems == b.problems and [f.verdict() for f in a.files] == \
        [f.verdict() for f in b.files]


def test_without_records_the_problems_are_the_same(log: Path) -> None:
    full, verdicts = run(log, None), run(log, None, records=False)
    assert full.problems and full.records
    assert same_verdicts(verdicts, full)
    assert verdicts.records == [] and all(f.record is None for f in verdicts.files)


def test_a_warm_check_without_records_parses_nothing(log: Path, tmp_path: Path,
                                                     parsed: list[str]) -> None:
    cold = run(log, tmp_path / "c", records=False)
    assert len(parsed) == len(cold.files)
    parsed.clear()
    warm = run(log, tmp_path / "c", records=False)
    assert parsed == []
    assert same_verdicts(warm, cold)
    assert not Cache(log, tmp_path / "c").records_file.exists()


def test_records_after_a_check_without_them_are_parsed_once_and_the_same(
        log: Path, tmp_path: Path, parsed: list[str]) -> None:
    fresh = run(log, None)
    run(log, tmp_path / "c", records=False)
    parsed.clear()
    first = run(log, tmp_path / "c")
    assert len(parsed) == len(fresh.files), "a verdict without its record is a miss"
    assert first.records == fresh.records and first.problems == fresh.problems
    parsed.clear()
    again = run(log, tmp_path / "c")
    assert parsed == []
    assert again.records == fresh.records and again.files == fresh.files
    parsed.clear()
    assert same_verdicts(run(log, tmp_path / "c", records=False), fresh)
    assert parsed == [], "the verdicts written by a run with records serve a check"


def test_a_changed_file_alone_is_parsed_again(log: Path, tmp_path: Path,
                                              parsed: list[str]) -> None:
    run(log, tmp_path / "c")
    typo = add_record(log, TEAM_TYPO, minimal_near_miss(team="field-service"))
    parsed.clear()
    checked = run(log, tmp_path / "c", records=False)
    assert [Path(p).resolve() for p in parsed] == [typo.resolve()]
    assert "unknown-team" not in {p.code for p in checked.problems}
    parsed.clear()
    with_records = run(log, tmp_path / "c")
    assert [Path(p).resolve() for p in parsed] == [typo.resolve()], \
        "its record, kept from before the edit, is not reused"
    assert with_records.records == run(log, None).records


def test_a_damaged_cache_gives_the_same_answer(log: Path, tmp_path: Path) -> None:
    fresh = run(log, None)
    run(log, tmp_path / "c")
    for cached in (tmp_path / "c").iterdir():
        cached.write_bytes(b"not a pickle")
    again = run(log, tmp_path / "c")
    assert again.files == fresh.files and again.problems == fresh.problems


def test_a_deleted_file_leaves_the_cache(log: Path, tmp_path: Path) -> None:
    run(log, tmp_path / "c")
    (log / "2026" / TEAM_TYPO).unlink()
    run(log, tmp_path / "c")
    cache = Cache(log, tmp_path / "c")
    for file in (cache.file, cache.records_file):
        _, entries = pickle.loads(file.read_bytes())
        assert len(entries) == len(checker.discover(log))
        assert not any(TEAM_TYPO in path for path in entries)


# --- workers ------------------------------------------------------------------------------

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="workers are forked")


@pytest.fixture
def shared_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers beside the main process, two files a chunk, whatever the machine."""
    monkeypatch.setattr(checker, "_workers", lambda files: 2)
    monkeypatch.setattr(checker, "CHUNK", 2)


@needs_fork
@pytest.mark.parametrize("records", [True, False])
def test_workers_give_what_one_process_gives(records: bool, log: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    alone = run(log, None, records)
    monkeypatch.setattr(checker, "_workers", lambda files: 2)
    monkeypatch.setattr(checker, "CHUNK", 2)
    shared = run(log, tmp_path / "c", records)
    warm = run(log, tmp_path / "c", records)
    for result in (shared, warm):
        assert result.files == alone.files and result.problems == alone.problems


@needs_fork
@pytest.mark.usefixtures("shared_out")
def test_changed_files_a_warm_check_read_are_checked_as_changed(log: Path,
                                                                tmp_path: Path) -> None:
    """The bytes read while looking files up are handed on, never stale ones."""
    run(log, tmp_path / "c")
    for path in sorted(log.rglob("2026-*.yaml")):
        path.write_bytes(path.read_bytes().replace(b"\nkind:", b"\nseverity: low\nkind:", 1))
    fresh = run(log, None)
    assert "duplicate-key" in {p.code for p in fresh.problems}
    for records in (False, True):
        again = run(log, tmp_path / "c", records)
        assert again.problems == fresh.problems


def dying_worker(main: int, real: Callable[..., Any]) -> Callable[..., Any]:
    def outcome(job: Any, shown: str) -> Any:
        if os.getpid() != main:
            os._exit(3)  # a worker killed mid-chunk: by the OOM killer, say
        return real(job, shown)
    return outcome


@needs_fork
@pytest.mark.usefixtures("shared_out")
def test_a_worker_that_dies_only_makes_the_check_slower(
        log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = run(log, None)
    monkeypatch.setattr(checker._Job, "outcome",
                        dying_worker(os.getpid(), checker._Job.outcome))
    shared = run(log, None)
    assert shared.files == alone.files and shared.problems == alone.problems


@needs_fork
@pytest.mark.usefixtures("shared_out")
def test_an_error_in_the_main_process_stops_the_workers(
        log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[multiprocessing.process.BaseProcess] = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(process: multiprocessing.process.BaseProcess) -> None:
        real_start(process)
        started.append(process)

    def fail(job: Any, start: int) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    monkeypatch.setattr(checker._Job, "chunk", fail)
    with pytest.raises(RuntimeError, match="boom"):
        run(log, None)
    assert started and not any(p.is_alive() for p in started)


@pytest.mark.parametrize(("path", "code"), [
    ("incidents/2026/2026-03-14-x.yaml", None),
    ("incidents/2026/billing/2026-03-14-x.yaml", None),
    ("incidents/2025/../2026/2026-03-14-x.yaml", None),
    ("incidents/2026/../2025/2026-03-14-x.yaml", "wrong-year-folder"),
    ("incidents/./2025/2026-03-14-x.yaml", "wrong-year-folder"),
    ("incidents/2026-03-14-x.yaml", "not-in-year-folder"),
    ("incidents/note/notes.yaml", None),  # no id: not judged
    ("incidents/2026/notes.yaml", None),
    ("elsewhere/2025/2026-03-14-x.yaml", None),  # outside the folder: not judged
])
def test_the_year_folder_is_judged_on_the_path_in_normal_form(path: str,
                                                              code: str | None) -> None:
    """The usual case is decided from the path alone; a path not in normal form is
    judged by where it leads."""
    assert [p.code for p in checker.placement_problems(path, "incidents")] == \
        ([code] if code else [])
