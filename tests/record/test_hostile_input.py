"""Whatever lands in incidents/, the check reports it clearly and still checks every other
file. Each case runs the whole check in a child process held to a memory ceiling and a
time limit of its own, so a case that explodes fails its test instead of the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import TAXONOMY_FIXTURE, minimal_near_miss

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for the child
TIME_LIMIT = 60  # seconds before the child is killed

GOOD = "2026-03-14-a-good-record.yaml"
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from nearmiss.cli import cli
sys.argv = ["nearmiss", "check", "--no-cache", "--format", "json"]
cli()
"""


def alias_bomb(folder: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    (folder / "2026-03-15-bomb.yaml").write_text(minimal_near_miss() + "extra:\n  " +
                                                 "\n  ".join(lines) + "\n", encoding="utf-8")


def deep(folder: Path) -> None:
    (folder / "2026-03-15-deep.yaml").write_bytes(b"[" * 200_000 + b"]" * 200_000)


def huge(folder: Path) -> None:
    (folder / "2026-03-15-huge.yaml").write_bytes(
        minimal_near_miss().encode() + b"lessons: |\n" + b"  more and more\n" * 200_000)


def two_documents(folder: Path) -> None:
    (folder / "2026-03-15-two.yaml").write_text(minimal_near_miss() + "---\n" +
                                                minimal_near_miss(), encoding="utf-8")


def latin1(folder: Path) -> None:
    (folder / "2026-03-15-latin1.yaml").write_bytes(
        minimal_near_miss().replace("The visit", "Caf\u00e9 visit").encode("latin-1"))


def python_tag(folder: Path) -> None:
    (folder / "2026-03-15-tag.yaml").write_text(
        minimal_near_miss() + "extra: !!python/object/apply:os.system ['touch PWNED']\n",
        encoding="utf-8")


def symlink_outside(folder: Path) -> None:
    secret = folder.parent.parent / "secret.yaml"
    secret.write_text("title: a file from elsewhere\n", encoding="utf-8")
    (folder / "2026-03-15-link.yaml").symlink_to(secret)


def folder_named_like_a_record(folder: Path) -> None:
    (folder / "2026-03-15-folder.yaml").mkdir()


def dangling_link(folder: Path) -> None:
    (folder / "2026-03-15-gone.yaml").symlink_to(folder / "nowhere.yaml")


CASES: dict[str, tuple[Callable[[Path], None], str | None]] = {
    "alias bomb": (alias_bomb, "yaml-alias"),
    "200k nested brackets": (deep, "yaml-too-deep"),
    "file over the size limit": (huge, "file-too-large"),
    "two documents": (two_documents, "yaml-multiple-documents"),
    "latin-1 bytes": (latin1, "file-encoding"),
    "python object tag": (python_tag, "yaml-tag"),
    "link out of the folder": (symlink_outside, "symlink-outside"),
    "folder named like a record": (folder_named_like_a_record, "file-unreadable"),
    "dangling link": (dangling_link, "file-unreadable"),
}


def run_check(root: Path) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=MEMORY_LIMIT)], cwd=root,
        capture_output=True, text=True, timeout=TIME_LIMIT,
        env={**os.environ, "NEARMISS_CACHE_DIR": str(root / "cache")})
    assert child.returncode in (0, 1), child.stderr[-2000:]
    assert "Traceback" not in child.stderr
    result: dict[str, object] = json.loads(child.stdout)
    return result


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_reported_and_the_others_still_checked(case: str,
                                                               tmp_path: Path) -> None:
    make, code = CASES[case]
    folder = tmp_path / "incidents" / "2026"
    folder.mkdir(parents=True)
    shutil.copy(TAXONOMY_FIXTURE, folder.parent / "_taxonomy.yaml")
    (folder / GOOD).write_text(minimal_near_miss(), encoding="utf-8")
    make(folder)
    result = run_check(tmp_path)
    problems = result["problems"]
    assert isinstance(problems, list)
    codes = {p["code"] for p in problems}
    assert code in codes, problems
    assert result["files"] == 2
    assert not [p for p in problems if p["path"].endswith(GOOD)]
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("transform", [
    lambda text: "\ufeff" + text,
    lambda text: text.replace("\n", "\r\n"),
    lambda text: "\ufeff" + text.replace("\n", "\r\n"),
], ids=["byte-order mark", "CRLF line endings", "both"])
def test_bom_and_crlf_are_fine(transform: Callable[[str], str], tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "2026"
    folder.mkdir(parents=True)
    shutil.copy(TAXONOMY_FIXTURE, folder.parent / "_taxonomy.yaml")
    (folder / GOOD).write_bytes(transform(minimal_near_miss()).encode("utf-8"))
    result = run_check(tmp_path)
    assert result["problems"] == [] and result["files"] == 1
