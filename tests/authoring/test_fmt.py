"""`nearmiss.authoring.fmt`: the canonical layout of a record, keeping every value and
every comment."""

from __future__ import annotations

import os
import stat
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import (
    INVALID_DIR,
    ROOT,
    TAXONOMY_FIXTURE,
    invalid_fixtures,
    minimal_near_miss,
    valid_fixtures,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from nearmiss.authoring.fmt import FormatError, format_file, format_text
from nearmiss.record.model import ACTION_FIELDS, FIELDS, FOLLOW_UP_FIELDS
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import Taxonomy, parse_taxonomy
from nearmiss.record.yamlsource import MAX_BYTES, MAX_DEPTH

INCIDENTS = ROOT / "incidents"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, as nearmiss check reads
SOME = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def fmt(text: str) -> str:
    """Format, and check on the way that formatting is idempotent."""
    out = format_text(text)
    assert format_text(out) == out, "formatting twice differs from formatting once"
    return out


# --- examples: order, comments, layout ------------------------------------------------------

def test_fields_are_reordered_and_comments_move_with_their_field() -> None:
    text = (
        "# Courtesy call record\n"
        "# kept by the field team\n"
        "\n"
        "kind: near-miss  # not a failure: caught in time\n"
        "status: open\n"
        "# the headline\n"
        "title: Courtesy call nearly skipped\n"
        "team: field-service\n"
        "occurred: 2026-03-14\n"
        "severity: medium\n"
        "what_happened: |\n"
        "  The visit overran.\n"
        "  # this line is text, not a comment\n"
        "caught_by: Tomasz phoned ahead.   # the save\n"
        "# who to thank\n"
        "kudos: [Tomasz]\n"
        "# end of the record\n"
    )
    assert fmt(text) == (
        "# Courtesy call record\n"
        "# kept by the field team\n"
        "\n"
        "# the headline\n"
        "title: Courtesy call nearly skipped\n"
        "kind: near-miss  # not a failure: caught in time\n"
        "status: open\n"
        "occurred: 2026-03-14\n"
        "team: field-service\n"
        "severity: medium\n"
        "what_happened: |\n"
        "  The visit overran.\n"
        "  # this line is text, not a comment\n"
        "caught_by: Tomasz phoned ahead.  # the save\n"
        "# who to thank\n"
        "kudos: [Tomasz]\n"
        "# end of the record\n"
    )


def test_comment_below_a_field_belongs_to_the_next_field() -> None:
    text = ("severity: low\n"
            "# about the title, written below severity\n"
            "title: T\n")
    assert fmt(text) == ("# about the title, written below severity\n"
                         "title: T\n"
                         "severity: low\n")


def test_unknown_keys_are_kept_after_the_known_ones_in_their_order() -> None:
    text = ("zeta: 1  # first unknown\n"
            "title: T\n"
            "root_cause: typo  # did you mean root_causes?\n"
            "kind: failure\n"
            "alpha: [a]\n")
    assert fmt(text) == ("title: T\n"
                         "kind: failure\n"
                         "zeta: 1  # first unknown\n"
                         "root_cause: typo  # did you mean root_causes?\n"
                         "alpha: [a]\n")


def test_actions_and_follow_up_are_reordered_inside() -> None:
    text = (
        "title: T\n"
        "follow_up:\n"
        "  how: Told them  # by phone\n"
        "  date: 2026-03-29\n"
        "actions:\n"
        "# the first action\n"
        "- status: done\n"
        "  owner: billing\n"
        "  # when it was done\n"
        "  done_on: 2026-03-28\n"
        "  action: Fix the run\n"
        "  due: 2026-04-01\n"
        "  # note after the last field of the first action\n"
        "- {due: 2026-05-01, action: Second, status: open, owner: x}\n"
    )
    assert fmt(text) == (
        "title: T\n"
        "actions:\n"
        "  # the first action\n"
        "  - action: Fix the run\n"
        "    owner: billing\n"
        "    due: 2026-04-01\n"
        "    status: done\n"
        "    # when it was done\n"
        "    done_on: 2026-03-28\n"
        "    # note after the last field of the first action\n"
        "  - {action: Second, owner: x, due: 2026-05-01, status: open}\n"
        "follow_up:\n"
        "  date: 2026-03-29\n"
        "  how: Told them  # by phone\n"
    )


def test_an_action_type_goes_right_after_the_action_and_stays_there(
        taxonomy: Taxonomy) -> None:
    text = (
        "title: T\n"
        "actions:\n"
        "  - owner: billing\n"
        "    due: 2026-04-01\n"
        "    status: open\n"
        "    type: reminder  # only a reminder, for now\n"
        "    action: Remind the desk\n"
        "  - {status: open, type: forcing-function, due: 2026-05-01, action: Block it,\n"
        "     owner: billing}\n"
    )
    formatted = fmt(text)
    assert formatted == (
        "title: T\n"
        "actions:\n"
        "  - action: Remind the desk\n"
        "    type: reminder  # only a reminder, for now\n"
        "    owner: billing\n"
        "    due: 2026-04-01\n"
        "    status: open\n"
        "  - {action: Block it, type: forcing-function, owner: billing, due: 2026-05-01, "
        "status: open}\n"
    )
    # ... and the checker reads the types of the formatted actions
    record = minimal_near_miss(status="reviewed", root_causes="[process/no-buffer]",
                               actions=formatted.split("actions:", 1)[1].rstrip("\n"))
    result = check_record(record.encode(), "2026-03-14-x.yaml", taxonomy)
    assert result.problems == [] and result.record is not None
    assert [a.type for a in result.record.actions] == ["reminder", "forcing-function"]


def test_lists_keep_their_order_and_a_note_after_the_last_item_stays_with_the_list() -> None:
    text = ("tags:\n"
            "  - zebra\n"
            "  - apple  # not sorted\n"
            "  # - commented-out\n"
            "title: T\n")
    assert fmt(text) == ("title: T\n"
                         "tags:\n"
                         "  - zebra\n"
                         "  - apple  # not sorted\n"
                         "  # - commented-out\n")


@pytest.mark.parametrize("text, expected", [
    # no blank line: the whole block is the header
    ("# header\n# more\nkind: k\ntitle: T\n", "# header\n# more\ntitle: T\nkind: k\n"),
    # a blank line sets the header apart; what touches the first field moves with it
    ("# header\n\n# about kind\nkind: k\ntitle: T\n",
     "# header\n\ntitle: T\n# about kind\nkind: k\n"),
    ("# header\n\n\n\ntitle: T\n", "# header\n\ntitle: T\n"),
    # '---' is dropped; a comment on it is part of the header
    ("--- # a record\nkind: k\ntitle: T\n", "# a record\ntitle: T\nkind: k\n"),
])
def test_the_header_comment_stays_at_the_top(text: str, expected: str) -> None:
    assert fmt(text) == expected


def test_block_scalars_and_their_comment_like_text_are_untouched() -> None:
    text = (
        "lessons: >\n"
        "    Folded text\n"
        "    # still text\n"
        "\n"
        "    next paragraph\n"
        "what_happened: |-  # a real comment on the header\n"
        "    # text, first line\n"
        "    keep   inner   spacing\n"
        "      and indentation\n"
        "title: |2\n"
        "     starts with a space\n"
    )
    assert fmt(text) == (
        "title: |2\n"
        "     starts with a space\n"
        "what_happened: |-  # a real comment on the header\n"
        "  # text, first line\n"
        "  keep   inner   spacing\n"
        "    and indentation\n"
        "lessons: >\n"
        "  Folded text\n"
        "  # still text\n"
        "\n"
        "  next paragraph\n"
    )


def test_quotes_and_unquoted_scalars_are_kept_as_written() -> None:
    text = (
        'title: "No"\n'
        "reported_by: 'yes'\n"
        "kind: no\n"
        "whys: [\"10:40\", '1.5', 012, ~, True, +12, .NaN, 0x1F]\n"
        "occurred: 2026-03-14 10:40:00 +01:00\n"
        "reported: 2026-03-14T10:40:00.123456789+01:00\n"
        "no_action: null\n"
        "lessons:\n"
    )
    assert fmt(text) == (
        'title: "No"\n'
        "kind: no\n"
        "occurred: 2026-03-14 10:40:00 +01:00\n"
        "reported: 2026-03-14T10:40:00.123456789+01:00\n"
        "whys: [\"10:40\", '1.5', 012, ~, True, +12, .NaN, 0x1F]\n"
        "lessons:\n"
        "no_action: null\n"
        "reported_by: 'yes'\n"
    )


def test_indentation_is_two_spaces_with_list_items_under_their_key() -> None:
    text = (
        "title: T\n"
        "actions:\n"
        "-   action: A\n"
        "    owner: o\n"
        "extra:\n"
        "      contacts:\n"
        "      - name: Supplier\n"
        "        phones:\n"
        "        - '1'\n"
    )
    assert fmt(text) == (
        "title: T\n"
        "actions:\n"
        "  - action: A\n"
        "    owner: o\n"
        "extra:\n"
        "  contacts:\n"
        "    - name: Supplier\n"
        "      phones:\n"
        "        - '1'\n"
    )


def test_long_lines_are_not_wrapped_and_folded_plain_text_is_joined() -> None:
    long = " ".join(["word"] * 400)
    assert fmt(f"title: T\nwhat_happened: {long}\n") == f"title: T\nwhat_happened: {long}\n"
    assert fmt("title: one\n  two\n    three\n") == "title: one two three\n"


def test_trailing_spaces_blank_lines_and_final_newline() -> None:
    text = "\n\ntitle: T   \n\n\nkind: k\t\ntags:\n  -   \n  - x"
    assert fmt(text) == "title: T\nkind: k\ntags:\n  -\n  - x\n"


def test_line_breaks_crlf_stays_crlf_lf_and_lone_cr_become_lf_bom_is_dropped() -> None:
    assert fmt("kind: k\r\ntitle: T  # c\r\n") == "title: T  # c\r\nkind: k\r\n"
    assert fmt("kind: k\r\ntitle: T\n") == "title: T\r\nkind: k\r\n"  # the first break wins
    assert fmt("kind: k\ntitle: T\r\n") == "title: T\nkind: k\n"
    assert fmt("kind: k\rtitle: T\r") == "title: T\nkind: k\n"
    assert fmt("\ufeffkind: k\ntitle: T\n") == "title: T\nkind: k\n"


def test_document_markers_and_directives_are_dropped_never_added() -> None:
    assert fmt("%YAML 1.1\n---\nkind: yes\ntitle: T\n...\n") == "title: T\nkind: yes\n"
    assert not fmt("title: T\nwhat_happened: |+\n  kept\n\n").rstrip("\n").endswith("...")


def test_a_comment_between_a_key_and_its_value_moves_above_the_key() -> None:
    assert fmt("kind: k\ntitle:\n  # about the title\n  T\n") == \
        "# about the title\ntitle: T\nkind: k\n"


def test_an_end_of_line_comment_never_lands_inside_a_quoted_value() -> None:
    """'owner' moves before a quoted value spanning lines; its comment waits for the line
    where that value ends."""
    text = "title: T\nactions:\n- {reason: 'x\n\n    y', owner: o}  # note\n"
    assert fmt(text) == ("title: T\n"
                         "actions:\n"
                         "  - {owner: o, reason: 'x\n"
                         "\n"
                         "      y'}  # note\n")


def test_tabs_that_libyaml_accepts_are_formatted() -> None:
    assert fmt("kind:\tk\t# tab before\ntitle: T\t\n") == "title: T\nkind: k  # tab before\n"


# --- refusals -----------------------------------------------------------------------------

REFUSED = {
    "two documents": "title: A\n---\ntitle: B\n",
    "a list": "- title: A\n",
    "a single value": "just text\n",
    "empty": "# nothing\n\n",
    "duplicate key": "title: A\nkind: k\ntitle: B\n",
    "quoted duplicate key": "title: A\n'title': B\n",
    "alias": "kudos: [&who Ann]\nreported_by: *who\n",
    "anchor alone": "title: &t A\n",
    "python tag": "extra: !!python/object/apply:os.system ['true']\n",
    "custom tag": "severity: !level high\n",
    "merge key": "title: A\n<<: {kind: k}\n",
    "not yaml": "title: [unclosed\n",
    "too deep": "extra: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "too deep in blocks": "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 2)),
    "too large": "title: T\nwhat_happened: " + "x" * MAX_BYTES + "\n",
    "line separator": "title: A\u2028B\n",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_what_check_would_not_read_as_one_mapping_is_refused(text: str) -> None:
    with pytest.raises(FormatError) as caught:
        format_text(text)
    assert caught.value.reason and "\n" not in str(caught.value)


def test_a_format_error_says_where() -> None:
    with pytest.raises(FormatError) as caught:
        format_text("title: A\nkind: k\ntitle: B\n")
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert str(caught.value).startswith("line 3, column 1: ")
    assert "given twice" in caught.value.reason


# --- the records we have ---------------------------------------------------------------------

def corpus() -> list[tuple[Path, Path]]:
    """Every record file with the taxonomy that goes with it."""
    found = [(p, INCIDENTS / "_taxonomy.yaml") for p in sorted(INCIDENTS.rglob("*.y*ml"))
             if not p.name.startswith(("_", "."))]
    return found + [(p, TAXONOMY_FIXTURE) for p in valid_fixtures()]


_TAXONOMIES: dict[Path, Taxonomy] = {}


def taxonomy_at(path: Path) -> Taxonomy:
    if path not in _TAXONOMIES:
        _TAXONOMIES[path] = parse_taxonomy(path.read_bytes(), str(path))
    return _TAXONOMIES[path]


@pytest.mark.parametrize("record, taxonomy_path", corpus(),
                         ids=[p.name for p, _ in corpus()])
def test_real_records_format_idempotently_into_the_same_record(record: Path,
                                                              taxonomy_path: Path) -> None:
    data = record.read_bytes()
    formatted = fmt(data.decode("utf-8"))
    taxonomy = taxonomy_at(taxonomy_path)
    before = check_record(data, record.name, taxonomy)
    after = check_record(formatted.encode("utf-8"), record.name, taxonomy)
    assert before.record is not None
    assert after.record == before.record
    assert [p.code for p in after.problems] == [p.code for p in before.problems]
    assert values(formatted) == values(data.decode("utf-8"))


def test_the_corpus_is_not_empty() -> None:
    assert len(corpus()) > 20


@pytest.mark.parametrize("record", invalid_fixtures(),
                         ids=[str(p.relative_to(INVALID_DIR)) for p in invalid_fixtures()])
def test_formatting_never_changes_what_check_reports(record: Path, taxonomy: Taxonomy) -> None:
    """An invalid record that can be formatted keeps exactly its problems (not their lines)."""
    data = record.read_bytes()
    try:
        formatted = fmt(data.decode("utf-8"))
    except FormatError:
        assert not check_record(data, record.name, taxonomy).record
        return
    before = Counter(p.code for p in check_record(data, record.name, taxonomy).problems)
    after = Counter(p.code for p in check_record(formatted.encode(), record.name,
                                                 taxonomy).problems)
    assert after == before


def top_level_chunks(text: str) -> tuple[list[str], list[list[str]]]:
    """A record's header comment lines, and its top-level fields, each with the comment
    lines above it."""
    lines = text.splitlines()
    header: list[str] = []
    while lines and lines[0].startswith("#"):
        header.append(lines.pop(0))
    chunks: list[list[str]] = []
    pending: list[str] = []
    for line in lines:
        if line.startswith("#"):
            pending.append(line)
        elif line[:1] not in (" ", "") and not line.startswith("-"):
            chunks.append(pending + [line])
            pending = []
        else:
            chunks[-1].append(line)
    assert not pending
    return header, chunks


@SOME
@given(data=st.data())
def test_the_order_fields_are_written_in_does_not_matter(data: st.DataObject) -> None:
    record = data.draw(st.sampled_from([p for p, _ in corpus()]), label="record")
    text = record.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    header, chunks = top_level_chunks(text)
    shuffled = data.draw(st.permutations(chunks), label="order")
    text_shuffled = "\n".join(header + [line for chunk in shuffled for line in chunk]) + "\n"
    assert format_text(text_shuffled) == format_text(text)


# --- generated records: order, comments and values all survive -------------------------------

ALPHABET = st.sampled_from(list("abcxyz ABC0129:#-'\",.[]{}&*!|>%@`?é€"))
WORDS = st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
COMMENTS = st.text(st.sampled_from(list("abc xyz#:'\"-é")), max_size=15).map(
    lambda s: ("# " + s).rstrip())
SCALAR_VALUES = (WORDS | st.dates(date(2000, 1, 1), date(2030, 12, 31))
                 | st.sampled_from(["no", "yes", "~", "10:40", "012", "2026-03-14T10:40:00+01:00"])
                 | st.lists(WORDS, min_size=1, max_size=3).map("\n".join))
UNKNOWN_KEYS = st.sampled_from(["root_cause", "zzz", "Title", "x-custom", "notes"])


@st.composite
def mapping_entries(draw: Any, table: dict[str, Any], unknown: bool) -> list[tuple[str, Any]]:
    names = draw(st.lists(st.sampled_from(list(table)), unique=True, min_size=1,
                          max_size=len(table)))
    if unknown:
        names += draw(st.lists(UNKNOWN_KEYS, unique=True, max_size=2))
    return [(n, v) for n, v in zip(draw(st.permutations(names)),
                                   [draw(SCALAR_VALUES) for _ in names], strict=True)]


@st.composite
def records(draw: Any) -> list[tuple[str, Any]]:
    entries = draw(mapping_entries(FIELDS, unknown=True))
    chosen = dict(entries)
    out: list[tuple[str, Any]] = []
    for name, value in entries:
        if name in ("root_causes", "whys", "kudos", "related", "tags"):
            value = draw(st.lists(SCALAR_VALUES, min_size=1, max_size=4))
        elif name == "actions":
            value = draw(st.lists(mapping_entries(ACTION_FIELDS, unknown=False).map(dict),
                                  min_size=1, max_size=3))
        elif name == "follow_up":
            value = dict(draw(mapping_entries(FOLLOW_UP_FIELDS, unknown=False)))
        elif name == "extra":
            value = {"ticket": draw(WORDS), "when": draw(SCALAR_VALUES)}
        out.append((name, value))
    assert len(chosen) == len(out)
    return out


def render(entries: list[tuple[str, Any]], style: dict[str, Any]) -> list[str]:
    """One record as YAML lines, each top-level field dumped by PyYAML in a drawn style:
    block (with the drawn indentation) or, for lists and mappings, flow on one line."""
    lines: list[str] = []
    for name, value in entries:
        if style["flow"][name] and isinstance(value, (list, dict)):
            flow = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10_000,
                                  default_flow_style=True).rstrip("\n")
            if "\n" not in flow:
                lines.append(f"{name}: {flow}")
                continue
        dumped = yaml.safe_dump({name: value}, allow_unicode=True, sort_keys=False,
                                width=10_000, indent=style["indent"], default_flow_style=False)
        lines.extend(dumped.splitlines())
    return lines


def comment_safe_lines(lines: list[str]) -> list[int]:
    """Lines that end a value, so a comment after them is a comment (not text)."""
    root = yaml.compose("\n".join(lines), Loader=LOADER)
    inside: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.start_mark.line != node.end_mark.line or node.style in ("|", ">"):
            inside.update(range(node.start_mark.line, node.end_mark.line + 1))
    return [i for i in range(len(lines)) if i not in inside]


@st.composite
def commented_records(draw: Any) -> tuple[str, list[str]]:
    """A generated record's text with full-line and end-of-line comments, and the comments."""
    entries = draw(records())
    style = {"indent": draw(st.sampled_from([2, 3, 4])),
             "flow": {name: draw(st.booleans()) for name, _ in entries}}
    lines = render(entries, style)
    comments: list[str] = []
    safe = comment_safe_lines(lines)
    if safe:
        for index in draw(st.lists(st.sampled_from(safe), unique=True)):
            comment = draw(COMMENTS)
            lines[index] += draw(st.sampled_from(["  ", " ", "\t"])) + comment
            comments.append(comment)
    inserts = draw(st.lists(st.tuples(st.integers(0, len(lines)), COMMENTS,
                                      st.integers(0, 4)), max_size=5))
    root = yaml.compose("\n".join(lines), Loader=LOADER)
    boundaries = [key.start_mark.line for key, _ in root.value] + [len(lines)]
    for position, comment, indent in sorted(inserts, reverse=True):
        at = min(boundaries, key=lambda b: abs(b - position))
        lines.insert(at, " " * indent + comment)
        comments.append(comment)
    if draw(st.booleans()):
        header = draw(COMMENTS)
        lines[:0] = [header, ""]
        comments.append(header)
    return "\n".join(lines) + "\n", comments


def values(text: str) -> Any:
    """What nearmiss check reads: libyaml (which, unlike PyYAML's pure-Python loader,
    accepts a tab before a comment)."""
    return yaml.load(text, Loader=LOADER)


def ruamel_values(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@SOME
@given(case=commented_records())
def test_generated_records_keep_values_and_comments(case: tuple[str, list[str]]) -> None:
    text, comments = case
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    for comment in comments:
        assert comment in formatted
    assert values(formatted) == values(text)
    if "\t" not in text:  # ruamel.yaml refuses tabs as separators (fmt turns them to spaces)
        assert ruamel_values(formatted) == ruamel_values(text)
    keys = list(values(formatted) or {})
    known = [k for k in keys if k in FIELDS]
    assert known == sorted(known, key=list(FIELDS).index)
    assert keys[:len(known)] == known
    for action in (values(formatted) or {}).get("actions") or []:
        assert list(action) == [k for k in ACTION_FIELDS if k in action]


@SOME
@given(case=commented_records(), crlf=st.booleans())
def test_generated_records_keep_their_line_breaks(case: tuple[str, list[str]],
                                                 crlf: bool) -> None:
    text, _ = case
    if crlf:
        text = text.replace("\n", "\r\n")
    formatted = format_text(text)
    assert formatted.endswith("\n") and not formatted.endswith("\n\n")
    if crlf:
        assert "\n" not in formatted.replace("\r\n", "")
    else:
        assert "\r" not in formatted


# --- format_file ------------------------------------------------------------------------------

UNFORMATTED = "kind: failure\ntitle: T  # the headline\n"
FORMATTED = "title: T  # the headline\nkind: failure\n"


@pytest.fixture
def record_file(tmp_path: Path) -> Path:
    path = tmp_path / "2026-03-14-a-record.yaml"
    path.write_bytes(UNFORMATTED.encode())
    path.chmod(0o640)
    return path


def test_check_mode_reports_a_change_and_writes_nothing(record_file: Path) -> None:
    before = record_file.stat()
    assert format_file(record_file, check=True) is True
    assert record_file.read_bytes() == UNFORMATTED.encode()
    assert record_file.stat().st_mtime_ns == before.st_mtime_ns


def test_write_mode_writes_once_and_keeps_permissions(record_file: Path) -> None:
    assert format_file(record_file, check=False) is True
    assert record_file.read_bytes() == FORMATTED.encode()
    assert stat.S_IMODE(record_file.stat().st_mode) == 0o640
    inode = record_file.stat().st_ino
    assert format_file(record_file, check=False) is False
    assert format_file(record_file, check=True) is False
    assert record_file.stat().st_ino == inode  # not rewritten
    assert sorted(p.name for p in record_file.parent.iterdir()) == [record_file.name]


def test_a_crlf_file_is_written_back_with_crlf(tmp_path: Path) -> None:
    path = tmp_path / "2026-03-14-windows.yaml"
    path.write_bytes(UNFORMATTED.replace("\n", "\r\n").encode())
    assert format_file(path, check=False) is True
    assert path.read_bytes() == FORMATTED.replace("\n", "\r\n").encode()


def test_a_symlinked_record_is_formatted_where_it_points(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text(UNFORMATTED, encoding="utf-8")
    link = tmp_path / "2026-03-14-link.yaml"
    link.symlink_to(target)
    assert format_file(link, check=False) is True
    assert link.is_symlink() and target.read_text(encoding="utf-8") == FORMATTED


@pytest.mark.parametrize("content", [
    b"title: A\nkind: k\ntitle: B\n",
    b"kudos: [&who Ann]\nreported_by: *who\n",
    b"title: caf\xe9\n",
    b"title: T\nwhat_happened: " + b"x" * MAX_BYTES + b"\n",
    b"- a list\n",
], ids=["duplicate-key", "alias", "latin-1", "too-large", "list"])
@pytest.mark.parametrize("check", [True, False])
def test_a_file_that_cannot_be_formatted_is_left_intact(tmp_path: Path, content: bytes,
                                                        check: bool) -> None:
    path = tmp_path / "2026-03-14-broken.yaml"
    path.write_bytes(content)
    with pytest.raises(FormatError) as caught:
        format_file(path, check=check)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


class Interrupted(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("where, error", [
    ("replace", Interrupted), ("replace", OSError), ("fsync", OSError), ("fsync", Interrupted),
])
def test_an_interrupted_write_leaves_the_original_and_no_temporary_file(
        record_file: Path, monkeypatch: pytest.MonkeyPatch, where: str,
        error: type[BaseException]) -> None:
    calls: list[str] = []

    def fail(*args: Any, **kwargs: Any) -> None:
        calls.append(where)
        # at this point the temporary file holds the new text: we are midway
        temporaries = [p for p in record_file.parent.iterdir() if p != record_file]
        assert temporaries and temporaries[0].name.startswith(".")
        raise error("interrupted")

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(error):
        format_file(record_file, check=False)
    monkeypatch.undo()
    assert calls == [where]
    assert record_file.read_bytes() == UNFORMATTED.encode()
    assert [p.name for p in record_file.parent.iterdir()] == [record_file.name]


def test_every_formatted_corpus_file_is_stable_on_disk(tmp_path: Path) -> None:
    """format_file over copies of the corpus: a second run changes nothing."""
    for record, _ in corpus():
        copy = tmp_path / record.name
        copy.write_bytes(record.read_bytes())
        changed = format_file(copy, check=True)
        assert format_file(copy, check=False) is changed
        assert format_file(copy, check=True) is False
