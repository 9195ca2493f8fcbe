"""Tables for people: the same rows printed aligned in a terminal or as Markdown, and a
flat CSV for spreadsheets. Only layout lives here; every number comes from ``stats``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import click

from nearmiss.log.figures import Stats


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    note: str = ""


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def days(spread: dict[str, Any]) -> list[str]:
    return [num(spread["count"]), num(spread["median"]), num(spread["p90"])]


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


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(tables: list[Table], level: int = 2) -> str:
    out: list[str] = []
    for table in tables:
        out.append(f"{'#' * level} {table.title}")
        out.append("")
        if table.note:
            out.extend([table.note, ""])
        if not table.rows:
            out.extend(["None.", ""])
            continue
        out.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
        out.append("|" + "|".join("---:" if i in table.numeric else "---"
                                  for i in range(len(table.headers))) + "|")
        out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows)
        out.append("")
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


def rows_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def actions_heading(rows: list[dict[str, Any]], as_of: Any) -> str:
    overdue = sum(r["state"] == "overdue" for r in rows)
    return f"Follow-up actions as of {as_of}: {len(rows)} listed, {overdue} overdue"


def actions_tables(rows: list[dict[str, Any]], as_of: Any) -> list[Table]:
    """One table per owner, owners with the oldest overdue action first."""
    owners: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        owners.setdefault(r["owner"], []).append(r)
    if not owners:
        return [Table(f"Follow-up actions as of {as_of}", ["due", "state", "action", "record"],
                      [])]
    return [Table(f"{owner} ({len(items)})", ["due", "state", "action", "record"],
                  [[r["due"], r["state"] + (f" {r['days_overdue']}d" if r["days_overdue"]
                                            else ""), r["action"], r["record"]]
                   for r in items])
            for owner, items in owners.items()]


def _no_cause_note(n: int) -> str:
    if n == 0:
        return "Every record names its root causes."
    return f"{n} record{' has' if n == 1 else 's have'} no root cause yet."


def _group_table(title: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        title,
        ["", "records", "near misses", "failures", "prevention", "open actions", "overdue"],
        [[r["label"], num(r["records"]), num(r["near_misses"]), num(r["failures"]),
          pct(r["prevention_ratio"]), num(r["actions"]["open"]), num(r["actions"]["overdue"])]
         for r in rows],
        numeric={1, 2, 3, 4, 5, 6},
    )


def stats_tables(stats: Stats) -> list[Table]:
    o = stats.overall
    period = "all records" if not (stats.since or stats.until) else (
        f"occurred {stats.since or '…'} to {stats.until or '…'}")
    saves = o["saves"]
    tables = [
        Table(f"Prevention ({period}, as of {stats.as_of})", ["figure", "value"], [
            ["records", num(o["records"])],
            ["failures prevented (near misses)", num(o["near_misses"])],
            ["failures that reached a customer", num(o["failures"])],
            ["prevention ratio", pct(o["prevention_ratio"])],
            ["saves by design (barrier)", pct(o["saves_by_design"])],
            *[[f"saves by {how}" if how != "unspecified" else "saves, how not recorded",
               num(n)] for how, n in saves.items()],
        ], numeric={1}),
        Table("Root causes (Pareto)", ["cause", "near misses", "failures", "total", "share",
                                       "cumulative"],
              [[r["label"], num(r["near_misses"]), num(r["failures"]),
                num(r["total"]), pct(r["share"]), pct(r["cumulative_share"])]
               for r in stats.root_causes], numeric={1, 2, 3, 4, 5},
              note=_no_cause_note(stats.without_root_cause)),
        Table("Categories (near misses per failure)",
              ["category", "near misses", "failures", "per failure", "share", "cumulative"],
              [[r["label"], num(r["near_misses"]), num(r["failures"]),
                num(r["near_misses_per_failure"]), pct(r["share"]),
                pct(r["cumulative_share"])] for r in stats.categories],
              numeric={1, 2, 3, 4, 5}),
        Table("Warning signs (failures an earlier near miss foreshadowed)",
              ["failure", "cause", "earlier near misses"],
              [[w["failure"], w["cause"], ", ".join(w["near_misses"])]
               for w in stats.warning_signs]),
        Table("Follow-up actions", ["state", "count"],
              [[k, num(v)] for k, v in o["actions"].items()], numeric={1},
              note="'open' includes the overdue ones."),
        Table("Closing the loop and response agility", ["figure", "count", "median days",
                                                        "p90 days"], [
            ["occurred → reported", *days(o["agility"]["reported_days"])],
            ["occurred → closed", *days(o["agility"]["closed_days"])],
            ["occurred → follow-up", *days(o["loop_closure"]["days"])],
        ], numeric={1, 2, 3},
            note=f"loop closure: {o['loop_closure']['followed_up']} of "
                 f"{o['loop_closure']['eligible']} reviewed or closed records followed up "
                 f"({pct(o['loop_closure']['ratio'])})."),
    ]
    for name, rows in stats.breakdowns.items():
        tables.append(_group_table(f"By {name}", rows))
    return tables
