"""Signals: causes, categories, teams, touchpoints and promises whose count rose in a
recent window more than chance plausibly explains, given their own past.

Each key's window count is tested against its baseline count with the exact conditional
test for two Poisson rates, and the p-values of every key of every dimension are corrected
together (Benjamini–Hochberg). The arithmetic is a tail sum of the binomial distribution,
done here with the standard library: scipy would do it, but it is about 100 MB for one sum
in an install whose main user is a pre-commit hook. Definitions are in
docs/guide/figures.md ("Signals"); keep the two in step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from nearmiss.record.model import Record
from nearmiss.record.taxonomy import Taxonomy

Dimension = Literal["cause", "category", "team", "touchpoint", "promise"]
DIMENSIONS: tuple[Dimension, ...] = ("cause", "category", "team", "touchpoint", "promise")

WINDOW_DAYS = 90
BASELINE_DAYS = 365
ALPHA = 0.05  # the false discovery rate the correction holds signals to
# Fewer records than this in the window never make a signal: against a short or empty past,
# two records can be "significant" (2 against 0 expected is p = 0.04 alone) and mean nothing.
MIN_OBSERVED = 3

Key = tuple[Dimension, str]


@dataclass(frozen=True, slots=True)
class Signal:
    """One key that rose: ``observed`` records in the window against ``expected`` from the
    baseline's rate; ``p_value`` is after the correction for every key tested."""

    dimension: Dimension
    key: str  # the taxonomy key; a cause's is 'category/cause'
    label: str
    observed: int
    expected: float  # rounded to 2 places
    p_value: float  # rounded to 3 significant digits
    window_start: date
    window_end: date

    def as_dict(self) -> dict[str, Any]:
        """The contract's keys, exactly."""
        return {"dimension": self.dimension, "key": self.key, "label": self.label,
                "observed": self.observed, "expected": self.expected,
                "p_value": self.p_value, "window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat()}


@dataclass(frozen=True, slots=True)
class Signals:
    """What was tested and what rose. ``baseline_start`` is None when the log has less
    history before the window than one window: then nothing is tested, since against no
    past every key of a new log would 'rise'."""

    window_start: date
    window_end: date
    baseline_start: date | None
    baseline_end: date
    tested: int  # keys tested (those with a record in the window or the baseline)
    rising: tuple[Signal, ...]  # most significant first

    @property
    def computed(self) -> bool:
        return self.baseline_start is not None

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    @property
    def baseline_days(self) -> int:
        """Days of the baseline after trimming it to the log's first record (0: none)."""
        if self.baseline_start is None:
            return 0
        return (self.baseline_end - self.baseline_start).days + 1

    def as_dict(self) -> dict[str, Any]:
        """What was tested, for JSON: a script can tell 'nothing rose' from 'too early'."""
        return {"window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat(),
                "baseline_start": self.baseline_start.isoformat()
                if self.baseline_start else None,
                "baseline_end": self.baseline_end.isoformat(), "keys_tested": self.tested}


# --- the test ---------------------------------------------------------------------------


def upper_tail(x: int, n: int, p: float) -> float:
    """P(X ≥ x) for X ~ Binomial(n, p), exactly up to float rounding, for any n.

    The smaller tail is summed: above the mean the terms from x up, below it 1 minus the
    terms from x - 1 down. Terms are built from the first one (in logarithms, so nothing
    overflows) by the ratio of neighbouring terms, until they no longer change the sum.
    """
    if x <= 0 or p >= 1.0:
        return 1.0
    if x > n or p <= 0.0:
        return 0.0
    upper = x >= n * p
    start = x if upper else x - 1
    log_first = (math.lgamma(n + 1) - math.lgamma(start + 1) - math.lgamma(n - start + 1)
                 + start * math.log(p) + (n - start) * math.log1p(-p))
    odds = p / (1.0 - p)
    # scaled by the first term, which is the largest, so a tail of 1e-400 sums too
    total, term, k = 0.0, 1.0, start
    while 0 <= k <= n and term >= total * 1e-17:
        total += term
        if upper:
            term *= (n - k) / (k + 1) * odds
            k += 1
        else:
            term *= k / (n - k + 1) / odds
            k -= 1
    tail = math.exp(log_first + math.log(total))
    return min(1.0, tail) if upper else max(0.0, 1.0 - tail)


def adjusted(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the order given: a key whose adjusted
    value is at most ALPHA is a discovery at false discovery rate ALPHA."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        out[i] = running
    return out


def rising(counts: Mapping[Key, tuple[int, int]], window_days: int, baseline_days: int,
           window_start: date, window_end: date,
           label: Callable[[Dimension, str], str] = lambda _d, key: key) -> list[Signal]:
    """The keys that rose, most significant first, from (window, baseline) counts.

    Under 'same rate throughout', a key's window count given its total is
    Binomial(total, W / (W + B)); the one-sided p-value is the chance of a window count at
    least this large. Every key is corrected together, then flagged when its adjusted
    p-value is at most ALPHA, it is above expected, and it is at least MIN_OBSERVED.
    """
    share = window_days / (window_days + baseline_days)
    keys = [k for k, (x, y) in counts.items() if x + y]
    raw = [upper_tail(counts[k][0], sum(counts[k]), share) for k in keys]
    found: list[tuple[float, float, int, str, Signal]] = []
    for k, p in zip(keys, adjusted(raw), strict=True):
        x, y = counts[k]
        expected = y * window_days / baseline_days
        if p <= ALPHA and x > expected and x >= MIN_OBSERVED:
            found.append((p, -x / (expected or 0.5), DIMENSIONS.index(k[0]), k[1], Signal(
                k[0], k[1], label(*k), x, round(expected, 2), float(f"{p:.3g}"),
                window_start, window_end)))
    found.sort(key=lambda item: item[:4])
    return [item[4] for item in found]


# --- counting records -------------------------------------------------------------------


def record_keys(r: Record) -> Iterable[Key]:
    """The keys a record counts once for: each cause, each category (once, even with two
    causes in it), its team, and its touchpoint and promise when it names them."""
    for cause in dict.fromkeys(r.root_causes):
        yield "cause", cause
    for category in dict.fromkeys(c.partition("/")[0] for c in r.root_causes):
        yield "category", category
    yield "team", r.team
    if r.touchpoint:
        yield "touchpoint", r.touchpoint
    if r.promise:
        yield "promise", r.promise


def counts(records: Iterable[Record], window_start: date, window_end: date,
           baseline_start: date) -> dict[Key, tuple[int, int]]:
    """(records in the window, records in the baseline) per key; the baseline runs from
    ``baseline_start`` to the day before the window."""
    window: Counter[Key] = Counter()
    baseline: Counter[Key] = Counter()
    for r in records:
        if window_start <= r.day <= window_end:
            window.update(record_keys(r))
        elif baseline_start <= r.day < window_start:
            baseline.update(record_keys(r))
    return {k: (window[k], baseline[k]) for k in window.keys() | baseline.keys()}


def signals(records: Sequence[Record], taxonomy: Taxonomy, as_of: date,
            window_days: int = WINDOW_DAYS, baseline_days: int = BASELINE_DAYS,
            first: date | None = None) -> Signals:
    """The signals as of a day: the window is the ``window_days`` up to and including
    ``as_of``, the baseline the ``baseline_days`` before it, trimmed to the log's first
    record (``first``, when ``records`` are only those of the two periods). With less
    baseline than one window, nothing is tested."""
    window_start = as_of - timedelta(days=window_days - 1)
    baseline_end = window_start - timedelta(days=1)
    if first is None:
        first = min((r.day for r in records), default=as_of)
    baseline_start = max(window_start - timedelta(days=baseline_days), first)
    days = (baseline_end - baseline_start).days + 1
    if days < window_days:
        return Signals(window_start, as_of, None, baseline_end, 0, ())
    found = counts(records, window_start, as_of, baseline_start)
    tested = sum(1 for x, y in found.values() if x + y)
    return Signals(window_start, as_of, baseline_start, baseline_end, tested,
                   tuple(rising(found, window_days, days, window_start, as_of,
                                lambda d, k: label(taxonomy, d, k))))


def label(taxonomy: Taxonomy, dimension: Dimension, key: str) -> str:
    """A key as people read it: the taxonomy's label, or the key when it has none."""
    if dimension == "cause":
        return taxonomy.cause_label(key)
    if dimension == "category":
        category = taxonomy.categories.get(key)
        return category.label if category else key
    terms = {"team": taxonomy.teams, "touchpoint": taxonomy.touchpoints,
             "promise": taxonomy.promises}[dimension]
    return terms[key].label if key in terms else key
