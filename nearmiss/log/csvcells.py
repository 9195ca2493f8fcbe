"""CSV cells that a spreadsheet shows as text and never runs as a formula (CWE-1236).

Spreadsheets read a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula, so a record's title ``=HYPERLINK(...)`` would run when the export is
opened. Every CSV the tool writes passes its cells through ``safe``; ``nearmiss import``
undoes it with ``restored``. Numbers the tool computed (``int``/``float`` values, not text)
are written as they are: a spreadsheet reads ``-3`` as a number, and a ``'`` would turn a
numeric column into text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def safe(value: object) -> object:
    """The cell as written: text starting with a trigger gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def restored(text: str) -> str:
    """A cell as typed before ``safe``: one leading ``'`` dropped when a trigger follows."""
    if text.startswith(QUOTE) and text[1:2] and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


class Writer:
    """``csv.writer`` for every CSV the tool writes: cells through ``safe``, LF line ends,
    and a cell holding a carriage return quoted (the csv module quotes only the line
    end's own characters, so with LF a bare CR would end the row for any reader)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._row = io.StringIO()
        self._writer = csv.writer(self._row, lineterminator="\r\n")

    def writerow(self, cells: Iterable[object]) -> None:
        self._row.seek(0)
        self._row.truncate()
        self._writer.writerow([safe(cell) for cell in cells])
        self._out.write(self._row.getvalue()[:-2] + "\n")
