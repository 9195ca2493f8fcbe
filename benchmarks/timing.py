"""Timing shared by the benchmarks: the best of several runs, since other work on the
machine only ever adds time."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_cpu(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best wall and CPU seconds of ``repeat`` runs: on a busy machine the CPU time
    is what the work itself costs."""
    times = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(t[0] for t in times), min(t[1] for t in times)


def best(fn: Callable[[], object], repeat: int) -> float:
    """The best wall seconds of ``repeat`` runs."""
    return best_cpu(fn, repeat)[0]
