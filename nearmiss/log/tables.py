"""Tables for people: the same rows printed aligned in a terminal or as Markdown, and a
flat CSV for spreadsheets. Only layout lives here; every number comes from ``figures``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import click

from nearmiss.log.figures import ActionRow, BreakdownRow, Spread, Stats, listed_counts
from nearmiss.log.words import number, percent, plural
from nearmiss.site import markup


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    note: str = ""


def days(spread: Spread) -> list[str]:
    return [number(spread.count), number(spread.median), number(spread.p90)]


def _aligned(cells: list[str], widths: list[int], numeric: set[int]) -> str:
    return "  " + "  ".join(
        c.rjust(w) if i in numeric else c.ljust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()


def render_text(tables: list[Table], colour: bool = False) -> str:
    out: list[str] = []
    for table in tables:
        out.append(click.style(table.title, bold=True) if colour else table.title)
        if table.note:
            out.append(f"  {table.note}")
        if not table.rows:
            out.append("  (none)")
            out.append("")
            continue
        widths = [max(len(h), *(len(r[i]) for r in table.rows))
                  for i, h in enumerate(table.headers)]
        header = _aligned(table.headers, widths, table.numeric)
        out.append(click.style(header, dim=True) if colour else header)
        out.extend(_aligned(r, widths, table.numeric) for r in table.rows)
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


def stats_csv(stats: Stats) -> str:
    """Tidy rows (section, key, metric, value): one shape that pivots in any spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "key", "metric", "value"])
    for section, value in stats.as_dict().items():
        if isinstance(value, list):
            for row in value:
                key = row.get("key", row.get("failure", row.get("path", "")))
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
        writer = csv.DictWriter(buffer, list(items[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
    return buffer.getvalue()


def actions_heading(rows: Sequence[ActionRow], as_of: date) -> str:
    overdue = listed_counts(rows).overdue
    return f"Follow-up actions as of {as_of}: {len(rows)} listed, {overdue} overdue"


def actions_tables(rows: Sequence[ActionRow], as_of: date) -> list[Table]:
    """One table per owner, owners with the oldest overdue action first."""
    owners: dict[str, list[ActionRow]] = {}
    for r in rows:
        owners.setdefault(r.owner, []).append(r)
    if not owners:
        return [Table(f"Follow-up actions as of {as_of}", ["due", "state", "action", "record"],
                      [])]
    return [Table(f"{owner} ({len(items)})", ["due", "state", "action", "record"],
                  [[r.due.isoformat(), r.state + (f" {r.days_overdue}d" if r.days_overdue
                                                  else ""), r.action, r.record]
                   for r in items])
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
        numeric={1, 2, 3, 4, 5, 6},
    )


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
        ], numeric={1}),
        Table("Root causes (Pareto)", ["cause", "near misses", "failures", "total", "share",
                                       "cumulative"],
              [[r.label, number(r.near_misses), number(r.failures), number(r.total),
                percent(r.share), percent(r.cumulative_share)]
               for r in stats.root_causes], numeric={1, 2, 3, 4, 5},
              note=_no_cause_note(stats.without_root_cause)),
        Table("Categories (near misses per failure)",
              ["category", "near misses", "failures", "per failure", "share", "cumulative"],
              [[c.label, number(c.near_misses), number(c.failures),
                number(c.near_misses_per_failure), percent(c.share),
                percent(c.cumulative_share)] for c in stats.categories],
              numeric={1, 2, 3, 4, 5}),
        Table("Warning signs (failures an earlier near miss foreshadowed)",
              ["failure", "cause", "earlier near misses"],
              [[w.failure, w.cause, ", ".join(w.near_misses)] for w in stats.warning_signs]),
        Table("Follow-up actions", ["state", "count"],
              [[k, number(v)] for k, v in o.actions.items()], numeric={1},
              note="'open' includes the overdue ones."),
        Table("Closing the loop and response agility", ["figure", "count", "median days",
                                                        "p90 days"], [
            ["occurred → reported", *days(o.agility.reported_days)],
            ["occurred → closed", *days(o.agility.closed_days)],
            ["occurred → follow-up", *days(loop.days)],
        ], numeric={1, 2, 3},
            note=f"loop closure: {loop.followed_up} of {loop.eligible} reviewed or closed "
                 f"records followed up ({percent(loop.ratio)})."),
    ]
    for name, rows in stats.breakdowns.items():
        tables.append(_group_table(f"By {name}", rows))
    return tables
