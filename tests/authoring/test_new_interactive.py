"""`nearmiss new` as a reporter meets it: every answer checked as it is typed and asked
again with the reason, choices matched as people type them, the check's warnings shown
before writing (with a chance to change the answer), and a reused name told."""

from __future__ import annotations

import contextlib
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from helpers import TAXONOMY_FIXTURE, cli_runner, minimal_near_miss

from nearmiss.authoring import new
from nearmiss.cli import cli
from nearmiss.log.checker import file_tree_problems
from nearmiss.record.rules import check_record
from nearmiss.record.taxonomy import Taxonomy, parse_taxonomy

TODAY = date.today()
NAME = "2026-03-14-refund-nearly-sent-to-a-closed-account.yaml"
HEADER = (
    "# yaml-language-server: $schema=../../.nearmiss-schema.json\n"
    "# A near miss or service failure, recorded for learning (blameless: describe what\n"
    "# the system made likely, not who slipped). `nearmiss schema` describes every field.\n"
    "# Check it with `nearmiss check`, then commit it and open a pull request.\n")
# kind, title, occurred, team, what_happened, caught_by, caught_how, kudos, severity
ANSWERS = ["near-miss", "Refund nearly sent to a closed account", "2026-03-14", "billing",
           "The refund screen showed the old account as active.",
           "Jonas checked the account status first.", "person", "Jonas Lindqvist", "high"]
WRITTEN = HEADER + f"""\
title: Refund nearly sent to a closed account
kind: near-miss
status: open
occurred: 2026-03-14
reported: {TODAY}
team: billing
severity: high
what_happened: |
  The refund screen showed the old account as active.
caught_by: |
  Jonas checked the account status first.
caught_how: person
kudos: [Jonas Lindqvist]
"""
NEXT = ("Next: read it over (add touchpoint and promise if you like), then commit it and "
        "open a pull request. Thank you for reporting!")


def run(*answers: str, args: tuple[str, ...] = ()) -> Result:
    return cli_runner().invoke(cli, ["new", *args], input="".join(a + "\n" for a in answers),
                               catch_exceptions=False)


def answers(**changed: str | list[str]) -> list[str]:
    """ANSWERS with some replaced by field name; a list answers one question several
    times (refused answers, then the one taken)."""
    fields = ["kind", "title", "occurred", "team", "what_happened", "caught_by",
              "caught_how", "kudos", "severity"]
    out: list[str] = []
    for field, answer in zip(fields, ANSWERS, strict=True):
        given = changed.get(field, answer)
        out += given if isinstance(given, list) else [given]
    return out


def check_says(name: str, value: str) -> str:
    """What `nearmiss check` says of a record with this value (its message and hint): the
    reason an answer is refused with."""
    taxonomy = parse_taxonomy(TAXONOMY_FIXTURE.read_bytes(), "_taxonomy.yaml")
    checked = check_record(minimal_near_miss(**{name: f'"{value}"'}).encode(),
                           "2026-03-14-x.yaml", taxonomy)
    problems = checked.problems + file_tree_problems(checked, {}, TODAY)
    found = [p for p in problems if p.field == f"/{name}" and p.is_error]
    assert len(found) == 1, found
    return found[0].message + (f"; {found[0].hint}" if found[0].hint else "")


def files(log: Path) -> list[str]:
    return sorted(str(p.relative_to(log)) for p in log.rglob("*.yaml")
                  if p.name != "_taxonomy.yaml")


def test_a_bad_date_is_asked_again_and_a_day_first_one_is_read_day_month_year(
        log: Path) -> None:
    result = run(*answers(occurred=["14/13/2026", "14/03/2026"],
                          kudos="Jonas Lindqvist; the billing night shift"))
    assert result.exit_code == 0
    assert result.stdout == f"""\
Kind:
  near-miss              caught before the customer felt it
  failure                it reached the customer
Kind [near-miss]: near-miss
Title (what nearly happened, one line): Refund nearly sent to a closed account
Date it happened (DD/MM/YYYY or YYYY-MM-DD) [{TODAY}]: 14/13/2026
Try again: '14/13/2026' is not a date: there is no month 13; write it like 2026-03-14 or \
14/03/2026 (day, month, year)
Date it happened (DD/MM/YYYY or YYYY-MM-DD) [{TODAY}]: 14/03/2026
  read as 14 March 2026 (2026-03-14)
Team (whose work it was in):
  field-service          Field service
  billing                Billing
  support-desk           Support desk
Team (whose work it was in): billing
What happened (the story, blameless): The refund screen showed the old account as active.
How was it caught? (the save: who or what noticed, and how): Jonas checked the account \
status first.
Caught by what? barrier/person/customer/luck:
  barrier                a designed check
  person                 someone's attention
  customer               the customer told us
  luck                   plain luck
Caught by what? barrier/person/customer/luck [person]: person
Kudos: who to thank for the save (optional; separate names with commas): Jonas Lindqvist; \
the billing night shift
Severity (how bad it was, or would have been):
  low                    an inconvenience
  medium                 a broken promise
  high                   real cost or distress for the customer
  critical               safety, legal or lasting harm
Severity (how bad it was, or would have been) [medium]: high
Created incidents/2026/{NAME}
{NEXT}
"""
    assert result.stderr == ""
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN.replace(
        "kudos: [Jonas Lindqvist]", "kudos: [Jonas Lindqvist, the billing night shift]")
    assert run_check(log).exit_code == 0


def run_check(log: Path, *paths: str) -> Result:
    return cli_runner().invoke(cli, ["check", "--strict", *paths], catch_exceptions=False)


@pytest.mark.parametrize("typed", ["14.03.2026", "14-03-2026", "14/3/2026", "2026-3-14"])
def test_day_first_and_unpadded_dates_are_written_as_iso(log: Path, typed: str) -> None:
    result = run(*answers(occurred=typed))
    assert result.exit_code == 0
    assert "  read as 14 March 2026 (2026-03-14)\n" in result.stdout
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN


@pytest.mark.parametrize(("typed", "reason"), [
    ("31/02/2026", "'31/02/2026' is not a date: February 2026 has no day 31; write it like "
                   "2026-03-14 or 14/03/2026 (day, month, year)"),
    ("14/03/26", "'14/03/26': write the year in full, e.g. 14/03/2026"),
    ("March 14", "'March 14' is not a date; write it like 2026-03-14 or 14/03/2026 "
                 "(day, month, year)"),
    ("2026-02-30", check_says("occurred", "2026-02-30")),
    ("2026-03-14 10:40", check_says("occurred", "2026-03-14 10:40")),
    ((TODAY + timedelta(days=1)).strftime("%d/%m/%Y"),
     check_says("occurred", str(TODAY + timedelta(days=1)))),
])
def test_a_date_the_checker_refuses_is_asked_again_with_its_reason(
        log: Path, typed: str, reason: str) -> None:
    result = run(*answers(occurred=[typed, "2026-03-14"]))
    assert result.exit_code == 0
    assert f"Try again: {reason}\n" in result.stdout
    assert result.stdout.count("Date it happened") == 2
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN


def test_a_title_is_checked_when_typed_not_after_the_last_question(log: Path) -> None:
    long = "x" * 121
    result = run(*answers(title=["   ", long, "Refund nearly sent to a closed account"]))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "Try again: the title cannot be left empty" in lines
    assert f"Try again: {check_says('title', long)}" in lines
    assert check_says("title", long).startswith("the title has 121 characters")
    assert "nothing was written" not in result.output
    assert "--no-input" not in result.output
    assert files(log) == [f"2026/{NAME}"]


def test_an_empty_story_is_asked_again(log: Path) -> None:
    result = run(*answers(what_happened=["", ANSWERS[4]]))
    assert result.exit_code == 0
    assert "Try again: the story cannot be left empty\n" in result.stdout
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN


def test_team_labels_and_any_case_are_taken_for_choices(log: Path) -> None:
    result = run(*answers(kind="NEAR MISS", team=["Suport desk", "support DESK"],
                          caught_how="Person", severity="High"))
    assert result.exit_code == 0
    assert ("Try again: 'Suport desk' is not one of the choices; did you mean "
            "'support-desk' (Support desk)?\n") in result.stdout
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == \
        WRITTEN.replace("team: billing", "team: support-desk")


def test_a_choice_near_a_key_gets_a_did_you_mean(log: Path) -> None:
    result = run(*answers(severity=["hgih", "critcal", "Critical"]))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "Try again: 'hgih' is not one of the choices; did you mean 'high'?" in lines
    assert "Try again: 'critcal' is not one of the choices; did you mean 'critical'?" in lines
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == \
        WRITTEN.replace("severity: high", "severity: critical")
    # the list of choices is shown once, not again with every retry
    assert result.stdout.count("  critical               safety, legal or lasting harm") == 1


def test_a_failure_is_asked_what_happened_and_what_the_customer_experienced(
        log: Path) -> None:
    result = run("failure", "Parcel sent to the old address", "03/02/2026", "Field Service",
                 "The label printed the address from the old account.",
                 "The customer waited three days for the part.", "medium")
    assert result.exit_code == 0
    prompts = [line.split(": ")[0] for line in result.stdout.splitlines()
               if ": " in line and not line.startswith(("  ", "Next"))]
    assert prompts == [
        "Kind [near-miss]", "Title (what happened, one line)",
        f"Date it happened (DD/MM/YYYY or YYYY-MM-DD) [{TODAY}]",
        "Team (whose work it was in)", "What happened (the story, blameless)",
        "What did the customer experience? (what they saw, waited for or had to do)",
        "Severity (how bad it was, or would have been) [medium]"]
    path = log / "2026" / "2026-02-03-parcel-sent-to-the-old-address.yaml"
    assert path.read_text(encoding="utf-8") == HEADER + f"""\
title: Parcel sent to the old address
kind: failure
status: open
occurred: 2026-02-03
reported: {TODAY}
team: field-service
severity: medium
what_happened: |
  The label printed the address from the old account.
customer_impact: |
  The customer waited three days for the part.
"""


@pytest.mark.parametrize("kind", ["near-miss", "failure"])
def test_no_prompt_ends_in_a_doubled_question_mark(kind: str, taxonomy: Taxonomy) -> None:
    for question in new.questions(kind, taxonomy, TODAY):
        assert not question.label.endswith("?"), question.label
        assert "?:" not in question.label


def test_each_save_prompt_fills_the_field_it_names(taxonomy: Taxonomy) -> None:
    asked = {q.field: q for q in new.questions("near-miss", taxonomy, TODAY)}
    assert asked["caught_by"].label.startswith("How was it caught? (the save")
    assert asked["caught_how"].label == "Caught by what? barrier/person/customer/luck"
    assert asked["kudos"].label.startswith("Kudos: who to thank for the save (optional")
    assert not asked["kudos"].required and asked["kudos"].many
    assert new.asked_fields("near-miss") == [
        "kind", "title", "occurred", "team", "what_happened", "caught_by", "caught_how",
        "kudos", "severity"]
    assert "kudos" not in new.asked_fields("failure")


def test_a_story_the_check_warns_about_is_shown_and_can_be_edited_away(log: Path) -> None:
    flagged = "Jonas at 12 High Street made a human error."
    result = run(*answers(what_happened=flagged), "", ANSWERS[4])
    assert result.exit_code == 0
    where = f"incidents/2026/{NAME}"
    assert [(line.split(": ")[0], line.split()[-1]) for line in result.stderr.splitlines()] \
        == [(f"{where}:13:12", "[personal-data]"), (f"{where}:13:34", "[blaming-language]")]
    # exactly as `nearmiss check` prints them: the same text written anyway, checked
    assert result.stderr == written_anyway(log, flagged)
    assert result.stdout.endswith(
        "Severity (how bad it was, or would have been) [medium]: high\n"
        "Edit the story before writing? [Y/n]: \n"
        f"  It says: {flagged}\n"
        f"What happened (the story, blameless): {ANSWERS[4]}\n"
        f"Created {where}\n{NEXT}\n")
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN
    assert run_check(log).exit_code == 0


def written_anyway(log: Path, story: str) -> str:
    """The warnings `nearmiss check` prints for the record with this story (in a log of
    its own), without the summary line."""
    other = log.parent / "other"
    shutil.copytree(log, other / "incidents", ignore=shutil.ignore_patterns("20*"))
    text = WRITTEN.replace(ANSWERS[4], story)
    (other / "incidents" / "2026").mkdir()
    (other / "incidents" / "2026" / NAME).write_text(text, encoding="utf-8")
    with contextlib.chdir(other):
        done = cli_runner().invoke(cli, ["check"])
    assert done.exit_code == 0
    return "".join(line + "\n" for line in done.stdout.splitlines()[:-1])


def test_the_warnings_are_the_checks_own_and_the_record_can_be_written_anyway(
        log: Path) -> None:
    flagged = "Jonas at 12 High Street made a human error."
    result = run(*answers(what_happened=flagged), "n")
    assert result.exit_code == 0
    assert "Edit the story before writing? [Y/n]: n\n" in result.stdout
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == \
        WRITTEN.replace(ANSWERS[4], flagged)
    check = cli_runner().invoke(cli, ["check", f"incidents/2026/{NAME}"])
    assert check.exit_code == 0
    assert result.stderr.splitlines() == check.stdout.splitlines()[:-1]
    assert check.stdout.splitlines()[-1] == "checked 1 record: 0 errors, 2 warnings"


def test_the_logs_own_settings_decide_the_warnings(log: Path) -> None:
    (log / "_settings.yaml").write_text('personal_data:\n  allow: ["12 High Street"]\n'
                                        'blame:\n  except: ["human error"]\n',
                                        encoding="utf-8")
    flagged = "Jonas at 12 High Street made a human error."
    result = run(*answers(what_happened=flagged))
    assert result.exit_code == 0 and result.stderr == ""
    assert "Edit the" not in result.stdout


def test_without_input_the_warnings_are_printed_and_the_record_written(log: Path) -> None:
    result = cli_runner().invoke(cli, [
        "new", "--no-input", "--kind", "Near-Miss", "--title", ANSWERS[1], "--occurred",
        "14.03.2026", "--team", "Billing", "--severity", "HIGH", "--what-happened",
        "Jonas made a human error.", "--caught-by", ANSWERS[5], "--caught-how", "person",
        "--kudos", "Jonas Lindqvist"])
    assert result.exit_code == 0
    assert result.stderr == written_anyway(log, "Jonas made a human error.")
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [
        f"incidents/2026/{NAME}:13:16"]
    assert result.stdout == f"Created incidents/2026/{NAME}\n{NEXT}\n"
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == \
        WRITTEN.replace(ANSWERS[4], "Jonas made a human error.")


def test_an_option_the_checker_refuses_is_said_and_asked(log: Path) -> None:
    result = run(*answers(), args=("--title", "   ", "--occurred", "2999-01-01"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Not taken from --title: the title cannot be left empty"
    assert lines[1] == f"Not taken from --occurred: {check_says('occurred', '2999-01-01')}"
    assert (log / "2026" / NAME).read_text(encoding="utf-8") == WRITTEN


def test_a_reused_title_names_the_record_that_has_it(log: Path) -> None:
    assert run(*answers()).exit_code == 0
    result = run(*answers()[:3], "", *answers()[3:])
    assert result.exit_code == 0
    second = NAME.replace(".yaml", "-2.yaml")
    assert result.stderr == (
        f"nearmiss: a record with this name already exists: incidents/2026/{NAME}, "
        f"'Refund nearly sent to a closed account'; this one will be {second}\n")
    # told right after the date, before the story is typed
    assert (f"Date it happened (DD/MM/YYYY or YYYY-MM-DD) [{TODAY}]: 2026-03-14\n"
            "Record this one too:\n"
            f"  new                    yes, as {second}\n"
            f"  related                yes, and link it to {NAME[:-5]} (related)\n"
            "  stop                   no: stop here, nothing is written\n"
            "Record this one too [new]: \n"
            "Team (whose work it was in):\n") in result.stdout
    assert (log / "2026" / second).read_text(encoding="utf-8") == WRITTEN
    assert files(log) == [f"2026/{second}", f"2026/{NAME}"]


def test_a_reused_title_can_be_linked_as_related(log: Path) -> None:
    assert run(*answers()).exit_code == 0
    result = run(*answers()[:3], "Related", *answers()[3:])
    assert result.exit_code == 0
    second = log / "2026" / NAME.replace(".yaml", "-2.yaml")
    assert second.read_text(encoding="utf-8") == WRITTEN + f"related: [{NAME[:-5]}]\n"
    assert run_check(log).exit_code == 0


def test_a_reused_title_lets_the_reporter_stop(log: Path) -> None:
    assert run(*answers()).exit_code == 0
    result = run(*answers()[:3], "stop")
    assert result.exit_code == 0
    assert result.stdout.endswith("Record this one too [new]: stop\n"
                                  "Stopped; nothing was written.\n")
    assert files(log) == [f"2026/{NAME}"]


def test_a_reused_title_without_input_is_told_and_written_as_dash_2(log: Path) -> None:
    args = ["new", "--no-input", "--kind", "near-miss", "--title", ANSWERS[1],
            "--occurred", "2026-03-14", "--team", "billing", "--severity", "high",
            "--what-happened", ANSWERS[4], "--caught-by", ANSWERS[5], "--caught-how",
            "person", "--kudos", ANSWERS[7]]
    assert cli_runner().invoke(cli, args).exit_code == 0
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 0
    second = NAME.replace(".yaml", "-2.yaml")
    assert result.stderr == (
        f"nearmiss: a record with this name already exists: incidents/2026/{NAME}, "
        f"'Refund nearly sent to a closed account'; this one will be {second}\n")
    assert (log / "2026" / second).read_text(encoding="utf-8") == WRITTEN


@pytest.mark.parametrize(("typed", "iso"), [
    ("2026-03-14", "2026-03-14"), ("14/03/2026", "2026-03-14"), ("4.3.2026", "2026-03-04"),
    ("2026-03-14T10:40:00+01:00", "2026-03-14T10:40:00+01:00"), ("2026/3/4", "2026-03-04"),
])
def test_parse_day(typed: str, iso: str) -> None:
    assert new.parse_day(typed) == iso


@pytest.mark.parametrize(("typed", "key"), [
    ("Dispatch and scheduling", "dispatch"), ("DISPATCH", "dispatch"),
    ("field_service", "field-service"), ("Field Service", "field-service"),
    ("fieldservice", "field-service"),
])
def test_choose_matches_keys_and_labels_loosely(typed: str, key: str) -> None:
    choices = {"field-service": "Field service", "dispatch": "Dispatch and scheduling"}
    assert new.choose(typed, choices, labelled=True) == key


def test_choose_says_what_is_close_or_what_there_is() -> None:
    choices = {"field-service": "Field service", "dispatch": "Dispatch and scheduling"}
    with pytest.raises(new.BadAnswer, match=r"^'Dispach and scheduling' is not one of the "
                       r"choices; did you mean 'dispatch' \(Dispatch and scheduling\)\?$"):
        new.choose("Dispach and scheduling", choices, labelled=True)
    with pytest.raises(new.BadAnswer, match=r"^'billing' is not one of the choices: "
                       r"field-service, dispatch$"):
        new.choose("billing", choices, labelled=True)
    with pytest.raises(new.BadAnswer, match="not one of the choices"):
        new.choose("Dispatch and scheduling", choices)  # labels: only the taxonomy's


def test_the_tree_is_listed_once_per_session_not_per_answer(
        log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every typed answer is checked against the records already there; at 10,000 records
    walking the tree per answer would make each prompt wait."""
    from nearmiss.authoring import new as new_module

    listed: list[Path] = []
    real = new_module.discover

    def counting(folder: Path) -> list[str]:
        listed.append(folder)
        return real(folder)

    monkeypatch.setattr(new_module, "discover", counting)
    result = run(*answers(occurred=["14/13/2026", "14/03/2026"]))
    assert result.exit_code == 0
    assert len(listed) == 1
