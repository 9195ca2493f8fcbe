"""The user guide keeps up with the code: every rule code, field and command is documented."""

from __future__ import annotations

import re
from datetime import date

import pytest

from helpers import ROOT

from nearmiss.cli import cli
from nearmiss.record.model import ACTION_FIELDS, FIELDS
from nearmiss.record.problems import CODES

DOCS = ROOT / "docs"
README = DOCS.parent / "README.md"


def test_every_rule_code_is_documented_with_its_meaning() -> None:
    rules = (DOCS / "guide" / "rules.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", rules, re.M))
    assert documented == CODES


def test_every_field_is_documented() -> None:
    fields = (DOCS / "guide" / "fields.md").read_text(encoding="utf-8")
    for name in [*FIELDS, *ACTION_FIELDS]:
        assert f"| `{name}` |" in fields, name


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"`nearmiss {name}" in readme, name


def test_readme_quick_start_has_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, re.M)
    assert commands == ["make serve", "make test"]
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_the_sample_log_is_in_canonical_form() -> None:
    from nearmiss.authoring.fmt import format_text

    for record in sorted((DOCS.parent / "incidents").rglob("2*.yaml")):
        text = record.read_text(encoding="utf-8")
        assert format_text(text) == text, f"run `nearmiss fmt` on {record}"


def install_texts() -> dict[str, str]:
    """Everything a user copies an install line from: the README, the guide, the hook
    file and what `nearmiss init` writes."""
    from nearmiss.authoring import scaffold

    texts = {str(p.relative_to(DOCS.parent)): p.read_text(encoding="utf-8")
             for p in [README, DOCS.parent / ".pre-commit-hooks.yaml", *DOCS.rglob("*.md")]}
    texts.update({f"init:{name}": text
                  for name, text in scaffold.files(date(2026, 3, 14)).items()})
    return texts


def test_every_install_line_names_our_distribution_at_this_version() -> None:
    from nearmiss import __version__

    lines = [(where, line) for where, text in install_texts().items()
             for line in text.splitlines()
             if re.search(r"pip (install|download)|additional_dependencies", line)]
    assert len(lines) >= 8, lines
    pinned = (f"nearmiss-log=={__version__}", f"nearmiss-log[site]=={__version__}",
              f"nearmiss_log-{__version__}-py3-none-any.whl", f".git@v{__version__}")
    for where, line in lines:
        assert any(pin in line for pin in pinned), (where, line)
        assert set(re.findall(r"==(\d[\w.]*)", line)) <= {__version__}, (where, line)


def test_every_pinned_hook_revision_is_this_version() -> None:
    from nearmiss import __version__

    revisions = [(where, rev) for where, text in install_texts().items()
                 for rev in re.findall(r"^\s*rev: (\S+)", text, re.M)]
    assert revisions and all(rev == f"v{__version__}" for _, rev in revisions), revisions


def test_the_api_page_names_exactly_the_public_api_and_its_example_runs(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import nearmiss

    page = (DOCS / "guide" / "api.md").read_text(encoding="utf-8")
    names = page.split("## The names", 1)[1].split("\n## ", 1)[0]
    listed = {name for row in re.findall(r"^\| (`.+?`) \|", names, re.M)
              for name in re.findall(r"`(\w+)", row)}
    public = set(nearmiss.__all__) - {"__version__"}
    assert public == set(nearmiss._API)
    assert listed == public
    assert all(getattr(nearmiss, name) is not None for name in public)
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(example, "api.md", "exec"), {})  # our own documented example
    printed = capsys.readouterr().out.splitlines()
    records = nearmiss.check_tree(ROOT / "incidents", date.today())
    stats = nearmiss.compute(records.records, records.taxonomy, date.today())
    assert printed == [str(stats.overall.prevention_ratio), str(stats.overall.near_misses)]
