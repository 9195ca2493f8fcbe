"""The signals on the site: the home page's "Watch" and the dashboard's "Rising", in plain
words with links, and no section at all when nothing rose."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import SAMPLE_LOG, build_rising_log

from nearmiss.log.checker import check_tree
from nearmiss.site.pages import Site, SiteOptions

AS_OF = date(2026, 11, 30)


def test_home_and_dashboard_say_what_rose(tmp_path: Path) -> None:
    folder = build_rising_log(tmp_path, AS_OF)
    site = Site(check_tree(folder, AS_OF), AS_OF, SiteOptions())
    home, dashboard = site.home().body, site.dashboard().body
    line = ("- Cause [Work passes between teams by hand](log/causes/process/manual-handoff.md) "
            "is up: 12 in the last 90 days against about 3 expected (p = 0.007)")
    assert "## Watch" in home and line in home
    assert "- Category [Process](log/causes/process/index.md) is up: 15 in the last 90 " \
        "days against about 5.9 expected" in home
    assert "## Rising" in dashboard
    assert "- Cause [Work passes between teams by hand](causes/process/manual-handoff.md)" \
        in dashboard
    assert home.index("## Watch") < home.index("## Latest saves")


def test_nothing_rose_no_section(tmp_path: Path) -> None:
    site = Site(check_tree(SAMPLE_LOG, AS_OF), AS_OF, SiteOptions())
    assert site.stats.signals.computed and not site.stats.signals.rising
    assert "## Watch" not in site.home().body
    assert "## Rising" not in site.dashboard().body
