"""Similar records ("seen this before?"): text similarity across the whole log.

"More like this" with SQLite FTS5 (stdlib ``sqlite3``, no extra dependency): every record
is a row of an in-memory full-text index, one column per field, so words are cut and
stemmed by FTS5, never by hand. A record's query is its ``TERMS`` most telling words (by
bm25 weight, among words neither unique nor common); a plain OR of all its words would
match almost every record through common words and be a hundred times slower. A match's
score compares the bm25 of the hit with the bm25 of the query record against itself (the
best any record could do), both ways, so 1 means "says all of it" and scores compare
across queries. docs/guide/figures.md explains it for users.
"""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from nearmiss.record.model import Record

# the index's columns, each with its bm25 weight: a title is the record in one line, so a
# shared title word says more than one shared in the story; labels (root-cause keys and
# tags) are the reviewers' own words for what went wrong (weights tuned on the sample's
# related links: docs/guide/figures.md)
COLUMNS = (("title", 2.0), ("story", 1.0), ("outcome", 1.0), ("whys", 1.0),
           ("lessons", 1.0), ("labels", 2.0))
TERMS = 24  # words in a record's query
MIN_DF = 2  # a word only one record has matches nothing else
MAX_DF_SHARE = 0.1  # a word more than this share of records have is too common to tell
MAX_DF_FLOOR = 10  # ... but in a small log a word of ten records (or of half) still tells
MAX_DF_CAP = 100  # the pass costs in proportion to the records query words are in
# function words say nothing about a story, however rare they are in a small log: left
# out of queries (stemmed by the index's own tokenizer, as the vocabulary is), with
# numbers and month and day names
STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further get got had has have having he her here hers him his how i if in into is it its
itself just me more most my no nor not now of off on once only or other our ours out over
own same she should since so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom
why will with would you your january february march april may june july august september
october november december monday tuesday wednesday thursday friday saturday sunday
"""
# a match's score is the geometric mean of how much of the query's words the hit has and
# how much of the hit's words the query has: one way only, a short record with one
# uncommon word in common would score high against a long one that tells another story.
# A free text is scored one way (how much of it the record has): a line typed to search
# never tells all of a record
CANDIDATES = 2  # hits of the highest one-way sums, per match wanted, scored both ways
TOP = 5  # the default number of matches
# the site and `nearmiss new` show matches of at least this score, at most SHOWN: in the
# sample log, 26 of the 34 top-5 matches that score 0.3 or more are linked as related
# and the other 8 tell the same kind of story (docs/guide/figures.md)
THRESHOLD = 0.3
SHOWN = 3


@dataclass(frozen=True, slots=True)
class Match:
    """A record similar to the query, with its score in 0..1 (1: says all the query says)."""

    id: str
    score: float
    title: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "title": self.title}


def columns(r: Record) -> tuple[str, ...]:
    """The record's text, one value per column of ``COLUMNS``."""
    labels = [*(cause.replace("/", " ") for cause in r.root_causes), *r.tags]
    return (r.title, r.what_happened, r.caught_by or r.customer_impact or "",
            "\n".join(r.whys), r.lessons or "", " ".join(labels).replace("-", " "))


# Each row's words, in SQL over the index's own vocabulary (``vocab``: every use of a word,
# by row and column; ``vocab_row``: how many rows have it): each word's idf, each row's
# bm25 weight of each word as FTS5's bm25() computes it (column-weighted frequency,
# saturated by k1, normalised by the row's length with b), each row's query (its TERMS
# heaviest words) and the weight of the query against its own row (``best``). Tables
# that are joined have keys: without, SQLite scans one again for every row of the other.
_PREPARE = """
DROP TABLE IF EXISTS temp.word; DROP TABLE IF EXISTS temp.posting;
DROP TABLE IF EXISTS temp.query; DROP TABLE IF EXISTS temp.best;
CREATE TEMP TABLE word(term TEXT PRIMARY KEY, idf REAL) WITHOUT ROWID;
INSERT INTO word
  SELECT term, max(ln(({rows} - doc + 0.5) / (doc + 0.5)), 1e-6) FROM vocab_row
  WHERE doc BETWEEN {min_df} AND {max_df} AND term GLOB '*[^0-9]*'
        AND term NOT IN (SELECT term FROM stop_vocab);
CREATE TEMP TABLE posting AS
  SELECT doc, term,
         word.idf * f * ({k1} + 1)
           / (f + {k1} * (1 - {b} + {b} * n / (SELECT avg(n) FROM length))) AS weight
  FROM (SELECT doc, term, sum({weight}) AS f FROM vocab
        WHERE term IN (SELECT term FROM word) GROUP BY doc, term)
  JOIN word USING (term) JOIN length USING (doc);
CREATE INDEX posting_term ON posting(term, doc, weight);
CREATE TEMP TABLE query AS
  SELECT doc, term, weight FROM (
    SELECT doc, term, weight,
           ROW_NUMBER() OVER (PARTITION BY doc ORDER BY weight DESC, term) AS place
    FROM posting)
  WHERE place <= {terms};
CREATE TEMP TABLE best(doc INTEGER PRIMARY KEY, score REAL);
INSERT INTO best SELECT doc, sum(weight) FROM query GROUP BY doc;
"""
K1, B = 1.2, 0.75  # bm25's constants, FTS5's
_WORD = re.compile(r"[^\W_]+")


def max_df(records: int) -> int:
    """The most records a query word may be in: a word of more is too common to tell,
    and the pass costs in proportion to the records the query words are in."""
    return int(max(min(MAX_DF_SHARE * records, MAX_DF_CAP),
                   min(MAX_DF_FLOOR, records / 2)))


def _length(values: Iterable[str]) -> int:
    """A row's length in words, for bm25."""
    return sum(len(_WORD.findall(value)) for value in values)


class Unavailable(Exception):
    """This Python's SQLite was built without FTS5, so no record can be compared."""


def _connect() -> sqlite3.Connection:
    """An in-memory database with what the index needs: FTS5, and ``ln``, which SQLite
    has only when built with its maths functions (given from Python otherwise). Any
    thread may use it, one at a time: `mkdocs serve` rebuilds in another thread than
    its first build, and ``Kept`` keeps an index from one to the next."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        db.execute("CREATE VIRTUAL TABLE temp.probe USING fts5(x)")
    except sqlite3.OperationalError:
        db.close()
        raise Unavailable(f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5, "
                          "which similar records need") from None
    try:
        db.execute("SELECT ln(2)")
    except sqlite3.OperationalError:
        db.create_function("ln", 1, math.log, deterministic=True)
    return db


class Index:
    """The full-text index of a set of records (and a free text, when given: row
    ``len(records)``, as a story), scored against each row's query."""

    def __init__(self, records: Sequence[Record], text: str | None = None) -> None:
        self.records = list(records)
        self.db = _connect()
        names = ", ".join(name for name, _ in COLUMNS)
        self.db.executescript(
            f"CREATE VIRTUAL TABLE doc USING fts5({names}, tokenize='porter unicode61');"
            "CREATE VIRTUAL TABLE vocab USING fts5vocab(doc, 'instance');"
            "CREATE VIRTUAL TABLE vocab_row USING fts5vocab(doc, 'row');"
            "CREATE VIRTUAL TABLE stop USING fts5(word, tokenize='porter unicode61');"
            "CREATE VIRTUAL TABLE stop_vocab USING fts5vocab(stop, 'row');"
            "CREATE TEMP TABLE length(doc INTEGER PRIMARY KEY, n INTEGER);")
        self.db.execute("INSERT INTO stop(word) VALUES (?)", (STOP_WORDS,))
        texts = [columns(r) for r in self.records]
        if text is not None:
            texts.append(("", text, *[""] * (len(COLUMNS) - 2)))
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        self.db.executemany(f"INSERT INTO doc(rowid, {names}) VALUES ({marks})",
                            ((row, *values) for row, values in enumerate(texts)))
        # a row's length in words, for bm25: counted as unicode61 cuts words (letters and
        # digits), here, because FTS5 keeps its own count out of SQL's reach
        self.db.executemany("INSERT INTO length VALUES (?, ?)", (
            (row, _length(values)) for row, values in enumerate(texts)))
        self.rows = len(texts)

    def replace(self, row: int, record: Record) -> None:
        """Put ``record``'s text in row ``row`` (a record's), in place of the text there:
        the index is then the one ``Index`` builds from the records with it."""
        names = ", ".join(name for name, _ in COLUMNS)
        values = columns(record)
        self.db.execute("DELETE FROM doc WHERE rowid = ?", (row,))
        self.db.execute(f"INSERT INTO doc(rowid, {names}) VALUES "
                        f"({', '.join('?' * (len(COLUMNS) + 1))})", (row, *values))
        self.db.execute("UPDATE length SET n = ? WHERE doc = ?", (_length(values), row))
        self.records[row] = record

    def matches(self, top: int, rows: Iterable[int] | None = None
                ) -> dict[int, tuple[Match, ...]]:
        """Each row's ``top`` most similar records, best first, never itself (only those
        of ``rows`` when given); a row whose words are all unique or all common has none.

        A hit's bm25 is summed in Python from the postings of the query's words: one FTS5
        MATCH per record pays a setup per word that dominates at thousands of records,
        and SQL's GROUP BY over the same sums is several times slower than a dict."""
        weight = "CASE col " + " ".join(f"WHEN '{name}' THEN {w}" for name, w in COLUMNS) \
            + " END"
        self.db.executescript(_PREPARE.format(
            weight=weight, rows=self.rows, min_df=MIN_DF, max_df=max_df(self.rows), k1=K1,
            b=B, terms=TERMS))
        postings: dict[str, list[tuple[int, float]]] = {}
        weights: dict[int, dict[str, float]] = {}  # by row, of the words of any query
        for term, doc, w in self.db.execute("SELECT term, doc, weight FROM posting WHERE "
                                            "term IN (SELECT term FROM query) ORDER BY term"):
            postings.setdefault(term, []).append((doc, w))
            weights.setdefault(doc, {})[term] = w
        queries: dict[int, list[str]] = {}
        for doc, term in self.db.execute("SELECT doc, term FROM query"):
            queries.setdefault(doc, []).append(term)
        best: dict[int, float] = dict(self.db.execute("SELECT doc, score FROM best"))
        found = {}
        for doc in queries if rows is None else [r for r in rows if r in queries]:
            sums: dict[int, float] = {}
            get = sums.get
            for term in queries[doc]:
                for hit, w in postings[term]:
                    sums[hit] = get(hit, 0.0) + w
            del sums[doc]
            # ties keep the order the sums began in: the same on every run
            candidates = heapq.nlargest(top * CANDIDATES, sums, key=sums.__getitem__)
            mine = weights.get(doc, {})
            scored = []
            for hit in candidates:
                score = sums[hit] / best[doc]
                if doc < len(self.records):  # a free text is a fragment: one way only
                    back = sum(mine.get(term, 0.0) for term in queries.get(hit, ()))
                    score = math.sqrt(score * back / best.get(hit, math.inf))
                scored.append((hit, round(min(score, 1.0), 3)))
            scored.sort(key=lambda hit_score: -hit_score[1])
            found[doc] = tuple(Match(self.records[hit].id, score, self.records[hit].title)
                               for hit, score in scored[:top] if score > 0)
        return found

    def close(self) -> None:
        self.db.close()


def similar_all(records: Sequence[Record], top: int = TOP) -> dict[str, tuple[Match, ...]]:
    """Every record's ``top`` most similar records, in one pass (what the site needs)."""
    index = Index(records)
    try:
        found = index.matches(top)
        return {r.id: found.get(row, ()) for row, r in enumerate(index.records)}
    finally:
        index.close()


def similar_to(records: Sequence[Record], record_id: str,
               top: int = TOP) -> tuple[Match, ...]:
    """The ``top`` records most similar to the record ``record_id`` (one of ``records``)."""
    row = next(row for row, r in enumerate(records) if r.id == record_id)
    index = Index(records)
    try:
        return index.matches(top, [row]).get(row, ())
    finally:
        index.close()


def similar_text(records: Sequence[Record], text: str, top: int = TOP) -> tuple[Match, ...]:
    """The ``top`` records most similar to a free text, indexed as a story of its own
    (so it weighs in every word's frequency, as a record would) and never listed."""
    index = Index(records, text)
    try:
        return index.matches(top, [len(index.records)]).get(len(index.records), ())
    finally:
        index.close()


class Kept:
    """``similar_all`` kept from one pass to the next over mostly the same records, for
    the rebuilds of `mkdocs serve`, where matching every record again after each edit
    would cost seconds at ten thousand records (docs/guide/publishing.md).

    The same records (by id, in the same order) whose text changed are put in place of
    their old text in the index kept from the pass before, and only their own matches
    are found again: the others keep theirs, which may be slightly out of date (a list
    that would now gain or lose an edited record, scores shifted by its words) until a
    pass over other records (one added, removed or reordered), which matches them all
    again, as ``similar_all`` does. Titles are always the records' own."""

    def __init__(self) -> None:
        self.index: Index | None = None
        self.top = 0
        self.found: dict[str, tuple[Match, ...]] = {}

    def all(self, records: Sequence[Record], top: int = TOP) -> dict[str, tuple[Match, ...]]:
        """What ``similar_all`` gives, except for the lists kept as the class says."""
        index = self.index
        if index is None or top != self.top or \
                [r.id for r in index.records] != [r.id for r in records]:
            return self._fresh(records, top)
        changed = [row for row, (old, r) in enumerate(zip(index.records, records, strict=True))
                   if old is not r and columns(old) != columns(r)]
        retitled = {r.id: r.title for old, r in zip(index.records, records, strict=True)
                    if old.title != r.title}
        index.records = list(records)
        for row in changed:
            index.replace(row, records[row])
        if changed:  # a new dict: what an earlier pass returned stays as it was
            found = index.matches(top, changed)
            self.found = {**self.found, **{records[row].id: found.get(row, ())
                                           for row in changed}}
        if retitled:
            self.found = {key: tuple(Match(m.id, m.score, retitled[m.id])
                                     if m.id in retitled else m for m in matches)
                          for key, matches in self.found.items()}
        return self.found

    def _fresh(self, records: Sequence[Record], top: int) -> dict[str, tuple[Match, ...]]:
        if self.index is not None:
            self.index.close()
        self.index, self.top = None, top
        index = Index(records)
        found = index.matches(top)
        self.found = {r.id: found.get(row, ()) for row, r in enumerate(index.records)}
        self.index = index
        return self.found
