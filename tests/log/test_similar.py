"""Similar records: the core (nearmiss.log.similar) on a hand-made log, `nearmiss similar`
through the command line, and what `nearmiss new` says after writing a record."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from helpers import SAMPLE_LOG, add_record, cli_runner, minimal_near_miss
from hypothesis import given, settings
from hypothesis import strategies as st

from nearmiss.cli import cli
from nearmiss.log import similar
from nearmiss.log.checker import check_tree
from nearmiss.record.model import Record

OLD_ACCOUNT = "2026-03-02-refund-went-to-the-old-account"
EXPIRED_CARD = "2026-03-09-refund-nearly-sent-to-an-expired-card"
# (id, title, story): two retellings of one problem in other words, and stories of
# other problems that share only everyday words with them
STORIES = [
    (OLD_ACCOUNT, "Refund went to the old account",
     "The refund for a cancelled boiler service was paid into the bank account the "
     "customer had closed in spring; the bank returned the refund three weeks later."),
    (EXPIRED_CARD, "Refund nearly sent to an expired card",
     "A refund for a cancelled service was keyed against the card on file, which had "
     "expired; the billing agent saw it before paying and asked for new bank details."),
    ("2026-03-03-parcel-left-at-the-wrong-door", "Parcel left at the wrong door",
     "The courier left the thermostat parcel at number 12 instead of 21 and marked it "
     "delivered; the neighbour brought it round the following evening."),
    ("2026-03-04-technician-late-without-a-call", "Technician late without a call",
     "The morning visit overran by two hours and nobody phoned the next household, who "
     "had taken the afternoon off work to let the engineer in."),
    ("2026-03-05-chat-bot-quoted-last-years-fee", "Chat bot quoted last year's fee",
     "The chat assistant answered from an old price list and promised a call-out charge "
     "that had gone up in January."),
    ("2026-03-06-van-stock-showed-parts-in-transit", "Van stock showed parts in transit",
     "The stock screen counted valves still on the lorry as on the van, so the job was "
     "booked for a day the part could not be fitted."),
    ("2026-03-07-gas-certificate-nearly-emailed-to-tenant",
     "Gas certificate nearly e-mailed to the previous tenant",
     "The safety certificate was addressed to the tenant who moved out in May; the "
     "landlord spotted the name on the draft."),
    ("2026-03-08-queue-message-promised-callback", "Queue message promised a callback",
     "The phone queue still offered callbacks after the callback service was switched "
     "off for the holidays."),
    ("2026-03-10-flue-test-nearly-skipped", "Flue test nearly skipped at the end of a shift",
     "Late in a long shift the engineer nearly left before the flue gas analyser reading; "
     "the checklist on the tablet would not close the job without it."),
    ("2026-03-11-promo-code-stacked-below-cost", "Promo code stacked below cost",
     "Two discount vouchers combined at checkout and sold smart radiator valves for less "
     "than they cost us."),
]


def write_log(root: Path, internal: tuple[str, ...] = ()) -> Path:
    """The sample log and the stories above: how rare a word is, and so what a shared
    word says, is judged against a log of real size."""
    folder = root / "incidents"
    shutil.copytree(SAMPLE_LOG, folder)
    for record_id, title, story in STORIES:
        extra = {"visibility": "internal"} if record_id in internal else {}
        add_record(folder, f"{record_id}.yaml", minimal_near_miss(
            record_id[:10], title=json.dumps(title), what_happened=json.dumps(story),
            team="billing", caught_by=json.dumps("Someone noticed."), **extra))
    return folder


@pytest.fixture
def hand_made(tmp_path: Path) -> list[Record]:
    records = check_tree(write_log(tmp_path), date(2026, 11, 30)).records
    assert {r.id for r in records} >= {record_id for record_id, _, _ in STORIES}
    return records


def test_retellings_find_each_other(hand_made: list[Record]) -> None:
    everything = similar.similar_all(hand_made)
    for query, retelling in ((OLD_ACCOUNT, EXPIRED_CARD), (EXPIRED_CARD, OLD_ACCOUNT)):
        shown = [m.id for m in everything[query][:similar.SHOWN]
                 if m.score >= similar.THRESHOLD]
        assert retelling in shown, everything[query]
    assert similar.similar_to(hand_made, OLD_ACCOUNT) == everything[OLD_ACCOUNT]


def test_unrelated_stories_score_below_the_threshold(hand_made: list[Record]) -> None:
    everything = similar.similar_all(hand_made)
    pair = {OLD_ACCOUNT, EXPIRED_CARD}
    ours = {record_id for record_id, _, _ in STORIES}
    for record_id in ours:
        for m in everything[record_id]:
            if m.id in ours and {record_id, m.id} != pair:
                assert m.score < similar.THRESHOLD, (record_id, m)


def test_a_record_never_lists_itself_and_scores_are_ordered(hand_made: list[Record]) -> None:
    for record_id, matches in similar.similar_all(hand_made, top=20).items():
        assert record_id not in {m.id for m in matches}
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        assert all(0 < m.score <= 1 for m in matches)
        assert len(matches) <= 20


def test_top_limits_the_matches(hand_made: list[Record]) -> None:
    assert len(similar.similar_to(hand_made, OLD_ACCOUNT, top=1)) == 1


def test_free_text_finds_the_story(hand_made: list[Record]) -> None:
    found = similar.similar_text(hand_made, "the refund went to a closed bank account")
    assert OLD_ACCOUNT in [m.id for m in found[:3]]
    assert similar.similar_text(hand_made, "zzz qqq") == ()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_valid_matches(text: str) -> None:
    """Whatever a reporter types (quotes, FTS5 operators, other scripts), the text is data:
    never an error, scores in 0..1, best first."""
    records = check_tree(SAMPLE_LOG, date(2026, 11, 22)).records
    found = similar.similar_text(records, text + " refund")
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert all(0 < m.score <= 1 for m in found)
    assert len(found) <= similar.TOP


def test_match_as_dict_has_the_contract_keys() -> None:
    assert similar.Match("2026-01-01-x", 0.5, "X").as_dict() == {
        "id": "2026-01-01-x", "score": 0.5, "title": "X"}


def test_sample_related_pairs_are_found() -> None:
    """The sample log's own `related` links: the linked record is in the top 5 of the
    record that links it, for all but two of the 28 (docs/guide/figures.md says which)."""
    records = check_tree(SAMPLE_LOG, date(2026, 11, 22)).records
    everything = similar.similar_all(records)
    pairs = [(r.id, other) for r in records for other in r.related]
    missed = [(a, b) for a, b in pairs if b not in {m.id for m in everything[a]}]
    assert len(pairs) == 28
    assert missed == [("2026-07-16-new-chat-agent-promised-same-day-visit",
                       "2025-11-03-queue-message-promised-switched-off-callback"),
                      ("2026-09-29-account-merge-nearly-moved-payment-method",
                       "2026-03-05-service-reminder-for-removed-boiler")]


# --- the command line -----------------------------------------------------------------


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = cli_runner().invoke(cli, ["similar", "--incidents", str(folder), *args],
                                 catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_json_shape(tmp_path: Path) -> None:
    code, out, _ = run(write_log(tmp_path), OLD_ACCOUNT, "--format", "json", "--top", "3")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["query", "similar"] and data["query"] == OLD_ACCOUNT
    assert len(data["similar"]) == 3
    assert all(list(m) == ["id", "score", "title"] for m in data["similar"])
    assert {"id": EXPIRED_CARD, "score": pytest.approx(0.5, abs=0.5),
            "title": "Refund nearly sent to an expired card"} in data["similar"]
    assert OLD_ACCOUNT not in {m["id"] for m in data["similar"]}


def test_text_json_has_a_null_query(tmp_path: Path) -> None:
    code, out, _ = run(write_log(tmp_path), "--text", "refund to an expired card",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] is None and EXPIRED_CARD in [m["id"] for m in data["similar"]]


def test_text_lines_are_aligned_and_fit_80_columns(tmp_path: Path) -> None:
    code, out, _ = run(write_log(tmp_path), OLD_ACCOUNT)
    lines = out.splitlines()
    heads, titles = lines[0::2], lines[1::2]  # score and id, then the title below the id
    assert code == 0 and 2 <= len(heads) <= similar.TOP and len(titles) == len(heads)
    assert EXPIRED_CARD in [line.split()[1] for line in heads]
    assert all(len(line) <= 80 for line in lines)
    id_at = {line.index("2026-") for line in heads}
    assert len(id_at) == 1  # the ids line up
    assert {len(t) - len(t.lstrip()) for t in titles} == id_at  # titles start under them


def test_nothing_similar_is_said_and_exits_0(tmp_path: Path) -> None:
    assert run(write_log(tmp_path), "--text", "zzz") == (0, "No similar records.\n", "")


def test_unknown_id_exits_2_with_a_hint(tmp_path: Path) -> None:
    folder = write_log(tmp_path)
    code, out, err = run(folder, OLD_ACCOUNT.replace("account", "acount"))
    assert code == 2 and out == ""
    assert f"did you mean '{OLD_ACCOUNT}'?" in err
    code, _, err = run(folder, "2020-01-01-nothing-like-it")
    assert code == 2 and "is not in" in err and "did you mean" not in err


def test_a_record_with_errors_exits_2_and_says_so(tmp_path: Path) -> None:
    folder = write_log(tmp_path)
    add_record(folder, "2026-03-12-broken.yaml", minimal_near_miss("2026-03-12", kind="oops"))
    code, _, err = run(folder, "2026-03-12-broken")
    assert code == 2 and "has errors" in err and "nearmiss check" in err


@pytest.mark.parametrize("args", [(), (OLD_ACCOUNT, "--text", "refund")])
def test_exactly_one_of_id_and_text(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, _, err = run(write_log(tmp_path), *args)
    assert code == 2 and "--text" in err


def test_the_cli_may_list_internal_records(tmp_path: Path) -> None:
    code, out, _ = run(write_log(tmp_path, internal=(EXPIRED_CARD,)), OLD_ACCOUNT,
                       "--format", "json")
    assert code == 0 and EXPIRED_CARD in [m["id"] for m in json.loads(out)["similar"]]


# --- nearmiss new ---------------------------------------------------------------------

NEW = ["--no-input", "--kind", "near-miss", "--occurred", "2026-03-20", "--team", "billing",
       "--severity", "medium", "--title", "Refund nearly paid to a closed bank account",
       "--what-happened", "A refund for a cancelled service was nearly paid into the bank "
                          "account the customer had closed.",
       "--caught-by", "The billing agent saw the account was closed.",
       "--caught-how", "person"]


def test_new_names_records_seen_before(tmp_path: Path) -> None:
    folder = write_log(tmp_path)
    result = cli_runner().invoke(cli, ["new", "--incidents", str(folder), *NEW],
                                 catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Seen this before?" in out and OLD_ACCOUNT in out and "related" in out
    assert "2026-03-03-parcel-left-at-the-wrong-door" not in out
    assert out.index("Created") < out.index("Seen this before?") < out.index("Next:")


def test_new_succeeds_when_similarity_fails(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no index today")

    monkeypatch.setattr(similar, "similar_to", broken)
    folder = write_log(tmp_path)
    result = cli_runner().invoke(cli, ["new", "--incidents", str(folder), *NEW],
                                 catch_exceptions=False)
    assert result.exit_code == 0
    assert "Created" in result.stdout and "Seen this before?" not in result.stdout


def test_a_sqlite_without_fts5_exits_2_and_says_so(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fts5(_sql: str) -> None:
        raise similar.sqlite3.OperationalError("no such module: fts5")

    class Connection:  # what sqlite3.connect gives a Python built without FTS5
        execute = staticmethod(no_fts5)

        def close(self) -> None:
            pass

    folder = write_log(tmp_path)
    monkeypatch.setattr(similar.sqlite3, "connect", lambda _name, **_options: Connection())
    code, out, err = run(folder, OLD_ACCOUNT)
    assert (code, out) == (2, "")
    assert err.endswith("has no FTS5, which similar records need\n")


def test_kept_finds_again_the_lists_of_edited_records_only(hand_made: list[Record]) -> None:
    """``Kept`` (the site while serving): a first pass is ``similar_all``; after an edit
    to one story, that record's list is the one a fresh index of the edited log gives,
    the others are kept from the pass before, and every title is the record's own."""
    kept = similar.Kept()
    before = similar.similar_all(hand_made)
    assert kept.all(hand_made) == before
    at = next(i for i, r in enumerate(hand_made) if r.id == EXPIRED_CARD)
    story = "The parcel courier left the thermostat at the wrong door number again."
    edited = [*hand_made]
    edited[at] = replace(hand_made[at], what_happened=story, title="Card refund, retold")
    found = kept.all(edited)
    assert found[EXPIRED_CARD] == similar.similar_to(edited, EXPIRED_CARD)
    assert found[EXPIRED_CARD] != before[EXPIRED_CARD]
    for r in hand_made:
        if r.id != EXPIRED_CARD:
            assert [(m.id, m.score) for m in found[r.id]] == \
                [(m.id, m.score) for m in before[r.id]]
    titles = {r.id: r.title for r in edited}
    assert all(m.title == titles[m.id] for matches in found.values() for m in matches)
    assert any(m.id == EXPIRED_CARD for matches in found.values() for m in matches)


def test_kept_matches_all_again_when_records_come_or_go(hand_made: list[Record]) -> None:
    kept = similar.Kept()
    kept.all(hand_made)
    edited = [replace(hand_made[0], what_happened="A story told anew, in other words."),
              *hand_made[1:]]
    kept.all(edited)
    fewer = [r for r in edited if r.id != OLD_ACCOUNT]
    assert kept.all(fewer) == similar.similar_all(fewer)
    assert kept.all(fewer, top=2) == similar.similar_all(fewer, top=2)
    assert kept.all(fewer, top=2) is kept.all(fewer, top=2)  # nothing changed: kept
