"""The "Similar records" section of record pages: public records only, none the record
already links, at most ``SHOWN``, of at least ``THRESHOLD``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from helpers import ROOT

from nearmiss.log import similar
from nearmiss.log.checker import check_tree
from nearmiss.site.pages import Site, SiteOptions

sys.path.insert(0, str(ROOT / "tests" / "log"))
from test_similar import EXPIRED_CARD, OLD_ACCOUNT, write_log  # noqa: E402

TODAY = date(2026, 11, 30)


def site_of(folder: Path) -> Site:
    return Site(check_tree(folder, TODAY), TODAY, SiteOptions())


def test_a_page_lists_similar_records(tmp_path: Path) -> None:
    site = site_of(write_log(tmp_path))
    body = site.record_page(site.by_id[OLD_ACCOUNT]).body
    section = body[body.index("## Similar records"):body.index("<small>Source")]
    assert f"({EXPIRED_CARD}.md)" in section


def test_internal_records_are_never_listed_on_the_site(tmp_path: Path) -> None:
    site = site_of(write_log(tmp_path, internal=(EXPIRED_CARD,)))
    internal = {r.id for r in site.records if r.visibility == "internal"}
    assert EXPIRED_CARD in internal
    for r in site.public:
        assert not internal & {m.id for m in site.shown_similar(r)}
        assert EXPIRED_CARD not in site.record_page(r).body
    assert not internal & set(site.similar)  # nor indexed: they weigh in on nothing


def test_linked_records_are_not_repeated(tmp_path: Path) -> None:
    site = site_of(write_log(tmp_path))
    for r in site.public:
        shown = site.shown_similar(r)
        linked = {*r.related, *site.referred_by.get(r.id, ())}
        assert not linked & {m.id for m in shown}
        assert len(shown) <= similar.SHOWN
        assert all(m.score >= similar.THRESHOLD for m in shown)
        if not shown:
            assert "## Similar records" not in site.record_page(r).body
