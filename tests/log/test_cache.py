"""The content-hash cache: reused only for the same bytes, code and taxonomy; any doubt
means starting empty, never a wrong answer. Verdicts and records live in two files, so a
check that needs no records loads only the small one."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest
import yaml

from nearmiss.log import cache as cache_module
from nearmiss.log.cache import Cache
from nearmiss.record.model import Record
from nearmiss.record.result import FileResult

PATH = "incidents/2026/2026-03-14-a.yaml"
RECORD = Record(id="2026-03-14-a", path=PATH, title="A", kind="near-miss", status="open",
                occurred=date(2026, 3, 14), team="billing", severity="low",
                what_happened="It nearly went wrong.", caught_by="A check.")
RESULT = FileResult(PATH, "2026-03-14-a", [], RECORD,
                    (("2026-03-01-b", 12, 5, "/related/0"),),
                    ((date(2026, 3, 14).toordinal(), 4, 11, "/occurred"),))
VERDICT = FileResult(PATH, RESULT.id, [], None, RESULT.related, RESULT.events)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "incidents").mkdir()
    return tmp_path / "incidents"


def reopened(folder: Path, cache_dir: Path, taxonomy: bytes = b"tax", *,
             records: bool = True) -> Cache:
    cache = Cache(folder, cache_dir)
    cache.open(taxonomy, records=records)
    return cache


def saved(folder: Path, cache_dir: Path, taxonomy: bytes = b"tax", *,
          records: bool = True) -> Cache:
    cache = reopened(folder, cache_dir, taxonomy, records=records)
    cache.put(PATH, b"title: A\n", RESULT if records else VERDICT)
    cache.save([PATH])
    return cache


def test_a_saved_result_comes_back_for_the_same_bytes_only(folder: Path,
                                                            tmp_path: Path) -> None:
    saved(folder, tmp_path / "c")
    cache = reopened(folder, tmp_path / "c")
    assert cache.get(PATH, b"title: A\n") == RESULT
    assert cache.get(PATH, b"title: B\n") is None
    assert cache.get("incidents/2026/other.yaml", b"title: A\n") is None


def test_a_check_without_records_gets_the_verdict_alone(folder: Path, tmp_path: Path) -> None:
    saved(folder, tmp_path / "c")
    cache = reopened(folder, tmp_path / "c", records=False)
    assert cache.records is None, "the records file is not even loaded"
    assert cache.get(PATH, b"title: A\n") == VERDICT


def test_a_check_without_records_never_writes_the_records_file(folder: Path,
                                                               tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c", records=False)
    assert cache.file.exists()
    assert not cache.records_file.exists()


def test_a_verdict_without_its_record_is_a_miss_for_who_needs_records(
        folder: Path, tmp_path: Path) -> None:
    saved(folder, tmp_path / "c", records=False)
    assert reopened(folder, tmp_path / "c").get(PATH, b"title: A\n") is None
    assert reopened(folder, tmp_path / "c", records=False).get(PATH, b"title: A\n") == VERDICT


def test_a_record_of_other_bytes_is_a_miss(folder: Path, tmp_path: Path) -> None:
    """A check without records after an edit updates the verdict only; the record kept
    from before the edit must not be paired with it."""
    saved(folder, tmp_path / "c")
    edited = reopened(folder, tmp_path / "c", records=False)
    edited.put(PATH, b"title: B\n", VERDICT)
    edited.save([PATH])
    cache = reopened(folder, tmp_path / "c")
    assert cache.get(PATH, b"title: B\n") is None
    assert cache.get(PATH, b"title: A\n") is None


def test_another_taxonomy_starts_empty(folder: Path, tmp_path: Path) -> None:
    saved(folder, tmp_path / "c", b"tax")
    cache = reopened(folder, tmp_path / "c", b"changed")
    assert cache.verdicts == {} and cache.records == {}


def test_another_version_of_the_code_starts_empty(folder: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    saved(folder, tmp_path / "c")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: b"other code")
    cache = reopened(folder, tmp_path / "c")
    assert cache.verdicts == {} and cache.records == {}


def test_files_that_are_gone_are_dropped_on_save(folder: Path, tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c")
    cache.save([])
    cache = reopened(folder, tmp_path / "c")
    assert cache.verdicts == {} and cache.records == {}


@pytest.mark.parametrize("damaged", ["verdicts", "records"])
def test_a_damaged_cache_file_is_only_a_slower_run(damaged: str, folder: Path,
                                                   tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c")
    (cache.file if damaged == "verdicts" else cache.records_file).write_bytes(
        b"\x80\x04 not a pickle")
    cache = reopened(folder, tmp_path / "c")
    assert cache.get(PATH, b"title: A\n") is None
    if damaged == "records":
        assert reopened(folder, tmp_path / "c", records=False).get(PATH, b"title: A\n") \
            == VERDICT


def test_two_logs_never_share_a_cache_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = Cache(tmp_path / "a", tmp_path / "c"), Cache(tmp_path / "b", tmp_path / "c")
    assert len({a.file, a.records_file, b.file, b.records_file}) == 4


def test_an_unwritable_cache_folder_is_harmless(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = Cache(folder, blocker / "c")
    cache.open(b"tax")
    cache.put(PATH, b"x", RESULT)
    cache.save([PATH])  # must not raise
    assert cache.dirty and cache.records_dirty


def test_the_fingerprint_covers_every_module_of_the_package() -> None:
    """An edit to a module in any subpackage must invalidate results."""
    package = Path(cache_module.__file__).parent.parent
    modules = sorted(package.rglob("*.py"))
    assert any(p.parent.name == "record" for p in modules)
    assert cache_module._PACKAGE == package


def test_the_fingerprint_covers_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's limits and messages change between versions (its nesting limit did)."""
    before = cache_module.code_fingerprint()
    monkeypatch.setattr(yaml, "__version__", "0.0-other")
    assert cache_module.code_fingerprint() != before


def test_paused_gc_nests_and_restores() -> None:
    assert gc.isenabled()
    with cache_module.paused_gc():
        with cache_module.paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause must not end the outer one"
    assert gc.isenabled()


def test_a_verdict_sent_pickled_is_saved_as_sent(folder: Path, tmp_path: Path) -> None:
    """Workers send verdicts pickled; the cache writes those bytes, not a new pickle."""
    cache = reopened(folder, tmp_path / "c", records=False)
    packed = cache_module.pack(VERDICT.verdict())
    cache.put(PATH, b"title: A\n", VERDICT, packed)
    cache.save([PATH])
    assert cache.packed[PATH] == (b"title: A\n", packed)
    assert reopened(folder, tmp_path / "c", records=False).get(PATH, b"title: A\n") == VERDICT


def test_a_damaged_verdict_inside_a_sound_cache_file_starts_empty(folder: Path,
                                                                  tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c", records=False)
    cache.packed[PATH] = (b"title: A\n", b"\x80\x05 not a pickle")
    cache.dirty = True
    cache.save([PATH])
    cache = reopened(folder, tmp_path / "c", records=False)
    assert cache.verdicts == {} and cache.get(PATH, b"title: A\n") is None


OTHER = "incidents/2026/2026-03-15-b.yaml"


def test_a_cache_kept_open_is_not_loaded_again(folder: Path, tmp_path: Path) -> None:
    """`mkdocs serve` keeps one cache open: a rebuild reads neither file again."""
    cache = saved(folder, tmp_path / "c")
    cache.file.unlink()
    cache.records_file.unlink()
    cache.open(b"tax")
    assert cache.get(PATH, b"title: A\n") == RESULT
    cache.open(b"other taxonomy")  # anything else is loaded afresh: here, nothing
    assert cache.get(PATH, b"title: A\n") is None


def test_a_cache_opened_without_records_loads_them_when_they_are_needed(
        folder: Path, tmp_path: Path) -> None:
    saved(folder, tmp_path / "c")
    cache = reopened(folder, tmp_path / "c", records=False)
    assert cache.records is None
    cache.open(b"tax", records=True)
    assert cache.get(PATH, b"title: A\n") == RESULT


def test_saving_after_an_edit_pickles_the_edited_record_only(folder: Path,
                                                               tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c")
    kept = cache.packed_records[PATH][1]
    other = FileResult(OTHER, "2026-03-15-b", [], RECORD, (), ())
    cache.put(OTHER, b"title: B\n", other)
    cache.save([PATH, OTHER])
    assert cache.packed_records[PATH][1] is kept  # the same bytes, written as they were
    again = reopened(folder, tmp_path / "c")
    assert again.get(PATH, b"title: A\n") == RESULT
    assert again.get(OTHER, b"title: B\n") == other
    cache.save([OTHER])  # a file gone: its record goes from both
    assert PATH not in cache.packed_records
    assert reopened(folder, tmp_path / "c").get(PATH, b"title: A\n") is None
