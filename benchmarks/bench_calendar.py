"""Print how long the calendar of open actions (`actions --format ics`, and each of the
site's two calendars) takes at 1k and 10k records, next to the CSV of the same rows
measured in the same run: the floor of turning the action list into a file.

The records come from the benchmark generator; the rows from ``action_list``, as the
command lists them. Each time is the best of --repeat runs, the floor's too, since other
work on the machine only ever adds time.
Run: python benchmarks/bench_calendar.py [N ...] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from timing import best  # noqa: E402

from nearmiss.log.calendar import calendar  # noqa: E402
from nearmiss.log.checker import check_tree  # noqa: E402
from nearmiss.log.figures import action_list  # noqa: E402
from nearmiss.log.tables import actions_csv  # noqa: E402


def measure(n: int, repeat: int, tmp: Path) -> str:
    """One line of the table for ``n`` records."""
    as_of = date.today()
    result = check_tree(generate(n, tmp), as_of, cache=None)
    rows = action_list(result.records, as_of)
    floor = best(partial(actions_csv, rows), repeat)
    todos = best(partial(calendar, rows, as_of), repeat)
    events = best(partial(calendar, rows, as_of, events=True), repeat)
    return (f"{n:>8} {len(rows):>13} {floor * 1000:>10.1f}ms {todos * 1000:>7.0f}ms "
            f"{events * 1000:>9.0f}ms {todos / floor:>9.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'records':>8} {'open actions':>13} {'csv (floor)':>12} {'ics':>9} "
          f"{'ics events':>11} {'ics / csv':>10}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            print(measure(n, args.repeat, Path(tmp)))


if __name__ == "__main__":
    main()
