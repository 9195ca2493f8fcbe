"""A monthly digest in the spirit of NASA's CALLBACK newsletter: the saves and who made
them, what changed because someone reported, the warning signs, the month against the one
before. Markdown, so it reads in a terminal, an e-mail, a pull request or the site.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nearmiss.log.figures import (
    Change,
    Period,
    Trend,
    completed_actions,
    period_summary,
    warning_signs,
)
from nearmiss.log.signals import Signals, signals
from nearmiss.log.tables import Table, render_markdown
from nearmiss.log.words import change, number, percent, plural, rise
from nearmiss.record.model import CAUGHT_HOW_WORDS, SEVERITIES, Record, day_of
from nearmiss.record.taxonomy import Taxonomy
from nearmiss.site import markup

# a record's title (its id, its title) as the digest shows it: linked to its page, or
# plain words for a record that has none
Link = Callable[[str, str], str]


SHOWN = 12  # stories per section: a digest is read over coffee, not scrolled
EARLIER_SHOWN = 3  # earlier near misses named per warning sign
_SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}
_COUNTS_NOT_TOLD = ("internal record counts in the figures but is",
                    "internal records count in the figures but are")


def plain_title(_record_id: str, title: str) -> str:
    """A ``Link`` that links nothing."""
    return markup.text(title)


def _quote(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in markup.block(text).splitlines()]


def _most_telling(records: list[Record]) -> list[Record]:
    """The stories to tell first: the most severe, then the earliest."""
    return sorted(records, key=lambda r: (_SEVERITY_RANK[r.severity], r.day, r.id))


def _more(n: int, what: str) -> list[str]:
    return [f"*…and {n} more {what} this month.*", ""] if n > 0 else []


def earlier_list(ids: tuple[str, ...] | list[str], name: Callable[[str], str]) -> str:
    """The latest few earlier near misses of a warning sign, and how many more there are."""
    latest = ids[-EARLIER_SHOWN:]
    rest = len(ids) - len(latest)
    earlier = f"{plural(rest, 'earlier one')}, then " if rest else ""
    return earlier + ", ".join(name(i) for i in latest)


def _figure(name: str, c: Change) -> list[str]:
    show = percent if c.share else number
    return [name, show(c.now), show(c.before), change(c)]


def signals_day(month: str, as_of: date) -> date:
    """The day a month's digest tells what is rising as of: the month's end, or ``as_of``
    in a month not over yet."""
    return min(Period.month(month).last, as_of)


def _rising(found: Signals) -> list[str]:
    out = [f"## Rising as of {found.window_end}", ""]
    if not found.computed:
        days = plural(found.window_days, "day")
        return out + [f"Too early to tell: the log has less than {days} of history before "
                      f"the last {days}, so there is no past to compare with.", ""]
    if not found.rising:
        return out + [f"Nothing rose in the last {plural(found.window_days, 'day')} more "
                      "than chance plausibly explains. That is not a sign of safety: "
                      "keep reporting.", ""]
    out += [f"- {rise(s, f'{s.dimension} **{markup.text(s.label)}**')}"
            for s in found.rising]
    return out + ["", "A rise is a question to look into, not a cause or a verdict.", ""]


def render(records: list[Record], taxonomy: Taxonomy, month: str, as_of: date,
           link: Link = plain_title, include_internal: bool = False,
           rising: Signals | None = None) -> str:
    """The digest of ``month``; internal records count in the figures but are not told.
    ``rising`` is what rose as of ``signals_day``, when ``records`` are not every record."""
    period = Period.month(month)
    previous = period.previous_month()
    # the month's headline figures and warning signs, not every figure compute() makes:
    # the site renders a digest for every month
    o = period_summary(records, as_of, period.first, period.last)
    versus = Trend(o, period_summary(records, as_of, previous.first, previous.last))
    shown = [r for r in records if period.first <= r.day <= period.last
             and (include_internal or r.visibility == "public")]
    shown.sort(key=lambda r: (r.day, r.id))
    hidden = o.records - len(shown)
    label = period.first.strftime("%B %Y")
    out = [f"# Learning log digest: {label}", ""]
    out.append(f"{plural(o.near_misses, 'failure')} prevented and {o.failures} that "
               "reached a customer. Every save below is a lesson that cost nothing: thank the "
               "people who made it.")
    if hidden:
        out.append(f"({plural(hidden, *_COUNTS_NOT_TOLD)} not told here.)")
    out.append("")

    table = Table("The month in figures",
                  ["figure", label, previous.first.strftime("%B %Y"), "change"], [
                      _figure("failures prevented (near misses)", versus.near_misses),
                      _figure("failures that reached a customer", versus.failures),
                      _figure("prevention ratio", versus.prevention_ratio),
                      _figure("saves by design", versus.saves_by_design),
                  ], numeric={1, 2})
    out.append(render_markdown([table]))

    saves = _most_telling([r for r in shown if r.is_near_miss])
    out += ["## Saves to celebrate", ""]
    if not saves:
        out += ["No near misses were recorded this month. Quiet months are when reporting "
                "matters most: what nearly went wrong?", ""]
    for r in saves[:SHOWN]:
        out += [f"### {link(r.id, r.title)}", ""]
        how = f", caught by {CAUGHT_HOW_WORDS[r.caught_how]}" if r.caught_how else ""
        team = markup.text(taxonomy.name_label(r.team))
        out += [f"*{day_of(r.occurred)}, {team}{how}*", ""]
        out += _quote(r.caught_by or "") + [""]
        if r.kudos:
            out += ["**Thank you:** " + ", ".join(markup.text(taxonomy.name_label(k))
                                                  for k in r.kudos), ""]
    out += _more(len(saves) - SHOWN, "saves")

    told = [r for r in records if include_internal or r.visibility == "public"]
    changed = completed_actions(told, period)
    out += ["## What changed because someone reported", ""]
    out += [f"- {markup.text(c.action)} ({markup.text(taxonomy.name_label(c.owner))}, "
            f"done {c.done_on}), "
            f"after *{link(c.record, c.title)}*" for c in changed[:SHOWN * 2]] \
        or ["Nothing was completed this month."]
    out.append("")
    out += _more(len(changed) - SHOWN * 2, "completed actions")

    by_id = {r.id: r for r in records}

    def title(record_id: str) -> str:
        return link(record_id, by_id[record_id].title)

    out += ["## Warning signs", ""]
    failed = (r for r in records if not r.is_near_miss and period.first <= r.day <= period.last)
    signs = [w for w in warning_signs(failed, records)
             if include_internal or by_id[w.failure].visibility == "public"]
    if not signs:
        out += ["No failure this month repeated the cause of an earlier near miss.", ""]
    for w in signs:
        earlier = earlier_list([i for i in w.near_misses
                                if include_internal or by_id[i].visibility == "public"], title)
        cause = markup.text(taxonomy.cause_label(w.cause))
        out.append(f"- *{title(w.failure)}* had the cause **{cause}**, "
                   f"seen before in: {earlier or 'an internal record'}")
    out.append("")
    out += _rising(rising or signals(records, taxonomy, signals_day(month, as_of)))

    failures = _most_telling([r for r in shown if not r.is_near_miss])
    if failures:
        out += ["## Failures and what they teach", ""]
        for r in failures[:SHOWN]:
            out += [f"### {link(r.id, r.title)}", ""]
            out += _quote(r.customer_impact or "") + [""]
            if r.lessons:
                out += ["**Lessons:**", "", markup.block(r.lessons), ""]
        out += _more(len(failures) - SHOWN, "failures")
    names = list(dict.fromkeys(taxonomy.name_label(k) for r in shown for k in r.kudos))
    if names:
        out += ["## Thank you", "", ", ".join(markup.text(n) for n in names), ""]
    return "\n".join(out).rstrip() + "\n"
