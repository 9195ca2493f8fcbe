"""Every figure nearmiss reports, computed once, here.

The terminal tables, JSON, CSV, Markdown, the digest and the site all read the ``Stats``
this module returns, so the same question always gets the same number. Definitions are in
docs/figures.md; keep the two in step.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nearmiss.record.model import CAUGHT_HOW, Action, Record, day_of
from nearmiss.record.taxonomy import Taxonomy


def ratio(part: int, whole: int) -> float | None:
    """A share rounded for people; None (JSON null) when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def spread(days: list[int]) -> dict[str, Any]:
    """Count, median and 90th percentile (inclusive linear interpolation) of day counts."""
    if not days:
        return {"count": 0, "median": None, "p90": None}
    p90 = statistics.quantiles(days, n=10, method="inclusive")[8] if len(days) > 1 else days[0]
    return {"count": len(days), "median": round(float(statistics.median(days)), 1),
            "p90": round(float(p90), 1)}


def action_state(action: Action, as_of: date) -> str:
    """open, overdue, done or dropped; an open action past its due date is overdue."""
    if action.status == "open" and day_of(action.due) < as_of:
        return "overdue"
    return action.status


def action_list(records: Iterable[Record], as_of: date, owner: str | None = None,
                states: tuple[str, ...] = ("overdue", "open")) -> list[dict[str, Any]]:
    """Follow-up actions in the given states, oldest overdue first, then by due date.

    ``owner`` matches any part of the owner, ignoring case ("priya" finds
    "Priya Shah (dispatch lead)").
    """
    rows: list[dict[str, Any]] = []
    for r in records:
        for i, a in enumerate(r.actions):
            state = action_state(a, as_of)
            if state not in states or (owner and owner.lower() not in a.owner.lower()):
                continue
            due = day_of(a.due)
            rows.append({
                "record": r.id, "title": r.title, "index": i, "action": a.action,
                "owner": a.owner, "due": due.isoformat(), "state": state,
                "days_overdue": (as_of - due).days if state == "overdue" else 0,
                "done_on": day_of(a.done_on).isoformat() if a.done_on else None,
                "reason": a.reason,
            })
    order = {"overdue": 0, "open": 1, "done": 2, "dropped": 3}
    rows.sort(key=lambda x: (order[x["state"]], x["due"], x["record"], x["index"]))
    return rows


def summary(records: list[Record], as_of: date) -> dict[str, Any]:
    """The headline figures for any set of records (the whole log, a team, a month)."""
    near = [r for r in records if r.is_near_miss]
    saves = Counter(r.caught_how or "unspecified" for r in near)
    states = Counter(action_state(a, as_of) for r in records for a in r.actions)
    eligible = [r for r in records if r.status in ("reviewed", "closed")]
    followed = [r for r in eligible if r.follow_up is not None]
    return {
        "records": len(records),
        "near_misses": len(near),
        "failures": len(records) - len(near),
        "prevention_ratio": ratio(len(near), len(records)),
        "saves": {how: saves.get(how, 0) for how in (*CAUGHT_HOW, "unspecified")},
        "saves_by_design": ratio(saves.get("barrier", 0), len(near)),
        "actions": {
            "open": states["open"] + states["overdue"],
            "overdue": states["overdue"],
            "done": states["done"],
            "dropped": states["dropped"],
        },
        "loop_closure": {
            "eligible": len(eligible),
            "followed_up": len(followed),
            "ratio": ratio(len(followed), len(eligible)),
            "days": spread([(day_of(r.follow_up.date) - r.day).days
                            for r in followed if r.follow_up is not None]),
        },
        "agility": {
            "reported_days": spread([(day_of(r.reported) - r.day).days
                                     for r in records if r.reported is not None]),
            "closed_days": spread([(day_of(r.closed) - r.day).days
                                   for r in records if r.closed is not None]),
        },
    }


def _pareto(counts: dict[str, Counter[str]], label: Callable[[str], str],
            category: Callable[[str], str]) -> list[dict[str, Any]]:
    grand = sum(sum(c.values()) for c in counts.values())
    rows = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    out, running = [], 0
    for key, c in rows:
        total = c["near-miss"] + c["failure"]
        running += total
        out.append({
            "key": key, "category": category(key), "label": label(key),
            "near_misses": c["near-miss"], "failures": c["failure"], "total": total,
            "share": ratio(total, grand), "cumulative_share": ratio(running, grand),
        })
    return out


def warning_signs(failures: Iterable[Record], history: list[Record]) -> list[dict[str, Any]]:
    """Failures whose root cause an earlier near miss already had: the lessons missed."""
    by_cause: dict[str, list[Record]] = defaultdict(list)
    for r in sorted(history, key=lambda r: (r.day, r.id)):
        if r.is_near_miss:
            for cause in r.root_causes:
                by_cause[cause].append(r)
    days = {cause: [n.day for n in near] for cause, near in by_cause.items()}
    signs = []
    for f in sorted(failures, key=lambda r: (r.day, r.id)):
        for cause in f.root_causes:
            count = bisect.bisect_left(days.get(cause, []), f.day)  # strictly earlier days
            if count:
                signs.append({"failure": f.id, "cause": cause,
                              "near_misses": [n.id for n in by_cause[cause][:count]]})
    return signs


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class Stats:
    """All figures for one selection of records; ``as_dict`` is the JSON contract."""

    as_of: date
    since: date | None
    until: date | None
    overall: dict[str, Any]
    root_causes: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    warning_signs: list[dict[str, Any]]
    without_root_cause: int
    breakdowns: dict[str, list[dict[str, Any]]]
    excluded: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            **self.overall,
            "root_causes": self.root_causes,
            "categories": self.categories,
            "without_root_cause": self.without_root_cause,
            "warning_signs": self.warning_signs,
            **{f"by_{name}": rows for name, rows in self.breakdowns.items()},
            "excluded": self.excluded,
        }


def in_range(record: Record, since: date | None, until: date | None) -> bool:
    return (since is None or record.day >= since) and (until is None or record.day <= until)


def period_summary(records: Iterable[Record], as_of: date, since: date | None,
                   until: date | None) -> dict[str, Any]:
    """The headline figures of a period alone, for comparisons (this quarter against the
    last) that need neither the Pareto nor the breakdowns ``compute`` also builds."""
    return summary([r for r in records if in_range(r, since, until)], as_of)


def compute(records: list[Record], taxonomy: Taxonomy, as_of: date,
            since: date | None = None, until: date | None = None,
            excluded: list[dict[str, Any]] | None = None) -> Stats:
    """Figures for the records that occurred between ``since`` and ``until`` (inclusive).

    Warning signs look back at near misses before the range too: a failure in March is
    foreshadowed by a near miss in January whatever period is being reported.
    """
    chosen = sorted((r for r in records if in_range(r, since, until)), key=lambda r: (r.day, r.id))
    causes: dict[str, Counter[str]] = defaultdict(Counter)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    for r in chosen:
        for cause in r.root_causes:
            causes[cause][r.kind] += 1
        for cat in dict.fromkeys(c.partition("/")[0] for c in r.root_causes):
            categories[cat][r.kind] += 1
    category_rows = _pareto(categories, lambda k: _category_label(taxonomy, k), lambda k: k)
    for row in category_rows:
        row["near_misses_per_failure"] = (round(row["near_misses"] / row["failures"], 2)
                                          if row["failures"] else None)
    return Stats(
        as_of=as_of, since=since, until=until,
        overall=summary(chosen, as_of),
        root_causes=_pareto(causes, taxonomy.cause_label, lambda k: k.partition("/")[0]),
        categories=category_rows,
        warning_signs=warning_signs((r for r in chosen if not r.is_near_miss), records),
        without_root_cause=sum(not r.root_causes for r in chosen),
        breakdowns=_breakdowns(chosen, taxonomy, as_of, since, until),
        excluded=excluded or [],
    )


def _category_label(taxonomy: Taxonomy, key: str) -> str:
    category = taxonomy.categories.get(key)
    return category.label if category else key


def _breakdowns(records: list[Record], taxonomy: Taxonomy, as_of: date,
                since: date | None, until: date | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, terms in (("team", taxonomy.teams), ("touchpoint", taxonomy.touchpoints),
                        ("promise", taxonomy.promises)):
        groups: dict[str | None, list[Record]] = defaultdict(list)
        for r in records:
            groups[getattr(r, name)].append(r)
        rows = [{"key": key, "label": terms[key].label if key in terms else "Not given",
                 **summary(group, as_of)} for key, group in groups.items()]
        rows.sort(key=lambda row: (-row["records"], row["key"] is None, row["key"] or ""))
        out[name] = rows
    by_month: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_month[r.day.strftime("%Y-%m")].append(r)
    first = since or (records[0].day if records else None)
    last = until or (records[-1].day if records else None)
    out["month"] = [{"key": m, "label": m, **summary(by_month.get(m, []), as_of)}
                    for m in _months(first, last)] if first and last else []
    return out
