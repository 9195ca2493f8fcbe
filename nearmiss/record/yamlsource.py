"""Read a YAML file into nodes that remember where every value stands.

libyaml (PyYAML's C loader) composes nodes with line/column marks about twenty times faster
than a pure-Python parser, which is what keeps checking 10,000 records to a couple of
seconds. Composing (not constructing) also means nothing is ever instantiated from a tag,
and a walk over the node graph can refuse aliases before anything expands them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nearmiss.record.problems import Problem, Severity
from nearmiss.record.yamlerrors import explain

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels for every supported platform ship libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
LOADER = _Loader  # libyaml's loader where installed; the formatter parses with it too


class _Composer(LOADER):
    """LOADER remembering the tags of short plain scalars. The composer asks Python for
    the tag of every scalar, and records repeat the same field names and words, so a
    lookup replaces the resolver's list building and regexes (a sixth of composing). A
    plain scalar's tag depends on its text alone: no path resolvers are registered."""

    _plain_tags: ClassVar[dict[str, str]] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        plain = kind is ScalarNode and implicit[0]
        tag = self._plain_tags.get(value) if plain else None
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if plain and len(value) <= 32 and len(self._plain_tags) < 4096:  # bounded
                self._plain_tags[value] = tag
        return tag


_YAML = "tag:yaml.org,2002:"
STR_TAG = _YAML + "str"
# Tags the resolver gives plain scalars and collections ('=' and '<<' resolve to 'value'
# and 'merge'); anything else was written explicitly.
_PLAIN_TAGS = frozenset(_YAML + t for t in (
    "str", "int", "float", "bool", "null", "timestamp", "value", "merge", "map", "seq"))

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 100
# Cheap upper bounds on nesting: flow brackets, and per line the indentation plus block
# indicators. Only a file past either bound pays for the exact count over parse events.
_FLOW_HINT = MAX_DEPTH // 2 - 2
# The block bound as one pattern for the first line and one anchored on the line break
# before every other: a literal first character lets the regex engine skip to each line
# start instead of trying every position (five times faster than '^' with re.M).
_DEEP_INDENT = r"(?:[ \t]|[-?:][ \t]){" + str(MAX_DEPTH // 2 - 2) + "}"
_DEEP_FIRST_LINE = re.compile(_DEEP_INDENT)
_DEEP_LATER_LINE = re.compile("\n" + _DEEP_INDENT)


def position(node: Node | yaml.Event) -> tuple[int, int]:
    """1-based line and column of a node or event, as editors and the text output count."""
    mark = node.start_mark
    if mark is None:  # only nodes built by hand lack one
        return 1, 1
    return mark.line + 1, mark.column + 1


def line_column(text: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of the character (or, in bytes, the byte) at ``index``."""
    if isinstance(text, bytes):
        head = text[:index]
        return head.count(b"\n") + 1, index - head.rfind(b"\n")
    before = text[:index]
    return before.count("\n") + 1, index - before.rfind("\n")


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
        # utf-8-sig counts from after the byte-order mark; the file's own offset is wanted
        start = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        sink.error(
            line_column(data, start),
            "file-encoding",
            f"the file is not UTF-8 text (byte 0x{data[start]:02x} cannot be read)",
            hint="save the file as UTF-8 in your editor",
        )
        return None


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _syntax_problem(exc: yaml.YAMLError, text: str, sink: Sink) -> None:
    """Turn any parser exception into one problem on one line, at the place to act, in
    plain words with the fix as the hint (``yamlerrors``)."""
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the position in UTF-8 bytes, the pure-Python reader in characters
        index = exc.position
        if isinstance(exc.character, int):
            index = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore"))
        where = line_column(text, index)
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        sink.error(where, "yaml-syntax",
                   f"the character U+{code:04X} is not allowed in a YAML file",
                   hint="delete it; such characters often come with text pasted from elsewhere")
        return
    if not isinstance(exc, yaml.MarkedYAMLError):
        sink.error((1, 1), "yaml-syntax", _one_line(f"this is not valid YAML: {exc}"))
        return
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    said = f"{exc.context or ''} {exc.problem or ''}"
    if "expected a single document" in said:
        sink.error(where, "yaml-multiple-documents",
                   "a record file holds exactly one YAML document; this one starts another",
                   hint="remove the '---' line, or move the second record to its own file")
        return
    found = explain(exc, text, _tokens)
    sink.error((found.line, found.column), "yaml-syntax", _one_line(found.message),
               hint=found.hint)


def _tokens(text: str) -> list[yaml.Token]:
    """The tokens libyaml scans before it stops: what some explanations look back at."""
    out: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=LOADER):
            out.append(token)
    except yaml.YAMLError:
        pass
    return out


def _too_deep(text: str, sink: Sink) -> bool:
    """Refuse documents nested past MAX_DEPTH before composing them: libyaml's composer
    recurses, and a few ten thousand nested brackets crash the process."""
    if text.count("[") + text.count("{") <= _FLOW_HINT \
            and not _DEEP_FIRST_LINE.match(text) and not _DEEP_LATER_LINE.search(text):
        return False
    try:
        return _nested_past_max(yaml.parse(text, Loader=LOADER), sink)
    except yaml.YAMLError as exc:
        if not _is_libyaml_nesting_limit(exc):
            _syntax_problem(exc, text, sink)
            return True
    # libyaml's own limit (1,000 levels since PyYAML 6.0.4) trips while its scanner looks
    # ahead, before any event reaches us. PyYAML's pure-Python parser looks ahead at most
    # 1,024 characters, so it finds level MAX_DEPTH + 1 at the same place whatever the
    # libyaml version; it only runs for such files.
    try:
        return _nested_past_max(yaml.parse(text, Loader=yaml.SafeLoader), sink)
    except yaml.YAMLError as exc:
        _syntax_problem(exc, text, sink)
        return True


def _is_libyaml_nesting_limit(exc: yaml.YAMLError) -> bool:
    return isinstance(exc, yaml.MarkedYAMLError) and "maximum nesting depth" in (
        exc.problem or "")


def _nested_past_max(events: Iterator[yaml.Event], sink: Sink) -> bool:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                sink.error(position(event), "yaml-too-deep",
                           f"the values are nested more than {MAX_DEPTH} levels deep",
                           hint="a record needs only a few levels; check for stray brackets")
                return True
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return False


def compose(text: str, sink: Sink) -> Node | None:
    """Parse one YAML document into nodes; syntax errors become problems, never exceptions."""
    if _too_deep(text, sink):
        return None
    try:
        return yaml.compose(text, Loader=_Composer)
    except yaml.YAMLError as exc:
        _syntax_problem(exc, text, sink)
        return None


def screen(root: Node, sink: Sink, text: str) -> bool:
    """Refuse aliases, explicit tags and duplicate keys before any rule reads a value.

    The walk is iterative and visits each node once, so an alias bomb or a deep document
    costs no more than its text. Returns False when the document must not be read further.
    Without a '*' in ``text`` no node can be shared, and without a '!' every tag is one
    the resolver gave: then only mappings need a look, for duplicate keys.
    """
    if "*" in text or "!" in text:
        return _screen_every_node(root, sink)
    sound = True
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            sound = _unique_keys(node, sink) and sound
            for key, value in node.value:
                if not isinstance(value, ScalarNode):
                    stack.append(value)
                if not isinstance(key, ScalarNode):
                    stack.append(key)
        elif isinstance(node, SequenceNode):
            stack.extend(n for n in node.value if not isinstance(n, ScalarNode))
    return sound


def _unique_keys(node: MappingNode, sink: Sink) -> bool:
    """Report each key given twice in this mapping; True when there is none."""
    keys: dict[str, Node] = {}
    unique = True
    for key, _ in node.value:
        if isinstance(key, ScalarNode):
            if key.value in keys:
                first_line = position(keys[key.value])[0]
                sink.error(key, "duplicate-key",
                           f"'{key.value}' is given twice in this mapping "
                           f"(first on line {first_line})",
                           hint="keep one of them; YAML tools disagree on which wins")
                unique = False
            keys[key.value] = key
    return unique


def _screen_every_node(root: Node, sink: Sink) -> bool:
    """The full walk: each node's tag, each node seen once (a second visit is an alias)."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    sound = True
    while stack:
        node = stack.pop()
        if id(node) in seen:
            sound = False
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            sink.error(node, "yaml-tag", f"the YAML tag '{node.tag}' is not allowed",
                       hint="remove the '!' tag; records hold plain text, lists and mappings")
            sound = False
            continue
        if isinstance(node, MappingNode):
            sound = _unique_keys(node, sink) and sound
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sound


def _aliases(text: str, sink: Sink) -> None:
    """Report each alias where it is written; only run once composing found one (rare)."""
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.AliasEvent):
            sink.error(position(event), "yaml-alias",
                       f"the alias '*{event.anchor}' repeats another part of the file; "
                       "aliases are not allowed in records",
                       hint="write the value out in full")


def load(data: bytes, sink: Sink, max_bytes: int = MAX_BYTES) -> Node | None:
    """Bytes to a screened node tree, or None with the reasons in ``sink``."""
    if len(data) > max_bytes:
        sink.error((1, 1), "file-too-large",
                   f"the file has {len(data):,} bytes; a record may have at most {max_bytes:,}",
                   hint="a record tells one story; link to longer documents instead")
        return None
    text = decode(data, sink)
    if text is None:
        return None
    root = compose(text, sink)
    if root is None:
        if not sink.problems:
            sink.error((1, 1), "empty-file", "the file is empty; a record needs at least a title")
        return None
    errors = len(sink.problems)
    if screen(root, sink, text):
        return root
    if len(sink.problems) == errors:  # nothing but shared nodes: aliases, found by events
        _aliases(text, sink)
    return None
