"""Writing a new record for someone who has never written YAML.

What is asked, in which order, and what must be given come from the model's lifecycle
(``model.KIND_RULES``, ``model.STATUS_RULES``, ``model.REPORT_ORDER``): the always-required
fields, what the kind and the first status need, and the fields only the kind may have.

The text is built by hand, field by field, so it comes out in the canonical order with a
helpful header and every value in the safest form: plain where YAML 1.1 tools read it
back as the same text, double-quoted where they would not, Markdown as a literal block.
Each answer is checked when it is given, by checking the record the answers so far make
as ``nearmiss check`` would (``check_answer``), so a wrong one can be asked again; before
anything is written, the whole text is checked the same way, with the log's settings.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeAlias

import yaml

from nearmiss.files import write_atomic
from nearmiss.log.checker import discover, display_path, file_tree_problems, load_settings
from nearmiss.record.model import (
    ACTION_FIELDS,
    DATE_RE,
    DATETIME_RE,
    FIELDS,
    FOLLOW_UP_FIELDS,
    KIND_RULES,
    REPORT_ORDER,
    STATUS_RULES,
    only_for,
)
from nearmiss.record.problems import Problem
from nearmiss.record.rules import DEFAULT_SETTINGS, check_record, suggest
from nearmiss.record.settings import Settings
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


def markdown(value: str) -> str:
    """A literal block when it reads back as the text (line end added), else quoted: a
    first line that starts with spaces or lines ending in spaces would not survive one."""
    text = block(value)
    try:
        if yaml.safe_load(f"k: {text}\n") == {"k": value.strip("\n") + "\n"}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _flow_item(value: str) -> str:
    """An item of a ``[a, b]`` list: quoted where a comma or bracket would end it."""
    try:
        if yaml.safe_load(f"k: [{value}]") == {"k": [value]}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


# a value inside actions, follow_up or extra: text, or lists and mappings of it
Nested: TypeAlias = "str | list[Nested] | dict[str, Nested]"
_NESTED_DATES = frozenset(name for table in (ACTION_FIELDS, FOLLOW_UP_FIELDS)
                          for name, spec in table.items() if spec.type == "date")


def _leaf(key: str, value: str) -> str:
    if key in _NESTED_DATES and (DATE_RE.match(value) or DATETIME_RE.match(value)):
        return value  # as the record format shows dates; the checker reads them as text
    return scalar(value)


def _nested(value: Sequence[Nested] | Mapping[str, Nested], indent: str) -> list[str]:
    """The lines of a list or mapping in block style, each text as ``scalar`` writes it."""
    listed = not isinstance(value, Mapping)
    pairs = list(value.items()) if isinstance(value, Mapping) else [("", v) for v in value]
    lines: list[str] = []
    for key, item in pairs:
        lead = f"{indent}- " if listed else f"{indent}{scalar(key)}:"
        if isinstance(item, str):
            lines.append(f"{lead}{'' if listed else ' '}{_leaf(key, item)}")
        elif not item:
            lines.append(f"{lead.rstrip()} {'[]' if isinstance(item, list) else '{}'}")
        elif listed:  # '- ' takes the place of the first line's indent
            inner = _nested(item, indent + "  ")
            lines += [lead + inner[0][len(indent) + 2:], *inner[1:]]
        else:
            lines += [lead, *_nested(item, indent + "  ")]
    return lines


Value: TypeAlias = "str | list[str] | list[dict[str, Nested]] | dict[str, Nested]"


def record_text(values: Mapping[str, Value], schema: str | None = None) -> str:
    """The YAML text of a new record, fields in the order of the record format."""
    out = [
        "# A near miss or service failure, recorded for learning (blameless: describe what",
        "# the system made likely, not who slipped). `nearmiss schema` describes every field.",
        "# Check it with `nearmiss check`, then commit it and open a pull request.",
    ]
    if schema:
        out.insert(0, f"# yaml-language-server: $schema={schema}")
    for name in FIELDS:
        value = values.get(name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, dict) or (isinstance(value, list) and
                                       not all(isinstance(v, str) for v in value)):
            out += [f"{name}:", *_nested(value, "  ")]
        elif isinstance(value, list):
            out.append(f"{name}: [{', '.join(_flow_item(str(v)) for v in value)}]")
        elif FIELDS[name].type == "date":
            out.append(f"{name}: {value}")
        elif name in MARKDOWN:
            out.append(f"{name}: {markdown(value)}")
        else:
            out.append(f"{name}: {scalar(value)}")
    return "\n".join(out) + "\n"


def new_record_path(incidents: Path, occurred: date, title: str,
                    taken: Collection[str] | None = None) -> Path:
    """incidents/YYYY/YYYY-MM-DD-slug.yaml, with -2, -3 … until no file (and no record
    with that id anywhere in the tree, ``taken`` when the caller has listed them) has
    the name."""
    if taken is None:
        taken = existing_records(incidents)
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

class BadAnswer(ValueError):
    """An answer that cannot be recorded; its text says why and how to put it, so the
    question can be asked again."""


@dataclass(frozen=True)
class Question:
    """One question for a field: ``choices`` (key -> words) when only those keys will do
    (``labelled`` when the words are the taxonomy's labels, which are accepted too),
    ``default`` offered for an empty answer, ``required`` when it must be given (with
    --no-input too); ``is_date`` when the answer is a date, ``many`` when it is a list
    (names separated by commas or semicolons). ``noun`` names the answer in a sentence
    ("Edit the story before writing?")."""

    field: str
    label: str
    choices: dict[str, str] | None = None
    default: str | None = None
    required: bool = True
    is_date: bool = False
    many: bool = False
    labelled: bool = False
    noun: str = ""


@dataclass(frozen=True)
class _Wording:
    label: str  # "{choices}" stands for the keys, joined by '/'
    words: dict[str, str] | None = None  # for a choice: the words next to each key
    default: str | None = None
    noun: str = ""  # the answer in a sentence: "the story"
    by_kind: dict[str, str] | None = None  # the label, where a kind puts it otherwise


# How each question is put; a field without an entry is asked by its name. No label ends
# in '?' unless something follows it: the prompt adds ': ' after it.
_WORDING = {
    "kind": _Wording("Kind", {"near-miss": "caught before the customer felt it",
                              "failure": "it reached the customer"}, noun="the kind"),
    "title": _Wording("Title (what nearly happened, one line)", noun="the title",
                      by_kind={"failure": "Title (what happened, one line)"}),
    "occurred": _Wording("Date it happened (DD/MM/YYYY or YYYY-MM-DD)", noun="the date"),
    "team": _Wording("Team (whose work it was in)", noun="the team"),
    "what_happened": _Wording("What happened (the story, blameless)", noun="the story"),
    "caught_by": _Wording("How was it caught? (the save: who or what noticed, and how)",
                          noun="how it was caught"),
    "caught_how": _Wording("Caught by what? {choices}",
                           {"barrier": "a designed check", "person": "someone's attention",
                            "customer": "the customer told us", "luck": "plain luck"},
                           "person", noun="what caught it"),
    "kudos": _Wording("Kudos: who to thank for the save (optional; separate names with "
                      "commas)", noun="the kudos"),
    "customer_impact": _Wording("What did the customer experience? (what they saw, waited "
                                "for or had to do)", noun="the customer impact"),
    "severity": _Wording("Severity (how bad it was, or would have been)",
                         {"low": "an inconvenience", "medium": "a broken promise",
                          "high": "real cost or distress for the customer",
                          "critical": "safety, legal or lasting harm"}, "medium",
                         noun="the severity"),
}
_TAXONOMY_TYPES = ("team", "touchpoint", "promise")  # field types whose keys the taxonomy lists
_LIST_TYPES = ("texts", "ids", "tags")  # answered as names separated by commas or semicolons
_FILLED = frozenset({"status", "reported"})  # set by new itself, never asked
_TODAY = frozenset({"occurred"})  # asked, but today when not given
# Optional fields the lifecycle does not name, asked right after the field they follow
# wherever that one is asked: the thanks after the save (caught_how, a near miss's only).
_ASKED_AFTER = {"kudos": "caught_how"}


def default_kind() -> str:
    """The kind assumed until one is given: the first of the lifecycle."""
    return next(iter(KIND_RULES))


def _ask_order() -> dict[str, int]:
    order = [name for name in dict.fromkeys([*REPORT_ORDER, *FIELDS]) if name not in _ASKED_AFTER]
    for name, after in _ASKED_AFTER.items():
        order.insert(order.index(after) + 1, name)
    return {name: i for i, name in enumerate(order)}


def asked_fields(kind: str) -> list[str]:
    """The fields asked for a new record of this kind, in the order they are asked: the
    always-required ones, what the kind and the first status need, the optional fields
    only this kind may have (``caught_how`` for a near miss), and right after one of
    those the optional field that follows it (``kudos``, after the save)."""
    first = next(iter(STATUS_RULES.values()))
    rule = KIND_RULES[kind]
    needed = [name for name, spec in FIELDS.items() if spec.required and name not in _FILLED]
    needed += [need.field for need in (*rule.needs, *first.needs)]
    forbidden = {name for other in KIND_RULES.values() for name in other.forbids}
    needed += [name for name in FIELDS if name in forbidden and kind in only_for(name)]
    needed += [name for name, after in _ASKED_AFTER.items() if after in needed]
    return sorted(dict.fromkeys(needed), key=_ask_order().__getitem__)


def required_fields(kind: str) -> list[str]:
    """What a new record of this kind must be given: everything asked, except what is
    today when not given (``occurred``) and what is optional (``caught_how``, ``kudos``)."""
    first = next(iter(STATUS_RULES.values()))
    needs = {need.field for need in (*KIND_RULES[kind].needs, *first.needs)}
    return [name for name in asked_fields(kind) if name not in _TODAY
            and (FIELDS[name].required or name in needs)]


def question(name: str, kind: str, taxonomy: Taxonomy, today: date) -> Question:
    """The question for one field of a record of this kind (any field, asked or not)."""
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
    label = (wording.by_kind or {}).get(kind, wording.label)
    label = label.replace("{choices}", "/".join(choices or ()))
    return Question(name, label, choices, default, name in required_fields(kind),
                    spec.type == "date", spec.type in _LIST_TYPES,
                    spec.type in _TAXONOMY_TYPES,
                    wording.noun or "the " + name.replace("_", " "))


def questions(kind: str, taxonomy: Taxonomy, today: date) -> list[Question]:
    """The questions for a new record of this kind, in the order they are asked."""
    return [question(name, kind, taxonomy, today) for name in asked_fields(kind)]


def next_question(values: Mapping[str, str], taxonomy: Taxonomy, today: date,
                  skip: Collection[str] = ()) -> Question | None:
    """The first question for a field ``values`` lacks (``skip`` is given otherwise), as
    the kind known by then has it; None when everything has been asked."""
    kind = values.get("kind") or default_kind()
    return next((q for q in questions(kind, taxonomy, today)
                 if q.field not in values and q.field not in skip), None)


def missing_fields(values: Mapping[str, str]) -> list[str]:
    """The required fields ``values`` lacks: the kind first (it decides the rest), then
    in the order of the record format."""
    kind = values.get("kind") or default_kind()
    order = list(FIELDS)
    missing = [name for name in required_fields(kind) if not values.get(name)]
    return sorted(missing, key=lambda name: (name != "kind", order.index(name)))


# --- reading an answer --------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\Z")
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})\Z")
_DATE_EXAMPLE = "write it like 2026-03-14 or 14/03/2026 (day, month, year)"


def spoken_day(value: str) -> str:
    """'2026-03-14' -> '14 March 2026', to say how a typed date was read."""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _calendar_day(year: int, month: int, day: int, typed: str) -> str:
    if not 1 <= month <= 12:
        raise BadAnswer(f"{typed!r} is not a date: there is no month {month}; "
                        f"{_DATE_EXAMPLE}")
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise BadAnswer(f"{typed!r} is not a date: {_MONTHS[month - 1]} {year} has no day "
                        f"{day}; {_DATE_EXAMPLE}") from None


def parse_day(text: str) -> str:
    """An answer for a date as the record writes it (ISO): 2026-03-14 as it is, a datetime
    with its offset as typed, and day-first dates (14/03/2026, 14.03.2026, 14-03-2026)
    read as day, month, year. BadAnswer, with an example, for anything else."""
    text = text.strip()
    if DATE_RE.match(text) or DATETIME_RE.match(text):
        return text  # the checker has the last word (30 February, a missing offset)
    if match := _YEAR_FIRST.match(text):
        return _calendar_day(int(match[1]), int(match[3]), int(match[4]), text)
    if match := _DAY_FIRST.match(text):
        if len(match[4]) == 2:
            raise BadAnswer(f"{text!r}: write the year in full, e.g. "
                            f"{match[1]}{match[2]}{match[3]}{match[2]}20{match[4]}")
        return _calendar_day(int(match[4]), int(match[3]), int(match[1]), text)
    raise BadAnswer(f"{text!r} is not a date; {_DATE_EXAMPLE}")


def _fold(text: str) -> str:
    """For matching a choice: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "", unicodedata.normalize("NFKC", text).casefold())


def _spaced(text: str) -> str:
    """For a did-you-mean: lower case, hyphens and underscores as spaces."""
    return " ".join(re.sub(r"[_-]+", " ", unicodedata.normalize("NFKC", text).casefold())
                    .split())


def choose(text: str, choices: Mapping[str, str], labelled: bool = False) -> str:
    """The key an answer names: a key or (``labelled``) a label, in any case, with spaces,
    hyphens or underscores as the user likes. BadAnswer with a did-you-mean otherwise."""
    folded = _fold(text)
    names = [(key, key) for key in choices]
    if labelled:
        names += [(label, key) for key, label in choices.items() if label]
    hits = list(dict.fromkeys(key for name, key in names if _fold(name) == folded))
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise BadAnswer(f"{text!r} could be {' or '.join(hits)}; type the key")
    spaced = {_spaced(name): key for name, key in reversed(names)}
    hint = suggest(_spaced(text), list(spaced))
    close = next((spaced[name] for name in spaced if hint.endswith(f"'{name}'?")), None)
    if close is not None:
        label = f" ({choices[close]})" if labelled and choices[close] else ""
        raise BadAnswer(f"{text!r} is not one of the choices; did you mean '{close}'{label}?")
    if len(choices) <= 8:
        raise BadAnswer(f"{text!r} is not one of the choices: {', '.join(choices)}")
    raise BadAnswer(f"{text!r} is not one of the choices listed above")


def split_names(text: str) -> list[str]:
    """'Jonas; Priya, the night shift' -> ['Jonas', 'Priya', 'the night shift']."""
    return [name.strip() for name in re.split(r"[;,]", text) if name.strip()]


def read_answer(q: Question, typed: str) -> str:
    """An answer in the form the record writes: a choice as its key, a date as ISO, names
    joined by '; '; the default for an empty answer. BadAnswer when it cannot be one;
    whether the checker accepts it is ``check_answer``'s to say."""
    text = typed.strip()
    if not text and q.default:
        text = q.default
    if q.many:
        text = "; ".join(split_names(text))
    if not text:
        if q.required:
            raise BadAnswer(f"{q.noun} cannot be left empty")
        return ""
    if q.choices is not None:
        return choose(text, q.choices, q.labelled)
    if q.is_date:
        return parse_day(text)
    return text


def _about(problem: Problem) -> str:
    return problem.message + (f"; {problem.hint}" if problem.hint else "")


@dataclass(frozen=True)
class Log:
    """What answers are checked against: the folder of records, its taxonomy and
    settings, and today."""

    incidents: Path
    taxonomy: Taxonomy
    settings: Settings
    today: date
    # the records already in the tree, by id: listed once per session, since every typed
    # answer is checked against them
    records: Mapping[str, list[Path]] = field(default_factory=dict)


def check_answer(q: Question, typed: str, values: Mapping[str, str], log: Log) -> str:
    """``read_answer``, then the record the answers so far make, checked as ``nearmiss
    check`` checks it: an error about this field (too long a title, a date in the future)
    is a BadAnswer. Warnings are left for the whole draft."""
    value = read_answer(q, typed)
    if not value:
        return value
    record = draft(log.incidents, log.taxonomy, {**values, q.field: value}, today=log.today,
                   settings=log.settings, records=log.records)
    here = [p for p in record.problems if p.is_error and _field_of(p) == q.field]
    if here:
        raise BadAnswer(_about(here[0]))
    return value


# --- the record, checked before it is written -----------------------------------------------

@dataclass(frozen=True)
class Existing:
    """A record already in the tree under the name a new one would have had."""

    id: str
    path: Path
    title: str


@dataclass(frozen=True)
class Draft:
    """A new record's path and text, with what checking the text found, and the records
    whose name it would have had (``same_name``: it gets -2, -3 … instead)."""

    path: Path
    text: str
    problems: list[Problem]
    same_name: tuple[Existing, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def _field_of(problem: Problem) -> str:
    """The top-level field a problem is about ('/kudos/0' -> 'kudos'), or ''."""
    return problem.field.split("/")[1] if problem.field.startswith("/") else ""


def flagged(record: Draft) -> list[str]:
    """The fields the draft's warnings are about, in the order they stand in the record."""
    return list(dict.fromkeys(name for p in record.warnings if (name := _field_of(p))))


def _title_of(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_bytes())
    except (OSError, yaml.YAMLError, ValueError, RecursionError):
        return ""
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) else ""


def existing_records(incidents: Path) -> dict[str, list[Path]]:
    """The records in the tree by id, found as ``nearmiss check`` finds them."""
    found: dict[str, list[Path]] = {}
    for shown in discover(incidents) if incidents.is_dir() else []:
        found.setdefault(Path(shown).stem, []).append(Path(shown))
    return found


def log_settings(incidents: Path) -> Settings:
    """The learning log's own settings (incidents/_settings.yaml), read as ``nearmiss
    check`` reads them; CannotRun when they are broken."""
    return load_settings(incidents)[0]


def draft(incidents: Path, taxonomy: Taxonomy, values: Mapping[str, str], *,
          kudos: Sequence[str] = (), today: date, settings: Settings = DEFAULT_SETTINGS,
          records: Mapping[str, list[Path]] | None = None) -> Draft:
    """The record the values make: status the first of the lifecycle, reported today,
    occurred today unless given; list fields (kudos, related) from names separated by
    commas or semicolons; its path a new one (``new_record_path``). Checked as ``nearmiss
    check`` would check it, with the log's ``settings`` and the tree-wide rules (dates in
    the future, related ids that exist) included."""
    fields: dict[str, str | list[str]] = dict(values)
    try:
        day = date.fromisoformat(values.get("occurred", "")[:10])
    except ValueError:  # no date (yet): the check says so, where it is given
        day = today
    fields.update(status=next(iter(STATUS_RULES)), reported=today.isoformat())
    fields.setdefault("occurred", day.isoformat())
    for name, value in values.items():
        if FIELDS[name].type in _LIST_TYPES:
            fields[name] = split_names(value)
    if kudos:
        fields["kudos"] = [*kudos, *fields.get("kudos", [])]
    title = str(fields.get("title", ""))
    records = existing_records(incidents) if records is None else records
    path = new_record_path(incidents, day, title, records)
    base = f"{day.isoformat()}-{slugify(title)}"
    same = tuple(Existing(stem, found, _title_of(found)) for stem, paths in records.items()
                 if re.fullmatch(re.escape(base) + r"(-[0-9]+)?", stem) for found in paths)
    text = record_text(fields, schema_reference(path, incidents))
    checked = check_record(text.encode(), display_path(path), taxonomy, settings)
    by_id = {stem: [display_path(p) for p in paths] for stem, paths in records.items()}
    by_id[checked.id] = [checked.path]
    problems = checked.problems + file_tree_problems(checked, by_id, today)
    return Draft(path, text, sorted(problems, key=Problem.sort_key), same)


def same_name_notice(record: Draft) -> str:
    """What to tell when the draft's name was taken: the records that have it, with their
    titles, and the name this one gets instead."""
    which = "; ".join(f"{display_path(e.path)}, {e.title!r}" if e.title else
                      display_path(e.path) for e in record.same_name)
    there = "a record with this name already exists" if len(record.same_name) == 1 \
        else "records with this name already exist"
    return f"{there}: {which}; this one will be {record.path.name}"


def write(record: Draft) -> None:
    """Write the record; FileExistsError when a file of that name appeared meanwhile
    (nothing is ever overwritten)."""
    write_atomic(record.path, record.text)
