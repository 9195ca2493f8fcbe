"""Print `mkdocs build` time and peak memory of the learning log at 1k and 10k records,
next to MkDocs + Material building the same record pages as plain Markdown files kept out
of the navigation, in the same run.

The baseline's pages are the ones `nearmiss render` writes for the same records, so the
difference is what the plugin costs: checking, the browse pages and the dashboard.
Run: python benchmarks/bench_site.py [N ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
THEME = "theme:\n  name: material\n  font: false\n"
PLUGIN_CONFIG = ("site_name: Bench\n" + THEME +
                 "plugins:\n  - search\n  - nearmiss:\n      cache: false\n"
                 "nav:\n  - Home: index.md\n  - Dashboard: log/dashboard.md\n")
PLAIN_CONFIG = ("site_name: Bench\n" + THEME + "plugins:\n  - search\n"
                "not_in_nav: |\n  /log/records/\n"
                "nav:\n  - Home: index.md\n")


def build(project: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one `mkdocs build` in a fresh process."""
    start = time.perf_counter()
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(BIN / "mkdocs"), "build", "-q", "-d",
         str(project / "site")],
        cwd=project, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=True)
    seconds = time.perf_counter() - start
    peak_kb = int(run.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'plain pages':>12} {'learning log':>13} {'ratio':>6} "
          f"{'plain peak':>11} {'log peak':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp, "log")
            generate(n, log)
            (log / "docs").mkdir()
            (log / "mkdocs.yml").write_text(PLUGIN_CONFIG, encoding="utf-8")
            plain = Path(tmp, "plain")
            plain.mkdir()
            subprocess.run([str(BIN / "nearmiss"), "render", str(plain / "docs"),
                            "--incidents", str(log / "incidents"), "--no-cache"],
                           check=True, capture_output=True)
            for page in (plain / "docs").rglob("*.md"):
                if "records" not in page.parts and page.name != "index.md":
                    page.unlink()
            (plain / "mkdocs.yml").write_text(PLAIN_CONFIG, encoding="utf-8")
            plain_s, plain_mb = build(plain)
            log_s, log_mb = build(log)
            print(f"{n:>8} {plain_s:>11.1f}s {log_s:>12.1f}s {log_s / plain_s:>5.2f}x "
                  f"{plain_mb:>9.0f}MB {log_mb:>7.0f}MB", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
