"""Validate one record file: the field table, the kind and status rules, the taxonomy.

Every rule reports through the file's ``Sink`` and carries on, so one run shows all that
is wrong in a file. Rules that need the whole tree (unique ids, ``related``) or today's
date live in ``checker``; this module hands them the values with their places.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nearmiss.record.language import BLAME_HINT, blame, personal_data
from nearmiss.record.model import (
    ACTION_FIELDS,
    ACTION_FINISHED,
    ACTION_NEEDS,
    ACTION_STATUSES,
    DATE_RE,
    DATETIME_RE,
    FIELDS,
    FOLLOW_UP_FIELDS,
    ID_RE,
    KIND_RULES,
    STATUS_RULES,
    TAG_RE,
    Action,
    Day,
    FollowUp,
    Need,
    Record,
    Spec,
    StatusRule,
    alternatives,
    before,
    day_of,
    only_for,
    status_rules,
)
from nearmiss.record.result import FileResult, Placed
from nearmiss.record.settings import Settings
from nearmiss.record.taxonomy import Taxonomy
from nearmiss.record.yamlsource import STR_TAG, Sink, load, position

_READ_AS = {
    "tag:yaml.org,2002:bool": "a true/false value",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "an empty value (null)",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:value": "a special value ('=')",
    "tag:yaml.org,2002:merge": "a merge key ('<<')",
}
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_NAMES = frozenset({"kudos", "reported_by", "owner"})  # names, not stories: no blame check
_LOOKS_LIKE = {"email": "an e-mail address", "phone": "a phone number",
               "card": "a payment card number", "address": "a postal address"}
_ALLOW = "add it to personal_data.allow in _settings.yaml"
# what to write instead, and what the pattern may have mistaken for personal data
_PERSONAL_HINT = {
    "email": f"remove it and write 'the customer'; if it is not personal (a team mailbox "
             f"such as help@...), {_ALLOW}",
    "phone": f"remove it and write 'the customer'; if it is not personal (your own "
             f"hotline or a company number), {_ALLOW}",
    "card": f"remove it: card numbers never belong in a record; if it is a published test "
            f"card number, {_ALLOW}",
    "address": f"remove it, or name only the town or area; if it is not personal (an office "
               f"or depot address), {_ALLOW}",
}


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"


def suggest(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean' hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def pointer_token(key: str) -> str:
    """A key as one JSON-pointer token (RFC 6901): '~' and '/' escaped."""
    return key.replace("~", "~0").replace("/", "~1")


def unpointer(token: str) -> str:
    """One JSON-pointer token back to the key it names: the inverse of ``pointer_token``."""
    return token.replace("~1", "/").replace("~0", "~")


def named(ptr: str) -> str:
    """A field's JSON pointer as messages name it: the field in single quotes, a nested
    one by its path ('follow_up/date'), a list item by its place counted from 1
    ("item 2 of 'kudos'", "'due' of item 1 of 'actions'"); '' is the record itself."""
    tokens = [unpointer(t) for t in ptr.split("/")[1:]]
    if not tokens:
        return "the record"
    last = max((i for i, t in enumerate(tokens) if t.isdigit()), default=-1)
    if last < 0:
        return "'" + "/".join(tokens) + "'"
    head = "/".join(pointer_token(t) for t in tokens[:last])
    item = f"item {int(tokens[last]) + 1} of {named('/' + head)}"
    tail = "/".join(tokens[last + 1:])
    return f"'{tail}' of {item}" if tail else item


def field_hint(spec: Spec) -> str:
    """A field's description as a hint: what it holds, without the sentence saying when
    it is required (the message says that), Markdown code as quotes, no final full stop."""
    sentences = [s for s in spec.description.split(". ") if not s.startswith("Required")]
    return _lower_first(". ".join(sentences).replace("`", "'").rstrip("."))


class _Reader:
    """Turns positioned nodes into typed values, reporting each mismatch where it stands."""

    def __init__(self, sink: Sink, taxonomy: Taxonomy) -> None:
        self.sink = sink
        self.taxonomy = taxonomy
        self.related: list[Placed] = []
        self.events: list[Placed] = []
        self.prose: list[tuple[ScalarNode, str, str, bool]] = []  # node, text, pointer, story

    def scalar(self, node: Node, ptr: str, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.sink.error(node, "wrong-type", f"{named(ptr)} should be {what}, not {kind}",
                            ptr, hint=_scalar_hint(ptr, what, isinstance(node, SequenceNode)))
            return None
        return str(node.value)

    def text(self, node: Node, ptr: str, spec: Spec) -> str | None:
        value = self.scalar(node, ptr, "text")
        if value is None:
            return None
        assert isinstance(node, ScalarNode)
        if not node.style and node.tag != STR_TAG and value != "":
            self.sink.error(
                node, "yaml-ambiguous",
                f"{value!r} is read as {_READ_AS.get(node.tag, 'not text')} by YAML 1.1 tools",
                ptr, hint=f'put it in quotes: "{value}"',
            )
            return None
        if not value or value.isspace():  # no copy of a long text, as strip() makes
            self.sink.error(node, "empty-value", f"{named(ptr)} has no text", ptr)
            return None
        if spec.max_length and len(value) > spec.max_length:
            self.sink.error(node, "title-length",
                            f"the title has {len(value)} characters; at most "
                            f"{spec.max_length} fit", ptr,
                            hint="say the rest in 'what_happened'")
        if spec.name == "title" and _LINE_BREAKS.intersection(value):
            self.sink.error(node, "title-line-break", "the title must stay on one line", ptr,
                            hint="use a plain one-line value, or '>-' to fold the lines")
        self.prose.append((node, value, ptr, spec.name not in _NAMES))
        return value

    def date(self, node: Node, ptr: str) -> Day | None:
        text = self.scalar(node, ptr, "a date")
        if text is None:
            return None
        text = text.strip()
        try:
            if DATE_RE.match(text):
                return date.fromisoformat(text)
            match = DATETIME_RE.match(text)
            if match:
                if not match.group("offset"):
                    self.sink.error(node, "date-no-offset",
                                    f"the time {text!r} has no UTC offset", ptr,
                                    hint=f"add one, e.g. {text}+01:00 or {text}Z")
                    return None
                return datetime.fromisoformat(text)
        except ValueError:
            pass
        self.sink.error(node, "invalid-date", f"{text!r} is not a date", ptr,
                        hint="write dates as YYYY-MM-DD, e.g. 2026-03-14")
        return None

    def choice(self, node: Node, ptr: str, choices: tuple[str, ...], code: str,
               what: str, extra_hint: str = "") -> str | None:
        value = self.scalar(node, ptr, "one word")
        if value is None or value in choices:
            return value
        close = suggest(value, choices)
        hint = close or (f"choose one of: {', '.join(choices)}" if len(choices) <= 8
                         else extra_hint)
        self.sink.error(node, code, f"{value!r} is not {what}", ptr, hint=hint)
        return None

    def items(self, node: Node, ptr: str) -> list[tuple[Node, str]]:
        if not isinstance(node, SequenceNode):
            self.sink.error(node, "wrong-type", f"{named(ptr)} should be a list", ptr,
                            hint=_list_hint(node, ptr))
            return []
        return [(item, f"{ptr}/{i}") for i, item in enumerate(node.value)]

    def strings(self, node: Node, ptr: str, spec: Spec) -> tuple[str, ...]:
        out: list[str] = []
        seen: set[str] = set()
        for item, iptr in self.items(node, ptr):
            value = self.text(item, iptr, spec)
            if value is None:
                continue
            if value in seen and spec.type != "texts":
                self.sink.error(item, "duplicate-item", f"{value!r} is listed twice", iptr)
                continue
            seen.add(value)
            out.append(value)
        if spec.type == "causes" and isinstance(node, SequenceNode) and not node.value:
            self.sink.error(node, "empty-list", "name at least one root cause", ptr)
        return tuple(out)

    def mapping(self, node: Node, table: dict[str, Spec], ptr: str
                ) -> tuple[dict[str, Any], dict[str, Node]] | None:
        """Read a mapping field by field; returns values and the nodes they came from."""
        if not isinstance(node, MappingNode):
            self.sink.error(node, "not-a-mapping",
                            f"{named(ptr)} should be a mapping of field: value", ptr,
                            hint="write one 'name: value' per line, e.g. title: "
                                 "Courtesy call nearly skipped" if not ptr else
                                 "write its fields as 'name: value' lines indented under it")
            return None
        values: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        emptied: ScalarNode | None = None  # a '|' or '>' block with no text, just above
        for key, value_node in node.value:
            above, emptied = emptied, _empty_block(value_node)
            if not isinstance(key, ScalarNode):
                self.sink.error(key, "wrong-type", "a field name must be a plain word, not "
                                "a list or mapping", ptr)
                continue
            name = str(key.value)
            fptr = f"{ptr}/{name}" if "~" not in name and "/" not in name \
                else f"{ptr}/{pointer_token(name)}"  # the usual name needs no escape
            spec = table.get(name)
            if spec is None:
                close = suggest(name, list(table))
                if not close and above is not None \
                        and key.start_mark.column <= above.start_mark.column:
                    close = (f"the text under '{above.style}' must be indented; this line is "
                             "read as a field of its own")
                self.sink.error(key, "unknown-field", f"unknown field '{name}'", fptr,
                                hint=close or "known fields: " + ", ".join(table))
                continue
            if isinstance(value_node, ScalarNode) and not value_node.style \
                    and value_node.value == "":
                if spec.required:
                    nodes[name] = value_node
                    self.sink.error(value_node, "empty-value", f"{named(fptr)} has no value",
                                    fptr, hint=field_hint(spec))
                continue  # an optional field left blank, as in a template, counts as absent
            nodes[name] = value_node
            value = self.value(spec, value_node, fptr)
            if value is not None:
                values[name] = value
        for name, spec in table.items():
            if spec.required and name not in nodes:
                self.sink.error(node, "missing-field", f"the field '{name}' is required",
                                f"{ptr}/{name}", hint=field_hint(spec))
        return values, nodes

    def value(self, spec: Spec, node: Node, ptr: str) -> Any:
        kind = spec.type
        if kind in ("text", "markdown"):
            return self.text(node, ptr, spec)
        if kind == "date":
            return self.date(node, ptr)
        if kind == "choice":
            return self.choice(node, ptr, spec.choices, "invalid-choice",
                               f"a valid {spec.name}")
        if kind in ("team", "touchpoint", "promise", "action_type"):
            section = getattr(self.taxonomy, kind + "s")
            words = kind.replace("_", " ")
            code = f"unknown-{kind.replace('_', '-')}"
            if kind == "action_type" and not section:  # an optional section
                self.sink.error(node, code, f"the taxonomy has no {words}s", ptr,
                                hint=f"add an '{kind}s' section to _taxonomy.yaml, or leave "
                                     f"out '{ptr.rsplit('/', 1)[-1]}'")
                return None
            return self.choice(node, ptr, tuple(section), code, f"{_article(words)} "
                               f"{words} of the taxonomy",
                               f"add it under '{kind}s' in _taxonomy.yaml if it is new")
        if kind in ("texts", "tags", "ids", "causes"):
            values = self.strings(node, ptr, spec)
            self.check_items(kind, ptr, node, values)
            return values
        if kind == "actions":
            return tuple(a for i, (item, iptr) in enumerate(self.items(node, ptr))
                         if (a := self.action(item, iptr)) is not None)
        if kind == "follow_up":
            read = self.mapping(node, FOLLOW_UP_FIELDS, ptr)
            if read is None or set(FOLLOW_UP_FIELDS) - set(read[0]):
                return None
            self.event(read[0]["date"], read[1]["date"], ptr + "/date")
            return FollowUp(**read[0])
        if isinstance(node, MappingNode):
            return _as_written(node)
        self.sink.error(node, "wrong-type", f"{named(ptr)} should be a mapping", ptr,
                        hint="write its fields as 'name: value' lines indented under it")
        return None

    def check_items(self, kind: str, ptr: str, node: Node, values: tuple[str, ...]) -> None:
        if not isinstance(node, SequenceNode):
            return
        by_value: dict[str, tuple[Node, str]] = {}
        for i, n in enumerate(node.value):
            if isinstance(n, ScalarNode):
                by_value.setdefault(str(n.value), (n, f"{ptr}/{i}"))
        for value in values:
            item, iptr = by_value[value]
            if kind == "tags" and not TAG_RE.match(value):
                self.sink.error(item, "invalid-tag", f"the tag {value!r} is not valid", iptr,
                                hint="use lower-case letters, digits and dashes, "
                                     f"e.g. {re.sub(r'[^a-z0-9]+', '-', value.lower()).strip('-')}")
            elif kind == "causes" and self.taxonomy.cause(value) is None:
                keys = self.taxonomy.cause_keys()
                close = suggest(value, keys) or next(
                    (f"did you mean '{k}'?" for k in keys if k.endswith("/" + value)), "")
                self.sink.error(item, "unknown-root-cause",
                                f"{value!r} is not a root cause of the taxonomy", iptr,
                                hint=close or "write category/cause as listed under "
                                              "'root_causes' in _taxonomy.yaml")
            elif kind == "ids":
                line, column = position(item)
                self.related.append((value, line, column, iptr))

    def action(self, node: Node, ptr: str) -> Action | None:
        read = self.mapping(node, ACTION_FIELDS, ptr)
        if read is None:
            return None
        values, nodes = read
        status = values.get("status")
        for need in ACTION_NEEDS.get(status or "", ()):
            _require(self.sink, node, nodes, need, f"a {status} action", ptr,
                     "missing-for-status", ACTION_FIELDS)
        if "done_on" in values:
            self.event(values["done_on"], nodes["done_on"], ptr + "/done_on")
        if {name for name, spec in ACTION_FIELDS.items() if spec.required} - set(values):
            return None
        if "type" in values:
            values["strength"] = self.taxonomy.action_types[values["type"]].strength
        return Action(**values)

    def event(self, value: Day, node: Node, ptr: str) -> None:
        line, column = position(node)
        self.events.append((day_of(value).toordinal(), line, column, ptr))


def _require(sink: Sink, where: Node, nodes: dict[str, Node], need: Need, who: str,
             ptr: str, code: str, table: dict[str, Spec] = FIELDS) -> None:
    """Report a need the mapping at ``where`` (its fields in ``table``) does not meet;
    ``who`` names the record or action in the message ("a near miss", "a done action")."""
    if need.instead and need.instead in nodes:
        return
    given = nodes.get(need.field)
    hint = need.hint if need.hint is not None else field_hint(table[need.field])
    if given is None:
        about = f" (or '{need.instead}' {need.about})" if need.instead else \
            f": {need.about}" if need.about else ""
        sink.error(where, code, f"{who} needs '{need.field}'{about}", f"{ptr}/{need.field}",
                   hint=hint)
    elif need.at_least_one and isinstance(given, SequenceNode) and not given.value:
        sink.error(given, "empty-list", f"{who} needs at least one {need.at_least_one}",
                   f"{ptr}/{need.field}", hint=hint)


def _kind_and_status(sink: Sink, root: MappingNode, v: dict[str, Any],
                     nodes: dict[str, Node]) -> None:
    """The lifecycle of ``model.KIND_RULES`` and ``model.STATUS_RULES``: what a near miss,
    a failure, and each status require."""
    kind, status = v.get("kind"), v.get("status")
    rule = KIND_RULES.get(kind or "")
    if rule is not None:
        for need in rule.needs:
            _require(sink, root, nodes, need, rule.a, "", "missing-for-kind")
        for name in rule.forbids:
            if name in nodes:
                only = only_for(name)
                sink.error(nodes[name], "-or-".join(only) + "-only",
                           f"'{name}' is only for "
                           f"{' and '.join(KIND_RULES[k].plural for k in only)}; "
                           f"this record is {rule.a}", f"/{name}",
                           hint=f"remove it, or set kind: {' or '.join(only)}")
    for first, second in alternatives():
        if first in nodes and second in nodes:
            sink.error(nodes[second], f"{first}-and-{second}".replace("_", "-"),
                       f"give either '{first}' or '{second}', not both", f"/{second}")
    reached = status_rules(status)
    for stage in reached:
        for need in stage.needs:
            _require(sink, root, nodes, need, reached[-1].a, "", "missing-for-status")
        actions = nodes.get("actions")
        if stage.actions_finished and isinstance(actions, SequenceNode):
            _finished_actions(sink, actions, reached[-1].a, stage)
    for stage in STATUS_RULES.values():
        if stage.dated_by and stage not in reached and stage.dated_by in nodes:
            sink.warning(nodes[stage.dated_by], f"{stage.dated_by}-date-not-{stage.name}",
                         f"a '{stage.dated_by}' date is given but the status is {status}",
                         f"/{stage.dated_by}",
                         hint=f"set status: {stage.name}, or remove the date")


def _finished_actions(sink: Sink, actions: SequenceNode, who: str, stage: StatusRule) -> None:
    """No action may still be open once the record (``who``) reached ``stage``."""
    unfinished = [s for s in ACTION_STATUSES if s not in ACTION_FINISHED]
    statuses = list(STATUS_RULES)
    earlier = statuses[statuses.index(stage.name) - 1]
    for i, item in enumerate(actions.value):
        state = _child(item, "status")
        if state is not None and state.value in unfinished:
            sink.error(state, "action-still-open",
                       f"{who} cannot have an {state.value} action",
                       f"/actions/{i}/status",
                       hint="mark it done (with 'done_on') or dropped (with a 'reason'), "
                            f"or keep the record {earlier}")


def _weak_actions(sink: Sink, root: MappingNode, v: dict[str, Any], nodes: dict[str, Node],
                  taxonomy: Taxonomy) -> None:
    """A failure reviewed with nothing but weaker actions (reminders, training, notices)
    tends to happen again: warn at 'actions' and say what a stronger action looks like."""
    if v.get("kind") != "failure" or "reviewed" not in {
            s.name for s in status_rules(v.get("status"))}:
        return
    given: tuple[Action, ...] = v.get("actions", ())
    items = nodes.get("actions")
    if not isinstance(items, SequenceNode) or len(items.value) != len(given):
        return  # an action that could not be read is reported already; judge none then
    kept = [a for a in given if a.status != "dropped"]
    if not kept or any(a.strength != "weaker" for a in kept):
        return
    key = next(k for k, _ in root.value if isinstance(k, ScalarNode) and k.value == "actions")
    stronger = [t.label for t in taxonomy.action_types.values() if t.strength == "stronger"]
    sink.warning(key, "weak-actions-only",
                 "the only action of this failure is a weaker one, which seldom prevents a "
                 "repeat" if len(kept) == 1 else f"the {len(kept)} actions of this failure "
                 "are all weaker ones, which seldom prevent a repeat", "/actions",
                 hint="add a stronger action, one that changes the system instead of asking "
                      "people to remember: " + ("; ".join(stronger) if stronger else
                      "make the wrong step impossible, automate it, or simplify the process"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _empty_block(node: Node) -> ScalarNode | None:
    """A '|' or '>' value with no text: its lines were most likely not indented."""
    if isinstance(node, ScalarNode) and node.style in ("|", ">") \
            and (not node.value or node.value.isspace()):
        return node
    return None


def _scalar_hint(ptr: str, what: str, is_list: bool) -> str:
    """Why a value meant to be one text, date or word came out as a list or mapping."""
    field = unpointer(ptr.rsplit("/", 1)[-1])
    if what == "a date":
        return "write dates as YYYY-MM-DD, e.g. 2026-03-14"
    if what != "text":
        return f"write a single plain word after '{field}:'"
    if is_list:
        return "'[...]' and lines starting with '- ' make a list; put the text in quotes"
    return (f"a ': ' in unquoted text starts a field, which made the text a mapping; put the "
            f"text in quotes, or write it on indented lines under '{field}: |'")


def _list_hint(node: Node, ptr: str) -> str:
    """How to write a list, naming the likeliest slip when the value shows it."""
    field = unpointer(ptr.rsplit("/", 1)[-1])
    if isinstance(node, ScalarNode) and not node.style:
        text = str(node.value)
        if text.startswith("-") and not text.startswith("- "):
            return "put a space after each '-': '- first' on its own line"
        if " - " in text:
            return f"leave nothing after '{field}:' and give every item its own '- ' line"
    return "write it as a list, e.g. [first, second] or '- first' lines"


def _as_written(node: Node) -> Any:
    """``extra`` is never validated: keep every scalar as the text written, so nothing is
    reinterpreted (no 'no' turned into False) and nothing is lost."""
    if isinstance(node, MappingNode):
        return {str(k.value): _as_written(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [_as_written(item) for item in node.value]
    return str(node.value)


def _child(node: Node, key: str) -> ScalarNode | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if k.value == key and isinstance(v, ScalarNode):
                return v
    return None


def _dates(sink: Sink, reader: _Reader, record_id: str, v: dict[str, Any],
           nodes: dict[str, Node]) -> None:
    occurred = v.get("occurred")
    if occurred is None:
        return
    reader.event(occurred, nodes["occurred"], "/occurred")
    for name in ("reported", "closed"):
        if name in v:
            reader.event(v[name], nodes[name], "/" + name)
    later = [(n, v.get(n), nodes.get(n)) for n in ("reported", "closed")]
    if isinstance(v.get("follow_up"), FollowUp):
        later.append(("follow_up/date", v["follow_up"].date, _child(nodes["follow_up"], "date")))
    for name, value, node in later:
        if value is not None and node is not None and before(value, occurred):
            sink.error(node, "date-order",
                       f"'{name}' ({day_of(value)}) is before 'occurred' ({day_of(occurred)})",
                       "/" + name)
    if ID_RE.match(record_id):
        prefix = record_id[:10]
        if prefix != day_of(occurred).isoformat():
            sink.warning(nodes["occurred"], "id-date-mismatch",
                         f"the file name starts with {prefix} but 'occurred' is "
                         f"{day_of(occurred)}", "/occurred",
                         hint="rename the file so its date matches when it occurred")


_GAP = "\n\x1f\n"  # joins a record's texts: no pattern matches across it


def _language(sink: Sink, reader: _Reader, data: bytes, settings: Settings) -> None:
    """Warnings for personal data in any text and for blaming words in the stories, each
    at the line and column where the words stand. The record's texts are scanned as one
    string, which costs a third of scanning them one by one."""
    if not reader.prose:
        return
    joined = _GAP.join(value for _, value, _, _ in reader.prose)
    starts = list(itertools.accumulate(
        (len(value) + len(_GAP) for _, value, _, _ in reader.prose[:-1]), initial=0))
    found = personal_data(joined, settings.allow_personal_data) + \
        blame(joined, settings.blame_phrases)
    lines: list[str] | None = None
    for f in found:
        node, _, ptr, story = reader.prose[bisect.bisect_right(starts, f.start) - 1]
        if f.kind == "blame" and not story:
            continue
        if lines is None:
            lines = data.decode("utf-8-sig", errors="replace").splitlines()
        where = _locate(lines, node, f.excerpt)
        if f.kind == "blame":
            sink.warning(where, "blaming-language",
                         f"'{f.excerpt}' blames a person rather than the system", ptr,
                         hint=BLAME_HINT)
        else:
            sink.warning(where, "personal-data",
                         f"this looks like {_LOOKS_LIKE[f.kind]} ({f.excerpt!r}); records "
                         "are published to everyone", ptr,
                         hint=_PERSONAL_HINT[f.kind])


def _locate(lines: list[str], node: ScalarNode, excerpt: str) -> tuple[int, int]:
    """Where ``excerpt`` stands in the file: searched in the lines the value spans, since
    block and folded scalars do not keep offsets; the value's own place otherwise."""
    first, last = node.start_mark.line, min(node.end_mark.line, len(lines) - 1)
    for needle in (excerpt, excerpt.split()[0] if excerpt.split() else excerpt):
        for number in range(first, last + 1):
            column = lines[number].find(needle, node.start_mark.column if number == first
                                        else 0)
            if column >= 0:
                return number + 1, column + 1
    return position(node)


DEFAULT_SETTINGS = Settings()


def check_record(data: bytes, path: str, taxonomy: Taxonomy,
                 settings: Settings = DEFAULT_SETTINGS, *, record: bool = True) -> FileResult:
    """Check one record file's bytes; never raises on any input. Without ``record`` the
    result is only the verdict (``FileResult.verdict``): the Record is not built."""
    sink = Sink(path)
    record_id = PurePath(path).stem
    if not ID_RE.match(record_id) or not _valid_day(record_id[:10]):
        sink.error((1, 1), "invalid-id",
                   f"the file name '{record_id}' is not a valid record id",
                   hint="name it YYYY-MM-DD-a-few-words.yaml, e.g. "
                        "2026-03-14-courtesy-call-nearly-skipped.yaml")
    root = load(data, sink, settings.max_file_bytes)
    if root is None:
        return FileResult(path, record_id, sink.problems)
    reader = _Reader(sink, taxonomy)
    read = reader.mapping(root, FIELDS, "")
    if read is None:
        return FileResult(path, record_id, sink.problems)
    values, nodes = read
    assert isinstance(root, MappingNode)
    _kind_and_status(sink, root, values, nodes)
    _weak_actions(sink, root, values, nodes, taxonomy)
    _dates(sink, reader, record_id, values, nodes)
    _language(sink, reader, data, settings)
    built = None
    if record and not sink.has_errors:
        built = Record(id=record_id, path=path, **values)
    return FileResult(path, record_id, sink.problems, built,
                      tuple(reader.related), tuple(reader.events))


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
