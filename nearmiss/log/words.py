"""How a figure reads: the few formatters every table, digest, chart and page shares.

Only the standard library is imported, so the site and the charts can use these without
pulling in the command line (click).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nearmiss.log.figures import Change
    from nearmiss.log.signals import Signal

DASH = "–"  # a figure there is nothing to compute from (a share of nothing)


def number(value: float | None) -> str:
    """A count or a rounded value as people read it: 3, 1.5, 2 (not 2.0); – for none."""
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def percent(share: float | None) -> str:
    """A share as a percentage with one decimal (0.7308 -> '73.1%'); – for none."""
    return DASH if share is None else f"{share * 100:.1f}%"


def whole_percent(share: float | None) -> str:
    """A share as a whole percentage, half up (0.625 -> '63%'), the same on every machine;
    for chart labels, where a decimal would not fit. 'n/a' for none."""
    value = None if share is None else share * 100
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{math.floor(value + 0.5 + 1e-9)}%"


def points(delta: float) -> str:
    """The size of a change between two shares, in percentage points (0.011 -> '1.1
    points')."""
    return f"{abs(delta) * 100:.1f} points"


def noun(n: int, one: str, many: str | None = None) -> str:
    """The word for ``n`` of a thing: 'record' for 1, 'records' (or ``many``) otherwise."""
    return one if n == 1 else (many if many is not None else one + "s")


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 record', '2 records'; ``many`` for words that do not just add an s."""
    return f"{n} {noun(n, one, many)}"


def joined(items: list[str]) -> str:
    """Names in running text: 'A', 'A and B', 'A, B and C'."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


ARROW = {"up": "▲", "down": "▼"}


def change(c: Change) -> str:
    """A change as a table cell: '▲ 1', '▼ 25.0 points', 'no change', or – when either
    period has no value."""
    if c.direction is None or c.delta is None:
        return DASH
    if c.direction == "steady":
        return "no change"
    return f"{ARROW[c.direction]} {points(c.delta) if c.share else number(abs(c.delta))}"


def trend(c: Change) -> str:
    """A change in running text: '▲ up 1.1 points', 'steady', or 'no trend yet'."""
    if c.direction is None or c.delta is None:
        return "no trend yet"
    if c.direction == "steady":
        return "steady"
    amount = points(c.delta) if c.share else number(abs(c.delta))
    return f"{ARROW[c.direction]} {c.direction} {amount}"


def p_value(p: float) -> str:
    """'p = 0.004'; 'p < 0.001' below that, where more digits would read as certainty."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def rise(signal: Signal, name: str | None = None) -> str:
    """A signal in running text: 'cause process/manual-handoff is up: 7 in the last 90
    days against about 1.9 expected (p = 0.004)'; ``name`` replaces the dimension and
    key (a page gives a link)."""
    days = (signal.window_end - signal.window_start).days + 1
    expected = ("none expected" if signal.expected == 0
                else f"about {number(round(signal.expected, 1))} expected")
    who = name if name is not None else f"{signal.dimension} {signal.key}"
    return (f"{who} is up: {signal.observed} in the last {plural(days, 'day')} against "
            f"{expected} ({p_value(signal.p_value)})")
