"""Where things stand in a file: one helper for offsets, used by the checker and fmt."""

from __future__ import annotations

from pathlib import Path

import pytest

from nearmiss.authoring.fmt import FormatError, format_file
from nearmiss.record.yamlsource import Sink, decode, line_column, load


@pytest.mark.parametrize(("text", "index", "where"), [
    ("abc", 0, (1, 1)), ("abc", 2, (1, 3)), ("a\nbc", 2, (2, 1)), ("a\nbc", 3, (2, 2)),
    ("a\n\n", 2, (2, 1)), ("a\n\n", 3, (3, 1)), ("", 0, (1, 1)), ("é\nx", 2, (2, 1)),
])
def test_line_column_of_an_offset(text: str, index: int, where: tuple[int, int]) -> None:
    assert line_column(text, index) == where
    if text.isascii():
        assert line_column(text.encode(), index) == where


def test_line_column_in_bytes_counts_bytes() -> None:
    assert line_column("é\nxé!".encode(), 6) == (2, 4)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "byte-order-mark"])
def test_a_bad_byte_is_named_where_it_stands_with_or_without_a_byte_order_mark(
        bom: bytes, tmp_path: Path) -> None:
    data = bom + b"title: A\nkind: caf\xe9\n"
    sink = Sink("x.yaml")
    assert decode(data, sink) is None
    [problem] = sink.problems
    assert (problem.code, problem.line, problem.column) == ("file-encoding", 2, 10)
    assert "byte 0xe9" in problem.message
    path = tmp_path / "2026-03-14-x.yaml"
    path.write_bytes(data)
    with pytest.raises(FormatError) as caught:  # fmt says the same
        format_file(path, check=True)
    assert (caught.value.line, caught.value.column) == (2, 10)
    assert caught.value.reason == problem.message


# --- YAML mistakes in plain words ---------------------------------------------------------
# Each case: the text, where the problem must point (1-based) and why there (where the
# user acts, which is often before where libyaml noticed), and a phrase of the message or
# hint. The code is always yaml-syntax: only the words and the place are translated.

HEAD = "title: Courtesy call nearly skipped\nkind: near-miss\n"
MISTAKES = [
    # libyaml: "mapping values are not allowed in this context" at the second colon
    ("colon-in-title", "title: Refund: sent twice\nkind: near-miss\n", (1, 14),
     "the second colon, the ': ' the value cannot hold",
     ["cannot hold ': ' unquoted", 'put the value in quotes: title: "Refund: sent twice"',
      "'title'"]),
    ("colon-in-a-nested-value", "actions:\n  - action: Refund: call\n", (2, 19),
     "the colon inside the action's value",
     ["the value of 'action'", 'action: "Refund: call"']),
    ("colon-in-a-quoted-looking-value", "title: Don't: do \"this\"\n", (1, 13),
     "the colon; the hint picks the quotes that need no escaping",
     ["title: 'Don''t: do \"this\"'"]),
    ("colon-in-continued-text",
     "what_happened: The visit overran\n  and then: nobody called\n", (2, 11),
     "the colon on the continuation line of the story",
     ["the value of 'what_happened'", "'what_happened: |'"]),
    # libyaml: "mapping values are not allowed" at the colon of 'kind', after the spaces
    ("field-indented-more", "title: a\n  kind: near-miss\n", (2, 3),
     "the field name, whose indentation is wrong (libyaml notices at its colon, 2:7)",
     ["indented differently from the fields around it", "line the field names up",
      "start 'kind' in column 1, like 'title' on line 1"]),
    ("field-indented-less",
     "actions:\n  - action: a\n    owner: b\n   due: c\n    status: open\n", (4, 4),
     "the field name one column left of its siblings",
     ["indented differently", "start 'due' in column 5, like 'owner' on line 3"]),
    ("mapping-field-indented-less", "follow_up:\n  date: 2026-03-14\n how: x\n", (3, 2),
     "the field name of the follow-up out of line",
     ["indented differently", "like 'date' on line 2"]),
    ("list-item-out-of-line", "kudos:\n  - Sam\n - Alex\n", (3, 2),
     "the dash that is one column left of the dash above",
     ["list item is indented differently", "start its '-' in column 3, like the item on "
      "line 2"]),
    ("list-item-between-levels",
     "actions:\n  - action: a\n    owner: b\n   - action: c\n", (4, 4),
     "the dash that lines up with neither the list nor the fields of its item",
     ["list item is indented differently", "column 3"]),
    # libyaml: "found character that cannot start any token", at the tab
    ("tab-before-text", "title: a\nwhat_happened:\n\tThe visit overran.\n", (3, 1),
     "the tab", ["a tab is used for indentation; YAML allows only spaces"]),
    ("tab-after-spaces", "title: a\nfollow_up:\n  \tdate: 2026-03-14\n", (3, 3),
     "the tab, after two spaces", ["a tab is used for indentation"]),
    ("tab-before-a-field", "title: a\n\tkind: near-miss\n", (2, 1),
     "the tab (libyaml's words: 'found a tab character that violates indentation')",
     ["YAML allows only spaces", "replace the tab with spaces"]),
    ("tab-in-block-text", "title: a\nwhat_happened: |\n\tThe visit.\n", (3, 1),
     "the tab under the '|'", ["a tab is used for indentation"]),
    # libyaml: "could not find expected ':'" on the line after
    ("no-space-after-colon", "title: a\nkind:near-miss\nstatus: open\n", (2, 5),
     "the colon that needs a space after it (libyaml gives up on line 3)",
     ["'kind' needs a space after its colon", "write kind: near-miss"]),
    ("no-space-after-colon-on-the-first-line", "kind:near-miss\nstatus: open\n", (1, 5),
     "the colon (libyaml notices at the colon of 'status', 2:7)",
     ["'kind' needs a space after its colon"]),
    ("no-space-after-dash", "kudos:\n  - Sam\n  -Alex\ntitle: a\n", (3, 3),
     "the dash that needs a space after it (libyaml gives up on line 4)",
     ["a list item needs a space after its '-'", "write - Alex"]),
    ("no-space-after-dash-of-a-mapping", "actions:\n  -action: a\n   owner: b\n", (2, 3),
     "the dash (libyaml notices at the colon on line 3)",
     ["needs a space after its '-'", "write - action: a"]),
    # libyaml: "found unexpected end of stream" at the end of the file
    ("unclosed-double-quote", 'title: "Refund sent\nkind: near-miss\n', (1, 8),
     "the opening quote, not the end of the file",
     ["this quote is never closed", 'a matching " on the same line']),
    ("unclosed-single-quote", "kind: near-miss\ntitle: 'Refund sent\n", (2, 8),
     "the opening quote", ["never closed", "a matching '"]),
    ("quote-closed-lines-later",
     'title: "Refund\nkind: near-miss\nteam: "billing"\n', (1, 8),
     "the opening quote, whose pair is the first quote of line 3",
     ["closed only on line 3"]),
    ("apostrophe-in-single-quotes", "title: 'Don't call'\n", (1, 12),
     "the apostrophe that ended the quoted value",
     ["the quoted value ends at this quote", "write it twice (Don''t)"]),
    ("backslash-in-double-quotes", 'title: "C:\\path"\n', (1, 11),
     "the backslash", ["'\\p' is not one", "single quotes"]),
    # libyaml: "did not find expected ',' or ']'" on a later line, or at the end
    ("unclosed-bracket", "tags: [scheduling, dispatch\nkind: near-miss\n", (1, 7),
     "the '[' (libyaml notices on line 2)",
     ["the '[' opened here is never closed", "end the list with ']'"]),
    ("unclosed-bracket-at-the-end", "kind: near-miss\ntags: [scheduling,\n", (2, 7),
     "the '[' (libyaml notices past the last line)", ["'[' opened here is never closed"]),
    ("unclosed-brace", "follow_up: {date: 2026-03-14, how: Phoned\nkind: near-miss\n",
     (1, 12), "the '{'", ["the '{' opened here is never closed", "'}'"]),
    ("colon-in-a-bracket-list", "tags: [a: b: c]\n", (1, 12),
     "the item's second colon, inside a list that is closed",
     ["an item of this list cannot hold ': '", "put the item in quotes"]),
    ("text-after-closing-bracket", "tags: [a, b] c\n", (1, 14),
     "the text after the ']'", ["nothing may follow it"]),
    # libyaml: "did not find expected key" at the dash
    ("item-under-a-valued-field", "kudos: Sam\n- Alex\nkind: near-miss\n", (1, 8),
     "the value on the field's line, which must become an item (libyaml notices at 2:1)",
     ["'kudos' has a value on its own line", "leave nothing after 'kudos:'"]),
    ("indented-item-under-a-valued-field", "tags: [a]\n  - b\n", (1, 7),
     "the value on the field's line", ["'tags' has a value on its own line"]),
    ("item-with-fields-under-a-valued-field", "actions: none\n  - action: x\n", (1, 10),
     "the value on the field's line (libyaml notices at the colon on line 2)",
     ["'actions' has a value on its own line"]),
    # libyaml: "did not find expected <document start>" on the line after '...'
    ("stray-document-end", "title: a\n...\nkind: near-miss\n", (2, 1),
     "the '...' line, not the field after it", ["'...' ends the YAML document",
                                               "remove the '...' line"]),
    ("first-field-indented", "  title: a\nkind: near-miss\n", (1, 3),
     "the first field, whose indentation sets the record's (libyaml notices on line 2)",
     ["the first field is indented"]),
    # libyaml: "could not find expected ':'" one line past the end of the file
    ("block-text-not-indented", "title: a\nwhat_happened: |\nThe visit overran.\n", (3, 1),
     "the line after the '|' (libyaml says 4:1 in this 3-line file)",
     ["the text under '|' must be indented",
      "by two spaces more than 'what_happened'"]),
    ("folded-text-not-indented", "title: a\nwhat_happened: >-\n\nThe visit.\nkind: x\n",
     (4, 1), "the first line of text after the '>-' (a blank line between)",
     ["the text under '>' must be indented"]),
    ("block-text-less-indented", "what_happened: |\n    The visit\n  overran\nkind: x\n",
     (3, 3), "the line that falls out of the text's indentation",
     ["indented less than the text above it"]),
    ("text-after-the-bar", "what_happened: | The visit overran\n", (1, 18),
     "the text after the '|'", ["starts on the line below the '|'"]),
    ("unindented-text", "title: a\nsome words\nkind: near-miss\n", (2, 1),
     "the line of text that belongs to no field",
     ["neither a field ('name: value') nor indented under one"]),
    # libyaml: "block sequence entries are not allowed in this context"
    ("dash-after-a-colon", "title: - a\n", (1, 8), "the dash",
     ["cannot start with '- '", 'title: "- a"']),
    # libyaml: "found character that cannot start any token"
    ("at-sign-first", "reported_by: @sam\n", (1, 14), "the '@'",
     ["cannot start with '@'", 'reported_by: "@sam"']),
    ("ampersand-alone", "title: a\nkind: &\n", (2, 7), "the '&'",
     ["cannot start with '&'"]),
    # libyaml: "found undefined alias": Markdown emphasis read as an alias
    ("markdown-emphasis-first", "what_happened: *Nobody* called\n", (1, 16), "the '*'",
     ["cannot start with '*'", 'what_happened: "*Nobody* called"']),
    # libyaml: "did not find expected node content"
    ("closing-bracket-first", "title: a\ntags: ]\n", (2, 7), "the ']'",
     ["cannot start with ']'"]),
    # libyaml: "mapping values are not allowed" at the colon of the first field
    ("text-before-the-first-field", "Courtesy call nearly skipped\n\ntitle: a\n", (1, 1),
     "the line of text above the fields (libyaml notices at the colon on line 3)",
     ["neither a field ('name: value') nor indented under one"]),
]


@pytest.mark.parametrize(("text", "where", "phrases"),
                         [(text, where, phrases) for _, text, where, _, phrases in MISTAKES],
                         ids=[case[0] for case in MISTAKES])
def test_a_yaml_mistake_is_named_in_plain_words_where_the_user_acts(
        text: str, where: tuple[int, int], phrases: list[str]) -> None:
    sink = Sink("2026-03-14-x.yaml")
    assert load(text.encode(), sink) is None
    [problem] = sink.problems
    assert (problem.code, problem.line, problem.column) == ("yaml-syntax", *where)
    said = f"{problem.message}; {problem.hint}"
    for phrase in phrases:
        assert phrase in said
    assert "not allowed in this context" not in said and "while scanning" not in said
    assert problem.hint, "a translated mistake says how to fix it"
    assert "\n" not in said
    assert not problem.message.endswith(".") and not problem.hint.endswith("."), \
        "no message or hint ends with a full stop"
    lines = text.splitlines()
    assert problem.line <= len(lines) and problem.column <= len(lines[problem.line - 1]) + 1


def test_a_mistake_at_the_end_is_never_reported_past_the_last_line() -> None:
    """A 10-line record whose story under '|' is not indented: libyaml gives up at 11:1,
    a line the file does not have; the problem points at the unindented line."""
    text = ("title: Courtesy call nearly skipped\nkind: near-miss\nstatus: open\n"
            "occurred: 2026-03-14\nteam: field-service\nseverity: medium\n"
            "caught_by: The technician phoned ahead.\nreported_by: anonymous\n"
            "what_happened: |\nThe visit overran.\n")
    assert len(text.splitlines()) == 10
    sink = Sink("2026-03-14-x.yaml")
    load(text.encode(), sink)
    [problem] = sink.problems
    assert (problem.line, problem.column) == (10, 1)
    assert "the text under '|' must be indented" in problem.message


@pytest.mark.parametrize("text", [
    "title: a\nkind: [\x20", "title: a\n%YAML 9\n", "title: {a: [b, {c: \n", "? a\n: b\n:c\n",
    "title: !<tag:a> b\n", "a: b\n  c: d\n    e: f", "title: a\n\n\n",
])
def test_no_syntax_problem_points_past_the_end_of_the_file(text: str) -> None:
    sink = Sink("2026-03-14-x.yaml")
    load(text.encode(), sink)
    lines = text.split("\n")
    last = len(lines) - 1 if lines[-1] == "" else len(lines)
    for problem in sink.problems:
        assert 1 <= problem.line <= max(last, 1), problem


def test_the_stray_document_start_keeps_its_own_code() -> None:
    sink = Sink("2026-03-14-x.yaml")
    load(b"title: a\n---\nkind: near-miss\n", sink)
    assert [(p.code, p.line, p.column) for p in sink.problems] == [
        ("yaml-multiple-documents", 2, 1)]
