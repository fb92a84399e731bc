"""Alike nominations judged once give exactly the verdicts of judging each one."""

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.awards.catalogue import catalogue
from thidua.awards.rule_data import requirements_from_data
from thidua.awards.rules import (
    AnyOf,
    ConsecutiveTitles,
    CountInWindow,
    Held,
    InitiativeFact,
    Level,
    MemberFact,
    MinYearsSince,
    NoDisciplineOrOpenComplaint,
    Nominee,
    Rating,
    RatingsOverPeriod,
    Requirement,
    RuleStatus,
    RuleVersion,
    SameYearPrerequisite,
    judge_batch,
    memo_key,
    rule_in_force,
)

# The catalogue's rules, every version, as the migration loads them.
VERSIONS = {
    spec["code"]: [
        RuleVersion(
            spec["code"],
            dt.date.fromisoformat(version["effective_from"]),
            requirements_from_data(version["requirements"]),
            RuleStatus(version["status"]),
        )
        for version in spec["versions"]
    ]
    for spec in catalogue()["awards"]
}
# And one award per kind of requirement the catalogue only uses beside initiatives (whose
# nominations are never kept), as a supervisor may define them.
EXTRA: dict[str, Requirement] = {
    "test_consecutive": ConsecutiveTitles("cstdcs", 2),
    "test_window": CountInWindow("cstdcs", 2, 4),
    "test_same_year": SameYearPrerequisite("cstdcs"),
    "test_since": MinYearsSince("cstdcs", 2),
    "test_clean": NoDisciplineOrOpenComplaint(),
    "test_ratings": RatingsOverPeriod(Rating.GOOD, 3, excellent=1),
    "test_any": AnyOf((ConsecutiveTitles("cstdcs", 2), RatingsOverPeriod(Rating.GOOD, 2))),
}
for code, requirement in EXTRA.items():
    VERSIONS[code] = [RuleVersion(code, dt.date(2000, 1, 1), (requirement,))]
AWARDS = sorted(VERSIONS)
EXTRA_AWARDS = sorted(EXTRA)
YEARS = st.integers(2012, 2026)  # the catalogue's versions change in 2024 and mid-2025

nominees = st.builds(
    Nominee,
    key=st.just(0),
    award=st.sampled_from(AWARDS),
    year=YEARS,
    held=st.lists(st.builds(Held, st.sampled_from(AWARDS), YEARS), max_size=8).map(tuple),
    ratings=st.dictionaries(YEARS, st.sampled_from(list(Rating)), max_size=6),
    initiatives=st.lists(
        st.builds(InitiativeFact, st.integers(1, 5), YEARS, st.sampled_from(list(Level))),
        max_size=3,
        unique_by=lambda i: i.id,
    ).map(tuple),
    members=st.none()
    | st.lists(
        st.builds(
            MemberFact,
            st.frozensets(st.sampled_from(AWARDS), max_size=2),
            st.none() | st.sampled_from(list(Rating)),
        ),
        min_size=1,
        max_size=5,
    ).map(tuple),
    clean_record=st.none() | st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(nominees, min_size=1, max_size=12))
def test_a_batch_judged_with_a_memo_equals_the_batch_judged_case_by_case(found: Any) -> None:
    batch = [
        Nominee(i, n.award, n.year, n.held, n.ratings, n.initiatives, n.members, n.clean_record)
        for i, n in enumerate(found)
    ]
    memo: dict = {}
    assert judge_batch(batch, VERSIONS, member_count=7, memo=memo) == judge_batch(
        batch, VERSIONS, member_count=7
    )
    # and judged again from a memo already filled, as the next year of a national batch is
    assert judge_batch(batch, VERSIONS, member_count=7, memo=memo) == judge_batch(
        batch, VERSIONS, member_count=7
    )


@st.composite
def alike(draw: Any) -> Any:
    """Nominations for one award in one year whose histories differ only a little: most
    share a key with another, so a key that misses an input shows."""
    award = draw(st.sampled_from(EXTRA_AWARDS) | st.sampled_from(AWARDS))
    year = draw(YEARS)
    titles = st.lists(
        st.builds(Held, st.sampled_from([award, "cstdcs"]), st.integers(year - 4, year)),
        max_size=3,
    ).map(tuple)
    recent = st.dictionaries(
        st.integers(year - 2, year), st.sampled_from([Rating.EXCELLENT, Rating.GOOD])
    )
    return [
        Nominee(
            i,
            award,
            year,
            draw(titles),
            draw(recent),
            clean_record=draw(st.sampled_from([None, True, False])),
        )
        for i in range(draw(st.integers(2, 10)))
    ]


@settings(max_examples=300, deadline=None)
@given(alike())
def test_alike_nominations_judged_with_a_memo_keep_their_own_verdicts(batch: Any) -> None:
    assert judge_batch(batch, VERSIONS, memo={}) == judge_batch(batch, VERSIONS)


def test_alike_nominations_share_a_key_and_different_ratings_do_not() -> None:
    def worker(key: Any, rating: Any) -> Any:
        return Nominee(key, "ldtt", 2020, ratings={2020: rating}, clean_record=True)

    rule = rule_in_force(VERSIONS["ldtt"], 2020)
    good, also_good = worker(1, Rating.GOOD), worker(2, Rating.GOOD)
    assert memo_key(good, rule) == memo_key(also_good, rule)
    assert memo_key(good, rule) != memo_key(worker(3, Rating.COMPLETED), rule)


def test_a_nomination_that_counts_initiatives_is_never_kept() -> None:
    rule = rule_in_force(VERSIONS["cstd_bo"], 2020)
    assert memo_key(Nominee(1, "cstd_bo", 2020), rule) is None
