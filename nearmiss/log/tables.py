"""Tables for people: the same rows printed aligned in a terminal or as Markdown, and a
flat CSV for spreadsheets. Only layout lives here; every number comes from ``figures``."""

from __future__ import annotations

import io
import os
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import click

from nearmiss.log.csvcells import Writer
from nearmiss.log.figures import (
    ActionRow,
    BreakdownRow,
    Spread,
    Stats,
    StrengthRow,
    StrongerShare,
    listed_counts,
)
from nearmiss.log.signals import Signals
from nearmiss.log.similar import Match
from nearmiss.log.words import number, p_value, percent, plural
from nearmiss.site import markup

Fit = Literal["wrap", "cut", "list"]
"""How a column may narrow to fit a terminal: ``wrap`` free text onto more lines at word
breaks, ``cut`` a label short with an ellipsis, ``list`` a ", "-separated list of ids onto
more lines between its items. A column without one (a number, an id, a date, a state)
never narrows."""


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    note: str = ""
    fit: dict[int, Fit] = field(default_factory=dict)  # columns that may narrow, and how
    alerts: set[tuple[int, int]] = field(default_factory=set)  # (row, column): red when colour


def days(spread: Spread) -> list[str]:
    return [number(spread.count), number(spread.median), number(spread.p90)]


# --- fitting text to a terminal ---------------------------------------------------------

INDENT = "  "
GAP = "  "
MIN_FLEX = 16  # a narrowed column never gets fewer characters than this (or its own width)
MIN_WIDTH = 20  # narrower terminals are treated as this wide
ELLIPSIS = "..."  # not "…": one column, but three bytes to tools that count bytes


def terminal_width(stream_is_tty: bool) -> int | None:
    """The width text tables fit in: COLUMNS when it is set, else the terminal's own width
    on a terminal, else no limit, so that a file or a pipe gets one line per row for grep
    and scripts. The limit is never below ``MIN_WIDTH``."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if stream_is_tty:
        return max(shutil.get_terminal_size().columns, MIN_WIDTH)
    return None


def width_of(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters take two, combining
    marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending in an ellipsis when shortened."""
    if width_of(text) <= width:
        return text
    out = ""
    for c in text:
        if width_of(out + c) > width - len(ELLIPSIS):
            break
        out += c
    return out.rstrip() + ELLIPSIS


def _wrap(text: str, width: int, separator: str = " ") -> list[str]:
    """``text`` broken into lines of at most ``width`` columns between its pieces: words,
    or with ``separator`` ", " the items of a list, which keep their comma. A word wider
    than the line is broken; an item of a list never is."""
    if separator == " ":
        pieces: list[str] = []
        for word in text.split():
            while width_of(word) > width:
                head = _head(word, width)
                pieces.append(head)
                word = word[len(head):]
            pieces.append(word)
    else:
        items = text.split(separator)
        pieces = [p + separator.rstrip() for p in items[:-1]] + items[-1:]
    lines: list[str] = []
    line = ""
    for piece in pieces:
        candidate = f"{line} {piece}" if line else piece
        if line and width_of(candidate) > width:
            lines.append(line)
            line = piece
        else:
            line = candidate
    lines.append(line)
    return lines


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` columns (one character at
    least)."""
    out = text[0]
    for c in text[1:]:
        if width_of(out + c) > width:
            break
        out += c
    return out


def fit_line(text: str, width: int | None, indent: str = "") -> list[str]:
    """A heading or note as lines of at most ``width`` columns, each after ``indent``."""
    if width is None or width_of(indent + text) <= width:
        return [indent + text]
    return [indent + line for line in _wrap(text, max(width - len(indent), 1))]


def _cell(text: str, width: int, fit: Fit | None) -> list[str]:
    if width_of(text) <= width or fit is None:
        return [text]
    if fit == "cut":
        return [_cut(text, width)]
    return _wrap(text, width, ", " if fit == "list" else " ")


def _narrowest(text: str, fit: Fit | None) -> int:
    """The fewest columns ``text`` fits in: all of it when it may not narrow, the longest
    item of a list, ``MIN_FLEX`` of free text."""
    if fit is None:
        return width_of(text)
    if fit == "list":  # an item and the comma after it
        items = text.split(", ")
        return max(width_of(item) + (len(items) > 1) for item in items)
    return min(width_of(text), MIN_FLEX)


def _minimum(table: Table, column: int, natural: int, wrap_headers: bool) -> int:
    """The fewest columns a table column can take: its widest cell unless it may narrow;
    its header's longest word (or whole header) at least."""
    header = table.headers[column]
    floor = max((width_of(w) for w in header.split()), default=0) if wrap_headers \
        else width_of(header)
    fit = table.fit.get(column)
    return max(floor, *(_narrowest(r[column], fit) for r in table.rows))


def _narrowed(table: Table, natural: list[int], width: int,
              wrap_headers: bool) -> list[int] | None:
    """Column widths that fit ``width``, narrowing only the columns that may; None when
    even their minimum does not fit."""
    widths = [_minimum(table, i, n, wrap_headers) for i, n in enumerate(natural)]
    spare = width - width_of(INDENT) - width_of(GAP) * (len(widths) - 1) - sum(widths)
    if spare < 0:
        return None
    while spare > 0:  # give the room left to the narrowed columns, one column at a time
        short = [i for i in table.fit if widths[i] < natural[i]]
        if not short:
            break
        for i in short:
            if spare:
                widths[i] += 1
                spare -= 1
    return widths


def _cuts_stay_distinct(table: Table, widths: list[int]) -> bool:
    """Whether every label cut short still tells its row apart from the others."""
    for i, fit in table.fit.items():
        if fit == "cut":
            texts = {r[i] for r in table.rows}
            if len({_cut(t, widths[i]) for t in texts}) < len(texts):
                return False
    return True


def _styled(text: str, alert: bool, colour: bool) -> str:
    return click.style(text, fg="red", bold=True) if alert and colour and text else text


def _grid(table: Table, widths: list[int], wrap_headers: bool, colour: bool) -> list[str]:
    def line(cells: list[str], row: int | None) -> str:
        parts = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (w - width_of(c))
            text = _styled(c, (row, i) in table.alerts, colour)
            parts.append(pad + text if i in table.numeric else text + pad)
        return (INDENT + GAP.join(parts)).rstrip()

    if wrap_headers:
        heads = [_wrap(h, w) if h else [""] for h, w in zip(table.headers, widths, strict=True)]
        height = max(len(h) for h in heads)
        heads = [[""] * (height - len(h)) + h for h in heads]  # bottom-aligned
        header = [line([h[k] for h in heads], None) for k in range(height)]
    else:
        header = [line(table.headers, None)]
    out = [click.style(h, dim=True) if colour else h for h in header]
    for r, row in enumerate(table.rows):
        cells = [_cell(c, w, table.fit.get(i))
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        for k in range(max(len(c) for c in cells)):
            out.append(line([c[k] if k < len(c) else "" for c in cells], r))
    return out


def _stacked(table: Table, width: int, colour: bool) -> list[str]:
    """Each row as a block of ``header: value`` lines, for a table too wide to fit; a row
    whose first header is empty is headed by its first cell instead. A column whose values
    do not fit beside their labels has them on lines of their own, in every block."""
    headed = table.headers[0] == ""
    shown = range(1 if headed else 0, len(table.headers))
    indent = INDENT * 2 if headed else INDENT
    label_width = max(width_of(table.headers[i]) + 1 for i in shown) + 1
    room = width - len(indent) - label_width
    fits = {i: "wrap" if table.fit.get(i) == "cut" else table.fit.get(i) for i in shown}
    below = {i for i in shown for row in table.rows
             if width_of(row[i]) > room and room < _narrowest(row[i], fits[i])}
    out: list[str] = []
    for r, row in enumerate(table.rows):
        if out:
            out.append("")
        if headed:
            out.extend(INDENT + _styled(t, (r, 0) in table.alerts, colour)
                       for t in fit_line(row[0], width - len(INDENT)))
        for i in shown:
            label = f"{table.headers[i]}:"
            label += " " * (label_width - width_of(label))
            alert = (r, i) in table.alerts
            if i in below:
                out.append((indent + label).rstrip())
                first = rest = indent + INDENT
                lines = _cell(row[i], width - len(first), fits[i])
            else:
                first, rest = indent + label, " " * (len(indent) + label_width)
                lines = _cell(row[i], room, fits[i])
            out.extend((lead + _styled(text, alert, colour)).rstrip()
                       for lead, text in zip([first] + [rest] * (len(lines) - 1), lines,
                                             strict=True))
    return out


def _table_lines(table: Table, width: int | None, colour: bool) -> list[str]:
    natural = [max(width_of(h), *(width_of(r[i]) for r in table.rows))
               for i, h in enumerate(table.headers)]
    fits = width_of(INDENT) + width_of(GAP) * (len(natural) - 1) + sum(natural)
    if width is None or fits <= width:
        return _grid(table, natural, False, colour)
    # headers on one line, or on more when that leaves the narrowed columns more room
    layouts = []
    for wrap_headers in (False, True):
        widths = _narrowed(table, natural, width, wrap_headers)
        if widths is not None:
            shown = table if _cuts_stay_distinct(table, widths) else replace(
                table, fit={i: "wrap" if f == "cut" else f for i, f in table.fit.items()})
            layouts.append((sum(widths[i] for i in table.fit), not wrap_headers, shown,
                            widths))
    if not layouts:
        return _stacked(table, width, colour)
    _, one_line, shown, widths = max(layouts, key=lambda layout: layout[:2])
    return _grid(shown, widths, not one_line, colour)


def render_text(tables: list[Table], colour: bool = False, width: int | None = None) -> str:
    """Tables aligned for a terminal. With ``width`` (see ``terminal_width``), every line
    fits in it: headings and notes wrap, columns that may narrow do (``Table.fit``), and a
    table that cannot fit even so shows each row as a block of ``header: value`` lines.
    Numbers, ids and dates are never cut; only an id wider than the whole line is wider."""
    out: list[str] = []
    for table in tables:
        out.extend(click.style(t, bold=True) if colour else t
                   for t in fit_line(table.title, width))
        if table.note:
            out.extend(fit_line(table.note, width, INDENT))
        if not table.rows:
            out.append(f"{INDENT}(none)")
            out.append("")
            continue
        out.extend(_table_lines(table, width, colour))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(tables: list[Table], level: int = 2) -> str:
    """Each table under a heading of ``level``; cells are plain text, escaped here."""
    out: list[str] = []
    for table in tables:
        out.append(f"{'#' * level} {table.title}")
        out.append("")
        if table.note:
            out.extend([table.note, ""])
        if not table.rows:
            out.extend(["None.", ""])
            continue
        out.append(markup.table([markup.text(h) for h in table.headers],
                                [[markup.text(c) for c in row] for row in table.rows],
                                frozenset(table.numeric)))
    return "\n".join(out).rstrip() + "\n"


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(value, list):
        yield prefix, " ".join(str(v) for v in value)
    else:
        yield prefix, value


def _sections(figures: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The JSON's top-level values, with each list of rows inside a mapping as a section
    of its own (``stronger_actions.by_team``), since a row does not fit in one cell."""
    for section, value in figures.items():
        if isinstance(value, dict) and any(isinstance(v, list) and v and isinstance(v[0], dict)
                                           for v in value.values()):
            yield section, {k: v for k, v in value.items() if not isinstance(v, list)}
            yield from ((f"{section}.{k}", v) for k, v in value.items() if isinstance(v, list))
        else:
            yield section, value


def stats_csv(stats: Stats) -> str:
    """Tidy rows (section, key, metric, value): one shape that pivots in any spreadsheet;
    text cells are neutralised (``csvcells.safe``), computed numbers are not."""
    buffer = io.StringIO()
    writer = Writer(buffer)
    writer.writerow(["section", "key", "metric", "value"])
    for section, value in _sections(stats.as_dict()):
        if isinstance(value, list):
            for row in value:
                key = row.get("key", row.get("failure", row.get("path", "")))
                if section == "signals":  # a team and a category may share a key
                    key = f"{row['dimension']}:{key}"
                for metric, v in _flatten("", row):
                    if metric != "key":
                        writer.writerow([section, key, metric, "" if v is None else v])
        else:
            for metric, v in _flatten("", value):
                writer.writerow(["overall", "", f"{section}.{metric}" if metric else section,
                                 "" if v is None else v])
    return buffer.getvalue()


def actions_csv(rows: Sequence[ActionRow]) -> str:
    """One line per action with the JSON fields as columns; nothing at all for none."""
    buffer = io.StringIO()
    if rows:
        items = [row.as_dict() for row in rows]
        writer = Writer(buffer)
        writer.writerow(items[0])
        for item in items:
            writer.writerow(item.values())
    return buffer.getvalue()


def actions_heading(rows: Sequence[ActionRow], as_of: date) -> str:
    overdue = listed_counts(rows).overdue
    return f"Follow-up actions as of {as_of}: {len(rows)} listed, {overdue} overdue"


def actions_tables(rows: Sequence[ActionRow], as_of: date,
                   name: Callable[[str], str] = str) -> list[Table]:
    """One table per owner, owners with the oldest overdue action first; ``name`` says an
    owner as people read it (``Taxonomy.name_label``: a team key becomes its label)."""
    owners: dict[str, list[ActionRow]] = {}
    for r in rows:
        owners.setdefault(r.owner, []).append(r)
    # the strength once the log types its actions: a column of "untyped" tells nothing
    typed = any(r.strength for r in rows)
    headers = ["due", "state", *(["strength"] if typed else []), "action", "record"]
    if not owners:
        return [Table(f"Follow-up actions as of {as_of}", headers, [])]
    return [Table(f"{name(owner)} ({len(items)})", headers,
                  [[r.due.isoformat(), r.state + (f" {r.days_overdue}d" if r.days_overdue
                                                  else ""),
                    *([r.strength or "untyped"] if typed else []), r.action, r.record]
                   for r in items], fit={headers.index("action"): "wrap"},
                  alerts={(n, column) for n, r in enumerate(items) if r.state == "overdue"
                          for column in (0, 1)})
            for owner, items in owners.items()]


def _no_cause_note(n: int) -> str:
    if n == 0:
        return "Every record names its root causes."
    return f"{plural(n, 'record has', 'records have')} no root cause yet."


def _group_table(title: str, rows: Sequence[BreakdownRow]) -> Table:
    return Table(
        title,
        ["", "records", "near misses", "failures", "prevention", "open actions", "overdue"],
        [[r.label, number(s.records), number(s.near_misses), number(s.failures),
          percent(s.prevention_ratio), number(s.actions.open), number(s.actions.overdue)]
         for r in rows for s in [r.summary]],
        numeric={1, 2, 3, 4, 5, 6}, fit={0: "cut"},
    )


def signals_table(signals: Signals) -> Table:
    """What rose in the window, or why nothing was tested: silence is not safety."""
    if not signals.computed:
        days = plural(signals.window_days, "day")
        note = f"Not tested: the log has less than {days} of history before the last {days}."
    elif signals.rising:
        note = (f"Up more than chance plausibly explains, against the "
                f"{plural(signals.baseline_days, 'day')} before "
                f"({signals.tested} keys tested, p corrected for all of them).")
    else:
        note = (f"Nothing rose more than chance plausibly explains ({signals.tested} keys "
                f"tested against the {plural(signals.baseline_days, 'day')} before).")
    return Table(f"Rising ({signals.window_start} to {signals.window_end})",
                 ["what rose", f"last {signals.window_days} days", "expected", "p"],
                 [[f"{s.dimension} {s.key}", number(s.observed),
                   number(round(s.expected, 1)),
                   p_value(s.p_value).removeprefix("p = ").removeprefix("p ")]
                  for s in signals.rising], numeric={1, 2, 3}, fit={0: "wrap"}, note=note)


def _stronger_table(title: str, head: str, overall: StrongerShare,
                    rows: Sequence[StrengthRow], note: str = "") -> Table:
    return Table(title, [head, "stronger", "typed", "share", "untyped"],
                 [[label, number(f.stronger), number(f.typed), percent(f.share),
                   number(f.untyped)]
                  for label, f in [("All failures", overall),
                                   *((r.label, r.failures) for r in rows)]],
                 numeric={1, 2, 3, 4}, fit={0: "cut"}, note=note)


def strength_tables(stats: Stats) -> list[Table]:
    """Actions by strength, and the stronger share of the failures' actions by category
    and team: is what changes after harm more than a reminder?"""
    by_strength = stats.overall.actions.by_strength
    note = ("Actions not dropped, by the strength of their type (the taxonomy's "
            "action_types)."
            if by_strength.typed else "No action has a type yet: give actions a 'type' "
            "from 'action_types' in the taxonomy.")
    s = stats.stronger_actions
    return [
        Table("Actions by strength", ["strength", "count"],
              [[k, number(v)] for k, v in by_strength.items()], numeric={1}, note=note),
        _stronger_table("Stronger actions of failures, by category", "category", s.overall,
                        s.by_category, "Of the failures' typed actions not dropped, the "
                        "share that are stronger; a failure counts in each of its "
                        "categories."),
        _stronger_table("Stronger actions of failures, by team", "team", s.overall,
                        s.by_team),
    ]


def stats_tables(stats: Stats) -> list[Table]:
    o = stats.overall
    period = "all records" if not (stats.since or stats.until) else (
        f"occurred {stats.since or '…'} to {stats.until or '…'}")
    loop = o.loop_closure
    tables = [
        Table(f"Prevention ({period}, as of {stats.as_of})", ["figure", "value"], [
            ["records", number(o.records)],
            ["failures prevented (near misses)", number(o.near_misses)],
            ["failures that reached a customer", number(o.failures)],
            ["prevention ratio", percent(o.prevention_ratio)],
            ["saves by design (barrier)", percent(o.saves_by_design)],
            *[[f"saves by {how}" if how != "unspecified" else "saves, how not recorded",
               number(n)] for how, n in o.saves.items()],
        ], numeric={1}, fit={0: "wrap"}),
        Table("Root causes (Pareto)", ["cause", "near misses", "failures", "total", "share",
                                       "cumulative"],
              [[r.label, number(r.near_misses), number(r.failures), number(r.total),
                percent(r.share), percent(r.cumulative_share)]
               for r in stats.root_causes], numeric={1, 2, 3, 4, 5}, fit={0: "cut"},
              note=_no_cause_note(stats.without_root_cause)),
        Table("Categories (near misses per failure)",
              ["category", "near misses", "failures", "per failure", "share", "cumulative"],
              [[c.label, number(c.near_misses), number(c.failures),
                number(c.near_misses_per_failure), percent(c.share),
                percent(c.cumulative_share)] for c in stats.categories],
              numeric={1, 2, 3, 4, 5}, fit={0: "cut"}),
        Table("Warning signs (failures an earlier near miss foreshadowed)",
              ["failure", "cause", "earlier near misses"],
              [[w.failure, w.cause, ", ".join(w.near_misses)] for w in stats.warning_signs],
              fit={2: "list"}),
        signals_table(stats.signals),
        Table("Follow-up actions", ["state", "count"],
              [[k, number(v)] for k, v in o.actions.items()], numeric={1},
              note="'open' includes the overdue ones."),
        *strength_tables(stats),
        Table("Closing the loop and response agility", ["figure", "count", "median days",
                                                        "p90 days"], [
            ["occurred → reported", *days(o.agility.reported_days)],
            ["occurred → closed", *days(o.agility.closed_days)],
            ["occurred → follow-up", *days(loop.days)],
        ], numeric={1, 2, 3}, fit={0: "wrap"},
            note=f"loop closure: {loop.followed_up} of {loop.eligible} reviewed or closed "
                 f"records followed up ({percent(loop.ratio)})."),
    ]
    for name, rows in stats.breakdowns.items():
        tables.append(_group_table(f"By {name}", rows))
    return tables


SIMILAR_WIDTH = 80  # `nearmiss similar` fits this even in a pipe: its lines are for people


def similar_lines(matches: Sequence[Match], width: int | None) -> list[str]:
    """Two lines per match: the score and the id, then the title below the id, cut short
    to ``width`` columns (or ``SIMILAR_WIDTH``). Ids run to 60 characters and more, so a
    title beside them would be cut to nothing."""
    width = width or SIMILAR_WIDTH
    under = INDENT + " " * 4 + GAP  # the title starts where the id does
    out = []
    for m in matches:
        out.append(f"{INDENT}{m.score:.2f}{GAP}{m.id}")
        out.append(under + _cut(m.title, width - width_of(under)))
    return out

