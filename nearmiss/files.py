"""Writing files so that an interruption never leaves a half-written or lost file, and
the one guard against records that link out of the incidents folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def links_outside(path: str, inside: str) -> bool:
    """Whether ``path`` is a symbolic link to a file outside the folder ``inside`` (given
    resolved, with ``os.path.realpath``). Such a record is refused, never read or written:
    a pull request must not be able to publish /etc/passwd or another repository's files,
    nor have ``nearmiss fmt`` rewrite them."""
    return os.path.islink(path) and not os.path.realpath(path).startswith(inside + os.sep)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, content: str | bytes, *, overwrite: bool = False,
                 durable: bool = True) -> None:
    """Write to a temporary file beside ``path``, then rename it into place.

    The rename is atomic on POSIX, so readers see the old file or the new one, never a
    mix. Without ``overwrite`` an existing file is an error (FileExistsError), checked
    again at the last moment so a file created meanwhile is not clobbered either. Text
    is written as UTF-8 with its line ends as given; bytes as they are. Without
    ``durable`` the data is not forced to the disk before the rename: for a file whose
    loss in a crash costs only time, such as a cache.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and path.exists():
        raise FileExistsError(str(path))
    # mkstemp makes the file private (0600); give it the mode a plain open() would, or
    # keep the mode of the file it replaces
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the path appeared meanwhile; never replaces
            os.unlink(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
