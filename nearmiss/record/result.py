"""What checking one record file produces: light types the cache and the tree check can
import without pulling in the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from nearmiss.record.model import Record
from nearmiss.record.problems import Problem


class Placed(NamedTuple):
    """A value other rules need later, with where it stands in the file. A tuple, so that
    tens of thousands of them are made and rebuilt from the cache at C speed."""

    value: Any
    line: int
    column: int
    pointer: str


# A result without its path and record, in plain tuples: (id, problems, related, events).
Verdict = tuple[str, list[Problem], tuple[tuple[Any, ...], ...], tuple[tuple[Any, ...], ...]]


@dataclass
class FileResult:
    """What checking one file produced; ``record`` is set only when it has no errors."""

    path: str
    id: str
    problems: list[Problem]
    record: Record | None = None
    related: tuple[Placed, ...] = ()
    events: tuple[Placed, ...] = ()

    def verdict(self) -> Verdict:
        """All that `nearmiss check` and the tree rules read, for the cache and for workers
        to send back: a few hundred bytes instead of every text, and plain tuples pickle
        three times faster than these objects."""
        return (self.id, self.problems, tuple(map(tuple, self.related)),
                tuple(map(tuple, self.events)))

    @classmethod
    def from_verdict(cls, path: str, verdict: Verdict, record: Record | None = None
                     ) -> FileResult:
        """The result a ``verdict`` was made from, with ``record`` if the caller has it."""
        id_, problems, related, events = verdict
        return cls(path, id_, problems, record, tuple(map(Placed._make, related)),
                   tuple(map(Placed._make, events)))
