"""`nearmiss actions --format ics`: open actions as iCalendar, read back by an independent
parser (vobject, not the icalendar package that writes them).

The golden files are bytes (CRLF line ends); after a deliberate change, regenerate them
with ``NEARMISS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/log/test_calendar.py`` and read
the diff.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import vobject
from click.testing import Result
from helpers import FIXTURES, GOLDEN, add_record, build_learning_log, cli_runner
from hypothesis import given
from hypothesis import strategies as st

from nearmiss.cli import cli
from nearmiss.log.calendar import calendar, plain
from nearmiss.log.checker import check_tree
from nearmiss.log.figures import ActionRow, action_list

AS_OF = "2026-04-01"
R2 = "2026-01-12-refund-amount-nearly-doubled"
R4 = "2026-02-02-invoice-sent-twice"
R9 = "2026-03-10-engineer-change-not-announced"  # internal: the CLI lists it, the site not
R10 = "2026-03-10-customer-not-told-of-reschedule"
OPEN = {f"{R4}.action-1@nearmiss": date(2026, 3, 1),  # overdue
        f"{R2}.action-1@nearmiss": date(2026, 3, 15),  # overdue
        f"{R10}.action-1@nearmiss": date(2026, 3, 31),  # overdue
        f"{R9}.action-1@nearmiss": date(2026, 4, 1),
        f"{R2}.action-2@nearmiss": date(2026, 4, 30)}


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hand-computed fixture log as ./incidents: five open actions (three overdue),
    four done, one dropped."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(FIXTURES / "stats" / "incidents", work / "incidents")
    monkeypatch.chdir(work)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    return work / "incidents"


def ics(*args: str) -> Result:
    return cli_runner().invoke(cli, ["actions", "--format", "ics", *args],
                               catch_exceptions=False)


def parsed(data: bytes) -> Any:
    return vobject.readOne(data.decode("utf-8"))


def todos(data: bytes) -> dict[str, Any]:
    return {t.uid.value: t for t in parsed(data).contents.get("vtodo", [])}


def assert_golden_bytes(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("NEARMISS_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
        return
    assert data == path.read_bytes(), (
        f"output differs from {path}; if intended, regenerate with NEARMISS_UPDATE_GOLDEN=1")


@pytest.mark.usefixtures("log")
def test_ics_golden() -> None:
    for args, name in (([], "actions.ics"), (["--as-events"], "actions-due.ics")):
        result = ics("--as-of", AS_OF, *args)
        assert result.exit_code == 0 and result.stderr == ""
        assert_golden_bytes(name, result.stdout_bytes)


@pytest.mark.usefixtures("log")
def test_one_todo_per_open_action_overdue_included_done_and_dropped_never() -> None:
    for args in ([], ["--all"]):  # --all changes nothing: a calendar lists open actions
        found = todos(ics("--as-of", AS_OF, *args).stdout_bytes)
        assert {uid: t.due.value for uid, t in found.items()} == OPEN
    found = todos(ics("--as-of", AS_OF).stdout_bytes)
    refund = found[f"{R2}.action-1@nearmiss"]
    assert refund.summary.value == "Refund form rejects a refund above the invoice total"
    assert refund.description.value == (
        f"Record: {R2} (Refund nearly issued for twice the invoice amount)\n"
        "Owner: Priya Shah (billing lead)")
    assert refund.status.value == "NEEDS-ACTION"
    assert refund.dtstamp.value.isoformat() == "2026-04-01T00:00:00+00:00"
    assert type(refund.due.value) is date  # a day (VALUE=DATE), not a moment
    cal = parsed(ics("--as-of", AS_OF).stdout_bytes)
    assert cal.version.value == "2.0"
    assert cal.x_wr_calname.value == "nearmiss actions"
    assert cal.prodid.value.startswith("-//nearmiss//")


@pytest.mark.usefixtures("log")
def test_owner_is_named_as_the_site_names_it_and_filters_apply() -> None:
    found = todos(ics("--as-of", AS_OF, "--owner", "billing").stdout_bytes)
    assert set(found) == {f"{R4}.action-1@nearmiss", f"{R2}.action-1@nearmiss",
                          f"{R2}.action-2@nearmiss"}
    # a team key as owner shows as the team's label
    assert found[f"{R2}.action-2@nearmiss"].description.value.endswith("\nOwner: Billing")
    overdue = todos(ics("--as-of", AS_OF, "--overdue").stdout_bytes)
    assert set(overdue) == {uid for uid, due in OPEN.items() if due < date(2026, 4, 1)}


@pytest.mark.usefixtures("log")
def test_uid_is_stable_across_runs_and_days() -> None:
    first, again = ics("--as-of", AS_OF).stdout_bytes, ics("--as-of", AS_OF).stdout_bytes
    assert first == again
    later = ics("--as-of", "2026-04-20").stdout_bytes
    assert set(todos(later)) == set(todos(first))  # DTSTAMP moves, the UIDs do not


def test_uid_follows_the_action_when_its_text_is_edited(log: Path) -> None:
    before = todos(ics("--as-of", AS_OF).stdout_bytes)
    record = log / "2026" / f"{R2}.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("rejects a refund above", "refuses a refund above"),
                      encoding="utf-8")
    after = todos(ics("--as-of", AS_OF).stdout_bytes)
    assert set(after) == set(before)
    assert after[f"{R2}.action-1@nearmiss"].summary.value.startswith("Refund form refuses")


@pytest.mark.usefixtures("log")
def test_as_events_are_all_day_on_the_due_day_with_uids_of_their_own() -> None:
    data = ics("--as-of", AS_OF, "--as-events").stdout_bytes
    cal = parsed(data)
    assert "vtodo" not in cal.contents
    events = {e.uid.value: e for e in cal.vevent_list}
    assert {uid.replace(".due@", "@"): e.dtstart.value for uid, e in events.items()} == OPEN
    assert not set(events) & set(OPEN)  # one calendar may hold both files
    refund = events[f"{R2}.action-1.due@nearmiss"]
    assert refund.summary.value == "Due: Refund form rejects a refund above the invoice total"
    assert refund.dtend.value == date(2026, 3, 16)  # the end of an all-day event is exclusive
    assert refund.transp.value == "TRANSPARENT"
    assert refund.description.value.startswith(f"Record: {R2} (")


@pytest.mark.usefixtures("log")
def test_as_events_without_ics_is_a_usage_error() -> None:
    result = cli_runner().invoke(cli, ["actions", "--as-events"])
    assert result.exit_code == 2
    assert "--as-events goes with --format ics" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("log")
def test_every_line_ends_in_crlf() -> None:
    data = ics("--as-of", AS_OF).stdout_bytes
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")


LONG = ("Rückruf-Formular zeigt „Fällig“ in Grün 🟢 für jede Zusage, die über 48 Stunden "
        "hinausgeht; Kund:innen sehen 日本語の注意書き und 👩🏽‍🔧 Technikerin")


def test_long_non_ascii_text_is_folded_at_75_octets_between_characters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = build_learning_log(tmp_path, with_valid_records=False)
    add_record(folder, "2026-03-14-long-action.yaml", f"""\
title: Callback text nearly sent in the wrong language
kind: near-miss
status: reviewed
occurred: 2026-03-14
team: support-desk
severity: medium
what_happened: The callback text template fell back to the default language.
caught_by: The agent read the preview.
root_causes: [process/no-buffer]
actions:
  - action: "{LONG}"
    owner: Zoë Ångström
    due: 2026-04-30
    status: open
""")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    result = ics("--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded: the text is long
    for line in lines:
        line.decode("utf-8")  # no UTF-8 character split across two lines
    (todo,) = todos(result.stdout_bytes).values()
    assert todo.summary.value == LONG
    assert todo.description.value.endswith("\nOwner: Zoë Ångström")


def _open_row() -> ActionRow:
    """An open action of the fixture log, as the actions list makes it."""
    result = check_tree(FIXTURES / "stats" / "incidents", date(2026, 4, 1), cache=None)
    return action_list(result.records, date(2026, 4, 1))[0]


OPEN_ROW = _open_row()


def _row(action: str, state: str = "open") -> ActionRow:
    return replace(OPEN_ROW, action=action, state=state)


@given(st.text(min_size=1) | st.text(alphabet='",;:\\\n\r\t 😀é€\u2028', min_size=1))
def test_any_action_text_reads_back_as_the_same_summary(action: str) -> None:
    for events, prefix in ((False, ""), (True, "Due: ")):
        text = calendar([_row(action)], date(2026, 4, 1), events=events)
        cal = vobject.readOne(text)
        (item,) = cal.vevent_list if events else cal.vtodo_list
        assert item.summary.value == prefix + plain(action)
        assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))


def test_plain_keeps_text_and_line_breaks_and_drops_other_controls() -> None:
    assert plain("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    assert plain("bell\x07 esc\x1b del\x7f") == "bell esc del"
    assert plain("über 😀") == "über 😀"


def test_done_and_dropped_rows_are_left_out_whoever_passes_them() -> None:
    text = calendar([_row("done one", "done"), _row("dropped one", "dropped")],
                    date(2026, 4, 1))
    assert "BEGIN:VTODO" not in text
