"""Put record files into one canonical layout without losing a value or a comment.

``nearmiss fmt`` rewrites a record so that every file reads the same way:

- top-level fields in the order of the record format (``model.FIELDS``); fields the format
  does not know (``nearmiss check`` reports them) are kept, after the known ones, in their
  original order; inside each action the ``ACTION_FIELDS`` order, inside ``follow_up`` the
  ``FOLLOW_UP_FIELDS`` order. Nothing else is reordered (lists, ``extra``);
- two-space indentation, list items indented under their key (``key:`` / ``  - item``);
  long lines are never re-wrapped; no ``---``/``...`` markers and no ``%YAML`` directives;
  one line break at the end, no trailing spaces, no blank lines except the one that sets a
  header comment block apart and blank lines inside a comment block;
- every value is kept exactly: unquoted scalars are written back character for character
  (``012``, ``~``, ``True``, ``2026-03-14 10:40:00 +01:00`` stay as written), quoted ones stay
  quoted in the same quote style (``"no"`` stays ``"no"``; escapes may be normalised, e.g.
  ``"caf\\u00e9"`` becomes ``"café"``), block scalars (``|``, ``>``) stay block scalars;
  a plain value folded over several lines is joined into one line (same value).

Comments
    Every comment survives, and moves with what it belongs to:

    - an end-of-line comment belongs to the field or list item on its line and stays at the
      end of that field's line (re-spaced to two spaces before ``#``);
    - full-line comments directly above a field or list item belong to it and move with it;
    - full-line comments below the last entry of a mapping or list and indented deeper than
      what follows belong to that mapping or list and stay at its end (e.g. a note after an
      action's last field stays at the end of that action);
    - the comment block at the top of the file stays at the top when a blank line separates
      it from the first field, or when nothing does; comments after that blank line, touching
      the first field, move with that field;
    - comments after the last field stay at the end of the file;
    - text that looks like a comment inside a block scalar (``|``) is text: it is not touched.

    Limits: full-line comments are re-indented to the column of what they belong to; a
    comment between a key and a value written on the next line, or inside a flow collection
    spanning lines (``[a,`` / ``# c`` / ``b]``) moves above the field; several end-of-line
    comments that land on one line are joined on it; blank lines between fields are dropped;
    a block of full-line comments is split where it steps back to a shallower indentation
    (the deeper part ends what came before, the rest belongs to what follows).

Line breaks and encoding
    A file whose first line break is CRLF is written with CRLF throughout (so ``fmt --check``
    agrees with a Windows checkout made with ``core.autocrlf``); any other file gets LF. A
    lone CR counts as a line break and becomes LF/CRLF like the others. A UTF-8 byte-order
    mark is dropped. Files holding U+0085, U+2028 or U+2029 are refused: YAML 1.1 tools read
    them as line breaks, newer ones do not.

Refused files (``FormatError``)
    Anything ``nearmiss check`` would not read as one mapping: not UTF-8, larger than
    1 MiB, nested deeper than ``yamlsource.MAX_DEPTH``, not YAML, several documents, a root
    that is not a mapping, duplicate keys, aliases and anchors, tags other than YAML's core
    ones (``!!python/object``, ``!custom``), merge keys (``<<``). The screening is
    ``yamlsource.load`` itself (libyaml, bounded depth, iterative), run before the text
    reaches ruamel.yaml. As a last safety net, the result is parsed again and must hold
    the same values and the same comments, or the file is refused rather than changed.
"""

from __future__ import annotations

import bisect
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nearmiss.files import links_outside, write_atomic
from nearmiss.log.checker import discover, load_settings, load_taxonomy
from nearmiss.record.model import ACTION_FIELDS, FIELDS, FOLLOW_UP_FIELDS
from nearmiss.record.settings import Settings
from nearmiss.record.yamlsource import LOADER, MAX_BYTES, Sink, decode, line_column, load, position

__all__ = ["FormatError", "Outcome", "Tally", "files_to_format", "format_file", "format_files",
           "format_text", "tally"]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_REFUSED_BREAKS = {"\x85": "U+0085", "\u2028": "U+2028", "\u2029": "U+2029"}
_BLANK = ""  # a blank line inside a block of comment lines
# Wider than any file we accept, so ruamel never folds a long line.
_WIDTH = 2 * MAX_BYTES

Path_ = tuple[int, ...]  # child indices from the root: pair index in a mapping, item index


class FormatError(Exception):
    """A file that cannot be formatted; ``reason`` is one line, ``line``/``column`` (1-based)
    say where when known. ``str(error)`` is ``"line L, column C: reason"`` or the reason."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = " ".join(reason.split())
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + self.reason)


# --- public API ----------------------------------------------------------------------------

def format_text(text: str, *, max_bytes: int = MAX_BYTES) -> str:
    """The canonical form of one record's YAML text (see the module docstring).

    Raises FormatError for anything that is not one plain YAML mapping (``max_bytes``: the
    size limit, ``Settings.max_file_bytes`` where a learning log sets one); never returns a
    text whose values or comments differ from the input's.
    """
    crlf = _first_break_is_crlf(text)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    root = _screen(text, max_bytes)
    lines = text.split("\n")
    source = _Source(lines, root)
    plan = _plan(root)
    body = _dump(_for_ruamel(lines, source), root, plan)
    out_root = _compose(body, "the formatted text")
    out = _Source(body.split("\n"), out_root)
    result, expected_comments = _place_comments(source, out, plan)
    _verify(root, plan, result, expected_comments)
    return result.replace("\n", "\r\n") if crlf else result


def format_file(path: Path, *, check: bool, max_bytes: int = MAX_BYTES) -> bool:
    """Format one record file in place; True when it changed (or, with ``check``, would).

    With ``check`` nothing is written. The new text is written atomically (a temporary file
    beside it, then a rename), keeping the file's permission bits; a file that cannot be
    formatted raises FormatError and is never written.
    """
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FormatError(f"the file has more than {max_bytes:,} bytes; a record may have at "
                          f"most {max_bytes:,}")
    sink = Sink(str(path))
    text = decode(data, sink)  # the byte-order mark it drops, format_text would drop too
    if text is None:
        problem = sink.problems[0]
        raise FormatError(problem.message, problem.line, problem.column)
    new = format_text(text, max_bytes=max_bytes)
    if new.encode("utf-8") == data:
        return False
    if not check:
        # a symlinked record: rewrite what it points to (write_atomic keeps its mode)
        write_atomic(Path(os.path.realpath(path)), new, overwrite=True)
    return True


# --- many files: what `nearmiss fmt` does -----------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What became of one file: ``changed`` (or, when checking, would change), or not
    formatted at all, ``error`` saying why (one line)."""

    path: str
    changed: bool = False
    error: str = ""


@dataclass(frozen=True)
class Tally:
    """The files seen, changed (or that would change) and refused. A run passes when none
    was refused and, when only checking, none would change."""

    files: int
    changed: int
    failed: int
    check: bool

    @property
    def passed(self) -> bool:
        return not self.failed and not (self.check and self.changed)


def files_to_format(paths: Sequence[Path], incidents: Path) -> tuple[list[str], Settings]:
    """The files to format, and the learning log's settings (for its size limit).

    The given files and the records under the given folders, or without any, every record
    under ``incidents``, whose taxonomy must then load: a wrong folder gets the answer
    ``nearmiss check`` gives (``CannotRun``), as do broken settings.
    """
    if paths:
        files = [str(f) for p in paths for f in ([p] if p.is_file() else
                                                 [Path(x) for x in discover(p)])]
    else:
        load_taxonomy(incidents)
        files = discover(incidents)
    settings = load_settings(incidents)[0] if incidents.is_dir() else Settings()
    return files, settings


def format_files(files: Iterable[str], incidents: Path, *, check: bool,
                 max_bytes: int = MAX_BYTES) -> Iterator[Outcome]:
    """Format each file (``format_file``), one outcome as each is done. A file that cannot
    be formatted is left untouched and the others carry on; a link to a file outside
    ``incidents`` is refused, as ``nearmiss check`` refuses to read it."""
    inside = os.path.realpath(incidents)
    for name in files:
        if links_outside(name, inside):
            yield Outcome(name, error=f"a link to a file outside {incidents}")
            continue
        try:
            outcome = Outcome(name, format_file(Path(name), check=check, max_bytes=max_bytes))
        except FormatError as exc:
            outcome = Outcome(name, error=str(exc))
        except OSError as exc:
            outcome = Outcome(name, error=str(exc.strerror))
        yield outcome


def tally(outcomes: Sequence[Outcome], *, check: bool) -> Tally:
    return Tally(len(outcomes), sum(o.changed for o in outcomes),
                 sum(bool(o.error) for o in outcomes), check)


# --- screening -------------------------------------------------------------------------------

def _first_break_is_crlf(text: str) -> bool:
    index = text.find("\n")
    return index > 0 and text[index - 1] == "\r"


def _screen(text: str, max_bytes: int) -> MappingNode:
    """Refuse what ``nearmiss check`` would not read as one mapping, using its own reader."""
    for char, name in _REFUSED_BREAKS.items():
        index = text.find(char)
        if index >= 0:
            raise FormatError(f"the file holds the character {name}, which YAML 1.1 tools read "
                              "as a line break and newer ones do not; use an ordinary line "
                              "break or a space", *line_column(text, index))
    data = text.encode("utf-8")
    sink = Sink("<record>")
    root = load(data, sink, max_bytes)
    if root is None:
        problem = next((p for p in sink.problems if p.is_error), None)
        if problem is None:  # pragma: no cover - load always says why
            raise FormatError("the file cannot be read as YAML")
        raise FormatError(problem.message, problem.line, problem.column)
    if not isinstance(root, MappingNode):
        what = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise FormatError(f"the file holds {what}, not a mapping of field: value",
                          root.start_mark.line + 1, root.start_mark.column + 1)
    if "&" in text:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                line, column = position(event)
                raise FormatError(f"the anchor '&{event.anchor}' is not allowed in records; "
                                  "remove it", line, column)
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if key.tag == _MERGE_TAG:
                    raise FormatError("merge keys ('<<') are not allowed in records; write "
                                      "the fields out", key.start_mark.line + 1,
                                      key.start_mark.column + 1)
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return root


def _compose(text: str, what: str) -> MappingNode:
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as exc:  # pragma: no cover - only a ruamel bug gets here
        raise FormatError(f"{what} could not be read back ({exc}); the file was left as is") \
            from None
    if not isinstance(node, MappingNode):  # pragma: no cover - idem
        raise FormatError(f"{what} is not a mapping; the file was left as is")
    return node


# --- where things stand in a text: scalars, comments, anchors -------------------------------

@dataclass
class _Anchor:
    """A mapping entry (its key) or a list item (its dash): what comments attach to."""

    path: Path_
    line: int  # 0-based start: the key, or the dash of a list item
    col: int
    eol_line: int  # the line an end-of-line comment of this entry is written on
    last_line: int  # the last line the entry occupies
    last_in_container: bool
    parent: _Anchor | None

    def ancestors(self) -> list[_Anchor]:
        """Itself, then its parent, and so on up to a top-level entry."""
        chain: list[_Anchor] = []
        anchor: _Anchor | None = self
        while anchor is not None:
            chain.append(anchor)
            anchor = anchor.parent
        return chain

    def contains(self, other: _Anchor) -> bool:
        return len(other.path) > len(self.path) and other.path[: len(self.path)] == self.path


@dataclass
class _Source:
    """One text with its node tree: which lines are comments, and every anchor in order."""

    lines: list[str]
    root: MappingNode
    eol: dict[int, tuple[int, str]] = field(default_factory=dict)  # line -> (col, comment)
    full: dict[int, tuple[int, str]] = field(default_factory=dict)  # full-line comments
    masked: set[int] = field(default_factory=set)  # lines wholly inside a scalar
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # scalar parts
    anchors: list[_Anchor] = field(default_factory=list)
    by_path: dict[Path_, _Anchor] = field(default_factory=dict)
    starts: list[tuple[int, int]] = field(default_factory=list)
    line_min_col: dict[int, int] = field(default_factory=dict)
    children: dict[Path_, list[_Anchor]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._find_comments()
        self._find_anchors()

    # comments: a '#' after whitespace (or at a line's start) outside every scalar
    def _find_comments(self) -> None:
        partial = self.spans
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))
                continue
            if isinstance(node, SequenceNode):
                stack.extend(node.value)
                continue
            start, end = node.start_mark, node.end_mark
            if isinstance(node, ScalarNode) and node.style in ("|", ">"):
                # the header line may carry a comment
                first, first_col = start.line + 1, 0
            else:
                first, first_col = start.line, start.column
            if (first, first_col) >= (end.line, end.column):
                continue
            if first == end.line:
                partial.setdefault(first, []).append((first_col, end.column))
                continue
            partial.setdefault(first, []).append((first_col, 1 << 62))
            if first_col == 0:
                self.masked.add(first)
            self.masked.update(range(first + 1, end.line))
            if end.column:
                partial.setdefault(end.line, []).append((0, end.column))
        for number, line in enumerate(self.lines):
            if "#" not in line or number in self.masked:
                continue
            spans = partial.get(number, ())
            index = line.find("#")
            while index >= 0:
                if (index == 0 or line[index - 1] in " \t") and not any(
                        a <= index < b for a, b in spans):
                    text = line[index:].rstrip()
                    if line[:index].strip():
                        self.eol[number] = (index, text)
                    else:
                        self.full[number] = (index, text)
                    break
                index = line.find("#", index + 1)

    def in_scalar(self, number: int, col: int) -> bool:
        return number in self.masked or any(a <= col < b for a, b in self.spans.get(number, ()))

    def content(self, number: int) -> str:
        """A line without its comment."""
        line = self.lines[number]
        comment = self.eol.get(number) or self.full.get(number)
        return line[: comment[0]] if comment else line

    def is_blank(self, number: int) -> bool:
        return number not in self.masked and not self.lines[number].strip()

    # anchors
    def _dash(self, item: Node) -> tuple[int, int]:
        """Where the '-' of a block list item stands (the item's own start if none)."""
        line, col = item.start_mark.line, item.start_mark.column
        segment = self.content(line)[:col]
        while True:
            stripped = segment.rstrip()
            if stripped:
                return (line, len(stripped) - 1) if stripped.endswith("-") else \
                    (item.start_mark.line, item.start_mark.column)
            line -= 1
            if line < 0:
                return item.start_mark.line, item.start_mark.column
            segment = self.content(line)

    def _find_anchors(self) -> None:
        self._visit(self.root, (), None)
        self.anchors.sort(key=lambda a: (a.line, a.col, len(a.path)))
        self.starts = [(a.line, a.col) for a in self.anchors]
        for anchor in self.anchors:
            self.by_path[anchor.path] = anchor
            self.line_min_col[anchor.line] = min(anchor.col,
                                                 self.line_min_col.get(anchor.line, anchor.col))
            self.children.setdefault(anchor.path[:-1], []).append(anchor)

    def _visit(self, node: Node, path: Path_, parent: _Anchor | None) -> None:
        if isinstance(node, MappingNode):
            entries = [((k.start_mark.line, k.start_mark.column), k.end_mark.line, v)
                       for k, v in node.value]
        elif isinstance(node, SequenceNode):
            entries = []
            for item in node.value:
                start = (item.start_mark.line, item.start_mark.column) if node.flow_style \
                    else self._dash(item)
                entries.append((start, start[0], item))
        else:
            return
        for index, ((line, col), head_end, value) in enumerate(entries):
            anchor = _Anchor(path + (index,), line, col, 0, 0,
                             index == len(entries) - 1, parent)
            self.anchors.append(anchor)
            self._visit(value, anchor.path, anchor)
            anchor.last_line = self.last_line(value, head_end)
            if isinstance(value, ScalarNode) and value.style in ("|", ">"):
                anchor.eol_line = value.start_mark.line
            elif isinstance(value, (MappingNode, SequenceNode)) and not value.flow_style:
                anchor.eol_line = line
            else:
                anchor.eol_line = anchor.last_line

    def last_line(self, node: Node, head_end: int) -> int:
        """The last line a value occupies; ``head_end`` is where its key or dash ends."""
        if isinstance(node, ScalarNode):
            if node.value == "" and node.style is None:  # empty: its marks point past it
                return head_end
        elif isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style \
                and node.value:
            if isinstance(node, MappingNode):
                key, value = node.value[-1]
                return self.last_line(value, key.end_mark.line)
            item = node.value[-1]
            return self.last_line(item, self._dash(item)[0])
        end = node.end_mark
        return max(end.line - 1 if end.column == 0 else end.line, node.start_mark.line)

    def last_before(self, line: int, col: int) -> _Anchor | None:
        index = bisect.bisect_left(self.starts, (line, col))
        return self.anchors[index - 1] if index else None

    def first_after_line(self, line: int) -> _Anchor | None:
        index = bisect.bisect_left(self.starts, (line + 1, -1))
        return self.anchors[index] if index < len(self.anchors) else None


# --- reordering ---------------------------------------------------------------------------------

def _new_order(node: MappingNode, table: dict[str, Any]) -> list[int]:
    """Old pair indices in their canonical order: known keys first, in table order."""
    names = {str(k.value): i for i, (k, _) in enumerate(node.value)
             if isinstance(k, ScalarNode) and str(k.value) in table}
    known = [names[name] for name in table if name in names]
    taken = set(known)
    return known + [i for i in range(len(node.value)) if i not in taken]


def _plan(root: MappingNode) -> dict[Path_, list[int]]:
    """Container path (the path of the entry holding it; () for the root) -> new order."""
    plan: dict[Path_, list[int]] = {(): _new_order(root, FIELDS)}
    for index, (key, value) in enumerate(root.value):
        name = str(key.value) if isinstance(key, ScalarNode) else None
        if name == "follow_up" and isinstance(value, MappingNode):
            plan[(index,)] = _new_order(value, FOLLOW_UP_FIELDS)
        elif name == "actions" and isinstance(value, SequenceNode):
            for position, item in enumerate(value.value):
                if isinstance(item, MappingNode):
                    plan[(index, position)] = _new_order(item, ACTION_FIELDS)
    return {path: order for path, order in plan.items() if order != sorted(order)}


def _translate(path: Path_, moves: dict[Path_, list[int]]) -> Path_:
    """Where an entry of the input stands in the output; ``moves`` maps a container path
    to the new index of each old one (``_moves``)."""
    out = []
    for depth, index in enumerate(path):
        moved = moves.get(path[:depth])
        out.append(moved[index] if moved else index)
    return tuple(out)


def _moves(plan: dict[Path_, list[int]]) -> dict[Path_, list[int]]:
    """The plan inverted: for each container, old index -> new index."""
    moves = {}
    for path, order in plan.items():
        moved = [0] * len(order)
        for new, old in enumerate(order):
            moved[old] = new
        moves[path] = moved
    return moves


# --- ruamel.yaml: values and layout -------------------------------------------------------------

class _Plain(str):
    """An unquoted scalar kept exactly as written, with the tag YAML resolved it to."""

    yaml_tag: str


def _keep_plain(original: Callable[..., Any]) -> Callable[..., Any]:
    def construct(constructor: RoundTripConstructor, node: Any) -> Any:
        if node.style is None:
            kept = _Plain(node.value)
            kept.yaml_tag = node.tag
            return kept
        return original(constructor, node)
    return construct


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps unquoted numbers, dates, booleans and nulls as
    their own text: ruamel would otherwise rewrite ``~`` as empty, ``True`` as ``true``,
    ``+12`` as ``12`` and round nanoseconds."""


for _name in ("null", "bool", "int", "float", "timestamp"):
    _tag = "tag:yaml.org,2002:" + _name
    _Constructor.add_constructor(_tag, _keep_plain(RoundTripConstructor.yaml_constructors[_tag]))


class _Representer(RoundTripRepresenter):
    pass


def _represent_plain(representer: RoundTripRepresenter, data: _Plain) -> Any:
    return representer.represent_scalar(data.yaml_tag, str(data))


_Representer.add_representer(_Plain, _represent_plain)


def _yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.Constructor = _Constructor
    handler.Representer = _Representer
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = _WIDTH
    handler.preserve_quotes = True
    handler.allow_unicode = True
    return handler


def _for_ruamel(lines: list[str], source: _Source) -> str:
    """The text as ruamel.yaml should read it: leading directives (%YAML 1.1) blanked, as
    the output has none and ruamel would otherwise apply YAML 1.1 rules; tabs outside
    scalars (separators libyaml accepts and ruamel does not, as in 'key:<TAB>value')
    turned into spaces. Neither changes a value or moves a column."""
    out = list(lines)
    for number, line in enumerate(lines):
        if line.startswith("%"):
            out[number] = ""
        elif line.strip() and number not in source.full:
            break
    for number, line in enumerate(out):
        if "\t" in line and number not in source.masked:
            out[number] = "".join(" " if char == "\t" and not source.in_scalar(number, col)
                                  else char for col, char in enumerate(line))
    return "\n".join(out)


def _strip_comments(data: Any) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if hasattr(item, "ca"):
            setattr(item, Comment.attrib, Comment())
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif getattr(item, "comment", None) is not None:  # block scalars keep their own
            item.comment = None


def _dump(text: str, root: MappingNode, plan: dict[Path_, list[int]]) -> str:
    handler = _yaml()
    try:
        data = handler.load(text)
    except Exception as exc:  # ruamel disagrees with libyaml: refuse, never crash
        raise _ruamel_error("read", exc) from None
    targets = []
    for path, order in plan.items():
        target: Any = data
        for index in path:
            target = list(target.values())[index] if isinstance(target, dict) else target[index]
        targets.append((target, order))
    for target, order in targets:
        keys = list(target.keys())
        for index in order:
            target.move_to_end(keys[index])
    _strip_comments(data)
    buffer = io.StringIO()
    try:
        handler.dump(data, buffer)
    except Exception as exc:  # pragma: no cover - a ruamel bug; refuse rather than crash
        raise _ruamel_error("write", exc) from None
    body = buffer.getvalue()
    # ruamel ends a document whose last value is a '|+' block scalar with '...'; the
    # scalar's trailing blank lines run to the end of the file without it
    return body[:-4] if body.endswith("\n...\n") else body


def _ruamel_error(verb: str, exc: Exception) -> FormatError:
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return FormatError(f"ruamel.yaml cannot {verb} this file: {problem}", line, column)


# --- putting the comments back ------------------------------------------------------------------

@dataclass
class _Attached:
    """Every comment of the input, attached to an entry (by path) or to the file."""

    header: list[str] = field(default_factory=list)
    header_gap: bool = False  # a blank line between the header block and the fields
    before: dict[Path_, list[list[str]]] = field(default_factory=dict)
    eol: dict[Path_, list[str]] = field(default_factory=dict)
    trailer: dict[Path_, list[list[str]]] = field(default_factory=dict)  # () = end of file


def _trim(block: list[str]) -> list[str]:
    while block and block[0] == _BLANK:
        block.pop(0)
    while block and block[-1] == _BLANK:
        block.pop()
    return block


def _attach(source: _Source) -> _Attached:
    found = _Attached()
    first = source.anchors[0].line if source.anchors else len(source.lines)
    # the header: everything above the first entry
    head: list[str] = []
    for number in range(first):
        comment = source.full.get(number) or source.eol.get(number)
        if comment:
            head.append(comment[1])
        elif source.is_blank(number):
            head.append(_BLANK)
    gap = bool(head) and head[-1] == _BLANK
    head = _trim(head)
    if head and not gap and _BLANK in head and source.anchors:
        split = len(head) - 1 - head[::-1].index(_BLANK)
        head, touching = head[:split], head[split + 1:]
        found.before.setdefault(source.anchors[0].path, []).append(touching)
        gap = True
    found.header, found.header_gap = _trim(head), gap and bool(head)

    run: list[str] = []
    run_start = run_end = run_col = last_col = 0

    def flush() -> None:
        block = _trim(list(run))
        if block:
            _attach_run(source, found, block, run_start, run_end, run_col)
        run.clear()

    for number in range(first, len(source.lines)):
        if number in source.full:
            col, text = source.full[number]
            if run and col < last_col:  # dedented: a new block (as after a list's own note)
                flush()
            last_col = col
            if not any(line != _BLANK for line in run):
                run.clear()
                run_start, run_col = number, col
            run.append(text)
            run_end = number
        elif source.is_blank(number):
            if run:
                run.append(_BLANK)
        else:
            flush()
            if number in source.eol:
                col, text = source.eol[number]
                owner = source.last_before(number, col)
                if owner is None:  # pragma: no cover - a line after the first entry
                    found.header.append(text)
                else:
                    found.eol.setdefault(owner.path, []).append(text)
    flush()
    return found


def _attach_run(source: _Source, found: _Attached, block: list[str], start: int, end: int,
                col: int) -> None:
    """Attach full-line comments (lines ``start``..``end``, first one at ``col``)."""
    after = source.first_after_line(end)
    previous = source.last_before(start, 0)
    if previous is None:  # pragma: no cover - runs start after the first entry
        found.header.extend(block)
        return
    # inside an entry's own value (between a key and its value, inside a flow collection)
    for anchor in previous.ancestors():
        if anchor.last_line > end:
            if after is None or not anchor.contains(after):
                found.before.setdefault(anchor.path, []).append(block)
                return
            break
    if after is not None and col <= after.col:
        found.before.setdefault(after.path, []).append(block)
        return
    owner = next((a for a in previous.ancestors() if a.col <= col), None)
    if owner is not None and owner.last_in_container and \
            (after is None or not owner.contains(after)):
        found.trailer.setdefault(owner.path[:-1], []).append(block)
    elif after is not None:
        found.before.setdefault(after.path, []).append(block)
    else:
        found.trailer.setdefault((), []).append(block)


def _place_comments(source: _Source, out: _Source, plan: dict[Path_, list[int]]
                    ) -> tuple[str, list[str]]:
    """The output text with every comment of the input put back; also every comment line
    the result must hold, for the final check."""
    found = _attach(source)
    moves = _moves(plan)
    before: dict[int, list[str]] = {}
    after: dict[int, list[tuple[int, list[str]]]] = {}
    eol: dict[int, list[str]] = {}
    end_of_file: list[str] = []

    expected: list[str] = [line for line in found.header if line != _BLANK]

    def indent(lines: list[str], col: int) -> list[str]:
        expected.extend(line for line in lines if line != _BLANK)
        return [" " * col + line if line != _BLANK else _BLANK for line in lines]

    for path, blocks in found.before.items():
        anchor = out.by_path[_translate(path, moves)]
        col = out.line_min_col[anchor.line]
        for block in blocks:
            before.setdefault(anchor.line, []).extend(indent(block, col))
    for path, texts in found.eol.items():
        target = out.by_path[_translate(path, moves)].eol_line
        # a line that ends inside a quoted scalar spanning lines cannot take a comment
        while target < len(out.lines) - 2 and out.in_scalar(target, len(out.lines[target])):
            target += 1
        eol.setdefault(target, []).extend(texts)
    for path, blocks in found.trailer.items():
        lines = [line for block in blocks for line in block]
        if path == ():
            end_of_file.extend(indent(lines, 0))
            continue
        container = _translate(path, moves)
        col = out.children[container][0].col if out.children.get(container) else 0
        last = out.by_path[container].last_line
        after.setdefault(last, []).append((len(path), indent(lines, col)))

    body = out.lines[:-1] if out.lines and out.lines[-1] == "" else out.lines
    result: list[str] = list(found.header)
    if found.header and found.header_gap:
        result.append(_BLANK)
    for number, line in enumerate(body):
        result.extend(before.get(number, ()))
        texts = eol.get(number) or []
        if line[-1:] in (" ", "\t") and not out.in_scalar(number, len(line) - 1):
            line = line.rstrip(" \t")  # as after an empty list item: '- '
        result.append(f"{line}  {'  '.join(texts)}" if texts else line)
        for _, lines in sorted(after.get(number, ()), key=lambda item: -item[0]):
            result.extend(lines)
    result.extend(end_of_file)
    expected += ["  ".join(texts) for texts in eol.values()]
    return "\n".join(result) + "\n", expected


# --- the safety net -------------------------------------------------------------------------------

def _canon(node: Node, path: Path_, plan: dict[Path_, list[int]]) -> Any:
    if isinstance(node, ScalarNode):
        return ("s", node.tag, node.value)
    if isinstance(node, SequenceNode):
        return ("q", node.tag, tuple(_canon(item, path + (i,), plan)
                                     for i, item in enumerate(node.value)))
    assert isinstance(node, MappingNode)
    order = plan.get(path, range(len(node.value)))
    return ("m", node.tag, tuple((_canon(node.value[i][0], path + (i,), plan),
                                  _canon(node.value[i][1], path + (i,), plan)) for i in order))


def _verify(root: MappingNode, plan: dict[Path_, list[int]], result: str,
            expected_comments: list[str]) -> None:
    """Refuse to return a text that reads differently or lost a comment."""
    final_root = _compose(result, "the formatted text")
    if _canon(final_root, (), {}) != _canon(root, (), plan):  # pragma: no cover - safety net
        raise FormatError("formatting would change a value here (a case the formatter cannot "
                          "handle); the file was left as is")
    final = _Source(result.split("\n"), final_root)
    comments = [text for _, text in list(final.full.values()) + list(final.eol.values())]
    if sorted(comments) != sorted(expected_comments):  # pragma: no cover - safety net
        raise FormatError("formatting would move or lose a comment here (a case the "
                          "formatter cannot handle); the file was left as is")
