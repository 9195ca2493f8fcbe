"""Print how long `nearmiss check` and `nearmiss stats` take at 1k and 10k records, each
next to its floor measured in the same run.

Floors: reading the bytes of every file (what a warm check is held to), and one bare
libyaml parse (CSafeLoader load) of every file in one process (what a cold check is held
to). Check is timed as `nearmiss check` runs it (verdicts only), cold (no cache) and warm
(the cache of the previous run, nothing changed); stats cold is a check that keeps the
records, with no cache, plus every figure. "cli cold" runs `nearmiss check` itself in a
fresh process with an empty cache: the cold check plus starting Python, importing and
printing. Each time is the best of --repeat runs, the
floors' too, since other work on the machine only ever adds time.
Run: python benchmarks/bench_check.py [N ...] [--size BYTES] [--repeat R]
(records of ~4 KB by default, as issue 11 measured).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

from nearmiss.log.cache import Cache  # noqa: E402
from nearmiss.log.checker import CheckResult, check_tree, discover  # noqa: E402
from nearmiss.log.figures import compute  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(n: int, record_bytes: int, repeat: int, tmp: Path) -> str:
    """One line of the table for ``n`` records."""
    folder = generate(n, tmp, record_bytes)
    files = discover(folder)
    best: dict[str, float] = {}
    runs: list[CheckResult] = []

    def cli(cache_dir: Path) -> None:  # the command itself, from process start to exit
        subprocess.run([sys.executable, "-m", "nearmiss", "check", "--incidents", str(folder)],
                       check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "NEARMISS_CACHE_DIR": str(cache_dir)})

    def check(cache_dir: Path) -> None:  # as `nearmiss check` calls it
        runs.append(check_tree(folder, date.today(), cache=Cache(folder, cache_dir),
                               records=False))

    for attempt in range(repeat):
        cache_dir = tmp / f"cache-{attempt}"
        times = {
            "read": timed(lambda: [Path(f).read_bytes() for f in files]),
            "parse": timed(lambda: [yaml.load(Path(f).read_bytes(), Loader=yaml.CSafeLoader)
                                    for f in files]),
            "cold": timed(partial(check, cache_dir)),
            "warm": timed(partial(check, cache_dir)),
            "cli": timed(partial(cli, tmp / f"cli-cache-{attempt}")),
        }
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}

    def stats() -> None:  # as `nearmiss stats --no-cache` calls it
        checked = check_tree(folder, date.today())
        assert len(checked.records) == n and checked.problems == runs[0].problems
        compute(checked.records, checked.taxonomy, date.today())

    stats_cold = timed(stats)
    assert not runs[0].problems, runs[0].problems[:3]
    assert all(r.problems == runs[0].problems for r in runs)
    return (f"{n:>8} {best['read']:>7.2f}s {best['parse']:>7.2f}s {best['cold']:>10.2f}s "
            f"{best['cold'] / best['parse']:>10.2f}x {best['warm']:>10.2f}s "
            f"{best['warm'] / best['read']:>9.2f}x {stats_cold:>10.2f}s {best['cli']:>9.2f}s")


def main(sizes: list[int], record_bytes: int, repeat: int) -> None:
    print(f"baselines, same run, best of {repeat}: read = reading every file's bytes; "
          f"C parse = yaml.load(CSafeLoader) of every file, one process; "
          f"records of ~{record_bytes} bytes")
    print(f"{'records':>8} {'read':>8} {'C parse':>8} {'check cold':>11} {'cold/parse':>11} "
          f"{'check warm':>11} {'warm/read':>10} {'stats cold':>11} {'cli cold':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            print(measure(n, record_bytes, repeat, Path(tmp)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--size", type=int, default=4096, help="bytes per record")
    parser.add_argument("--repeat", type=int, default=3, help="runs to take the best of")
    args = parser.parse_args()
    main(args.sizes, args.size, args.repeat)
