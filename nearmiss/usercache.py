"""Where nearmiss keeps its per-user files: the check cache and the git dates.

They live in the user's cache folder, never in the repository: the check cache holds
pickles, and a pickle committed by a pull request must never be loaded. One file per
learning log, named by a hash of the log's absolute folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_dir() -> Path:
    """$NEARMISS_CACHE_DIR, else $XDG_CACHE_HOME/nearmiss, else ~/.cache/nearmiss."""
    configured = os.environ.get("NEARMISS_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nearmiss"


def cache_file(folder: Path, prefix: str, suffix: str, directory: Path | None = None) -> Path:
    """The cache file of one kind (``prefix``) for the learning log in ``folder``."""
    key = hashlib.blake2b(str(folder.resolve()).encode(), digest_size=8).hexdigest()
    return (directory or cache_dir()) / f"{prefix}{key}{suffix}"
