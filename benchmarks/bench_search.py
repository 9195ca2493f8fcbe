"""Print, side by side, what a reader waits for and downloads on a first search of the
learning log at N records: Material's built-in search (lunr, ``search: theme``), the
baseline, against Pagefind (``search: pagefind``, the default).

For each size the log is generated (benchmarks/generate.py) and one record gets a word
of its own in its story; N = 52 takes this repository's sample instead, searched for
"carer". The site is built twice, each build is served over loopback by Python's
http.server (no compression, as a plain static host) and opened in headless chromium,
a fresh profile each time: once the page has loaded, search is opened with the theme's
key and the word is typed (a site of more than 2,500 pages has its index in parts,
"bundles", merged by the dialog). Measured in the page, "typed" is the time from the last key
pressed before the first result showed to that result on screen, the word typed at
100 ms a key (a fast typist; both searches match prefixes, so the result may come
before the word is complete), and "at once" the same when the keys follow the opening
without delay, before the search engine has loaded: the worst case for Pagefind, which
loads it when the dialog opens (Material loads its whole index with the page). No
figure includes the build, run before. "downloaded" sums the
bodies of every response of the "at once" run (the page, its styles and scripts, what
search fetched, web workers included) until the network is quiet after that result.

Run: python benchmarks/bench_search.py [N ...]    (default: 1000 10000)
Needs the site and test extras (Pagefind, Playwright) and chromium (CHROMIUM=path, or
chromium on PATH).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SAMPLE_SIZE = 52  # the records of incidents/, this repository's sample
SAMPLE_WORD = "carer"  # in the story of one sample record
WORD = "quetzalcoatlus"  # given to one generated record's story
TYPING_MS = 100  # between keys, for "typed"
CONFIG = """\
site_name: Bench
theme:
  name: material
  font: false
plugins:
  - search
  - nearmiss:
      cache: false
      git_dates: false
      search: {search}
nav:
  - Home: index.md
  - Dashboard: log/dashboard.md
"""
# How each search is opened and what its first result is.
OPEN_KEY = {"theme": "s", "pagefind": "/"}
FIELD = {"theme": "input.md-search__input", "pagefind": "pagefind-modal input.pf-input"}
RESULT = {"theme": ".md-search-result__item", "pagefind": "pagefind-modal .pf-result-link"}
# In the page, before its own scripts: the time of the first and the last key typed into
# a text field, and of the first result (the selector in window.__nmResult) on screen.
CLOCK = """
window.__nmTyped = null; window.__nmLast = null; window.__nmShown = null;
addEventListener("keydown", (e) => {
  const t = e.composedPath()[0];
  if (window.__nmShown === null && t && t.tagName === "INPUT") {
    window.__nmLast = performance.now();
    if (window.__nmTyped === null) window.__nmTyped = window.__nmLast;
  }
}, true);
new MutationObserver(() => {
  if (window.__nmShown !== null || window.__nmTyped === null || !window.__nmResult) return;
  const hit = document.querySelector(window.__nmResult);
  if (hit && hit.getClientRects().length && hit.textContent.trim()) {
    window.__nmShown = performance.now();
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@dataclass(frozen=True)
class Measure:
    build_s: float
    typed_s: float  # the first result after the last key, typed at TYPING_MS a key
    at_once_s: float  # the same, keys sent at once
    downloaded: int  # bytes
    requests: int
    index_files: int  # files the search reads from: search_index.json, or pagefind/
    bundles: int  # Pagefind bundles merged (the main one and its parts), 1 for lunr


def make_log(n: int, folder: Path) -> str:
    """The learning log of n records in folder/incidents; returns the word to search."""
    if n == SAMPLE_SIZE:
        shutil.copytree(ROOT / "incidents", folder / "incidents")
        return SAMPLE_WORD
    incidents = generate(n, folder)
    records = sorted(p for p in incidents.rglob("*.yaml") if not p.name.startswith("_"))
    chosen = records[len(records) // 2]
    data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    data["what_happened"] = f"A {WORD} was drawn on the board. " + data["what_happened"]
    chosen.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                      encoding="utf-8")
    return WORD


def build(project: Path, search: str) -> tuple[Path, float]:
    site = project / f"site-{search}"
    (project / "mkdocs.yml").write_text(CONFIG.format(search=search), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], cwd=project,
                   check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return site, time.perf_counter() - start


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def body_size(request: Any) -> int:
    """A response's body: what chromium counted, or what the server said it sent (a web
    worker's script is counted as 0)."""
    counted = int(request.sizes()["responseBodySize"])
    response = request.response()
    said = int(response.headers.get("content-length", 0)) if response else 0
    return max(counted, said)


def first_search(browser: Any, url: str, search: str, word: str,
                 delay_ms: int = 0) -> tuple[float, int, int]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        finished: list[Any] = []
        context.on("requestfinished", lambda r: finished.append(r))
        context.add_init_script(CLOCK)
        tab = context.new_page()
        tab.goto(url, wait_until="load")
        tab.evaluate(f"window.__nmResult = {RESULT[search]!r}")
        if search == "pagefind":
            tab.wait_for_function("customElements.get('pagefind-modal') !== undefined")
        tab.keyboard.press(OPEN_KEY[search])
        tab.locator(FIELD[search]).wait_for()
        tab.keyboard.type(word, delay=delay_ms)
        tab.wait_for_function("window.__nmShown !== null", timeout=120_000)
        seconds = tab.evaluate("(window.__nmShown - window.__nmLast) / 1000")
        tab.wait_for_load_state("networkidle")
        tab.wait_for_timeout(500)
        return seconds, sum(body_size(r) for r in finished), len(finished)
    finally:
        context.close()


def index_files(site: Path, search: str) -> tuple[int, int]:
    """The files of the search index, and the bundles it is in."""
    if search == "theme":
        return 1, 1
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return len(files), sum(1 for p in files if p.name == "pagefind-entry.json")


def measure(browser: Any, project: Path, search: str, word: str) -> Measure:
    site, build_s = build(project, search)
    with serve(site) as url:
        at_once, downloaded, requests = first_search(browser, url, search, word)
        typed, _, _ = first_search(browser, url, search, word, TYPING_MS)
    return Measure(build_s, typed, at_once, downloaded, requests, *index_files(site, search))


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not found:
        sys.exit("chromium is not installed (apt-get install chromium, or set CHROMIUM)")
    return found


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    print(f"{'':>26} {'first result':^17}")
    print(f"{'records':>8} {'search':<9} {'build':>7} {'typed':>8} {'at once':>8} "
          f"{'downloaded':>11} {'requests':>9} {'index files':>12} {'bundles':>8}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for n in sizes:
                with tempfile.TemporaryDirectory() as tmp:
                    project = Path(tmp)
                    word = make_log(n, project)
                    (project / "docs").mkdir()
                    for search, label in (("theme", "lunr"), ("pagefind", "pagefind")):
                        m = measure(browser, project, search, word)
                        print(f"{n:>8} {label:<9} {m.build_s:>6.1f}s "
                              f"{m.typed_s:>7.2f}s {m.at_once_s:>7.2f}s "
                              f"{m.downloaded / 1e6:>9.2f}MB {m.requests:>9} "
                              f"{m.index_files:>12} {m.bundles:>8}", flush=True)
        finally:
            browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="records (default: 1000 10000)")
    main(parser.parse_args().sizes or [1000, 10000])
