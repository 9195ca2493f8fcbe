"""The learning log as a set of Markdown pages, independent of any site generator.

The MkDocs plugin serves these pages as generated files; ``nearmiss render`` writes the
same pages to disk, so the content outlives any one generator. Every figure comes from
``stats``; this module only arranges and links.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from nearmiss.log import digest
from nearmiss.log.checker import CheckResult
from nearmiss.log.figures import (
    CategoryRow,
    Period,
    Summary,
    action_list,
    action_state,
    compute,
    period_summary,
    trend,
)
from nearmiss.log.words import noun, number, percent, plural
from nearmiss.log.words import trend as trend_words
from nearmiss.record.model import CAUGHT_HOW_WORDS, Record, day_of
from nearmiss.record.taxonomy import Term
from nearmiss.site import charts, markup
from nearmiss.site.history import Dates
from nearmiss.site.markup import attr, block, rel, text
from nearmiss.site.sanitize import page_title

STYLESHEET = Path(__file__).with_name("nearmiss.css")  # the nm-* classes pages use
KIND_LABEL = {"near-miss": "Near miss", "failure": "Failure"}
FEED_SIZE = 50
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

    @property
    def markdown(self) -> str:
        meta: dict[str, Any] = {"title": page_title(self.title)}
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
    site_url: str = ""


class Site:
    """Builds every page of the learning log from one check result."""

    def __init__(self, result: CheckResult, as_of: date, options: SiteOptions) -> None:
        self.result = result
        self.taxonomy = result.taxonomy
        self.as_of = as_of
        self.o = options
        self.records = sorted(result.records, key=lambda r: (r.day, r.id), reverse=True)
        self.public = [r for r in self.records if r.visibility == "public"]
        self.by_id = {r.id: r for r in self.records}
        self.stats = compute(result.records, self.taxonomy, as_of)
        self.referred_by: dict[str, list[str]] = defaultdict(list)
        for r in self.records:
            for other in r.related:
                self.referred_by[other].append(r.id)

    # paths -------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return "/".join((self.o.prefix, *parts)) if self.o.prefix else "/".join(parts)

    def record_path(self, record_id: str) -> str:
        return self.path("records", f"{record_id}.md")

    def home_path(self) -> str:
        return "index.md" if self.o.home else self.path("index.md")

    def record_link(self, here: str, record_id: str) -> str:
        """A link to a record, or plain words for one that has no page (internal)."""
        record = self.by_id.get(record_id)
        if record is None or record.visibility != "public":
            return "an internal record"
        return markup.link(record.title, rel(here, self.record_path(record_id)))

    def term_link(self, here: str, section: str, key: str | None) -> str:
        if key is None:
            return "–"
        terms: dict[str, Term] = getattr(self.taxonomy, section)
        term = terms.get(key)
        return markup.link(term.label if term else key, rel(here, self.path(section,
                                                                             f"{key}.md")))

    def cause_link(self, here: str, ref: str) -> str:
        category, _, cause = ref.partition("/")
        return markup.link(self.taxonomy.cause_label(ref),
                           rel(here, self.path("causes", category, f"{cause}.md")))

    def source(self, record: Record) -> str:
        """The record's YAML path relative to the site's root folder, with '/' separators."""
        return os.path.relpath(record.path, self.o.source_root).replace(os.sep, "/")

    # building blocks -------------------------------------------------------------
    def record_table(self, here: str, records: list[Record]) -> str:
        shown = [r for r in records if r.visibility == "public"]
        hidden = len(records) - len(shown)
        headers = ["Date", "Record", "Kind", "Status", "Severity"]
        style = self.o.link_style
        if style == "md":
            rows = [[day_of(r.occurred).isoformat(), self.record_link(here, r.id),
                     KIND_LABEL[r.kind], r.status, r.severity] for r in shown]
            out = markup.table(headers, rows)
        elif shown:
            cells = "".join(
                f'<tr><td>{day_of(r.occurred)}</td><td><a href="'
                f'{markup.href(here, self.record_path(r.id), style)}">{attr(r.title)}</a></td>'
                f"<td>{KIND_LABEL[r.kind]}</td><td>{r.status}</td><td>{r.severity}</td></tr>"
                for r in shown)
            out = ('<table><thead><tr>'
                   + "".join(f"<th>{h}</th>" for h in headers)
                   + f"</tr></thead><tbody>{cells}</tbody></table>\n")
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
        yield self.dashboard()
        for r in self.public:
            yield self.record_page(r)
        yield from self.cause_pages()
        for section in ("teams", "touchpoints", "promises"):
            yield from self.term_pages(section)
        yield from self.month_pages()
        yield from self.tag_pages()
        yield self.warning_signs_page()
        yield self.actions_page()
        yield from self.digest_pages()

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
        ]
        cards = "".join(
            f'<div class="nm-figure"><span class="nm-figure__value">{attr(v)}</span>'
            f'<span class="nm-figure__label">{attr(label)}</span></div>'
            for v, label in figures)
        out = [f"# {text(self.o.title)}", "",
               "Every near miss here is a failure that did not reach a customer. We record "
               "them to learn cheaply, and to thank the people who caught them.", "",
               f'<div class="nm-figures">{cards}</div>', "", "## Latest saves", ""]
        saves = [r for r in self.public if r.is_near_miss][:8]
        for r in saves:
            who = ", ".join(text(k) for k in r.kudos) or text(r.reported_by or "the team")
            out.append(f"- **{self.record_link(here, r.id)}** ({day_of(r.occurred)}, "
                       f"{self.term_link(here, 'teams', r.team)}): caught by "
                       f"{CAUGHT_HOW_WORDS.get(r.caught_how or '', 'the team')}. "
                       f"Thank you, {who}.")
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
        for label, target in (
            ("Dashboard", "dashboard.md"), ("Root causes", "causes/index.md"),
            ("Teams", "teams/index.md"), ("Touchpoints", "touchpoints/index.md"),
            ("Promises", "promises/index.md"), ("Months", "months/index.md"),
            ("Tags", "tags/index.md"), ("Warning signs", "warning-signs.md"),
            ("Open actions", "actions.md"), ("Monthly digests", "digests/index.md"),
        ):
            out.append(f"- {markup.link(label, rel(here, self.path(target)))}")
        out.append(f"- [Feed of new records]({rel(here, 'feed.xml')})")
        return Page(here, self.o.title, "\n".join(out) + "\n", in_nav=True, searchable=True)

    def dashboard(self) -> Page:
        s = self.stats
        months = s.by_month  # a month's label is its key, 'YYYY-MM'
        sections = [
            "# Dashboard", "",
            "All figures are defined on the figures page of the guide; each chart states "
            "its data in words for screen readers, and below it as a table.", "",
            "## Near misses and failures per month", "",
            _figure(charts.monthly("monthly", [(m.label, m.summary.near_misses,
                                                m.summary.failures) for m in months])),
            "## Root causes (Pareto)", "",
            _figure(charts.pareto("pareto", [(r.label, r.total, r.cumulative_share or 0.0)
                                             for r in s.root_causes])),
            "## Prevention ratio per month", "",
            _figure(charts.ratio_trend("ratio", [(m.label, m.summary.prevention_ratio)
                                                 for m in months])),
            "## Follow-up actions by state", "",
            _figure(charts.bars("actions", list(s.overall.actions.items()),
                                "Follow-up actions by state (open includes overdue)")),
            "## Saves by how they were caught", "",
            _figure(charts.bars("saves", list(s.overall.saves.items()),
                                "Near misses by how they were caught")),
        ]
        return Page(self.path("dashboard.md"), "Dashboard", "\n".join(sections) + "\n",
                    in_nav=True, searchable=True)

    def record_page(self, r: Record) -> Page:
        here = self.record_path(r.id)
        out = [f"# {text(r.title)}", ""]
        facts = [
            ("Kind", KIND_LABEL[r.kind]), ("Status", r.status.capitalize()),
            ("Severity", r.severity), ("Occurred", str(day_of(r.occurred))),
            ("Reported", str(day_of(r.reported)) if r.reported else "–"),
            ("Team", self.term_link(here, "teams", r.team)),
            ("Touchpoint", self.term_link(here, "touchpoints", r.touchpoint)),
            ("Promise", self.term_link(here, "promises", r.promise)),
        ]
        if r.reported_by:
            facts.append(("Reported by", text(r.reported_by)))
        dates = self.o.history.get(os.path.abspath(r.path))
        if dates is not None:
            if dates.first:
                facts.append(("First recorded", str(dates.first)))
            facts.append(("Last changed", str(dates.last)))
        summary = markup.table([k for k, _ in facts[:5]], [[v for _, v in facts[:5]]]) + "\n" \
            + markup.table([k for k, _ in facts[5:]], [[v for _, v in facts[5:]]])
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
                f"- {self.cause_link(here, c)} (`{c}`)" for c in r.root_causes] + [""]
        if r.lessons:
            out += ["## Lessons", "", block(r.lessons), ""]
        if r.actions:
            out += ["## Actions", "", markup.table(
                ["Action", "Owner", "Due", "State", "Done or dropped"],
                [[text(a.action), text(a.owner), str(day_of(a.due)),
                  _badge(action_state(a, self.as_of)),
                  str(day_of(a.done_on)) if a.done_on else text(a.reason or "")]
                 for a in r.actions]), ""]
        elif r.no_action:
            out += ["## Actions", "", f"No action needed: {text(r.no_action)}", ""]
        if r.follow_up or r.closed:
            out += ["## Closing the loop", ""]
            if r.follow_up:
                out.append(f"- Followed up on {day_of(r.follow_up.date)}: "
                           f"{text(r.follow_up.how)}")
            if r.closed:
                out.append(f"- Learning closed on {day_of(r.closed)}")
            out.append("")
        if r.kudos:
            out += ["## Kudos", "", "Thank you: " + ", ".join(f"**{text(k)}**" for k in r.kudos),
                    ""]
        if r.related:
            out += ["## Related records", ""] + [f"- {self.record_link(here, i)}"
                                                 for i in r.related] + [""]
        if self.referred_by.get(r.id):
            out += ["## Referred to by", ""] + [f"- {self.record_link(here, i)}"
                                                for i in self.referred_by[r.id]] + [""]
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

        rows = [[self.cause_link(index, r.key), text(r.category), number(r.near_misses),
                 number(r.failures), percent(r.share), percent(r.cumulative_share)]
                for r in s.root_causes]
        cat_rows = [[markup.link(cat.label, rel(index, self.path("causes", key, "index.md"))),
                     number(row.near_misses if row else 0), number(row.failures if row else 0),
                     number(row.near_misses_per_failure if row else None)]
                    for key, cat in self.taxonomy.categories.items()
                    for row in [s.category(key)]]
        out = ["# Root causes", "",
               "Why things nearly went wrong, most frequent first. The few causes at the top "
               "are where a fix prevents the most.", "",
               _figure(charts.pareto("pareto", [(r.label, r.total, r.cumulative_share or 0.0)
                                                for r in s.root_causes])),
               "## Categories", "",
               "The pyramid: how many near misses were recorded for every failure. Few near "
               "misses per failure means problems are not noticed early.", "",
               markup.table(["Category", "Near misses", "Failures", "Near misses per failure"],
                            cat_rows, frozenset({1, 2, 3})),
               "## Every cause", "",
               markup.table(["Cause", "Category", "Near misses", "Failures", "Share",
                             "Cumulative"], rows, frozenset({2, 3, 4, 5})) or "None yet.\n"]
        yield Page(index, "Root causes", "\n".join(out), in_nav=True)
        for key, cat in self.taxonomy.categories.items():
            here = self.path("causes", key, "index.md")
            out = [f"# {text(cat.label)}", "", text(cat.description), "",
                   _pyramid(s.category(key)), "", "## Causes", ""]
            out += [f"- {markup.link(t.label, rel(here, self.path('causes', key, f'{c}.md')))}"
                    f" ({len(s.records_by_cause.get(f'{key}/{c}', ()))})"
                    for c, t in cat.causes.items()]
            out += ["", "## Records", "",
                    self.record_table(here, newest_first(s.records_by_category.get(key)))]
            yield Page(here, cat.label, "\n".join(out))
            for cause, term in cat.causes.items():
                cpath = self.path("causes", key, f"{cause}.md")
                out = [f"# {text(term.label)}", "",
                       f"Category: {markup.link(cat.label, rel(cpath, here))} · key "
                       f"`{key}/{cause}`", ""]
                if term.description:
                    out += [text(term.description), ""]
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
            records = [r for r in self.records if getattr(r, name) == key]
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
            records = [r for r in self.records if r.day.strftime("%Y-%m") == key]
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
        for w in self.stats.warning_signs:
            earlier = digest.earlier_list(w.near_misses, lambda i: self.record_link(here, i))
            out += [f"- {self.record_link(here, w.failure)}: "
                    f"{self.cause_link(here, w.cause)}, seen before in {earlier}"]
        if not self.stats.warning_signs:
            out.append("No failure has repeated the cause of an earlier near miss.")
        return Page(here, "Warning signs", "\n".join(out) + "\n", in_nav=True)

    def actions_page(self) -> Page:
        here = self.path("actions.md")
        rows = action_list(self.records, self.as_of)
        out = ["# Open actions", "",
               f"Follow-up is a non-negotiable standard. As of {self.as_of}, oldest overdue "
               "first.", ""]
        table_rows = [[text(a.owner), a.due.isoformat(),
                       _badge(a.state) + (f" {plural(a.days_overdue, 'day')}"
                                          if a.days_overdue else ""),
                       text(a.action), self.record_link(here, a.record)] for a in rows]
        out.append(markup.table(["Owner", "Due", "State", "Action", "Record"], table_rows)
                   or "No open actions.")
        return Page(here, "Open actions", "\n".join(out) + "\n", in_nav=True)

    def digest_pages(self) -> Iterator[Page]:
        index = self.path("digests", "index.md")
        months = [m.label for m in reversed(self.stats.by_month)]
        out = ["# Monthly digests", "",
               "A digest per month, in the spirit of NASA's CALLBACK: the saves and who made "
               "them, what changed, and the warning signs.", ""]
        out += [f"- {markup.link(m, rel(index, self.path('digests', m + '.md')))}"
                for m in months] or ["No months yet."]
        yield Page(index, "Monthly digests", "\n".join(out) + "\n", in_nav=True)
        for m in months:
            here = self.path("digests", f"{m}.md")

            def link(record_id: str, here: str = here) -> str | None:
                r = self.by_id.get(record_id)
                return rel(here, self.record_path(record_id)) if r and \
                    r.visibility == "public" else None

            yield Page(here, f"Digest {m}", digest.render(self.result.records, self.taxonomy,
                                                          m, self.as_of, link),
                       record_text=True)

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


def _stamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), UTC).isoformat().replace("+00:00", "Z")


def _badge(state: str) -> str:
    """An action's state as the coloured badge the stylesheet draws."""
    return f'<span class="nm-badge nm-badge--{state}">{state}</span>'


def _pyramid(row: CategoryRow | None) -> str:
    near, fail = (row.near_misses, row.failures) if row else (0, 0)
    misses = f"**{near}** {noun(near, 'near miss', 'near misses')}"
    if row is None or row.near_misses_per_failure is None:
        return f"{misses} and **no failure** so far."
    return (f"{misses} and **{fail}** {noun(fail, 'failure')}: "
            f"{number(row.near_misses_per_failure)} near misses recorded for every failure.")


def _figure(svg: str) -> str:
    return f'<div class="nm-chart-wrap">{svg}</div>\n'


def _indent(markdown: str) -> str:
    return "\n".join("    " + line if line else "" for line in markdown.splitlines())


def build(result: CheckResult, as_of: date, options: SiteOptions) -> tuple[list[Page], str]:
    """Every page and the feed."""
    site = Site(result, as_of, options)
    return list(site.pages()), site.feed()

