"""Tests for the pure secret-ballot rules (no Django needed)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import FrozenInstanceError, replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.voting.rules import (
    BallotCounts,
    CandidateKey,
    DisclosureMode,
    PollSettings,
    Problem,
    Result,
    ThresholdBase,
    TieRule,
    check_ballot,
    count_ballots,
    counts_problems,
    disclose,
    runoff_settings,
    tally,
    tally_counts,
    validate_settings,
)

UNITS = ("son_la", "cao_bang", "lao_cai", "ha_giang", "dien_bien", "lai_chau", "yen_bai")


def poll(
    candidates: Sequence[CandidateKey] = UNITS,
    *,
    max_choices: int = 1,
    allow_self_vote: bool = False,
    threshold_base: ThresholdBase = ThresholdBase.CAST,
    seats: int | None = 1,
    threshold: Fraction = Fraction(1, 2),
    strict: bool = True,
    tie_rule: TieRule = TieRule.RUNOFF,
) -> PollSettings:
    return PollSettings(
        candidates=tuple(candidates),
        max_choices=max_choices,
        allow_self_vote=allow_self_vote,
        threshold_base=threshold_base,
        seats=seats,
        threshold=threshold,
        strict=strict,
        tie_rule=tie_rule,
    )


def codes(problems: Sequence[Problem]) -> list[str]:
    return [p.code for p in problems]


# ---------------------------------------------------------------------------
# Reference case
# ---------------------------------------------------------------------------


def test_reference_case_flag_poll_son_la_elected() -> None:
    settings = poll()
    assert validate_settings(settings, 7) == []

    # Sơn La may not choose itself.
    assert codes(check_ballot(settings, ["son_la"], voter_key="son_la")) == ["self_vote"]

    votes_by_voter = {
        "son_la": ("cao_bang",),
        "cao_bang": ("son_la",),
        "lao_cai": ("son_la",),
        "ha_giang": ("son_la",),
        "dien_bien": ("son_la",),
        "lai_chau": ("son_la",),
        "yen_bai": ("son_la",),
    }
    for voter, choices in votes_by_voter.items():
        assert check_ballot(settings, choices, voter_key=voter) == []

    result = tally(settings, votes_by_voter.values(), entitled=7)
    assert result.ballots_cast == 7
    assert result.blank_ballots == 0
    assert result.counts["son_la"] == 6
    assert result.counts["cao_bang"] == 1
    assert result.counts["yen_bai"] == 0
    assert set(result.counts) == set(UNITS)
    assert result.shares["son_la"] == Fraction(6, 7)
    assert result.passed == ("son_la",)
    assert result.elected == ("son_la",)
    assert result.tie == ()
    assert result.needs_runoff is False
    assert result.problems == ()


# ---------------------------------------------------------------------------
# validate_settings
# ---------------------------------------------------------------------------


def test_valid_settings_have_no_problems() -> None:
    assert validate_settings(poll(), 7) == []
    certificates = poll(max_choices=3, seats=None)
    assert validate_settings(certificates, 7) == []


def test_candidates_are_held_as_tuple_and_settings_are_frozen() -> None:
    settings = PollSettings(
        candidates=["a", "b"],  # type: ignore[arg-type]
        max_choices=1,
        allow_self_vote=True,
        threshold_base=ThresholdBase.CAST,
        seats=1,
    )
    assert settings.candidates == ("a", "b")
    assert settings.threshold == Fraction(1, 2)
    assert settings.strict is True
    assert settings.tie_rule is TieRule.RUNOFF
    with pytest.raises(FrozenInstanceError):
        settings.seats = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("settings", "entitled", "expected"),
    [
        (poll(()), 7, ["no_candidates"]),
        (poll(("a", "b", "a", "a")), 7, ["duplicate_candidate"]),
        (poll(max_choices=0), 7, ["max_choices_below_one"]),
        (poll(("a", "b"), max_choices=3, seats=None), 7, ["max_choices_exceed_candidates"]),
        (poll(("a", "b"), seats=3), 7, ["seats_exceed_candidates"]),
        (poll(seats=0), 7, ["seats_below_one"]),
        (poll(max_choices=2, seats=1), 7, ["max_choices_exceed_seats"]),
        (poll(threshold=Fraction(0)), 7, ["threshold_out_of_range"]),
        (poll(threshold=Fraction(-1, 2)), 7, ["threshold_out_of_range"]),
        (poll(threshold=Fraction(3, 2)), 7, ["threshold_out_of_range"]),
        (poll(threshold=Fraction(1), strict=True), 7, ["threshold_unreachable"]),
        (poll(threshold=Fraction(1), strict=False), 7, []),
        (poll(threshold=0.5), 7, ["threshold_not_fraction"]),  # type: ignore[arg-type]
        (poll(threshold=1, strict=False), 7, []),  # type: ignore[arg-type]
        (poll(), 0, ["entitled_below_one"]),
    ],
)
def test_validate_settings_codes(
    settings: PollSettings, entitled: int, expected: list[str]
) -> None:
    assert codes(validate_settings(settings, entitled)) == expected


def test_validate_settings_params() -> None:
    [problem] = validate_settings(poll(("a", "b"), seats=3), 7)
    assert problem == Problem("seats_exceed_candidates", {"seats": 3, "candidates": 2})
    assert dict(problem.params) == {"seats": 3, "candidates": 2}
    with pytest.raises(TypeError):
        problem.params["seats"] = 1  # type: ignore[index]


# ---------------------------------------------------------------------------
# check_ballot
# ---------------------------------------------------------------------------


def test_blank_ballot_is_valid() -> None:
    assert check_ballot(poll(), [], voter_key="son_la") == []


def test_check_ballot_codes() -> None:
    settings = poll(("a", "b", "c"), max_choices=2, seats=None)
    assert codes(check_ballot(settings, ["a", "b", "c"], voter_key="x")) == ["too_many_choices"]
    assert codes(check_ballot(settings, ["a", "zz"], voter_key="x")) == ["unknown_candidate"]
    assert codes(check_ballot(settings, ["a", "a"], voter_key="x")) == ["duplicate_choice"]
    assert codes(check_ballot(settings, ["a", "b"], voter_key="a")) == ["self_vote"]
    allowed = replace(settings, allow_self_vote=True)
    assert check_ballot(allowed, ["a", "b"], voter_key="a") == []


def test_check_ballot_reports_everything_once() -> None:
    settings = poll(("a", "b", "c"), max_choices=2, seats=None)
    problems = check_ballot(settings, ["a", "a", "a", "zz", "zz"], voter_key="a")
    assert problems == [
        Problem("too_many_choices", {"choices": 5, "max_choices": 2}),
        Problem("self_vote", {"candidate": "a"}),
        Problem("duplicate_choice", {"candidate": "a"}),
        Problem("unknown_candidate", {"candidate": "zz"}),
        Problem("duplicate_choice", {"candidate": "zz"}),
    ]


# ---------------------------------------------------------------------------
# tally: thresholds
# ---------------------------------------------------------------------------


def test_four_of_seven_cast_passes_strict_half() -> None:
    settings = poll(("a", "b"), allow_self_vote=True)
    ballots = [("a",)] * 4 + [("b",)] * 3
    result = tally(settings, ballots, entitled=7)
    assert result.shares["a"] == Fraction(4, 7)
    assert result.passed == ("a",)
    assert result.elected == ("a",)


def test_three_of_six_cast_fails_strict_but_passes_non_strict() -> None:
    ballots = [("a",)] * 3 + [("b",)] * 2 + [()]
    strict = tally(poll(("a", "b"), seats=None), ballots, entitled=7)
    assert strict.ballots_cast == 6
    assert strict.shares["a"] == Fraction(1, 2)
    assert strict.passed == ()
    assert strict.elected == ()

    lenient = tally(poll(("a", "b"), seats=None, strict=False), ballots, entitled=7)
    assert lenient.passed == ("a",)
    assert lenient.elected == ("a",)


def test_entitled_base_counts_absent_members_against() -> None:
    # 7 entitled, only 5 vote; "a" gets 3.
    ballots = [("a",)] * 3 + [("b",)] * 2
    cast = tally(poll(("a", "b"), threshold_base=ThresholdBase.CAST), ballots, entitled=7)
    assert cast.shares["a"] == Fraction(3, 5)
    assert cast.elected == ("a",)

    entitled = tally(poll(("a", "b"), threshold_base=ThresholdBase.ENTITLED), ballots, entitled=7)
    assert entitled.shares["a"] == Fraction(3, 7)
    assert entitled.base_count == 7
    assert entitled.passed == ()
    assert entitled.elected == ()
    # 4 of 7 entitled is enough even with absentees.
    more = tally(
        poll(("a", "b"), threshold_base=ThresholdBase.ENTITLED),
        [("a",)] * 4 + [("b",)],
        entitled=7,
    )
    assert more.elected == ("a",)


def test_two_thirds_threshold() -> None:
    settings = poll(("a", "b"), seats=None, threshold=Fraction(2, 3), strict=False)
    assert tally(settings, [("a",)] * 4 + [("b",)] * 2, entitled=6).passed == ("a",)
    assert tally(settings, [("a",)] * 3 + [("b",)] * 2, entitled=6).passed == ()


def test_blank_ballots_count_as_cast_but_give_no_votes() -> None:
    settings = poll(("a", "b"))
    ballots = [("a",)] * 3 + [()] * 3
    result = tally(settings, ballots, entitled=7)
    assert result.ballots_cast == 6
    assert result.blank_ballots == 3
    assert result.counts == {"a": 3, "b": 0}
    assert result.shares["a"] == Fraction(1, 2)
    assert result.passed == ()  # blanks weigh against under the CAST base


def test_certificates_everyone_over_threshold_is_elected() -> None:
    settings = poll(("a", "b", "c", "d"), max_choices=3, seats=None)
    ballots = [("a", "b", "c")] * 4 + [("d", "c")] * 2 + [("a",)]
    result = tally(settings, ballots, entitled=7)
    assert result.counts == {"a": 5, "b": 4, "c": 6, "d": 2}
    assert result.passed == ("c", "a", "b")
    assert result.elected == ("c", "a", "b")
    assert result.tie == ()
    assert result.needs_runoff is False


def test_no_ballots_cast() -> None:
    result = tally(poll(("a", "b")), [], entitled=7)
    assert result.ballots_cast == 0
    assert result.shares == {"a": Fraction(0), "b": Fraction(0)}
    assert result.passed == ()
    assert codes(result.problems) == ["no_ballots_cast"]


def test_more_ballots_than_entitled_voids_the_count() -> None:
    result = tally(poll(("a", "b")), [("a",)] * 8, entitled=7)
    assert result.counts["a"] == 8
    assert result.passed == ()
    assert result.elected == ()
    assert result.problems == (
        Problem("ballots_exceed_entitled", {"ballots_cast": 8, "entitled": 7}),
    )


# ---------------------------------------------------------------------------
# tally: invalid input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_ballot",
    [("a", "b"), ("zz",), ("a", "a")],
)
def test_tally_rejects_invalid_ballots(bad_ballot: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="invalid ballot #2"):
        tally(poll(("a", "b")), [("a",), bad_ballot], entitled=7)


def test_tally_rejects_invalid_settings() -> None:
    with pytest.raises(ValueError, match="no_candidates"):
        tally(poll(()), [], entitled=7)
    with pytest.raises(ValueError, match="entitled_below_one"):
        tally(poll(("a",)), [], entitled=0)


# ---------------------------------------------------------------------------
# Ties
# ---------------------------------------------------------------------------

# 4 votes each of 8 cast: exactly one half, so both pass only when strict=False.
TIED_BALLOTS = [("b",)] * 4 + [("a",)] * 4


def test_single_seat_tie_needs_runoff() -> None:
    # Non-strict half so that both 4-of-8 candidates pass and tie.
    settings = poll(("a", "b", "c"), strict=False)
    result = tally(settings, TIED_BALLOTS, entitled=9)
    assert result.passed == ("a", "b")
    assert result.elected == ()
    assert result.tie == ("a", "b")
    assert result.needs_runoff is True
    assert result.seats_open == 1
    assert result.problems == ()

    second = runoff_settings(settings, result)
    assert second.candidates == ("a", "b")
    assert second.seats == 1
    assert second.max_choices == 1
    assert second.threshold == settings.threshold
    assert second.strict == settings.strict
    assert second.tie_rule is TieRule.RUNOFF
    assert validate_settings(second, 9) == []

    final = tally(second, [("a",)] * 5 + [("b",)] * 4, entitled=9)
    assert final.elected == ("a",)


def test_tie_for_last_of_several_seats_keeps_secure_winners() -> None:
    settings = poll(("a", "b", "c", "d"), max_choices=2, seats=2, allow_self_vote=True)
    # a: 6, b: 4, c: 4, d: 0 of 7 cast; b and c pass (4/7) and tie for seat 2.
    ballots = [("a", "b")] * 3 + [("a", "c")] * 3 + [("b", "c")]
    result = tally(settings, ballots, entitled=7)
    assert result.counts == {"a": 6, "b": 4, "c": 4, "d": 0}
    assert result.passed == ("a", "b", "c")
    assert result.elected == ("a",)
    assert result.tie == ("b", "c")
    assert result.needs_runoff is True

    second = runoff_settings(settings, result)
    assert second.candidates == ("b", "c")
    assert second.seats == 1
    assert second.max_choices == 1


def test_order_of_list_resolves_tie_deterministically() -> None:
    settings = poll(("b", "a", "c"), strict=False, tie_rule=TieRule.ORDER_OF_LIST)
    result = tally(settings, TIED_BALLOTS, entitled=9)
    # "b" is earlier on the list than "a".
    assert result.elected == ("b",)
    assert result.tie == ("b", "a")
    assert result.needs_runoff is False
    assert result.problems == ()
    assert tally(settings, list(reversed(TIED_BALLOTS)), entitled=9) == result
    with pytest.raises(ValueError, match="runoff"):
        runoff_settings(settings, result)


def test_secretariat_decides_records_unresolved_tie() -> None:
    settings = poll(("a", "b"), strict=False, tie_rule=TieRule.SECRETARIAT_DECIDES)
    result = tally(settings, TIED_BALLOTS, entitled=9)
    assert result.elected == ()
    assert result.tie == ("a", "b")
    assert result.needs_runoff is False
    assert result.problems == (
        Problem("unresolved_tie", {"candidates": ("a", "b"), "seats_open": 1}),
    )


def test_no_tie_when_everyone_fits() -> None:
    settings = poll(("a", "b", "c"), max_choices=2, seats=2, strict=False)
    result = tally(settings, [("a", "b")] * 2, entitled=2)
    assert result.elected == ("a", "b")
    assert result.tie == ()


def test_tie_below_threshold_is_not_a_tie() -> None:
    settings = poll(("a", "b", "c"))
    result = tally(settings, [("a",), ("b",), ("c",)], entitled=3)
    assert result.passed == ()
    assert result.tie == ()
    assert result.needs_runoff is False


def test_runoff_settings_checks_its_inputs() -> None:
    settings = poll(("a", "b", "c"), strict=False)
    result = tally(settings, TIED_BALLOTS, entitled=9)
    with pytest.raises(ValueError, match="settings"):
        runoff_settings(replace(settings, strict=True), result)
    clear = tally(settings, [("a",)], entitled=9)
    with pytest.raises(ValueError, match="runoff"):
        runoff_settings(settings, clear)


# ---------------------------------------------------------------------------
# Disclosure
# ---------------------------------------------------------------------------


def test_disclose_full() -> None:
    settings = poll(("son_la", "cao_bang"))
    result = tally(settings, [("son_la",)] * 6 + [("cao_bang",)], entitled=7)
    shown = disclose(result, DisclosureMode.FULL)
    assert shown["mode"] == "full"
    assert shown["ballots_cast"] == 7
    assert shown["blank_ballots"] == 0
    assert shown["base_count"] == 7
    assert shown["elected"] == ["son_la"]
    assert shown["needs_runoff"] is False
    assert shown["candidates"] == [
        {
            "candidate": "son_la",
            "votes": 6,
            "share": "6/7",
            "share_percent": "85.71",
            "passed": True,
            "elected": True,
            "tied": False,
        },
        {
            "candidate": "cao_bang",
            "votes": 1,
            "share": "1/7",
            "share_percent": "14.29",
            "passed": False,
            "elected": False,
            "tied": False,
        },
    ]
    assert shown["rules"] == {
        "threshold_base": "cast",
        "threshold": "1/2",
        "strict": True,
        "seats": 1,
        "tie_rule": "runoff",
    }


def test_disclose_outcome_only_has_no_counts_and_no_ranking() -> None:
    settings = poll(("a", "b", "c", "d"), max_choices=3, seats=None)
    result = tally(settings, [("c", "a", "b")] * 4 + [("c",)] * 2 + [()], entitled=7)
    shown = disclose(result, DisclosureMode.OUTCOME_ONLY)
    assert shown == {
        "mode": "outcome_only",
        "rules": {
            "threshold_base": "cast",
            "threshold": "1/2",
            "strict": True,
            "seats": None,
            "tie_rule": "runoff",
        },
        "candidates": [
            {"candidate": "a", "passed": True, "elected": True, "tied": False},
            {"candidate": "b", "passed": True, "elected": True, "tied": False},
            {"candidate": "c", "passed": True, "elected": True, "tied": False},
            {"candidate": "d", "passed": False, "elected": False, "tied": False},
        ],
        "problems": [],
        "needs_runoff": False,
    }


def test_disclose_problems() -> None:
    settings = poll(("a", "b"), strict=False, tie_rule=TieRule.SECRETARIAT_DECIDES)
    result = tally(settings, TIED_BALLOTS, entitled=9)
    full = disclose(result, DisclosureMode.FULL)
    assert full["problems"] == [
        {"code": "unresolved_tie", "params": {"candidates": ["a", "b"], "seats_open": 1}}
    ]
    outcome = disclose(result, DisclosureMode.OUTCOME_ONLY)
    assert outcome["problems"] == [{"code": "unresolved_tie"}]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@st.composite
def polls(draw: st.DrawFn) -> tuple[PollSettings, list[tuple[str, ...]], int]:
    """A valid poll, a list of valid ballots and an entitled count >= ballots."""
    count = draw(st.integers(min_value=1, max_value=6))
    candidates = tuple(f"u{i}" for i in range(count))
    seats = draw(st.none() | st.integers(min_value=1, max_value=count))
    max_choices = draw(st.integers(min_value=1, max_value=seats or count))
    strict = draw(st.booleans())
    denominator = draw(st.integers(min_value=2, max_value=6))
    # A strict threshold of 1 is unreachable (and rejected by validate_settings).
    numerator = draw(st.integers(min_value=1, max_value=denominator - 1 if strict else denominator))
    settings = PollSettings(
        candidates=candidates,
        max_choices=max_choices,
        allow_self_vote=draw(st.booleans()),
        threshold_base=draw(st.sampled_from(ThresholdBase)),
        seats=seats,
        threshold=Fraction(numerator, denominator),
        strict=strict,
        tie_rule=draw(st.sampled_from(TieRule)),
    )
    ballot = st.lists(st.sampled_from(candidates), unique=True, max_size=max_choices).map(tuple)
    ballots = draw(st.lists(ballot, max_size=15))
    entitled = draw(st.integers(min_value=max(len(ballots), 1), max_value=len(ballots) + 5))
    return settings, ballots, entitled


@given(polls())
def test_property_generated_polls_are_valid(
    case: tuple[PollSettings, list[tuple[str, ...]], int],
) -> None:
    settings, ballots, entitled = case
    assert validate_settings(settings, entitled) == []
    for ballot in ballots:
        assert check_ballot(settings, ballot, voter_key="not-a-candidate") == []


@given(polls())
def test_property_vote_bounds(case: tuple[PollSettings, list[tuple[str, ...]], int]) -> None:
    settings, ballots, entitled = case
    result = tally(settings, ballots, entitled)
    assert result.ballots_cast == len(ballots)
    assert set(result.counts) == set(settings.candidates)
    for votes in result.counts.values():
        assert 0 <= votes <= result.ballots_cast
    assert sum(result.counts.values()) <= result.ballots_cast * settings.max_choices
    assert result.blank_ballots == sum(1 for b in ballots if not b)
    for share in result.shares.values():
        assert 0 <= share <= 1


@given(polls(), st.randoms(use_true_random=False))
def test_property_permutation_invariance(
    case: tuple[PollSettings, list[tuple[str, ...]], int],
    rng: random.Random,
) -> None:
    settings, ballots, entitled = case
    shuffled = [tuple(rng.sample(b, len(b))) for b in ballots]
    rng.shuffle(shuffled)
    assert tally(settings, shuffled, entitled) == tally(settings, ballots, entitled)


@given(polls())
def test_property_outcome_consistency(
    case: tuple[PollSettings, list[tuple[str, ...]], int],
) -> None:
    settings, ballots, entitled = case
    result: Result = tally(settings, ballots, entitled)
    threshold = settings.threshold
    for key in settings.candidates:
        share = result.shares[key]
        meets = share > threshold if settings.strict else share >= threshold
        assert (key in result.passed) == meets
    votes = [result.counts[key] for key in result.passed]
    assert votes == sorted(votes, reverse=True)
    assert set(result.elected) <= set(result.passed)
    if settings.seats is None:
        assert result.elected == result.passed
        assert result.tie == ()
    else:
        assert len(result.elected) <= settings.seats
    assert set(result.tie) <= set(result.passed)
    won_from_tie = tuple(key for key in result.elected if key in result.tie)
    if settings.tie_rule is TieRule.ORDER_OF_LIST:
        # The earliest tied candidates on the list take the open seats.
        assert won_from_tie == result.tie[: len(won_from_tie)]
    else:
        assert won_from_tie == ()
    if result.needs_runoff:
        assert settings.tie_rule is TieRule.RUNOFF
        assert len(result.tie) > result.seats_open >= 1
        second = runoff_settings(settings, result)
        assert second.candidates == result.tie
        assert validate_settings(second, entitled) == []
    if result.tie:
        assert len({result.counts[key] for key in result.tie}) == 1
        if settings.tie_rule is TieRule.ORDER_OF_LIST and settings.seats is not None:
            assert len(result.elected) == settings.seats
    if settings.tie_rule is not TieRule.RUNOFF:
        assert result.needs_runoff is False
    shown = disclose(result, DisclosureMode.OUTCOME_ONLY)
    for row in shown["candidates"]:  # type: ignore[attr-defined]
        assert set(row) == {"candidate", "passed", "elected", "tied"}


@given(
    tied=st.integers(min_value=2, max_value=5),
    votes=st.integers(min_value=1, max_value=4),
    others=st.integers(min_value=0, max_value=3),
    rule=st.sampled_from(TieRule),
    rng=st.randoms(use_true_random=False),
)
def test_property_single_seat_ties(
    tied: int, votes: int, others: int, rule: TieRule, rng: random.Random
) -> None:
    # ``tied`` candidates get ``votes`` each, one extra candidate gets fewer
    # (or none); the threshold is low enough for all tied candidates to pass.
    shuffled = ["x", *(f"t{i}" for i in range(tied))]
    rng.shuffle(shuffled)
    candidates = tuple(shuffled)
    settings = poll(candidates, threshold=Fraction(1, 100), strict=False, tie_rule=rule)
    ballots = [(f"t{i}",) for i in range(tied) for _ in range(votes)]
    ballots += [("x",)] * min(others, votes - 1)
    rng.shuffle(ballots)
    result = tally(settings, ballots, entitled=len(ballots))
    # The tie is reported in list order.
    expected_tie = tuple(key for key in candidates if key != "x")
    assert result.tie == expected_tie
    if rule is TieRule.RUNOFF:
        assert result.needs_runoff is True
        assert result.elected == ()
        second = runoff_settings(settings, result)
        assert second.candidates == expected_tie
        assert second.seats == 1
    elif rule is TieRule.ORDER_OF_LIST:
        assert result.needs_runoff is False
        assert result.elected == (expected_tie[0],)
    else:
        assert result.needs_runoff is False
        assert result.elected == ()
        assert [p.code for p in result.problems] == ["unresolved_tie"]


# ---------------------------------------------------------------------------
# Counting from the ballots' counts (what the database groups and counts)
# ---------------------------------------------------------------------------


@given(polls())
def test_property_the_count_from_counts_equals_the_count_of_the_ballots(
    case: tuple[PollSettings, list[tuple[str, ...]], int],
) -> None:
    settings, ballots, entitled = case
    counts = count_ballots(ballots)
    assert counts_problems(settings, counts) == []
    assert tally_counts(settings, counts, entitled) == tally(settings, ballots, entitled)


def test_counts_of_ballots_are_cast_blank_largest_and_votes() -> None:
    counts = count_ballots([("a", "b"), (), ("b",), ()])
    assert counts == BallotCounts(cast=4, blank=2, largest=2, votes={"a": 1, "b": 2})


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (BallotCounts(cast=2, blank=0, largest=2, votes={"a": 2, "b": 1}), ["too_many_choices"]),
        (
            BallotCounts(cast=2, blank=0, largest=1, votes={"a": 1, "zz": 1}),
            ["unknown_candidate", "too_few_votes"],
        ),
        (BallotCounts(cast=1, blank=2, largest=0, votes={}), ["blank_exceed_cast"]),
        # Two votes for "a" on one marked ballot: it was chosen twice.
        (
            BallotCounts(cast=2, blank=1, largest=1, votes={"a": 2}),
            ["votes_exceed_ballots", "too_many_votes"],
        ),
        (BallotCounts(cast=2, blank=0, largest=1, votes={"a": 1}), ["too_few_votes"]),
        (BallotCounts(cast=2, blank=0, largest=0, votes={"a": 1, "b": 1}), ["too_many_votes"]),
    ],
)
def test_counts_no_valid_ballots_can_give_are_refused(
    counts: BallotCounts, expected: list[str]
) -> None:
    settings = poll(("a", "b"))
    assert codes(counts_problems(settings, counts)) == expected
    with pytest.raises(ValueError, match="invalid ballot counts"):
        tally_counts(settings, counts, entitled=7)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        tally_counts(poll(("a",)), BallotCounts(cast=1, blank=0, largest=1, votes={"a": -1}), 7)
