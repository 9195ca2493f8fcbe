"""Print how long `mkdocs serve` takes to show an edit to one record, at N records:
`mkdocs serve --dirty` (the pages an edit changes are rendered again) next to plain
`mkdocs serve` (every page is), in the same run.

Each server runs as a subprocess on a free loopback port, on a fresh log from
generate.py with the check's cache on, as a writer's would be. After its first build the
title of one record is edited twice (a record in the middle of the log, then another),
and each time is from the write of the file to the moment the served page of that record
shows the new title, polled over HTTP: the watcher's delay, the rebuild and the write.
With --pagefind, "index after 2" is how long the background index after the second edit
took until it was swapped in (its half-second pause included), as the server logs it.
As bench_site.py, the learning log keeps the theme's search (``search: theme``) where
the plugin has the option; --pagefind serves it with the plugin's default search.
Run: python benchmarks/bench_serve.py [N ...] [--only dirty|plain] [--pagefind]
(N defaults to 10000; 1000 for a quick run.)
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import has_search_option  # noqa: E402
from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
FIRST_BUILD_LIMIT = 1800.0  # seconds: a plain first build of 10,000 records takes minutes
RELOAD_LIMIT = 900.0  # seconds for one edit to show, plain serve included
POLL = 0.1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fetch(url: str) -> str | None:
    """The page at ``url`` (on this machine's loopback only), or None while it is not there."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - 127.0.0.1
            text: str = answer.read().decode("utf-8", errors="replace")
            return text
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str, limit: float, server: subprocess.Popen[bytes]) -> float:
    """Seconds until the page at ``url`` contains ``text``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if server.poll() is not None:
            raise RuntimeError(f"mkdocs serve stopped (exit {server.returncode})")
        page = fetch(url)
        if page is not None and text in page:
            return time.perf_counter() - start
        time.sleep(POLL)
    raise TimeoutError(f"{url} did not show {text!r} within {limit:.0f} s")


def retitle(path: Path, title: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f"title: {title}\n" if line.startswith("title:") else line for line in lines]
    path.write_text("".join(lines), encoding="utf-8")


BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")
INDEXED = re.compile(r"Pagefind has indexed .* in ([0-9.]+) s; reload")


def last_build(path: Path) -> float:
    """What MkDocs said the last build took, from the server's output."""
    times = BUILT.findall(path.read_text(encoding="utf-8", errors="replace"))
    return float(times[-1]) if times else float("nan")


def indexed_after(path: Path, seen: int, limit: float) -> float:
    """With Pagefind: the seconds its background run after the last rebuild took, as the
    server said once it had swapped the new index in (nan if it did not within limit)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        times = INDEXED.findall(path.read_text(encoding="utf-8", errors="replace"))
        if len(times) > seen:
            return float(times[-1])
        time.sleep(POLL)
    return float("nan")


def _interruptible() -> None:
    """Ctrl+C for the server even when this benchmark runs in the background (which
    ignores it): serve stops as it does for a writer, removing its temporary site."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def serve(log: Path, dirty: bool, edits: list[Path], pagefind: bool = False
          ) -> tuple[float, list[tuple[float, float]], float]:
    """First build, then for each edit the seconds until it shows and MkDocs' own time
    for the rebuild, for one `mkdocs serve`; with ``pagefind``, the seconds its
    background index took after the last edit (the next edit would have stopped it)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    args = [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"] + (
        ["--dirty"] if dirty else [])
    output = log / f"serve-{'dirty' if dirty else 'plain'}.log"
    with open(output, "wb") as out:
        start = time.perf_counter()
        server = subprocess.Popen(args, cwd=log, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                                  start_new_session=True, preexec_fn=_interruptible)
        try:
            first_id = edits[0].stem
            wait_for(f"{base}log/records/{first_id}/", "<h1", FIRST_BUILD_LIMIT, server)
            first = time.perf_counter() - start
            reloads = []
            before = 0
            for n, path in enumerate(edits):
                title = f"Edited for the serve benchmark {'dirty' if dirty else 'plain'} {n}"
                time.sleep(1.5)  # a quiet moment, as between a writer's saves
                before = len(INDEXED.findall(output.read_text(encoding="utf-8",
                                                              errors="replace")))
                retitle(path, title)
                shown = wait_for(f"{base}log/records/{path.stem}/", title, RELOAD_LIMIT,
                                 server)
                time.sleep(0.5)  # MkDocs logs the time just after writing the pages
                reloads.append((shown, last_build(output)))
            searched = indexed_after(output, before, RELOAD_LIMIT) if pagefind else float("nan")
            return first, reloads, searched
        finally:
            os.killpg(server.pid, signal.SIGINT)  # the server we started, and its children
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def project(tmp: Path, n: int, search: str | None) -> tuple[Path, list[Path]]:
    log = tmp / "log"
    folder = generate(n, log)
    (log / "docs").mkdir()
    option = f"      search: {search}\n" if search else ""
    (log / "mkdocs.yml").write_text(
        "site_name: Bench\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - nearmiss:\n" + (option or "      enabled: true\n") +
        "nav:\n  - Home: index.md\n  - Dashboard: log/dashboard.md\n", encoding="utf-8")
    records = sorted(folder.rglob("*.yaml"))
    records = [r for r in records if not r.name.startswith("_")]
    return log, [records[len(records) // 2], records[len(records) // 3]]


def main(sizes: list[int], only: str | None, pagefind: bool) -> None:
    search = None if pagefind or not has_search_option() else "theme"
    modes = [m for m in ("dirty", "plain") if only in (None, m)]
    print(f"{'records':>8} {'serve':>14} {'first build':>12} "
          f"{'edit 1 shown (rebuild)':>24} {'edit 2 shown (rebuild)':>24}"
          + (f" {'index after 2':>14}" if pagefind else ""))
    for n in sizes:
        for mode in modes:
            with tempfile.TemporaryDirectory() as tmp:
                log, edits = project(Path(tmp), n, search)
                first, reloads, searched = serve(log, mode == "dirty", edits, pagefind)
                label = "serve --dirty" if mode == "dirty" else "serve"
                print(f"{n:>8} {label:>14} {first:>11.1f}s "
                      + " ".join(f"{shown:>14.1f}s ({built:>5.1f}s)" for shown, built in reloads)
                      + (f" {searched:>13.1f}s" if pagefind else ""), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--only", choices=("dirty", "plain"),
                        help="serve only with --dirty, or only without")
    parser.add_argument("--pagefind", action="store_true",
                        help="serve with the plugin's default search (Pagefind)")
    args = parser.parse_args()
    main(args.sizes or [10000], args.only, args.pagefind)
