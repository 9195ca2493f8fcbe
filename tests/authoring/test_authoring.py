"""Recording a new near miss, starting a learning log, and dates from git history."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import cli_runner
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.authoring.new import record_text, scalar, slugify
from nearmiss.cli import cli
from nearmiss.site.history import record_dates

TODAY = date.today()


def invoke(*args: str, stdin: str | None = None) -> object:
    return cli_runner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


NEAR_MISS = ["new", "--no-input", "--kind", "near-miss", "--team", "billing",
             "--title", "Refund nearly sent to a closed account", "--severity", "high",
             "--what-happened", "The refund screen showed the old account as active.",
             "--caught-by", "Jonas checked the account status first.", "--caught-how",
             "person", "--kudos", "Jonas Lindqvist", "--occurred", "2026-03-14"]


def test_new_without_input_writes_a_record_that_passes_strict(log: Path) -> None:
    result = invoke(*NEAR_MISS)
    assert result.exit_code == 0, result.output
    path = log / "2026" / "2026-03-14-refund-nearly-sent-to-a-closed-account.yaml"
    assert f"Created incidents/2026/{path.name}" in result.stdout
    assert "pull request" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../.nearmiss-schema.json\n")
    data = yaml.safe_load(text)
    assert data["status"] == "open" and data["kudos"] == ["Jonas Lindqvist"]
    assert data["occurred"] == date(2026, 3, 14)
    check = invoke("check", "--strict")
    assert check.exit_code == 0, check.output


def test_new_never_overwrites_and_makes_the_slug_unique(log: Path) -> None:
    assert invoke(*NEAR_MISS).exit_code == 0
    first = log / "2026" / "2026-03-14-refund-nearly-sent-to-a-closed-account.yaml"
    before = first.read_bytes()
    assert invoke(*NEAR_MISS).exit_code == 0
    assert first.read_bytes() == before
    assert (log / "2026" / "2026-03-14-refund-nearly-sent-to-a-closed-account-2.yaml").exists()
    assert invoke("check", "--strict").exit_code == 0


def test_new_interactive_asks_with_taxonomy_choices(log: Path) -> None:
    answers = "\n".join([
        "failure", "Parcel sent to the old address", "2026-02-03", "nonsense-team",
        "billing", "The label printed the address from the old account.",
        "The customer waited three days for the part.", "high"]) + "\n"
    result = invoke("new", stdin=answers)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  field-service          Field service" in lines
    assert "Team (whose work it was in): nonsense-team" in lines  # refused and asked again
    assert "Try again: 'nonsense-team' is not one of the choices: field-service, billing, " \
        "support-desk" in lines
    assert lines[-2] == "Created incidents/2026/2026-02-03-parcel-sent-to-the-old-address.yaml"
    assert result.stderr == ""
    path = log / "2026" / "2026-02-03-parcel-sent-to-the-old-address.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["kind"] == "failure" and data["team"] == "billing"
    assert data["customer_impact"].startswith("The customer waited")
    assert "caught_by" not in data
    assert invoke("check", "--strict").exit_code == 0


def test_new_without_input_names_what_is_missing(log: Path) -> None:
    result = cli_runner().invoke(cli, ["new", "--no-input", "--kind", "failure"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: missing --title, --team, --severity, --what-happened, --customer-impact "
        "(needed with --no-input)")
    assert not any(log.rglob("*.yaml")) or list(log.rglob("*.yaml")) == [
        log / "_taxonomy.yaml"]


def test_new_refuses_a_team_the_taxonomy_lacks(log: Path) -> None:
    args = [a if a != "billing" else "bilingual" for a in NEAR_MISS]
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: Invalid value for --team: 'bilingual' "
                                              "is not one of the choices; did you mean "
                                              "'billing' (Billing)?")
    assert not (log / "2026").exists()


def test_new_refuses_a_date_in_the_future_and_writes_nothing(log: Path) -> None:
    args = [a if a != "2026-03-14" else "2999-01-01" for a in NEAR_MISS]
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("incidents/2999/2999-01-01-refund-nearly-sent-to-a-closed-"
                               "account.yaml:8:11: error: 2999-01-01 is in the future")
    assert lines[0].endswith("[date-in-future]")
    assert lines[-1] == "nearmiss: nothing was written; correct the values above"
    assert not (log / "2999").exists()


YAML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn"))
                    | st.sampled_from("\n\t"))


@settings(max_examples=300, deadline=None)
@given(YAML_TEXT)
def test_scalar_reads_back_as_the_same_text(value: str) -> None:
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


@pytest.mark.parametrize(("title", "slug"), [
    ("Café refund nearly lost!", "cafe-refund-nearly-lost"),
    ("   ", "record"),
    ("One two three four five six seven eight nine ten", "one-two-three-four-five-six-seven-eight"),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_record_text_quotes_what_yaml_would_misread() -> None:
    text = record_text({"title": "no", "kind": "near-miss", "reported_by": "10:40"})
    assert 'title: "no"' in text and 'reported_by: "10:40"' in text


# --- init -------------------------------------------------------------------------------

def test_init_starts_a_log_that_checks_builds_and_parses(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    result = invoke("init", str(tmp_path / "log"))
    assert result.exit_code == 0, result.output
    root = tmp_path / "log"
    monkeypatch.chdir(root)
    assert invoke("check", "--strict").exit_code == 0
    for name in (".github/workflows/learning-log.yml", ".gitlab-ci.yml",
                 ".pre-commit-config.yaml", "mkdocs.yml"):
        assert isinstance(yaml.safe_load((root / name).read_text(encoding="utf-8")), dict)
    workflow = yaml.safe_load((root / ".github/workflows/learning-log.yml").read_text())
    steps = " ".join(str(s) for s in workflow["jobs"]["check"]["steps"])
    assert "nearmiss check --strict --format github" in steps
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=True)
    build(config)
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "log" / "dashboard" / "index.html").is_file()


def test_init_refuses_to_overwrite_anything(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("ours\n", encoding="utf-8")
    result = cli_runner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "README.md" in result.stderr
    assert (tmp_path / "README.md").read_text() == "ours\n"
    assert not (tmp_path / "incidents").exists()


def test_init_says_the_example_is_one_and_points_at_what_the_new_log_has(
        tmp_path: Path) -> None:
    from nearmiss.authoring import scaffold
    from nearmiss.record.model import ACTION_FIELDS, FIELDS

    result = invoke("init", str(tmp_path / "log"))
    assert result.exit_code == 0
    example = scaffold.example_path(TODAY)
    assert f"       {example}\n" in result.stdout
    assert "delete it (git rm) when you record your first real one" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines()
               if example not in line and str(tmp_path) not in line)
    text = (tmp_path / "log" / example).read_text(encoding="utf-8")
    comment = "".join(line for line in text.splitlines(keepends=True) if line[0] == "#")
    assert "AN EXAMPLE" in comment and "counts in every" in comment
    assert "docs/guide" not in text  # a new log has no guide; it has its README
    assert 'README.md ("The fields of a record")' in comment
    assert yaml.safe_load(text)["title"].startswith("Example: ")
    readme = (tmp_path / "log" / "README.md").read_text(encoding="utf-8")
    assert "## The fields of a record" in readme and "## The example record" in readme
    for name in [*FIELDS, *ACTION_FIELDS]:
        assert f"| `{name}` |" in readme, name


@pytest.mark.parametrize(("answer", "written"), [("y\n", True), ("n\n", False),
                                                 ("", False)])
def test_init_without_a_folder_asks_before_writing_beside_other_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, written: bool) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("ours\n", encoding="utf-8")
    result = invoke("init", stdin=answer)
    assert "beside the files already in it? [y/N]" in result.stdout
    assert (tmp_path / "incidents" / "_taxonomy.yaml").exists() is written
    if written:
        assert result.exit_code == 0 and "in the current folder:" in result.stdout
    else:
        assert result.exit_code == 2
        assert "nothing was written" in result.stderr and "--yes" in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_asks_nothing_with_yes_a_folder_or_an_empty_repository(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("yes", "given", "fresh"):
        (tmp_path / name).mkdir()
    (tmp_path / "yes" / "notes.txt").write_text("ours\n", encoding="utf-8")
    (tmp_path / "given" / "notes.txt").write_text("ours\n", encoding="utf-8")
    (tmp_path / "fresh" / ".git").mkdir()  # just after git init
    runs = [("yes", ["init", "--yes"]), ("given", ["init", "."]), ("fresh", ["init"])]
    for name, args in runs:
        monkeypatch.chdir(tmp_path / name)
        result = invoke(*args, stdin="")
        assert result.exit_code == 0, (name, result.output)
        assert "[y/N]" not in result.stdout
        assert (tmp_path / name / "incidents" / "_taxonomy.yaml").exists()


# --- git history --------------------------------------------------------------------------

def git(repo: Path, *args: str, day: str = "2026-01-01") -> None:
    stamp = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "incidents" / "2026").mkdir(parents=True)
    git(repo, "init", "-q")
    record = repo / "incidents" / "2026" / "2026-01-01-x.yaml"
    record.write_text("title: first\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "add", day="2026-01-02")
    record.write_text("title: second\n", encoding="utf-8")
    git(repo, "commit", "-qam", "edit", day="2026-02-03")
    return repo


def test_git_dates_first_recorded_and_last_changed(repo: Path, tmp_path: Path) -> None:
    dates = record_dates(repo / "incidents", tmp_path / "cache")
    got = dates[str(repo / "incidents" / "2026" / "2026-01-01-x.yaml")]
    assert (got.first, got.last) == (date(2026, 1, 2), date(2026, 2, 3))


def test_git_dates_in_a_shallow_clone_tell_only_the_last_change(repo: Path,
                                                               tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
                   check=True, capture_output=True)
    dates = record_dates(clone / "incidents", tmp_path / "cache")
    got = dates[str(clone / "incidents" / "2026" / "2026-01-01-x.yaml")]
    assert (got.first, got.last) == (None, date(2026, 2, 3))


def test_no_git_means_no_dates(tmp_path: Path) -> None:
    (tmp_path / "incidents").mkdir()
    assert record_dates(tmp_path / "incidents", tmp_path / "cache") == {}


# --- fmt --------------------------------------------------------------------------------

def test_fmt_check_lists_then_fmt_fixes_and_leaves_broken_files_alone(log: Path) -> None:
    (log / "2026").mkdir()
    messy = log / "2026" / "2026-03-14-messy.yaml"
    messy.write_text("caught_by: The technician phoned ahead.  # the save\n"
                     "title: Courtesy call nearly skipped\nkind: near-miss\nstatus: open\n"
                     "occurred: 2026-03-14\nteam: billing\nseverity: low\n"
                     "what_happened: The visit overran.\n", encoding="utf-8")
    broken = log / "2026" / "2026-03-15-broken.yaml"
    broken.write_bytes(b"title: [unclosed\n")
    result = cli_runner().invoke(cli, ["fmt", "--check"])
    assert result.exit_code == 1
    assert f"would reformat incidents/2026/{messy.name}" in result.stdout
    assert "2026-03-15-broken.yaml: not formatted" in result.stderr
    assert messy.read_text(encoding="utf-8").startswith("caught_by")
    fixed = cli_runner().invoke(cli, ["fmt", str(messy)])
    assert fixed.exit_code == 0 and "reformatted" in fixed.stdout
    text = messy.read_text(encoding="utf-8")
    assert text.startswith("title:") and "# the save" in text
    assert broken.read_bytes() == b"title: [unclosed\n"
    again = cli_runner().invoke(cli, ["fmt", "--check", str(messy)])
    assert again.exit_code == 0 and "0 of 1 files would be reformatted" in again.stdout


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    """Atomic writes go through a private temporary file; the result must not stay 0600."""
    assert invoke("init", str(tmp_path / "log")).exit_code == 0
    old = os.umask(0o022)
    os.umask(old)
    assert (tmp_path / "log" / "README.md").stat().st_mode & 0o777 == 0o666 & ~old
