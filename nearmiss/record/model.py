"""The record model and the declarative tables the checker, docs, schema and ``new`` share.

One table (``FIELDS``) says what every field is; the lifecycle tables (``KIND_RULES``,
``STATUS_RULES``, ``ACTION_NEEDS``) say what each kind and status requires; the date
formats are written once (``DATE_RE``, ``DATETIME_RE`` and their parts). The rules read
them to validate, and the JSON Schema, the questions of ``nearmiss new`` and the field
reference are generated from them, so they cannot drift apart.
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

SEVERITIES = ("low", "medium", "high", "critical")
CAUGHT_HOW = ("barrier", "person", "customer", "luck")
CAUGHT_HOW_WORDS = {"barrier": "a designed check (barrier)", "person": "someone's attention",
                    "customer": "the customer telling us", "luck": "luck"}
VISIBILITIES = ("public", "internal")


# --- the lifecycle: what each kind and each status requires -------------------------------
# Declared once, as data: the checker's kind and status rules (``rules``), the JSON
# Schema's if/then (``authoring.schema``) and what ``nearmiss new`` asks and requires are
# all made from these tables.


@dataclass(frozen=True)
class Need:
    """A field a kind or a status requires.

    ``about`` says what it holds, in the message (``a near miss needs 'caught_by': how it
    was caught``); ``hint`` is the problem's hint, the field's description when None.
    ``instead`` names a field that will do in its place (``no_action`` for ``actions``);
    giving both is an error. ``at_least_one`` names one item of a list that an empty list
    does not satisfy ("action")."""

    field: str
    about: str = ""
    hint: str | None = None
    instead: str = ""
    at_least_one: str = ""


@dataclass(frozen=True)
class KindRule:
    """What a record of one kind must have, and the fields only the other kinds may have."""

    name: str
    a: str  # the kind in a sentence: "a near miss"
    plural: str  # "near misses"
    needs: tuple[Need, ...] = ()
    forbids: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusRule:
    """What a status adds to the one before it: each status needs its own ``needs`` and
    those of every earlier status ("from reviewed on")."""

    name: str
    a: str  # the status in a sentence: "a reviewed record"
    needs: tuple[Need, ...] = ()
    actions_finished: bool = False  # from this status on, every action is done or dropped
    dated_by: str = ""  # the field dating this status; given earlier, it is a warning


KIND_RULES: dict[str, KindRule] = {k.name: k for k in (
    KindRule("near-miss", "a near miss", "near misses", needs=(
        Need("caught_by", "how it was caught",
             hint="tell the save: who or what noticed, and how"),
    )),
    KindRule("failure", "a failure", "failures", needs=(
        Need("customer_impact", "what the customer experienced",
             hint="tell it from the customer's side: what they saw, waited for or had to do"),
    ), forbids=("caught_how",)),
)}

# In lifecycle order: a record moves from the first status to the last.
STATUS_RULES: dict[str, StatusRule] = {s.name: s for s in (
    StatusRule("open", "an open record"),  # just reported: only the always-required fields
    StatusRule("reviewed", "a reviewed record", needs=(
        Need("root_causes", hint="list category/cause keys from _taxonomy.yaml"),
        Need("actions", "saying why none", instead="no_action", at_least_one="action",
             hint="list what will be done, or say in 'no_action' why nothing is needed"),
    )),
    StatusRule("closed", "a closed record", needs=(Need("closed"), Need("follow_up")),
               actions_finished=True, dated_by="closed"),
)}

# An action's status: what each requires, and which count as finished.
ACTION_NEEDS: dict[str, tuple[Need, ...]] = {
    "open": (),
    "done": (Need("done_on", hint="add the date it was done: done_on: YYYY-MM-DD"),),
    "dropped": (Need("reason", hint="say why it was dropped in 'reason'"),),
}
ACTION_FINISHED = ("done", "dropped")

# The order a new record is told in, as ``nearmiss new`` asks: the kind first, since it
# decides what else is needed; the story before how bad it was. Fields a kind or status
# needs that are not listed here are asked after these, in the order of ``FIELDS``.
REPORT_ORDER = ("kind", "title", "occurred", "team", "what_happened", "caught_by",
                "caught_how", "customer_impact", "severity")

KINDS = tuple(KIND_RULES)
STATUSES = tuple(STATUS_RULES)
ACTION_STATUSES = tuple(ACTION_NEEDS)


def status_rules(status: str | None) -> tuple[StatusRule, ...]:
    """The rules a record of this status follows: its own and every earlier status's
    (none for a status that is not one of the lifecycle)."""
    if status not in STATUS_RULES:
        return ()
    rules = tuple(STATUS_RULES.values())
    return rules[: list(STATUS_RULES).index(status) + 1]


def alternatives() -> list[tuple[str, str]]:
    """Pairs of fields where the second does in place of the first (``actions`` and
    ``no_action``): a record never has both, whatever its status."""
    return list(dict.fromkeys((need.field, need.instead) for stage in STATUS_RULES.values()
                              for need in stage.needs if need.instead))


def only_for(field_name: str) -> tuple[str, ...]:
    """The kinds that may have a field some kind forbids (``caught_how``: near-miss)."""
    return tuple(k for k, rule in KIND_RULES.items() if field_name not in rule.forbids)


# --- dates ------------------------------------------------------------------------------
# The contract: an ISO date, or an ISO datetime with a UTC offset. In parts every regex
# engine reads alike, so the checker's regexes and the JSON Schema's pattern are made
# from the same text.
DAY_FORMAT = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
TIME_FORMAT = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
OFFSET_FORMAT = r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])"
DATE_SEPARATOR = "[Tt ]"
DATE_RE = re.compile(f"^{DAY_FORMAT}\\Z")
# the offset optional, so a time without one can be told apart from what is no date
DATETIME_RE = re.compile(
    f"^{DAY_FORMAT}{DATE_SEPARATOR}{TIME_FORMAT}(?P<offset>{OFFSET_FORMAT})?\\Z")


@dataclass(frozen=True)
class Spec:
    """What one field holds. ``type`` is one of: text, markdown, date, choice, team,
    touchpoint, promise, action_type, texts, causes, ids, tags, actions, follow_up,
    mapping."""

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
    Spec("type", "action_type", "What kind of action it is, which says how strongly it "
         "prevents a repeat: a key of `action_types` in the taxonomy."),
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
    type: str | None = None  # a key of the taxonomy's action_types
    # the type's strength (taxonomy.STRENGTHS), looked up once by the check: the taxonomy
    # is part of what a checked record is valid for, as its cache knows
    strength: str | None = None


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
