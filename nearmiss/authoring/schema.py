"""A JSON Schema for records, so editors can complete and check them while people type.

The schema is generated from the field table in ``model`` and the learning log's taxonomy,
never written by hand, so it cannot drift from what ``nearmiss check`` accepts. It covers
what a schema can say about one file's content: shape, vocabulary, and the kind and status
rules. ``nearmiss check`` stays the authority for the rest (ids, ``related`` links, date
order, dates in the future, YAML 1.1 traps, duplicate keys).

Two choices keep editors and the checker in agreement:

- An optional field left blank (``caught_by:``) reads as null; the checker counts it as
  absent, so the schema allows null for optional fields, and "required" in a kind or status
  rule means present *and* not null.
- The keywords are ones draft-07 validators read the same way (``if``/``then``, ``allOf``,
  ``anyOf``, local ``$ref``; a description next to ``$ref`` the YAML language server reads
  too), because Red Hat's YAML extension has long validated with draft-07 semantics. A few
  VS Code keywords (``enumDescriptions``, ``patternErrorMessage``, ``errorMessage``,
  ``markdownDescription``) make completion and messages friendlier; others ignore them.
- Patterns mean the same in Python's ``re`` and in ECMAScript (see ``_END`` and ``_TEXT``).
"""

from __future__ import annotations

import re
from typing import Any

from nearmiss.record.model import (
    ACTION_FIELDS,
    ACTION_FINISHED,
    ACTION_NEEDS,
    DATE_SEPARATOR,
    DAY_FORMAT,
    FIELDS,
    FOLLOW_UP_FIELDS,
    ID_RE,
    KIND_RULES,
    OFFSET_FORMAT,
    STATUS_RULES,
    TAG_RE,
    TIME_FORMAT,
    Need,
    Spec,
    alternatives,
    only_for,
)
from nearmiss.record.taxonomy import Taxonomy, Term

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# '$' also matches before a final line break in Python's re (which jsonschema uses),
# but not in the ECMAScript engines editors use; '$(?!\n)' means "end of text" in both.
_END = r"$(?!\n)"
_BREAKS = r"\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029"  # what str.splitlines splits on
# Some text, not only spaces as str.strip() sees them (ECMAScript's \s lacks a few of those).
_TEXT = r"[^\s\x1c-\x1f\x85]"
_ONE_LINE = f"^[^{_BREAKS}]*{_TEXT}[^{_BREAKS}]*{_END}"
# The date formats of the model; the checker strips a quoted date (" 2026-03-14"), so
# spaces around it are fine here too.
DATE_PATTERN = f"^\\s*{DAY_FORMAT}({DATE_SEPARATOR}{TIME_FORMAT}{OFFSET_FORMAT})?\\s*{_END}"

# The JSON type of each Spec.type: the base of a field's schema, and what "present" means
# in a rule (a value of this type, so a blank field does not count).
_JSON_TYPE = {
    "text": "string", "markdown": "string", "date": "string", "choice": "string",
    "team": "string", "touchpoint": "string", "promise": "string", "action_type": "string",
    "texts": "array", "causes": "array", "ids": "array", "tags": "array", "actions": "array",
    "follow_up": "object", "mapping": "object",
}


def _pattern(regex: re.Pattern[str]) -> str:
    """A model regex as a pattern every engine reads alike (model ends them with \\Z)."""
    return regex.pattern.replace(r"\Z", _END)


def _label(term: Term) -> str:
    return " — ".join(filter(None, (term.label, term.description)))


def _enum(labels: dict[str, str]) -> Schema:
    """An enum of taxonomy keys; the labels show next to each key in VS Code's completion."""
    return {"enum": list(labels), "enumDescriptions": list(labels.values())}


def _text(spec: Spec) -> Schema:
    """Text the checker accepts: not blank, the title also one line and short enough."""
    schema: Schema = {"type": "string", "minLength": 1, "pattern": _TEXT}
    if spec.max_length:
        schema["maxLength"] = spec.max_length
    if spec.name == "title":  # the checker's own title rule
        schema["pattern"] = _ONE_LINE
        schema["patternErrorMessage"] = "The title stays on one line and is not blank."
    return schema


def _value(spec: Spec, taxonomy: Taxonomy) -> Schema:
    """The schema of a field's value, by the field's type in the table."""
    if spec.type not in _JSON_TYPE:
        raise ValueError(f"no JSON Schema for the field type {spec.type!r}")
    schema: Schema = {"type": _JSON_TYPE[spec.type]}
    match spec.type:
        case "text" | "markdown":
            return _text(spec)
        case "date":
            return {"$ref": "#/$defs/date"}
        case "choice":
            schema["enum"] = list(spec.choices)
        case "team" | "touchpoint" | "promise":
            terms: dict[str, Term] = getattr(taxonomy, spec.type + "s")
            schema |= _enum({key: _label(term) for key, term in terms.items()})
        case "action_type":
            if not taxonomy.action_types:  # the checker refuses any type then, so does this
                return {"not": {}, "errorMessage": "The taxonomy has no action_types: add "
                                                   "them to _taxonomy.yaml, or leave out type."}
            schema |= _enum({key: " — ".join(filter(None, (
                f"{kind.strength}: {kind.label}", kind.description)))
                for key, kind in taxonomy.action_types.items()})
        case "texts":
            schema["items"] = _text(spec)
        case "causes":
            causes = {f"{c.key}/{k}": f"{c.label}: {_label(t)}"
                      for c in taxonomy.categories.values() for k, t in c.causes.items()}
            schema |= {"items": {"type": "string", **_enum(causes)},
                       "minItems": 1, "uniqueItems": True}
        case "ids" | "tags":
            regex = ID_RE if spec.type == "ids" else TAG_RE
            schema |= {"items": {"type": "string", "pattern": _pattern(regex)},
                       "uniqueItems": True}
        case "actions":
            schema["items"] = {"$ref": "#/$defs/action"}
        case "follow_up":
            return {"$ref": "#/$defs/followUp"}
        case "mapping":
            pass  # open: anything the organisation adds
    return schema


def _field(spec: Spec, taxonomy: Taxonomy) -> Schema:
    """A field with its description; an optional one may be left blank (null)."""
    value = _value(spec, taxonomy)
    about = {"description": spec.description, "markdownDescription": spec.description}
    if spec.required:
        return about | value
    return about | {"anyOf": [value, {"type": "null"}]}


def _object(table: dict[str, Spec], taxonomy: Taxonomy, rules: list[Schema]) -> Schema:
    """A closed mapping of the table's fields, plus the rules that tie them together."""
    schema: Schema = {
        "type": "object",
        "properties": {name: _field(spec, taxonomy) for name, spec in table.items()},
        "required": [name for name, spec in table.items() if spec.required],
        "additionalProperties": False,
    }
    if rules:
        schema["allOf"] = rules
    return schema


def _when(name: str, *values: str) -> Schema:
    """An ``if`` that holds when the field is given with one of the values."""
    return {"required": [name], "properties": {name: {"enum": list(values)}}}


def _present(table: dict[str, Spec], *names: str) -> Schema:
    """The fields are given, and not left blank (a blank one counts as absent)."""
    return {"required": list(names),
            "properties": {n: {"type": _JSON_TYPE[table[n].type]} for n in names}}


def _absent(name: str, message: str) -> Schema:
    """The field is not given (blank is fine: it counts as absent)."""
    return {"properties": {name: {"type": "null", "errorMessage": message}}}


def _all(schemas: list[Schema]) -> Schema:
    return schemas[0] if len(schemas) == 1 else {"allOf": schemas}


def _needs(table: dict[str, Spec], needs: tuple[Need, ...]) -> list[Schema]:
    """What a kind or status requires: the plain fields given, then each either/or."""
    plain = [n.field for n in needs if not n.instead]
    out = [_present(table, *plain)] if plain else []
    for need in needs:
        if need.instead:
            given = _present(table, need.field)
            if need.at_least_one:
                given["properties"][need.field]["minItems"] = 1
            out.append({"anyOf": [_present(table, need.instead), given]})
    return out


def _record_rules() -> list[Schema]:
    """The lifecycle of ``model.KIND_RULES`` and ``model.STATUS_RULES``, as the checker's
    ``rules._kind_and_status`` applies it, in so far as a schema can express it."""
    rules: list[Schema] = []
    for kind in KIND_RULES.values():
        then = _needs(FIELDS, kind.needs) + [
            _absent(name, f"{name} is only for "
                          f"{' and '.join(KIND_RULES[k].plural for k in only_for(name))}; "
                          f"this is {kind.a}.") for name in kind.forbids]
        if then:
            rules.append({"if": _when("kind", kind.name), "then": _all(then)})
    for first, second in alternatives():
        rules.append({"if": _present(FIELDS, first), "then": _absent(
            second, f"Give either {first} or {second}, not both.")})
    choices = ACTION_FIELDS["status"].choices
    finished = [s for s in choices if s in ACTION_FINISHED]
    unfinished = [s for s in choices if s not in ACTION_FINISHED]
    statuses = list(STATUS_RULES)
    for index, status in enumerate(STATUS_RULES.values()):
        then = _needs(FIELDS, status.needs)
        if status.actions_finished:
            then.append({"properties": {"actions": {"items": {"properties": {"status": {
                "enum": finished,
                "errorMessage": f"{status.a.capitalize()} cannot have an "
                                f"{' or '.join(unfinished)} action."}}}}}})
        if then:
            rules.append({"if": _when("status", *statuses[index:]), "then": _all(then)})
    return rules


def _action_rules() -> list[Schema]:
    """What an action's status requires: a done action says when, a dropped one says why."""
    return [{"if": _when("status", status), "then": _all(_needs(ACTION_FIELDS, needs))}
            for status, needs in ACTION_NEEDS.items() if needs]


def record_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record file, for this taxonomy's vocabulary.

    Self-contained (no ``$id``, no outside references) so it can be written next to the
    records and pointed at from a modeline or the editor's settings.
    """
    return {
        "$schema": DIALECT,
        "title": "nearmiss record",
        "description": "One near miss or service failure of the learning log. Generated by "
                       "`nearmiss schema` from the record format and the taxonomy; "
                       "`nearmiss check` remains the authority.",
        **_object(FIELDS, taxonomy, _record_rules()),
        "$defs": {
            "action": _object(ACTION_FIELDS, taxonomy, _action_rules()),
            "followUp": _object(FOLLOW_UP_FIELDS, taxonomy, []),
            "date": {
                "type": "string",
                "description": "An ISO date (2026-03-14) or a datetime with a UTC offset "
                               "(2026-03-14T10:40:00+01:00).",
                "pattern": DATE_PATTERN,
                "patternErrorMessage": "Write a date as YYYY-MM-DD, or a time with its UTC "
                                       "offset: 2026-03-14T10:40:00+01:00.",
            },
        },
    }
