"""The one type every check reports through, and the catalogue of stable rule codes.

Codes are part of the command-line contract: CI scripts and editors match on them, so a
code, once published, keeps its meaning forever. The catalogue also feeds the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, pointed at the value it concerns (1-based line and column)."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    field: str = ""
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


# code -> one-line description; the documentation page of rules is generated from this.
CODES: dict[str, str] = {
    "file-unreadable": "The file could not be read (permissions, a folder named like a record).",
    "file-encoding": "The file is not valid UTF-8 text.",
    "file-too-large": "The file is larger than a record can be (1 MiB).",
    "symlink-outside": "A link to a file outside the incidents folder; refused, not read.",
    "yaml-syntax": "The file is not valid YAML.",
    "yaml-multiple-documents": "A record file holds more than one YAML document.",
    "yaml-alias": "Aliases (*name) are not allowed in records; write values out in full.",
    "yaml-too-deep": "Values nested more than 100 levels deep.",
    "yaml-tag": "Explicit YAML tags (!!python/object, !custom) are not allowed.",
    "yaml-ambiguous": "An unquoted value that YAML 1.1 tools read as a boolean, number or null.",
    "duplicate-key": "A key is given twice in one mapping.",
    "empty-file": "The file holds no record.",
    "not-a-mapping": "A record (or an action, or follow_up) must be a mapping of field: value.",
    "invalid-id": "The file name, which is the record's id, is not YYYY-MM-DD-words-with-dashes.",
    "id-date-mismatch": "The id's date prefix differs from `occurred` (warning).",
    "wrong-year-folder": "The record is in a year folder other than the year of its id's "
                         "date (warning).",
    "not-in-year-folder": "The record is not below a year folder `incidents/YYYY/` "
                          "(warning).",
    "duplicate-id": "Two files in the tree have the same id.",
    "unknown-field": "A field the record format does not know (with a did-you-mean hint).",
    "missing-field": "A required field is absent.",
    "missing-for-kind": "A field the record's kind requires is absent "
                        "(caught_by, customer_impact).",
    "missing-for-status": "A field the record's or action's status requires is absent.",
    "near-miss-only": "A field that only a near miss can have was given on a failure.",
    "wrong-type": "A value has the wrong type (text, list or mapping expected).",
    "invalid-choice": "A value is not one of the allowed choices.",
    "empty-value": "A value is empty where text is needed.",
    "title-length": "A title must have 1 to 120 characters.",
    "title-line-break": "A title must stay on one line.",
    "invalid-date": "A date is not an ISO date (2026-03-14) or datetime with offset.",
    "date-no-offset": "A datetime lacks its UTC offset (+01:00 or Z).",
    "date-in-future": "A date of something that has happened lies in the future.",
    "date-order": "A date lies before the date the incident occurred.",
    "unknown-team": "`team` is not a key of `teams` in the taxonomy.",
    "unknown-touchpoint": "`touchpoint` is not a key of `touchpoints` in the taxonomy.",
    "unknown-promise": "`promise` is not a key of `promises` in the taxonomy.",
    "unknown-root-cause": "A root cause is not a `category/cause` key of the taxonomy.",
    "unknown-action-type": "An action's `type` is not a key of `action_types` in the taxonomy "
                           "(or the taxonomy has none).",
    "duplicate-item": "A list names the same item twice.",
    "empty-list": "A list that must name at least one item is empty.",
    "action-still-open": "A closed record still has an open action.",
    "actions-and-no-action": "Both `actions` and `no_action` are given; choose one.",
    "closed-date-not-closed": "A `closed` date on a record whose status is not closed (warning).",
    "weak-actions-only": "A reviewed or closed failure whose actions (those not dropped) are "
                         "all typed, and all of a weaker type (warning).",
    "invalid-tag": "A tag must be lower-case letters, digits and dashes.",
    "unknown-related": "A `related` id names no record in the tree.",
    "self-related": "A record lists itself in `related`.",
    "taxonomy-missing": "The taxonomy file `_taxonomy.yaml` is absent.",
    "taxonomy-invalid": "The taxonomy file does not have the expected shape.",
    "settings-invalid": "The settings file `_settings.yaml` does not have the expected shape.",
    "personal-data": "Text that looks like an e-mail address, phone or card number or postal "
                     "address (warning).",
    "blaming-language": "Words that blame a person rather than describe the system "
                        "(warning).",
    "record-exists": "`nearmiss import`: the file a row would become already exists; "
                     "nothing is overwritten.",
}
