"""The eligibility engine, rule by rule, at the boundaries DOMAIN.md sets."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.awards.rule_data import RuleDataError, requirements_from_data, requirements_to_data
from thidua.awards.rules import (
    AnyOf,
    ConsecutiveTitles,
    CountInWindow,
    Held,
    InitiativeFact,
    InitiativesRequired,
    Level,
    ManualCheck,
    MemberCount,
    MemberFact,
    MemberRatingShare,
    MemberShare,
    MinYearsSince,
    NoDisciplineOrOpenComplaint,
    Nominee,
    Quota,
    Rating,
    RatingsOverPeriod,
    RuleStatus,
    RuleVersion,
    SameYearPrerequisite,
    Verdict,
    judge,
    judge_batch,
    rule_in_force,
)

CSTD_BO = (
    ConsecutiveTitles("cstdcs", 3),
    InitiativesRequired(1, Level.MINISTRY_PROVINCE, window=3),
)


def version(
    *requirements: Any,
    award: Any = "cstd_bo",
    since: Any = dt.date(2000, 1, 1),
    status: Any = "verified",
) -> Any:
    return RuleVersion(award, since, tuple(requirements), RuleStatus(status))


def person(award: Any = "cstd_bo", year: Any = 2016, titles: Any = (), **facts: Any) -> Any:
    held = tuple(Held(code, y) for code, y in titles)
    return Nominee(key=1, award=award, year=year, held=held, **facts)


def cstdcs(*years: Any) -> Any:
    return [("cstdcs", y) for y in years]


def ministry_initiative(year: Any = 2016, used: Any = False, id: Any = 1) -> Any:
    return InitiativeFact(id, year, Level.MINISTRY_PROVINCE, used)


# --- consecutive titles ---------------------------------------------------------------------


def test_exactly_three_consecutive_years_are_enough() -> None:
    n = person(titles=cstdcs(2014, 2015, 2016), initiatives=(ministry_initiative(),))
    assert judge(n, [version(*CSTD_BO)]).verdict == Verdict.ELIGIBLE


def test_two_consecutive_years_are_not_enough_and_the_reason_names_them() -> None:
    n = person(titles=cstdcs(2015, 2016), initiatives=(ministry_initiative(),))
    j = judge(n, [version(*CSTD_BO)])
    assert j.verdict == Verdict.NOT_ELIGIBLE
    reason = next(r for r in j.reasons if r.code == "consecutive")
    assert reason.params["n"] == 3
    assert reason.params["count"] == 2
    assert reason.params["years"] == (2015, 2016)


def test_a_gap_year_breaks_the_run() -> None:
    n = person(titles=cstdcs(2013, 2014, 2016), initiatives=(ministry_initiative(),))
    assert judge(n, [version(*CSTD_BO)]).verdict == Verdict.NOT_ELIGIBLE


def test_a_title_from_the_year_after_the_nomination_does_not_count() -> None:
    n = person(year=2015, titles=cstdcs(2014, 2015, 2016), initiatives=(ministry_initiative(2015),))
    j = judge(n, [version(*CSTD_BO)])
    assert j.verdict == Verdict.NOT_ELIGIBLE
    assert next(r for r in j.reasons if r.code == "consecutive").params["years"] == (2014, 2015)


def test_the_run_must_reach_the_nomination_year() -> None:
    n = person(titles=cstdcs(2012, 2013, 2014, 2015), initiatives=(ministry_initiative(),))
    j = judge(n, [version(ConsecutiveTitles("cstdcs", 3))])
    assert j.verdict == Verdict.NOT_ELIGIBLE
    assert next(r for r in j.reasons if r.code == "consecutive").params["count"] == 0


# --- initiatives ----------------------------------------------------------------------------


def test_an_initiative_already_used_does_not_count_again() -> None:
    n = person(titles=cstdcs(2014, 2015, 2016), initiatives=(ministry_initiative(used=True),))
    j = judge(n, [version(*CSTD_BO)])
    assert j.verdict == Verdict.NOT_ELIGIBLE
    assert next(r for r in j.reasons if r.code == "initiatives_missing").params["used"] == 1


def test_the_initiatives_counted_are_the_ones_the_award_uses_up() -> None:
    unused = ministry_initiative(2015, id=7)
    n = person(
        titles=cstdcs(2014, 2015, 2016), initiatives=(unused, ministry_initiative(used=True, id=8))
    )
    assert judge(n, [version(*CSTD_BO)]).initiatives == frozenset({7})


def test_a_grassroots_initiative_is_too_low_for_a_ministry_level_requirement() -> None:
    low = InitiativeFact(1, 2016, Level.GRASSROOTS)
    n = person(titles=cstdcs(2014, 2015, 2016), initiatives=(low,))
    assert judge(n, [version(*CSTD_BO)]).verdict == Verdict.NOT_ELIGIBLE


def test_an_initiative_outside_the_window_does_not_count() -> None:
    n = person(titles=cstdcs(2014, 2015, 2016), initiatives=(ministry_initiative(2013),))
    assert judge(n, [version(*CSTD_BO)]).verdict == Verdict.NOT_ELIGIBLE


# --- rule versions --------------------------------------------------------------------------


def test_the_rule_version_changes_between_two_years() -> None:
    old = version(ConsecutiveTitles("cstdcs", 2), since=dt.date(2014, 6, 1))
    new = version(ConsecutiveTitles("cstdcs", 3), since=dt.date(2024, 1, 1))
    two_years = ("cstdcs", 2022), ("cstdcs", 2023), ("cstdcs", 2024)
    in_2023 = person(year=2023, titles=two_years[:2])
    in_2024 = person(year=2024, titles=two_years[1:])
    assert judge(in_2023, [old, new]).verdict == Verdict.ELIGIBLE
    assert judge(in_2023, [old, new]).rule == old
    assert judge(in_2024, [old, new]).verdict == Verdict.NOT_ELIGIBLE
    assert judge(in_2024, [old, new]).rule == new


def test_a_version_starting_mid_year_governs_that_year() -> None:
    old = version(since=dt.date(2014, 6, 1))
    mid = version(since=dt.date(2025, 7, 1))
    assert rule_in_force([old, mid], 2025) == mid
    assert rule_in_force([old, mid], 2024) == old
    assert rule_in_force([old, mid], 2013) is None


def test_no_rule_in_force_needs_review() -> None:
    j = judge(person(year=2010), [version(since=dt.date(2014, 6, 1))])
    assert j.verdict == Verdict.NEEDS_REVIEW
    assert j.reasons[0].code == "no_rule"


def test_a_rule_not_found_in_the_law_needs_review_even_when_met() -> None:
    j = judge(person(), [version(status="not_found")])
    assert j.verdict == Verdict.NEEDS_REVIEW


def test_an_unverified_rule_is_applied_and_says_so() -> None:
    j = judge(
        person(titles=cstdcs(2016)), [version(SameYearPrerequisite("cstdcs"), status="unverified")]
    )
    assert j.verdict == Verdict.ELIGIBLE
    assert "rule_unverified" in [r.code for r in j.reasons]


# --- other requirements ---------------------------------------------------------------------


def test_already_holding_the_award_that_year_is_not_eligible() -> None:
    n = person(award="cstdcs", titles=cstdcs(2016))
    assert judge(n, [version(award="cstdcs")]).verdict == Verdict.NOT_ELIGIBLE


def test_count_in_window_counts_non_consecutive_years() -> None:
    rule = version(CountInWindow("cstdcs", 3, 5))
    assert judge(person(titles=cstdcs(2012, 2014, 2016)), [rule]).verdict == Verdict.ELIGIBLE
    assert judge(person(titles=cstdcs(2011, 2014, 2016)), [rule]).verdict == Verdict.NOT_ELIGIBLE


def test_ratings_over_five_years_with_one_excellent() -> None:
    rule = version(RatingsOverPeriod(Rating.GOOD, 5, excellent=1))
    good = dict.fromkeys(range(2012, 2017), Rating.GOOD)
    assert judge(person(ratings=good), [rule]).verdict == Verdict.NOT_ELIGIBLE
    assert (
        judge(person(ratings={**good, 2014: Rating.EXCELLENT}), [rule]).verdict == Verdict.ELIGIBLE
    )
    assert (
        judge(person(ratings={**good, 2013: Rating.COMPLETED}), [rule]).verdict
        == Verdict.NOT_ELIGIBLE
    )


def test_a_missing_rating_needs_review() -> None:
    rule = version(RatingsOverPeriod(Rating.GOOD, 2))
    j = judge(person(ratings={2016: Rating.GOOD}), [rule])
    assert j.verdict == Verdict.NEEDS_REVIEW
    assert j.reasons[-1].params["years"] == (2015,)


def test_min_years_since_a_previous_award() -> None:
    rule = version(MinYearsSince("bk_bo", 5))
    assert judge(person(titles=[("bk_bo", 2011)]), [rule]).verdict == Verdict.ELIGIBLE
    assert judge(person(titles=[("bk_bo", 2012)]), [rule]).verdict == Verdict.NOT_ELIGIBLE
    assert judge(person(), [rule]).reasons[-1].code == "never_held"


def test_member_share_of_seventy_percent_is_a_boundary_that_passes() -> None:
    rule = version(MemberShare("ldtt", Decimal("0.7")), award="tt_ldtt")
    members = tuple(MemberFact(frozenset({"ldtt"})) for _ in range(7)) + (MemberFact(),) * 3
    assert judge(person("tt_ldtt", members=members), [rule]).verdict == Verdict.ELIGIBLE
    fewer = (*members[1:], MemberFact())
    assert judge(person("tt_ldtt", members=fewer), [rule]).verdict == Verdict.NOT_ELIGIBLE
    assert judge(person("tt_ldtt"), [rule]).verdict == Verdict.NEEDS_REVIEW


def test_member_rating_share_and_member_count() -> None:
    rule = version(
        MemberRatingShare(Rating.COMPLETED, Decimal(1)), MemberCount("cstdcs", 1), award="tt_ldxs"
    )
    members = (MemberFact(frozenset({"cstdcs"}), Rating.EXCELLENT), MemberFact(rating=Rating.GOOD))
    assert judge(person("tt_ldxs", members=members), [rule]).verdict == Verdict.ELIGIBLE
    failing = (*members, MemberFact(rating=Rating.NOT_COMPLETED))
    assert judge(person("tt_ldxs", members=failing), [rule]).verdict == Verdict.NOT_ELIGIBLE
    unknown = (*members, MemberFact())
    assert judge(person("tt_ldxs", members=unknown), [rule]).verdict == Verdict.NEEDS_REVIEW


def test_discipline_unknown_needs_review_and_a_confirmed_one_refuses() -> None:
    rule = version(NoDisciplineOrOpenComplaint())
    assert judge(person(), [rule]).verdict == Verdict.NEEDS_REVIEW
    assert judge(person(clean_record=True), [rule]).verdict == Verdict.ELIGIBLE
    assert judge(person(clean_record=False), [rule]).verdict == Verdict.NOT_ELIGIBLE


def test_any_of_takes_the_best_alternative() -> None:
    rule = version(
        AnyOf((RatingsOverPeriod(Rating.EXCELLENT), InitiativesRequired(1, Level.GRASSROOTS))),
        award="cstdcs",
    )
    by_rating = person("cstdcs", ratings={2016: Rating.EXCELLENT})
    by_initiative = person(
        "cstdcs",
        ratings={2016: Rating.GOOD},
        initiatives=(InitiativeFact(1, 2016, Level.GRASSROOTS),),
    )
    neither = person("cstdcs", ratings={2016: Rating.GOOD})
    assert judge(by_rating, [rule]).verdict == Verdict.ELIGIBLE
    assert judge(by_initiative, [rule]).verdict == Verdict.ELIGIBLE
    assert judge(by_initiative, [rule]).initiatives == frozenset({1})
    assert judge(neither, [rule]).reasons[-1].code == "none_of"


def test_manual_check_always_needs_review() -> None:
    j = judge(person(), [version(ManualCheck("dẫn đầu cụm thi đua"))])
    assert j.verdict == Verdict.NEEDS_REVIEW


def test_quota_over_the_batch_sends_everyone_to_review() -> None:
    rule = version(Quota(Decimal("0.2")), award="co_cp")
    batch = [Nominee(key=k, award="co_cp", year=2016) for k in range(3)]
    judged = judge_batch(batch, {"co_cp": [rule]}, member_count=7)
    assert {j.verdict for j in judged.values()} == {Verdict.NEEDS_REVIEW}
    one = judge_batch(batch[:1], {"co_cp": [rule]}, member_count=7)
    assert one[0].verdict == Verdict.ELIGIBLE


# --- rules as data --------------------------------------------------------------------------


def test_requirements_survive_a_round_trip_through_json() -> None:
    reqs = (
        *CSTD_BO,
        AnyOf((ConsecutiveTitles("cstdcs", 2), RatingsOverPeriod(Rating.EXCELLENT, 2, 2))),
        MemberShare("ldtt", Decimal("0.7")),
        Quota(Decimal("0.2")),
        ManualCheck("x"),
        NoDisciplineOrOpenComplaint(),
    )
    assert requirements_from_data(requirements_to_data(reqs)) == reqs


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"kind": "x"}, "not_a_list"),
        ([{"kind": "teleport"}], "unknown_kind"),
        ([{"kind": "consecutive_titles", "award": "cstdcs"}], "bad_fields"),
        ([{"kind": "consecutive_titles", "award": "nope", "years": 3}], "unknown_award"),
        ([{"kind": "consecutive_titles", "award": "cstdcs", "years": 0}], "bad_value"),
        ([{"kind": "member_share", "award": "cstdcs", "share": "1.5"}], "bad_value"),
        (
            [{"kind": "ratings_over_period", "minimum": "great", "years": 1, "excellent": 0}],
            "bad_value",
        ),
    ],
)
def test_bad_rule_data_is_refused_with_a_code(data: Any, code: str) -> None:
    with pytest.raises(RuleDataError) as refused:
        requirements_from_data(data, awards={"cstdcs"})
    assert refused.value.code == code


# --- properties -----------------------------------------------------------------------------

years = st.sets(st.integers(2005, 2020), max_size=16)


@given(held=years, n=st.integers(1, 6), year=st.integers(2008, 2020))
def test_consecutive_is_met_exactly_when_the_last_n_years_are_all_held(
    held: Any, n: Any, year: Any
) -> None:
    nominee = person(year=year, titles=cstdcs(*held))
    met = judge(nominee, [version(ConsecutiveTitles("cstdcs", n))]).verdict == Verdict.ELIGIBLE
    assert met == all(y in held for y in range(year - n + 1, year + 1))


@given(held=years, year=st.integers(2008, 2020))
def test_titles_after_the_nomination_year_never_change_the_verdict(held: Any, year: Any) -> None:
    before = person(year=year, titles=cstdcs(*[y for y in held if y <= year]))
    everything = person(year=year, titles=cstdcs(*held))
    rule = [version(ConsecutiveTitles("cstdcs", 3), CountInWindow("cstdcs", 2, 4))]
    assert judge(before, rule).verdict == judge(everything, rule).verdict


@given(held=years, extra=st.integers(2005, 2020), year=st.integers(2008, 2020))
def test_one_more_title_never_turns_eligible_into_not_eligible(
    held: Any, extra: Any, year: Any
) -> None:
    rule = [version(ConsecutiveTitles("cstdcs", 3), CountInWindow("cstdcs", 3, 5))]
    before = judge(person(year=year, titles=cstdcs(*held)), rule).verdict
    after = judge(person(year=year, titles=cstdcs(*held, extra)), rule).verdict
    assert not (before == Verdict.ELIGIBLE and after == Verdict.NOT_ELIGIBLE)


@given(
    used=st.lists(st.booleans(), max_size=6),
    need=st.integers(1, 4),
)
def test_initiatives_used_up_are_never_counted_twice(used: Any, need: Any) -> None:
    initiatives = tuple(ministry_initiative(2016, u, i) for i, u in enumerate(used))
    j = judge(
        person(initiatives=initiatives), [version(InitiativesRequired(need, Level.GRASSROOTS))]
    )
    free = {i.id for i in initiatives if not i.used}
    assert j.initiatives <= free
    assert (j.verdict == Verdict.ELIGIBLE) == (len(free) >= need)
    if j.verdict == Verdict.ELIGIBLE:
        assert len(j.initiatives) == need
