"""Print how long `nearmiss check` and `nearmiss stats` take at 1k and 10k records next
to the floors.

Floors: reading the bytes of every file, and one bare libyaml parse (CSafeLoader load) of
every file, single process. Check is timed cold (no cache) and warm (cache of the previous
run); stats cold is a cold check plus every figure. Run: python benchmarks/bench_check.py [N ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

from nearmiss.log.cache import Cache  # noqa: E402
from nearmiss.log.checker import check_tree, discover  # noqa: E402
from nearmiss.log.figures import compute  # noqa: E402


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'read':>8} {'C parse':>8} {'check cold':>11} "
          f"{'check warm':>11} {'cold/parse':>11} {'stats cold':>11} {'stats/check':>12}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(n, Path(tmp))
            files = discover(folder)
            read = timed(lambda: [Path(f).read_bytes() for f in files])
            parse = timed(lambda: [yaml.load(Path(f).read_bytes(), Loader=yaml.CSafeLoader)
                                   for f in files])
            cache_dir = Path(tmp) / "cache"
            result = None

            def run() -> None:
                nonlocal result
                result = check_tree(folder, date.today(), cache=Cache(folder, cache_dir))

            cold = timed(run)
            warm = timed(run)
            assert result is not None and not result.problems, result.problems[:3]

            def stats() -> None:
                checked = check_tree(folder, date.today())
                compute(checked.records, checked.taxonomy, date.today())

            stats_cold = timed(stats)
            print(f"{n:>8} {read:>7.2f}s {parse:>7.2f}s {cold:>10.2f}s {warm:>10.2f}s "
                  f"{cold / parse:>10.2f}x {stats_cold:>10.2f}s {stats_cold / cold:>11.2f}x",
                  flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
