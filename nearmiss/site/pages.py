"""The learning log as a set of Markdown pages, independent of any site generator.

The MkDocs plugin serves these pages as generated files; ``nearmiss render`` writes the
same pages to disk, so the content outlives any one generator. Every figure comes from
``stats``; this module only arranges and links.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

from nearmiss.log import digest, report
from nearmiss.log.calendar import document as ics_document
from nearmiss.log.calendar import item as ics_item
from nearmiss.log.checker import CheckResult
from nearmiss.log.figures import (
    ActionRow,
    CategoryRow,
    ParetoTop,
    Period,
    StrengthRow,
    StrongerShare,
    Summary,
    action_list,
    action_state,
    compute,
    month_key,
    period_summary,
    trend,
)
from nearmiss.log.signals import BASELINE_DAYS, WINDOW_DAYS, Signals, signals
from nearmiss.log.similar import SHOWN, THRESHOLD, Kept, Match, Unavailable, similar_all
from nearmiss.log.words import joined, noun, number, percent, plural, rise
from nearmiss.log.words import trend as trend_words
from nearmiss.record.model import CAUGHT_HOW_WORDS, ID_RE, Record, day_of
from nearmiss.record.result import FileResult
from nearmiss.record.taxonomy import Term
from nearmiss.site import charts, markup
from nearmiss.site import report as report_form
from nearmiss.site.history import Dates
from nearmiss.site.markup import attr, block, rel, text
from nearmiss.site.sanitize import page_title

STYLESHEET = Path(__file__).with_name("nearmiss.css")  # the nm-* classes pages use
KIND_LABEL = {"near-miss": "Near miss", "failure": "Failure"}
ANONYMOUS = "anonymous"  # what `reported_by` says when the reporter chose not to be named
# how a save was made, in the latest saves; luck is told as what it is, not as a catcher
SAVE_WORDS = {**{how: f"caught by {words}" for how, words in CAUGHT_HOW_WORDS.items()},
              "luck": "caught by luck, not by a check", "": "caught before it reached a customer"}
STRENGTH_LABEL = {"stronger": "Stronger", "intermediate": "Intermediate", "weaker": "Weaker",
                  "untyped": "Untyped"}  # the dashboard's names for ByStrength's fields
CAUGHT_LABEL = {"barrier": "A designed check (barrier)", "person": "Someone's attention",
                "customer": "The customer telling us", "luck": "Luck",
                "unspecified": "Not said"}  # the dashboard's names for Saves' fields
# the pages a reader finds the log by, below the prefix: the home page's "Explore" list and
# the links of the page not found (404)
BROWSE = (
    ("Dashboard", "dashboard.md"), ("Root causes", "causes/index.md"),
    ("Teams", "teams/index.md"), ("Touchpoints", "touchpoints/index.md"),
    ("Promises", "promises/index.md"), ("Months", "months/index.md"),
    ("Tags", "tags/index.md"), ("Warning signs", "warning-signs.md"),
    ("Open actions", "actions.md"), ("Monthly digests", "digests/index.md"),
)
PARETO_HEADERS = ["Cause", "Category", "Records", "Share", "Cumulative"]
ACTION_HEADERS = ["Action", "Owner", "Due", "State", "Done or dropped"]  # on a record page
FIGURES_GUIDE = "guide/figures.md"  # where this repository's guide defines the figures
FEED_SIZE = 50
# the open actions of the public records for calendars, below the prefix: to-dos for
# task apps (the contract's file), all-day events for calendar apps, which show no to-dos
TODO_CALENDAR, EVENT_CALENDAR = "actions.ics", "actions-due.ics"
T = TypeVar("T")  # what ``Reuse.value`` keeps
_COUNTS_WITHOUT_PAGE = ("internal record also counts here but has",
                        "internal records also count here but have")


@dataclass(frozen=True)
class Page:
    """One page: where it goes, its Markdown, and whether navigation and search list it.

    Only the home page, the dashboard and the record pages are searchable: a search for a
    word of a story should land on the story, not on every list that names it.
    """

    path: str
    title: str
    body: str
    in_nav: bool = False
    source: str | None = None  # the record's YAML file, for edit links
    searchable: bool = False
    tags: tuple[str, ...] = ()
    record_text: bool = False  # carries Markdown written in records: sanitized as HTML too
    refused: bool = False  # the problems of a record the check refuses (serving only)
    # the site's own home page names no title: themes show the site's name alone there,
    # where a title would read "Learning log - Learning log" in the browser's tab
    site_home: bool = False

    @cached_property  # once: a page reused while serving keeps the very same text
    def markdown(self) -> str:
        meta: dict[str, Any] = {} if self.site_home else {"title": page_title(self.title)}
        if self.tags:
            meta["tags"] = list(self.tags)
        if not self.searchable:
            meta["search"] = {"exclude": True}
        return f"---\n{json.dumps(meta)}\n---\n\n" + self.body


@dataclass(frozen=True)
class SiteOptions:
    prefix: str = "log"
    home: bool = True
    title: str = "Learning log"
    edit_base: str | None = None  # URL the YAML path is appended to for "edit" links
    # how pages link in long record lists, written as HTML because Markdown tables of
    # thousands of links dominate the build: 'md' keeps them Markdown (portable files),
    # 'directory' or 'file' gives final URLs as MkDocs lays them out
    link_style: str = "md"
    history: Mapping[str, Dates] = field(default_factory=dict)  # by absolute file path
    source_root: str = "."  # the folder YAML paths in edit links are relative to
    # the records' folder relative to ``source_root``, where the report form proposes new
    # records (``site.report.new_file``)
    incidents_source: str = "incidents"
    site_url: str = ""
    # the guide's page of figure definitions, when the site has it (this repository's
    # does; a team's own site usually not): the dashboard links it, or names it in words
    figures_page: str | None = None
    # `mkdocs serve`: a record the check refuses keeps a page that tells its problems
    # (``Site.problem_pages``), showing what its page showed in an earlier build of this
    # session (``shown_before``, Markdown by page path) when there was one
    serving: bool = False
    shown_before: Mapping[str, str] = field(default_factory=dict)
    # while serving: what one build of the session leaves the next (``Reuse``)
    reuse: Reuse | None = field(default=None, compare=False)


class Reuse:
    """What a build of a `mkdocs serve` session leaves the next, so that an edit to one
    record costs the pages it changes, not the whole log again.

    A record that did not change keeps the object of the build before, and a page built
    from the very same objects, by a site of the same options, taxonomy and day (all
    three ``begin``), is the page built before (``page``); so is a value made from
    what the build before made it from (``value``). It holds one build's worth: what the
    build before used and this one did not is dropped. The similar records are kept in
    a ``Kept`` index, which finds again only the lists of the records edited.
    """

    def __init__(self) -> None:
        self.context: object = None
        self.records: dict[str, Record] = {}
        self.pages: dict[str, tuple[tuple[object, ...], Page]] = {}
        self.built: dict[str, tuple[tuple[object, ...], Page]] = {}
        self.values: dict[object, tuple[list[Record], Any]] = {}
        self.made: dict[object, tuple[list[Record], Any]] = {}
        self.similar = Kept()

    def begin(self, context: object, records: list[Record]) -> list[Record]:
        """Start a build of ``records``: the same records, unchanged ones as before."""
        if context != self.context:
            self.context, self.records, self.built, self.made = context, {}, {}, {}
        before, self.records = self.records, {}
        self.pages, self.built = self.built, {}
        self.values, self.made = self.made, {}
        out = []
        for r in records:
            old = before.get(r.id)
            r = old if old is not None and old == r else r
            self.records[r.id] = r
            out.append(r)
        return out

    def page(self, path: str, inputs: tuple[object, ...], make: Callable[[], Page]) -> Page:
        """The page at ``path`` built from ``inputs`` (records, compared as objects, and
        other values), as the build before built it if its inputs were the same."""
        old = self.pages.get(path)
        if old is not None and len(old[0]) == len(inputs) and all(
                a is b or (not isinstance(a, Record) and a == b)
                for a, b in zip(old[0], inputs, strict=True)):
            page = old[1]
        else:
            page = make()
        self.built[path] = (inputs, page)
        return page

    def value(self, key: object, records: list[Record], facts: Callable[[Record], object],
              make: Callable[[], T]) -> T:
        """``make()``, or what it made under ``key`` in the build before, from as many
        records in the same order, each the same object or with the same ``facts`` (all
        of a record that ``make`` reads)."""
        old = self.values.get(key)
        if old is not None and len(old[0]) == len(records) and all(
                a is b or facts(a) == facts(b) for a, b in zip(old[0], records, strict=True)):
            made: T = old[1]
        else:
            made = make()
        self.made[key] = (records, made)
        return made


class Site:
    """Builds every page of the learning log from one check result."""

    def __init__(self, result: CheckResult, as_of: date, options: SiteOptions) -> None:
        self.result = result
        self.taxonomy = result.taxonomy
        self.as_of = as_of
        self.o = options
        self.reuse = options.reuse
        # every record, in the check's order; unchanged ones as the last build had them
        self.all = self.reuse.begin(self.context(), result.records) if self.reuse \
            else result.records
        self.records = sorted(self.all, key=lambda r: (r.day, r.id), reverse=True)
        self.public = [r for r in self.records if r.visibility == "public"]
        self.by_id = {r.id: r for r in self.records}
        self.stats = compute(self.all, self.taxonomy, as_of)
        self.referred_by: dict[str, list[str]] = defaultdict(list)
        # the records of each browse page, grouped in one pass, newest first: a page per
        # team, touchpoint, promise or month that scanned every record would make the
        # site grow with records times pages
        self.by_term: dict[str, dict[str | None, list[Record]]] = {
            name: defaultdict(list) for name in ("team", "touchpoint", "promise")}
        self.by_month: dict[str, list[Record]] = defaultdict(list)
        self.source_folders: dict[str, str] = {}  # a record's folder, as ``source`` shows it
        self.links: dict[tuple[str, ...], str] = {}  # term and cause links, by folder
        self.rows: dict[str, tuple[str, str]] = {}  # a record's row of ``record_table``
        self.titles: dict[str, str] = {}  # a record's title as HTML
        self.to_records: dict[str, tuple[str, str]] = {}  # ``markup.folder_href`` by page
        for r in self.records:
            for other in r.related:
                self.referred_by[other].append(r.id)
            for name, groups in self.by_term.items():
                groups[getattr(r, name)].append(r)
            self.by_month[month_key(r.day)].append(r)

    def context(self) -> tuple[object, ...]:
        """What every page depends on besides its records, for ``Reuse``."""
        return (self.taxonomy, self.as_of,
                replace(self.o, history={}, shown_before={}, reuse=None))

    # paths -------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return "/".join((self.o.prefix, *parts)) if self.o.prefix else "/".join(parts)

    def record_path(self, record_id: str) -> str:
        return self.path("records", f"{record_id}.md")

    def home_path(self) -> str:
        return "index.md" if self.o.home else self.path("index.md")

    def record_href(self, here: str, record_id: str) -> str | None:
        """Where a record's page is, from ``here``; None for one that has none (internal)."""
        record = self.by_id.get(record_id)
        if record is None or record.visibility != "public":
            return None
        return rel(here, self.record_path(record_id))

    def record_link(self, here: str, record_id: str) -> str:
        """A link to a record, or plain words for one that has no page (internal)."""
        target = self.record_href(here, record_id)
        if target is None:
            return "an internal record"
        return markup.link(self.by_id[record_id].title, target)

    def html_link(self, here: str, label: str, target: str) -> str:
        """A link written as HTML, to the page's final URL (``link_style`` is not 'md')."""
        return (f'<a href="{markup.href(here, target, self.o.link_style)}">'
                f"{attr(label)}</a>")

    def titled_link(self, here: str, record_id: str, title: str) -> str:
        """A record's ``title`` linked to its page, in a page of Markdown (a digest's
        ``Link``); words for a record without a page. Where ``link_style`` gives final
        URLs the link is HTML: MkDocs need not work out where each of hundreds goes, and
        it would take a link to a final URL for a mistake."""
        if self.o.link_style == "md":
            target = self.record_href(here, record_id)
            return markup.link(title, target) if target else text(title)
        record = self.by_id.get(record_id)
        if record is None or record.visibility != "public":
            return text(title)
        prefix, suffix = self.way_to_records(here)
        return f'<a href="{prefix}{record_id}{suffix}">{text(title)}</a>'

    def way_to_records(self, here: str) -> tuple[str, str]:
        """``markup.folder_href`` to the records' folder, once per page."""
        way = self.to_records.get(here)
        if way is None:
            way = self.to_records[here] = markup.folder_href(here, self.path("records"),
                                                             self.o.link_style)
        return way

    def record_html(self, here: str, record_id: str) -> str:
        """``record_link`` as HTML: a link to the record, or words for one without page."""
        record = self.by_id.get(record_id)
        if record is None or record.visibility != "public":
            return "an internal record"
        prefix, suffix = self.way_to_records(here)
        title = self.titles.get(record_id)
        if title is None:
            title = self.titles[record_id] = attr(record.title)
        return f'<a href="{prefix}{record_id}{suffix}">{title}</a>'

    def term_link(self, here: str, section: str, key: str | None) -> str:
        if key is None:
            return "–"
        folder = os.path.dirname(here)  # the same link from every page of a folder
        link = self.links.get((folder, section, key))
        if link is None:
            terms: dict[str, Term] = getattr(self.taxonomy, section)
            term = terms.get(key)
            link = self.links[folder, section, key] = markup.link(
                term.label if term else key, rel(here, self.path(section, f"{key}.md")))
        return link

    def cause_link(self, here: str, ref: str) -> str:
        folder = os.path.dirname(here)
        link = self.links.get((folder, ref))
        if link is None:
            category, _, cause = ref.partition("/")
            link = self.links[folder, ref] = markup.link(
                self.taxonomy.cause_label(ref),
                rel(here, self.path("causes", category, f"{cause}.md")))
        return link

    def cause_html(self, here: str, ref: str) -> str:
        """``cause_link`` as HTML."""
        category, _, cause = ref.partition("/")
        return self.html_link(here, self.taxonomy.cause_label(ref),
                              self.path("causes", category, f"{cause}.md"))

    def category_label(self, ref: str) -> str:
        """The label of a cause's category ('Communication' for 'communication/...')."""
        category = self.taxonomy.categories.get(ref.partition("/")[0])
        return category.label if category else ref.partition("/")[0]

    def source(self, record: Record) -> str:
        """The record's YAML path relative to the site's root folder, with '/' separators."""
        return self.source_of(record.path)

    def source_of(self, path: str) -> str:
        folder, name = os.path.split(path)
        shown = self.source_folders.get(folder)
        if shown is None:  # once per folder: the records of a year share theirs
            shown = os.path.relpath(folder or os.curdir, self.o.source_root).replace(os.sep, "/")
            shown = self.source_folders[folder] = "" if shown == os.curdir else shown + "/"
        return shown + name

    def who(self, name: str) -> str:
        """A person or team thanked, reporting or owning an action, as plain text: a team
        key shows as the team's label. Every page names people through this."""
        return self.taxonomy.name_label(name)

    def strength_words(self, kind: str | None, strength: str | None) -> str:
        """An action's strength badge and its type's label."""
        action_type = self.taxonomy.action_types.get(kind) if kind else None
        return _strength_badge(strength) + (f" {attr(action_type.label)}" if action_type
                                            else "")

    def save_words(self, r: Record) -> str:
        """How a near miss was caught and whom to thank, as a sentence or two of Markdown:
        'caught by luck, not by a check. Thank you to whoever reported it anonymously.'"""
        how = SAVE_WORDS.get(r.caught_how or "", SAVE_WORDS[""])
        if r.kudos:
            thanks = f"Thank you to {joined([text(self.who(k)) for k in r.kudos])}."
        elif r.reported_by and r.reported_by.strip().lower() == ANONYMOUS:
            thanks = "Thank you to whoever reported it anonymously."
        elif r.reported_by:
            thanks = f"Thank you to {text(self.who(r.reported_by))} for reporting it."
        else:
            thanks = ""
        return f"{how}. {thanks}".rstrip()

    def git_facts(self, r: Record) -> list[tuple[str, str]]:
        """When git saw the record's file, only where that adds to what the record says.

        Git dates are commits, not events: "Committed" when the file was committed on
        one day only, otherwise "Committed first" (unknown in a shallow clone) and "Last
        edited in git". A date that is the day reported (or occurred, when the record
        says no day reported) is left out: it adds nothing. See docs/guide/publishing.md.
        """
        dates = self.o.history.get(os.path.abspath(r.path)) if self.o.history else None
        if dates is None:
            return []
        told = day_of(r.reported) if r.reported else r.day
        shown = [("Committed", dates.last)] if dates.first == dates.last else [
            ("Committed first", dates.first), ("Last edited in git", dates.last)]
        return [(label, str(day)) for label, day in shown if day is not None and day != told]

    # building blocks -------------------------------------------------------------
    def record_table(self, here: str, records: list[Record]) -> str:
        shown = [r for r in records if r.visibility == "public"]
        hidden = len(records) - len(shown)
        headers = ["Date", "Record", "Kind", "Status", "Severity"]
        style = self.o.link_style
        if style == "md":
            rows = [[day_of(r.occurred).isoformat(), self.record_link(here, r.id),
                     KIND_LABEL[r.kind], value_word(r.status), value_word(r.severity)]
                    for r in shown]
            out = markup.table(headers, rows)
        elif shown:
            # one row per record, however many lists show it, with the links of a list
            # sharing its folder's part (``markup.folder_href``)
            prefix, suffix = markup.folder_href(here, self.path("records"), style)
            lines = []
            for r in shown:
                row = self.rows.get(r.id)
                if row is None:
                    row = self.rows[r.id] = (
                        f'<tr><td>{day_of(r.occurred)}</td><td><a href="',
                        f'{r.id}{suffix}">{attr(r.title)}</a></td><td>{KIND_LABEL[r.kind]}'
                        f"</td><td>{value_word(r.status)}</td><td>{value_word(r.severity)}"
                        "</td></tr>")
                lines.append(row[0] + prefix + row[1])
            head = "".join(f"<th>{h}</th>" for h in headers)
            out = markup.html_block(f"<table><thead><tr>{head}</tr></thead><tbody>"
                                    + "".join(lines) + "</tbody></table>")
        else:
            out = ""
        if hidden:
            out += f"\n{plural(hidden, *_COUNTS_WITHOUT_PAGE)} no page.\n"
        return out or "No records yet.\n"

    def figures(self, summary: Summary) -> str:
        """The headline figures of a group as a small table."""
        rows = [
            ["Records", number(summary.records)],
            ["Failures prevented (near misses)", number(summary.near_misses)],
            ["Failures that reached a customer", number(summary.failures)],
            ["Prevention ratio", percent(summary.prevention_ratio)],
            ["Saves by design", percent(summary.saves_by_design)],
            ["Open actions (overdue)", f"{summary.actions.open} ({summary.actions.overdue})"],
            ["Loop closed with the customer or reporter",
             percent(summary.loop_closure.ratio)],
        ]
        return markup.table(["Figure", "Value"], rows, frozenset({1}))

    # pages -------------------------------------------------------------------------
    def pages(self) -> Iterator[Page]:
        yield self.home()
        yield self.report_page()
        yield self.dashboard()
        for r in self.public:
            yield self.reused_record_page(r)
        yield from self.cause_pages()
        for section in ("teams", "touchpoints", "promises"):
            yield from self.term_pages(section)
        yield from self.month_pages()
        yield from self.tag_pages()
        yield self.warning_signs_page()
        yield self.actions_page()
        yield from self.digest_pages()
        if self.o.serving:
            yield from self.problem_pages()

    def home(self) -> Page:
        here = self.home_path()
        year = Period.year_to(self.as_of)
        year_so_far = period_summary(self.records, self.as_of, year.first, year.last)
        quarter = Period.quarter_of(self.as_of)
        versus = trend(self.records, self.as_of, quarter, quarter.previous_quarter())
        o = self.stats.overall
        figures = [
            (number(year_so_far.near_misses), f"failures prevented in {self.as_of.year}"),
            (number(versus.now.near_misses), "failures prevented this quarter"),
            (percent(o.prevention_ratio),
             f"prevention ratio ({trend_words(versus.prevention_ratio)} this quarter)"),
            (percent(o.saves_by_design), "of saves made by design, not by luck"),
            (number(o.actions.open), f"open actions, {o.actions.overdue} overdue"),
            (percent(o.loop_closure.ratio),
             "of reviewed records followed up with the customer or reporter"),
        ]
        cards = "".join(
            f'<div class="nm-figure"><span class="nm-figure__value">{attr(v)}</span>'
            f'<span class="nm-figure__label">{attr(label)}</span></div>'
            for v, label in figures)
        out = [f"# {text(self.o.title)}", "", *self.refused_note(here),
               "Every near miss here is a failure that did not reach a customer. We record "
               "them to learn cheaply, and to thank the people who caught them.", "",
               f"[{report_form.TITLE}]({rel(here, report_form.PATH)}){{ .md-button "
               ".md-button--primary .nm-button }", "",
               f'<div class="nm-figures">{cards}</div>', "",
               *self.rising(here, "## Watch"), "## Latest saves", ""]
        saves = [r for r in self.public if r.is_near_miss][:8]
        for r in saves:
            out.append(f"- **{self.record_link(here, r.id)}** ({day_of(r.occurred)}, "
                       f"{self.term_link(here, 'teams', r.team)}): {self.save_words(r)}")
        if not saves:
            out.append("No saves recorded yet: the first near miss you record starts the log.")
        out += ["", "## Kudos wall", "",
                "The people and teams thanked in the log, most saves first.", ""]
        kudos = self.stats.kudos
        out.append('<ul class="nm-kudos">' + "".join(
            f'<li><span class="nm-kudos__name">{attr(k.name)}</span> '
            f'<span class="nm-kudos__count">{k.count}</span></li>' for k in kudos) + "</ul>"
                   if kudos else "Nobody thanked yet.")
        out += ["", "## Explore", ""]
        for label, target in BROWSE:
            out.append(f"- {markup.link(label, rel(here, self.path(target)))}")
        out.append(f"- [Feed of new records]({rel(here, 'feed.xml')})")
        return Page(here, self.o.title, "\n".join(out) + "\n", in_nav=True, searchable=True,
                    site_home=here == "index.md")

    def report_page(self) -> Page:
        """The form that writes a new record (``site.report``), beside the log."""
        target = report_form.new_file(self.o.edit_base, self.o.incidents_source)
        return Page(report_form.PATH, report_form.TITLE,
                    report_form.page(self.taxonomy, target), in_nav=True)

    def dashboard(self) -> Page:
        here = self.path("dashboard.md")
        s = self.stats
        o = s.overall
        months = s.by_month  # a month's label is its key, 'YYYY-MM'
        # the same words with a link or without, and no punctuation touching the link, so
        # the page reads the same whichever generator built it
        words = "The figures page of the nearmiss guide"
        guide = (markup.link(words, rel(here, self.o.figures_page)) if self.o.figures_page
                 else words)
        top = s.pareto_top()
        actions = o.actions
        sections = [
            "# Dashboard", "",
            f"{guide} defines every figure here. Each chart states its data in words "
            "for screen readers, and the table below it gives the same figures (the "
            "tables by month are folded: open them to read).", "",
            *self.rising(here, "## Rising"),
            "## Near misses and failures per month", "",
            _figure(charts.monthly("monthly", [(m.label, m.summary.near_misses,
                                                m.summary.failures) for m in months])),
            _folded("Near misses and failures per month, as a table",
                    ["Month", "Near misses", "Failures"],
                    [[m.label, number(m.summary.near_misses), number(m.summary.failures)]
                     for m in months], frozenset({1, 2})),
            "## Root causes (Pareto)", "",
            self.pareto_figure(here, top),
            markup.table(PARETO_HEADERS, _card_rows(PARETO_HEADERS, [
                [self.cause_link(here, r.key), text(self.category_label(r.key)),
                 number(r.total), percent(r.share), percent(r.cumulative_share)]
                for r in top.shown]), frozenset({2, 3, 4})),
            "## Prevention ratio per month", "",
            _figure(charts.ratio_trend("ratio", [(m.label, m.summary.prevention_ratio)
                                                 for m in months])),
            _folded("Prevention ratio per month, as a table",
                    ["Month", "Records", "Near misses", "Prevention ratio"],
                    [[m.label, number(m.summary.records), number(m.summary.near_misses),
                      percent(m.summary.prevention_ratio)] for m in months],
                    frozenset({1, 2, 3})),
            "## Follow-up actions by state", "",
            f"An overdue action is an open one past its due date: the open bar counts all "
            f"{plural(actions.open, 'open action')}, the {number(actions.overdue)} overdue "
            "included, so the two bars overlap rather than add up.", "",
            _figure(charts.bars("actions", [
                ("Open (overdue included)", actions.open), ("Overdue", actions.overdue),
                ("Done", actions.done), ("Dropped", actions.dropped)],
                "Follow-up actions by state (open includes overdue)")),
            markup.table(["State", "Actions"], [
                ["Open, overdue included", number(actions.open)],
                ["Overdue (of the open)", number(actions.overdue)],
                ["Done", number(actions.done)], ["Dropped", number(actions.dropped)]],
                frozenset({1})),
            *self.strength_section(here),
            "## Saves by how they were caught", "",
            _figure(charts.bars("saves", [(CAUGHT_LABEL[how], n) for how, n in o.saves.items()],
                                "Near misses by how they were caught")),
            markup.table(["Caught by", "Near misses"],
                         [[CAUGHT_LABEL[how], number(n)] for how, n in o.saves.items()],
                         frozenset({1})),
        ]
        return Page(here, "Dashboard", "\n".join(sections) + "\n", in_nav=True,
                    searchable=True)

    def strength_section(self, here: str) -> list[str]:
        """The dashboard's actions by strength and the failures' stronger share, by
        category and team; nothing while the taxonomy has no action types."""
        if not self.taxonomy.action_types:
            return []
        s = self.stats
        by_strength = s.overall.actions.by_strength
        headers = ["", "Stronger", "Typed", "Share stronger", "Untyped"]

        def rows(group: Iterable[StrengthRow], link: Callable[[str], str]) -> str:
            cells = [["All failures", *_stronger_cells(s.stronger_actions.overall)],
                     *([link(r.key), *_stronger_cells(r.failures)] for r in group)]
            return markup.table(headers, _card_rows(headers, cells), frozenset({1, 2, 3, 4}))

        return [
            "## Follow-up actions by strength", "",
            "Every action not dropped, by how reliably its type prevents a repeat: "
            "stronger actions change the work so the slip cannot happen, weaker ones ask "
            f"people to be more careful. {_stronger_words(s.stronger_actions.overall)}", "",
            _figure(charts.bars("strength", [
                (STRENGTH_LABEL[k], n) for k, n in by_strength.items()],
                "Follow-up actions by strength (dropped ones left out)")),
            markup.table(["Strength", "Actions"], [[_strength_badge(k if k != "untyped"
                                                                    else None), number(n)]
                                                   for k, n in by_strength.items()],
                         frozenset({1})),
            "### Stronger actions of failures, by category", "",
            rows(s.stronger_actions.by_category, lambda k: markup.link(
                self.category_label(k), rel(here, self.path("causes", k, "index.md")))),
            "### Stronger actions of failures, by team", "",
            rows(s.stronger_actions.by_team, lambda k: self.term_link(here, "teams", k)),
        ]

    def cause_strength(self, key: str) -> list[str]:
        """A category's or a cause's actions by strength, and its failures' stronger
        share; nothing while the taxonomy has no action types or no record names it."""
        row = self.stats.strength(key)
        if row is None or not self.taxonomy.action_types:
            return []
        return ["## Actions by strength", "",
                f"The actions of these records, dropped ones left out. "
                f"{_stronger_words(row.failures)}", "",
                markup.table(["Strength", "Actions"], [
                    [_strength_badge(k if k != "untyped" else None), number(n)]
                    for k, n in row.actions.items()], frozenset({1})), ""]

    def rising(self, here: str, heading: str) -> list[str]:
        """The signals in plain words under ``heading``; nothing at all when none rose."""
        found = self.stats.signals
        if not found.rising:
            return []
        links = {"cause": lambda k: self.cause_link(here, k),
                 "category": lambda k: markup.link(
                     self.category_label(k), rel(here, self.path("causes", k, "index.md"))),
                 "team": lambda k: self.term_link(here, "teams", k),
                 "touchpoint": lambda k: self.term_link(here, "touchpoints", k),
                 "promise": lambda k: self.term_link(here, "promises", k)}
        return [heading, "",
                f"Up in the last {plural(found.window_days, 'day')} (to {found.window_end}) "
                f"more than chance plausibly explains, against the "
                f"{plural(found.baseline_days, 'day')} before. A rise is a question to look "
                "into, not a cause or a verdict on a team.", "",
                *(f"- {rise(s, f'{s.dimension.capitalize()} {links[s.dimension](s.key)}')}"
                  for s in found.rising), ""]

    def pareto_figure(self, here: str, top: ParetoTop) -> str:
        """The Pareto chart of the most frequent causes, and the others told in words: one
        bar for the many would dwarf the few the chart is for."""
        title = (f"The {len(top.shown)} most frequent root causes (Pareto)" if top.rest
                 else "Root causes (Pareto)")
        chart = _figure(charts.pareto("pareto", [(r.label, r.total, r.cumulative_share or 0.0)
                                                 for r in top.shown], title))
        if not top.rest:
            return chart
        index = self.path("causes", "index.md")
        every = ("The table of every cause, below, lists them all." if here == index else
                 f"{markup.link('Root causes', rel(here, index))} lists every cause.")
        return (chart + f"\n…and {plural(top.rest, 'more cause')} the chart leaves out, "
                f"named by {plural(top.rest_records, 'record')} ({percent(top.rest_share)} "
                f"of all the causes records name). {every}\n")

    @cached_property
    def similar(self) -> dict[str, tuple[Match, ...]]:
        """Every public record's most similar public records, in one pass per build. Only
        public records are indexed: an internal one is never listed, and does not weigh
        in on which words are rare either."""
        linked = max((len({*r.related, *self.referred_by.get(r.id, ())}) for r in self.public),
                     default=0)
        try:  # while serving, only the lists of the records edited are found again
            return self.reuse.similar.all(self.public, SHOWN + linked) if self.reuse \
                else similar_all(self.public, SHOWN + linked)
        except Unavailable:  # no FTS5 in this Python's SQLite: pages without the section
            return {}

    def shown_similar(self, r: Record) -> tuple[Match, ...]:
        """What the record's page lists under "Similar records": at most ``SHOWN`` matches
        of at least ``THRESHOLD``, none it already links or is linked from."""
        linked = {*r.related, *self.referred_by.get(r.id, ())}
        return tuple(m for m in self.similar.get(r.id, ())
                     if m.score >= THRESHOLD and m.id not in linked)[:SHOWN]

    def reused_record_page(self, r: Record) -> Page:
        """``record_page``, or while serving the page the last build made from the same
        record, the same records it links and the same git dates."""
        if self.reuse is None:
            return self.record_page(r)
        inputs = (r, *(self.by_id.get(i) for i in r.related), None,
                  *(self.by_id[i] for i in self.referred_by.get(r.id, ())),
                  tuple(self.git_facts(r)), self.shown_similar(r))
        return self.reuse.page(self.record_path(r.id), inputs, lambda: self.record_page(r))

    def record_page(self, r: Record) -> Page:
        here = self.record_path(r.id)
        out = [f"# {text(r.title)}", ""]
        facts = [
            ("Kind", KIND_LABEL[r.kind]), ("Status", value_word(r.status)),
            ("Severity", value_word(r.severity)), ("Occurred", str(day_of(r.occurred))),
            ("Reported", str(day_of(r.reported)) if r.reported else "–"),
            ("Team", self.term_link(here, "teams", r.team)),
            ("Touchpoint", self.term_link(here, "touchpoints", r.touchpoint)),
            ("Promise", self.term_link(here, "promises", r.promise)),
        ]
        if r.reported_by:
            facts.append(("Reported by", text(self.who(r.reported_by))))
        facts += self.git_facts(r)
        # a list of label and value boxes that wrap (the nm-fact style), not a table: a
        # table of ten columns runs off a phone's screen
        summary = "".join(f'- <span class="nm-fact__label">{attr(k)}</span> {v}\n'
                          for k, v in facts)
        out += [summary, "## What happened", "", block(r.what_happened), ""]
        if r.is_near_miss and r.caught_by:
            how = f" by {CAUGHT_HOW_WORDS[r.caught_how]}" if r.caught_how else ""
            out += [f'!!! success "The save: caught{how}"', "", _indent(block(r.caught_by)), ""]
        if r.customer_impact:
            out += ['!!! failure "What the customer experienced"', "",
                    _indent(block(r.customer_impact)), ""]
        if r.whys:
            out += ["## Five whys", ""] + [f"{i}. {text(w)}" for i, w in
                                           enumerate(r.whys, 1)] + [""]
        if r.root_causes:
            out += ["## Root causes", ""] + [
                f"- {self.cause_link(here, c)} ({text(self.category_label(c))})"
                for c in r.root_causes] + [""]
        if r.lessons:
            out += ["## Lessons", "", block(r.lessons), ""]
        if r.actions:
            # the strength beside what will be done, once the log types its actions
            typed = bool(self.taxonomy.action_types)
            headers = ACTION_HEADERS[:1] + ["Strength"] * typed + ACTION_HEADERS[1:]
            out += ["## Actions", "", markup.table(headers, _card_rows(headers, [
                [text(a.action), *[self.strength_words(a.type, a.strength)] * typed,
                 text(self.who(a.owner)), str(day_of(a.due)),
                 _badge(action_state(a, self.as_of)),
                 str(day_of(a.done_on)) if a.done_on else text(a.reason or "")]
                for a in r.actions])), ""]
        elif r.no_action:
            out += ["## Actions", "", f"No action needed: {text(r.no_action)}", ""]
        if r.follow_up or r.closed:
            steps = []  # (day, line), told in the order they happened
            if r.follow_up:
                steps.append((day_of(r.follow_up.date), f"- Followed up on "
                              f"{day_of(r.follow_up.date)}: {text(r.follow_up.how)}"))
            if r.closed:
                steps.append((day_of(r.closed), f"- Learning closed on {day_of(r.closed)}"))
            steps.sort(key=lambda step: step[0])
            out += ["## Closing the loop", "", *(line for _, line in steps), ""]
        if r.kudos:
            out += ["## Kudos", "", "Thank you: " + ", ".join(f"**{text(self.who(k))}**"
                                                               for k in r.kudos), ""]
        if r.related:
            out += ["## Related records", ""] + [f"- {self.record_link(here, i)}"
                                                 for i in r.related] + [""]
        if self.referred_by.get(r.id):
            out += ["## Referred to by", ""] + [f"- {self.record_link(here, i)}"
                                                for i in self.referred_by[r.id]] + [""]
        if similar := self.shown_similar(r):
            out += ["## Similar records", "",
                    "Records that tell a similar story, found by their words (a score of 1 "
                    "says all this record says). If one is the same problem, link it under "
                    "`related`.", ""] + [f"- {self.record_link(here, m.id)} ({m.score:.2f})"
                                         for m in similar] + [""]
        source = self.source(r)
        if self.o.edit_base:
            out.append(f"[Edit this record]({attr(self.o.edit_base + source)})"
                       "{ .md-button }")
        out.append(f"\n<small>Source: <code>{attr(source)}</code></small>")
        return Page(here, r.title, "\n".join(out) + "\n", source=source, searchable=True,
                    tags=r.tags, record_text=True)

    def cause_pages(self) -> Iterator[Page]:
        index = self.path("causes", "index.md")
        s = self.stats

        def newest_first(records: tuple[Record, ...] | None) -> list[Record]:
            return list(reversed(records or ()))

        cause_headers = ["Cause", "Category", "Near misses", "Failures", "Share", "Cumulative"]
        rows = _card_rows(cause_headers, [
            [self.cause_link(index, r.key), text(self.category_label(r.key)),
             number(r.near_misses), number(r.failures), percent(r.share),
             percent(r.cumulative_share)] for r in s.root_causes])
        cat_rows = [[markup.link(cat.label, rel(index, self.path("causes", key, "index.md"))),
                     number(row.near_misses if row else 0), number(row.failures if row else 0),
                     number(row.near_misses_per_failure if row else None)]
                    for key, cat in self.taxonomy.categories.items()
                    for row in [s.category(key)]]
        out = ["# Root causes", "",
               "Why things nearly went wrong, most frequent first. The few causes at the top "
               "are where a fix prevents the most.", "",
               self.pareto_figure(index, s.pareto_top()),
               "## Categories", "",
               "The pyramid: how many near misses were recorded for every failure. Few near "
               "misses per failure means problems are not noticed early.", "",
               markup.table(["Category", "Near misses", "Failures", "Near misses per failure"],
                            cat_rows, frozenset({1, 2, 3})),
               "## Every cause", "",
               markup.table(cause_headers, rows, frozenset({2, 3, 4, 5})) or "None yet.\n"]
        yield Page(index, "Root causes", "\n".join(out), in_nav=True)
        for key, cat in self.taxonomy.categories.items():
            here = self.path("causes", key, "index.md")
            out = [f"# {text(cat.label)}", "", text(cat.description), "",
                   _pyramid(s.category(key)), "", "## Causes", ""]
            out += [f"- {markup.link(t.label, rel(here, self.path('causes', key, f'{c}.md')))}"
                    f" ({len(s.records_by_cause.get(f'{key}/{c}', ()))})"
                    for c, t in cat.causes.items()]
            out += ["", *self.cause_strength(key), "## Records", "",
                    self.record_table(here, newest_first(s.records_by_category.get(key)))]
            yield Page(here, cat.label, "\n".join(out))
            for cause, term in cat.causes.items():
                cpath = self.path("causes", key, f"{cause}.md")
                out = [f"# {text(term.label)}", "",
                       f"Category: {markup.link(cat.label, rel(cpath, here))}. Records "
                       f"name it in `root_causes` as {_key(f'{key}/{cause}')}.", ""]
                if term.description:
                    out += [text(term.description), ""]
                if strength := self.cause_strength(f"{key}/{cause}"):
                    out += [*strength, "## Records", ""]
                out += [self.record_table(
                    cpath, newest_first(s.records_by_cause.get(f"{key}/{cause}")))]
                yield Page(cpath, term.label, "\n".join(out))

    def term_pages(self, section: str) -> Iterator[Page]:
        name = section[:-1]
        terms: dict[str, Term] = getattr(self.taxonomy, section)
        rows = {row.key: row.summary for row in self.stats.breakdowns[name]}
        index = self.path(section, "index.md")
        title = section.capitalize()
        table_rows = [[self.term_link(index, section, key),
                       number(g.records if g else 0), number(g.near_misses if g else 0),
                       number(g.failures if g else 0), percent(g.prevention_ratio if g else None)]
                      for key in terms for g in [rows.get(key)]]
        out = [f"# {title}", "", markup.table(
            [name.capitalize(), "Records", "Near misses", "Failures", "Prevention ratio"],
            table_rows, frozenset({1, 2, 3, 4}))]
        if None in rows:
            out.append(f"\n{plural(rows[None].records, 'record names', 'records name')} "
                       f"no {name}.\n")
        yield Page(index, title, "\n".join(out), in_nav=True)
        for key, term in terms.items():
            here = self.path(section, f"{key}.md")
            records = self.by_term[name].get(key, [])
            out = [f"# {text(term.label)}", ""]
            if term.description:
                out += [f"*{text(term.description)}*", ""]
            if key in rows:
                out += [self.figures(rows[key]), ""]
            out += ["## Records", "", self.record_table(here, records)]
            yield Page(here, term.label, "\n".join(out))

    def month_pages(self) -> Iterator[Page]:
        index = self.path("months", "index.md")
        months = [(m.label, m.summary) for m in reversed(self.stats.by_month)]
        rows = [[markup.link(key, rel(index, self.path("months", f"{key}.md"))),
                 number(m.records), number(m.near_misses), number(m.failures),
                 percent(m.prevention_ratio)] for key, m in months]
        out = ["# Months", "", markup.table(["Month", "Records", "Near misses", "Failures",
                                             "Prevention ratio"], rows,
                                            frozenset({1, 2, 3, 4})) or "No records yet.\n"]
        yield Page(index, "Months", "\n".join(out), in_nav=True)
        for key, m in months:
            here = self.path("months", f"{key}.md")
            records = self.by_month.get(key, [])
            digest_link = markup.link("digest of " + key,
                                      rel(here, self.path("digests", key + ".md")))
            out = [f"# {key}", "", self.figures(m), "", f"Read the {digest_link}.",
                   "", "## Records", "", self.record_table(here, records)]
            yield Page(here, key, "\n".join(out))

    def tag_pages(self) -> Iterator[Page]:
        """An index of tags with counts, and a page per tag: one page listing every record
        under every tag would grow with records times tags."""
        index = self.path("tags", "index.md")
        by_tag = self.stats.records_by_tag
        rows = [[markup.link(tag, rel(index, self.path("tags", f"{tag}.md"))),
                 number(len(by_tag[tag]))] for tag in sorted(by_tag)]
        out = ["# Tags", "", markup.table(["Tag", "Records"], rows, frozenset({1}))
               or "No tags yet."]
        yield Page(index, "Tags", "\n".join(out) + "\n", in_nav=True)
        for tag, records in sorted(by_tag.items()):
            here = self.path("tags", f"{tag}.md")
            yield Page(here, tag, f"# {text(tag)}\n\n"
                       + self.record_table(here, list(reversed(records))))

    def warning_signs_page(self) -> Page:
        here = self.path("warning-signs.md")
        out = ["# Warning signs", "",
               "Failures whose root cause an earlier near miss already had: the lesson was on "
               "offer before a customer paid for it.", ""]
        signs = self.stats.warning_signs
        # the picture: the latest public failures, each with its public earlier near misses
        # (the figures count internal records; the chart draws none, not even as a date),
        # and how many older ones it leaves out, built only for the lanes it draws
        public = {i for i, r in self.by_id.items() if r.visibility == "public"}
        by_failure: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
        for w in signs:
            seen = [i for i in w.near_misses if i in public] if w.failure in public else []
            if seen:
                by_failure[w.failure].append((w.cause, seen))
        latest = sorted(by_failure, key=lambda i: (self.by_id[i].day, self.by_id[i].title),
                        reverse=True)[:charts.LANES_SHOWN]
        lanes = [charts.Foreshadowed(
            charts.Mark(self.by_id[f].day, self.by_id[f].title),
            tuple(charts.Mark(self.by_id[i].day, self.by_id[i].title)
                  for i in dict.fromkeys(i for _, seen in by_failure[f] for i in seen)),
            tuple(self.taxonomy.cause_label(cause) for cause, _ in by_failure[f]))
            for f in latest]
        if lanes:
            out.append(_figure(charts.foreshadowing("foreshadowing", lanes,
                                                    older=len(by_failure) - len(lanes))))
            out += ["Each warning sign, by failure and root cause, oldest first:", ""]
        if signs and self.o.link_style != "md":
            # a list as long as the failures: HTML, as the record tables (``record_table``)
            def record(record_id: str) -> str:
                return self.record_html(here, record_id)

            out.append(markup.html_block("<ul>" + "".join(
                f"<li>{record(w.failure)}: {self.cause_html(here, w.cause)}, seen before in "
                f"{digest.earlier_list(w.near_misses, record)}</li>" for w in signs) + "</ul>"))
        for w in signs if self.o.link_style == "md" else ():
            earlier = digest.earlier_list(w.near_misses, lambda i: self.record_link(here, i))
            out += [f"- {self.record_link(here, w.failure)}: "
                    f"{self.cause_link(here, w.cause)}, seen before in {earlier}"]
        if not signs:
            out.append("No failure has repeated the cause of an earlier near miss.")
        return Page(here, "Warning signs", "\n".join(out) + "\n", in_nav=True)

    def actions_page(self) -> Page:
        here = self.path("actions.md")
        rows = action_list(self.records, self.as_of)
        out = ["# Open actions", "",
               f"Follow-up is a non-negotiable standard. As of {self.as_of}, oldest overdue "
               "first.", ""]
        # what to do first, then where it comes from, who and when: on a phone each row is
        # a card headed by its action
        typed = bool(self.taxonomy.action_types)  # a strength badge once actions are typed
        headers = ["Action", *["Strength"] * typed, "Record", "Owner", "Due", "State"]
        html = self.o.link_style != "md"  # as long as the open actions: HTML, as record_table
        table_rows = [[attr(a.action) if html else text(a.action),
                       *[_strength_badge(a.strength)] * typed,
                       self.record_html(here, a.record) if html
                       else self.record_link(here, a.record),
                       attr(self.who(a.owner)) if html else text(self.who(a.owner)),
                       a.due.isoformat(),
                       _badge(a.state) + (f" {plural(a.days_overdue, 'day')}"
                                          if a.days_overdue else "")] for a in rows]
        cards = _card_rows(headers, table_rows)
        out.append((markup.html_table(headers, cards) if html
                    else markup.table(headers, cards)) or "No open actions.")
        out += ["", *self.calendar_help(here)]
        return Page(here, "Open actions", "\n".join(out) + "\n", in_nav=True)

    def calendar_help(self, here: str) -> list[str]:
        """How to see the open actions in a calendar: which file for which app, and how
        each app subscribes, without promising what a calendar cannot reach."""
        base = self.o.site_url.rstrip("/") + "/" if self.o.site_url else ""

        def where(name: str) -> str:
            path = self.path(name)
            shown = f" (`{base}{path}`)" if base else ""
            return f"[{name}]({rel(here, path)}){shown}"

        out = ["## Add these to your calendar", "",
               "The open actions of the public records, each on its due day, as calendar "
               "files that change whenever the site is rebuilt:", "",
               f"- **In a calendar** (Outlook, Google Calendar, Apple Calendar): subscribe "
               f"to {where(EVENT_CALENDAR)}. Each action is an all-day event on its due "
               "day, shown as free time.",
               "    - Outlook: *Add calendar* > *Subscribe from web*, then paste the address.",
               "    - Google Calendar, on the web: **+** beside *Other calendars* > *From URL*. "
               "Google reads a subscribed calendar again only every several hours, so a "
               "change shows there late.",
               "    - Apple Calendar: *File* > *New Calendar Subscription*.",
               f"- **In a task list** (Thunderbird, or any app that reads iCalendar to-dos): "
               f"subscribe to {where(TODO_CALENDAR)}. Each action is a to-do due on its "
               "day. Calendar apps leave to-dos out, which is why there are two files.", "",
               "A subscription works only if the calendar app can fetch the file: Google and "
               "Outlook on the web fetch it from their own servers, so the site must be "
               "public, over https. A site on an intranet or behind a sign-in works only in "
               "an app that fetches from your own computer (Thunderbird, or Apple Calendar "
               "with the subscription kept *On My Mac*). Downloading the file and importing "
               "it also works, but an imported copy never updates."]
        if not base:
            out += ["", "This site does not know its own address (`site_url`), so the links "
                    "above are relative: copy a link's address from your browser to "
                    "subscribe."]
        return out

    def calendars(self) -> dict[str, str]:
        """The open actions of the public records as iCalendar text, by path: the to-dos
        and the events of ``calendar_help``. Internal records' actions are never in them.
        While serving, each record's items are written again only when its actions or
        title changed: the iCalendar writer takes about a millisecond an action."""
        base = self.o.site_url.rstrip("/") + "/" if self.o.site_url else ""

        def address(record_id: str) -> str | None:  # as the feed links a record
            return base + self.record_path(record_id)[:-3] + "/" if base else None

        def items(rows: list[ActionRow]) -> dict[tuple[int, bool], str]:
            return {(row.index, events): ics_item(row, self.as_of, events=events,
                                                  owner_label=self.who, record_url=address)
                    for row in rows for events in (False, True)}

        rows = action_list(self.public, self.as_of)
        of_record: dict[str, list[ActionRow]] = defaultdict(list)
        for row in rows:
            of_record[row.record].append(row)
        written = {r.id: (self.reuse.value(("calendar", r.id), [r], _calendar_facts,
                                           partial(items, of_record[r.id]))
                          if self.reuse else items(of_record[r.id]))
                   for r in self.public if r.id in of_record}
        return {self.path(name): ics_document(
                    (written[row.record][row.index, events] for row in rows),
                    name=f"{self.o.title}: {what}")
                for name, what, events in ((TODO_CALENDAR, "open actions", False),
                                           (EVENT_CALENDAR, "actions due", True))}

    def digest_pages(self) -> Iterator[Page]:
        index = self.path("digests", "index.md")
        months = [m.label for m in reversed(self.stats.by_month)]
        out = ["# Monthly digests", "",
               "A digest per month, in the spirit of NASA's CALLBACK: the saves and who made "
               "them, what changed, and the warning signs.", ""]
        out += [f"- {markup.link(m, rel(index, self.path('digests', m + '.md')))}"
                for m in months] or ["No months yet."]
        yield Page(index, "Monthly digests", "\n".join(out) + "\n", in_nav=True)
        read = self.digest_records()
        rising = self.digest_signals()
        for m in months:
            here = self.path("digests", f"{m}.md")
            records = read(m)
            found = rising(m)

            def page(here: str = here, m: str = m, records: list[Record] = records,
                     found: Signals = found) -> Page:
                return Page(here, f"Digest {m}",
                            digest.render(records, self.taxonomy, m, self.as_of,
                                          partial(self.titled_link, here), rising=found),
                            record_text=True)

            yield self.reuse.page(here, (*records, found), page) if self.reuse else page()

    def digest_signals(self) -> Callable[[str], Signals]:
        """What each month's digest says is rising, counted from the records of its window
        and baseline alone (found by day), for the reason ``digest_records`` gives."""
        ordered = sorted(self.all, key=lambda r: r.day)
        days = [r.day for r in ordered]
        first = days[0] if days else None

        def rising(month: str) -> Signals:
            day = digest.signals_day(month, self.as_of)
            since = day - timedelta(days=WINDOW_DAYS + BASELINE_DAYS - 1)
            records = ordered[bisect.bisect_left(days, since):bisect.bisect_right(days, day)]
            if self.reuse is None:
                return signals(records, self.taxonomy, day, first=first)
            # while serving, as the build before found them when no record of the window
            # or baseline changed what signals count (an edit of a story changes none)
            return self.reuse.value(("signals", day, first), records, _signal_facts,
                                    lambda: signals(records, self.taxonomy, day, first=first))

        return rising

    def digest_records(self) -> Callable[[str], list[Record]]:
        """The records a month's digest reads, in the log's order: those of the month and
        the month before (its figures and stories), those with an action done in the month
        (what changed) and the month's failures' warning signs, whose earlier near misses
        come from any month. ``digest.render`` gives the same digest from these as from
        every record, and a digest per month that read every record would make the site
        grow with records times months."""
        records = self.all
        order = {r.id: i for i, r in enumerate(records)}
        done: dict[str, set[str]] = defaultdict(set)
        for r in records:
            for a in r.actions:
                if a.status == "done" and a.done_on:
                    done[month_key(day_of(a.done_on))].add(r.id)
        signs: dict[str, set[str]] = defaultdict(set)
        for w in self.stats.warning_signs:
            signs[month_key(self.by_id[w.failure].day)].update((w.failure, *w.near_misses))
        by_month: dict[str, set[str]] = defaultdict(set)
        for r in records:
            by_month[month_key(r.day)].add(r.id)

        def read(month: str) -> list[Record]:
            before = Period.month(month).previous_month().key
            ids = by_month[month] | by_month[before] | done[month] | signs[month]
            return [self.by_id[i] for i in sorted(ids, key=order.__getitem__)]

        return read

    def refused(self) -> dict[str, list[FileResult]]:
        """The files the check refuses that would have a page, by record id: a public
        record (or one whose visibility cannot be read) with an id a page can be at."""
        out: dict[str, list[FileResult]] = defaultdict(list)
        for f in self.result.excluded:
            internal = (f.record.visibility == "internal" if f.record is not None
                        else _says_internal(f.path))
            if ID_RE.match(f.id) and not internal:
                out[f.id].append(f)
        return out

    def refused_note(self, here: str) -> list[str]:
        """While serving, the home page names the records with errors first: the terminal
        is not where a writer looks."""
        refused = self.refused() if self.o.serving else {}
        if not refused:
            return []
        out = [f'!!! failure "{plural(len(refused), "record has", "records have")} errors '
               'and will not be published"', ""]
        out += [f"    - {markup.link(record_id, rel(here, self.record_path(record_id)))}"
                for record_id in refused]
        return [*out, ""]

    def problem_pages(self) -> Iterator[Page]:
        """While serving: a page for each refused record where its page would be, with its
        problems exactly as ``nearmiss check`` prints them, fix included, and below them
        the page as it would read (the record parsed, but a rule across records failed),
        as it read earlier in this session, or else the file as it stands. The published
        build never has these pages."""
        problems = self.result.problems
        for record_id, files in self.refused().items():
            here = self.record_path(record_id)
            paths = {f.path for f in files}
            lines = [report.line(p) for p in problems if p.path in paths]
            before = self.o.shown_before.get(here)
            parsed = next((f.record for f in files if f.record is not None), None)
            title = (parsed.title if parsed else _yaml_title(files[0].path)
                     or (_front_title(before) if before else "") or record_id)
            errors = sum(p.is_error for p in problems if p.path in paths)
            out = [f"# {text(title)}", "",
                   f'!!! failure "Not published: {plural(errors, "error")} in this record"',
                   "", "    While `mkdocs serve` runs, a record with errors keeps its page, so "
                   "you can see what is wrong. `mkdocs build` leaves it out of the site and "
                   "`mkdocs build --strict` fails until every error is fixed. This is what "
                   "`nearmiss check` prints for it, each with its fix:", "",
                   '<pre class="nm-problems"><code>'
                   + "\n".join(attr(line) for line in lines) + "</code></pre>", ""]
            if parsed is not None:
                out += ["---", "", "*The page will read like this once it is fixed:*", "",
                        _without_title(self.record_page(parsed).body)]
            elif before is not None:
                out += ["---", "", "*The page as it read before the last change:*", "",
                        _without_title(before.partition("\n---\n\n")[2])]
            source = self.source_of(files[0].path)
            if parsed is None and before is None:
                out += ["## The file as it stands", "",
                        '<pre class="nm-problems"><code>'
                        + attr(_read_text(files[0].path)) + "</code></pre>"]
                if self.o.edit_base:
                    out.append(f"\n[Edit this record]({attr(self.o.edit_base + source)})"
                               "{ .md-button }")
                out.append(f"\n<small>Source: <code>{attr(source)}</code></small>")
            yield Page(here, title, "\n".join(out) + "\n", source=source, record_text=True,
                       refused=True)

    def feed(self) -> str:
        """An Atom feed of the newest public records, newest first."""
        base = self.o.site_url.rstrip("/") + "/" if self.o.site_url else ""
        newest = sorted(self.public, key=lambda r: (day_of(r.reported or r.occurred), r.id),
                        reverse=True)[:FEED_SIZE]
        updated = _stamp(day_of(newest[0].reported or newest[0].occurred)) if newest \
            else _stamp(self.as_of)
        entries = []
        for r in newest:
            url = base + self.record_path(r.id)[:-3] + "/"
            summary = r.caught_by if r.is_near_miss else r.customer_impact
            entries.append(
                "<entry>"
                f"<title>{xml_escape(KIND_LABEL[r.kind] + ': ' + r.title)}</title>"
                f'<link href="{xml_escape(url)}"/>'
                f"<id>{xml_escape(url if base else 'urn:nearmiss:' + r.id)}</id>"
                f"<updated>{_stamp(day_of(r.reported or r.occurred))}</updated>"
                f"<summary>{xml_escape((summary or '').strip())}</summary>"
                "</entry>")
        return ('<?xml version="1.0" encoding="utf-8"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{xml_escape(self.o.title)}</title>"
                f"<id>{xml_escape(base or 'urn:nearmiss:feed')}</id>"
                f"<updated>{updated}</updated>" + "".join(entries) + "</feed>\n")


def _calendar_facts(r: Record) -> tuple[object, ...]:
    """All of a record that the calendars read (``action_list``)."""
    return r.id, r.title, r.actions


def _signal_facts(r: Record) -> tuple[object, ...]:
    """All of a record that ``signals`` reads (``signals.record_keys`` and the day)."""
    return r.day, r.root_causes, r.team, r.touchpoint, r.promise


def value_word(value: str) -> str:
    """A kind, status or severity value as every page shows it, in one style: sentence
    case, hyphens as spaces ('near-miss' -> 'Near miss', 'high' -> 'High')."""
    return value.replace("-", " ").capitalize()


def _key(ref: str) -> str:
    """A taxonomy key where an author needs it, in code font that breaks only after the
    '/', never inside a word (the nm-key style)."""
    return (f'<code class="nm-key">'
            f'{"/<wbr>".join(attr(part) for part in ref.split("/"))}</code>')


_INTERNAL = re.compile(r"""^visibility:\s*["']?internal\b""", re.MULTILINE)
_TITLE = re.compile(r"""^title:[ \t]*(["']?)(.+?)\1[ \t]*$""", re.MULTILINE)
SHOWN_FILE_CHARS = 20_000  # of a refused file shown while serving


def _read_text(path: str) -> str:
    """A refused record's file as text, for its page while serving ('' if unreadable)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(SHOWN_FILE_CHARS * 4)
    except OSError:
        return ""
    shown = data.decode("utf-8", errors="replace")
    return shown if len(shown) <= SHOWN_FILE_CHARS else shown[:SHOWN_FILE_CHARS] + "\n…"


def _says_internal(path: str) -> bool:
    """Whether a file that does not parse as a record still says it is internal: then it
    gets no page even while serving, as its valid self would not."""
    return _INTERNAL.search(_read_text(path)) is not None


def _yaml_title(path: str) -> str | None:
    """The title line of a file that does not parse as a record, roughly, if it has one."""
    found = _TITLE.search(_read_text(path))
    return found[2].strip() if found else None


def _front_title(markdown: str) -> str:
    """The title in a page's front matter (``Page.markdown``)."""
    front = markdown.partition("\n---\n")[0].removeprefix("---\n")
    try:
        title = json.loads(front).get("title")
    except (ValueError, AttributeError):
        title = None
    return title.replace("&amp;", "&") if isinstance(title, str) else ""


def _without_title(body: str) -> str:
    """A page's Markdown without its first heading, to show below another."""
    first, _, rest = body.partition("\n")
    return rest.lstrip("\n") if first.startswith("# ") else body


def _stamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), UTC).isoformat().replace("+00:00", "Z")


def _badge(state: str) -> str:
    """An action's state as the coloured badge the stylesheet draws."""
    return f'<span class="nm-badge nm-badge--{state}">{state}</span>'


def _stronger_cells(f: StrongerShare) -> list[str]:
    return [number(f.stronger), number(f.typed), percent(f.share), number(f.untyped)]


def _stronger_words(f: StrongerShare) -> str:
    """The stronger share of failures' actions in a sentence."""
    if not f.typed:
        return ("No failure's action has a type yet." if f.untyped
                else "No failure has an action yet.")
    untyped = f"; {plural(f.untyped, 'more has', 'more have')} no type" if f.untyped else ""
    return (f"Of the failures' {plural(f.typed, 'typed action')}, {number(f.stronger)} "
            f"{noun(f.stronger, 'is', 'are')} stronger ({percent(f.share)}){untyped}.")


def _strength_badge(strength: str | None) -> str:
    """An action's strength as a badge: the word itself, with a fill that grows with the
    strength, so it reads without colour."""
    word = strength or "untyped"
    return f'<span class="nm-badge nm-strength nm-strength--{word}">{word}</span>'


def _card_rows(headers: list[str], rows: list[list[str]]) -> list[list[str]]:
    """Table rows a phone shows as one card each (the nm-cell-label style): the first cell
    heads the card, every other starts with its column's name. Wider screens hide those
    names and show the header row instead."""
    return [[cell if i == 0 else f'<span class="nm-cell-label">{attr(headers[i])}</span> {cell}'
             for i, cell in enumerate(row)] for row in rows]


def _pyramid(row: CategoryRow | None) -> str:
    near, fail = (row.near_misses, row.failures) if row else (0, 0)
    misses = f"**{near}** {noun(near, 'near miss', 'near misses')}"
    if row is None or row.near_misses_per_failure is None:
        return f"{misses} and **no failure** so far."
    return (f"{misses} and **{fail}** {noun(fail, 'failure')}: "
            f"{number(row.near_misses_per_failure)} near misses recorded for every failure.")


def _figure(svg: str) -> str:
    return f'<div class="nm-chart-wrap">{svg}</div>\n'


def _folded(summary: str, headers: list[str], rows: list[list[str]],
            numeric: frozenset[int] = frozenset()) -> str:
    """A long table folded under a summary line the reader opens. Written as HTML, since
    Markdown inside an HTML block is not converted by every generator; cells are plain
    text (no links: a Markdown link in HTML would not be rewritten to its page)."""
    if not rows:
        return ""

    def cells(tag: str, row: list[str]) -> str:
        return "".join(f'<{tag} style="text-align: right;">{attr(v)}</{tag}>' if i in numeric
                       else f"<{tag}>{attr(v)}</{tag}>" for i, v in enumerate(row))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (f'<details class="nm-data"><summary>{attr(summary)}</summary><table><thead><tr>'
            f"{cells('th', headers)}</tr></thead><tbody>{body}</tbody></table></details>\n")


def _indent(markdown: str) -> str:
    return "\n".join("    " + line if line else "" for line in markdown.splitlines())


def build(result: CheckResult, as_of: date, options: SiteOptions
          ) -> tuple[list[Page], str, dict[str, str]]:
    """Every page, the feed and the calendars (by path)."""
    site = Site(result, as_of, options)
    return list(site.pages()), site.feed(), site.calendars()

