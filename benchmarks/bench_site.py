"""Print `mkdocs build` time and peak memory of the learning log at 1k and 10k records,
next to MkDocs + Material building the same record pages as plain Markdown files kept out
of the navigation, in the same run.

The baseline's pages are the ones `nearmiss render` writes for the same records, with the
Markdown extensions those pages are written for (admonition and attr_list, which the
plugin turns on; without them the baseline would not build the same pages, only text
that looks like them), so the difference is what the plugin costs: checking, the browse
pages and the dashboard. Both use the theme's search: where the plugin has a ``search``
option (Pagefind by default, which turns Material's search off), the learning log is
built with ``search: theme``; --pagefind adds a row for the plugin's default search.

Each build runs in a fresh process; a time is wall seconds (the issue's measure) and,
in brackets, CPU seconds of the build and its children, which other work on this
machine disturbs less. Peak memory is of the build's whole process tree at once (MkDocs
and any Pagefind beside it, sampled every 50 ms from /proc on Linux), not of its
largest process alone. With --repeat R, the best of R runs of each, taken in turns.
Python modules are compiled once, before the timed builds, as on a user's machine.
Run: python benchmarks/bench_site.py [N ...] [--repeat R] [--size BYTES] [--pagefind]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
THEME = "theme:\n  name: material\n  font: false\n"
EXTENSIONS = "markdown_extensions:\n  - admonition\n  - attr_list\n"
PLAIN_CONFIG = ("site_name: Bench\n" + THEME + EXTENSIONS + "plugins:\n  - search\n"
                "not_in_nav: |\n  /log/records/\n"
                "nav:\n  - Home: index.md\n")


def plugin_config(search: str | None) -> str:
    """The learning log's mkdocs.yml; ``search`` is the plugin's option, None to leave
    it out (the plugin's default, or a plugin without the option)."""
    option = f"      search: {search}\n" if search else ""
    return ("site_name: Bench\n" + THEME +
            "plugins:\n  - search\n  - nearmiss:\n      cache: false\n" + option +
            "nav:\n  - Home: index.md\n  - Dashboard: log/dashboard.md\n")


def has_search_option() -> bool:
    """Whether this nearmiss's plugin has the ``search`` option (theme or Pagefind)."""
    from nearmiss.mkdocs_plugin import NearmissConfig

    return any(name == "search" for name, _ in NearmissConfig._schema)


class Run:
    def __init__(self, seconds: float, cpu: float, peak_mb: float) -> None:
        self.seconds, self.cpu, self.peak_mb = seconds, cpu, peak_mb

    def best(self, other: Run | None) -> Run:
        """The fastest of two runs (wall and CPU each), and the larger peak."""
        if other is None:
            return self
        return Run(min(self.seconds, other.seconds), min(self.cpu, other.cpu),
                   max(self.peak_mb, other.peak_mb))


def tree_rss_kb(root: int) -> int:
    """The resident memory of ``root`` and every process under it, in KB (Linux): a few
    small reads of /proc a sample, so the sampling hardly costs the build anything."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:  # it ended meanwhile
            continue
    return total


def build(project: Path, config: str, env: dict[str, str]) -> Run:
    """One `mkdocs build` in a fresh process: wall and CPU seconds, and the peak resident
    MB of its process tree."""
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-f", "%U %S", str(BIN / "mkdocs"), "build", "-q", "-d",
         str(project / "site")],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"mkdocs build failed in {project}:\n{errors}")
    user, system = errors.strip().splitlines()[-1].split()
    return Run(seconds, float(user) + float(system), peak / 1024)


def plain_project(tmp: Path, incidents: Path) -> Path:
    """The record pages (and the index pages) `nearmiss render` writes, in docs/."""
    plain = tmp / "plain"
    plain.mkdir()
    subprocess.run([str(BIN / "nearmiss"), "render", str(plain / "docs"),
                    "--incidents", str(incidents), "--no-cache"],
                   check=True, capture_output=True)
    for page in (plain / "docs").rglob("*.md"):
        if "records" not in page.parts and page.name != "index.md":
            page.unlink()
    return plain


def main(sizes: list[int], repeat: int, size: int, pagefind: bool) -> None:
    option = has_search_option()
    variants = [("log", "theme" if option else None)]
    if pagefind and option:
        variants.append(("pagefind", None))
    elif pagefind:
        print("(this nearmiss has no search option: no Pagefind row)")
    with tempfile.TemporaryDirectory() as pycache:
        # as a user's machine runs it: modules compiled once, not on every build (this
        # machine's environment may say not to write bytecode); the first builds, of a
        # small log, compile them, out of the timings
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(NO_MKDOCS_2_WARNING="1", PYTHONPYCACHEPREFIX=pycache)
        with tempfile.TemporaryDirectory() as tmp:
            generate(20, Path(tmp, "log"))
            (Path(tmp, "log", "docs")).mkdir()
            build(plain_project(Path(tmp), Path(tmp, "log", "incidents")), PLAIN_CONFIG, env)
            for _, search in variants:
                build(Path(tmp, "log"), plugin_config(search), env)
        table(sizes, repeat, size, variants, option, env)


def table(sizes: list[int], repeat: int, size: int, variants: list[tuple[str, str | None]],
          option: bool, env: dict[str, str]) -> None:
    print(f"{'records':>8} {'build':>9} {'plain pages':>17} {'learning log':>17} "
          f"{'ratio':>6} {'cpu ratio':>9} {'plain peak':>11} {'log peak':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp, "log")
            generate(n, log, size) if size else generate(n, log)
            (log / "docs").mkdir()
            plain = plain_project(Path(tmp), log / "incidents")
            best: dict[str, Run | None] = {"plain": None, **{v: None for v, _ in variants}}
            for _ in range(repeat):
                best["plain"] = build(plain, PLAIN_CONFIG, env).best(best["plain"])
                for name, search in variants:
                    best[name] = build(log, plugin_config(search), env).best(best[name])
            base = best["plain"]
            assert base is not None
            for name, _ in variants:
                run = best[name]
                assert run is not None
                label = "theme" if name == "log" and option else name
                print(f"{n:>8} {label:>9.9} {base.seconds:>7.1f}s ({base.cpu:>5.1f}s) "
                      f"{run.seconds:>7.1f}s ({run.cpu:>5.1f}s) "
                      f"{run.seconds / base.seconds:>5.2f}x {run.cpu / base.cpu:>8.2f}x "
                      f"{base.peak_mb:>9.0f}MB {run.peak_mb:>7.0f}MB", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1, help="best of R runs of each build")
    parser.add_argument("--size", type=int, default=0,
                        help="bytes per record (default: generate.py's natural size)")
    parser.add_argument("--pagefind", action="store_true",
                        help="also build with the plugin's default search (Pagefind)")
    args = parser.parse_args()
    main(args.sizes or [1000, 10000], max(args.repeat, 1), args.size, args.pagefind)
