"""What checking one record file produces: light types the cache and the tree check can
import without pulling in the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nearmiss.record.model import Record
from nearmiss.record.problems import Problem

# A value other rules need later, with where it stands: (value, line, column, pointer). A
# plain tuple, so that the tens of thousands of them that workers send back and the cache
# keeps pickle as builtins: the tree rules read them by unpacking.
Placed = tuple[Any, int, int, str]

# A result without its path and record: (id, problems, related, events).
Verdict = tuple[str, list[Problem], tuple[Placed, ...], tuple[Placed, ...]]


@dataclass
class FileResult:
    """What checking one file produced; ``record`` is set only when it has no errors.

    ``related`` holds each related id; ``events`` each date of something that happened,
    as its calendar day's ordinal (``date.toordinal``): the tree rules only compare days,
    and an int pickles five times faster than a date."""

    path: str
    id: str
    problems: list[Problem]
    record: Record | None = None
    related: tuple[Placed, ...] = ()
    events: tuple[Placed, ...] = ()

    def verdict(self) -> Verdict:
        """All that `nearmiss check` and the tree rules read, for the cache and for workers
        to send back: a few hundred bytes instead of every text."""
        return (self.id, self.problems, self.related, self.events)

    @classmethod
    def from_verdict(cls, path: str, verdict: Verdict, record: Record | None = None
                     ) -> FileResult:
        """The result a ``verdict`` was made from, with ``record`` if the caller has it."""
        id_, problems, related, events = verdict
        return cls(path, id_, problems, record, related, events)
