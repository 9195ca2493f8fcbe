"""Problem output for people (text), programs (json) and GitHub Actions (annotations)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import click

from nearmiss.log.words import plural
from nearmiss.record.problems import Problem

_COLOURS = {"error": "red", "warning": "yellow"}


def use_colour(stream_is_tty: bool) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream_is_tty and not os.environ.get("NO_COLOR")


def summary(files: int, problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    checked = f"checked {plural(files, 'record')}"
    if not problems:
        return f"{checked}: all good"
    return f"{checked}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def line(p: Problem, colour: bool = False) -> str:
    """``path:line:column: severity: message; hint [code]``: one line per problem, so
    editors, grep and CI log parsers can read it. The MkDocs plugin logs the same line."""
    label = p.severity.value
    if colour:
        label = click.style(label, fg=_COLOURS[label], bold=True)
    hint = f"; {p.hint}" if p.hint else ""
    return f"{p.path}:{p.line}:{p.column}: {label}: {p.message}{hint} [{p.code}]"


def text(files: int, problems: list[Problem], colour: bool = False) -> str:
    return "\n".join([*(line(p, colour) for p in problems), summary(files, problems)])


def as_dict(p: Problem) -> dict[str, object]:
    """A problem as the json format lists it (``check`` and ``import`` alike)."""
    return {"path": p.path, "line": p.line, "column": p.column,
            "severity": p.severity.value, "code": p.code, "field": p.field,
            "message": p.message, "hint": p.hint}


def as_json(files: int, problems: list[Problem], colour: bool = False) -> str:
    return json.dumps({
        "files": files,
        "errors": sum(p.is_error for p in problems),
        "warnings": sum(not p.is_error for p in problems),
        "problems": [as_dict(p) for p in problems],
    }, indent=2, ensure_ascii=False)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(files: int, problems: list[Problem], colour: bool = False) -> str:
    """Workflow commands GitHub turns into annotations on the pull request's lines."""
    lines = []
    for p in problems:
        message = p.message + (f" ({p.hint})" if p.hint else "")
        lines.append(
            f"::{p.severity.value} file={_escape_property(p.path)},line={p.line},"
            f"col={p.column},title={_escape_property(p.code)}::{_escape_data(message)}"
        )
    lines.append(summary(files, problems))
    return "\n".join(lines)


FORMATS: dict[str, Callable[[int, list[Problem], bool], str]] = {
    "text": text, "json": as_json, "github": github,
}
