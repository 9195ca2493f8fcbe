"""Plain words for the YAML mistakes people make when they write a record by hand.

libyaml says where it gave up ("mapping values are not allowed in this context", often on
the line after the mistake, or one line past the end of the file); a reporter needs to
know what to change, and where. Each diagnosis below reads the lines around libyaml's
marks (and, for a few, the tokens it scanned) to name the mistake in plain words, with the
fix as the hint, at the place to act: the second colon of a title, the tab, the quote or
bracket never closed, the field indented out of line.

Only the wording and the place change; the code stays ``yaml-syntax``. What no diagnosis
recognises keeps libyaml's words, at a place clamped to the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

# YAML's line breaks (not str.splitlines', which also splits on \v, \f and \x1c-\x1e)
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# `name:` at the start of a line (after any list dashes), followed by a space or the end
_FIELD = re.compile(r"(?P<lead> *(?:- +)*)(?P<key>[^\s#'\"\[\]{}&*!|>%@`,?:-][^:#]*?) *:(?= |\t|$)")
# `name:value` with no space after the colon (a URL's "://" is not one)
_NO_SPACE_COLON = re.compile(r"(?P<lead> *(?:- +)*)(?P<key>[\w-]+):(?P<rest>[^\s:/][^\n]*)")
# `-item` with no space after the dash (a negative number or '---' is not one)
_NO_SPACE_DASH = re.compile(r"(?P<lead> *)-(?P<rest>[^\s\d-][^\n]*)")
# a field whose value is a block scalar: `what_happened: |`, `|-`, `>2`, a comment after
_BLOCK_HEADER = re.compile(r".*?:[ \t]+(?P<indicator>[|>])[-+0-9]*[ \t]*(?:#.*)?$")
_SHORT = 60  # a value longer than this is not repeated in full in a hint
_NOT_A_FIELD = "this line is neither a field ('name: value') nor indented under one"
_NOT_A_FIELD_HINT = ("indent it under the field whose text it continues, or start it with a "
                     "field name and ': '")


@dataclass(frozen=True)
class Diagnosis:
    """A YAML mistake in plain words: where to act (1-based), what is wrong, the fix."""

    line: int
    column: int
    message: str
    hint: str


class _Text:
    """The file's lines as libyaml counts them, and what the diagnoses ask of them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _BREAK.split(text)
        if len(self.lines) > 1 and self.lines[-1] == "":
            self.lines.pop()  # the empty "line" after a final line break is not one

    def __getitem__(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def content_before(self, number: int) -> int | None:
        """The nearest line above ``number`` that holds more than spaces or a comment."""
        for n in range(min(number, len(self.lines)) - 1, -1, -1):
            stripped = self.lines[n].strip()
            if stripped and not stripped.startswith("#"):
                return n
        return None

    def clamp(self, line: int, column: int) -> tuple[int, int]:
        """A 0-based place inside the file: libyaml reports the end of the stream on the
        line after the last one, which no editor can show."""
        if line < len(self.lines):
            return line, column
        last = len(self.lines) - 1
        return last, len(self.lines[last].rstrip())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _quoted(value: str) -> str:
    """``value`` in the quotes that need no escaping inside."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _plain_value(rest: str) -> str:
    """A plain value as written after its colon: a ' #' starts a comment."""
    return re.split(r"[ \t]#", rest, maxsplit=1)[0].strip()


def _key_column(match: re.Match[str]) -> int:
    return len(match["lead"])


_Mark = tuple[int, int]  # 0-based line and column
_Found = tuple[_Mark, str, str]  # where to act, the message, the hint
_Scan = Callable[[str], list[yaml.Token]]


def explain(exc: yaml.MarkedYAMLError, text: str,
            scan: Callable[[str], list[yaml.Token]]) -> Diagnosis:
    """The mistake behind a parser error, in words a reporter can act on. ``scan`` gives
    the tokens the scanner reads before it stops (some diagnoses look at them)."""
    source = _Text(text)
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    at: _Mark = (mark.line, mark.column) if mark else (0, 0)
    context_at: _Mark = (exc.context_mark.line, exc.context_mark.column) \
        if exc.context_mark else at
    tokens: list[list[yaml.Token]] = []

    def scanned(text: str) -> list[yaml.Token]:  # scanned once, when a diagnosis asks
        if not tokens:
            tokens.append(scan(text))
        return tokens[0]

    found = None
    for diagnose in _DIAGNOSES:
        found = diagnose(source, problem, context, at, context_at, scanned)
        if found is not None:
            break
    if found is None:
        said = f"{problem} ({context})" if context else problem
        found = (at, " ".join(f"this is not valid YAML: {said}".split()),
                 "check this line and the one above it: a value holding ': ' or starting "
                 "with a special character needs quotes, and fields of one mapping start "
                 "in the same column")
    (line, column), message, hint = found
    line, column = source.clamp(line, column)
    return Diagnosis(line + 1, column + 1, message, hint)


# --- the diagnoses, most specific first -----------------------------------------------------
# Each takes the text, libyaml's problem and context, the problem's place and the context's
# place (0-based), and the scanner; it returns (place, message, hint) or None.


def _tab(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
         scan: _Scan) -> _Found | None:
    line = source[at[0]]
    is_tab = "tab character" in problem or "'\\t'" in problem or (
        "cannot start any token" in problem and line[at[1]:at[1] + 1] == "\t")
    if not is_tab:
        return None
    lead = line[:len(line) - len(line.lstrip(" \t"))]
    column = lead.index("\t") if "\t" in lead else at[1]
    return ((at[0], column), "a tab is used for indentation; YAML allows only spaces",
            "replace the tab with spaces (most editors can be set to indent with spaces)")


def _reserved_start(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                    scan: _Scan) -> _Found | None:
    line = source[at[0]]
    first = line[at[1]:at[1] + 1]
    if first and (("cannot start any token" in problem and first in "@`%")
                  or ("expected node content" in problem and first in "]},")
                  or ("undefined alias" in problem and first == "*")
                  or ("mapping keys are not allowed" in problem and first == "?")):
        pass
    elif any(word in context for word in ("anchor", "alias", "directive", "tag")) \
            and line[context_at[1]:][:1] in "&*%!":
        at, first = context_at, line[context_at[1]]
    elif "tag handle" in problem and line[at[1]:][:1] == "!":
        first = "!"
    else:
        return None
    field = _FIELD.match(line)
    value = _plain_value(line[at[1]:])
    hint = f"put it in quotes: {field['key']}: {_quoted(value)}" \
        if field and len(value) <= _SHORT else "put the value in quotes"
    return at, f"a value cannot start with '{first}' unless it is in quotes", hint


def _colon_in_value(field: str, at: _Mark, value: str, block: bool = False) -> _Found:
    message = (f"a colon followed by a space starts a new field, so the value of "
               f"'{field}' cannot hold ': ' unquoted")
    if block or len(value) > _SHORT or not value:
        hint = (f"put the whole value in quotes, or write it on indented lines under "
                f"'{field}: |'")
    else:
        hint = f"put the value in quotes: {field}: {_quoted(value)}"
    return at, message, hint


def _indented_out_of_line(source: _Text, number: int) -> _Found:
    """A field (or text) on line ``number`` that does not line up with the fields above."""
    line = source[number]
    column = _indent(line)
    field = _FIELD.match(line)
    name = f"'{field['key'].strip()}'" if field else "it"
    above = source.content_before(number)
    sibling = _FIELD.match(source[above]) if above is not None else None
    if sibling is not None and above is not None:
        hint = (f"start {name} in column {_key_column(sibling) + 1}, like "
                f"'{sibling['key'].strip()}' on line {above + 1}, or indent it under the "
                "field it belongs to")
    else:
        hint = "start it in the same column as the field names around it"
    return ((number, column),
            "this line is indented differently from the fields around it; line the field "
            "names up", hint)


def _list_item_out_of_line(source: _Text, number: int) -> _Found:
    column = _indent(source[number])
    for n in range(number - 1, -1, -1):
        above = source[n]
        if above.lstrip(" ").startswith("- ") or above.strip() == "-":
            hint = f"start its '-' in column {_indent(above) + 1}, like the item on line {n + 1}"
            break
    else:
        hint = "line its '-' up with the other items of the list"
    return ((number, column),
            "this list item is indented differently from the items above it; line the "
            "dashes up", hint)


def _missing_space(source: _Text, number: int) -> _Found | None:
    """`key:value` or `-item` on line ``number``: the space YAML needs is missing."""
    line = source[number]
    if ": " not in line:
        colon = _NO_SPACE_COLON.fullmatch(line.rstrip())
        if colon is not None:
            where = (number, _key_column(colon) + len(colon["key"]))
            rest = colon["rest"].strip()
            return (where, f"'{colon['key']}' needs a space after its colon to be a field",
                    f"write {colon['key']}: {rest}" if _shown(rest) else
                    f"put a space after '{colon['key']}:'")
    dash = _NO_SPACE_DASH.match(line)
    if dash is not None:
        item = dash["rest"].strip()
        return ((number, len(dash["lead"])),
                "a list item needs a space after its '-'",
                f"write - {item}" if _shown(item) else "put a space after the '-'")
    return None


def _shown(value: str) -> bool:
    """Whether a hint may end with the user's own text: short, and without a full stop
    that would read as the hint's own."""
    return len(value) <= _SHORT and not value.endswith(".")


def _value_then_items(source: _Text, above: int, number: int) -> _Found | None:
    """A `- item` on line ``number`` under `key: value` on line ``above``."""
    item = source[number].strip()
    if not (item.startswith("- ") or item == "-"):
        return None
    field = _FIELD.match(source[above])
    if field is None or _indent(source[number]) < _key_column(field):
        return None  # a dash left of the field is an item of some list further out
    value = _plain_value(source[above][field.end() + 1:])
    if not value or _BLOCK_HEADER.match(source[above]):
        return None
    key = field["key"].strip()
    start = source[above].index(value, field.end())
    return ((above, start),
            f"'{key}' has a value on its own line, so the '- ' items below it cannot belong "
            "to it",
            f"leave nothing after '{key}:' and give every item its own '- ' line")


def _mapping_values(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                    scan: _Scan) -> _Found | None:
    """'mapping values are not allowed': a ': ' where no new field can start."""
    if "mapping values are not allowed" not in problem:
        return None
    number, column = at
    line = source[number]
    field = _FIELD.match(line)
    if field is not None and field.end() < column:  # the line's first field is before it
        return _colon_in_value(field["key"].strip(), at, _plain_value(line[field.end() + 1:]))
    above = source.content_before(number)
    if above is not None:
        found = _missing_space(source, above) or _value_then_items(source, above, number)
        if found is not None:
            return found
        if source.content_before(above) is None and not _FIELD.match(source[above]) \
                and not source[above].lstrip().startswith("-"):
            return (above, _indent(source[above])), _NOT_A_FIELD, _NOT_A_FIELD_HINT
    if field is not None and " " in field["key"].strip() and above is not None:
        # words with a ': ' on a line that continues the value above
        for n in range(number - 1, -1, -1):
            owner = _FIELD.match(source[n])
            if owner is not None and _key_column(owner) < _indent(line):
                return _colon_in_value(owner["key"].strip(), at, "", block=True)
    return _indented_out_of_line(source, number)


def _last_token_before(tokens: list[yaml.Token], at: _Mark) -> yaml.Token | None:
    before = [t for t in tokens if (t.start_mark.line, t.start_mark.column) < at
              and not isinstance(t, (yaml.BlockEndToken, yaml.StreamStartToken))]
    return before[-1] if before else None


def _unexpected_on_line(source: _Text, problem: str, context: str, at: _Mark,
                        context_at: _Mark, scan: _Scan) -> _Found | None:
    """'did not find expected key' (or '-' indicator): something where libyaml wanted the
    next field or list item."""
    if not ("did not find expected key" in problem or "expected '-' indicator" in problem
            or "expected <block end>" in problem):
        return None
    number, column = at
    line = source[number]
    if column > _indent(line):  # something follows a complete value on the same line
        last = _last_token_before(scan(source.text), at)
        if isinstance(last, yaml.ScalarToken) and last.style in ("'", '"'):
            quote = last.style
            if last.end_mark.line > last.start_mark.line:
                return ((last.start_mark.line, last.start_mark.column),
                        f"this quote is closed only on line {last.end_mark.line + 1}, so "
                        "the lines in between are read as part of the value",
                        f"end the value with a matching {quote} on its own line")
            hint = ("to keep an apostrophe inside single quotes, write it twice (Don''t), "
                    "or put the whole value in double quotes") if quote == "'" else (
                "to keep a quote inside double quotes, write it as \\\", or put the whole "
                "value in single quotes")
            return ((last.end_mark.line, last.end_mark.column - 1),
                    "the quoted value ends at this quote, so the text after it is not "
                    "allowed", hint)
        if isinstance(last, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)):
            bracket = "]" if isinstance(last, yaml.FlowSequenceEndToken) else "}"
            return (at, f"the '{bracket}' before this closes the value, so nothing may "
                        "follow it on the line",
                    "remove what follows it, or put the whole value in quotes")
        return None
    above = source.content_before(number)
    if line.lstrip(" ").startswith("-"):
        found = _missing_space(source, number)
        if found is not None:
            return found
        if above is not None:
            found = _value_then_items(source, above, number)
            if found is not None:
                return found
        return _list_item_out_of_line(source, number)
    last = _last_token_before(scan(source.text), at)
    if isinstance(last, yaml.ScalarToken) and last.style in ("|", ">") \
            and not _FIELD.match(line):
        return ((number, column),
                f"this line is indented less than the text above it under '{last.style}', "
                "so it ends that text",
                "indent every line of the text at least as much as its first line")
    return _indented_out_of_line(source, number)


def _simple_key(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                scan: _Scan) -> _Found | None:
    """"could not find expected ':'": a line where a field should start has no ': '."""
    if "could not find expected ':'" not in problem:
        return None
    number, column = context_at
    line = source[number]
    above = source.content_before(number)
    header = _BLOCK_HEADER.match(source[above]) if above is not None else None
    if header is not None and above is not None:
        owner = _FIELD.match(source[above])
        owner_column = _key_column(owner) if owner else _indent(source[above])
        if _indent(line) <= owner_column:
            name = f"'{owner['key'].strip()}'" if owner else "its field"
            return ((number, column),
                    f"the text under '{header['indicator']}' must be indented; this line "
                    "is not, so it cannot belong to it",
                    f"indent every line of the text by two spaces more than {name}")
    found = _missing_space(source, number)
    if found is not None:
        return found
    return (number, column), _NOT_A_FIELD, _NOT_A_FIELD_HINT


def _flow(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
          scan: _Scan) -> _Found | None:
    """A '[' or '{' list or mapping that breaks: never closed, or an item needing quotes."""
    if "flow node" in context:  # a '[' or '{' (or a ',' in one) with nothing after it
        opened: list[yaml.Token] = []
        for token in scan(source.text):
            if (token.start_mark.line, token.start_mark.column) >= at:
                break
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                opened.append(token)
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) \
                    and opened:
                opened.pop()
        if not opened:
            return None
        context_at = (opened[-1].start_mark.line, opened[-1].start_mark.column)
        at = (len(source.lines), 0)  # never closed: as if libyaml had reached the end
        context = "flow sequence" if isinstance(opened[-1], yaml.FlowSequenceStartToken) \
            else "flow mapping"
    if "flow sequence" in context:
        opening, closing, what = "[", "]", "list"
    elif "flow mapping" in context:
        opening, closing, what = "{", "}", "mapping"
    else:
        return None
    start_line, start_column = context_at
    depth = 0
    for n in range(start_line, min(at[0], len(source.lines) - 1) + 1):
        part = source[n][start_column:] if n == start_line else source[n]
        for ch in part:
            depth += (ch == opening) - (ch == closing)
            if depth == 0:
                break
        if depth == 0:
            break
    if depth > 0:
        example = ("tags: [scheduling, dispatch]" if opening == "[" else
                   "follow_up: {date: 2026-03-29, how: Phoned the customer}")
        return (context_at, f"the '{opening}' opened here is never closed",
                f"end the {what} with '{closing}', e.g. {example}")
    return (at, f"an item of this {what} cannot hold ': ', '[', '{{' or a quote unquoted",
            "put the item in quotes")


def _quoted_scalar(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                   scan: _Scan) -> _Found | None:
    if "quoted scalar" not in context:
        return None
    if "escape" in problem:
        escape = source[at[0]][at[1]:at[1] + 2]
        return (at, f"a backslash inside double quotes starts an escape such as \\n, and "
                    f"'{escape}' is not one",
                "put the value in single quotes, or write the backslash twice (\\\\)")
    quote = source[context_at[0]][context_at[1]:context_at[1] + 1] or '"'
    return (context_at, "this quote is never closed",
            f"end the value with a matching {quote} on the same line")


def _block_header(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                  scan: _Scan) -> _Found | None:
    if "block scalar" not in context:
        return None
    indicator = source[context_at[0]][context_at[1]:context_at[1] + 1] or "|"
    return (at, f"the text of a '{indicator}' block starts on the line below the "
                f"'{indicator}', not after it",
            "move the text to the next line, indented by two spaces more than its field")


def _dash_after_colon(source: _Text, problem: str, context: str, at: _Mark,
                      context_at: _Mark, scan: _Scan) -> _Found | None:
    if "block sequence entries are not allowed" not in problem:
        return None
    field = _FIELD.match(source[at[0]])
    value = _plain_value(source[at[0]][at[1]:])
    hint = (f"put it in quotes: {field['key'].strip()}: {_quoted(value)}, or start the list "
            "on the next line") if field and len(value) <= _SHORT else \
        "put the value in quotes, or start the list on the next line"
    return at, "a value cannot start with '- ' on the line of its field", hint


def _document_start(source: _Text, problem: str, context: str, at: _Mark, context_at: _Mark,
                    scan: _Scan) -> _Found | None:
    if "expected <document start>" not in problem:
        return None
    for n in range(min(at[0], len(source.lines)) - 1, -1, -1):
        if source[n].split("#")[0].strip() == "...":
            return ((n, 0), "'...' ends the YAML document, so the fields after it cannot "
                            "be read", "remove the '...' line")
    first = next((n for n, text in enumerate(source.lines)
                  if text.strip() and not text.strip().startswith("#")), None)
    if first is None or first >= at[0]:
        return None
    if _indent(source[first]) > 0:
        return ((first, _indent(source[first])),
                "the first field is indented; the fields of a record start in column 1",
                "remove the spaces before it")
    if not _FIELD.match(source[first]) and not source[first].startswith("-"):
        return ((first, 0), _NOT_A_FIELD, _NOT_A_FIELD_HINT)
    return None


_Diagnose = Callable[[_Text, str, str, _Mark, _Mark, _Scan], _Found | None]
_DIAGNOSES: tuple[_Diagnose, ...] = (
    _tab, _reserved_start, _quoted_scalar, _block_header, _flow, _dash_after_colon,
    _mapping_values, _simple_key, _unexpected_on_line, _document_start,
)
