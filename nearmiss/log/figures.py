"""Every figure nearmiss reports, computed once, here.

The terminal tables, JSON, CSV, Markdown, the digest, the export and the site all read the
typed figures this module returns, so the same question always gets the same number; they
format, they never count. ``as_dict`` exists only for JSON and CSV output. Definitions are
in docs/guide/figures.md; keep the two in step.
"""

from __future__ import annotations

import bisect
import operator
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from typing import Any, Literal

from nearmiss.log.signals import BASELINE_DAYS, WINDOW_DAYS, Signals, signals
from nearmiss.record.model import CAUGHT_HOW, Action, Record, day_of
from nearmiss.record.taxonomy import STRENGTHS, Taxonomy

ActionState = Literal["open", "overdue", "done", "dropped"]
Direction = Literal["up", "down", "steady"]


def _plain(value: object) -> Any:
    """A figure as JSON-ready values: dataclasses become dicts (in field order), tuples
    lists, dates ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Figure:
    """A figure's JSON and CSV form; renderers read attributes, never this."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self)
        return plain


def ratio(part: int, whole: int) -> float | None:
    """A share rounded for people; None (JSON null) when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The calendar days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @classmethod
    def month(cls, text: str) -> Period:
        """The month 'YYYY-MM'; ValueError for anything else."""
        year, _, mon = text.partition("-")
        try:
            if len(year) != 4 or len(mon) != 2:
                raise ValueError
            return cls.month_of(date(int(year), int(mon), 1))
        except ValueError:
            raise ValueError(f"{text!r} is not a month like 2026-03") from None

    @classmethod
    def month_of(cls, day: date) -> Period:
        first = day.replace(day=1)
        following = (date(first.year + 1, 1, 1) if first.month == 12
                     else date(first.year, first.month + 1, 1))
        return cls(first, following - timedelta(days=1))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        following = (date(first.year + 1, 1, 1) if first.month == 10
                     else date(first.year, first.month + 3, 1))
        return cls(first, following - timedelta(days=1))

    @classmethod
    def year_to(cls, day: date) -> Period:
        """From the first of January to ``day``: the year so far."""
        return cls(date(day.year, 1, 1), day)

    @property
    def key(self) -> str:
        """'YYYY-MM' of the month the period starts in."""
        return month_key(self.first)

    def previous_month(self) -> Period:
        return Period.month_of(self.first - timedelta(days=1))

    def previous_quarter(self) -> Period:
        return Period.quarter_of(self.first - timedelta(days=1))


def month_key(day: date) -> str:
    """'YYYY-MM': how months are keyed in every figure, page and digest."""
    return f"{day.year:04d}-{day.month:02d}"


def in_range(record: Record, since: date | None, until: date | None) -> bool:
    return (since is None or record.day >= since) and (until is None or record.day <= until)


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- the headline figures ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread(_Figure):
    """Count, median and 90th percentile of day counts (None when there are none)."""

    count: int
    median: float | None
    p90: float | None


def spread(days: list[int]) -> Spread:
    """Count, median and 90th percentile (inclusive linear interpolation) of day counts."""
    if not days:
        return Spread(0, None, None)
    p90 = statistics.quantiles(days, n=10, method="inclusive")[8] if len(days) > 1 else days[0]
    return Spread(len(days), round(float(statistics.median(days)), 1), round(float(p90), 1))


@dataclass(frozen=True, slots=True)
class ByStrength(_Figure):
    """Actions that are not dropped, by their type's strength (``STRENGTHS``), and those
    without a type: a dropped action prevents nothing, whatever its kind."""

    stronger: int
    intermediate: int
    weaker: int
    untyped: int

    @classmethod
    def of(cls, actions: Iterable[tuple[str, str | None]]) -> ByStrength:
        """Counted from (state, strength) pairs; None is an action without a type."""
        n = Counter(strength or "untyped" for state, strength in actions
                    if state != "dropped")
        return cls(*(n[key] for key in (*STRENGTHS, "untyped")))

    @property
    def typed(self) -> int:
        return self.stronger + self.intermediate + self.weaker

    def items(self) -> tuple[tuple[str, int], ...]:
        """(strength, count), strongest first and the untyped last."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self))


@dataclass(frozen=True, slots=True)
class ActionCounts(_Figure):
    """Follow-up actions by state; ``open`` includes the ``overdue`` ones."""

    open: int
    overdue: int
    done: int
    dropped: int
    by_strength: ByStrength

    @classmethod
    def of(cls, actions: Iterable[tuple[str, str | None]]) -> ActionCounts:
        """Counted from (state, strength) pairs (see ``action_state``)."""
        pairs = list(actions)
        n = Counter(state for state, _ in pairs)
        return cls(open=n["open"] + n["overdue"], overdue=n["overdue"], done=n["done"],
                   dropped=n["dropped"], by_strength=ByStrength.of(pairs))

    def items(self) -> tuple[tuple[str, int], ...]:
        """(state, count) in the order tables and charts show them."""
        return (("open", self.open), ("overdue", self.overdue), ("done", self.done),
                ("dropped", self.dropped))


@dataclass(frozen=True, slots=True)
class Saves(_Figure):
    """Near misses by how they were caught (``CAUGHT_HOW``), and those that do not say."""

    barrier: int
    person: int
    customer: int
    luck: int
    unspecified: int

    def items(self) -> tuple[tuple[str, int], ...]:
        return tuple((f.name, getattr(self, f.name)) for f in fields(self))


@dataclass(frozen=True, slots=True)
class LoopClosure(_Figure):
    """Reviewed or closed records (``eligible``), those followed up, and the days it took."""

    eligible: int
    followed_up: int
    ratio: float | None
    days: Spread


@dataclass(frozen=True, slots=True)
class Agility(_Figure):
    """Days from occurred to reported, and from occurred to closed."""

    reported_days: Spread
    closed_days: Spread


@dataclass(frozen=True, slots=True)
class Summary(_Figure):
    """The headline figures of any set of records (the whole log, a team, a month)."""

    records: int
    near_misses: int
    failures: int
    prevention_ratio: float | None
    saves: Saves
    saves_by_design: float | None
    actions: ActionCounts
    loop_closure: LoopClosure
    agility: Agility


def action_state(action: Action, as_of: date) -> ActionState:
    """open, overdue, done or dropped; an open action past its due date is overdue."""
    if action.status == "open" and day_of(action.due) < as_of:
        return "overdue"
    if action.status == "done":
        return "done"
    return "dropped" if action.status == "dropped" else "open"


def action_counts(actions: Iterable[Action], as_of: date) -> ActionCounts:
    """The actions of one record or many, by state as of a day."""
    return ActionCounts.of((action_state(a, as_of), a.strength) for a in actions)


def summary(records: list[Record], as_of: date) -> Summary:
    """The headline figures for any set of records (the whole log, a team, a month)."""
    near = [r for r in records if r.is_near_miss]
    saves = Counter(r.caught_how or "unspecified" for r in near)
    eligible = [r for r in records if r.status in ("reviewed", "closed")]
    followed = [r for r in eligible if r.follow_up is not None]
    return Summary(
        records=len(records),
        near_misses=len(near),
        failures=len(records) - len(near),
        prevention_ratio=ratio(len(near), len(records)),
        saves=Saves(**{how: saves.get(how, 0) for how in (*CAUGHT_HOW, "unspecified")}),
        saves_by_design=ratio(saves.get("barrier", 0), len(near)),
        actions=action_counts((a for r in records for a in r.actions), as_of),
        loop_closure=LoopClosure(
            eligible=len(eligible),
            followed_up=len(followed),
            ratio=ratio(len(followed), len(eligible)),
            days=spread([(day_of(r.follow_up.date) - r.day).days
                         for r in followed if r.follow_up is not None]),
        ),
        agility=Agility(
            reported_days=spread([(day_of(r.reported) - r.day).days
                                  for r in records if r.reported is not None]),
            closed_days=spread([(day_of(r.closed) - r.day).days
                                for r in records if r.closed is not None]),
        ),
    )


def period_summary(records: Iterable[Record], as_of: date, since: date | None,
                   until: date | None) -> Summary:
    """The headline figures of a period alone, for comparisons (this quarter against the
    last) that need neither the Pareto nor the breakdowns ``compute`` also builds."""
    return summary([r for r in records if in_range(r, since, until)], as_of)


# --- comparing two periods --------------------------------------------------------------

# A change smaller than this is no change: it would show as 0.0 points. Counts change by
# whole numbers, so for them only an equal count is steady.
STEADY_BELOW = 0.0005


@dataclass(frozen=True, slots=True)
class Change:
    """One figure of a period against the period before."""

    now: float | None
    before: float | None
    share: bool = False  # a share (told in percentage points), not a count

    @property
    def delta(self) -> float | None:
        """now − before, rounded as the figures are (None when either is unknown)."""
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 4)

    @property
    def direction(self) -> Direction | None:
        delta = self.delta
        if delta is None:
            return None
        if abs(delta) < STEADY_BELOW:
            return "steady"
        return "up" if delta > 0 else "down"


@dataclass(frozen=True, slots=True)
class Trend:
    """The headline figures of a period against those of the period before."""

    now: Summary
    before: Summary

    @property
    def near_misses(self) -> Change:
        return Change(self.now.near_misses, self.before.near_misses)

    @property
    def failures(self) -> Change:
        return Change(self.now.failures, self.before.failures)

    @property
    def prevention_ratio(self) -> Change:
        return Change(self.now.prevention_ratio, self.before.prevention_ratio, share=True)

    @property
    def saves_by_design(self) -> Change:
        return Change(self.now.saves_by_design, self.before.saves_by_design, share=True)


def trend(records: Sequence[Record], as_of: date, now: Period, before: Period) -> Trend:
    return Trend(period_summary(records, as_of, now.first, now.last),
                 period_summary(records, as_of, before.first, before.last))


# --- follow-up actions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionRow(_Figure):
    """One follow-up action of one record, as the actions list shows it."""

    record: str
    title: str
    index: int  # its place in the record's actions
    action: str
    owner: str
    due: date
    state: ActionState
    days_overdue: int  # 0 unless overdue
    done_on: date | None
    reason: str | None
    type: str | None  # a key of the taxonomy's action_types; None when untyped
    strength: str | None  # the type's strength (``STRENGTHS``)


_STATE_ORDER = {"overdue": 0, "open": 1, "done": 2, "dropped": 3}


def _action_row(r: Record, i: int, a: Action, as_of: date) -> ActionRow:
    state = action_state(a, as_of)
    due = day_of(a.due)
    return ActionRow(
        record=r.id, title=r.title, index=i, action=a.action, owner=a.owner,
        due=due, state=state,
        days_overdue=(as_of - due).days if state == "overdue" else 0,
        done_on=day_of(a.done_on) if a.done_on else None, reason=a.reason, type=a.type,
        strength=a.strength)


def _action_rows(records: Iterable[Record], as_of: date) -> Iterable[ActionRow]:
    for r in records:
        for i, a in enumerate(r.actions):
            yield _action_row(r, i, a, as_of)


def action_list(records: Iterable[Record], as_of: date, owner: str | None = None,
                states: tuple[str, ...] = ("overdue", "open"), *,
                taxonomy: Taxonomy | None = None) -> list[ActionRow]:
    """Follow-up actions in the given states, oldest overdue first, then by due date.

    ``owner`` matches any part of the owner, ignoring case ("priya" finds
    "Priya Shah (dispatch lead)"); with ``taxonomy``, an owner that is a team key also
    matches by that team's label ("Field service" finds "field-service").
    """
    wanted = (owner or "").casefold()

    def owned(name: str) -> bool:
        team = taxonomy.teams.get(name) if taxonomy else None
        return any(wanted in text.casefold() for text in (name, team.label if team else ""))

    rows = [row for row in _action_rows(records, as_of) if row.state in states
            and (not owner or owned(row.owner))]
    rows.sort(key=lambda x: (_STATE_ORDER[x.state], x.due, x.record, x.index))
    return rows


def listed_counts(rows: Iterable[ActionRow]) -> ActionCounts:
    """The actions of a list by state, counted as every summary counts them."""
    return ActionCounts.of((row.state, row.strength) for row in rows)


def completed_actions(records: Iterable[Record], period: Period) -> list[ActionRow]:
    """Actions done within the period, from records of any period, in the order done."""
    # a done action is done whatever the day it is judged on: the period's end will do.
    # Rows only for those: a digest per month asks this of every record.
    done = [_action_row(r, i, a, period.last) for r in records
            for i, a in enumerate(r.actions) if a.status == "done" and a.done_on
            and period.first <= day_of(a.done_on) <= period.last]
    done.sort(key=lambda x: (x.done_on or x.due, x.record, x.index))
    return done


# --- root causes and warning signs ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParetoRow(_Figure):
    """One root cause (or category) of the Pareto, with its share of all mentions."""

    key: str
    category: str
    label: str
    near_misses: int
    failures: int
    total: int
    share: float | None
    cumulative_share: float | None


@dataclass(frozen=True, slots=True)
class CategoryRow(ParetoRow):
    """A category of the Pareto, with its pyramid: near misses recorded per failure."""

    near_misses_per_failure: float | None  # rounded to 2 places; None without failures


def per_failure(near_misses: int, failures: int) -> float | None:
    """Near misses recorded for every failure, to 2 places; None with no failure."""
    return round(near_misses / failures, 2) if failures else None


def _pareto(counts: dict[str, Counter[str]], label: Callable[[str], str],
            category: Callable[[str], str]) -> list[ParetoRow]:
    grand = sum(sum(c.values()) for c in counts.values())
    rows = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    out, running = [], 0
    for key, c in rows:
        total = c["near-miss"] + c["failure"]
        running += total
        out.append(ParetoRow(
            key=key, category=category(key), label=label(key),
            near_misses=c["near-miss"], failures=c["failure"], total=total,
            share=ratio(total, grand), cumulative_share=ratio(running, grand)))
    return out


PARETO_SHOWN = 12  # causes a Pareto chart names; the rest are told as a count


@dataclass(frozen=True, slots=True)
class ParetoTop(_Figure):
    """The most frequent root causes, and the rest as counts: a Pareto chart names the
    few, since one bar for the many would dwarf them. One cause past the limit is shown
    rather than told as 'one more cause'."""

    shown: tuple[ParetoRow, ...]
    rest: int  # causes not shown
    rest_total: int  # times records name them (a record may name several)
    rest_records: int  # records naming at least one of them
    rest_share: float | None  # of all mentions

    @classmethod
    def of(cls, rows: Sequence[ParetoRow], records: Mapping[str, Sequence[Record]],
           limit: int = PARETO_SHOWN) -> ParetoTop:
        shown = tuple(rows[:limit]) if len(rows) > limit + 1 else tuple(rows)
        rest = rows[len(shown):]
        total = sum(row.total for row in rest)
        ids = {r.id for row in rest for r in records.get(row.key, ())}
        return cls(shown, len(rest), total, len(ids),
                   ratio(total, sum(row.total for row in rows)))


@dataclass(frozen=True, slots=True)
class WarningSign(_Figure):
    """A failure with a root cause that earlier near misses already had."""

    failure: str
    cause: str
    near_misses: tuple[str, ...]  # oldest first


def warning_signs(failures: Iterable[Record], history: list[Record]) -> list[WarningSign]:
    """Failures whose root cause an earlier near miss already had: the lessons missed."""
    # near misses alone, by day and id: the site asks this of every month's failures
    near = sorted((r for r in history if r.kind == "near-miss" and r.root_causes),
                  key=_DAY_AND_ID)
    days: dict[str, list[date]] = defaultdict(list)
    ids: dict[str, list[str]] = defaultdict(list)
    for r in near:
        for cause in r.root_causes:
            days[cause].append(r.day)
            ids[cause].append(r.id)
    signs = []
    for f in sorted(failures, key=_DAY_AND_ID):
        for cause in f.root_causes:
            count = bisect.bisect_left(days.get(cause, []), f.day)  # strictly earlier days
            if count:
                signs.append(WarningSign(f.id, cause, tuple(ids[cause][:count])))
    return signs


_DAY_AND_ID = operator.attrgetter("day", "id")


# --- how strongly the actions prevent a repeat ------------------------------------------


@dataclass(frozen=True, slots=True)
class StrongerShare(_Figure):
    """Of the failures' actions that are not dropped, the typed ones and how many of them
    are ``stronger``: whether what changes after harm is more than a reminder. The untyped
    are counted beside, not in the share, which says nothing of them."""

    stronger: int
    typed: int
    untyped: int
    share: float | None  # stronger ÷ typed; None without a typed action

    @classmethod
    def of(cls, records: Iterable[Record]) -> StrongerShare:
        n = ByStrength.of((a.status, a.strength) for r in records if r.kind == "failure"
                          for a in r.actions)
        return cls(n.stronger, n.typed, n.untyped, ratio(n.stronger, n.typed))


@dataclass(frozen=True, slots=True)
class StrengthRow:
    """One category, cause or team: its failures' ``StrongerShare``, and every action of
    its records (near misses too) by strength."""

    key: str  # 'category', 'category/cause' or a team key
    label: str
    failures: StrongerShare
    actions: ByStrength

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.failures.as_dict(),
                "by_strength": self.actions.as_dict()}


@dataclass(frozen=True, slots=True)
class StrongerActions:
    """The stronger share of the failures' actions, overall and per category, root cause
    and team, in the order the Pareto and the breakdowns list them."""

    overall: StrongerShare
    by_category: tuple[StrengthRow, ...]
    by_cause: tuple[StrengthRow, ...]
    by_team: tuple[StrengthRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**self.overall.as_dict(),
                **{name: [row.as_dict() for row in rows] for name, rows in (
                    ("by_category", self.by_category), ("by_cause", self.by_cause),
                    ("by_team", self.by_team))}}


def strength_row(key: str, label: str, records: Sequence[Record]) -> StrengthRow:
    return StrengthRow(key, label, StrongerShare.of(records),
                       ByStrength.of((a.status, a.strength) for r in records
                                     for a in r.actions))


# --- breakdowns, kudos, and everything together -----------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """The headline figures of one group: a team, touchpoint, promise (key None: the
    records that name none) or month (key and label 'YYYY-MM')."""

    key: str | None
    label: str
    summary: Summary

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.summary.as_dict()}


@dataclass(frozen=True, slots=True)
class KudosCount:
    """Someone thanked in the log, and in how many records."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Excluded(_Figure):
    """A record left out of the figures, and how many errors it has."""

    path: str
    errors: int


@dataclass(frozen=True, slots=True)
class Stats:
    """All figures for one selection of records; ``as_dict`` is the JSON contract.

    ``kudos`` and ``records_by_tag`` come from the public records alone: what only an
    internal record says (who was thanked, how it is tagged) is not told. The record lists
    are in the order the records occurred.
    """

    as_of: date
    since: date | None
    until: date | None
    overall: Summary
    root_causes: tuple[ParetoRow, ...]
    categories: tuple[CategoryRow, ...]
    warning_signs: tuple[WarningSign, ...]
    without_root_cause: int
    by_team: tuple[BreakdownRow, ...]
    by_touchpoint: tuple[BreakdownRow, ...]
    by_promise: tuple[BreakdownRow, ...]
    by_month: tuple[BreakdownRow, ...]
    kudos: tuple[KudosCount, ...]  # most thanked first
    records_by_cause: Mapping[str, tuple[Record, ...]]  # "category/cause" -> records
    records_by_category: Mapping[str, tuple[Record, ...]]
    records_by_tag: Mapping[str, tuple[Record, ...]]
    signals: Signals  # what rose in the window up to as_of, whatever since and until
    stronger_actions: StrongerActions
    excluded: tuple[Excluded, ...] = ()

    @property
    def breakdowns(self) -> dict[str, tuple[BreakdownRow, ...]]:
        """The breakdowns by name, in the order they are shown."""
        return {"team": self.by_team, "touchpoint": self.by_touchpoint,
                "promise": self.by_promise, "month": self.by_month}

    def category(self, key: str) -> CategoryRow | None:
        """The Pareto row of a category; None when no record names a cause in it."""
        return next((row for row in self.categories if row.key == key), None)

    def strength(self, key: str) -> StrengthRow | None:
        """The strength of a category's or a cause's ('category/cause') actions; None when
        no record names it."""
        rows = self.stronger_actions.by_cause if "/" in key else \
            self.stronger_actions.by_category
        return next((row for row in rows if row.key == key), None)

    def pareto_top(self, limit: int = PARETO_SHOWN) -> ParetoTop:
        """The root causes a Pareto chart names, and what the others add up to."""
        return ParetoTop.of(self.root_causes, self.records_by_cause, limit)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            **self.overall.as_dict(),
            "root_causes": [row.as_dict() for row in self.root_causes],
            "categories": [row.as_dict() for row in self.categories],
            "without_root_cause": self.without_root_cause,
            "warning_signs": [sign.as_dict() for sign in self.warning_signs],
            "signals": [signal.as_dict() for signal in self.signals.rising],
            "signals_tested": self.signals.as_dict(),
            "stronger_actions": self.stronger_actions.as_dict(),
            **{f"by_{name}": [row.as_dict() for row in rows]
               for name, rows in self.breakdowns.items()},
            "excluded": [item.as_dict() for item in self.excluded],
        }


def kudos(records: Iterable[Record], label: Callable[[str], str] = str) -> list[KudosCount]:
    """Everyone thanked, with how many records thank them: most first, then by name.

    ``label`` names them as people read them (``Taxonomy.name_label``: a team key becomes
    the team's label), and they are counted by that name, so 'billing' and 'Billing'
    are one team, thanked once per record.
    """
    counts: Counter[str] = Counter(name for r in records
                                   for name in dict.fromkeys(label(k) for k in r.kudos))
    return [KudosCount(name, n) for name, n in
            sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]


def _grouped(records: Iterable[Record], keys: Callable[[Record], Iterable[str]]
             ) -> dict[str, tuple[Record, ...]]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        for key in dict.fromkeys(keys(r)):
            groups[key].append(r)
    return {key: tuple(group) for key, group in groups.items()}


def compute(records: list[Record], taxonomy: Taxonomy, as_of: date,
            since: date | None = None, until: date | None = None,
            excluded: Sequence[Excluded] = (), *, window_days: int = WINDOW_DAYS,
            baseline_days: int = BASELINE_DAYS) -> Stats:
    """Figures for the records that occurred between ``since`` and ``until`` (inclusive).

    Warning signs look back at near misses before the range too: a failure in March is
    foreshadowed by a near miss in January whatever period is being reported. Signals
    always compare the ``window_days`` up to ``as_of`` with the ``baseline_days`` before:
    a rise is news now, whatever period is being reported.
    """
    chosen = sorted((r for r in records if in_range(r, since, until)), key=lambda r: (r.day, r.id))
    public = [r for r in chosen if r.visibility == "public"]
    causes: dict[str, Counter[str]] = defaultdict(Counter)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    for r in chosen:
        for cause in r.root_causes:
            causes[cause][r.kind] += 1
        for cat in dict.fromkeys(c.partition("/")[0] for c in r.root_causes):
            categories[cat][r.kind] += 1
    category_rows = tuple(
        CategoryRow(**{f.name: getattr(row, f.name) for f in fields(row)},
                    near_misses_per_failure=per_failure(row.near_misses, row.failures))
        for row in _pareto(categories, lambda k: _category_label(taxonomy, k), lambda k: k))
    by_team, by_touchpoint, by_promise, by_month = _breakdowns(chosen, taxonomy, as_of,
                                                               since, until)
    by_cause = _grouped(chosen, lambda r: r.root_causes)
    by_category = _grouped(chosen, lambda r: (c.partition("/")[0] for c in r.root_causes))
    teams = _grouped(chosen, lambda r: (r.team,))
    root_causes = tuple(_pareto(causes, taxonomy.cause_label, lambda k: k.partition("/")[0]))
    return Stats(
        as_of=as_of, since=since, until=until,
        overall=summary(chosen, as_of),
        root_causes=root_causes,
        categories=category_rows,
        warning_signs=tuple(warning_signs((r for r in chosen if not r.is_near_miss),
                                          records)),
        without_root_cause=sum(not r.root_causes for r in chosen),
        by_team=by_team, by_touchpoint=by_touchpoint, by_promise=by_promise,
        by_month=by_month,
        kudos=tuple(kudos(public, taxonomy.name_label)),
        records_by_cause=by_cause,
        records_by_category=by_category,
        records_by_tag=_grouped(public, lambda r: r.tags),
        signals=signals(records, taxonomy, as_of, window_days, baseline_days),
        stronger_actions=StrongerActions(
            StrongerShare.of(chosen),
            tuple(strength_row(row.key, row.label, by_category[row.key])
                  for row in category_rows),
            tuple(strength_row(row.key, row.label, by_cause[row.key]) for row in root_causes),
            tuple(strength_row(row.key or "", row.label, teams[row.key or ""])
                  for row in by_team)),
        excluded=tuple(excluded),
    )


def _category_label(taxonomy: Taxonomy, key: str) -> str:
    category = taxonomy.categories.get(key)
    return category.label if category else key


Rows = tuple[BreakdownRow, ...]


def _breakdowns(records: list[Record], taxonomy: Taxonomy, as_of: date, since: date | None,
                until: date | None) -> tuple[Rows, Rows, Rows, Rows]:
    """By team, touchpoint, promise and month."""
    out: list[Rows] = []
    for name, terms in (("team", taxonomy.teams), ("touchpoint", taxonomy.touchpoints),
                        ("promise", taxonomy.promises)):
        groups: dict[str | None, list[Record]] = defaultdict(list)
        for r in records:
            groups[getattr(r, name)].append(r)
        rows = [BreakdownRow(key, terms[key].label if key in terms else "Not given",
                             summary(group, as_of))
                for key, group in groups.items()]
        rows.sort(key=lambda row: (-row.summary.records, row.key is None, row.key or ""))
        out.append(tuple(rows))
    by_month: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_month[month_key(r.day)].append(r)
    first = since or (records[0].day if records else None)
    last = until or (records[-1].day if records else None)
    months = tuple(BreakdownRow(m, m, summary(by_month.get(m, []), as_of))
                   for m in _months(first, last)) if first and last else ()
    return out[0], out[1], out[2], months
