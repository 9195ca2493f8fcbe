"""A per-learning-log cache of check results keyed by content hash, in two files.

The verdicts (each file's problems, related ids and dates: all that `nearmiss check` and
the tree rules need) are a few hundred bytes a file, and all that a warm check loads. Each
is kept pickled on its own, as the worker that checked the file sent it, so saving a cold
check's 10,000 verdicts writes bytes instead of pickling them all again. The
records, with every text of every file, are in a file of their own that only callers
needing records (stats, the site) load, each pickled on its own too, so saving after one
edit pickles one record, not ten thousand (a third of a second, on every rebuild of
`mkdocs serve`, which keeps one Cache open from one build to the next). Each entry is
the result for one path's exact bytes, so any mix of the two files is consistent; a
verdict whose record is missing or older is a miss for a caller that needs records.

It lives in the user's cache folder, never in the repository: it holds pickles, and a
pickle committed by a pull request must never be loaded by CI. Any doubt (another version,
another taxonomy, a damaged file) means starting empty, never a wrong answer.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from nearmiss.files import write_atomic
from nearmiss.record.model import Record
from nearmiss.record.result import FileResult, Verdict
from nearmiss.usercache import cache_file

_PACKAGE = Path(__file__).parent.parent  # the whole nearmiss package


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def pack(verdict: Verdict) -> bytes:
    """A verdict as workers send it and the cache keeps it."""
    return pickle.dumps(verdict, protocol=pickle.HIGHEST_PROTOCOL)


def code_fingerprint() -> bytes:
    """Results depend on the checker's code, not only its version number (think of an
    editable install during development), so the code itself is part of the cache key;
    and on the parser's, whose limits and messages change between versions."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{sys.version}\0{yaml.__version__}\0{_libyaml_version()}".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        h.update(source.read_bytes())
    return h.digest()


def _libyaml_version() -> str:
    try:
        from yaml import _yaml
    except ImportError:  # pragma: no cover - the pure-Python parser
        return ""
    return str(_yaml.get_version_string())


@contextmanager
def paused_gc() -> Iterator[None]:
    """Collect no cycles meanwhile: checking and loading build many objects that reference
    counting frees, and each collection would re-scan every result kept so far (some 10%
    of a cold check). The collector's state before is restored, so pauses nest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Cache:
    """Results of unchanged files, valid for one taxonomy and one version of the code."""

    def __init__(self, folder: Path, cache_dir: Path | None = None) -> None:
        self.folder = folder
        self.file = cache_file(folder, "", ".pickle", cache_dir)
        self.records_file = cache_file(folder, "", ".records.pickle", cache_dir)
        self.verdicts: dict[str, tuple[bytes, Verdict]] = {}
        self.packed: dict[str, tuple[bytes, bytes]] = {}  # the same, as saved: pickled
        # None unless opened for records: then each result is kept with its record too
        self.records: dict[str, tuple[bytes, Record | None]] | None = None
        self.packed_records: dict[str, tuple[bytes, bytes]] = {}  # the same, as saved
        self.stamp: tuple[bytes, bytes] = (b"", b"")
        self.dirty = False
        self.records_dirty = False

    def open(self, taxonomy_digest: bytes, *, records: bool = True) -> None:
        """Load the verdicts, and the records too when the caller needs records; kept
        as they are when this cache is open already for the same code and taxonomy (and
        with records, if needed), as between the rebuilds of `mkdocs serve`."""
        stamp = (code_fingerprint(), taxonomy_digest)
        if stamp == self.stamp and (self.records is not None or not records):
            return
        self.stamp = stamp
        self.packed = self._load(self.file)
        self.verdicts = self._unpack(self.packed)
        if not records:
            self.records, self.packed_records = None, {}
            return
        self.packed_records = self._load(self.records_file)
        self.records = self._unpack(self.packed_records)
        if not self.records:
            self.packed_records = {}

    @staticmethod
    def _unpack(packed: dict[str, tuple[bytes, bytes]]) -> dict[str, tuple[bytes, Any]]:
        """Entries as the caller uses them; none at all if any is damaged."""
        with paused_gc():
            try:
                return {path: (content, pickle.loads(blob))
                        for path, (content, blob) in packed.items()}
            except Exception:  # noqa: BLE001 - a damaged entry: start empty
                packed.clear()
                return {}

    def _load(self, file: Path) -> dict[str, Any]:
        with paused_gc():
            try:
                with file.open("rb") as handle:
                    stamp, entries = pickle.load(handle)
            except Exception:  # noqa: BLE001 - a missing or damaged cache is only a slower run
                return {}
        return entries if stamp == self.stamp and isinstance(entries, dict) else {}

    def knows(self, path: str) -> bool:
        """Whether a result for ``path`` is kept, perhaps for other bytes."""
        return path in self.verdicts and (self.records is None or path in self.records)

    def holds(self, path: str, content: bytes) -> bool:
        """Whether ``get`` has the result for these bytes."""
        verdict = self.verdicts.get(path)
        if verdict is None or verdict[0] != content:
            return False
        if self.records is None:
            return True
        kept = self.records.get(path)
        return kept is not None and kept[0] == content

    def get(self, path: str, content: bytes) -> FileResult | None:
        """The result for these bytes (with its record when opened for records), or None."""
        if not self.holds(path, content):
            return None
        record = self.records[path][1] if self.records is not None else None
        return FileResult.from_verdict(path, self.verdicts[path][1], record)

    def put(self, path: str, content: bytes, result: FileResult,
            packed: bytes | None = None) -> None:
        """Keep ``result`` for these bytes; ``packed`` is its verdict already pickled."""
        verdict = result.verdict()
        self.verdicts[path] = (content, verdict)
        self.packed[path] = (content, pack(verdict) if packed is None else packed)
        self.dirty = True
        if self.records is not None:
            self.records[path] = (content, result.record)
            self.packed_records[path] = (content, pickle.dumps(
                result.record, protocol=pickle.HIGHEST_PROTOCOL))
            self.records_dirty = True

    def save(self, keep: Iterable[str]) -> None:
        """Write what changed atomically, dropping files that are gone; a failure to write
        is harmless."""
        kept = set(keep)
        if set(self.verdicts) - kept:
            self.verdicts = {k: v for k, v in self.verdicts.items() if k in kept}
            self.packed = {k: v for k, v in self.packed.items() if k in kept}
            self.dirty = True
        if self.records is not None and set(self.records) - kept:
            self.records = {k: v for k, v in self.records.items() if k in kept}
            self.packed_records = {k: v for k, v in self.packed_records.items() if k in kept}
            self.records_dirty = True
        if self.dirty and self._write(self.file, self.packed):
            self.dirty = False
        if self.records is not None and self.records_dirty \
                and self._write(self.records_file, self.packed_records):
            self.records_dirty = False

    def _write(self, file: Path, entries: dict[str, Any]) -> bool:
        """Replace ``file`` atomically, without waiting for the disk: a file lost or cut
        short by a crash fails to load, which only means starting empty, as does an
        unwritable cache folder."""
        try:
            write_atomic(file, pickle.dumps((self.stamp, entries),
                                            protocol=pickle.HIGHEST_PROTOCOL),
                         overwrite=True, durable=False)
        except OSError:
            return False
        return True
