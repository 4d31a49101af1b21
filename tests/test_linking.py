"""Unit tests for statements.linking (pure Python, no database)."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from statements.linking import (
    LinkCandidate,
    blocking_keys,
    canonical_text,
    group,
    is_same_statement,
    normalize,
    similarity,
    word_diff,
)

BEIJING = (
    "There is no doubt that Beijing\u2019s coercive behavior threatens our collective security "
    "and prosperity and that it is actively working to downplay the rules of the international "
    "system and the values we share with our allies"
)
CCP = (
    "the Chinese Communist Party\u2019s coercive practices threaten our collective security and "
    "prosperity, and that the Chinese Communist Party is actively working to weaken the rules of "
    "the international system and the values we share with our allies."
)
COERCION = (
    "China uses coercion and aggression to systematically erode autonomy in Hong Kong, undermine "
    "democracy in Taiwan, abuse human rights in Xinjiang and Tibet, and assert maritime claims in "
    "the South China Sea that violate international law"
)
COERCED = (
    "When one of us is coerced we should respond as allies and work together to reduce our "
    "vulnerability to that pressure"
)
COMPLEX = (
    "We know that our allies have complex relations with China that will not always align "
    "perfectly, but we need to navigate these challenges together"
)
DAY = date(2021, 3, 24)


def quote(quote_id, text, *, speaker="blinken", day=DAY, kind="full"):
    return LinkCandidate(quote_id, text, speaker, day, kind)


def linked(*quotes, **options):
    return sorted(sorted(members) for members in group(quotes, **options))


# --- normalize -----------------------------------------------------------------------


def test_normalize_unifies_quotes_dashes_case_and_space():
    assert normalize("\u201cWe\u2019re  DONE\u201d \u2014 it\u2019s over\u2026") == "we're done it's over"
    assert normalize("We're done - it's over") == "we're done it's over"
    assert normalize("\uff37e\u2019re") == "we're"  # NFKC folds the full-width letter


def test_normalize_keeps_numbers_comparable():
    assert normalize("30,000 e-mails") == normalize("30000 e mails")


# --- verification --------------------------------------------------------------------


def test_seed_pair_is_the_same_statement():
    assert is_same_statement(BEIJING, CCP)
    assert similarity(BEIJING, CCP) > 0.6


def test_seed_non_pairs_stay_apart():
    assert not is_same_statement(COERCION, BEIJING)
    assert not is_same_statement(COERCED, COMPLEX)


def test_truncated_report_links():
    truncated = "There is no doubt that Beijing\u2019s coercive behavior threatens our collective security"
    assert is_same_statement(truncated, BEIJING)


def test_reordered_clauses_link():
    original = (
        "We will defend our interests where we must, and we will work with China where we can, "
        "because that is what our partners expect"
    )
    reordered = (
        "We will work with China where we can, and we will defend our interests where we must, "
        "because that is what our partners expect"
    )
    assert is_same_statement(original, reordered)


def test_substituted_words_link():
    original = "Our alliances are our greatest asset and we intend to renew them with every partner"
    edited = "Our alliances are our biggest asset and we plan to renew them with all partners"
    assert is_same_statement(original, edited)


def test_fragment_inside_full_quote_links():
    assert is_same_statement("coercion and aggression", COERCION, "fragment", "full")


def test_short_fragment_needs_its_words_verbatim():
    assert not is_same_statement("coercion and pressure", COERCION, "fragment", "full")
    assert not is_same_statement("international", COERCION, "fragment", "full")


def test_shared_boilerplate_is_not_enough():
    first = (
        "Let me make it very clear, as I have said many times before, that this regime is unfit "
        "to sit on the United Nations Security Council"
    )
    second = "we will not allow this regime to sit on the United Nations Security Council"
    assert not is_same_statement(first, second)


# --- grouping ------------------------------------------------------------------------


def test_group_links_seed_pair_and_keeps_other_remarks_apart():
    groups = linked(
        quote("beijing", BEIJING),
        quote("ccp", CCP, day=DAY + timedelta(days=1)),
        quote("coercion", COERCION),
        quote("coerced", COERCED),
        quote("complex", COMPLEX),
    )
    assert groups == [["beijing", "ccp"], ["coerced"], ["coercion"], ["complex"]]


def test_group_attaches_fragment_to_its_full_quote():
    groups = linked(quote("full", COERCION), quote("fragment", "coercion and aggression", kind="fragment"))
    assert groups == [["fragment", "full"]]


def test_fragment_does_not_bridge_two_statements():
    first = "Radical terrorism must be named, and the president should name radical terrorism today"
    second = "Our party will defeat radical terrorism, rebuild the military and secure the border"
    groups = linked(
        quote("first", first, speaker="trump"),
        quote("second", second, speaker="trump"),
        quote("fragment", "radical terrorism", speaker="trump", kind="fragment"),
    )
    assert ["first", "second"] not in groups
    assert not any({"first", "second"} <= set(members) for members in groups)


def test_different_speakers_never_link():
    groups = linked(quote("blinken", BEIJING), quote("sullivan", BEIJING, speaker="sullivan"))
    assert groups == [["blinken"], ["sullivan"]]


def test_unknown_speaker_never_links():
    assert linked(quote("a", BEIJING, speaker=None), quote("b", BEIJING, speaker=None)) == [["a"], ["b"]]


def test_date_window():
    later = quote("later", CCP, day=DAY + timedelta(days=20))
    assert linked(quote("first", BEIJING), later) == [["first"], ["later"]]
    assert linked(quote("first", BEIJING), later, window_days=30) == [["first", "later"]]


def test_forbidden_pairs_are_respected():
    groups = linked(quote("a", BEIJING), quote("b", CCP), forbidden_pairs=[("a", "b")])
    assert groups == [["a"], ["b"]]


def test_forbidden_pair_also_blocks_transitive_merge():
    truncated = "There is no doubt that Beijing\u2019s coercive behavior threatens our collective security"
    groups = linked(
        quote("a", BEIJING), quote("b", CCP), quote("c", truncated), forbidden_pairs=[frozenset({"b", "c"})]
    )
    assert not any({"b", "c"} <= set(members) for members in groups)


def test_pinned_quotes_keep_their_statements():
    groups = linked(
        quote("a", BEIJING), quote("b", CCP), quote("c", COERCION), pinned={"a": 1, "b": 2, "c": 2}
    )
    assert groups == [["a"], ["b", "c"]]


def test_new_quote_joins_pinned_statement():
    groups = linked(quote("old", BEIJING), quote("new", CCP), pinned={"old": 7})
    assert groups == [["new", "old"]]


def test_a_new_report_of_a_much_reported_statement_is_checked_against_each_report_once():
    import statements.linking as linking

    # Five hundred settled reports of one remark: a new one joins them, looking at each once
    # (not at the hundred thousand pairs among the settled reports themselves).
    reports = [quote(f"old{n}", BEIJING if n % 2 else CCP, day=DAY - timedelta(days=n % 10)) for n in range(500)]
    new = quote("new", CCP)
    settled = {report.id for report in reports}
    pairs = linking.candidate_pairs([*reports, new], linking.DEFAULT_WINDOW_DAYS, settled=settled)
    assert pairs == {(number, len(reports)) for number in range(len(reports))}
    groups = linked(*reports, new, pinned=dict.fromkeys(settled, 1))
    assert groups == [sorted(["new", *settled])]


def test_candidate_pairs_are_every_pair_sharing_a_key_speaker_and_window_but_two_settled_reports():
    import random

    import statements.linking as linking

    def expected(quotes, window_days, settled):
        keys = [set(blocking_keys(quote.text)) for quote in quotes]
        return {
            (first, second)
            for first in range(len(quotes))
            for second in range(first + 1, len(quotes))
            if keys[first] & keys[second]
            and not {quotes[first].id, quotes[second].id} <= settled
            and quotes[first].speaker_id is not None
            and quotes[first].speaker_id == quotes[second].speaker_id
            and (None in (quotes[first].date, quotes[second].date) or abs((quotes[first].date - quotes[second].date).days) <= window_days)
        }

    words = ["coercion", "aggression", "beijing", "taiwan", "sovereignty", "partnership", "administration"]
    offsets = [0, 1, 13, 14, 15, -14, -15, 29, 400]  # the window's edges, either side
    rng = random.Random(8)
    for _ in range(300):
        quotes = [
            quote(
                number,
                " ".join(rng.sample(words, rng.randint(1, 3))),
                speaker=rng.choice([None, "blinken", "wang", "wang"]),
                day=None if rng.random() < 0.2 else DAY + timedelta(days=rng.choice(offsets)),
            )
            for number in range(rng.randint(2, 14))
        ]
        settled = {q.id for q in quotes if rng.random() < 0.5}
        window_days = rng.choice([0, 14, 30])
        assert linking.candidate_pairs(quotes, window_days, settled=settled) == expected(quotes, window_days, settled)


def test_the_canonical_wording_of_a_remark_reported_in_hundreds_of_wordings_is_a_typical_one(monkeypatch):
    import statements.linking as linking

    typical = [f"{BEIJING} said on day {n}" for n in range(300)]
    outliers = [f"{COMPLEX} on day {n}, the minister added in a long aside" for n in range(60)]
    compared = []
    original = linking.compare
    monkeypatch.setattr(linking, "compare", lambda *args: compared.append(args) or original(*args))
    assert canonical_text(outliers + typical) in typical
    # Each wording against a sample of the others, not every pair of 360 wordings.
    assert len(compared) <= 360 * linking.TYPICALITY_SAMPLE


# --- blocking keys -------------------------------------------------------------------


def test_blocking_keys_are_few_signed_64_bit_ints():
    keys = blocking_keys(COERCION + " " + BEIJING + " " + COMPLEX)
    assert 0 < len(keys) <= 16
    assert all(isinstance(key, int) and -(2**63) <= key < 2**63 for key in keys)


def test_reports_of_one_statement_share_a_key():
    assert set(blocking_keys(BEIJING)) & set(blocking_keys(CCP))
    assert set(blocking_keys("coercion and aggression")) & set(blocking_keys(COERCION))


def test_unrelated_remarks_share_no_key():
    assert not set(blocking_keys(COERCED)) & set(blocking_keys(COERCION))


def test_quote_without_distinctive_words_still_gets_a_key():
    assert blocking_keys("You tell me") == blocking_keys("you tell me!")
    assert blocking_keys("") == []


def test_blocking_keys_are_deterministic_across_processes():
    script = "import json, sys; from statements.linking import blocking_keys; print(json.dumps(blocking_keys(sys.argv[1])))"
    root = Path(__file__).resolve().parents[1]
    outputs = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script, BEIJING],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == blocking_keys(BEIJING)


# --- presentation --------------------------------------------------------------------


def test_canonical_text_prefers_a_full_report_over_a_truncation():
    truncated = "There is no doubt that Beijing\u2019s coercive behavior"
    assert canonical_text([truncated, BEIJING, CCP]) in (BEIJING, CCP)
    assert canonical_text([truncated, BEIJING]) == BEIJING
    assert canonical_text([]) == ""


def test_word_diff_marks_substitutions_insertions_and_deletions():
    diff = word_diff(
        "Beijing\u2019s coercive behavior threatens our security",
        "Beijing's coercive practices threaten our collective security.",
    )
    assert diff == [
        ("equal", "Beijing\u2019s coercive"),
        ("delete", "behavior threatens"),
        ("insert", "practices threaten"),
        ("equal", "our"),
        ("insert", "collective"),
        ("equal", "security"),
    ]


def test_word_diff_of_identical_wordings_is_one_equal_run():
    assert word_diff(BEIJING, BEIJING.upper()) == [("equal", BEIJING)]
