"""Moving an existing log in: every row of a spreadsheet's CSV becomes a record.

The sheet is read with the standard library's ``csv`` module, the well-kept reader of the
dialects spreadsheets write (quoted line breaks, doubled quotes); ``csv.Sniffer``, limited
to comma, semicolon and tab, finds the delimiter. ``utf-8-sig`` drops a byte-order mark and
``newline=""`` leaves CRLF and quoted line breaks to the reader, whose ``line_num`` gives
the line each row starts on.

Each row's cells become a record's values (choices matched as ``new`` matches answers,
lists split on ';', ``extra`` and ``action_items`` read back from the JSON the export
writes), written with ``new.record_text`` and checked as ``nearmiss check`` checks a file,
tree rules included, against the log and the other rows. A problem is reported at the
row's first line and at the column its field came from; one about a field the sheet has
no column for, at column 1. ``plan`` only reads and checks; ``write_all`` writes, and
only a plan without errors: all or nothing.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from nearmiss.authoring.new import (
    BadAnswer,
    Nested,
    Value,
    _fold,
    choose,
    new_record_path,
    record_text,
    schema_reference,
)
from nearmiss.files import write_atomic
from nearmiss.log.checker import CannotRun, display_path, file_tree_problems
from nearmiss.log.csvcells import restored
from nearmiss.log.export import COMPUTED
from nearmiss.record.model import DATE_RE, DATETIME_RE, FIELDS, STATUS_RULES
from nearmiss.record.problems import Problem, Severity
from nearmiss.record.rules import check_record
from nearmiss.record.settings import Settings
from nearmiss.record.taxonomy import Taxonomy

# what a column can carry: a field, or one of the export's columns that make up a field
TARGETS = ("id", *(name for name in FIELDS if name not in ("actions", "follow_up")),
           "follow_up_date", "follow_up_how", "action_items")
_PARTS = {"follow_up_date": "/follow_up/date", "follow_up_how": "/follow_up/how",
          "action_items": "/actions"}  # a column's field pointer, where not /name
_FIELD_COLUMN = {"actions": "action_items", "follow_up": "follow_up_date"}  # see _PARTS
_LISTS = ("causes", "texts", "ids", "tags")  # field types whose cells are split on ';'
_DELIMITERS = ",;\t"
_TIME = re.compile(r"%[HIMSfpXcTR]")


class BadMap(ValueError):
    """A --map that names no field or no column: the import cannot run."""


class _BadDate(BadAnswer):
    """A date cell that is neither ISO nor in the --date-format."""


@dataclass(frozen=True)
class Column:
    """A header cell (``index`` 1-based) and what it carries: a ``TARGETS`` name (with a
    ``key``: that key under extra), or nothing (a computed column of the export)."""

    index: int
    header: str
    target: str | None
    key: str = ""


@dataclass(frozen=True)
class Planned:
    """A record a row makes: where it goes, its text, and what a summary tells."""

    row: int
    path: Path
    text: str
    id: str
    title: str
    kind: str
    status: str


@dataclass(frozen=True)
class Plan:
    """What importing the sheet would write, and every problem found on the way."""

    source: str
    records: list[Planned]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def read_sheet(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows, each with the line it starts on; CannotRun when the file
    is no UTF-8 text or holds no header."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(64 * 1024)
            handle.seek(0)
            try:  # only the delimiter: quotes are doubled in every spreadsheet's CSV
                delimiter = csv.Sniffer().sniff(sample, _DELIMITERS).delimiter
            except csv.Error:  # one column, or nothing to tell by: commas
                delimiter = ","
            reader = csv.reader(handle, delimiter=delimiter)
            rows, start = [], 1
            for cells in reader:
                rows.append((start, cells))
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise CannotRun(f"{display_path(path)} is not UTF-8 text (byte {exc.start + 1}); "
                        "save it from the spreadsheet as 'CSV UTF-8'") from None
    except OSError as exc:
        raise CannotRun(f"cannot read {display_path(path)}: {exc.strerror}") from None
    except csv.Error as exc:
        raise CannotRun(f"{display_path(path)} is not CSV: {exc}") from None
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise CannotRun(f"{display_path(path)} has no header row naming its columns")
    return rows[0][1], rows[1:]


def columns(header: Sequence[str], mapping: Mapping[str, str]) -> list[Column]:
    """What each header carries: ``--map`` first, then a field's name (case, spaces,
    hyphens, underscores ignored), then the export's computed columns (skipped); any
    other column goes to extra under its header. BadMap for a map that cannot apply."""
    by_fold = {_fold(name): name for name in TARGETS}
    mapped: dict[int, str] = {}
    for target, wanted in mapping.items():
        name = by_fold.get(_fold(target))
        if name is None:
            raise BadMap(f"--map {target}={wanted}: {target!r} is not a field")
        hits = [i for i, h in enumerate(header) if h == wanted] or \
            [i for i, h in enumerate(header) if _fold(h) == _fold(wanted)]
        if not hits:
            raise BadMap(f"--map {target}={wanted}: the sheet has no column {wanted!r}; "
                         f"its columns are {', '.join(h for h in header if h)}")
        if hits[0] in mapped:
            raise BadMap(f"--map: column {wanted!r} is mapped to both {mapped[hits[0]]} "
                         f"and {name}; a column carries one field")
        mapped[hits[0]] = name
    out = []
    for i, text in enumerate(header):
        folded = _fold(text)
        if i in mapped:
            out.append(Column(i + 1, text, mapped[i]))
        elif folded in by_fold and by_fold[folded] not in mapped.values():
            out.append(Column(i + 1, text, by_fold[folded]))
        elif folded in {_fold(c) for c in COMPUTED}:
            out.append(Column(i + 1, text, None))
        else:
            out.append(Column(i + 1, text, "extra", text.strip() or f"column_{i + 1}"))
    return out


def _header_problems(source: str, cols: list[Column]) -> list[Problem]:
    seen: dict[str, Column] = {}
    out = []
    for col in cols:
        name = f"extra/{col.key}" if col.key else col.target
        if name is None:
            continue
        if name in seen:
            out.append(Problem(source, 1, col.index, Severity.ERROR, "duplicate-key",
                               f"column {col.index} ({col.header!r}) carries "
                               f"{name.removeprefix('extra/')!r}, as column "
                               f"{seen[name].index} does", hint="rename or remove one"))
        seen.setdefault(name, col)
    return out


@dataclass(frozen=True)
class _Sheet:
    """What every row is read against."""

    source: str
    incidents: Path
    taxonomy: Taxonomy
    settings: Settings
    date_format: str | None
    today: date


def _day(text: str, sheet: _Sheet) -> str | _BadDate:
    text = text.strip()
    if DATE_RE.match(text) or DATETIME_RE.match(text):
        return text
    if sheet.date_format is None:
        return _BadDate(f"{text!r} is not an ISO date; write it as YYYY-MM-DD, or give "
                         "the sheet's format, e.g. --date-format %d/%m/%Y")
    try:
        parsed = datetime.strptime(text, sheet.date_format)
    except ValueError:
        return _BadDate(f"{text!r} does not match --date-format {sheet.date_format}")
    return parsed.isoformat() if _TIME.search(sheet.date_format) else \
        parsed.date().isoformat()


def _choices(kind: str, name: str, taxonomy: Taxonomy) -> tuple[dict[str, str], bool] | None:
    if kind in ("team", "touchpoint", "promise"):
        terms = getattr(taxonomy, kind + "s")
        return {key: term.label for key, term in terms.items()}, True
    if kind == "causes":
        return {ref: taxonomy.cause_label(ref) for ref in taxonomy.cause_keys()}, True
    spec = FIELDS[name]
    return ({key: "" for key in spec.choices}, False) if spec.choices else None


def _chosen(text: str, name: str, kind: str, taxonomy: Taxonomy) -> str:
    """A choice's key, matched as ``new`` matches answers; as written when none matches,
    for the checker to report with its did-you-mean."""
    found = _choices(kind, name, taxonomy)
    if found is None:
        return text
    try:
        return choose(text, *found)
    except BadAnswer:
        return text.strip()


def _strings(value: object) -> Nested:
    """JSON read back as the record keeps ``extra``: every scalar as its text."""
    if isinstance(value, dict):
        return {str(k): _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value if isinstance(value, str) else json.dumps(value)


def _json(text: str, shape: type[list[object]] | type[dict[str, object]], example: str
          ) -> Nested | BadAnswer:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadAnswer(f"this is not JSON ({exc.msg}); write it as the export does, "
                         f"e.g. {example}")
    if not isinstance(value, shape) or (shape is list and not all(
            isinstance(item, dict) for item in value)):
        return BadAnswer(f"this should be JSON like {example}")
    return _strings(value)


def _cell(col: Column, text: str, sheet: _Sheet) -> Nested | BadAnswer:
    """A cell as the record's value (a BadAnswer when it cannot be one)."""
    if col.target == "follow_up_date":
        return _day(text, sheet)
    if col.target in ("id", "follow_up_how"):
        return text
    if col.target == "action_items":
        return _json(text, list, '[{"action": "...", "owner": "...", "due": "2026-04-01", '
                                 '"status": "open"}]')
    if col.target == "extra" and not col.key:
        return _json(text, dict, '{"ticket": "SD-4411"}')
    if col.target == "extra":
        return text
    assert col.target is not None
    spec = FIELDS[col.target]
    if spec.type in _LISTS:
        return [_chosen(part.strip(), col.target, spec.type, sheet.taxonomy)
                for part in text.split(";") if part.strip()]
    if spec.type == "date":
        return _day(text, sheet)
    if spec.type in ("text", "markdown"):
        return text
    return _chosen(text, col.target, spec.type, sheet.taxonomy)


def _problem(sheet: _Sheet, row: int, column: int, code: str, message: str,
             hint: str = "", severity: Severity = Severity.ERROR) -> Problem:
    return Problem(sheet.source, row, column, severity, code, message, hint=hint)


def _read_row(sheet: _Sheet, cols: list[Column], row: int, cells: list[str]
              ) -> tuple[dict[str, Value], str, dict[str, int], list[Problem]]:
    """The record's values, its id as given (or ''), the column of each field pointer,
    and the cells that could not be read."""
    values: dict[str, Value] = {}
    extra: dict[str, Nested] = {}
    follow_up: dict[str, Nested] = {}
    where: dict[str, int] = {}
    record_id = ""
    problems = []
    spare = [Column(i + 1, "", "extra", f"column_{i + 1}") for i in range(len(cols), len(cells))]
    for col, raw in zip([*cols, *spare], cells, strict=False):
        text = restored(raw).replace("\r\n", "\n")  # a line break typed in a cell
        if col.target is None:
            continue
        if col.target not in ("id", "extra"):  # an empty cell is where a value is missing
            where.setdefault(_PARTS.get(col.target, f"/{col.target}"), col.index)
        if not text.strip():
            continue
        value = _cell(col, text, sheet)
        if isinstance(value, BadAnswer):
            code = "invalid-date" if isinstance(value, _BadDate) else "wrong-type"
            pointer = _PARTS.get(col.target, f"/{col.target}")
            problems.append(Problem(sheet.source, row, col.index, Severity.ERROR, code,
                                    str(value), pointer))
            continue
        if col.target == "id":
            record_id, where[""] = text.strip(), col.index
        elif col.target == "extra" and not col.key:
            assert isinstance(value, dict)
            extra = {**value, **extra}
            where.update({f"/extra/{k}": col.index for k in value})
        elif col.target == "extra":
            if col.key in extra:
                problems.append(_problem(sheet, row, col.index, "duplicate-key",
                                         f"extra has {col.key!r} twice: in the extra "
                                         "column and in this one", hint="keep one"))
                continue
            extra[col.key] = value
            where[f"/extra/{col.key}"] = col.index
        elif col.target in ("follow_up_date", "follow_up_how"):
            follow_up[col.target.removeprefix("follow_up_")] = value
            where[_PARTS[col.target]] = where.setdefault("/follow_up", col.index)
        else:
            values["actions" if col.target == "action_items" else col.target] = \
                value  # type: ignore[assignment]
            where[_PARTS.get(col.target, f"/{col.target}")] = col.index
    if extra:
        values["extra"] = extra
        where.setdefault("/extra", min(where[f"/extra/{k}"] for k in extra))
    if follow_up:
        values["follow_up"] = follow_up
    values.setdefault("status", next(iter(STATUS_RULES)))
    return values, record_id, where, problems


def _column_of(pointer: str, where: Mapping[str, int]) -> int:
    """The column a field pointer's value came from: the deepest known part of it."""
    parts = pointer.split("/")
    for end in range(len(parts), 0, -1):
        if (found := where.get("/".join(parts[:end]))) is not None:
            return found
    return 1


def _mapped(problem: Problem, sheet: _Sheet, row: int, where: Mapping[str, int]) -> Problem:
    column = _column_of(problem.field, where)
    hint = problem.hint
    name = problem.field.split("/")[1] if problem.field.startswith("/") else ""
    if name and f"/{name}" not in where and column == 1 and problem.code.startswith("missing"):
        hint = (f"{hint}; " if hint else "") + f"the sheet has no column for '{name}': " \
            f"add one, or --map {_FIELD_COLUMN.get(name, name)}=COLUMN"
    return Problem(sheet.source, row, column, problem.severity, problem.code,
                   problem.message, problem.field, hint)


def plan(csv_path: Path, incidents: Path, taxonomy: Taxonomy, settings: Settings, *,
         mapping: Mapping[str, str], date_format: str | None, today: date,
         existing: Mapping[str, list[Path]]) -> Plan:
    """Read and check every row; nothing is written. CannotRun or BadMap when the sheet
    cannot be imported at all."""
    source = display_path(csv_path)
    sheet = _Sheet(source, incidents, taxonomy, settings, date_format, today)
    header, rows = read_sheet(csv_path)
    cols = columns(header, mapping)
    problems = _header_problems(source, cols)
    taken = set(existing)
    read = []
    for row, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # the blank rows a spreadsheet leaves below its data
        values, record_id, where, found = _read_row(sheet, cols, row, cells)
        problems += found
        unread = {p.field for p in found}  # reported: the check would only call them missing
        occurred = str(values.get("occurred", ""))
        try:
            day = date.fromisoformat(occurred[:10])
        except ValueError:  # reported by the check, at the occurred column
            day = today
        if not record_id:  # as `new` names a record: -2, -3… past the ids taken
            record_id = new_record_path(incidents, day, str(values.get("title", "")),
                                        taken).stem
        taken.add(record_id)
        year = record_id[:4] if record_id[:4].isdigit() else str(day.year)
        read.append((row, values, record_id, where, incidents / year / f"{record_id}.yaml",
                     unread))
    by_id = {stem: [display_path(p) for p in paths] for stem, paths in existing.items()}
    for _, _, record_id, _, path, _ in read:
        by_id.setdefault(record_id, []).append(display_path(path))
    records = []
    for row, values, record_id, where, path, unread in read:
        text = record_text(values, schema_reference(path, incidents))
        checked = check_record(text.encode(), display_path(path), taxonomy, settings)
        if path.exists():
            problems.append(_problem(sheet, row, where.get("", 1), "record-exists",
                                     f"{display_path(path)} already exists",
                                     hint="nothing is overwritten: remove the row, or give "
                                          "it another id"))
        found = checked.problems + file_tree_problems(checked, by_id, today)
        problems += [_mapped(p, sheet, row, where) for p in found
                     if not any(p.field == u or p.field.startswith(u + "/") for u in unread)]
        records.append(Planned(row, path, text, record_id, str(values.get("title", "")),
                               str(values.get("kind", "")), str(values.get("status", ""))))
    return Plan(source, records, sorted(problems, key=Problem.sort_key))


def write_all(plan: Plan) -> None:
    """Write every planned record; only a plan without errors is ever written."""
    if not plan.ok:
        raise ValueError("a plan with errors is never written")
    for record in plan.records:
        write_atomic(record.path, record.text)
