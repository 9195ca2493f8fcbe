"""The files of a new learning-log repository, for `nearmiss init`.

Everything a team needs on day one: the starter taxonomy, one example record, the site
configuration, pre-commit, CI for GitHub and GitLab (check on every change with
annotations, publish the site from main), and a README that says how to take part.

The example record is an ordinary record, so that the first `nearmiss check` and the
first site show what a record gives; it says in its own comment, in the README and in
what `init` prints that it counts in every figure until it is deleted. A team deletes it
when it records its first real near miss: no figure leaves anything out silently.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from nearmiss.authoring.new import SCHEMA_FILE, record_text
from nearmiss.authoring.schema import record_schema
from nearmiss.distribution import install_command, requirement
from nearmiss.record.model import ACTION_FIELDS, FIELDS, Spec
from nearmiss.record.taxonomy import parse_taxonomy

INSTALL = install_command("site")
STARTER = Path(__file__).parent / "starter" / "_taxonomy.yaml"

MKDOCS_YML = """\
site_name: Learning log
site_description: Near misses and service failures, what they taught us, who caught them.
theme:
  name: material
  font: false        # system fonts: viewing the site fetches nothing from the internet
  features: [navigation.sections, search.highlight, content.action.edit]
plugins:
  - search
  - tags
  - nearmiss:
      incidents: incidents
      # edit_url: https://github.com/YOUR-ORG/YOUR-REPO/edit/main/
extra_css:
  - assets/nearmiss.css   # the plugin writes it; listed so Zensical loads it too
markdown_extensions: [admonition, attr_list, tables, toc]
nav:
  - Home: index.md
  - Dashboard: log/dashboard.md
  - Browse:
      - Root causes: log/causes/index.md
      - Teams: log/teams/index.md
      - Touchpoints: log/touchpoints/index.md
      - Promises: log/promises/index.md
      - Months: log/months/index.md
      - Tags: log/tags/index.md
  - Learn:
      - Warning signs: log/warning-signs.md
      - Open actions: log/actions.md
      - Monthly digests: log/digests/index.md
  - About: about.md
"""

ABOUT_MD = """\
# About this learning log

Every near miss is a failure that did not reach a customer. We record them, and the
failures that did, as small files in `incidents/`, and learn from them together.

To add one: `nearmiss new`, answer the questions, then commit the file and open a pull
request. Describe what happened and what made it likely, never who is to blame.
"""

PRE_COMMIT = f"""\
# pre-commit install   (then every commit that touches incidents/ is checked)
# pre-commit installs nearmiss into a virtual environment of its own, at the pinned version.
repos:
  - repo: local
    hooks:
      - id: nearmiss-check
        name: nearmiss check
        entry: nearmiss check --strict
        language: python
        additional_dependencies: ["{requirement()}"]
        files: ^incidents/.*\\.ya?ml$
        require_serial: true
"""

GITHUB_WORKFLOW = f"""\
name: learning log
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {{fetch-depth: 0}}   # full history: record pages show when they were written
      - uses: actions/setup-python@v5
        with: {{python-version: "3.12"}}
      - run: {INSTALL}
      - run: nearmiss check --strict --format github   # problems as annotations on the PR
      - run: mkdocs build --strict
      - if: github.ref == 'refs/heads/main'
        uses: actions/upload-pages-artifact@v3
        with: {{path: site}}
  publish:
    if: github.ref == 'refs/heads/main'
    needs: check
    runs-on: ubuntu-latest
    permissions: {{pages: write, id-token: write}}
    environment: {{name: github-pages}}
    steps:
      - uses: actions/deploy-pages@v4
"""

GITLAB_CI = f"""\
image: python:3.12
before_script:
  - {INSTALL}
check:
  script:
    - nearmiss check --strict
    - mkdocs build --strict
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
pages:
  script:
    - mkdocs build --strict --site-dir public
  artifacts:
    paths: [public]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""

README = f"""\
# Our learning log

Near misses are the cheapest lessons we will ever get: something was about to go wrong
for a customer, and someone caught it. This repository is where we record them (and the
failures that did reach a customer), learn from them, and thank the people who caught
them. Customer experience is everyone's job: anyone can add a record.

## Record a near miss (two minutes)

    {INSTALL}
    nearmiss new          # answers a few questions, writes incidents/YYYY/...yaml
    nearmiss check        # tells you exactly what to fix, line and column

Then commit the file and open a pull request. Describe what happened and what made it
likely (what the screen showed, what the rota assumed); never who is to blame.

## See what we have learned

    nearmiss stats        # prevention ratio, root causes, warning signs, actions
    nearmiss actions      # follow-ups per owner, oldest overdue first
    mkdocs serve          # the learning log site at http://127.0.0.1:8000

## What is here

- `incidents/_taxonomy.yaml`: our teams, touchpoints, promises and root causes, and the
  types of follow-up action with how strongly each prevents a repeat. Add a key here in
  the same pull request as the first record that needs it.
- `incidents/YYYY/`: one file per near miss or failure.
- `{SCHEMA_FILE}`: completion and checking in editors (`nearmiss schema --output
  {SCHEMA_FILE}` after changing the taxonomy).
- `.github/workflows/learning-log.yml` and `.gitlab-ci.yml`: check every change and
  publish the site from the main branch. Keep the one for your host, delete the other.

## The example record

`incidents/YYYY/YYYY-MM-DD-example-courtesy-call-nearly-skipped.yaml` shows what a
record holds. It is an ordinary record: it counts in every figure and shows on the site
as a save, so that the first `nearmiss stats` and `mkdocs serve` have something to show.
Delete it (`git rm`) when you record your first real near miss.

## The fields of a record

{{fields}}
"""

GITIGNORE = "site/\npublic/\n.venv/\n"

EXAMPLE_NOTE = """\
# AN EXAMPLE, not a real near miss. Until you delete this file it counts in every
# figure and shows on the site as a save: delete it (git rm) when you record your first
# real one. Describe what the system made likely, never who slipped. Every field is
# described in README.md ("The fields of a record"), and with .nearmiss-schema.json
# your editor shows the same as you type. Check with: nearmiss check
"""


def _field_rows(fields: dict[str, Spec]) -> list[str]:
    return [f"| `{spec.name}` | {'yes' if spec.required else ''} | {spec.description} |"
            for spec in fields.values()]


def fields_reference() -> str:
    """The fields of a record and of an action, as Markdown tables, from the same field
    table the checker and the schema use."""
    return "\n".join([
        "| field | always required | what it holds |", "|---|---|---|", *_field_rows(FIELDS),
        "", "Each of `actions`:", "",
        "| field | always required | what it holds |", "|---|---|---|",
        *_field_rows(ACTION_FIELDS),
    ])


def example_record(today: date) -> str:
    """The example record: dated today, so that it passes the check on any day, and
    headed by a comment that says it is one and why to delete it."""
    text = record_text({
        "title": "Example: courtesy call nearly skipped when the technician ran late",
        "kind": "near-miss", "status": "open", "occurred": today.isoformat(),
        "reported": today.isoformat(), "team": "field-service",
        "touchpoint": "home-visit", "promise": "on-time", "severity": "medium",
        "what_happened": "The 10:00 visit overran; the dispatcher's board still showed the "
                         "next visit as on time.",
        "caught_by": "The technician checked the board at 10:40 and asked dispatch to "
                     "phone ahead.",
        "caught_how": "person", "kudos": ["The field-service team"], "tags": ["example"],
    })
    body = text.splitlines(keepends=True)
    while body and body[0].startswith("#"):  # our own comment instead of the generic one
        body.pop(0)
    return f"# yaml-language-server: $schema=../../{SCHEMA_FILE}\n{EXAMPLE_NOTE}" + "".join(body)


def example_path(today: date) -> str:
    """Where the example record goes, relative to the new log."""
    return f"incidents/{today.year}/{today.isoformat()}-example-courtesy-call-nearly-skipped.yaml"


def files(today: date) -> dict[str, str]:
    """Relative path -> content of every file `nearmiss init` writes."""
    starter = STARTER.read_text(encoding="utf-8")
    schema = record_schema(parse_taxonomy(starter.encode(), str(STARTER)))
    return {
        "incidents/_taxonomy.yaml": starter,
        example_path(today): example_record(today),
        SCHEMA_FILE: json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        "mkdocs.yml": MKDOCS_YML,
        "docs/about.md": ABOUT_MD,
        ".pre-commit-config.yaml": PRE_COMMIT,
        ".github/workflows/learning-log.yml": GITHUB_WORKFLOW,
        ".gitlab-ci.yml": GITLAB_CI,
        "README.md": README.replace("{fields}", fields_reference()),
        ".gitignore": GITIGNORE,
    }
