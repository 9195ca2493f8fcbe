"""Signals (docs/guide/figures.md, "Signals"): the exact test against big-integer
arithmetic, the correction, hand-made rises and falls, the young-log rule, and how often
flat logs raise a false alarm."""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.log.figures import compute
from nearmiss.log.signals import (
    ALPHA,
    DIMENSIONS,
    MIN_OBSERVED,
    Key,
    Signal,
    adjusted,
    counts,
    rising,
    signals,
    upper_tail,
)
from nearmiss.record.model import Record
from nearmiss.record.taxonomy import Category, Taxonomy, Term

AS_OF = date(2026, 11, 30)
WINDOW_START = date(2026, 9, 2)  # 90 days up to and including AS_OF
BASELINE_START = date(2025, 9, 2)  # the 365 days before the window

TAXONOMY = Taxonomy(
    teams={t: Term(t, t.title()) for t in ("north", "south", "east", "west")},
    categories={
        "process": Category("process", "Process", "", {
            "manual-handoff": Term("manual-handoff", "Work passes between teams by hand")}),
        "tools": Category("tools", "Tools", "", {"stale-board": Term("stale-board", "Stale")}),
        "people": Category("people", "People", "", {"new-starter": Term("new-starter", "New")}),
        "communication": Category("communication", "Communication", "",
                                  {"no-heads-up": Term("no-heads-up", "No heads-up")}),
    })
CAUSES = ("process/manual-handoff", "tools/stale-board", "people/new-starter",
          "communication/no-heads-up")


def record(i: int, day: date, cause: str, team: str, kind: str = "near-miss") -> Record:
    return Record(id=f"r{i}", path=f"r{i}.yaml", title="t", kind=kind, status="reviewed",
                  occurred=day, team=team, severity="low", what_happened="w",
                  root_causes=(cause,))


def spread_over(n: int, first: date, days: int) -> list[date]:
    """``n`` days spread evenly over ``days`` days from ``first``."""
    return [first + timedelta(days=k * days // n) for k in range(n)]


def log(window: dict[str, int], baseline: dict[str, int]) -> list[Record]:
    """Records per cause in the window and in the 365-day baseline, evenly spread in time,
    teams taken in turn and kinds alternating, so only the causes' own rates differ."""
    out: list[Record] = []
    teams = sorted(TAXONOMY.teams)
    for counted, first, days in ((baseline, BASELINE_START, 365), (window, WINDOW_START, 90)):
        for cause, n in counted.items():
            for day in spread_over(n, first, days):
                out.append(record(len(out), day, cause, teams[len(out) % 4],
                                  ("near-miss", "failure")[len(out) % 2]))
    return out


# --- the test -------------------------------------------------------------------------


def exact_tail(x: int, n: int, w: int, b: int) -> Fraction:
    """P(X ≥ x), X ~ Binomial(n, w/(w+b)), in whole numbers: no rounding at all."""
    total, c, wk, bk = 0, comb(n, x), w**x, b ** max(n - x, 0)
    for k in range(x, n + 1):  # comb(n, k) w^k b^(n-k), each from the one before
        total += c * wk * bk
        c, wk, bk = c * (n - k) // (k + 1), wk * w, bk // b
    return Fraction(total, (w + b) ** n)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3000).flatmap(lambda n: st.tuples(st.integers(0, n + 1), st.just(n))),
       st.integers(1, 400), st.integers(1, 800))
def test_upper_tail_is_exact(xn: tuple[int, int], w: int, b: int) -> None:
    x, n = xn
    expected = float(exact_tail(x, n, w, b))
    got = upper_tail(x, n, w / (w + b))
    assert 0.0 <= got <= 1.0
    if expected > 1e-300:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)
    else:  # beyond what a float holds: it must at least be negligible
        assert got < 1e-290


def test_upper_tail_by_hand() -> None:
    # 2 in the window, 0 before, window 90 of 455 days: (90/455)^2
    assert upper_tail(2, 2, 90 / 455) == pytest.approx((90 / 455) ** 2)
    assert upper_tail(0, 5, 0.3) == 1.0
    assert upper_tail(6, 5, 0.3) == 0.0
    # P(X >= 1), n = 3, p = 1/2: 7/8
    assert upper_tail(1, 3, 0.5) == pytest.approx(7 / 8)


def test_benjamini_hochberg_by_hand() -> None:
    # m = 4: sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.04, 0.04, 0.5 (each 4p/rank,
    # then the running minimum from the largest down)
    assert adjusted([0.03, 0.5, 0.01, 0.02]) == pytest.approx([0.04, 0.5, 0.04, 0.04])
    assert adjusted([]) == []
    assert adjusted([0.9, 0.9]) == pytest.approx([0.9, 0.9])


# --- hand-made logs ---------------------------------------------------------------------


FLAT = {cause: 40 for cause in CAUSES}  # 40 a year each: about 9.9 expected in 90 days


def test_a_tripled_cause_is_flagged_and_nothing_else() -> None:
    window = {cause: 10 for cause in CAUSES} | {"process/manual-handoff": 30}
    found = signals(log(window, FLAT), TAXONOMY, AS_OF)
    assert found.computed and found.baseline_start == BASELINE_START
    # its category is the same records (it is the category's only cause), so it rises too;
    # no team, and no other cause or category, does
    assert [(s.dimension, s.key) for s in found.rising] == [
        ("cause", "process/manual-handoff"), ("category", "process")]
    top = found.rising[0]
    assert (top.observed, top.expected) == (30, round(40 * 90 / 365, 2))
    assert top.label == "Work passes between teams by hand"
    assert (top.window_start, top.window_end) == (WINDOW_START, AS_OF)
    assert top.p_value <= ALPHA
    assert set(top.as_dict()) == {"dimension", "key", "label", "observed", "expected",
                                  "p_value", "window_start", "window_end"}


def test_a_decrease_is_never_flagged() -> None:
    window = {cause: 10 for cause in CAUSES} | {"process/manual-handoff": 0}
    assert signals(log(window, FLAT), TAXONOMY, AS_OF).rising == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 300)), min_size=1, max_size=12))
def test_nothing_at_or_below_expected_is_flagged(pairs: list[tuple[int, int]]) -> None:
    found = rising({("cause", f"c/{i}"): (x, y) for i, (x, y) in enumerate(pairs)},
                   90, 365, WINDOW_START, AS_OF)
    for s in found:
        x, y = pairs[int(s.key[2:])]
        assert x > y * 90 / 365 and x >= MIN_OBSERVED and s.p_value <= ALPHA


def test_small_counts_never_alarm() -> None:
    # 2 in the window against none before is p = 0.039 alone: below 0.05, and still nothing
    assert upper_tail(2, 2, 90 / 455) < ALPHA
    assert rising({("cause", "tools/stale-board"): (2, 0)}, 90, 365, WINDOW_START, AS_OF) == []
    window = {cause: 10 for cause in CAUSES} | {"people/new-starter": 2}
    quiet = {cause: 40 for cause in CAUSES} | {"people/new-starter": 0}
    assert signals(log(window, quiet), TAXONOMY, AS_OF).rising == ()
    # 3 against none is enough on its own: (90/455)^3 = 0.008
    assert [s.observed for s in rising({("cause", "tools/stale-board"): (3, 0)}, 90, 365,
                                       WINDOW_START, AS_OF)] == [3]


def test_counting_once_per_cause_and_once_per_category() -> None:
    both = Record(id="r", path="r.yaml", title="t", kind="failure", status="reviewed",
                  occurred=AS_OF, team="north", severity="low", what_happened="w",
                  touchpoint="phone", root_causes=("process/a", "process/b", "tools/c"))
    assert counts([both], WINDOW_START, AS_OF, BASELINE_START) == {
        ("cause", "process/a"): (1, 0), ("cause", "process/b"): (1, 0),
        ("cause", "tools/c"): (1, 0), ("category", "process"): (1, 0),
        ("category", "tools"): (1, 0), ("team", "north"): (1, 0),
        ("touchpoint", "phone"): (1, 0)}


def test_a_young_log_tests_nothing() -> None:
    window = {cause: 10 for cause in CAUSES} | {"process/manual-handoff": 30}
    young = [r for r in log(window, FLAT) if r.day >= date(2026, 6, 10)]  # 84 days before
    found = signals(young, TAXONOMY, AS_OF)
    assert not found.computed and found.rising == () and found.tested == 0


def test_the_baseline_starts_at_the_first_record() -> None:
    window = {cause: 10 for cause in CAUSES} | {"process/manual-handoff": 30}
    records = [r for r in log(window, FLAT) if r.day >= date(2026, 3, 1)]
    found = signals(records, TAXONOMY, AS_OF)
    first = min(r.day for r in records)
    assert found.baseline_start == first
    assert found.baseline_days == (WINDOW_START - first).days
    # a shorter baseline has proportionally fewer records: the rate, not the count, counts
    handoff = next(s for s in found.rising if s.key == "process/manual-handoff")
    y = sum(1 for r in records if r.day < WINDOW_START and r.root_causes == (handoff.key,))
    assert handoff.expected == round(y * 90 / found.baseline_days, 2)


def test_compute_carries_the_signals_and_json_lists_them() -> None:
    window = {cause: 10 for cause in CAUSES} | {"process/manual-handoff": 30}
    stats = compute(log(window, FLAT), TAXONOMY, AS_OF, since=date(2026, 11, 1))
    data = stats.as_dict()
    assert [s["key"] for s in data["signals"]] == ["process/manual-handoff", "process"]
    assert data["signals_tested"]["window_start"] == "2026-09-02"
    narrower = compute(log(window, FLAT), TAXONOMY, AS_OF, window_days=30)
    assert narrower.signals.window_start == date(2026, 11, 1)


# --- false alarms -----------------------------------------------------------------------

LOGS = 200
KEYS_PER_LOG = 15


def poisson(rng: random.Random, mean: float) -> int:
    """Events of a Poisson process of rate 1 within ``mean``: stdlib only, exact."""
    n, t = 0, rng.expovariate(1.0)
    while t < mean:
        n += 1
        t += rng.expovariate(1.0)
    return n


def flat_counts(seed: int) -> dict[Key, tuple[int, int]]:
    """One log with the same rate throughout: every key's window and baseline counts are
    Poisson with means in proportion to 90 and 365 days; rates from rare to common."""
    rng = random.Random(seed)
    out: dict[Key, tuple[int, int]] = {}
    for i in range(KEYS_PER_LOG):
        per_year = rng.choice((2, 5, 10, 20, 40, 80))
        out[DIMENSIONS[i % 5], f"key-{i}"] = (poisson(rng, per_year * 90 / 365),
                                              poisson(rng, per_year))
    return out


def test_flat_logs_rarely_raise_a_false_alarm() -> None:
    alarmed = sum(bool(rising(flat_counts(seed), 90, 365, WINDOW_START, AS_OF))
                  for seed in range(LOGS))
    # Every key of a flat log is a true "no change", so any signal is false: under this
    # global null, Benjamini-Hochberg at 0.05 keeps the chance of any signal per log at
    # 0.05 or less (the discrete test and the minimum count only make it smaller). At
    # exactly 0.05, 200 logs would alarm 10 times on average, standard deviation 3.1;
    # 19 is three deviations above, which a correct test exceeds with chance < 0.3%.
    print(f"flat logs with any signal: {alarmed} of {LOGS}")
    assert alarmed <= 19


def test_signal_fields_are_the_contract() -> None:
    assert [f for f in Signal.__dataclass_fields__] == [
        "dimension", "key", "label", "observed", "expected", "p_value", "window_start",
        "window_end"]
