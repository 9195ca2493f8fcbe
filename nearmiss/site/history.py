"""When each record was first committed and last changed, from git history.

One `git log` for the whole incidents folder (never one per file), cached by the commit
it was read at. Without git, outside a repository, or on error, there are simply no dates;
in a shallow clone the first commit seen is not the first ever, so only "last changed" is
told.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nearmiss.files import write_atomic
from nearmiss.usercache import cache_file


@dataclass(frozen=True)
class Dates:
    first: date | None  # None in a shallow clone
    last: date


def _git(folder: Path, *args: str) -> str | None:
    try:
        run = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                             text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout if run.returncode == 0 else None


def _read_log(top: Path, folder: Path) -> dict[str, Dates]:
    shallow = (_git(top, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    out = _git(top, "log", "--format=%x00%as", "--name-only", "--no-renames", "--",
               os.path.relpath(folder.resolve(), top))
    dates: dict[str, Dates] = {}
    if out is None:
        return dates
    for chunk in out.split("\0")[1:]:
        day_text, _, names = chunk.partition("\n")
        day = date.fromisoformat(day_text.strip())
        for name in names.split("\n"):
            if not name:
                continue
            seen = dates.get(str(top / name))
            # newest commit first: the first sighting is the last change
            dates[str(top / name)] = Dates(None if shallow else day,
                                           seen.last if seen else day)
    return dates


def record_dates(folder: Path, cache_dir: Path | None = None) -> dict[str, Dates]:
    """Dates by absolute path of each file git has seen in the folder."""
    top_text = _git(folder, "rev-parse", "--show-toplevel")
    head = _git(folder, "rev-parse", "HEAD")
    if not top_text or not head:
        return {}
    top = Path(top_text.strip())
    cache = cache_file(folder, "history-v2-", ".json", cache_dir)
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["head"] == head.strip():
            return {k: Dates(date.fromisoformat(first) if first else None, date.fromisoformat(last))
                    for k, (first, last) in stored["dates"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    dates = _read_log(top, folder)
    try:
        write_atomic(cache, json.dumps({"head": head.strip(), "dates": {
            k: [d.first.isoformat() if d.first else None, d.last.isoformat()]
            for k, d in dates.items()}}), overwrite=True)
    except OSError:
        pass
    return dates
