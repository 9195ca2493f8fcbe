"""The site's calendars: `log/actions.ics` (to-dos) and `log/actions-due.ics` (events)
hold exactly the open actions of the public records, as an independent parser (vobject)
reads them from a built site, and the open-actions page tells how to subscribe."""

from __future__ import annotations

import shutil
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import vobject
import yaml
from helpers import FIXTURES, cli_runner
from mkdocs.commands.build import build
from mkdocs.config import load_config

from nearmiss.cli import cli

LOG = FIXTURES / "stats" / "incidents"  # ten records, one internal with an open action
AS_OF = "2026-04-01"
MKDOCS_YML = f"""\
site_name: Test log
site_url: https://log.example.org/team/
theme:
  name: material
  font: false
plugins:
  - nearmiss:
      as_of: "{AS_OF}"
      search: theme
"""


def open_public_actions() -> dict[str, tuple[str, date, str]]:
    """What the calendars must hold, read from the YAML itself: UID -> (action, due,
    record id), for every open action of every record that is not internal."""
    expected = {}
    for path in sorted(LOG.glob("2026/*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("visibility") == "internal":
            continue
        for i, action in enumerate(record.get("actions") or [], start=1):
            if action["status"] == "open":
                expected[f"{path.stem}.action-{i}@nearmiss"] = (
                    action["action"], action["due"], path.stem)
    return expected


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(LOG, project / "incidents")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return project / "site"


def read(path: Path) -> Any:
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")  # RFC 5545's line ends, as built
    return vobject.readOne(data.decode("utf-8"))


def test_actions_ics_holds_exactly_the_open_public_actions(site: Path) -> None:
    expected = open_public_actions()
    assert len(expected) == 4  # the fixture's five open actions but the internal one's
    todos = {t.uid.value: t for t in read(site / "log" / "actions.ics").vtodo_list}
    assert {uid: (t.summary.value, t.due.value) for uid, t in todos.items()} == {
        uid: (action, due) for uid, (action, due, _) in expected.items()}
    for uid, (_, _, record) in expected.items():
        description = todos[uid].description.value
        assert description.startswith(f"Record: {record} (")
        assert "\nOwner: " in description
        # the record's page, at the site's address, as the feed links it
        assert todos[uid].url.value == f"https://log.example.org/team/log/records/{record}/"
    assert "engineer-change-not-announced" not in (site / "log" / "actions.ics").read_text(
        encoding="utf-8")


def test_actions_due_ics_holds_the_same_actions_as_all_day_events(site: Path) -> None:
    expected = open_public_actions()
    cal = read(site / "log" / "actions-due.ics")
    assert cal.x_wr_calname.value == "Test log: actions due"
    events = {e.uid.value.replace(".due@", "@"): e for e in cal.vevent_list}
    assert {uid: (e.summary.value, e.dtstart.value) for uid, e in events.items()} == {
        uid: (f"Due: {action}", due) for uid, (action, due, _) in expected.items()}


def test_actions_page_tells_how_to_subscribe_with_the_sites_addresses(site: Path) -> None:
    html = unescape((site / "log" / "actions" / "index.html").read_text(encoding="utf-8"))
    assert "Add these to your calendar" in html
    assert 'href="../actions-due.ics"' in html and 'href="../actions.ics"' in html
    assert "https://log.example.org/team/log/actions-due.ics" in html
    assert "https://log.example.org/team/log/actions.ics" in html
    for words in ("Subscribe from web", "From URL", "New Calendar Subscription",
                  "Thunderbird", "over https"):
        assert words in html, words
    assert "does not know its own address" not in html


def test_render_writes_the_calendars_too(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(LOG, tmp_path / "incidents")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(tmp_path / "cache"))
    result = cli_runner().invoke(cli, ["render", "out", "--as-of", AS_OF],
                                 catch_exceptions=False)
    assert result.exit_code == 0, result.output
    todos = read(tmp_path / "out" / "log" / "actions.ics").vtodo_list
    assert {t.uid.value for t in todos} == set(open_public_actions())
    page = (tmp_path / "out" / "log" / "actions.md").read_text(encoding="utf-8")
    assert "[actions-due.ics](actions-due.ics)" in page
    assert "does not know its own address (`site_url`)" in page


def test_serving_writes_again_only_the_items_of_a_record_whose_actions_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nearmiss.log.checker import check_tree
    from nearmiss.site import pages
    from nearmiss.site.pages import Reuse, Site, SiteOptions

    folder = tmp_path / "incidents"
    shutil.copytree(LOG, folder)
    as_of, reuse, written = date(2026, 4, 1), Reuse(), []
    real = pages.ics_item
    edited = "2026-01-12-refund-amount-nearly-doubled"

    def counting(row: Any, *args: Any, **kwargs: Any) -> str:
        written.append(row.record)
        return real(row, *args, **kwargs)

    monkeypatch.setattr(pages, "ics_item", counting)

    def calendars(with_reuse: bool) -> dict[str, str]:
        return Site(check_tree(folder, as_of), as_of, SiteOptions(
            serving=True, reuse=reuse if with_reuse else None)).calendars()

    first = calendars(True)
    assert len(set(written)) > 1  # the first build writes every record's items
    record = folder / "2026" / f"{edited}.yaml"
    text = record.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["what_happened"] += " Edited while serving."  # the story, not the actions
    record.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    written.clear()
    assert calendars(True) == first and written == []  # no action changed: as before
    assert Site(check_tree(folder, as_of), as_of, SiteOptions()).by_id[
        edited].what_happened.endswith("while serving.")
    record.write_text(text.replace("rejects a refund above", "refuses a refund above"),
                      encoding="utf-8")
    written.clear()
    served = calendars(True)
    assert set(written) == {edited}  # to-do and event of its open actions, no other's
    assert len(written) % 2 == 0
    written.clear()
    assert served == calendars(False) != first
    assert "refuses a refund above" in served["log/actions.ics"]
