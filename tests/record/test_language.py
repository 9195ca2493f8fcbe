"""The language checks on one text value: personal data and blaming wording.

Tables pin what each kind flags and, as importantly, what it leaves alone (dates, times,
money, ticket ids …); property tests check that any text is handled and every finding
points at its own excerpt; the sample learning log must be free of personal data.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import SAMPLE_LOG
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.record.language import BLAME_HINT, DEFAULT_BLAME, KINDS, Finding, blame, personal_data

INCIDENTS = SAMPLE_LOG
FEW = settings(max_examples=200, deadline=None)


def found(text: str, allow: Collection[str] = ()) -> list[tuple[str, str]]:
    return [(f.kind, f.excerpt) for f in personal_data(text, allow)]


def assert_sound(text: str, findings: list[Finding]) -> None:
    for f in findings:
        assert 0 <= f.start < f.end <= len(text), f
        assert text[f.start:f.end] == f.excerpt, f
        assert f.kind in KINDS, f


# --- positives: each text holds exactly one finding, with this kind and excerpt ---------

POSITIVES = [
    # email
    ("Write to jo.bloggs@example.com for a copy.", "email", "jo.bloggs@example.com"),
    ("Mail a+b_c%d-e@mail.example.co.uk.", "email", "a+b_c%d-e@mail.example.co.uk"),
    ("(SUPPORT@EXAMPLE.ORG)", "email", "SUPPORT@EXAMPLE.ORG"),
    ("contact:\nfirst.last@sub-domain.example.net\n", "email", "first.last@sub-domain.example.net"),
    ("sent to josé@exämple.com", "email", "josé@exämple.com"),
    ("<mailto:x@y.io>", "email", "x@y.io"),
    # phone
    ("Ring +44 20 7946 0958 after ten.", "phone", "+44 20 7946 0958"),
    ("Ring 020 7946 0958 after ten.", "phone", "020 7946 0958"),
    ("Call (555) 010-2030 today", "phone", "(555) 010-2030"),
    ("Dial 0151-496-0123.", "phone", "0151-496-0123"),
    ("US line +1-202-555-0143, ask for Sam", "phone", "+1-202-555-0143"),
    ("+44 (0)20 7946 0958", "phone", "+44 (0)20 7946 0958"),
    ("+442079460958", "phone", "+442079460958"),
    ("mobile 07700 900123", "phone", "07700 900123"),
    ("mobile 07700900123", "phone", "07700900123"),
    ("from abroad 0044 20 7946 0958", "phone", "0044 20 7946 0958"),
    ("(020) 7946 0958", "phone", "(020) 7946 0958"),
    ("202-555-0143", "phone", "202-555-0143"),
    ("555.010.2030", "phone", "555.010.2030"),
    ("1-800-555-0199", "phone", "1-800-555-0199"),
    ("+353 1 234 5678", "phone", "+353 1 234 5678"),
    ("tel.\u00a0020\u00a07946\u00a00958", "phone", "020\u00a07946\u00a00958"),
    ("ref 12345 020 7946 0958", "phone", "020 7946 0958"),
    # card (Luhn-valid test numbers)
    ("card 4111 1111 1111 1111 on file", "card", "4111 1111 1111 1111"),
    ("card 4111-1111-1111-1111", "card", "4111-1111-1111-1111"),
    ("card 4111111111111111.", "card", "4111111111111111"),
    ("Amex 3782 822463 10005", "card", "3782 822463 10005"),
    ("Amex 378282246310005", "card", "378282246310005"),
    ("5555 5555 5555 4444", "card", "5555 5555 5555 4444"),
    ("4111 1111 1111 1111 and 3 more", "card", "4111 1111 1111 1111"),
    # address: street
    ("moved to 12 High Street last week", "address", "12 High Street"),
    ("221B Baker St.", "address", "221B Baker St"),
    ("12-14 Oak Tree Close", "address", "12-14 Oak Tree Close"),
    ("Flat 3, 7 St John's Wood Road", "address", "7 St John's Wood Road"),
    ("at 48 Elm avenue", "address", "48 Elm avenue"),
    ("at 5 Old\nMill Lane", "address", "5 Old\nMill Lane"),
    ("1600 Pennsylvania Ave", "address", "1600 Pennsylvania Ave"),
    ("at 9 The Crescent,", "address", "9 The Crescent"),
    # address: postcode and ZIP
    ("London SW1A 1AA", "address", "SW1A 1AA"),
    ("Manchester M1 1AE.", "address", "M1 1AE"),
    ("Birmingham B33 8TH", "address", "B33 8TH"),
    ("Springfield, IL 62704", "address", "IL 62704"),
    ("New York, NY 10001-1234", "address", "NY 10001-1234"),
]


@pytest.mark.parametrize(("text", "kind", "excerpt"), POSITIVES)
def test_flags(text: str, kind: str, excerpt: str) -> None:
    findings = personal_data(text)
    assert [(f.kind, f.excerpt) for f in findings] == [(kind, excerpt)]
    assert_sound(text, findings)


# --- negatives: nothing at all is flagged -----------------------------------------------

NEGATIVES = [
    # not emails
    "ping @alice.smith on chat", "@mentions only", "write to name@ then", "user@localhost",
    "icon@2x.png", "3 units @ £5.00", "a@b", "team@ the depot", "@@@",
    # dates, times, date-times
    "2026-03-14", "on 2026-03-14 at 10:40", "2026-03-14T10:40:00+01:00", "14.03.2026",
    "03-14-2026", "14/03/2026", "2025-2026", "2026-03-14 10:40:00", "between 09:30 and 17:30",
    "2026-03-14 2026-03-15 2026-03-16",
    # money, counts, percentages, durations, years
    "£1,200.50", "$1,234,567.89", "€1.234.567,89", "1,842 calls", "9,400", "25%",
    "a 30-minute wait", "in 2025", "Q1 2026", "40 minutes", "0.5 0.25 0.125",
    "1 500 000 customers", "100 200 300 400 500 600",
    # ticket ids and references
    "SD-4411", "INV-2026-0042", "INV-2026-0042-0007", "#123456789", "PO 12345678",
    "ORD-4111111111111111",
    # versions, ranges, small numbers
    "v1.2.3", "1.2.3", "10.0.0.1", "500-1000", "0800-1730", "42", "7 or 8",
    # phone look-alikes that are out of scope
    "555-0143", "44 20 7946 0958", "1234567",
    # card look-alikes
    "4111 1111 1111 1112", "1234 5678 9012 3456", "0000 0000 0000 0000",
    "41111 11111 11111 1", "41 1111 11111 11111",
    # address look-alikes
    "3 Dispatch Board", "the 10:00 visit", "2 January", "on 12 May Dr Patel called",
    "3 ways to help", "A4 3PM", "sw1a 1aa", "SW1A1AA",
    "IN 2026", "OK 1234", "3 Price rise letters", "3 stars Street", "at 12 high street",
    "",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_alone(text: str) -> None:
    assert personal_data(text) == []


# --- exact offsets ------------------------------------------------------------------------

def test_exact_offsets() -> None:
    text = ("Customer at 12 High Street, London SW1A 1AA rang 020 7946 0958 and "
            "mailed jo@example.com; card 4111 1111 1111 1111.")
    assert personal_data(text) == [
        Finding(12, 26, "address", "12 High Street"),
        Finding(35, 43, "address", "SW1A 1AA"),
        Finding(49, 62, "phone", "020 7946 0958"),
        Finding(74, 88, "email", "jo@example.com"),
        Finding(95, 114, "card", "4111 1111 1111 1111"),
    ]


def test_offsets_of_plus_and_parentheses() -> None:
    assert personal_data("x +44 (0)20 7946 0958 y") == [
        Finding(2, 21, "phone", "+44 (0)20 7946 0958")]
    assert personal_data("(555) 010-2030") == [Finding(0, 14, "phone", "(555) 010-2030")]


def test_email_trailing_dot_and_leading_dots_are_not_part_of_it() -> None:
    assert personal_data("...jo@example.com.") == [Finding(3, 17, "email", "jo@example.com")]


def test_url_userinfo_is_flagged() -> None:
    assert found("https://jo:secret@host.example.org/x") == [
        ("email", "secret@host.example.org")]


# --- cards and the Luhn check --------------------------------------------------------------

@pytest.mark.parametrize("number", [
    "4111 1111 1111 1111", "4012 8888 8888 1881", "5555 5555 5555 4444",
    "5105 1051 0510 5100", "3714 496353 98431", "6011 1111 1111 1117",
    "3530 1113 3330 0000", "2223 0031 2200 3222", "4222222222222",
])
def test_luhn_valid_numbers_are_cards(number: str) -> None:
    assert found(f"paid with {number} today") == [("card", number)]


@pytest.mark.parametrize("number", [
    "4111 1111 1111 1112", "4012 8888 8888 1882", "5555 5555 5555 4445",
    "3714 496353 98432", "6011 1111 1111 1118", "4222222222223",
])
def test_luhn_invalid_numbers_are_not_cards(number: str) -> None:
    assert found(f"paid with {number} today") == []


def test_card_wins_over_other_kinds() -> None:
    assert found("4111 1111 1111 1111") == [("card", "4111 1111 1111 1111")]


# --- allow list ------------------------------------------------------------------------------

def test_allow_drops_exact_excerpts() -> None:
    text = "Ring 0800 123 4567 or mail Support@Example.com; Jo is on 020 7946 0958."
    assert found(text) == [("phone", "0800 123 4567"), ("email", "Support@Example.com"),
                           ("phone", "020 7946 0958")]
    allow = (" 0800 123 4567 ", "support@example.com")
    assert found(text, allow) == [("phone", "020 7946 0958")]


def test_allow_is_case_sensitive_except_for_emails() -> None:
    assert found("SW1A 1AA", ("sw1a 1aa",)) == [("address", "SW1A 1AA")]
    assert found("SW1A 1AA", ("SW1A 1AA",)) == []
    assert found("JO@EXAMPLE.COM", ("jo@example.com",)) == []


def test_allow_is_exact_not_a_substring_or_reformatting() -> None:
    assert found("0800-123-4567", ("0800 123 4567",)) == [("phone", "0800-123-4567")]
    assert found("jo@example.com", ("example.com",)) == [("email", "jo@example.com")]


def test_allow_accepts_any_collection() -> None:
    assert found("jo@example.com", {"jo@example.com"}) == []
    assert personal_data("jo@example.com", frozenset(["x@y.zz"])) != []


# --- blame -----------------------------------------------------------------------------------

REQUIRED_BLAME = (
    "human error", "operator error", "user error", "forgot to", "forgot", "careless",
    "carelessness", "their fault", "his fault", "her fault", "should have known",
    "didn't bother", "lazy", "negligent", "negligence", "incompetent", "sloppy",
    "not paying attention", "failed to follow", "fault of",
)


def test_default_list_holds_the_required_phrases() -> None:
    assert set(REQUIRED_BLAME) <= set(DEFAULT_BLAME)
    assert len(set(DEFAULT_BLAME)) == len(DEFAULT_BLAME)


@pytest.mark.parametrize("phrase", DEFAULT_BLAME)
def test_every_default_phrase_is_found(phrase: str) -> None:
    text = f"The review said: {phrase.upper()}, then moved on."
    assert [f.excerpt.lower() for f in blame(text)] == [phrase]


def test_blame_offsets_and_longest_phrase() -> None:
    text = "Sam forgot to check. Human error."
    assert blame(text) == [Finding(4, 13, "blame", "forgot to"),
                           Finding(21, 32, "blame", "Human error")]


@pytest.mark.parametrize("text, excerpt", [
    ("it was put down to human\nerror by the shift lead", "human\nerror"),
    ("it was put down to human\r\n   error", "human\r\n   error"),
    ("the agent was not paying\n  attention", "not paying\n  attention"),
    ("he didn’t bother", "didn’t bother"),
    ("Operator\tError", "Operator\tError"),
])
def test_blame_across_whitespace_and_apostrophes(text: str, excerpt: str) -> None:
    assert [f.excerpt for f in blame(text)] == [excerpt]
    assert_sound(text, blame(text))


@pytest.mark.parametrize("text", [
    "the setting had been forgotten",  # "forgot" is whole-word: "forgotten" is not flagged
    "a lazybones", "unforgotten", "carelessnesses", "their faults", "by default of the form",
    "humane error", "the user errored out", "incompetently", "lazy-loading",
    "carefully", "the default list", "a human-error rate",
])
def test_blame_is_whole_word(text: str) -> None:
    if text == "lazy-loading":
        # a hyphen is not a word character, so "lazy" in "lazy-loading" is a word
        assert [f.excerpt for f in blame(text)] == ["lazy"]
    else:
        assert blame(text) == []


def test_phrases_replace_the_default() -> None:
    text = "Sam forgot; the rota rushed it."
    assert [f.excerpt for f in blame(text, ["rushed"])] == ["rushed"]
    assert [f.excerpt for f in blame(text, {"rota", "rushed"})] == ["rota", "rushed"]
    assert blame(text, []) == []
    assert blame(text, ["", "   "]) == []


def test_phrases_are_literal_text() -> None:
    assert [f.excerpt for f in blame("a c++ error. c error", ["c++ error"])] == ["c++ error"]
    assert [f.excerpt for f in blame("it was (obviously) wrong", ["(obviously)"])] == [
        "(obviously)"]
    assert blame("a.b", ["a*b"]) == []


def test_blame_hint_is_one_line() -> None:
    assert BLAME_HINT and "\n" not in BLAME_HINT
    assert "rather than who" in BLAME_HINT


# --- properties -------------------------------------------------------------------------------

TRICKY = st.lists(st.sampled_from(
    list("0123456789    +-().@:/,#%£\n\u00a0aAeSWMstdkxILNY'’")
    + ["Street", "Road", "Close", "forgot", "human", "error", "4111", "020", ".com"]
)).map("".join)


@FEW
@given(text=st.text())
def test_any_text_is_handled(text: str) -> None:
    findings = personal_data(text)
    assert_sound(text, findings)
    assert all(a.end <= b.start for a, b in pairwise(findings))
    assert_sound(text, blame(text))


@FEW
@given(text=TRICKY)
def test_tricky_text_is_handled(text: str) -> None:
    findings = personal_data(text)
    assert_sound(text, findings)
    assert all(a.end <= b.start for a, b in pairwise(findings))
    assert all(f.kind != "blame" for f in findings)
    b = blame(text)
    assert_sound(text, b)
    assert all(f.kind == "blame" for f in b)


@FEW
@given(text=TRICKY, data=st.data())
def test_allow_only_removes(text: str, data: st.DataObject) -> None:
    everything = personal_data(text)
    allow = data.draw(st.lists(st.sampled_from([f.excerpt for f in everything] + ["x"])))
    kept = personal_data(text, allow)
    assert set(kept) <= set(everything)
    assert not any(f.excerpt in allow for f in kept)


@FEW
@given(text=st.text(), phrases=st.lists(st.text(max_size=20), max_size=5))
def test_any_phrases_are_handled(text: str, phrases: list[str]) -> None:
    assert_sound(text, blame(text, phrases))


WORDS = st.text(alphabet=string.ascii_letters + "'", min_size=1, max_size=6)


@FEW
@given(phrases=st.lists(st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
                        min_size=1, max_size=4),
       text=st.lists(st.one_of(WORDS, st.sampled_from([" ", "\n", "  ", ", "])))
       .map("".join))
def test_blame_excerpts_are_the_phrases(phrases: list[str], text: str) -> None:
    def norm(s: str) -> str:
        return " ".join(s.replace("’", "'").split()).lower()
    wanted = {norm(p) for p in phrases}
    for f in blame(text, phrases):
        assert norm(f.excerpt) in wanted
        assert f.start == 0 or not text[f.start - 1].isalnum()
        assert f.end == len(text) or not text[f.end].isalnum()


CONTEXT = st.text(alphabet=string.ascii_letters + " ,;!?\n", max_size=30)


@FEW
@given(before=CONTEXT, after=CONTEXT, number=st.sampled_from(
    ["+44 20 7946 0958", "020 7946 0958", "(555) 010-2030", "0151-496-0123",
     "+1-202-555-0143", "4111 1111 1111 1111", "jo@example.com", "12 High Street"]))
def test_planted_data_is_found_in_any_prose(before: str, after: str, number: str) -> None:
    text = f"{before} {number} {after}"
    start = len(before) + 1
    assert any(f.start <= start and start + len(number) <= f.end
               for f in personal_data(text)), personal_data(text)


# --- adversarial input: every pattern is linear, so these return promptly --------------------

ADVERSARIAL = {
    "digits": "1" * 100_000,
    "letter then digits": "x" + "4" * 100_000,
    "spaced digits": "1 " * 50_000,
    "dashed digits": "1-" * 50_000,
    "dotted digits": "1." * 50_000,
    "zeros": "0 " * 50_000,
    "card groups": "4111 " * 20_000,
    "trunk groups": "020 " * 25_000,
    "plus": "+0 " * 33_334,
    "parentheses": "(0)" * 33_334,
    "mixed separators": "0 1-2.3 " * 12_500,
    "at signs": "@" * 100_000,
    "dots": "." * 100_000,
    "at and letters": "a@" * 50_000,
    "letters and dots": "a." * 50_000,
    "long local part": "a" * 100_000 + "@example.com",
    "long domain": "a@" + "b." * 50_000,
    "digits after at": "a" * 64 + "@" + "1" * 100_000,
    "spaces": " " * 100_000,
    "house numbers": "1 Aa " * 20_000,
    "capitalised words": "12 " + "Abc " * 25_000,
    "postcode-ish": "SW1A " * 20_000,
    "phrase starts": "human " * 20_000,
    "phrase with breaks": "not paying\n" * 10_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_long_adversarial_text_returns(text: str) -> None:
    assert len(text) >= 100_000
    assert_sound(text, personal_data(text))
    assert_sound(text, blame(text))


# --- the sample learning log ----------------------------------------------------------------

def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


SAMPLE_FILES = sorted(INCIDENTS.rglob("*.yaml"))


def test_sample_log_is_there() -> None:
    assert len(SAMPLE_FILES) > 10


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_records_hold_no_personal_data(path: Path) -> None:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    findings = [(text[max(0, f.start - 30):f.end + 30], f)
                for text in strings_in(record) for f in personal_data(text)]
    assert findings == []
