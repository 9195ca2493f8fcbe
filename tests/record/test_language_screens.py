"""The shortcuts of the language checks find exactly what the plain scans find.

``personal_data`` classifies the text into one byte per character and screens those bytes;
the phone and card scanners read only the regions around seven close digits, the address
patterns and the blame pattern only the spans around their screens' hits. Each shortcut is
checked here against the scan it replaces, on any text and on text made of the pieces that
matter.
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.record import language
from nearmiss.record.language import DEFAULT_BLAME, Finding, blame

MANY = settings(max_examples=400, deadline=None)

NUMBERY = st.lists(st.sampled_from(
    list("0123456789 -.()+/\n\u00a0\t:aZé٣?’")
    + ["4111", "1111", "020", "7946", "0958", "+44", "(0)", "555", "  ", "\u2028", "Ab"]
)).map("".join)
TEXT = st.one_of(st.text(), NUMBERY)


def whole(text: str) -> list[tuple[int, int]]:
    return [(0, len(text))]


@MANY
@given(text=TEXT)
def test_classes_keep_offsets_and_the_screened_classes(text: str) -> None:
    classes = language._classes(text)
    assert len(classes) == len(text)
    for ch, cls in zip(text, classes.decode("ascii"), strict=True):
        assert (cls == "0") == ("0" <= ch <= "9")
        assert (cls in "Aa") == (ch.isascii() and ch.isalpha())
        assert (cls == "A") == ("A" <= ch <= "Z")
        assert (cls == "n") == (ch == "\n")
        assert (cls in "0Sp") == (ch in "0123456789 \u00a0.()+-")
        if ch.isspace():
            assert cls in "nSs?"


# the screen as it reads on the text itself
NUMBERISH = re.compile(r"[0-9](?:[^0-9A-Za-z\n]{0,3}[0-9]){6}")


@MANY
@given(text=TEXT)
def test_the_number_screen_on_classes_is_the_screen_on_the_text(text: str) -> None:
    assert [m.span() for m in language._NUMBERISH.finditer(language._classes(text))] == [
        m.span() for m in NUMBERISH.finditer(text)]


@MANY
@given(text=TEXT)
def test_scanning_the_number_regions_finds_what_scanning_all_text_finds(text: str) -> None:
    regions = language._number_regions(language._classes(text))
    assert all(a < b <= c < d for (a, b), (c, d) in zip(regions, regions[1:], strict=False))
    assert list(language._cards(text, regions)) == list(language._cards(text, whole(text)))
    assert list(language._phones(text, regions)) == list(language._phones(text, whole(text)))


SPACE = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", "\u3000", "\u2028", "\x85", "?", ""])
ADDRESS = st.one_of(
    st.tuples(st.sampled_from(["12", "3a", "12-14", "7", "x9"]), SPACE,
              st.sampled_from(["High", "Old Mill", "May", "elm", "St John's"]), SPACE,
              st.sampled_from(["Street", "St", "Road", "close", "Way"])),
    st.tuples(st.sampled_from(["SW1A", "M1", "B33", "EC1A", "A4", "NY", "IL", "ny"]), SPACE,
              st.sampled_from(["1AA", "1AE", "8TH", "3PM", "10001", "62704-1234", "1234"])),
).map("".join)
ADDRESSY = st.lists(st.one_of(ADDRESS, SPACE, st.sampled_from(["x", "-", "’", "0", "Ab"]))
                    ).map("".join)


@MANY
@given(text=st.one_of(st.text(), ADDRESSY))
def test_scanning_the_spans_around_address_screens_finds_all_addresses(text: str) -> None:
    classes = language._classes(text)
    for screen, patterns in language._ADDRESS_PATTERNS:
        hits = [m.start() for m in screen.finditer(classes)]
        spans = language._spans(text, hits, language._BREAKS, language._BREAK)
        for pattern, not_before in patterns:
            assert list(language._addresses(text, [(pattern, not_before, spans)])) == list(
                language._addresses(text, [(pattern, not_before, whole(text))]))


BREAKY = st.lists(st.sampled_from(list(".,;:!?()\"/ -ab\n’"))).map("".join)


@MANY
@given(text=BREAKY, data=st.data())
def test_spans_hold_their_hits_and_end_at_breaks(text: str, data: st.DataObject) -> None:
    hits = sorted(data.draw(st.lists(st.integers(0, max(0, len(text) - 1)))) if text else [])
    hits = [at for at in hits if text and text[at] not in language._BREAKS]
    spans = language._spans(text, hits, language._BREAKS, language._BREAK)
    assert all(a < b <= c < d for (a, b), (c, d) in zip(spans, spans[1:], strict=False))
    assert all(any(a <= at < b for a, b in spans) for at in hits)
    for k, (start, end) in enumerate(spans):
        assert end == len(text) or text[end] in language._BREAKS
        assert start == 0 or text[start - 1] in language._BREAKS or (
            k > 0 and start == spans[k - 1][1])


def test_case_quirks_are_all_the_characters_lowering_differently_from_ignorecase() -> None:
    # the non-ASCII characters an IGNORECASE ASCII letter matches, and the characters that
    # lower to more than one: all but the Kelvin sign (which lowers to "k") are quirks
    letters = re.compile("|".join("abcdefghijklmnopqrstuvwxyz"), re.IGNORECASE)
    matched = {ch for ch in map(chr, range(128, sys.maxunicode + 1)) if letters.fullmatch(ch)}
    long = {ch for ch in map(chr, range(sys.maxunicode + 1)) if len(ch.lower()) != 1}
    assert {ch for ch in matched if not ch.lower().isascii()} | long == set(
        language._CASE_QUIRKS)


PHRASES = st.lists(st.lists(st.text(alphabet="abcikKsSz'-.", min_size=1, max_size=6),
                            min_size=1, max_size=3).map(" ".join), max_size=5)
BLAMEY = st.lists(st.sampled_from(
    list(DEFAULT_BLAME) + ["HUMAN\n ERROR", "didn’t", "Sloppy.", "(lazy)", "errors", "default",
                           "-", ".", ",", " ", "\n", "\u212a", "ı", "ſ", "İ", "é", "x", "’"]
    + list("abcikKsSz'-. ")
)).map("".join)


@MANY
@given(text=st.one_of(st.text(), BLAMEY), phrases=st.one_of(st.just(DEFAULT_BLAME), PHRASES))
def test_blame_in_the_spans_is_blame_in_the_whole_text(text: str, phrases: list[str]) -> None:
    key = tuple(phrases)
    pattern = language._blame_pattern(key)
    spotting = language._spotting(key)
    if pattern is None or spotting is None or any(ch in text for ch in language._CASE_QUIRKS):
        return
    assert blame(text, key) == [Finding(m.start(), m.end(), "blame", m.group())
                                for m in pattern.finditer(text)]


def test_needles_cover_the_default_phrases_with_few_words() -> None:
    spotting = language._spotting(DEFAULT_BLAME)
    assert spotting is not None
    needles, breaks, _ = spotting
    assert len(needles) <= len(DEFAULT_BLAME) // 2
    for phrase in DEFAULT_BLAME:
        assert any(needle in phrase.lower() for needle in needles), phrase
    assert "'" not in breaks and "." in breaks


def test_non_ascii_phrases_scan_the_whole_text() -> None:
    assert language._spotting(("naïve", "error")) is None
    assert [f.excerpt for f in blame("a NAÏVE error", ["naïve"])] == ["NAÏVE"]
