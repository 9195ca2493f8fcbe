"""Write N synthetic but valid records into a fresh learning log folder.

Usage: python benchmarks/generate.py N OUTDIR [BYTES]
Records are ~1.3 KB unless BYTES asks for more; longer ones tell more story paragraphs in
``what_happened``, so the extra bytes are prose the language checks read, as in real logs.
The records cycle through kinds, statuses, teams and root causes of the sample taxonomy so
every code path (actions, follow-ups, related links) is exercised at scale.
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = ROOT / "incidents" / "_taxonomy.yaml"

STORY = (
    "The {hour}:00 booking overran because the job needed a part the van did not carry, and "
    "the dispatcher's board still showed the next visit as on time. The customer at the next "
    "address had arranged to leave work early and was waiting by the door.\n"
)


def record(i: int, day: date, teams: list[str], causes: list[str], ids: list[str],
           size: int = 0) -> str:
    """Record ``i`` as YAML text, padded with story paragraphs to about ``size`` bytes."""
    rng = random.Random(i)
    kind = "near-miss" if i % 10 < 7 else "failure"
    status = ("open", "reviewed", "closed", "closed")[i % 4]
    lines = [
        f"title: Synthetic record {i} where a visit nearly ran late without a heads-up",
        f"kind: {kind}",
        f"status: {status}",
        f"occurred: {day}",
        f"reported: {day + timedelta(days=i % 3)}",
        "reported_by: Benchmark Generator",
        f"team: {teams[i % len(teams)]}",
        f"severity: {('low', 'medium', 'high', 'critical')[i % 4]}",
        "what_happened: |",
        "  " + STORY.format(hour=8 + i % 9).strip(),
        "  " + STORY.format(hour=9 + i % 9).strip(),
    ]
    story_end = len(lines)
    if kind == "near-miss":
        lines += ["caught_by: |",
                  "  The technician checked the board at 10:40 and asked dispatch to call ahead.",
                  f"caught_how: {('barrier', 'person', 'customer', 'luck')[i % 4]}"]
    else:
        lines += ["customer_impact: |", "  The customer waited an hour and took unpaid leave."]
    if status != "open":
        lines += [f"root_causes: [{rng.choice(causes)}]",
                  "lessons: |",
                  "  Slack in the schedule is what lets people phone ahead. The board showed",
                  "  plans, not reality; the technician's own check was the only barrier.",
                  "whys:",
                  "  - The customer nearly waited without news",
                  "  - Dispatch did not know the visit had overrun",
                  "  - The board updates only when a job is closed",
                  "actions:",
                  "  - action: Add a 30-minute buffer between home visits",
                  "    owner: dispatch",
                  f"    due: {day + timedelta(days=14)}"]
        if status == "closed":
            lines += ["    status: done", f"    done_on: {day + timedelta(days=10)}",
                      f"closed: {day + timedelta(days=12)}",
                      f"follow_up: {{date: {day + timedelta(days=12)}, how: Told the customer}}"]
        else:
            lines += ["    status: open"]
    lines += ["kudos: [Dispatch desk]", "tags: [scheduling, synthetic]"]
    if ids and i % 5 == 0:
        lines.append(f"related: [{ids[-1]}]")
    text = "\n".join(lines) + "\n"
    more: list[str] = []
    while len(text) + sum(len(m) + 1 for m in more) < size:
        more.append("  " + STORY.format(hour=10 + (i + len(more)) % 9).strip())
    return "\n".join(lines[:story_end] + more + lines[story_end:]) + "\n"


def generate(n: int, out: Path, size: int = 0) -> Path:
    """Create OUTDIR/incidents with the sample taxonomy and N records of at least ``size``
    bytes each (0: their natural ~1.3 KB); returns the folder."""
    import yaml

    taxonomy = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    teams = sorted(taxonomy["teams"])
    causes = [f"{c}/{k}" for c, v in taxonomy["root_causes"].items() for k in v["causes"]]
    folder = out / "incidents"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(TAXONOMY, folder / "_taxonomy.yaml")
    start = date(2024, 1, 1)
    ids: list[str] = []
    for i in range(n):
        day = start + timedelta(days=i * 700 // max(n, 1))
        rid = f"{day}-synthetic-record-{i}"
        path = folder / str(day.year) / f"{rid}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(record(i, day, teams, causes, ids, size), encoding="utf-8")
        ids.append(rid)
    return folder


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
