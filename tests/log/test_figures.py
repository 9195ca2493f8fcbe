"""The figures of docs/guide/figures.md, checked against a learning log worked out by hand.

Every expected value below is a literal computed by hand from tests/fixtures/stats
(the arithmetic is in tests/fixtures/stats/README.md and in the comments here), never
recomputed with nearmiss's own code.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest
from helpers import FIXTURES

from nearmiss.log.checker import check_tree
from nearmiss.log.figures import (
    ActionCounts,
    Agility,
    BreakdownRow,
    ByStrength,
    CategoryRow,
    Change,
    KudosCount,
    LoopClosure,
    ParetoRow,
    Period,
    Saves,
    Spread,
    Stats,
    StrengthRow,
    StrongerShare,
    Summary,
    WarningSign,
    action_counts,
    action_list,
    completed_actions,
    compute,
    listed_counts,
    per_failure,
    trend,
)
from nearmiss.record.model import CAUGHT_HOW, Record
from nearmiss.record.taxonomy import Taxonomy

INCIDENTS = FIXTURES / "stats" / "incidents"
AS_OF = date(2026, 4, 1)
TODAY = date(2026, 11, 1)  # after every date of the fixture: nothing is in the future

R1 = "2026-01-05-board-showed-visit-on-time"
R2 = "2026-01-12-refund-amount-nearly-doubled"
R3 = "2026-01-20-technician-late-without-a-call"
R4 = "2026-02-02-invoice-sent-twice"
R5 = "2026-02-10-customer-spotted-wrong-slot"
R6 = "2026-02-18-second-visit-squeezed-in"
R7 = "2026-02-24-discount-code-nearly-expired"
R8 = "2026-03-03-reschedule-text-nearly-unsent"
R9 = "2026-03-10-engineer-change-not-announced"  # internal
R10 = "2026-03-10-customer-not-told-of-reschedule"
R11 = "2026-03-31-call-dropped-in-queue"
ALL = {R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11}

NO_SAVES = Saves(barrier=0, person=0, customer=0, luck=0, unspecified=0)
NO_STRENGTH = ByStrength(stronger=0, intermediate=0, weaker=0, untyped=0)
NO_ACTIONS = ActionCounts(open=0, overdue=0, done=0, dropped=0, by_strength=NO_STRENGTH)
NO_DAYS = Spread(count=0, median=None, p90=None)


def strengths(stronger: int, intermediate: int, weaker: int, untyped: int) -> ByStrength:
    return ByStrength(stronger=stronger, intermediate=intermediate, weaker=weaker,
                      untyped=untyped)


@pytest.fixture(scope="module")
def log() -> tuple[list[Record], Taxonomy]:
    result = check_tree(INCIDENTS, TODAY)
    assert result.problems == []
    assert {r.id for r in result.records} == ALL
    return result.records, result.taxonomy


@pytest.fixture(scope="module")
def records(log: tuple[list[Record], Taxonomy]) -> list[Record]:
    return log[0]


@pytest.fixture(scope="module")
def taxonomy(log: tuple[list[Record], Taxonomy]) -> Taxonomy:
    return log[1]


@pytest.fixture(scope="module")
def stats(records: list[Record], taxonomy: Taxonomy) -> Stats:
    return compute(records, taxonomy, AS_OF)


@pytest.fixture(scope="module")
def figures(stats: Stats) -> Summary:
    return stats.overall


def saves(barrier: int = 0, person: int = 0, customer: int = 0, luck: int = 0,
          unspecified: int = 0) -> Saves:
    return Saves(barrier=barrier, person=person, customer=customer, luck=luck,
                 unspecified=unspecified)


def test_saves_has_a_field_per_caught_how_then_unspecified() -> None:
    assert tuple(f.name for f in fields(Saves)) == (*CAUGHT_HOW, "unspecified")


# --- prevention -----------------------------------------------------------------------


def test_counts_and_prevention_ratio(figures: Summary) -> None:
    assert figures.records == 11
    assert figures.near_misses == 7   # R1 R2 R5 R6 R7 R8 R9 (R9 internal, still counted)
    assert figures.failures == 4      # R3 R4 R10 R11
    assert figures.prevention_ratio == 0.6364  # 7 / 11 = 0.636363...


def test_saves_per_caught_how_and_by_design(figures: Summary) -> None:
    assert figures.saves == saves(barrier=2, person=2, customer=1, luck=1, unspecified=1)
    assert figures.saves_by_design == 0.2857  # 2 / 7 = 0.285714...


def test_period_and_as_of_are_reported(stats: Stats) -> None:
    assert stats.as_of == date(2026, 4, 1)
    assert stats.since is None and stats.until is None
    assert stats.excluded == ()
    # the JSON contract spells them as ISO dates and nulls
    data = stats.as_dict()
    assert (data["as_of"], data["since"], data["until"], data["excluded"]) == (
        "2026-04-01", None, None, [])


# --- actions --------------------------------------------------------------------------


def test_actions_as_of_open_includes_overdue(figures: Summary) -> None:
    # overdue: R4 (due 03-01), R2 (03-15), R10 (03-31); open only: R9 (due 04-01, the
    # as-of day itself: not overdue), R2 (04-30); done: R1 R2 R3 R8; dropped: R3.
    # by strength (dropped left out): stronger R2 R2 R4, intermediate R1 R8 R10, weaker
    # R2, untyped R3 R9
    assert figures.actions == ActionCounts(open=5, overdue=3, done=4, dropped=1,
                                           by_strength=strengths(3, 3, 1, 2))


@pytest.mark.parametrize(("as_of", "overdue"), [
    (date(2026, 2, 15), 0),   # nothing due yet
    (date(2026, 3, 1), 0),    # R4 is due that day: not before it, so not overdue
    (date(2026, 3, 2), 1),    # R4
    (date(2026, 3, 10), 1),   # R4
    (date(2026, 3, 16), 2),   # + R2
    (date(2026, 4, 1), 3),    # + R10
    (date(2026, 4, 2), 4),    # + R9 (due 04-01)
    (date(2026, 5, 1), 5),    # + R2's second (due 04-30): every open action
])
def test_as_of_changes_overdue_only(records: list[Record], taxonomy: Taxonomy,
                                    as_of: date, overdue: int) -> None:
    stats = compute(records, taxonomy, as_of)
    assert stats.overall.actions == ActionCounts(open=5, overdue=overdue, done=4, dropped=1,
                                                 by_strength=strengths(3, 3, 1, 2))
    assert stats.as_of == as_of
    assert stats.overall.records == 11  # as-of judges actions; it does not filter records


def test_action_list_order_overdue_oldest_first_then_open_by_due(
        records: list[Record]) -> None:
    rows = action_list(records, AS_OF)
    assert [(r.record, r.index, r.state, r.due.isoformat(), r.days_overdue)
            for r in rows] == [
        (R4, 0, "overdue", "2026-03-01", 31),
        (R2, 0, "overdue", "2026-03-15", 17),
        (R10, 0, "overdue", "2026-03-31", 1),
        (R9, 0, "open", "2026-04-01", 0),
        (R2, 1, "open", "2026-04-30", 0),
    ]
    first = rows[0]
    assert first.owner == "Priya Shah (billing lead)"
    assert first.title == "Invoice sent twice and charged twice"
    assert first.action == "Billing batch refuses an invoice number it has already charged"
    assert first.done_on is None and first.reason is None


def test_action_list_all_states(records: list[Record]) -> None:
    rows = action_list(records, AS_OF, states=("overdue", "open", "done", "dropped"))
    assert [(r.record, r.state) for r in rows] == [
        (R4, "overdue"), (R2, "overdue"), (R10, "overdue"),
        (R9, "open"), (R2, "open"),
        (R1, "done"), (R3, "done"), (R2, "done"), (R8, "done"),  # due 01-31 02-15 03-31 03-31
        (R3, "dropped"),
    ]
    done = {(r.record, r.done_on) for r in rows if r.state == "done"}
    assert done == {(R1, date(2026, 1, 20)), (R3, date(2026, 2, 10)), (R2, date(2026, 3, 6)),
                    (R8, date(2026, 3, 15))}
    dropped = rows[-1]
    assert dropped.reason == "Replaced by phoning ahead, which customers prefer."
    assert dropped.days_overdue == 0


def test_action_list_overdue_only(records: list[Record]) -> None:
    rows = action_list(records, AS_OF, states=("overdue",))
    assert [r.record for r in rows] == [R4, R2, R10]


@pytest.mark.parametrize(("owner", "expected"), [
    ("priya", [(R4, 0), (R2, 0)]),
    ("PRIYA SHAH", [(R4, 0), (R2, 0)]),
    # "billing" is part of "Priya Shah (billing lead)" as well as the owner "billing"
    ("BILLING", [(R4, 0), (R2, 0), (R2, 1)]),
    ("dispatch", [(R10, 0)]),
    ("field", [(R9, 0)]),
    ("nobody", []),
])
def test_action_list_owner_substring_ignoring_case(records: list[Record], owner: str,
                                                   expected: list[tuple[str, int]]) -> None:
    rows = action_list(records, AS_OF, owner)
    assert [(r.record, r.index) for r in rows] == expected


# --- loop closure and agility ---------------------------------------------------------


def test_loop_closure(figures: Summary) -> None:
    # eligible: R1 R2 R3 R4 R6 R8 R9 R10; followed up R1 R2 R3 R8 R9 (R5's follow-up does
    # not count: it is open). Days [4, 18, 20, 21, 31]: median 20; p90 at (5-1)*0.9 = 3.6:
    # 21 + 0.6 * (31 - 21) = 27.
    assert figures.loop_closure == LoopClosure(
        eligible=8, followed_up=5, ratio=0.625,
        days=Spread(count=5, median=20, p90=27.0),
    )


def test_agility(figures: Summary) -> None:
    # reported [0,0,0,1,1,2,2,2,4,6] (R4's datetime counts by its own day: +4): median
    # (1+2)/2 = 1.5; p90 at 9*0.9 = 8.1: 4 + 0.1 * (6-4) = 4.2.
    # closed [17, 20, 30]: median 20; p90 at 2*0.9 = 1.8: 20 + 0.8 * 10 = 28.
    assert figures.agility == Agility(
        reported_days=Spread(count=10, median=1.5, p90=4.2),
        closed_days=Spread(count=3, median=20, p90=28.0),
    )


# --- root causes ----------------------------------------------------------------------


def test_root_cause_pareto(stats: Stats) -> None:
    # 12 cause mentions; ties (2 and 2) by key.
    assert stats.root_causes == (
        ParetoRow(key="process/no-buffer", category="process",
                  label="No slack between bookings", near_misses=2, failures=2,
                  total=4, share=0.3333, cumulative_share=0.3333),
        ParetoRow(key="communication/no-heads-up", category="communication",
                  label="Customer not told about a change", near_misses=2, failures=1,
                  total=3, share=0.25, cumulative_share=0.5833),
        ParetoRow(key="tools/no-validation", category="tools",
                  label="System accepts input it should reject", near_misses=1, failures=1,
                  total=2, share=0.1667, cumulative_share=0.75),
        ParetoRow(key="tools/stale-board", category="tools",
                  label="Board shows out-of-date status", near_misses=2, failures=0,
                  total=2, share=0.1667, cumulative_share=0.9167),
        ParetoRow(key="people/new-starter", category="people",
                  label="New starter not yet trained on the task", near_misses=1,
                  failures=0, total=1, share=0.0833, cumulative_share=1.0),
    )


def test_categories_count_a_record_once_and_give_the_pyramid(stats: Stats) -> None:
    # R2 names tools/no-validation and tools/stale-board: once for tools. 11 mentions.
    assert stats.categories == (
        CategoryRow(key="process", category="process", label="Process", near_misses=2,
                    failures=2, total=4, share=0.3636, cumulative_share=0.3636,
                    near_misses_per_failure=1.0),
        CategoryRow(key="communication", category="communication", label="Communication",
                    near_misses=2, failures=1, total=3, share=0.2727,
                    cumulative_share=0.6364, near_misses_per_failure=2.0),
        CategoryRow(key="tools", category="tools", label="Tools", near_misses=2,
                    failures=1, total=3, share=0.2727, cumulative_share=0.9091,
                    near_misses_per_failure=2.0),
        CategoryRow(key="people", category="people", label="People", near_misses=1,
                    failures=0, total=1, share=0.0909, cumulative_share=1.0,
                    near_misses_per_failure=None),
    )
    assert stats.category("tools") == stats.categories[2]
    assert stats.category("supplier") is None  # no record names a supplier cause


@pytest.mark.parametrize(("near", "failures", "expected"), [
    (5, 3, 1.67),   # 1.666...: two places, the value every table and page shows
    (2, 3, 0.67),
    (13, 4, 3.25),
    (4, 2, 2.0),
    (0, 3, 0.0),    # failures and no near miss: a real 0, the worst pyramid
    (3, 0, None),   # no failure: nothing to divide by
])
def test_near_misses_per_failure_is_rounded_to_two_places(near: int, failures: int,
                                                          expected: float | None) -> None:
    assert per_failure(near, failures) == expected


def test_without_root_cause(stats: Stats) -> None:
    assert stats.without_root_cause == 3  # R5 R7 R11


# --- warning signs --------------------------------------------------------------------


def test_warning_signs_exactly(stats: Stats) -> None:
    assert stats.warning_signs == (
        # R6 has no-buffer too but came after R3: not a warning for R3.
        WarningSign(failure=R3, cause="process/no-buffer", near_misses=(R1,)),
        WarningSign(failure=R4, cause="tools/no-validation", near_misses=(R2,)),
        # R9 has no-heads-up on the same day as R10: not earlier, so not a warning.
        WarningSign(failure=R10, cause="communication/no-heads-up", near_misses=(R8,)),
        WarningSign(failure=R10, cause="process/no-buffer", near_misses=(R1, R6)),
    )


def test_warning_signs_look_back_before_the_period(records: list[Record],
                                                   taxonomy: Taxonomy) -> None:
    stats = compute(records, taxonomy, AS_OF, since=date(2026, 3, 1))
    assert stats.warning_signs == (
        WarningSign(failure=R10, cause="communication/no-heads-up", near_misses=(R8,)),
        WarningSign(failure=R10, cause="process/no-buffer", near_misses=(R1, R6)),
    )


def test_warning_signs_need_failures_of_the_period(records: list[Record],
                                                   taxonomy: Taxonomy) -> None:
    # Up to 2026-01-19 there is no failure: R1's cause foreshadows nothing yet.
    stats = compute(records, taxonomy, AS_OF, until=date(2026, 1, 19))
    assert stats.warning_signs == ()


# --- breakdowns -----------------------------------------------------------------------


def test_by_team(stats: Stats) -> None:
    rows = stats.by_team
    # desk and field have 4 each: key order; billing 3.
    assert [(r.key, r.label, r.summary.records) for r in rows] == [
        ("desk", "Support desk", 4), ("field", "Field service", 4), ("billing", "Billing", 3)]
    desk, field, billing = rows
    # desk: R5 R8 R9 R11
    assert desk == BreakdownRow(key="desk", label="Support desk", summary=Summary(
        records=4, near_misses=3, failures=1, prevention_ratio=0.75,
        saves=saves(barrier=1, person=1, customer=1),
        saves_by_design=0.3333,
        actions=ActionCounts(open=1, overdue=0, done=1, dropped=0,
                             by_strength=strengths(0, 1, 0, 1)),  # R8, R9 untyped
        # eligible R8 R9, days [4, 18]: median 11; p90 4 + 0.9 * 14 = 16.6
        loop_closure=LoopClosure(eligible=2, followed_up=2, ratio=1.0,
                                 days=Spread(count=2, median=11.0, p90=16.6)),
        # reported [0, 0, 2]: p90 at 1.8: 0 + 0.8 * 2 = 1.6; closed [17]
        agility=Agility(reported_days=Spread(count=3, median=0, p90=1.6),
                        closed_days=Spread(count=1, median=17, p90=17)),
    ))
    # field: R1 R3 R6 R10
    assert field == BreakdownRow(key="field", label="Field service", summary=Summary(
        records=4, near_misses=2, failures=2, prevention_ratio=0.5,
        saves=saves(barrier=1, luck=1),
        saves_by_design=0.5,
        actions=ActionCounts(open=1, overdue=1, done=2, dropped=1,
                             by_strength=strengths(0, 2, 0, 1)),  # R1 R10, R3 untyped
        # days [21, 31]: median 26, p90 21 + 0.9 * 10 = 30
        loop_closure=LoopClosure(eligible=4, followed_up=2, ratio=0.5,
                                 days=Spread(count=2, median=26.0, p90=30.0)),
        # reported [0, 1, 1, 2]: median 1; p90 at 2.7: 1 + 0.7 = 1.7; closed [20, 30]
        agility=Agility(reported_days=Spread(count=4, median=1.0, p90=1.7),
                        closed_days=Spread(count=2, median=25.0, p90=29.0)),
    ))
    # billing: R2 R4 R7
    assert billing == BreakdownRow(key="billing", label="Billing", summary=Summary(
        records=3, near_misses=2, failures=1, prevention_ratio=0.6667,
        saves=saves(person=1, unspecified=1),
        saves_by_design=0.0,
        actions=ActionCounts(open=3, overdue=2, done=1, dropped=0,
                             by_strength=strengths(3, 0, 1, 0)),  # R2 R2 R4, R2
        loop_closure=LoopClosure(eligible=2, followed_up=1, ratio=0.5,
                                 days=Spread(count=1, median=20, p90=20)),
        # reported [2, 4, 6]: p90 at 1.8: 4 + 0.8 * 2 = 5.6
        agility=Agility(reported_days=Spread(count=3, median=4, p90=5.6),
                        closed_days=NO_DAYS),
    ))


def test_by_touchpoint_with_not_given_group(stats: Stats) -> None:
    rows = stats.by_touchpoint
    assert [(r.key, r.label, r.summary.records, r.summary.near_misses, r.summary.failures,
             r.summary.prevention_ratio) for r in rows] == [
        ("phone", "Phone", 4, 3, 1, 0.75),        # R2 R5 R8 R11
        ("visit", "Home visit", 4, 2, 2, 0.5),    # R1 R3 R6 R10
        (None, "Not given", 3, 2, 1, 0.6667),     # R4 R7 R9
    ]
    not_given = rows[2].summary
    assert not_given.saves == replace(NO_SAVES, person=1, unspecified=1)
    assert not_given.actions == ActionCounts(open=2, overdue=1, done=0, dropped=0,
                                             by_strength=strengths(1, 0, 0, 1))  # R4, R9
    assert not_given.loop_closure == LoopClosure(eligible=2, followed_up=1, ratio=0.5,
                                                 days=Spread(count=1, median=4, p90=4))
    assert rows[0].summary.actions == ActionCounts(open=2, overdue=1, done=2, dropped=0,
                                                   by_strength=strengths(2, 1, 1, 0))


def test_by_promise_with_not_given_group(stats: Stats) -> None:
    rows = stats.by_promise
    assert [(r.key, r.label, r.summary.records, r.summary.near_misses, r.summary.failures,
             r.summary.prevention_ratio) for r in rows] == [
        ("on-time", "On time", 6, 4, 2, 0.6667),                # R1 R3 R6 R8 R9 R10
        ("no-surprise", "No surprise charges", 3, 2, 1, 0.6667),  # R2 R4 R7
        (None, "Not given", 2, 1, 1, 0.5),                       # R5 R11
    ]
    on_time, _, not_given = (r.summary for r in rows)
    assert on_time.saves == saves(barrier=2, person=1, luck=1)
    assert on_time.saves_by_design == 0.5
    # follow-up days [4, 18, 21, 31]: median 19.5; p90 at 2.7: 21 + 0.7 * 10 = 28
    assert on_time.loop_closure == LoopClosure(eligible=6, followed_up=4, ratio=0.6667,
                                               days=Spread(count=4, median=19.5, p90=28.0))
    # R5 is open (its follow-up does not count), R11 open: nothing eligible.
    assert not_given.loop_closure == LoopClosure(eligible=0, followed_up=0, ratio=None,
                                                 days=NO_DAYS)
    assert not_given.actions == NO_ACTIONS
    assert not_given.agility == Agility(reported_days=Spread(count=1, median=0, p90=0),
                                        closed_days=NO_DAYS)


def test_by_month(stats: Stats) -> None:
    rows = stats.by_month
    assert [(r.key, r.label, r.summary.records, r.summary.near_misses, r.summary.failures,
             r.summary.prevention_ratio, r.summary.saves_by_design) for r in rows] == [
        ("2026-01", "2026-01", 3, 2, 1, 0.6667, 0.5),   # R1 R2 R3
        ("2026-02", "2026-02", 4, 3, 1, 0.75, 0.0),     # R4 R5 R6 R7
        # R11 occurred 2026-03-31T23:30-05:00: March by its own day, not April (UTC)
        ("2026-03", "2026-03", 4, 2, 2, 0.5, 0.5),      # R8 R9 R10 R11
    ]
    jan, feb, mar = (r.summary for r in rows)
    assert jan.actions == ActionCounts(open=2, overdue=1, done=3, dropped=1,
                                       by_strength=strengths(2, 1, 1, 1))
    assert jan.loop_closure == LoopClosure(eligible=3, followed_up=3, ratio=1.0,
                                           days=Spread(count=3, median=21, p90=29.0))
    # February: two eligible, none followed up: 0.0, not null.
    assert feb.loop_closure == LoopClosure(eligible=2, followed_up=0, ratio=0.0,
                                           days=NO_DAYS)
    assert feb.saves == replace(NO_SAVES, customer=1, luck=1, unspecified=1)
    # reported [0, 2, 4, 6]: median 3; p90 at 2.7: 4 + 0.7 * 2 = 5.4
    assert feb.agility.reported_days == Spread(count=4, median=3.0, p90=5.4)
    assert mar.actions == ActionCounts(open=2, overdue=1, done=1, dropped=0,
                                       by_strength=strengths(0, 2, 0, 1))
    assert mar.loop_closure.ratio == 0.6667


def test_by_month_fills_a_month_without_records_with_zeros(records: list[Record],
                                                          taxonomy: Taxonomy) -> None:
    without_february = [r for r in records if r.day.month != 2]
    rows = compute(without_february, taxonomy, AS_OF).by_month
    assert [(r.key, r.summary.records) for r in rows] == [
        ("2026-01", 3), ("2026-02", 0), ("2026-03", 4)]
    assert rows[1] == BreakdownRow(key="2026-02", label="2026-02", summary=Summary(
        records=0, near_misses=0, failures=0,
        prevention_ratio=None, saves=NO_SAVES, saves_by_design=None,
        actions=NO_ACTIONS,
        loop_closure=LoopClosure(eligible=0, followed_up=0, ratio=None, days=NO_DAYS),
        agility=Agility(reported_days=NO_DAYS, closed_days=NO_DAYS),
    ))


# --- periods --------------------------------------------------------------------------


def test_since_and_until_include_both_ends(records: list[Record],
                                           taxonomy: Taxonomy) -> None:
    # 2026-01-20 (R3) and 2026-03-10 (R9, R10) are the ends: all three are in.
    stats = compute(records, taxonomy, AS_OF, date(2026, 1, 20), date(2026, 3, 10))
    figures = stats.overall
    assert stats.since == date(2026, 1, 20) and stats.until == date(2026, 3, 10)
    assert figures.records == 8        # R3 .. R10
    assert figures.near_misses == 5    # R5 R6 R7 R8 R9
    assert figures.failures == 3       # R3 R4 R10
    assert figures.prevention_ratio == 0.625
    assert stats.without_root_cause == 2  # R5 R7
    assert [(r.key, r.summary.records) for r in stats.by_month] == [
        ("2026-01", 1), ("2026-02", 4), ("2026-03", 3)]
    # R1 (before the period) still foreshadows R3 and R10.
    assert [(w.failure, w.cause, w.near_misses) for w in stats.warning_signs] \
        == [(R3, "process/no-buffer", (R1,)), (R4, "tools/no-validation", (R2,)),
            (R10, "communication/no-heads-up", (R8,)), (R10, "process/no-buffer", (R1, R6))]


def test_one_day_after_the_ends_excludes_them(records: list[Record],
                                              taxonomy: Taxonomy) -> None:
    stats = compute(records, taxonomy, AS_OF, date(2026, 1, 21), date(2026, 3, 9))
    assert stats.overall.records == 5  # R4 R5 R6 R7 R8


def test_datetime_at_the_end_of_a_month_counts_by_its_own_day(
        records: list[Record], taxonomy: Taxonomy) -> None:
    # R11 occurred 2026-03-31T23:30-05:00 (2026-04-01 in UTC).
    march = compute(records, taxonomy, AS_OF, date(2026, 3, 1), date(2026, 3, 31)).overall
    assert march.records == 4
    assert march.failures == 2
    april = compute(records, taxonomy, AS_OF, date(2026, 4, 1), date(2026, 4, 30)).overall
    assert april.records == 0


def test_by_month_runs_from_since_to_until_with_zeros(records: list[Record],
                                                      taxonomy: Taxonomy) -> None:
    stats = compute(records, taxonomy, AS_OF, date(2025, 12, 15), date(2026, 5, 2))
    assert [(r.key, r.summary.records) for r in stats.by_month] == [
        ("2025-12", 0), ("2026-01", 3), ("2026-02", 4), ("2026-03", 4), ("2026-04", 0),
        ("2026-05", 0)]
    assert stats.by_month[0].summary.prevention_ratio is None


def test_since_only_and_until_only(records: list[Record], taxonomy: Taxonomy) -> None:
    since = compute(records, taxonomy, AS_OF, since=date(2026, 2, 24))
    assert since.overall.records == 5  # R7 R8 R9 R10 R11
    assert [r.key for r in since.by_month] == ["2026-02", "2026-03"]
    until = compute(records, taxonomy, AS_OF, until=date(2026, 1, 12))
    assert until.overall.records == 2  # R1 R2
    assert until.overall.failures == 0
    assert until.overall.prevention_ratio == 1.0
    assert [r.key for r in until.by_month] == ["2026-01"]
    # R1 + R2 = cause mentions stale-board 2, no-validation 1, no-buffer 1 (4)
    assert [(r.key, r.total, r.share, r.cumulative_share)
            for r in until.root_causes] == [
        ("tools/stale-board", 2, 0.5, 0.5), ("process/no-buffer", 1, 0.25, 0.75),
        ("tools/no-validation", 1, 0.25, 1.0)]
    # categories: tools (R1, R2 once each) 2, process 1 (R1): no failures, no pyramid
    assert [(r.key, r.total, r.near_misses_per_failure)
            for r in until.categories] == [("tools", 2, None), ("process", 1, None)]


def test_a_period_without_records_lists_its_months_with_zeros(
        records: list[Record], taxonomy: Taxonomy) -> None:
    # docs/guide/figures.md: by_month runs "from --since to --until, months without records
    # included with zeros" -- also when no record falls in the period.
    stats = compute(records, taxonomy, AS_OF, date(2026, 6, 1), date(2026, 7, 31))
    assert stats.overall.records == 0
    assert [(r.key, r.summary.records) for r in stats.by_month] == [
        ("2026-06", 0), ("2026-07", 0)]


# --- empty sets -----------------------------------------------------------------------


def test_empty_log_gives_nulls_never_a_division_by_zero(taxonomy: Taxonomy) -> None:
    stats = compute([], taxonomy, AS_OF)
    figures = stats.overall
    assert figures.records == 0
    assert figures.near_misses == 0 and figures.failures == 0
    assert figures.prevention_ratio is None
    assert figures.saves == NO_SAVES
    assert figures.saves_by_design is None
    assert figures.actions == NO_ACTIONS
    assert figures.loop_closure == LoopClosure(eligible=0, followed_up=0, ratio=None,
                                               days=NO_DAYS)
    assert figures.agility == Agility(reported_days=NO_DAYS, closed_days=NO_DAYS)
    assert stats.root_causes == () and stats.categories == ()
    assert stats.warning_signs == () and stats.without_root_cause == 0
    assert stats.by_team == () and stats.by_touchpoint == ()
    assert stats.by_promise == () and stats.by_month == ()
    assert stats.kudos == ()
    assert stats.records_by_cause == {} and stats.records_by_tag == {}


def test_only_failures_and_only_open_records(records: list[Record],
                                             taxonomy: Taxonomy) -> None:
    only_r11 = [r for r in records if r.id == R11]  # an open failure, nothing else
    stats = compute(only_r11, taxonomy, AS_OF)
    figures = stats.overall
    assert figures.prevention_ratio == 0.0   # 0 of 1: a real 0%, not null
    assert figures.saves_by_design is None   # no near miss to divide by
    assert figures.loop_closure.ratio is None
    assert figures.agility.reported_days == NO_DAYS
    assert stats.root_causes == () and stats.without_root_cause == 1
    assert [(r.key, r.summary.records) for r in stats.by_month] == [("2026-03", 1)]


def test_action_list_of_nothing(records: list[Record]) -> None:
    assert action_list([], AS_OF) == []
    # before any action is due, nothing is overdue
    assert action_list(records, date(2026, 1, 1), states=("overdue",)) == []


# --- figures the site, the digest and the export read -----------------------------------


def test_kudos_from_public_records_most_thanked_first(stats: Stats) -> None:
    # R1, R2 and R8 thank one person each (ties by name, ignoring case); R9's kudos
    # (Ben Okafor) stays untold: R9 is internal.
    assert stats.kudos == (KudosCount("Ana Lima (support desk)", 1),
                           KudosCount("Priya Shah", 1),
                           KudosCount("Tom Reyes (field technician)", 1))


def test_records_per_cause_category_and_tag(stats: Stats) -> None:
    def ids(records: tuple[Record, ...]) -> list[str]:
        return [r.id for r in records]

    assert ids(stats.records_by_cause["process/no-buffer"]) == [R1, R3, R6, R10]
    # R9 (internal) counts here; R10 and R9 share a day and sort by id
    assert ids(stats.records_by_cause["communication/no-heads-up"]) == [R8, R10, R9]
    assert set(stats.records_by_cause) == {r.key for r in stats.root_causes}
    assert ids(stats.records_by_category["tools"]) == [R1, R2, R4]  # R2 once
    assert {k: len(v) for k, v in stats.records_by_category.items()} == {
        "tools": 3, "process": 4, "people": 1, "communication": 3}
    assert {k: ids(v) for k, v in stats.records_by_tag.items()} == {"scheduling": [R1]}


def test_stronger_share_of_failures_actions(stats: Stats) -> None:
    # failures R3 R4 R10 R11, actions not dropped: R3 untyped, R4 stronger, R10
    # intermediate (R3's dropped forcing function counts nowhere)
    s = stats.stronger_actions
    assert s.overall == StrongerShare(stronger=1, typed=2, untyped=1, share=0.5)
    assert [(r.key, r.failures) for r in s.by_category] == [
        ("process", StrongerShare(0, 1, 1, 0.0)),  # R3 untyped, R10 intermediate
        ("communication", StrongerShare(0, 1, 0, 0.0)),  # R10
        ("tools", StrongerShare(1, 1, 0, 1.0)),  # R4
        ("people", StrongerShare(0, 0, 0, None)),  # R6, a near miss without actions
    ]
    # every action of the category's records, near misses too: R1 R3 R10; R8 R9 R10;
    # R1 R2 R4; R6
    assert [r.actions for r in s.by_category] == [
        strengths(0, 2, 0, 1), strengths(0, 2, 0, 1), strengths(3, 1, 1, 0), NO_STRENGTH]
    assert [(r.key, r.label, r.failures) for r in s.by_team] == [
        ("desk", "Support desk", StrongerShare(0, 0, 0, None)),  # R11 has no action
        ("field", "Field service", StrongerShare(0, 1, 1, 0.0)),  # R3 R10
        ("billing", "Billing", StrongerShare(1, 1, 0, 1.0)),  # R4
    ]
    # R2 names tools/stale-board and tools/no-validation: counted under each cause, once
    # under the category
    assert stats.strength("tools/stale-board") == StrengthRow(
        "tools/stale-board", "Board shows out-of-date status", StrongerShare(0, 0, 0, None),
        strengths(2, 1, 1, 0))
    assert stats.strength("tools") == s.by_category[2]
    assert stats.strength("process/missing-check") is None  # no record names it


def test_stronger_actions_json(stats: Stats) -> None:
    out = stats.as_dict()
    assert out["actions"]["by_strength"] == {"stronger": 3, "intermediate": 3, "weaker": 1,
                                             "untyped": 2}
    assert out["stronger_actions"]["share"] == 0.5
    assert out["stronger_actions"]["by_team"][2] == {
        "key": "billing", "label": "Billing", "stronger": 1, "typed": 1, "untyped": 0,
        "share": 1.0, "by_strength": {"stronger": 3, "intermediate": 0, "weaker": 1,
                                      "untyped": 0}}
    assert out["stronger_actions"]["by_category"][3]["share"] is None
    assert out["by_team"][2]["actions"]["by_strength"]["stronger"] == 3


def test_action_rows_carry_type_and_strength(records: list[Record]) -> None:
    rows = action_list(records, AS_OF, states=("overdue", "open", "done", "dropped"))
    assert {(r.record, r.type, r.strength) for r in rows if r.state == "overdue"} == {
        (R4, "forcing-function", "stronger"), (R2, "forcing-function", "stronger"),
        (R10, "software-enhancement", "intermediate")}
    assert [(r.type, r.strength) for r in rows if r.record == R3] == [
        (None, None), ("forcing-function", "stronger")]  # done untyped, then the dropped


def test_action_counts_per_record_and_of_a_list(records: list[Record]) -> None:
    r2 = next(r for r in records if r.id == R2)
    # R2: due 03-15 (overdue as of 04-01), due 04-30 (open), done on 03-06
    assert action_counts(r2.actions, AS_OF) == ActionCounts(
        open=2, overdue=1, done=1, dropped=0, by_strength=strengths(2, 0, 1, 0))
    # listed: R4 and R2 (stronger), R10 (intermediate), R9 (untyped), R2 (weaker)
    assert listed_counts(action_list(records, AS_OF)) == ActionCounts(
        open=5, overdue=3, done=0, dropped=0, by_strength=strengths(2, 1, 1, 1))
    assert listed_counts([]) == NO_ACTIONS


@pytest.mark.parametrize(("month", "expected"), [
    (Period(date(2026, 3, 1), date(2026, 3, 31)), [R2, R8]),  # done 03-06 and 03-15
    (Period(date(2026, 2, 1), date(2026, 2, 28)), [R3]),      # done 02-10
    (Period(date(2026, 1, 1), date(2026, 1, 31)), [R1]),      # done 01-20
    (Period(date(2026, 4, 1), date(2026, 4, 30)), []),
])
def test_completed_actions_of_a_period(records: list[Record], month: Period,
                                       expected: list[str]) -> None:
    rows = completed_actions(records, month)
    assert [r.record for r in rows] == expected
    assert all(r.state == "done" for r in rows)


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_period_of_a_month(text: str, first: date, last: date) -> None:
    assert Period.month(text) == Period(first, last)
    assert Period.month(text).key == text


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "2026-00", "March", "2026-03-01", ""])
def test_period_of_a_bad_month(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month like 2026-03"):
        Period.month(text)


def test_previous_month_and_quarter_cross_the_year() -> None:
    assert Period.month("2026-01").previous_month() == Period(date(2025, 12, 1),
                                                               date(2025, 12, 31))
    assert Period.month("2026-03").previous_month() == Period(date(2026, 2, 1),
                                                               date(2026, 2, 28))
    assert Period.quarter_of(date(2026, 11, 22)) == Period(date(2026, 10, 1),
                                                            date(2026, 12, 31))
    assert Period.quarter_of(date(2026, 11, 22)).previous_quarter() == Period(
        date(2026, 7, 1), date(2026, 9, 30))
    assert Period.quarter_of(date(2026, 2, 14)).previous_quarter() == Period(
        date(2025, 10, 1), date(2025, 12, 31))
    assert Period.year_to(date(2026, 4, 1)) == Period(date(2026, 1, 1), date(2026, 4, 1))


@pytest.mark.parametrize(("change", "delta", "direction"), [
    (Change(0.5, 0.75, share=True), -0.25, "down"),
    (Change(0.6366, 0.6364, share=True), 0.0002, "steady"),   # shows as 0.0 points
    (Change(0.6364, 0.6368, share=True), -0.0004, "steady"),
    (Change(0.6369, 0.6364, share=True), 0.0005, "up"),       # shows as 0.1 points
    (Change(3, 3), 0, "steady"),
    (Change(2, 3), -1, "down"),
    (Change(0.0, None, share=True), None, None),
    (Change(None, None), None, None),
])
def test_one_threshold_for_every_change(change: Change, delta: float | None,
                                        direction: str | None) -> None:
    assert change.delta == delta
    assert change.direction == direction


def test_trend_compares_two_periods(records: list[Record]) -> None:
    march, february = Period.month("2026-03"), Period.month("2026-02")
    versus = trend(records, AS_OF, march, february)
    # March: R8 R9 near misses, R10 R11 failures; February: R5 R6 R7 near, R4 failure
    assert (versus.near_misses.now, versus.near_misses.before) == (2, 3)
    assert (versus.failures.now, versus.failures.before) == (2, 1)
    assert versus.prevention_ratio == Change(0.5, 0.75, share=True)
    assert versus.saves_by_design == Change(0.5, 0.0, share=True)
