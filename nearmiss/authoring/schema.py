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

from nearmiss.record.model import ACTION_FIELDS, FIELDS, FOLLOW_UP_FIELDS, ID_RE, TAG_RE, Spec
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
_DAY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])"
# The checker strips a quoted date (" 2026-03-14"), so spaces around it are fine here too.
DATE_PATTERN = f"^\\s*{_DAY}([Tt ]{_TIME}{_OFFSET})?\\s*{_END}"

# The JSON type of each Spec.type: the base of a field's schema, and what "present" means
# in a rule (a value of this type, so a blank field does not count).
_JSON_TYPE = {
    "text": "string", "markdown": "string", "date": "string", "choice": "string",
    "team": "string", "touchpoint": "string", "promise": "string",
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


def _record_rules() -> list[Schema]:
    """The kind and status rules of ``rules._kind_and_status`` a schema can express."""
    finished = [s for s in ACTION_FIELDS["status"].choices if s != "open"]
    some_actions = {"required": ["actions"],
                    "properties": {"actions": {"type": "array", "minItems": 1}}}
    return [
        {"if": _when("kind", "near-miss"), "then": _present(FIELDS, "caught_by")},
        {"if": _when("kind", "failure"), "then": {"allOf": [
            _present(FIELDS, "customer_impact"),
            _absent("caught_how", "caught_how is only for near misses; this is a failure."),
        ]}},
        {"if": _present(FIELDS, "actions"), "then": _absent(
            "no_action", "Give either actions or no_action, not both.")},
        {"if": _when("status", "reviewed", "closed"), "then": {"allOf": [
            _present(FIELDS, "root_causes"),
            {"anyOf": [_present(FIELDS, "no_action"), some_actions]},
        ]}},
        {"if": _when("status", "closed"), "then": {"allOf": [
            _present(FIELDS, "closed", "follow_up"),
            {"properties": {"actions": {"items": {"properties": {"status": {
                "enum": finished,
                "errorMessage": "A closed record cannot have an open action."}}}}}},
        ]}},
    ]


def _action_rules() -> list[Schema]:
    """A done action says when, a dropped one says why."""
    return [
        {"if": _when("status", "done"), "then": _present(ACTION_FIELDS, "done_on")},
        {"if": _when("status", "dropped"), "then": _present(ACTION_FIELDS, "reason")},
    ]


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
