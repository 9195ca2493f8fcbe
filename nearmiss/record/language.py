"""Language checks on one free-text value: personal data that must not be published, and
wording that blames a person instead of describing the system.

Every function here takes one string and returns ``Finding`` s whose ``start``/``end`` are
offsets into that string (``text[start:end] == excerpt``), sorted by ``start``. Nothing
here reads YAML or knows about lines; the checker maps offsets to places. Only ``re`` is
used, and the work is linear in the length of the text: digit runs are matched whole
with possessive quantifiers (no backtracking), other patterns have bounded repeats, an
email is grown outwards from each ``@`` at most 64 + 255 characters, and the finer
decisions (grouping, digit counts, Luhn) are made in Python on the few candidates.
Cheap screens decide where the scanners look, without changing what they find: the phone
and card scanners read only the stretches around seven close digits, each address pattern
runs only if its screen finds something, and the blame pattern reads only the sentences
around a few needles (substrings every match holds). A 100 KB adversarial string (long
runs of digits, spaces, ``@``, dots …) takes well under a second.

What ``personal_data`` detects
------------------------------
``email``
    ``local@domain.tld``: a local part of letters, digits and ``. _ % + -`` (at most 64),
    a domain of at least two dot-separated labels, the last one (the TLD) alphabetic and
    at least two letters long. A trailing full stop or hyphen is not part of the address.
    Not flagged: ``@mentions`` and ``name@`` (no local part or no domain),
    ``user@localhost`` (no dot), image names such as ``icon@2x.png`` (file-extension
    "TLD"). In a URL such as ``https://user:pw@host.example`` the ``pw@host.example`` part
    is flagged.
``phone``
    Groups of digits separated by single spaces (or no-break spaces), dashes or dots, in
    one of these shapes (so 8-15 digits in practice):

    * international: a leading ``+``, 8-15 digits, country code of 1-4 digits when grouped,
      optionally ``(0)`` after it: ``+44 20 7946 0958``, ``+44 (0)20 7946 0958``,
      ``+1-202-555-0143``, ``+442079460958``;
    * national with a trunk ``0`` (or ``00`` international prefix): first group ``0`` +
      non-zero digit and at least three digits long, later groups at least two digits,
      9-15 digits in all: ``020 7946 0958``, ``0151-496-0123``, ``07700 900123``,
      ``0044 20 7946 0958``, and ungrouped ``02079460958``;
    * parenthesised area code: ``(555) 010-2030`` (3-3-4) or ``(020) 7946 0958``
      (trunk 0 inside, 10-11 digits);
    * North American 3-3-4 (or 1-3-3-4) with one separator used throughout and an area
      code starting 2-9: ``202-555-0143``, ``555.010.2030``, ``1-800-555-0199``.

    Not flagged: dates (``2026-03-14``, ``14.03.2026``, ``03-14-2026``), times (``10:40``),
    ISO date-times, money (``£1,200.50``), ticket ids (``SD-4411``, ``INV-2026-0042``: a
    number straight after a letter, digit, ``_``, ``-``, ``+``, ``.``, ``,``, ``/``,
    ``:``, ``#``, ``%`` or a currency sign never starts a candidate), durations, years,
    percentages, versions, ranges (``500-1000``), plain numbers, and numbers glued to
    letters or followed by ``:``/``.`` + digit. Also not flagged (false negatives):
    international numbers written without ``+`` or ``00`` (``44 20 7946 0958``), 7-digit
    local numbers (``555-0143``), numbers split with ``/``, and ungrouped numbers that do
    not start with ``0`` or ``+``.
``card``
    13-19 digits, either one unbroken run or grouped with single spaces/dashes as
    4-4-4-1..4-4-4-4 (optionally a fifth group: 4-4-4-4-1..3) or 4-6-5 / 4-6-4 (Amex,
    Diners), starting with 2-6 (the major networks' ranges), passing the Luhn check. A
    run longer than 19 digits is not cut into a card. Not flagged: Luhn-invalid numbers,
    numbers starting 0, 1, 7, 8 or 9, odd groupings (``41 1111 11111 11111``). Within
    a longer space-separated run the first card-shaped, Luhn-valid stretch that starts
    and ends at a space is flagged (``4111 1111 1111 1111 2026`` flags the first 16).
``address``
    * street addresses: a house number (``12``, ``12a``, ``12-14``), one to four
      Capitalised words, and a street-type word (case-insensitive): Street/St, Road/Rd,
      Avenue/Ave, Lane/Ln, Drive/Dr, Close, Way, Court/Ct, Place/Pl, Crescent/Cres,
      Boulevard/Blvd, Terrace/Tce, Gardens/Gdns, Square/Sq, Grove, Mews, Parade,
      Highway/Hwy, Parkway/Pkwy. The excerpt runs from the number to the street type.
      "3 Dispatch Board" (no street type) and "the 10:00 visit" are not addresses; a
      first word that is a month or weekday ("on 12 May Dr Patel …") is skipped, which
      also misses a real "12 May Close".
    * UK postcodes in upper case with the usual space: ``SW1A 1AA``, ``M1 1AE``,
      ``B33 8TH`` (the letter rules of the format are applied, so ``A4 3PM`` is not one).
      ``SW1A1AA`` (no space) and lower-case postcodes are not detected.
    * a US state abbreviation followed by a 5-digit ZIP or ZIP+4: ``IL 62704``,
      ``NY 10001-1234`` (the excerpt includes the state).

    Known false positives: prose that happens to read "number, Capitalised words,
    street-type word" ("2 Engineers Drive", "3 Better Way"), a 13-19 digit reference
    number that passes Luhn (one in ten do), a 9-15 digit reference number starting ``0``.

``allow`` holds exact strings known not to be personal data (the company hotline, the
support address); a finding whose excerpt equals one of them after stripping (ignoring
case for emails) is dropped. Where findings of different kinds overlap, one is kept, in
the order email, card, phone, address.

What ``blame`` detects
----------------------
Each phrase matches case-insensitively as whole words (``forgot`` does not match in
``forgotten``, ``lazy`` not in ``lazybones``), with any run of whitespace, line breaks
included, between its words, and ``'`` and ``’`` interchangeable. Longer phrases win
(``forgot to`` over ``forgot``). ``DEFAULT_BLAME`` lists phrases that name a person's
failing rather than a system condition; it leaves out words usually used about things
(``forgotten``: "a forgotten setting", ``missed``, ``mistake``) and phrases usually used
to say nobody is to blame (``to blame``, ``at fault``). Phrases are literal: "Sam's
fault" is not found (only "their/his/her fault" and "fault of"); a hyphen separates words,
so "lazy-loading" contains "lazy" while "human-error" does not contain "human error".
Inflections are separate phrases ("careless", "carelessly", "carelessness"); "their
faults" is not "their fault". Negation is not understood: "it was not their fault" and
"no fault of" are still flagged — rewording them is the fix.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["BLAME_HINT", "DEFAULT_BLAME", "KINDS", "Finding", "blame", "personal_data"]

KINDS = ("email", "phone", "card", "address", "blame")


@dataclass(frozen=True)
class Finding:
    """A piece of one text value: ``text[start:end] == excerpt``."""

    start: int
    end: int
    kind: str
    excerpt: str


DEFAULT_BLAME: tuple[str, ...] = (
    # an "error" of a person or role
    "human error", "operator error", "user error", "staff error", "agent error",
    # forgetting and not bothering
    "forgot", "forgot to", "didn't bother", "did not bother", "couldn't be bothered",
    # character judgements
    "careless", "carelessly", "carelessness", "lazy", "laziness", "negligent",
    "negligence", "incompetent", "incompetence", "sloppy", "reckless", "complacent",
    "complacency", "inattentive", "stupid",
    # attention and hindsight
    "not paying attention", "wasn't paying attention", "should have known",
    "failed to follow",
    # fault
    "their fault", "his fault", "her fault", "fault of",
)

BLAME_HINT = (
    "describe what made the slip likely (what the screen showed, what the rota or process "
    "assumed, what was missing) rather than who slipped"
)

# --- shared ---------------------------------------------------------------------------

_DIGIT = re.compile(r"[0-9]")
_WORD_CHAR = re.compile(r"\w")
_SPACES = frozenset(" \u00a0")
# Characters that, straight before a number, make it part of something else: a word or
# ticket id (SD-4411), a decimal or thousands group, a date, time or path, a reference
# (#123), an amount or a signed number.
_NOT_BEFORE = re.compile(r"[\w.,/:#%£$€¥+-]")


def _free_before(text: str, start: int) -> bool:
    """Whether the character before ``start`` (if any) lets a number start there."""
    return start == 0 or _NOT_BEFORE.match(text, start - 1) is None


def _glued_after(text: str, end: int) -> bool:
    """Whether a number ending at ``end`` runs on into a word, decimal, time or percent."""
    if end >= len(text):
        return False
    ch = text[end]
    if _WORD_CHAR.match(ch) or ch == "%":
        return True
    return ch in ".,:/" and end + 1 < len(text) and _DIGIT.match(text, end + 1) is not None


# The screens and the number regions read the text as one byte per character naming its
# class: ``0`` a digit 0-9, ``A``/``a`` an ASCII capital/small letter, ``n`` a line break,
# ``S`` a space or no-break space, ``s`` another space, ``p`` one of ``.()+-`` (the rest of
# what a phone or card chain holds), ``?`` a question mark or any character beyond
# Latin-1 (which may be a space), ``.`` anything else. Offsets are the text's. A pattern
# on these bytes starts with a literal byte, which ``re`` finds several times faster than
# a character class in the text, and one ``translate`` classifies the text for all of them.
def _class_table() -> bytes:
    table = bytearray(b"." * 256)
    for code in range(256):
        ch = chr(code)
        if ch.isascii() and ch.isalnum():
            table[code] = ord("0" if ch.isdigit() else "A" if ch.isupper() else "a")
        elif ch in "\n ?\u00a0.()+-":
            table[code] = ord({"\n": "n", " ": "S", "\u00a0": "S", "?": "?"}.get(ch, "p"))
        elif ch.isspace():
            table[code] = ord("s")
    return bytes(table)


_CLASSES = _class_table()
_NOT_CHAIN = b"Aans?."  # the classes of characters no phone or card chain holds


def _classes(text: str) -> bytes:
    return text.encode("latin-1", "replace").translate(_CLASSES)


# Punctuation that no address and no blaming phrase holds: a pattern that finds its
# matches in the stretch between two of these finds there just what it finds in the whole
# text, so it need only read the stretches around the places its matches must hold.
_BREAKS = ".,;:!?()\"/"
_BREAK = re.compile(f"[{re.escape(_BREAKS)}]")
_NEAR = 40


def _spans(text: str, hits: list[int], breaks: str,
           stops: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """Sorted, disjoint spans ``(start, end)`` of ``text`` around the sorted offsets
    ``hits``: each from the last of ``breaks`` before a hit to the next one (``stops``
    finds them), hits a few words apart in one span."""
    spans: list[tuple[int, int]] = []
    done = 0
    for at in hits:
        if at < done:
            continue
        stop = stops.search(text, at) if stops is not None else None
        end = len(text) if stop is None else stop.start()
        if spans and at - done < _NEAR:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((max(done, *(text.rfind(ch, done, at) + 1 for ch in breaks)), end))
        done = end
    return spans


# --- email ----------------------------------------------------------------------------

_LOCAL_CHAR = re.compile(r"[\w.%+-]")
_DOMAIN = re.compile(r"[\w.-]{1,255}")
_MAX_LOCAL = 64
_NOT_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif", "tiff",
                       "ico", "pdf", "css", "js", "html", "htm", "txt", "yaml", "yml"})


def _label_ok(label: str) -> bool:
    return bool(label) and label[0] != "-" and label[-1] != "-"


def _emails(text: str) -> Iterator[Finding]:
    previous_end = 0
    at = text.find("@")
    while at != -1:
        # the local part: the whole run of local-part characters before the "@"
        start = at
        while start > 0 and at - start <= _MAX_LOCAL and _LOCAL_CHAR.match(text, start - 1):
            start -= 1
        domain = _DOMAIN.match(text, at + 1)
        if at - start <= _MAX_LOCAL and start >= previous_end and domain is not None:
            while start < at and text[start] == ".":
                start += 1
            labels: list[str] = []
            for label in domain.group().split("."):
                if not _label_ok(label):
                    break
                labels.append(label)
            while len(labels) >= 2 and not (
                    labels[-1].isalpha() and len(labels[-1]) >= 2
                    and labels[-1].lower() not in _NOT_TLDS):
                labels.pop()
            if start < at and len(labels) >= 2:
                end = at + 1 + len(".".join(labels))
                yield Finding(start, end, "email", text[start:end])
                previous_end = end
        at = text.find("@", at + 1)


# --- number regions -------------------------------------------------------------------

# Seven digits close together (at most three characters, none a letter, digit or line
# break, between neighbours): every phone and card number holds such a run. The pattern
# is written out, not repeated with {6}, which ``re`` runs faster.
_NUMBERISH = re.compile(rb"0" + rb"[Ssp?.]{0,3}0" * 6)
_CHAIN_END = re.compile(b"[" + _NOT_CHAIN + b"]")


def _number_regions(classes: bytes) -> list[tuple[int, int]]:
    """Sorted, disjoint stretches ``(start, end)`` of the text that hold every phone or card
    number chain around each run of seven close digits; the scanners read only these.

    A stretch runs out to the nearest characters that no chain can hold (or to the end of
    the last stretch), so a chain found in it is exactly a chain of the whole text: a
    number's chain touches a seven-digit run of the number itself, and that run overlaps
    one of the runs ``finditer`` reports."""
    regions: list[tuple[int, int]] = []
    done = 0
    for run in _NUMBERISH.finditer(classes):
        if run.end() <= done:
            continue
        start = max(done, *(classes.rfind(c, done, run.start()) + 1 for c in _NOT_CHAIN))
        stop = _CHAIN_END.search(classes, run.end())
        done = len(classes) if stop is None else stop.start()
        regions.append((start, done))
    return regions


def _chains(pattern: re.Pattern[str], text: str,
            regions: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    for start, end in regions:
        yield from pattern.finditer(text, start, end)


# --- card -----------------------------------------------------------------------------

_CARD_CHAIN = re.compile(r"[0-9]++(?:[ \u00a0-][0-9]++)*+")
_CARD_GROUP = re.compile(r"[0-9]+")
_CARD_FIRST_DIGITS = "23456"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_layout_ok(lengths: tuple[int, ...]) -> bool:
    if not 13 <= sum(lengths) <= 19:
        return False
    if len(lengths) == 1 or lengths in ((4, 6, 5), (4, 6, 4)):
        return True
    return len(lengths) >= 4 and all(n == 4 for n in lengths[:-1]) and lengths[-1] <= 4


def _cards(text: str, regions: list[tuple[int, int]]) -> Iterator[Finding]:
    for chain in _chains(_CARD_CHAIN, text, regions):
        groups = [(g.start(), g.end()) for g in
                  _CARD_GROUP.finditer(text, chain.start(), chain.end())]
        n = len(groups)
        i = 0
        while i < n:
            start = groups[i][0]
            found = None
            if (text[start] in _CARD_FIRST_DIGITS
                    and (_free_before(text, start) if i == 0 else text[start - 1] in _SPACES)):
                for j in range(i, min(n, i + 5)):
                    end = groups[j][1]
                    if j < n - 1 and text[end] not in _SPACES:
                        continue
                    if j == n - 1 and _glued_after(text, end):
                        continue
                    if not _card_layout_ok(tuple(e - s for s, e in groups[i:j + 1])):
                        continue
                    if _luhn_ok("".join(text[s:e] for s, e in groups[i:j + 1])):
                        found = j
                        break
            if found is None:
                i += 1
                continue
            end = groups[found][1]
            yield Finding(start, end, "card", text[start:end])
            i = found + 1


# --- phone ----------------------------------------------------------------------------

_PHONE_CHAIN = re.compile(
    r"\+?(?:\([0-9]{1,5}\)|[0-9]++)(?:[ .\u00a0-]?(?:\([0-9]{1,5}\)|[0-9]++))*+"
)
_PHONE_GROUP = re.compile(r"\(([0-9]{1,5})\)|([0-9]+)")
_TRUNK = re.compile(r"0(?:0[1-9]|[1-9])[0-9]*")
_MAX_PHONE_GROUPS = 7


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    paren: bool


def _phone_end(text: str, groups: list[_Group], i: int, plus: bool) -> int | None:
    """The index of the last group of a phone number starting at group ``i``, if any.

    A number may end only before a space or at the end of the chain; among the shapes that
    fit, the longest wins.
    """
    n = len(groups)
    last = min(n, i + _MAX_PHONE_GROUPS) - 1

    def sep(k: int) -> str:
        return text[groups[k].end:groups[k + 1].start]

    def may_end(j: int) -> bool:
        return j == n - 1 or sep(j) in _SPACES

    first = groups[i]
    best: int | None = None

    # international (+) and national trunk-0 numbers: free grouping
    if plus or (not first.paren and _TRUNK.fullmatch(first.digits)):
        if first.paren:
            return None
        low = 8 if plus else 9
        if not plus and len(first.digits) < 3:
            return None
        digits = len(first.digits)
        if digits > 15:
            return None
        if digits >= low and may_end(i):
            best = i
        if len(first.digits) > (4 if plus else 6):
            return best  # an ungrouped number: +442079460958, 02079460958
        for j in range(i + 1, last + 1):
            g = groups[j]
            if g.paren:
                if plus and j == i + 1 and g.digits == "0":
                    continue  # +44 (0)20 …
                break
            if not plus and len(g.digits) < 2:
                break
            digits += len(g.digits)
            if digits > 15:
                break
            if digits >= low and may_end(j):
                best = j
        return best

    # (555) 010-2030, (020) 7946 0958
    if first.paren:
        if len(first.digits) == 3 and first.digits[0] != "0" and first.digits[0] != "1":
            if (i + 2 <= last and len(groups[i + 1].digits) == 3
                    and len(groups[i + 2].digits) == 4
                    and not groups[i + 1].paren and not groups[i + 2].paren
                    and may_end(i + 2)):
                return i + 2
            return None
        if _TRUNK.fullmatch(first.digits) and len(first.digits) >= 3:
            digits = len(first.digits)
            for j in range(i + 1, last + 1):
                g = groups[j]
                if g.paren or len(g.digits) < 2:
                    break
                digits += len(g.digits)
                if digits > 11:
                    break
                if digits >= 10 and may_end(j):
                    best = j
        return best

    # North American 202-555-0143, 1-800-555-0199
    for shape in ((3, 3, 4), (1, 3, 3, 4)):
        j = i + len(shape) - 1
        if j > last:
            continue
        run = groups[i:j + 1]
        if tuple(len(g.digits) for g in run) != shape or any(g.paren for g in run):
            continue
        if shape[0] == 1 and first.digits != "1":
            continue
        if run[-3].digits[0] in "01":
            continue
        seps = {sep(k) for k in range(i, j)}
        if len(seps) == 1 and seps <= {" ", "-", ".", "\u00a0"} and may_end(j):
            return j
    return None


def _phones(text: str, regions: list[tuple[int, int]]) -> Iterator[Finding]:
    for chain in _chains(_PHONE_CHAIN, text, regions):
        groups = [
            _Group(g.start(), g.end(), g.group(1) or g.group(2) or "", g.group(1) is not None)
            for g in _PHONE_GROUP.finditer(text, chain.start(), chain.end())
        ]
        chain_start = chain.start()
        has_plus = text[chain_start] == "+"
        n = len(groups)
        i = 0
        while i < n:
            if not (_free_before(text, chain_start) if i == 0
                    else text[groups[i].start - 1] in _SPACES):
                i += 1
                continue
            j = _phone_end(text, groups, i, i == 0 and has_plus)
            if j is not None and j == n - 1 and _glued_after(text, chain.end()):
                j = None
            if j is None:
                i += 1
                continue
            start = chain_start if i == 0 else groups[i].start
            end = groups[j].end
            yield Finding(start, end, "phone", text[start:end])
            i = j + 1


# --- address --------------------------------------------------------------------------

_STREET_TYPES = (
    "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Ln", "Drive", "Dr", "Close",
    "Way", "Court", "Ct", "Place", "Pl", "Crescent", "Cres", "Boulevard", "Blvd", "Terrace",
    "Tce", "Gardens", "Gdns", "Square", "Sq", "Grove", "Mews", "Parade", "Highway", "Hwy",
    "Parkway", "Pkwy",
)
_STREET = re.compile(
    r"[0-9]{1,5}[A-Za-z]?(?:[-–][0-9]{1,5}[A-Za-z]?)?"
    r"\s+(?P<first>[A-Z][\w'’-]{0,40})(?:\s+[A-Z][\w'’-]{0,40}){0,3}?"
    r"\s+(?i:" + "|".join(sorted(_STREET_TYPES, key=len, reverse=True)) + r")(?![\w'’-])"
)
_CALENDAR_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
    "fri", "sat", "sun",
})
_UK_POSTCODE = re.compile(
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[ \u00a0][0-9][ABD-HJLNP-UW-Z]{2}"
    r"(?![\w-])"
)
_US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR",
)
_US_ZIP = re.compile(
    r"(?:" + "|".join(_US_STATES) + r")[ \u00a0][0-9]{5}(?:-[0-9]{4})?(?![\w-])"
)
_POSTCODE_NOT_BEFORE = re.compile(r"[\w-]")
# The address patterns run only around the places where a screen, on the classes, finds
# what each of their matches holds: a digit, maybe a letter, spaces and a capital (a
# street); a capital and a digit (a postcode) or a capital, a space and five digits (a ZIP).
_ADDRESS_PATTERNS = (
    (re.compile(rb"0[Aa]?[nSs?]+A"), ((_STREET, _NOT_BEFORE),)),
    (re.compile(rb"A(?:0|S0{5})"), ((_UK_POSTCODE, _POSTCODE_NOT_BEFORE),
                                    (_US_ZIP, _POSTCODE_NOT_BEFORE))),
)


def _matches(pattern: re.Pattern[str], text: str, not_before: re.Pattern[str],
             start: int, end: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, start, end)`` as if the pattern began with
    ``(?<!not_before)``: a rejected match is retried one character later (the patterns
    here are short, so this is cheap)."""
    pos = start
    while (m := pattern.search(text, pos, end)) is not None:
        if m.start() > 0 and not_before.match(text, m.start() - 1):
            pos = m.start() + 1
            continue
        yield m
        pos = m.end()


def _addresses(text: str, jobs: list[tuple[re.Pattern[str], re.Pattern[str],
                                            list[tuple[int, int]]]]) -> Iterator[Finding]:
    for pattern, not_before, spans in jobs:
        for start, end in spans:
            for m in _matches(pattern, text, not_before, start, end):
                if pattern is not _STREET or m.group("first").lower() not in _CALENDAR_WORDS:
                    yield Finding(m.start(), m.end(), "address", m.group())


# --- personal data --------------------------------------------------------------------

def personal_data(text: str, allow: Collection[str] = ()) -> list[Finding]:
    """Emails, phone and card numbers and postal addresses in ``text`` (see the module
    docstring for exactly what counts), minus the excerpts listed in ``allow``."""
    finders: list[Iterator[Finding]] = []
    if "@" in text:
        finders.append(_emails(text))
    # Cheap C-speed screens first: the careful scanners are pure Python and run only where
    # something could be a phone or card number (seven or more digits close together) or
    # an address.
    classes = _classes(text)
    regions = _number_regions(classes)
    if regions:
        finders += [_cards(text, regions), _phones(text, regions)]
    addresses = []
    for screen, patterns in _ADDRESS_PATTERNS:
        hits = [m.start() for m in screen.finditer(classes)]
        if hits:
            spans = _spans(text, hits, _BREAKS, _BREAK)
            addresses += [(pattern, not_before, spans) for pattern, not_before in patterns]
    if addresses:
        finders.append(_addresses(text, addresses))
    if not finders:
        return []
    allowed = {a.strip() for a in allow}
    allowed_emails = {a.casefold() for a in allowed}
    kept: list[Finding] = []
    starts: list[int] = []  # the spans taken so far, disjoint and sorted
    ends: list[int] = []
    for found in finders:
        for f in found:
            k = bisect_left(starts, f.end)
            if k and ends[k - 1] > f.start:
                continue  # overlaps a finding of an earlier kind
            starts.insert(k, f.start)
            ends.insert(k, f.end)
            if f.excerpt in allowed or (
                    f.kind == "email" and f.excerpt.casefold() in allowed_emails):
                continue
            kept.append(f)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


# --- blame ----------------------------------------------------------------------------

_APOSTROPHES = "'’"


def _phrase_pattern(words: list[str]) -> str:
    return r"\s+".join(
        "".join("['’]" if ch in _APOSTROPHES else re.escape(ch) for ch in word)
        for word in words
    )


@lru_cache(maxsize=64)
def _blame_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    # a phrase without a letter or digit ("'", "--") names no words and would match anywhere
    split = sorted({tuple(p.split()) for p in phrases
                    if p.split() and any(ch.isalnum() for ch in p)},
                   key=lambda words: (-len(" ".join(words)), words))
    if not split:
        return None
    # Whole words only, whatever the phrase starts or ends with; the test is made once,
    # around the alternatives, which is several times faster than once per phrase.
    return re.compile(r"(?<!\w)(?:" + "|".join(_phrase_pattern(list(w)) for w in split)
                      + r")(?!\w)", re.IGNORECASE)


_COMMON = frozenset({"not", "to", "have", "of", "did", "their", "his", "her", "should", "was",
                     "be", "the", "a", "it", "is", "in", "on", "for"})


@lru_cache(maxsize=64)
def _keywords(phrases: tuple[str, ...]) -> tuple[str, ...] | None:
    """One telling word per phrase, every match of the phrase contains it: a text without
    any of them cannot match, and testing substrings is far cheaper than the regex.
    None when some phrase has no such word (then the regex always runs)."""
    words = []
    for phrase in phrases:
        usable = [w.lower() for w in phrase.split()
                  if w.lower() not in _COMMON and not any(c in w for c in _APOSTROPHES)]
        if not usable:
            if any(ch.isalnum() for ch in phrase):
                return None
            continue
        words.append(max(usable, key=len))
    return tuple(sorted(set(words)))


# The characters an IGNORECASE pattern matches to an ASCII letter that ``str.lower`` does
# not turn into that letter: "ı" and "ſ" (matched as i and s) and "İ", the one character
# that lowers to two. In a text without them, the lowered text holds every match of an
# ASCII phrase, lowered, at the match's own offsets.
_CASE_QUIRKS = "İıſ"


@lru_cache(maxsize=64)
def _spotting(phrases: tuple[str, ...]
              ) -> tuple[tuple[str, ...], str, re.Pattern[str] | None] | None:
    """How ``blame`` finds the spans of a text that may hold a match, for ASCII phrases
    (None for others): needles, lowered pieces of the phrases' words such that every match
    of a phrase holds one of them (few cover all: "error" serves the five "... error"
    phrases, "negligen" both "negligent" and "negligence"), the punctuation that no match
    holds, and a pattern finding it."""
    named = [p for p in phrases if p.split() and any(ch.isalnum() for ch in p)]
    if not all(p.isascii() for p in named):
        return None
    pieces = [{piece for word in p.lower().split() for piece in word.split("'") if piece}
              for p in named]
    candidates = sorted({piece[i:j] for ps in pieces for piece in ps
                         for i in range(len(piece)) for j in range(i + 5, len(piece) + 1)}
                        | set().union(*pieces))
    joined = [" ".join(ps) for ps in pieces]  # no piece holds a space
    covers = {c: {k for k, words in enumerate(joined) if c in words} for c in candidates}
    rare = {c for c in candidates if len(c) >= 4 and not any(c in w for w in _COMMON)}
    needles: list[str] = []
    left = set(range(len(pieces)))
    while left:
        # one that covers a phrase left, then one unlikely in any text, then the most phrases
        best = max(candidates, key=lambda c: (
            (n := len(covers[c] & left)) > 0, c in rare, n, len(c)))
        needles.append(best)
        left -= covers[best]
    breaks = "".join(ch for ch in _BREAKS + "-" if not any(ch in p for p in named))
    return tuple(needles), breaks, re.compile(f"[{re.escape(breaks)}]") if breaks else None


def blame(text: str, phrases: Collection[str] = DEFAULT_BLAME) -> list[Finding]:
    """Whole-word, case-insensitive occurrences of ``phrases`` in ``text`` (any whitespace,
    line breaks included, between a phrase's words). ``phrases`` replaces the default."""
    key = phrases if isinstance(phrases, tuple) else tuple(sorted(phrases))
    pattern = _blame_pattern(key)
    if pattern is None:
        return []
    lowered = text.lower()
    spotting = _spotting(key)
    if spotting is not None and (text.isascii()
                                 or not any(ch in text for ch in _CASE_QUIRKS)):
        # The pattern runs only around the needles: a few substring searches and the
        # pattern on a sentence or two instead of the pattern on the whole text. Every
        # match is found, and a text without the keywords below has no match.
        needles, breaks, stops = spotting
        hits = []
        for needle in needles:
            at = lowered.find(needle)
            while at != -1:
                hits.append(at)
                at = lowered.find(needle, at + 1)
        spans = _spans(text, sorted(hits), breaks, stops)
    else:
        # Here the keyword test can also skip a text whose only matches are spelt with
        # the quirks ("carelesſ"): it is kept as it was, so the verdicts stay the same.
        keywords = _keywords(key)
        if keywords is not None and not any(word in lowered for word in keywords):
            return []
        spans = [(0, len(text))]
    return [Finding(m.start(), m.end(), "blame", m.group())
            for start, end in spans for m in pattern.finditer(text, start, end)]
