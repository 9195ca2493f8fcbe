"""The page "Report a near miss": a form that writes a new record in the reader's browser.

Most people who catch a near miss will never install Python or write YAML. The form asks
what ``nearmiss new`` asks, in its order, with its choices and defaults
(``authoring.new.question``: the model's kinds and severities, the taxonomy's teams,
touchpoints and promises), and report.js writes the record as ``new`` would: the same
header, the fields in the order of the record format, status ``open``, ``reported`` today.
The reporter then proposes it on GitHub or GitLab ("new file" with the content filled in,
when the site knows its repository), copies it or downloads it; the pull request's
``nearmiss check`` checks what the browser cannot.

Everything the script needs to know of the model travels in data attributes of the form,
written here, so the rules stay in Python: which fields each kind asks and requires, the
title's length, the order of the fields and the header. The page holds no record text,
only the taxonomy's, escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from nearmiss.authoring.new import Question, asked_fields, question, record_text, required_fields
from nearmiss.record.model import FIELDS, KIND_RULES, KINDS, STATUS_RULES
from nearmiss.record.taxonomy import Taxonomy
from nearmiss.site.markup import attr

PATH = "report/index.md"  # the contract's report/, beside the log whatever its prefix
TITLE = "Report a near miss"
SCRIPT = Path(__file__).with_name("report.js")
SCRIPT_PATH = "assets/nearmiss-report.js"  # where SCRIPT goes in the site
# Optional fields the form offers besides those ``new`` asks: the contract's form has them.
EXTRA = ("touchpoint", "promise", "reported_by")
# A one-line value written plain (as ``new`` writes most), not quoted: a letter first, then
# only characters no YAML 1.1 reader gives a meaning to in a block or a flow list (no ':',
# '#', quotes, brackets), not ending in a space; and not one of the words YAML 1.1 reads
# as true, false or null. Anything else is written as a JSON string (report.js).
PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 .,'()/&!%+-]*[A-Za-z0-9.)'!%])?")
YAML11_WORDS = ("y", "yes", "n", "no", "true", "false", "on", "off", "null")


@dataclass(frozen=True)
class _Wording:
    """A field's question on the form: its label and the hint under it."""

    label: str
    hint: str = ""


# How the form asks each field, in plain words. The choices' words are ``new``'s.
WORDING = {
    "kind": _Wording("What kind of report is it?"),
    "title": _Wording("Title", "What nearly happened, or what happened, in one line."),
    "occurred": _Wording("When did it happen?", "Today, unless you change it."),
    "team": _Wording("Team", "Whose work it was in. Anyone may report for any team."),
    "what_happened": _Wording("What happened?", "The story, told blamelessly: what the "
                              "situation made likely, not who slipped."),
    "caught_by": _Wording("How was it caught?", "The save: who or what noticed, and how."),
    "caught_how": _Wording("What caught it?"),
    "kudos": _Wording("Who should be thanked?", "Names of people or teams, separated by "
                      "commas."),
    "customer_impact": _Wording("What did the customer experience?", "What they saw, "
                                "waited for or had to do."),
    "severity": _Wording("How bad was it?", "For a near miss: how bad it would have been."),
    "touchpoint": _Wording("Where did the customer meet it?"),
    "promise": _Wording("Which promise was at stake?"),
    "reported_by": _Wording("Your name", "Or write anonymous."),
}


@dataclass(frozen=True)
class NewFile:
    """A repository host's "new file" page for records: ``folder`` (ending in '/') is the
    page of the incidents folder, the year's folder and a query follow; ``name`` and
    ``content`` are the query's parameters for the file name and the text."""

    host: str
    folder: str
    name: str
    content: str


# An edit link's base, as ``edit_url`` or repo_url + edit_uri give it: the "new file" page
# has the same path with 'new' for 'edit'. GitHub's repository is two path segments
# (…/OWNER/REPO/edit/BRANCH/), GitLab's any number of groups deep (…/-/edit/BRANCH/).
_GITLAB = re.compile(r"(?P<repo>https?://[^?#]+?)/-/(?:edit|blob)/(?P<rest>[^?#]+)\Z")
_GITHUB = re.compile(r"(?P<repo>https?://[^/?#]+/[^/?#]+/[^/?#]+)/(?:edit|blob)/"
                     r"(?P<rest>[^?#]+)\Z")


def new_file(edit_base: str | None, incidents: str) -> NewFile | None:
    """Where to propose a record, from the site's edit links and the incidents folder
    relative to the folder those links start at; None for a host of neither shape."""
    folder = "" if incidents in ("", ".") else incidents.strip("/") + "/"
    if match := _GITLAB.match(edit_base or ""):
        url = f"{match['repo']}/-/new/{match['rest'].rstrip('/')}/{folder}"
        return NewFile("GitLab", url, "file_name", "content")
    if match := _GITHUB.match(edit_base or ""):
        url = f"{match['repo']}/new/{match['rest'].rstrip('/')}/{folder}"
        host = urlsplit(url).hostname or ""
        return NewFile("GitHub" if "github" in host else host, url, "filename", "value")
    return None


def form_fields() -> list[str]:
    """What the form asks: every field ``new`` asks of any kind, each kind's in ``new``'s
    order (a field only one kind asks comes after the one it follows there), then the
    optional extras."""
    merged: list[str] = []
    for kind in KINDS:
        at = 0
        for name in asked_fields(kind):
            if name in merged:
                at = merged.index(name) + 1
            else:
                merged.insert(at, name)
                at += 1
    return merged + [name for name in EXTRA if name not in merged]


def page(taxonomy: Taxonomy, target: NewFile | None) -> str:
    """The page's Markdown: an introduction, the form, where the record appears, and
    the script (relative to the page, which is report/index.md whatever the URLs)."""
    # the browser knows today; a fixed day keeps the page the same whenever it is built
    questions = {name: question(name, KINDS[0], taxonomy, date.min) for name in form_fields()}
    data = {
        "data-order": " ".join(FIELDS),
        "data-status": next(iter(STATUS_RULES)),
        "data-header": record_text({}),
        "data-title-max": str(FIELDS["title"].max_length),
        "data-plain": PLAIN.pattern,
        "data-words": " ".join(YAML11_WORDS),
    }
    if target is not None:
        data.update({"data-new-file": target.folder, "data-host": target.host,
                     "data-name-param": target.name, "data-content-param": target.content})
    attrs = " ".join(f'{key}="{attr(value).replace(chr(10), "&#10;")}"'
                     for key, value in data.items())
    lines = [
        f"# {TITLE}",
        "",
        "Caught something before it reached a customer, or saw one reach them? Tell it "
        "here. Nobody is blamed: we record near misses and failures to learn from them "
        "cheaply, and to thank the people who caught them.",
        "",
        "The form writes the record for you. Nothing you type leaves this page until you "
        "send it on yourself.",
        "",
        f'<form class="nm-report" id="nearmiss-form" novalidate {attrs}>',
        '<p class="nm-report__noscript" id="nm-report-noscript">This form needs '
        "JavaScript, which is turned off or still loading.</p>",
    ]
    for name, q in questions.items():
        lines += _field(name, q)
    lines += [
        '<p class="nm-report__checks">The form checks what it can here: what this kind of '
        "report needs, that the title fits on one line of at most "
        f"{FIELDS['title'].max_length} characters, and that the date is real and not in "
        "the future. Everything else (the blameless wording, and personal data such as "
        "phone numbers or e-mail addresses, which must not be published) is checked in the "
        "pull request.</p>",
        '<p><button type="submit" class="md-button md-button--primary nm-button">Write the record'
        "</button></p>",
        '<p class="nm-report__summary" id="nm-report-summary" role="alert" hidden></p>',
        "</form>",
        "",
        '<section class="nm-report__result" id="nm-report-result" '
        'aria-labelledby="nm-report-result-title" hidden>',
        '<h2 id="nm-report-result-title" tabindex="-1">Your record</h2>',
        _next_step(target),
        '<p>Its file: <code>incidents/<span id="nearmiss-path"></span></code></p>',
        '<pre class="nm-report__yaml" tabindex="0" aria-label="The record, as YAML">'
        '<code id="nearmiss-yaml"></code></pre>',
        '<p class="nm-report__actions">'
        + (f'<a class="md-button md-button--primary nm-button" id="nm-report-propose" '
           f'target="_blank" rel="noopener">Propose it on {attr(target.host)}</a> '
           if target is not None else "")
        + '<button type="button" class="md-button nm-button" id="nm-report-copy">Copy'
        '</button> <button type="button" class="md-button nm-button" '
        'id="nm-report-download">Download</button></p>',
        '<p class="nm-report__status" id="nm-report-status" role="status"></p>',
        "</section>",
        "",
        f'<script src="../{SCRIPT_PATH}" defer></script>',
    ]
    return "\n".join(lines) + "\n"


def _next_step(target: NewFile | None) -> str:
    if target is None:
        return ("<p>Copy it or download it, then add it to the learning log's repository "
                "below <code>incidents/</code> (or send it to whoever keeps the log). Its "
                "check runs on the pull request.</p>")
    return (f"<p>Propose it on {attr(target.host)}: the page opens with the file filled in, "
            "and you only press the button to propose the change. Its check runs on the "
            "pull request. You can also copy it or download it.</p>"
            '<p class="nm-report__long" id="nm-report-long" hidden>This record is too long '
            f"to hand to {attr(target.host)} in a link: copy or download it, and add it "
            "there as a new file at the path below.</p>")


def _field(name: str, q: Question) -> list[str]:
    """One field: label, hint, control and the place for its error, shown for the kinds
    that ask it and required for those that need it (report.js reads ``data-kinds``)."""
    wording = WORDING[name]
    shown = [kind for kind in KINDS if name in asked_fields(kind)] or list(KINDS)
    spec = FIELDS[name]
    # what the record must have is required here, ``occurred`` too: ``new`` fills it in
    # with today when not given, the form from the start
    needed = [kind for kind in shown if spec.required or name in required_fields(kind)]
    ids = f"nm-hint-{name} nm-error-{name}" if wording.hint else f"nm-error-{name}"
    hint = (f'<span class="nm-report__hint" id="nm-hint-{name}">{attr(wording.hint)}</span>'
            if wording.hint else "")
    error = f'<span class="nm-report__error" id="nm-error-{name}" hidden></span>'
    optional = '<span class="nm-report__optional">(optional)</span>'
    opening = (f'<div class="nm-report__field" data-field="{name}" data-type="{spec.type}" '
               f'data-kinds="{" ".join(shown)}" data-required="{" ".join(needed)}">')
    if name == "kind":
        assert q.choices is not None
        radios = "".join(
            f'<label class="nm-report__choice"><input type="radio" name="kind" '
            f'value="{attr(key)}"{" checked" if key == q.default else ""} '
            f'aria-describedby="{ids}"> <strong>{attr(_kind_name(key))}</strong>: '
            f"{attr(words)}</label>" for key, words in q.choices.items())
        return [opening, f'<fieldset><legend>{attr(wording.label)}</legend>{hint}{radios}'
                f"{error}</fieldset>", "</div>"]
    label = (f'<label for="nm-{name}">{attr(wording.label)} {optional}</label>'
             if not needed else f'<label for="nm-{name}">{attr(wording.label)}</label>')
    common = f'id="nm-{name}" name="{name}" aria-describedby="{ids}"'
    if q.choices is not None:
        first = "Choose one" if needed else "Not said"
        options = "".join(
            f'<option value="{attr(key)}"{" selected" if key == q.default else ""}>'
            f"{attr(_choice_text(key, words, q.labelled))}</option>"
            for key, words in q.choices.items())
        control = f'<select {common}><option value="">{first}</option>{options}</select>'
    elif spec.type == "markdown":
        control = f'<textarea {common} rows="5"></textarea>'
    elif spec.type == "date":
        control = f'<input type="date" {common}>'
    else:
        control = f'<input type="text" {common} autocomplete="{_autocomplete(name)}">'
    return [opening, label, hint, control, error, "</div>"]


def _kind_name(kind: str) -> str:
    return KIND_RULES[kind].a.removeprefix("a ").removeprefix("an ").capitalize()


def _choice_text(key: str, words: str, labelled: bool) -> str:
    """A taxonomy term by its label; a model choice by its key and ``new``'s words."""
    if labelled:
        return words or key
    return f"{key}: {words}" if words else key


def _autocomplete(name: str) -> str:
    return "name" if name == "reported_by" else "off"
