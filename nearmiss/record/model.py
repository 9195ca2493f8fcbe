"""The record model and the declarative field table the checker, docs and schema share.

One table (``FIELDS``) says what every field is; the rules read it to validate, and later
the JSON Schema and the field reference are generated from it, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

Day = date | datetime  # a date, or a datetime with a UTC offset

# \Z, not $: '$' also matches before a trailing line break ("scheduling\n").
ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(-[a-z0-9]+)*\Z")
TAG_RE = re.compile(r"^[a-z0-9-]+\Z")

KINDS = ("near-miss", "failure")
STATUSES = ("open", "reviewed", "closed")
SEVERITIES = ("low", "medium", "high", "critical")
CAUGHT_HOW = ("barrier", "person", "customer", "luck")
CAUGHT_HOW_WORDS = {"barrier": "a designed check (barrier)", "person": "someone's attention",
                    "customer": "the customer telling us", "luck": "luck"}
VISIBILITIES = ("public", "internal")
ACTION_STATUSES = ("open", "done", "dropped")


@dataclass(frozen=True)
class Spec:
    """What one field holds. ``type`` is one of: text, markdown, date, choice, team,
    touchpoint, promise, texts, causes, ids, tags, actions, follow_up, mapping."""

    name: str
    type: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 0


FIELDS: dict[str, Spec] = {s.name: s for s in (
    Spec("title", "text", "What nearly happened, or what happened, in one line.", True,
         max_length=120),
    Spec("kind", "choice", "near-miss: caught before the customer felt it; failure: it "
         "reached the customer.", True, KINDS),
    Spec("status", "choice", "Where the learning stands: open, reviewed or closed.", True,
         STATUSES),
    Spec("occurred", "date", "When it happened (ISO date, or datetime with UTC offset).", True),
    Spec("reported", "date", "When it was recorded; not before it occurred."),
    Spec("team", "team", "Whose work it was in: a key of `teams` in the taxonomy.", True),
    Spec("touchpoint", "touchpoint", "Where the customer meets it: a key of `touchpoints`."),
    Spec("promise", "promise", "The promise or expectation at stake: a key of `promises`."),
    Spec("severity", "choice", "How bad it was, or for a near miss how bad it would have "
         "been.", True, SEVERITIES),
    Spec("what_happened", "markdown", "The story, told blamelessly.", True),
    Spec("caught_by", "markdown", "How it was caught: the save. Required for a near miss."),
    Spec("caught_how", "choice", "barrier, person, customer or luck (near misses only).",
         choices=CAUGHT_HOW),
    Spec("customer_impact", "markdown", "What the customer experienced. Required for a "
         "failure."),
    Spec("root_causes", "causes", "Why: `category/cause` keys of the taxonomy. Required "
         "from reviewed on."),
    Spec("whys", "texts", "A 5-whys chain from symptom to cause, in order."),
    Spec("lessons", "markdown", "What we learned."),
    Spec("actions", "actions", "What we do so it cannot happen again. Required from "
         "reviewed on, unless no_action says why none is needed."),
    Spec("no_action", "text", "Why no action is needed (instead of actions)."),
    Spec("closed", "date", "When the learning was closed. Required when closed."),
    Spec("follow_up", "follow_up", "When and how the customer or reporter was told what "
         "changed. Required when closed."),
    Spec("reported_by", "text", "Who raised it; `anonymous` is fine."),
    Spec("kudos", "texts", "People or teams to thank for the save."),
    Spec("related", "ids", "Ids of earlier records with the same story."),
    Spec("tags", "tags", "Free labels: lower-case letters, digits and dashes."),
    Spec("visibility", "choice", "public (default) or internal: internal records count in "
         "every figure but get no page.", choices=VISIBILITIES),
    Spec("extra", "mapping", "Anything the organisation adds; never validated, never lost."),
)}

ACTION_FIELDS: dict[str, Spec] = {s.name: s for s in (
    Spec("action", "text", "What will be done.", True),
    Spec("owner", "text", "Who does it: a team key or a person.", True),
    Spec("due", "date", "When it is due.", True),
    Spec("status", "choice", "open, done or dropped.", True, ACTION_STATUSES),
    Spec("done_on", "date", "When it was done. Required when done."),
    Spec("reason", "text", "Why it was dropped. Required when dropped."),
)}

FOLLOW_UP_FIELDS: dict[str, Spec] = {s.name: s for s in (
    Spec("date", "date", "When the loop was closed.", True),
    Spec("how", "text", "How the customer or reporter was told.", True),
)}


def day_of(value: Day) -> date:
    """The calendar day of a date or datetime (in its own offset), for comparisons."""
    return value.date() if isinstance(value, datetime) else value


def before(a: Day, b: Day) -> bool:
    """Whether ``a`` lies before ``b``: two datetimes compare as instants, anything
    involving a plain date compares calendar days (the contract's rule)."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a < b
    return day_of(a) < day_of(b)


@dataclass(frozen=True)
class Action:
    action: str
    owner: str
    due: Day
    status: str
    done_on: Day | None = None
    reason: str | None = None


@dataclass(frozen=True)
class FollowUp:
    date: Day
    how: str


@dataclass(frozen=True)
class Record:
    """A valid record. Only records without errors become one; figures read nothing else."""

    id: str
    path: str
    title: str
    kind: str
    status: str
    occurred: Day
    team: str
    severity: str
    what_happened: str
    reported: Day | None = None
    touchpoint: str | None = None
    promise: str | None = None
    caught_by: str | None = None
    caught_how: str | None = None
    customer_impact: str | None = None
    root_causes: tuple[str, ...] = ()
    whys: tuple[str, ...] = ()
    lessons: str | None = None
    actions: tuple[Action, ...] = ()
    no_action: str | None = None
    closed: Day | None = None
    follow_up: FollowUp | None = None
    reported_by: str | None = None
    kudos: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    visibility: str = "public"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_near_miss(self) -> bool:
        return self.kind == "near-miss"

    @cached_property
    def day(self) -> date:
        """The calendar day it occurred: every figure groups and filters by it."""
        return day_of(self.occurred)
