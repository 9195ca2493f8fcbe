"""The package as a team gets it, not as this checkout runs it.

The sdist and wheel are built with the locked backend, then installed into clean virtual
environments made by uv (the lock's versions as constraints): one with the base install
only, one with MkDocs but without the rest of the site extra, one with the site extra.
Last, pre-commit runs the hook from this checkout in a repository made by ``nearmiss
init``, as another repository would. These tests need the package index, and take about
a minute together.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from uv import find_uv_bin

from nearmiss import __version__
from nearmiss.distribution import DISTRIBUTION, install_command

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
SAMPLE = ROOT / "incidents"
BASE_DISTRIBUTIONS = {DISTRIBUTION, "click", "pyyaml", "ruamel-yaml", "ruamel-yaml-clib",
                      # icalendar (`actions --format ics`) and what it needs; six for an
                      # older python-dateutil
                      "icalendar", "python-dateutil", "six", "typing-extensions", "tzdata"}


def clean_environ(**extra: str) -> dict[str, str]:
    """The environment a user's shell would have: nothing of this venv or checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(NO_COLOR="1", NO_MKDOCS_2_WARNING="1", **extra)
    return env


def run(args: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=clean_environ(**env), check=False)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Tester", "-c", "user.email=t@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built from it, as ``python -m build`` makes them."""
    out = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT],
                cwd=ROOT)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheels = list(out.glob("*.whl"))
    sdists = list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


def make_env(where: Path, *requirements: str | Path) -> Path:
    """A clean virtual environment holding only ``requirements`` and what they need,
    at the lock's versions; returns its bin folder."""
    uv = find_uv_bin()
    made = run([uv, "venv", "--quiet", "--python", sys.executable, where], cwd=where.parent)
    assert made.returncode == 0, made.stderr
    python = where / "bin" / "python"
    installed = run([uv, "pip", "install", "--quiet", "--python", python,
                     "--constraint", LOCK, *requirements], cwd=where.parent)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return where / "bin"


def distributions(bin_dir: Path) -> set[str]:
    frozen = run([find_uv_bin(), "pip", "freeze", "--python", bin_dir / "python"],
                 cwd=bin_dir)
    return {line.split("==")[0].split(" @ ")[0].lower().replace("_", "-")
            for line in frozen.stdout.splitlines() if line.strip()}


@pytest.fixture(scope="session")
def base_env(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_env(tmp_path_factory.mktemp("envs") / "base", dist["wheel"])


@pytest.fixture(scope="session")
def site_env(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_env(tmp_path_factory.mktemp("envs") / "site", f"{dist['wheel']}[site]")


@pytest.fixture()
def sample_log(tmp_path: Path) -> Iterator[Path]:
    """A copy of this repository's sample learning log, in a folder of its own."""
    shutil.copytree(SAMPLE, tmp_path / "log" / "incidents")
    yield tmp_path / "log"


def test_wheel_carries_its_package_data_and_entry_points(dist: dict[str, Path]) -> None:
    assert dist["wheel"].name == f"nearmiss_log-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = f"nearmiss_log-{__version__}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    for data in ("nearmiss/authoring/starter/_taxonomy.yaml", "nearmiss/site/nearmiss.css",
                 "nearmiss/py.typed", "nearmiss/site/__init__.py", "nearmiss/site/writer.py",
                 "nearmiss/site/overrides/404.html"):
        assert data in names
    assert f"Name: {DISTRIBUTION}\n" in metadata
    assert "nearmiss = nearmiss.cli:main" in entry_points
    assert "nearmiss = nearmiss.mkdocs_plugin:NearmissPlugin" in entry_points


def test_base_install_holds_only_the_declared_base_dependencies(base_env: Path) -> None:
    assert distributions(base_env) <= BASE_DISTRIBUTIONS
    assert "nh3" not in distributions(base_env)


@pytest.mark.parametrize("args", [
    ["check", "--strict"],
    ["check", "--format", "json"],
    ["stats"],
    ["stats", "--format", "json"],
    ["stats", "--format", "csv"],
    ["stats", "--window", "60", "--baseline", "180", "--as-of", "2026-11-30"],
    ["similar", "2026-04-02-refund-sent-to-closed-account"],
    ["similar", "--text", "refund went to the old account", "--format", "json"],
    ["actions", "--as-of", "2026-11-30"],
    ["actions", "--format", "ics", "--as-of", "2026-11-30"],
    ["digest", "--month", "2026-03"],
    ["export", "--format", "csv"],
    ["export", "--format", "jsonl"],
    ["fmt", "--check"],
    ["schema"],
    ["new", "--no-input", "--kind", "near-miss", "--title", "Refund nearly sent twice",
     "--occurred", "2026-03-14", "--team", "billing", "--severity", "medium",
     "--what-happened", "The refund was queued twice.", "--caught-by",
     "The second approval noticed the duplicate."],
    ["init", "new-log"],
    ["import", "--dry-run", "--date-format", "%d/%m/%Y", "--map", "occurred=Date",
     str(ROOT / "tests" / "fixtures" / "import" / "small.csv")],
], ids=lambda args: " ".join(args[:2]))
def test_every_command_but_the_site_ones_runs_on_the_base_install(
        base_env: Path, sample_log: Path, args: list[str]) -> None:
    done = run([base_env / "nearmiss", *args], cwd=sample_log)
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()
    if "json" in args or args == ["schema"]:
        json.loads(done.stdout)


def test_render_on_the_base_install_names_the_extra_in_one_line(
        base_env: Path, sample_log: Path) -> None:
    done = run([base_env / "nearmiss", "render", "out"], cwd=sample_log)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"nearmiss: nearmiss render needs the 'site' extra (nh3 is not installed): "
        f"{install_command('site')}"]
    assert not (sample_log / "out").exists()


def test_plugin_without_the_site_extra_names_it_and_exits_2(
        dist: dict[str, Path], tmp_path: Path) -> None:
    """A team that installed MkDocs and Material itself, but nearmiss without [site]."""
    bin_dir = make_env(tmp_path / "env", dist["wheel"], "mkdocs", "mkdocs-material")
    assert "nh3" not in distributions(bin_dir)
    assert run([bin_dir / "nearmiss", "init", "log"], cwd=tmp_path).returncode == 0
    done = run([bin_dir / "mkdocs", "build"], cwd=tmp_path / "log")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert (f"nearmiss: the nearmiss MkDocs plugin needs the 'site' extra (nh3 is not "
            f"installed): {install_command('site')}") in done.stderr.splitlines()[-1]


def test_init_then_check_and_build_with_the_site_extra(site_env: Path, tmp_path: Path) -> None:
    assert run([site_env / "nearmiss", "init", "log"], cwd=tmp_path).returncode == 0
    log = tmp_path / "log"
    checked = run([site_env / "nearmiss", "check", "--strict"], cwd=log)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = run([site_env / "mkdocs", "build", "--strict"], cwd=log)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    assert (log / "site" / "index.html").is_file()
    assert (log / "site" / "assets" / "nearmiss.css").stat().st_size > 1000
    written = (log / ".github" / "workflows" / "learning-log.yml").read_text()
    assert f'pip install "{DISTRIBUTION}[site]=={__version__}"' in written


def test_pre_commit_runs_the_hook_from_this_checkout(site_env: Path, tmp_path: Path) -> None:
    """``pre-commit try-repo`` installs this checkout the way a ``repo:`` entry would
    (the base install only) and runs the hook in a repository made by ``nearmiss init``."""
    if not (ROOT / ".git").exists():
        pytest.fail("pre-commit try-repo needs this checkout to be a git repository")
    assert run([site_env / "nearmiss", "init", "log"], cwd=tmp_path).returncode == 0
    log = tmp_path / "log"
    git(log, "init", "-q")
    git(log, "add", "-A")
    git(log, "commit", "-qm", "start")
    home = str(tmp_path / "pre-commit-home")
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", ROOT, "nearmiss-check",
                "--all-files"]
    passed = run(try_repo, cwd=log, PRE_COMMIT_HOME=home)
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr[-3000:]
    assert "nearmiss check" in passed.stdout and "Passed" in passed.stdout

    bad = next((log / "incidents").glob("*/*.yaml"))
    bad.write_text(bad.read_text().replace("team: field-service", "team: feild-service"))
    git(log, "add", "-A")
    failed = run(try_repo, cwd=log, PRE_COMMIT_HOME=home)
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "error: " in failed.stdout and "[unknown-team]" in failed.stdout
    assert "Traceback" not in failed.stdout
