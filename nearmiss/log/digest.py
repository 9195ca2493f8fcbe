"""A monthly digest in the spirit of NASA's CALLBACK newsletter: the saves and who made
them, what changed because someone reported, the warning signs, the month against the one
before. Markdown, so it reads in a terminal, an e-mail, a pull request or the site.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date
from typing import Any

from nearmiss.log.figures import compute, period_summary
from nearmiss.log.tables import Table, pct, render_markdown
from nearmiss.record.model import CAUGHT_HOW_WORDS, SEVERITIES, Record, day_of
from nearmiss.record.taxonomy import Taxonomy
from nearmiss.site import markup

Link = Callable[[str], str | None]


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of 'YYYY-MM'; ValueError for anything else."""
    year, _, mon = month.partition("-")
    try:
        if len(year) != 4 or len(mon) != 2:
            raise ValueError
        first = date(int(year), int(mon), 1)
    except ValueError:
        raise ValueError(f"{month!r} is not a month like 2026-03") from None
    return first, date(first.year, first.month, monthrange(first.year, first.month)[1])


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    return f"{first.year - 1}-12" if first.month == 1 else f"{first.year}-{first.month - 1:02d}"


def _change(now: float | None, before: float | None, as_pct: bool) -> str:
    if now is None or before is None:
        return "–"
    delta = now - before
    if not delta:
        return "no change"
    arrow = "▲" if delta > 0 else "▼"
    amount = f"{abs(delta) * 100:.1f} points" if as_pct else f"{abs(delta):g}"
    return f"{arrow} {amount}"


SHOWN = 12  # stories per section: a digest is read over coffee, not scrolled
EARLIER_SHOWN = 3  # earlier near misses named per warning sign
_SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}


def _title(record: Record, link: Link) -> str:
    target = link(record.id)
    return markup.link(record.title, target) if target else markup.text(record.title)


def _quote(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in markup.block(text).splitlines()]


def _most_telling(records: list[Record]) -> list[Record]:
    """The stories to tell first: the most severe, then the earliest."""
    return sorted(records, key=lambda r: (_SEVERITY_RANK[r.severity], r.day, r.id))


def _more(n: int, what: str) -> list[str]:
    return [f"*…and {n} more {what} this month.*", ""] if n > 0 else []


def earlier_list(ids: list[str], name: Callable[[str], str]) -> str:
    """The latest few earlier near misses of a warning sign, and how many more there are."""
    latest = ids[-EARLIER_SHOWN:]
    rest = len(ids) - len(latest)
    earlier = f"{rest} earlier {'one' if rest == 1 else 'ones'}, then " if rest else ""
    return earlier + ", ".join(name(i) for i in latest)


def render(records: list[Record], taxonomy: Taxonomy, month: str, as_of: date,
           link: Link = lambda _id: None, include_internal: bool = False) -> str:
    """The digest of ``month``; internal records count in the figures but are not told."""
    first, last = month_bounds(month)
    before = previous_month(month)
    p_first, p_last = month_bounds(before)
    now = compute(records, taxonomy, as_of, first, last)
    p = period_summary(records, as_of, p_first, p_last)
    shown = [r for r in records if first <= r.day <= last
             and (include_internal or r.visibility == "public")]
    shown.sort(key=lambda r: (r.day, r.id))
    hidden = now.overall["records"] - len(shown)
    o = now.overall
    label = first.strftime("%B %Y")
    out = [f"# Learning log digest: {label}", ""]
    out.append(f"{_count(o['near_misses'], 'failure')} prevented and {o['failures']} that "
               "reached a customer. Every save below is a lesson that cost nothing: thank the "
               "people who made it.")
    if hidden:
        out.append(f"({hidden} internal record(s) count in the figures but are not told here.)")
    out.append("")

    def figure(name: str, key: str, as_pct: bool = False) -> list[str]:
        show = pct if as_pct else str
        return [name, show(o[key]), show(p[key]), _change(o[key], p[key], as_pct)]

    before_label = p_first.strftime("%B %Y")
    table = Table("The month in figures", ["figure", label, before_label, "change"], [
        figure("failures prevented (near misses)", "near_misses"),
        figure("failures that reached a customer", "failures"),
        figure("prevention ratio", "prevention_ratio", as_pct=True),
        figure("saves by design", "saves_by_design", as_pct=True),
    ], numeric={1, 2})
    out.append(render_markdown([table]))

    saves = _most_telling([r for r in shown if r.is_near_miss])
    out += ["## Saves to celebrate", ""]
    if not saves:
        out += ["No near misses were recorded this month. Quiet months are when reporting "
                "matters most: what nearly went wrong?", ""]
    for r in saves[:SHOWN]:
        out += [f"### {_title(r, link)}", ""]
        how = f", caught by {CAUGHT_HOW_WORDS[r.caught_how]}" if r.caught_how else ""
        team = markup.text(_term(taxonomy.teams, r.team))
        out += [f"*{day_of(r.occurred)}, {team}{how}*", ""]
        out += _quote(r.caught_by or "") + [""]
        if r.kudos:
            out += ["**Thank you:** " + ", ".join(markup.text(k) for k in r.kudos), ""]
    out += _more(len(saves) - SHOWN, "saves")

    changed = _changes(records, first, last, include_internal)
    out += ["## What changed because someone reported", ""]
    out += [f"- {markup.text(c['action'])} ({markup.text(c['owner'])}, done {c['done_on']}), "
            f"after *{_title(c['record'], link)}*" for c in changed[:SHOWN * 2]] \
        or ["Nothing was completed this month."]
    out.append("")
    out += _more(len(changed) - SHOWN * 2, "completed actions")

    by_id = {r.id: r for r in records}
    out += ["## Warning signs", ""]
    signs = [w for w in now.warning_signs
             if include_internal or by_id[w["failure"]].visibility == "public"]
    if not signs:
        out += ["No failure this month repeated the cause of an earlier near miss.", ""]
    for w in signs:
        told = [i for i in w["near_misses"]
                if include_internal or by_id[i].visibility == "public"]
        earlier = earlier_list(told, lambda i: _title(by_id[i], link))
        cause = markup.text(taxonomy.cause_label(w["cause"]))
        out.append(f"- *{_title(by_id[w['failure']], link)}* had the cause **{cause}**, "
                   f"seen before in: {earlier or 'an internal record'}")
    out.append("")

    failures = _most_telling([r for r in shown if not r.is_near_miss])
    if failures:
        out += ["## Failures and what they teach", ""]
        for r in failures[:SHOWN]:
            out += [f"### {_title(r, link)}", ""]
            out += _quote(r.customer_impact or "") + [""]
            if r.lessons:
                out += ["**Lessons:**", "", markup.block(r.lessons), ""]
        out += _more(len(failures) - SHOWN, "failures")
    names = list(dict.fromkeys(k for r in shown for k in r.kudos))
    if names:
        out += ["## Thank you", "", ", ".join(markup.text(n) for n in names), ""]
    return "\n".join(out).rstrip() + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _term(terms: dict[str, Any], key: str) -> str:
    term = terms.get(key)
    return term.label if term else key


def _changes(records: list[Record], first: date, last: date,
             include_internal: bool) -> list[dict[str, Any]]:
    """Actions completed within the month, from records of any month."""
    done: list[dict[str, Any]] = []
    for r in records:
        if not include_internal and r.visibility != "public":
            continue
        for a in r.actions:
            if a.status == "done" and a.done_on and first <= day_of(a.done_on) <= last:
                done.append({"record": r, "action": a.action, "owner": a.owner,
                             "done_on": day_of(a.done_on)})
    done.sort(key=lambda c: (c["done_on"], c["record"].id))
    return done
