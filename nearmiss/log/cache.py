"""A per-learning-log cache of file results keyed by content hash.

It lives in the user's cache folder, never in the repository: it holds pickles, and a
pickle committed by a pull request must never be loaded by CI. Any doubt (another version,
another taxonomy, a damaged file) means starting empty, never a wrong answer.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path

from nearmiss.files import write_atomic
from nearmiss.record.result import FileResult
from nearmiss.usercache import cache_file

_PACKAGE = Path(__file__).parent.parent  # the whole nearmiss package


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def code_fingerprint() -> bytes:
    """Results depend on the checker's code, not only its version number (think of an
    editable install during development), so the code itself is part of the cache key."""
    h = hashlib.blake2b(digest_size=16)
    for source in sorted(_PACKAGE.rglob("*.py")):
        h.update(source.read_bytes())
    return h.digest()


class Cache:
    """Results of unchanged files, valid for one taxonomy and one version of the code."""

    def __init__(self, folder: Path, cache_dir: Path | None = None) -> None:
        self.file = cache_file(folder, "", ".pickle", cache_dir)
        self.entries: dict[str, tuple[bytes, FileResult]] = {}
        self.stamp: tuple[bytes, bytes] = (b"", b"")
        self.dirty = False

    def open(self, taxonomy_digest: bytes) -> None:
        self.stamp = (code_fingerprint(), taxonomy_digest)
        gc.disable()  # loading builds many objects; collecting on the way halves the speed
        try:
            with self.file.open("rb") as handle:
                stamp, entries = pickle.load(handle)
        except Exception:  # noqa: BLE001 - a missing or damaged cache is only a slower run
            return
        finally:
            gc.enable()
        if stamp == self.stamp and isinstance(entries, dict):
            self.entries = entries

    def get(self, path: str, content: bytes) -> FileResult | None:
        entry = self.entries.get(path)
        return entry[1] if entry is not None and entry[0] == content else None

    def put(self, path: str, content: bytes, result: FileResult) -> None:
        self.entries[path] = (content, result)
        self.dirty = True

    def save(self, keep: Iterable[str]) -> None:
        """Write atomically, dropping files that are gone; a failure to write is harmless."""
        kept = set(keep)
        if set(self.entries) - kept:
            self.entries = {k: v for k, v in self.entries.items() if k in kept}
            self.dirty = True
        if not self.dirty:
            return
        try:
            write_atomic(self.file, pickle.dumps((self.stamp, self.entries),
                                                 protocol=pickle.HIGHEST_PROTOCOL),
                         overwrite=True)
            self.dirty = False
        except OSError:
            pass  # an unwritable cache folder only means a slower next run
