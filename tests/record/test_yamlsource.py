"""Where things stand in a file: one helper for offsets, used by the checker and fmt."""

from __future__ import annotations

from pathlib import Path

import pytest

from nearmiss.authoring.fmt import FormatError, format_file
from nearmiss.record.yamlsource import Sink, decode, line_column


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
