"""The built learning log in a real browser: Playwright drives Debian's chromium.

Without chromium these tests skip on a developer's machine, but fail under CI=true: a
browser test that silently skips proves nothing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from test_site import INTERNAL, RECORD, build_site, make_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; .ci/run installs it", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = pytest.mark.slow


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site built once and served on a loopback port for the module."""
    site = build_site(make_project(tmp_path_factory.mktemp("browser")))
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors, page errors and every request's host."""
    context = browser.new_context()
    tab = context.new_page()
    tab.errors = []
    tab.hosts = set()
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("request", lambda r: tab.hosts.add(r.url.split("/")[2]))
    yield tab
    context.close()


def serious_violations(tab: Any) -> list[str]:
    results = axe_api.Axe().run(tab)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_home_renders_without_console_errors_or_outside_requests(page: Any,
                                                                 base_url: str) -> None:
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "Test log"
    assert page.locator(".nm-figure").count() == 5
    assert page.errors == []
    assert page.hosts == {base_url.split("/")[2]}


def test_search_finds_a_record_by_a_word_of_its_story(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.wait_for_load_state("networkidle")  # the theme's script must be listening first
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("carer", delay=30)
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=60000)
    assert "Technician arrived two hours" in page.locator(".md-search-result__list").inner_text()


def test_record_page_shows_root_causes_and_actions(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}log/records/{RECORD}/")
    content = page.locator("article").inner_text()
    assert "Root causes" in content
    assert "Customer not told about a change" in content
    assert "Amber board status sends the customer an automatic text" in content
    assert page.locator(".nm-badge--done").count() == 2
    assert page.errors == []


def test_internal_record_has_no_page(page: Any, base_url: str) -> None:
    response = page.goto(f"{base_url}log/records/{INTERNAL}/")
    assert response is not None and response.status == 404


def test_dashboard_contains_its_svg_charts(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}log/dashboard/")
    charts = page.locator("svg.nm-chart[role=img]")
    assert charts.count() >= 5
    assert charts.first.locator("title").count() >= 1
    assert charts.first.bounding_box()["width"] > 300
    assert page.errors == []


@pytest.mark.parametrize("path", ["", f"log/records/{RECORD}/", "log/dashboard/",
                                  "log/causes/", "log/actions/"])
def test_no_serious_accessibility_violations(page: Any, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
