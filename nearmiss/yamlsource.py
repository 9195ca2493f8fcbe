"""Read a YAML file into nodes that remember where every value stands.

libyaml (PyYAML's C loader) composes nodes with line/column marks about twenty times faster
than a pure-Python parser, which is what keeps checking 10,000 records to a couple of
seconds. Composing (not constructing) also means nothing is ever instantiated from a tag,
and a walk over the node graph can refuse aliases before anything expands them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nearmiss.problems import Problem, Severity

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels for every supported platform ship libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_YAML = "tag:yaml.org,2002:"
STR_TAG = _YAML + "str"
# Tags the resolver gives plain scalars and collections; anything else was written explicitly.
_PLAIN_TAGS = frozenset(
    _YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def position(node: Node) -> tuple[int, int]:
    """1-based line and column of a node, as editors and the text output count them."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


@dataclass(slots=True)
class Sink:
    """Collects the problems of one file so no rule can stop the others from reporting."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        where: Node | tuple[int, int],
        severity: Severity,
        code: str,
        message: str,
        pointer: str = "",
        hint: str = "",
    ) -> None:
        line, column = position(where) if isinstance(where, Node) else where
        self.problems.append(
            Problem(self.path, line, column, severity, code, message, pointer, hint)
        )

    def error(self, where: Node | tuple[int, int], code: str, message: str,
              pointer: str = "", hint: str = "") -> None:
        self.add(where, Severity.ERROR, code, message, pointer, hint)

    def warning(self, where: Node | tuple[int, int], code: str, message: str,
                pointer: str = "", hint: str = "") -> None:
        self.add(where, Severity.WARNING, code, message, pointer, hint)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def decode(data: bytes, sink: Sink) -> str | None:
    """UTF-8 (a byte-order mark is fine) or a problem pointing at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        sink.error(
            (line, column),
            "file-encoding",
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)",
            hint="save the file as UTF-8 in your editor",
        )
        return None


def compose(text: str, sink: Sink) -> Node | None:
    """Parse one YAML document into nodes; syntax errors become problems, never exceptions."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if exc.problem and "expected a single document" in str(exc.problem):
            sink.error(where, "yaml-multiple-documents",
                       "a record file holds exactly one YAML document; this one starts another",
                       hint="remove the '---' line, or move the second record to its own file")
        else:
            reason = exc.problem or str(exc)
            context = f" ({exc.context})" if exc.context else ""
            sink.error(where, "yaml-syntax", f"this is not valid YAML: {reason}{context}")
        return None
    except yaml.YAMLError as exc:
        sink.error((1, 1), "yaml-syntax", f"this is not valid YAML: {exc}")
        return None


def screen(root: Node, sink: Sink) -> bool:
    """Refuse aliases, explicit tags and duplicate keys before any rule reads a value.

    The walk is iterative and visits each node once, so an alias bomb or a deep document
    costs no more than its text. Returns False when the document must not be read further.
    """
    seen: set[int] = set()
    stack: list[Node] = [root]
    sound = True
    while stack:
        node = stack.pop()
        if id(node) in seen:
            sink.error(node, "yaml-alias",
                       "anchors and aliases (&name / *name) are not allowed in records",
                       hint="write the value out in full")
            sound = False
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            sink.error(node, "yaml-tag", f"the YAML tag '{node.tag}' is not allowed",
                       hint="remove the '!' tag; records hold plain text, lists and mappings")
            sound = False
            continue
        if isinstance(node, MappingNode):
            keys: dict[str, Node] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in keys:
                        line, _ = position(keys[key.value])
                        sink.error(key, "duplicate-key",
                                   f"'{key.value}' is given twice in this mapping "
                                   f"(first on line {line})",
                                   hint="keep one of them; YAML tools disagree on which wins")
                        sound = False
                    keys[key.value] = key
                stack.append(value)
                stack.append(key)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sound


def load(data: bytes, sink: Sink) -> Node | None:
    """Bytes to a screened node tree, or None with the reasons in ``sink``."""
    text = decode(data, sink)
    if text is None:
        return None
    root = compose(text, sink)
    if root is None:
        if not sink.problems:
            sink.error((1, 1), "empty-file", "the file is empty; a record needs at least a title")
        return None
    return root if screen(root, sink) else None
