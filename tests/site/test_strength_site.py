"""Action strength on the site: badges on the record page and the open actions, the
dashboard's chart and tables, and each root-cause page's strength, read from the hand-worked
log of tests/fixtures/stats (its README has the arithmetic)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import FIXTURES

from nearmiss.log.checker import check_tree
from nearmiss.site.pages import Site, SiteOptions

AS_OF = date(2026, 4, 1)
R2 = "2026-01-12-refund-amount-nearly-doubled"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(check_tree(FIXTURES / "stats" / "incidents", AS_OF), AS_OF, SiteOptions())


def badge(word: str) -> str:
    return f'<span class="nm-badge nm-strength nm-strength--{word}">{word}</span>'


def test_record_page_badges_each_action_with_its_type(site: Site) -> None:
    body = site.record_page(site.by_id[R2]).body
    assert "| Action | Strength | Owner | Due | State | Done or dropped |" in body
    assert f"{badge('stronger')} Make the wrong step impossible" in body
    assert f"{badge('weaker')} Reminder to staff" in body


def test_open_actions_page_badges_every_action(site: Site) -> None:
    body = site.actions_page().body
    rows = [line for line in body.splitlines() if line.startswith("| ") and "nm-badge" in line]
    # oldest overdue first: R4 stronger, R2 stronger, R10 intermediate, then R9 untyped,
    # R2 weaker
    assert [re.findall(r"nm-strength--(\w+)", row) for row in rows] == [
        ["stronger"], ["stronger"], ["intermediate"], ["untyped"], ["weaker"]]


def test_dashboard_charts_and_tells_actions_by_strength(site: Site) -> None:
    body = site.dashboard().body
    section = body[body.index("## Follow-up actions by strength"):
                   body.index("## Saves by how they were caught")]
    assert "Of the failures' 2 typed actions, 1 is stronger (50.0%); 1 more has no type." \
        in section
    assert '<desc id="strength-desc">Stronger: 3; Intermediate: 3; Weaker: 1; Untyped: 2.' \
        in section
    assert f"| {badge('untyped')} | 2 |" in section
    assert "| [Tools](causes/tools/index.md) | <span class=\"nm-cell-label\">Stronger</span> 1" \
        in section
    assert "| [Billing](teams/billing.md) |" in section


def test_cause_pages_tell_their_actions_strength(site: Site) -> None:
    pages = {p.path: p.body for p in site.cause_pages()}
    stale = pages["log/causes/tools/stale-board.md"]
    # R1 (intermediate) and R2 (stronger twice, weaker): near misses only
    assert "No failure has an action yet." in stale
    assert f"| {badge('stronger')} | 2 |" in stale
    assert stale.index("## Actions by strength") < stale.index("## Records")
    tools = pages["log/causes/tools/index.md"]
    assert "Of the failures' 1 typed action, 1 is stronger (100.0%)." in tools
    # a cause no record names has no figure to tell
    assert "## Actions by strength" not in pages["log/causes/process/missing-check.md"]


def test_a_log_without_action_types_shows_no_strength(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    shutil.copytree(FIXTURES / "stats" / "incidents", folder)
    taxonomy = folder / "_taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(text[:text.index("# how strongly")], encoding="utf-8")
    for path in folder.rglob("2026-*.yaml"):
        path.write_text(re.sub(r"\n +type: [a-z-]+", "", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    plain = Site(check_tree(folder, AS_OF), AS_OF, SiteOptions())
    assert plain.result.problems == []
    assert "nm-strength" not in plain.record_page(plain.by_id[R2]).body
    assert "nm-strength" not in plain.actions_page().body
    assert "by strength" not in plain.dashboard().body
    assert all("by strength" not in p.body for p in plain.cause_pages())
