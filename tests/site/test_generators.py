"""The sample learning log built by three generators from the same mkdocs.yml:

- MkDocs 1.6 with the plugin;
- ProperDocs (a maintained fork of MkDocs 1.6) with the plugin;
- ``nearmiss render`` into docs/, then Zensical, which runs no MkDocs plugins.

All three must publish the same record pages with the same visible text, and style every
``nm-*`` class the home page uses. Each build takes a few seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import ROOT, SAMPLE_LOG

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
GENERATORS = ("mkdocs", "properdocs", "zensical")

if not all((BIN / name).exists() for name in GENERATORS):
    if os.environ.get("CI") == "true" and not os.environ.get("NEARMISS_WITHOUT_GENERATORS"):
        pytest.fail("properdocs or zensical is missing: install the generators extra",
                    pytrace=False)
    pytest.skip("properdocs and zensical come with the generators extra",
                allow_module_level=True)
RECORD = "2026-08-11-technician-two-hours-late-without-a-call"
AS_OF = "2026-11-22"


def project(where: Path) -> Path:
    """This repository's site configuration, docs and sample records, outside git (so
    no build shows git dates), with as_of pinned so every build tells the same day."""
    where.mkdir(parents=True)
    shutil.copytree(ROOT / "docs", where / "docs")
    shutil.copytree(SAMPLE_LOG, where / "incidents")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pinned = config.replace("      incidents: incidents\n",
                            f"      incidents: incidents\n      as_of: {AS_OF}\n")
    assert pinned != config
    (where / "mkdocs.yml").write_text(pinned, encoding="utf-8")
    return where


def run(args: list[str | Path], cwd: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NEARMISS_CACHE_DIR": str(cwd / ".c")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("generators")
    out: dict[str, Path] = {}
    for name in ("mkdocs", "properdocs"):
        here = project(base / name)
        run([BIN / name, "build", "--strict", "--site-dir", here / "site"], cwd=here)
        out[name] = here / "site"
    here = project(base / "zensical")
    run([BIN / "nearmiss", "render", "docs", "--as-of", AS_OF], cwd=here)
    run([BIN / "zensical", "build", "--strict"], cwd=here)
    out["zensical"] = here / "site"
    return out


def record_pages(site: Path) -> set[str]:
    return {p.parent.name for p in (site / "log" / "records").glob("*/index.html")}


class ArticleText(HTMLParser):
    """The words a reader sees in the page's article, without permalink marks, and
    without the tag list, which each theme places differently (top or bottom)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <article>, counting nested elements
        self.skip = 0  # inside a headerlink, the tag list or an SVG
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
            if self.skip or {"headerlink", "md-tags"} & set(classes) or tag == "svg":
                self.skip += 1
        elif tag == "article":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if self.skip:
                self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.words.extend(data.split())


def article_text(page: Path) -> str:
    parser = ArticleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(parser.words)


def stylesheets(site: Path, page: Path) -> Iterator[str]:
    html = page.read_text(encoding="utf-8")
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        if "://" not in href:
            yield (page.parent / href).read_text(encoding="utf-8")


def test_the_three_generators_publish_the_same_record_pages(sites: dict[str, Path]) -> None:
    pages = {name: record_pages(site) for name, site in sites.items()}
    assert len(pages["mkdocs"]) > 40
    assert pages["properdocs"] == pages["mkdocs"]
    assert pages["zensical"] == pages["mkdocs"]


@pytest.mark.parametrize("path", [f"log/records/{RECORD}", "log/dashboard", ""],
                         ids=["record page", "dashboard", "home"])
def test_a_page_reads_the_same_in_each(sites: dict[str, Path], path: str) -> None:
    texts = {name: article_text(site / path / "index.html") for name, site in sites.items()}
    assert "What happened" in texts["mkdocs"] or path != f"log/records/{RECORD}"
    assert texts["properdocs"] == texts["mkdocs"]
    assert texts["zensical"] == texts["mkdocs"]


@pytest.mark.parametrize("generator", GENERATORS)
def test_every_nm_class_on_the_home_page_is_styled(sites: dict[str, Path],
                                                   generator: str) -> None:
    home = sites[generator] / "index.html"
    used = {c for attr in re.findall(r'class="([^"]*)"', home.read_text(encoding="utf-8"))
            for c in attr.split() if c.startswith("nm-")}
    assert {"nm-figures", "nm-figure", "nm-kudos"} <= used
    css = "\n".join(stylesheets(sites[generator], home))
    unstyled = sorted(c for c in used if not re.search(rf"\.{re.escape(c)}(?![\w-])", css))
    assert unstyled == []
