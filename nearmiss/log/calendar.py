"""Open follow-up actions as an iCalendar (RFC 5545) document, for people's calendars.

One document, two shapes of the same actions:

- to-dos (``VTODO``, the contract's ``actions.ics``): an action is something to do by a
  day, which is what a to-do is, and task apps (Thunderbird, and others that read
  iCalendar to-dos) show it with its due date;
- events (``VEVENT``, ``actions-due.ics``): calendar apps that subscribe to a URL
  (Google Calendar, Outlook, Apple Calendar) show events only and ignore to-dos, so the
  same actions also come as all-day events on their due day, marked free time.

The text is written by ``icalendar`` rather than by hand: escaping commas, semicolons,
backslashes and line breaks, and folding long lines at 75 octets without splitting a
UTF-8 character, are the parts of RFC 5545 that hand-written feeds get wrong. It is
imported only here, so commands that write no calendar do not load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from nearmiss.log.figures import ActionRow

DEFAULT_NAME = "nearmiss actions"
PRODID = "-//nearmiss//follow-up actions//EN"  # no version: a release changes no calendar
UID_DOMAIN = "nearmiss"  # the fixed right-hand side of every UID: RFC 5545 asks for one
OPEN_STATES = ("overdue", "open")  # done and dropped actions are never in a calendar
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # RFC 5545's CTL, but tab and line feed


def plain(text: str) -> str:
    """``text`` as an iCalendar TEXT value may hold it: line breaks as line feeds (which
    are written escaped), and no other control character. A YAML escape can put a
    carriage return or an ESC in a record; written raw, either would break the file."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def uid(row: ActionRow, *, event: bool = False) -> str:
    """The action's UID: its record's id and its place in the record's actions.

    Why the place, not a hash of the text: an action's text is what gets edited (a word
    made clearer, a typo fixed), and a calendar app that sees a new UID drops the item
    and adds another, losing what the person did with it. Actions are appended, rarely
    reordered, and a record's id is its file name, which does not change. Two actions of
    one record with the same text still get two UIDs. The event of an action has a UID
    of its own (``.due``): one calendar may hold both documents.
    """
    return f"{row.record}.action-{row.index + 1}{'.due' if event else ''}@{UID_DOMAIN}"


def describe(row: ActionRow, owner: str, url: str | None) -> str:
    """What the calendar item says besides its summary: the record and the owner."""
    lines = [f"Record: {row.record} ({plain(row.title)})", f"Owner: {plain(owner)}"]
    if url:
        lines.append(url)
    return "\n".join(lines)


def calendar(rows: Iterable[ActionRow], as_of: date, *, name: str = DEFAULT_NAME,
             events: bool = False, owner_label: Callable[[str], str] = str,
             record_url: Callable[[str], str | None] | None = None) -> str:
    """The iCalendar text of the open actions among ``rows``, in their order, with
    CRLF line ends (write it as UTF-8).

    Rows in another state are left out whoever asks: a calendar lists what is still to
    do. ``DTSTAMP`` is the as-of day at 00:00 UTC, so the same log judged on the same
    day gives the same bytes (a golden file, a build that changes nothing).
    ``owner_label`` names an owner (a team key as its label); ``record_url`` gives the
    record page's address, when there is one.
    """
    return document((item(row, as_of, events=events, owner_label=owner_label,
                          record_url=record_url)
                     for row in rows if row.state in OPEN_STATES), name=name)


def document(items: Iterable[str], *, name: str = DEFAULT_NAME) -> str:
    """The calendar named ``name`` holding ``items`` (each ``item``'s text, in order).

    The text is the one ``icalendar`` writes for the whole calendar, which puts a
    component's properties before its subcomponents: the items go between the
    calendar's own lines and its END line. Items made one by one can so be kept while
    serving, and only an edited record's made again.
    """
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plain(name))
    head: str = cal.to_ical().decode("utf-8")
    end = head.rindex("END:VCALENDAR")
    return head[:end] + "".join(items) + head[end:]


def item(row: ActionRow, as_of: date, *, events: bool = False,
         owner_label: Callable[[str], str] = str,
         record_url: Callable[[str], str | None] | None = None) -> str:
    """One action as a to-do, or with ``events`` as an event: its lines for ``document``."""
    from icalendar import Event, Todo

    url = record_url(row.record) if record_url else None
    entry = Event() if events else Todo()
    entry.add("uid", uid(row, event=events))
    entry.add("dtstamp", datetime.combine(as_of, time(0, 0), tzinfo=UTC))
    if events:
        entry.add("dtstart", row.due)
        entry.add("dtend", row.due + timedelta(days=1))  # all day: the end is exclusive
        entry.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
        entry.add("summary", f"Due: {plain(row.action)}")
    else:
        entry.add("due", row.due)
        entry.add("status", "NEEDS-ACTION")
        entry.add("summary", plain(row.action))
    entry.add("description", describe(row, owner_label(row.owner), url))
    if url:
        entry.add("url", url)
    text: str = entry.to_ical().decode("utf-8")
    return text
