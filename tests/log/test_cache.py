"""The content-hash cache: reused only for the same bytes, code and taxonomy; any doubt
means starting empty, never a wrong answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from nearmiss.log import cache as cache_module
from nearmiss.log.cache import Cache
from nearmiss.record.rules import FileResult

RESULT = FileResult("incidents/2026/2026-03-14-a.yaml", "2026-03-14-a", [])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "incidents").mkdir()
    return tmp_path / "incidents"


def saved(folder: Path, cache_dir: Path, taxonomy: bytes = b"tax") -> Cache:
    cache = Cache(folder, cache_dir)
    cache.open(taxonomy)
    cache.put(RESULT.path, b"title: A\n", RESULT)
    cache.save([RESULT.path])
    return cache


def reopened(folder: Path, cache_dir: Path, taxonomy: bytes = b"tax") -> Cache:
    cache = Cache(folder, cache_dir)
    cache.open(taxonomy)
    return cache


def test_a_saved_result_comes_back_for_the_same_bytes_only(folder: Path,
                                                            tmp_path: Path) -> None:
    saved(folder, tmp_path / "c")
    cache = reopened(folder, tmp_path / "c")
    assert cache.get(RESULT.path, b"title: A\n") == RESULT
    assert cache.get(RESULT.path, b"title: B\n") is None
    assert cache.get("incidents/2026/other.yaml", b"title: A\n") is None


def test_another_taxonomy_starts_empty(folder: Path, tmp_path: Path) -> None:
    saved(folder, tmp_path / "c", b"tax")
    assert reopened(folder, tmp_path / "c", b"changed").entries == {}


def test_another_version_of_the_code_starts_empty(folder: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    saved(folder, tmp_path / "c")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: b"other code")
    assert reopened(folder, tmp_path / "c").entries == {}


def test_files_that_are_gone_are_dropped_on_save(folder: Path, tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c")
    cache.save([])
    assert reopened(folder, tmp_path / "c").entries == {}


def test_a_damaged_cache_file_is_only_a_slower_run(folder: Path, tmp_path: Path) -> None:
    cache = saved(folder, tmp_path / "c")
    cache.file.write_bytes(b"\x80\x04 not a pickle")
    assert reopened(folder, tmp_path / "c").entries == {}


def test_two_logs_never_share_a_cache_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert Cache(tmp_path / "a", tmp_path / "c").file != Cache(tmp_path / "b", tmp_path / "c").file


def test_an_unwritable_cache_folder_is_harmless(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = Cache(folder, blocker / "c")
    cache.open(b"tax")
    cache.put(RESULT.path, b"x", RESULT)
    cache.save([RESULT.path])  # must not raise
    assert cache.dirty


def test_the_fingerprint_covers_every_module_of_the_package() -> None:
    """An edit to a module in any subpackage must invalidate results."""
    package = Path(cache_module.__file__).parent.parent
    modules = sorted(package.rglob("*.py"))
    assert any(p.parent.name == "record" for p in modules)
    assert cache_module._PACKAGE == package
