"""One initiative counts for one nomination only, even within one batch."""

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from thidua.award_history import actions as history
from thidua.awards import actions
from thidua.awards.eligibility import judge_year
from thidua.awards.rules import (
    ConsecutiveTitles,
    Held,
    InitiativeFact,
    InitiativesRequired,
    Level,
    Nominee,
    RuleStatus,
    RuleVersion,
    Verdict,
    judge_batch,
)

from .conftest import grant

RULES = {
    "needs_one": [
        RuleVersion(
            "needs_one",
            dt.date(2000, 1, 1),
            (InitiativesRequired(1, Level.GRASSROOTS, window=3),),
            RuleStatus.VERIFIED,
        )
    ],
    "needs_title_and_one": [
        RuleVersion(
            "needs_title_and_one",
            dt.date(2000, 1, 1),
            (ConsecutiveTitles("cstdcs", 1), InitiativesRequired(1, Level.GRASSROOTS, window=3)),
            RuleStatus.VERIFIED,
        )
    ],
}


def nominee(
    key: Any, award: Any = "needs_one", *, initiatives: Any, year: Any = 2016, held: Any = ()
) -> Any:
    return Nominee(key=key, award=award, year=year, initiatives=initiatives, held=held)


def grassroots(id: Any, year: Any = 2016, used: Any = False) -> Any:
    return InitiativeFact(id, year, Level.GRASSROOTS, used)


def test_the_earlier_nomination_takes_the_one_initiative_and_the_later_finds_it_used() -> None:
    shared = (grassroots(5),)
    judged = judge_batch([nominee(9, initiatives=shared), nominee(3, initiatives=shared)], RULES)
    assert judged[3].verdict == Verdict.ELIGIBLE
    assert judged[3].initiatives == frozenset({5})
    assert judged[9].verdict == Verdict.NOT_ELIGIBLE
    missing = next(r for r in judged[9].reasons if r.code == "initiatives_missing")
    assert (missing.params["count"], missing.params["used"]) == (0, 1)


def test_two_initiatives_serve_two_nominations_one_each() -> None:
    shared = (grassroots(5, 2015), grassroots(6, 2016))
    judged = judge_batch([nominee(1, initiatives=shared), nominee(2, initiatives=shared)], RULES)
    assert judged[1].initiatives == frozenset({5})
    assert judged[2].initiatives == frozenset({6})
    assert {j.verdict for j in judged.values()} == {Verdict.ELIGIBLE}


def test_a_nomination_that_cannot_be_granted_leaves_the_initiative_to_the_next() -> None:
    shared = (grassroots(5),)
    judged = judge_batch(
        [
            nominee(1, "needs_title_and_one", initiatives=shared),  # no title: not eligible
            nominee(2, initiatives=shared),
        ],
        RULES,
    )
    assert judged[1].verdict == Verdict.NOT_ELIGIBLE
    assert judged[2].verdict == Verdict.ELIGIBLE
    assert judged[2].initiatives == frozenset({5})


def test_an_earlier_year_is_served_before_a_later_one_whatever_the_keys() -> None:
    shared = (grassroots(5, 2015),)
    judged = judge_batch(
        [nominee(1, initiatives=shared, year=2016), nominee(2, initiatives=shared, year=2015)],
        RULES,
    )
    assert judged[2].verdict == Verdict.ELIGIBLE
    assert judged[1].verdict == Verdict.NOT_ELIGIBLE


batches = st.lists(
    st.tuples(
        st.sampled_from(["needs_one", "needs_title_and_one"]),
        st.booleans(),  # holds the title
        st.sets(st.integers(1, 6), max_size=4),  # which of the person's initiatives it sees
    ),
    min_size=1,
    max_size=6,
)


def _nominees(batch: Any, used: Any) -> Any:
    return [
        nominee(
            key,
            award,
            initiatives=tuple(grassroots(i, used=i in used) for i in sorted(seen)),
            held=(Held("cstdcs", 2016),) if titled else (),
        )
        for key, (award, titled, seen) in enumerate(batch)
    ]


@given(batch=batches, used=st.sets(st.integers(1, 6), max_size=3))
def test_no_initiative_is_counted_for_two_nominations_of_a_batch(batch: Any, used: Any) -> None:
    judged = judge_batch(_nominees(batch, used), RULES)
    counted = [
        i for j in judged.values() if j.verdict != Verdict.NOT_ELIGIBLE for i in j.initiatives
    ]
    assert len(counted) == len(set(counted))
    assert not set(counted) & used


@given(batch=batches, used=st.sets(st.integers(1, 6), max_size=3), data=st.data())
def test_the_verdicts_do_not_depend_on_the_order_the_batch_comes_in(
    batch: Any, used: Any, data: Any
) -> None:
    nominees = _nominees(batch, used)
    shuffled = data.draw(st.permutations(nominees))
    assert judge_batch(shuffled, RULES) == judge_batch(nominees, RULES)


def test_two_nominations_of_one_person_in_the_year_do_not_share_an_initiative(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    for year in (2014, 2015, 2016):
        grant(proposals, "cstdcs", year, person=lai_chau_person)
    for title, level, year in (
        ("Phần mềm theo dõi vốn đầu tư công", "ministry_province", 2016),
        ("Sổ tay hướng dẫn thẩm định dự án", "grassroots", 2015),
    ):
        history.do_record_initiative(
            lai_chau_person, title=title, level=level, year=year, acting_user=proposals.supervisor
        )
    first, second = (
        actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["lai_chau"],
            award_type=award(code),
            summary="Hoàn thành xuất sắc nhiệm vụ.",
            person=lai_chau_person,
            acting_user=proposals.lai_chau_officer,
        )
        for code in ("cstd_bo", "bk_bo")
    )
    judged = judge_year(proposals.year)
    assert judged[first.pk].verdict == Verdict.ELIGIBLE
    # The Minister's certificate needs two initiatives; the ministry-level one is taken.
    assert judged[second.pk].verdict == Verdict.NOT_ELIGIBLE
    assert any(r.code == "initiatives_missing" for r in judged[second.pk].reasons)
