"""Writing a new record for someone who has never written YAML.

What is asked, in which order, and what must be given come from the model's lifecycle
(``model.KIND_RULES``, ``model.STATUS_RULES``, ``model.REPORT_ORDER``): the always-required
fields, what the kind and the first status need, and the fields only the kind may have.

The text is built by hand, field by field, so it comes out in the canonical order with a
helpful header and every value in the safest form: plain where YAML 1.1 tools read it
back as the same text, double-quoted where they would not, Markdown as a literal block.
Before anything is written, the text is checked as ``nearmiss check`` would check it.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from nearmiss.files import write_atomic
from nearmiss.log.checker import file_tree_problems
from nearmiss.record.model import FIELDS, KIND_RULES, REPORT_ORDER, STATUS_RULES, only_for
from nearmiss.record.problems import Problem
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import Taxonomy

SCHEMA_FILE = ".nearmiss-schema.json"
MARKDOWN = frozenset(name for name, spec in FIELDS.items() if spec.type == "markdown")
_SLUG_WORDS = 8


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by dashes: 'Café refund nearly lost!' ->
    'cafe-refund-nearly-lost'. Never empty."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    return "-".join(words[:_SLUG_WORDS]) or "record"


def scalar(value: str) -> str:
    """A one-line value, plain when a YAML 1.1 reader gets the same string back."""
    if value and "\n" not in value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def block(value: str, indent: str = "  ") -> str:
    """A Markdown field as a literal block, so line breaks and symbols stay as typed."""
    lines = value.strip("\n").splitlines() or [""]
    return "|\n" + "\n".join(indent + line if line.strip() else "" for line in lines)


def record_text(values: Mapping[str, str | list[str]], schema: str | None = None) -> str:
    """The YAML text of a new record, fields in the order of the record format."""
    out = [
        "# A near miss or service failure, recorded for learning (blameless: describe what",
        "# the system made likely, not who slipped). Field reference: docs/guide/fields.md.",
        "# Check it with `nearmiss check`, then commit it and open a pull request.",
    ]
    if schema:
        out.insert(0, f"# yaml-language-server: $schema={schema}")
    for name in FIELDS:
        value = values.get(name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            out.append(f"{name}: [{', '.join(scalar(v) for v in value)}]")
        elif FIELDS[name].type == "date":
            out.append(f"{name}: {value}")
        elif name in MARKDOWN:
            out.append(f"{name}: {block(value)}")
        else:
            out.append(f"{name}: {scalar(value)}")
    return "\n".join(out) + "\n"


def new_record_path(incidents: Path, occurred: date, title: str) -> Path:
    """incidents/YYYY/YYYY-MM-DD-slug.yaml, with -2, -3 … until no file (and no record
    with that id anywhere in the tree) has the name."""
    taken = {p.stem for p in incidents.rglob("*.y*ml")} if incidents.is_dir() else set()
    base = f"{occurred.isoformat()}-{slugify(title)}"
    name, n = base, 1
    while name in taken or (incidents / str(occurred.year) / f"{name}.yaml").exists():
        n += 1
        name = f"{base}-{n}"
    return incidents / str(occurred.year) / f"{name}.yaml"


def schema_reference(record: Path, incidents: Path) -> str:
    """The modeline target: the schema beside the incidents folder, where `nearmiss init`
    puts it (`nearmiss schema --output .nearmiss-schema.json` makes it anew)."""
    schema = incidents.resolve().parent / SCHEMA_FILE
    return os.path.relpath(schema, record.resolve().parent).replace(os.sep, "/")


# --- what `nearmiss new` asks -------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One question for a field: ``choices`` (key -> words) when only those keys will do,
    ``default`` offered for an empty answer, ``required`` when it must be given (with
    --no-input too); ``is_date`` when the answer is a date."""

    field: str
    label: str
    choices: dict[str, str] | None = None
    default: str | None = None
    required: bool = True
    is_date: bool = False


@dataclass(frozen=True)
class _Wording:
    label: str
    words: dict[str, str] | None = None  # for a choice: the words next to each key
    default: str | None = None


# How each question is put; a field without an entry is asked by its name.
_WORDING = {
    "kind": _Wording("Kind", {"near-miss": "caught before the customer felt it",
                              "failure": "it reached the customer"}),
    "title": _Wording("Title (what nearly happened, one line)"),
    "occurred": _Wording("Occurred"),
    "team": _Wording("Team"),
    "what_happened": _Wording("What happened (the story, blameless)"),
    "caught_by": _Wording("How was it caught? (the save)"),
    "caught_how": _Wording("Caught by", {"barrier": "a designed check",
                                         "person": "someone's attention",
                                         "customer": "the customer told us",
                                         "luck": "plain luck"}, "person"),
    "customer_impact": _Wording("What did the customer experience?"),
    "severity": _Wording("Severity (how bad it was, or would have been)",
                         {"low": "an inconvenience", "medium": "a broken promise",
                          "high": "real cost or distress for the customer",
                          "critical": "safety, legal or lasting harm"}, "medium"),
}
_TAXONOMY_TYPES = ("team", "touchpoint", "promise")  # field types whose keys the taxonomy lists
_FILLED = frozenset({"status", "reported"})  # set by new itself, never asked
_TODAY = frozenset({"occurred"})  # asked, but today when not given


def default_kind() -> str:
    """The kind assumed until one is given: the first of the lifecycle."""
    return next(iter(KIND_RULES))


def asked_fields(kind: str) -> list[str]:
    """The fields asked for a new record of this kind, in the order they are asked: the
    always-required ones, what the kind and the first status need, and the optional
    fields only this kind may have (``caught_how`` for a near miss)."""
    first = next(iter(STATUS_RULES.values()))
    rule = KIND_RULES[kind]
    needed = [name for name, spec in FIELDS.items() if spec.required and name not in _FILLED]
    needed += [need.field for need in (*rule.needs, *first.needs)]
    forbidden = {name for other in KIND_RULES.values() for name in other.forbids}
    needed += [name for name in FIELDS if name in forbidden and kind in only_for(name)]
    order = {name: i for i, name in enumerate(dict.fromkeys([*REPORT_ORDER, *FIELDS]))}
    return sorted(dict.fromkeys(needed), key=order.__getitem__)


def required_fields(kind: str) -> list[str]:
    """What a new record of this kind must be given: everything asked, except what is
    today when not given (``occurred``) and what is optional (``caught_how``)."""
    first = next(iter(STATUS_RULES.values()))
    needs = {need.field for need in (*KIND_RULES[kind].needs, *first.needs)}
    return [name for name in asked_fields(kind) if name not in _TODAY
            and (FIELDS[name].required or name in needs)]


def questions(kind: str, taxonomy: Taxonomy, today: date) -> list[Question]:
    """The questions for a new record of this kind, in the order they are asked."""
    required = set(required_fields(kind))
    out = []
    for name in asked_fields(kind):
        spec = FIELDS[name]
        wording = _WORDING.get(name, _Wording(name.replace("_", " ").capitalize()))
        choices = None
        if spec.type in _TAXONOMY_TYPES:
            terms = getattr(taxonomy, spec.type + "s")
            choices = {key: term.label for key, term in terms.items()}
        elif spec.choices:
            words = wording.words or {}
            choices = {key: words.get(key, "") for key in spec.choices}
        default = wording.default
        if name == "kind":
            default = default_kind()
        elif name in _TODAY:
            default = today.isoformat()
        out.append(Question(name, wording.label, choices, default, name in required,
                            spec.type == "date"))
    return out


def ask_missing(values: dict[str, str], taxonomy: Taxonomy, today: date,
                ask: Callable[[Question], str]) -> None:
    """Ask, in order, for every field the record needs and ``values`` lacks. The
    questions after an answer follow from the kind known by then."""
    while True:
        kind = values.get("kind") or default_kind()
        question = next((q for q in questions(kind, taxonomy, today)
                         if q.field not in values), None)
        if question is None:
            return
        values[question.field] = ask(question)


def missing_fields(values: Mapping[str, str]) -> list[str]:
    """The required fields ``values`` lacks: the kind first (it decides the rest), then
    in the order of the record format."""
    kind = values.get("kind") or default_kind()
    order = list(FIELDS)
    missing = [name for name in required_fields(kind) if not values.get(name)]
    return sorted(missing, key=lambda name: (name != "kind", order.index(name)))


def unknown_terms(values: Mapping[str, str], taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """Fields whose value is not a key of the taxonomy (``team``, ``touchpoint``,
    ``promise``), each with a message that lists the keys there are."""
    out = []
    for name, spec in FIELDS.items():
        if spec.type in _TAXONOMY_TYPES and name in values:
            keys = list(getattr(taxonomy, spec.type + "s"))
            if values[name] not in keys:
                out.append((name, f"{values[name]!r} is not one of: {', '.join(keys)}"))
    return out


# --- the record, checked before it is written -----------------------------------------------

@dataclass(frozen=True)
class Draft:
    """A new record's path and text, with what checking the text found."""

    path: Path
    text: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def draft(incidents: Path, taxonomy: Taxonomy, values: Mapping[str, str], *,
          kudos: Sequence[str] = (), today: date) -> Draft:
    """The record the values make: status the first of the lifecycle, reported today,
    occurred today unless given; its path a new one (``new_record_path``). Checked as
    ``nearmiss check`` would check it, the tree-wide rules (dates in the future) included."""
    fields: dict[str, str | list[str]] = dict(values)
    day = date.fromisoformat(values["occurred"]) if values.get("occurred") else today
    fields.update(status=next(iter(STATUS_RULES)), occurred=day.isoformat(),
                  reported=today.isoformat())
    if kudos:
        fields["kudos"] = list(kudos)
    path = new_record_path(incidents, day, str(fields.get("title", "")))
    text = record_text(fields, schema_reference(path, incidents))
    checked = check_record(text.encode(), str(path), taxonomy)
    problems = checked.problems + file_tree_problems(checked, {checked.id: [checked.path]},
                                                     today)
    return Draft(path, text, problems)


def write(record: Draft) -> None:
    """Write the record; FileExistsError when a file of that name appeared meanwhile
    (nothing is ever overwritten)."""
    write_atomic(record.path, record.text)
