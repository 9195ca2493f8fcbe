"""One flat row per record for spreadsheets and BI tools, written as it is read.

Lists are joined with '; ' and ``extra`` and ``action_items`` (the actions in full) are
kept as JSON text, so every value survives in a single cell; CSV and JSON Lines carry the
same columns. ``nearmiss import`` reads these columns back, all but the ``COMPUTED`` ones.
CSV cells a spreadsheet would run as a formula are neutralised (``csvcells.safe``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from nearmiss.log.csvcells import Writer
from nearmiss.log.figures import action_counts
from nearmiss.record.model import ACTION_FIELDS, Action, Day, Record
from nearmiss.record.taxonomy import Taxonomy

COLUMNS = (
    "id", "path", "title", "kind", "status", "occurred", "reported", "team", "team_label",
    "touchpoint", "promise", "severity", "caught_how", "root_causes", "root_cause_categories",
    "actions", "actions_open", "actions_overdue", "actions_done", "actions_dropped",
    "no_action", "closed", "follow_up_date", "follow_up_how", "reported_by", "kudos",
    "related", "tags", "visibility", "what_happened", "caught_by", "customer_impact",
    "lessons", "whys", "extra", "action_items",
)
# figures and labels the export adds for reading; they are no field, and import skips them
COMPUTED = frozenset({"path", "team_label", "root_cause_categories", "actions",
                      "actions_open", "actions_overdue", "actions_done", "actions_dropped"})
JOIN = "; "


def _day(value: Day | None) -> str:
    return value.isoformat() if value is not None else ""


def action_item(action: Action) -> dict[str, str]:
    """An action as the record writes it: its fields in order, dates as ISO text."""
    item = {name: getattr(action, name) for name in ACTION_FIELDS}
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in item.items() if value is not None}


def row(record: Record, taxonomy: Taxonomy, as_of: date) -> dict[str, Any]:
    counts = action_counts(record.actions, as_of)
    team = taxonomy.teams.get(record.team)
    return {
        "id": record.id, "path": record.path, "title": record.title, "kind": record.kind,
        "status": record.status, "occurred": _day(record.occurred),
        "reported": _day(record.reported), "team": record.team,
        "team_label": team.label if team else "",
        "touchpoint": record.touchpoint or "", "promise": record.promise or "",
        "severity": record.severity, "caught_how": record.caught_how or "",
        "root_causes": JOIN.join(record.root_causes),
        "root_cause_categories": JOIN.join(dict.fromkeys(
            c.partition("/")[0] for c in record.root_causes)),
        "actions": len(record.actions),
        "actions_open": counts.open, "actions_overdue": counts.overdue,
        "actions_done": counts.done, "actions_dropped": counts.dropped,
        "no_action": record.no_action or "", "closed": _day(record.closed),
        "follow_up_date": _day(record.follow_up.date) if record.follow_up else "",
        "follow_up_how": record.follow_up.how if record.follow_up else "",
        "reported_by": record.reported_by or "", "kudos": JOIN.join(record.kudos),
        "related": JOIN.join(record.related), "tags": JOIN.join(record.tags),
        "visibility": record.visibility, "what_happened": record.what_happened,
        "caught_by": record.caught_by or "", "customer_impact": record.customer_impact or "",
        "lessons": record.lessons or "", "whys": JOIN.join(record.whys),
        "extra": json.dumps(record.extra, ensure_ascii=False) if record.extra else "",
        "action_items": json.dumps([action_item(a) for a in record.actions],
                                   ensure_ascii=False) if record.actions else "",
    }


def write(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Stream rows as CSV or JSON Lines; returns how many were written."""
    count = 0
    writer = Writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(COLUMNS)
    for item in rows:
        if writer:
            writer.writerow(item[name] for name in COLUMNS)
        else:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
        count += 1
    return count
