"""The organisation's vocabulary: teams, touchpoints, promises, root causes and, when it
ranks its follow-up actions, action types with their strength.

The taxonomy is data the organisation edits, so it is loaded with the same positioned
reader as records and a broken one is reported precisely rather than crashing the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode

from nearmiss.record.yamlsource import Sink, load

KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\Z")
SECTIONS = ("teams", "touchpoints", "promises", "root_causes", "action_types")
# How reliably an action prevents a repeat, strongest first: the three levels of the
# action hierarchy of RCA² (NPSF, 2015) and the VA National Center for Patient Safety.
STRENGTHS = ("stronger", "intermediate", "weaker")


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    description: str
    causes: dict[str, Term]


@dataclass(frozen=True, slots=True)
class ActionType:
    key: str
    label: str
    strength: str  # one of STRENGTHS
    description: str = ""


@dataclass(frozen=True, slots=True)
class Taxonomy:
    teams: dict[str, Term] = field(default_factory=dict)
    touchpoints: dict[str, Term] = field(default_factory=dict)
    promises: dict[str, Term] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    action_types: dict[str, ActionType] = field(default_factory=dict)  # optional section

    def cause_keys(self) -> list[str]:
        """Every valid root-cause reference, ``category/cause``."""
        return [f"{c.key}/{k}" for c in self.categories.values() for k in c.causes]

    def cause(self, ref: str) -> Term | None:
        category, _, cause = ref.partition("/")
        cat = self.categories.get(category)
        return cat.causes.get(cause) if cat else None

    def cause_label(self, ref: str) -> str:
        term = self.cause(ref)
        return term.label if term else ref

    def name_label(self, name: str) -> str:
        """A name from ``kudos``, ``reported_by`` or an action's ``owner`` as people read
        it: a team key ('support-desk') becomes the team's label ('Support desk'); any
        other name is a person's, or a team written out, and stays as written."""
        team = self.teams.get(name.strip())
        return team.label if team else name


class TaxonomyError(Exception):
    """The taxonomy cannot be used; carries the problems so they print like any other."""

    def __init__(self, sink: Sink) -> None:
        super().__init__(f"{sink.path}: the taxonomy cannot be used")
        self.problems = sink.problems


def _keyed(node: MappingNode, sink: Sink, pointer: str) -> dict[str, tuple[Node, Node]]:
    """A mapping's key and value nodes by key text; a key that is not plain text is a
    problem, not a crash."""
    out: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode):
            out[str(key.value)] = (key, value)
        else:
            sink.error(key, "taxonomy-invalid", "a key must be a plain word", pointer)
    return out


def _fields(node: MappingNode, sink: Sink, pointer: str) -> dict[str, Node]:
    return {name: value for name, (_, value) in _keyed(node, sink, pointer).items()}


def _text(node: Node, sink: Sink, pointer: str) -> str:
    if isinstance(node, ScalarNode) and node.value.strip():
        return str(node.value)
    sink.error(node, "taxonomy-invalid", "expected a non-empty label", pointer)
    return ""


def _action_type(key: str, node: Node, sink: Sink, pointer: str) -> ActionType:
    """An action type is ``key: {label: ..., strength: stronger|intermediate|weaker}``,
    with an optional description."""
    if not isinstance(node, MappingNode):
        sink.error(node, "taxonomy-invalid", f"the action type '{key}' needs a label and a "
                   "strength", pointer, hint="write it as a mapping: label: ..., strength: "
                   + " | ".join(STRENGTHS))
        return ActionType(key, key, "")
    fields = _fields(node, sink, pointer)
    strength = fields.pop("strength", None)
    term = _term(key, MappingNode(node.tag, [(k, v) for k, v in node.value
                                             if getattr(k, "value", None) != "strength"],
                                  node.start_mark), sink, pointer, "an action type")
    if strength is None:
        sink.error(node, "taxonomy-invalid", f"the action type '{key}' has no strength",
                   pointer, hint="add strength: " + " | ".join(STRENGTHS))
        return ActionType(key, term.label, "", term.description)
    if not (isinstance(strength, ScalarNode) and strength.value in STRENGTHS):
        shown = repr(strength.value) if isinstance(strength, ScalarNode) \
            else "a list or mapping"
        sink.error(strength, "taxonomy-invalid", f"{shown} is not a strength",
                   pointer + "/strength", hint="a strength is one of " + ", ".join(STRENGTHS))
        return ActionType(key, term.label, "", term.description)
    return ActionType(key, term.label, str(strength.value), term.description)


def _term(key: str, node: Node, sink: Sink, pointer: str, what: str = "a term") -> Term:
    """A term is ``key: Label`` or ``key: {label: ..., description: ...}``."""
    if isinstance(node, MappingNode):
        fields = _fields(node, sink, pointer)
        unknown = set(fields) - {"label", "description"}
        for name in sorted(unknown):
            sink.error(node, "taxonomy-invalid", f"unknown key '{name}' in {what}", pointer)
        if "label" not in fields:
            sink.error(node, "taxonomy-invalid", f"'{key}' needs a label", pointer)
            return Term(key, key)
        desc = fields.get("description")
        return Term(key, _text(fields["label"], sink, pointer + "/label"),
                    _text(desc, sink, pointer + "/description") if desc else "")
    return Term(key, _text(node, sink, pointer))


def _mapping(node: Node, sink: Sink, pointer: str) -> list[tuple[str, Node]]:
    if not isinstance(node, MappingNode):
        sink.error(node, "taxonomy-invalid", "expected a mapping of key: label", pointer)
        return []
    out = []
    for name, (key, value) in _keyed(node, sink, pointer).items():
        if not KEY_RE.match(name):
            sink.error(key, "taxonomy-invalid",
                       f"'{name}' is not a valid key (lower-case letters, digits, dashes)",
                       f"{pointer}/{name}")
            continue
        out.append((name, value))
    return out


def parse_taxonomy(data: bytes, path: str) -> Taxonomy:
    """Build a taxonomy from file bytes or raise TaxonomyError with every problem found."""
    sink = Sink(path)
    root = load(data, sink)
    if root is None:
        raise TaxonomyError(sink)
    if not isinstance(root, MappingNode):
        sink.error(root, "taxonomy-invalid", "the taxonomy must be a mapping of sections")
        raise TaxonomyError(sink)
    keyed = _keyed(root, sink, "")
    sections = {name: value for name, (_, value) in keyed.items()}
    for name, (key_node, _) in keyed.items():
        if name not in SECTIONS:
            sink.error(key_node, "taxonomy-invalid", f"unknown section '{name}'",
                       hint="sections are " + ", ".join(SECTIONS))
    plain: dict[str, dict[str, Term]] = {}
    for name in ("teams", "touchpoints", "promises"):
        if name not in sections:
            sink.error(root, "taxonomy-invalid", f"the section '{name}' is missing")
            plain[name] = {}
            continue
        plain[name] = {k: _term(k, v, sink, f"/{name}/{k}")
                       for k, v in _mapping(sections[name], sink, f"/{name}")}
    categories: dict[str, Category] = {}
    if "root_causes" not in sections:
        sink.error(root, "taxonomy-invalid", "the section 'root_causes' is missing")
    else:
        for key, node in _mapping(sections["root_causes"], sink, "/root_causes"):
            pointer = f"/root_causes/{key}"
            if not isinstance(node, MappingNode):
                sink.error(node, "taxonomy-invalid",
                           "a category is a mapping with 'label' and 'causes'", pointer)
                continue
            fields = _fields(node, sink, pointer)
            rest = [(k, v) for k, v in node.value
                    if isinstance(k, ScalarNode) and k.value != "causes"]
            head = _term(key, MappingNode(node.tag, rest, node.start_mark), sink, pointer)
            if "causes" not in fields:
                sink.error(node, "taxonomy-invalid", f"the category '{key}' has no causes",
                           pointer)
                continue
            causes = {k: _term(k, v, sink, f"{pointer}/causes/{k}")
                      for k, v in _mapping(fields["causes"], sink, pointer + "/causes")}
            categories[key] = Category(key, head.label, head.description, causes)
    action_types = {k: _action_type(k, v, sink, f"/action_types/{k}")
                    for k, v in _mapping(sections["action_types"], sink, "/action_types")} \
        if "action_types" in sections else {}
    if sink.has_errors:
        raise TaxonomyError(sink)
    return Taxonomy(plain["teams"], plain["touchpoints"], plain["promises"], categories,
                    action_types)
