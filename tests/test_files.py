"""Atomic writes and the guard against records that link out of the incidents folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nearmiss.files import links_outside, write_atomic


@pytest.fixture
def umask_027() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_written_with_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "record.yaml"
    write_atomic(path, "title: café\r\n")
    assert path.read_bytes() == "title: café\r\n".encode()  # UTF-8, line breaks as given
    assert names(path.parent) == ["record.yaml"]


def test_an_existing_file_is_never_overwritten_without_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "record.yaml"
    path.write_text("ours\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_atomic(path, "theirs\n")
    assert path.read_text(encoding="utf-8") == "ours\n"
    assert names(tmp_path) == ["record.yaml"]
    write_atomic(path, "theirs\n", overwrite=True)
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert names(tmp_path) == ["record.yaml"]


def test_a_file_that_appears_meanwhile_is_not_clobbered(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """The last-moment check: the file is created after the first look, before the link."""
    path = tmp_path / "record.yaml"
    real_link = os.link

    def someone_else_first(src: Any, dst: Any, **kwargs: Any) -> None:
        Path(dst).write_text("someone else's\n", encoding="utf-8")
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", someone_else_first)
    with pytest.raises(FileExistsError):
        write_atomic(path, "ours\n")
    assert path.read_text(encoding="utf-8") == "someone else's\n"
    assert names(tmp_path) == ["record.yaml"]  # no temporary file left


def test_replacing_keeps_the_mode_of_the_replaced_file(tmp_path: Path, umask_027: int) -> None:
    path = tmp_path / "record.yaml"
    path.write_text("old\n", encoding="utf-8")
    for mode in (0o604, 0o755, 0o600):
        path.chmod(mode)
        inode = path.stat().st_ino
        write_atomic(path, f"new {mode:o}\n", overwrite=True)
        assert stat.S_IMODE(path.stat().st_mode) == mode
        assert path.stat().st_ino != inode  # a new file renamed into place, not rewritten
        assert path.read_text(encoding="utf-8") == f"new {mode:o}\n"


def test_a_new_file_gets_the_mode_of_the_umask_not_the_private_temporary_one(
        tmp_path: Path, umask_027: int) -> None:
    path = tmp_path / "record.yaml"
    write_atomic(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask_027 == 0o640
    write_atomic(tmp_path / "other.yaml", "new\n", overwrite=True)
    assert stat.S_IMODE((tmp_path / "other.yaml").stat().st_mode) == 0o640


class Interrupted(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("overwrite", [True, False])
@pytest.mark.parametrize(("where", "error"), [
    ("fsync", OSError), ("fsync", Interrupted), ("replace", OSError), ("replace", Interrupted),
    ("link", OSError), ("link", Interrupted), ("fchmod", OSError),
])
def test_a_failure_leaves_the_old_file_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str,
        error: type[BaseException], overwrite: bool) -> None:
    path = tmp_path / "record.yaml"
    if overwrite:
        path.write_text("old\n", encoding="utf-8")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise error("interrupted")

    monkeypatch.setattr(os, where, fail)
    if where == ("link" if overwrite else "replace"):  # not on this path: it succeeds
        write_atomic(path, "new\n", overwrite=overwrite)
        monkeypatch.undo()
        assert path.read_text(encoding="utf-8") == "new\n"
        assert names(tmp_path) == ["record.yaml"]
        return
    with pytest.raises(error):
        write_atomic(path, "new\n", overwrite=overwrite)
    monkeypatch.undo()
    assert names(tmp_path) == (["record.yaml"] if overwrite else [])
    if overwrite:
        assert path.read_text(encoding="utf-8") == "old\n"


def test_links_outside_the_folder_are_told_apart(tmp_path: Path) -> None:
    incidents = tmp_path / "incidents"
    (incidents / "2026").mkdir(parents=True)
    sibling = tmp_path / "incidents-elsewhere"  # same prefix, another folder
    sibling.mkdir()
    inside_file = incidents / "2026" / "2026-03-14-a.yaml"
    inside_file.write_text("title: a\n", encoding="utf-8")
    (sibling / "b.yaml").write_text("title: b\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("title: c\n", encoding="utf-8")
    cases = {
        "2026-03-14-inside.yaml": (inside_file, False),
        "2026-03-14-outside.yaml": (tmp_path / "c.yaml", True),
        "2026-03-14-sibling.yaml": (sibling / "b.yaml", True),
        "2026-03-14-dangling.yaml": (tmp_path / "gone.yaml", True),
    }
    inside = os.path.realpath(incidents)
    for name, (target, outside) in cases.items():
        link = incidents / "2026" / name
        link.symlink_to(target)
        assert links_outside(str(link), inside) is outside, name
    assert links_outside(str(inside_file), inside) is False  # not a link at all
    assert links_outside(str(tmp_path / "c.yaml"), inside) is False  # outside, not a link


def test_bytes_are_written_as_they_are(tmp_path: Path) -> None:
    target = tmp_path / "cache.pickle"
    write_atomic(target, b"\x80\x04\r\n\x00", overwrite=True)
    assert target.read_bytes() == b"\x80\x04\r\n\x00"
