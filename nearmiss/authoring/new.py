"""Writing a new record for someone who has never written YAML.

The text is built by hand, field by field, so it comes out in the canonical order with a
helpful header and every value in the safest form: plain where YAML 1.1 tools read it
back as the same text, double-quoted where they would not, Markdown as a literal block.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import yaml

from nearmiss.record.model import FIELDS

SCHEMA_FILE = ".nearmiss-schema.json"
MARKDOWN = frozenset(name for name, spec in FIELDS.items() if spec.type == "markdown")
_SLUG_WORDS = 8


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by dashes: 'Café refund nearly lost!' ->
    'cafe-refund-nearly-lost'. Never empty."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    return "-".join(words[:_SLUG_WORDS]) or "record"


def scalar(value: str) -> str:
    """A one-line value, plain when a YAML 1.1 reader gets the same string back."""
    if value and "\n" not in value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def block(value: str, indent: str = "  ") -> str:
    """A Markdown field as a literal block, so line breaks and symbols stay as typed."""
    lines = value.strip("\n").splitlines() or [""]
    return "|\n" + "\n".join(indent + line if line.strip() else "" for line in lines)


def record_text(values: Mapping[str, str | list[str]], schema: str | None = None) -> str:
    """The YAML text of a new record, fields in the order of the record format."""
    out = [
        "# A near miss or service failure, recorded for learning (blameless: describe what",
        "# the system made likely, not who slipped). Field reference: docs/guide/fields.md.",
        "# Check it with `nearmiss check`, then commit it and open a pull request.",
    ]
    if schema:
        out.insert(0, f"# yaml-language-server: $schema={schema}")
    for name in FIELDS:
        value = values.get(name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            out.append(f"{name}: [{', '.join(scalar(v) for v in value)}]")
        elif FIELDS[name].type == "date":
            out.append(f"{name}: {value}")
        elif name in MARKDOWN:
            out.append(f"{name}: {block(value)}")
        else:
            out.append(f"{name}: {scalar(value)}")
    return "\n".join(out) + "\n"


def new_record_path(incidents: Path, occurred: date, title: str) -> Path:
    """incidents/YYYY/YYYY-MM-DD-slug.yaml, with -2, -3 … until no file (and no record
    with that id anywhere in the tree) has the name."""
    taken = {p.stem for p in incidents.rglob("*.y*ml")} if incidents.is_dir() else set()
    base = f"{occurred.isoformat()}-{slugify(title)}"
    name, n = base, 1
    while name in taken or (incidents / str(occurred.year) / f"{name}.yaml").exists():
        n += 1
        name = f"{base}-{n}"
    return incidents / str(occurred.year) / f"{name}.yaml"


def schema_reference(record: Path, incidents: Path) -> str:
    """The modeline target: the schema beside the incidents folder, where `nearmiss init`
    puts it (`nearmiss schema --output .nearmiss-schema.json` makes it anew)."""
    schema = incidents.resolve().parent / SCHEMA_FILE
    return os.path.relpath(schema, record.resolve().parent).replace(os.sep, "/")
