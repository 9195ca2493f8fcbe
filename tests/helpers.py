"""Shared helpers: where the fixtures are, and how to build a temporary learning log."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
SAMPLE_LOG = ROOT / "incidents"  # the sample learning log
TAXONOMY_FIXTURE = FIXTURES / "taxonomy" / "_taxonomy.yaml"
VALID_DIR = FIXTURES / "valid"
INVALID_DIR = FIXTURES / "invalid"

# "Today" for tree checks in tests: after every fixture's dates, so date-in-future stays quiet.
FIXED_TODAY = date(2026, 6, 30)

_EXPECT = re.compile(r"^# expect: (?P<code>[a-z-]+) (?P<line>\d+):(?P<column>\d+)\s*$")


def valid_fixtures() -> list[Path]:
    return sorted(p for p in VALID_DIR.iterdir() if p.suffix in (".yaml", ".yml"))


def invalid_fixtures() -> list[Path]:
    return sorted(p for p in INVALID_DIR.rglob("*") if p.suffix in (".yaml", ".yml"))


def expectations(fixture: Path) -> Counter[tuple[str, int, int]]:
    """The '# expect: code line:col' lines at the top of an invalid fixture, as a multiset."""
    found: Counter[tuple[str, int, int]] = Counter()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found[(match["code"], int(match["line"]), int(match["column"]))] += 1
        elif not line.startswith("#"):
            break  # expectations live in the leading comment block only
    return found


def build_learning_log(root: Path, *, with_valid_records: bool = True,
                       with_taxonomy: bool = True) -> Path:
    """Create ``root/incidents`` holding the fixture taxonomy and (by default) every valid
    fixture record under ``incidents/2026/``; returns the incidents folder."""
    folder = root / "incidents"
    (folder / "2026").mkdir(parents=True, exist_ok=True)
    if with_taxonomy:
        shutil.copyfile(TAXONOMY_FIXTURE, folder / "_taxonomy.yaml")
    if with_valid_records:
        for record in valid_fixtures():
            shutil.copyfile(record, folder / "2026" / record.name)
    return folder


def add_record(folder: Path, name: str, content: str | bytes, subfolder: str = "2026") -> Path:
    """Write one record file (text as UTF-8, or exact bytes) into the learning log."""
    path = folder / subfolder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def minimal_near_miss(occurred: str = "2026-03-14", **fields: str) -> str:
    """The smallest valid near miss as YAML text; keyword arguments add or replace fields
    (a value of "" drops the field)."""
    values = {
        "title": "Courtesy call nearly skipped",
        "kind": "near-miss",
        "status": "open",
        "occurred": occurred,
        "team": "field-service",
        "severity": "medium",
        "what_happened": "The visit overran and nobody called the next customer.",
        "caught_by": "The technician phoned ahead.",
    }
    values.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in values.items() if value != "")


def weaker_only_failure(occurred: str, due: str, second_owner: str) -> str:
    """A reviewed failure whose two actions are a reminder and training, both weaker:
    what ``weak-actions-only`` warns about; its ``actions`` key is on line 10."""
    return f"""\
title: Technician arrived after the booked window again
kind: failure
status: reviewed
occurred: {occurred}
team: field-service
severity: medium
what_happened: The visit before overran and nobody called the next customer.
customer_impact: The customer waited in all morning and took a day off for nothing.
root_causes: [process/no-buffer]
actions:
  - action: Remind technicians to phone ahead when a visit overruns
    type: reminder
    owner: field-service
    due: {due}
    status: open
  - action: Retrain dispatch on the overrun procedure
    type: training
    owner: {second_owner}
    due: {due}
    status: open
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served on a loopback port, quietly, while the block runs: its address,
    ending in /, as a static host serves a built site."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def cli_runner() -> CliRunner:
    """A CliRunner that keeps stderr apart on every Click the declared range allows:
    Click 8.2 always does (and dropped ``mix_stderr``), Click 8.1 only when asked."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def build_rising_log(root: Path, as_of: date) -> Path:
    """A learning log (fixture taxonomy) whose manual hand-offs tripled in the 90 days up
    to ``as_of``: for each of three causes, 12 records over the 365 days before the window,
    then 3 in the window, but 12 hand-offs. Returns the incidents folder."""
    from datetime import timedelta

    folder = build_learning_log(root, with_valid_records=False)
    window_start = as_of - timedelta(days=89)
    n = 0
    for cause in ("process/no-buffer", "process/manual-handoff", "communication/no-heads-up"):
        in_window = 12 if cause == "process/manual-handoff" else 3
        days = ([window_start - timedelta(days=365 - 30 * k) for k in range(12)]
                + [window_start + timedelta(days=7 * k) for k in range(in_window)])
        for day in days:
            n += 1
            add_record(folder, f"{day}-record-{n}.yaml", minimal_near_miss(
                day.isoformat(), root_causes=f"[{cause}]",
                team=("field-service", "billing", "support-desk")[n % 3]),
                subfolder=str(day.year))
    return folder


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")  # Debian's
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]


def need_chromium(*, module: bool = False) -> None:
    """Skip without chromium on a developer's machine, but fail under CI=true: a browser
    test that silently skips proves nothing."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install chromium)",
                    allow_module_level=module)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright, while the block runs (``need_chromium``)."""
    need_chromium()
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
