"""Print how long the signals take at 10k records (the target: under 0.5 s), next to every
figure of `nearmiss stats` (compute, which includes them) measured in the same run.

The log is benchmarks/generate.py's, loaded as `nearmiss stats` loads it (a check that
keeps the records, no cache); only the figures are timed, not the loading. As of the day
of the last record, so the window and baseline hold records. Each time is the best of
--repeat runs, since other work on the machine only ever adds time.
Run: python benchmarks/bench_signals.py [N ...] [--repeat R]
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

from nearmiss.log.checker import check_tree  # noqa: E402
from nearmiss.log.figures import compute  # noqa: E402
from nearmiss.log.signals import signals  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[10_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'records':>8}  {'keys':>5}  {'signals s':>9}  {'all figures s':>13}  "
          f"{'share':>6}")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(n, Path(tmp))
            result = check_tree(folder, date.today())
            records, taxonomy = result.records, result.taxonomy
            as_of = max(r.day for r in records)
            found = signals(records, taxonomy, as_of)
            alone = best(partial(signals, records, taxonomy, as_of), args.repeat)
            every = best(partial(compute, records, taxonomy, as_of), args.repeat)
            print(f"{len(records):>8}  {found.tested:>5}  {alone:>9.3f}  {every:>13.3f}  "
                  f"{alone / every:>6.1%}")


if __name__ == "__main__":
    main()
