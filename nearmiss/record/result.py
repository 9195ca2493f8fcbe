"""What checking one record file produces: light types the cache and the tree check can
import without pulling in the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nearmiss.record.model import Record
from nearmiss.record.problems import Problem


@dataclass(frozen=True)
class Placed:
    """A value other rules need later, with where it stands in the file."""

    value: Any
    line: int
    column: int
    pointer: str


@dataclass
class FileResult:
    """What checking one file produced; ``record`` is set only when it has no errors."""

    path: str
    id: str
    problems: list[Problem]
    record: Record | None = None
    related: tuple[Placed, ...] = ()
    events: tuple[Placed, ...] = ()
