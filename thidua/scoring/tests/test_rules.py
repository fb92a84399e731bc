"""Tests for the pure scoring rules (no database, no Django)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.rules import (
    Band,
    Breakdown,
    Classification,
    Code,
    CriterionNode,
    Kind,
    LeafScore,
    Problem,
    Ranked,
    ScoreError,
    breakdown,
    check_score,
    classify,
    default_bands,
    default_tie_break,
    iter_leaves,
    propose_rotation,
    rank,
    settled_points,
    table_max,
    table_min,
    total,
    unscored,
    validate_bands,
    validate_table,
)

D = Decimal
C = Classification


def leaf(key: str, kind: Kind, max_points: str) -> CriterionNode:
    return CriterionNode(key, key.upper(), kind, D(max_points))


def section(key: str, *children: CriterionNode, max_points: str | None = None) -> CriterionNode:
    stated = D(max_points) if max_points is not None else None
    return CriterionNode(key, key.upper(), Kind.SECTION, stated, tuple(children))


TABLE = (
    section(
        "I",
        section("I.1", leaf("a", Kind.ITEM, "30"), leaf("b", Kind.ITEM, "20"), max_points="50"),
        leaf("c", Kind.ITEM, "40"),
        max_points="90",
    ),
    section("II", leaf("bonus", Kind.BONUS, "10"), max_points="10"),
    section("III", leaf("p1", Kind.PENALTY, "5"), leaf("p2", Kind.PENALTY, "3"), max_points="8"),
)


# --- table --------------------------------------------------------------------


def test_table_max_and_min() -> None:
    assert table_max(TABLE) == D("100")
    assert table_min(TABLE) == D("-8")
    assert [n.key for n in iter_leaves(TABLE)] == ["a", "b", "c", "bonus", "p1", "p2"]


def test_valid_table_has_no_problems() -> None:
    assert validate_table(TABLE) == []


def test_validate_table_finds_structural_problems() -> None:
    bad = (
        section("S"),
        CriterionNode("L", "L", Kind.ITEM, D("5"), (leaf("x", Kind.ITEM, "1"),)),
        CriterionNode("nomax", "N", Kind.ITEM),
        leaf("zero", Kind.BONUS, "0"),
        leaf("fine", Kind.ITEM, "1.005"),
        section("T", leaf("y", Kind.ITEM, "2"), leaf("y", Kind.ITEM, "3"), max_points="4"),
    )
    assert validate_table(bad) == [
        Problem(Code.SECTION_WITHOUT_CHILDREN, "S"),
        Problem(Code.LEAF_WITH_CHILDREN, "L"),
        Problem(Code.MISSING_MAX, "nomax"),
        Problem(Code.MAX_NOT_POSITIVE, "zero", value=D(0)),
        Problem(Code.TOO_MANY_DECIMALS, "fine", value=D("1.005"), expected=D(2)),
        Problem(Code.SECTION_MAX_MISMATCH, "T", value=D(4), expected=D(5)),
        Problem(Code.DUPLICATE_KEY, "y"),
    ]


def test_section_max_counts_items_and_bonus_not_penalties() -> None:
    mixed = section("M", leaf("i", Kind.ITEM, "10"), leaf("p", Kind.PENALTY, "2"), max_points="10")
    assert validate_table([mixed]) == []


def test_trailing_zeros_are_not_extra_decimals() -> None:
    assert validate_table([leaf("a", Kind.ITEM, "2.500")]) == []
    assert check_score(leaf("a", Kind.ITEM, "5"), D("1.2500")) is None


# --- scores -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "points", "expected"),
    [
        (Kind.ITEM, "0", None),
        (Kind.ITEM, "10", None),
        (Kind.ITEM, "10.01", Problem(Code.ABOVE_MAX, "k", value=D("10.01"), maximum=D(10))),
        (Kind.ITEM, "-1", Problem(Code.BELOW_MIN, "k", value=D(-1), minimum=D(0))),
        (Kind.BONUS, "7.25", None),
        (Kind.PENALTY, "-10", None),
        (Kind.PENALTY, "0", None),
        (Kind.PENALTY, "1", Problem(Code.ABOVE_MAX, "k", value=D(1), maximum=D(0))),
        (Kind.PENALTY, "-10.5", Problem(Code.BELOW_MIN, "k", value=D("-10.5"), minimum=D(-10))),
        (Kind.ITEM, "1.234", Problem(Code.TOO_MANY_DECIMALS, "k", value=D("1.234"), expected=D(2))),
        (Kind.ITEM, "NaN", Problem(Code.NOT_FINITE, "k", value=D("NaN"))),
    ],
)
def test_check_score(kind: Kind, points: str, expected: Problem | None) -> None:
    result = check_score(CriterionNode("k", "K", kind, D("10")), D(points))
    if expected is not None and expected.code is Code.NOT_FINITE:
        assert result is not None and result.code is Code.NOT_FINITE
    else:
        assert result == expected


def test_sections_are_not_scored() -> None:
    assert check_score(TABLE[0], D(1)) == Problem(Code.NOT_A_LEAF, "I")


def test_settled_points_precedence() -> None:
    assert settled_points(D(8)) == D(8)
    assert settled_points(D(8), D(6)) == D(6)  # the review lowers: lower stands
    assert settled_points(D(6), D(8)) == D(8)
    assert settled_points(D(8), D(6), D(7)) == D(7)
    assert settled_points(D(8), None, D(5)) == D(5)


@given(
    self_points=st.decimals(0, 100, places=2),
    review=st.none() | st.decimals(0, 100, places=2),
    settlement=st.none() | st.decimals(0, 100, places=2),
)
def test_settled_points_is_never_max_by_default(
    self_points: Decimal, review: Decimal | None, settlement: Decimal | None
) -> None:
    result = settled_points(self_points, review, settlement)
    expected = (
        settlement if settlement is not None else review if review is not None else self_points
    )
    assert result == expected


def test_leaf_score() -> None:
    node = leaf("a", Kind.ITEM, "10")
    disputed = LeafScore(D(9), D(6), "no evidence", disputed=True)
    assert disputed.settled == D(6)
    assert not disputed.is_final
    settled = LeafScore(D(9), D(6), "no evidence", disputed=True, settlement_points=D(8))
    assert settled.settled == D(8) and settled.is_final
    assert LeafScore(D(9)).is_final
    assert LeafScore(D(9), D(6)).problems(node) == [
        Problem(Code.REVIEW_WITHOUT_REASON, "a", value=D(6))
    ]
    assert LeafScore(D(9), D(9)).problems(node) == []
    assert LeafScore(D(11), D(6), "x").problems(node) == [
        Problem(Code.ABOVE_MAX, "a", value=D(11), maximum=D(10))
    ]


def test_total_and_breakdown() -> None:
    scores = {"a": D(30), "b": D("12.5"), "bonus": D(4), "p1": D(-2)}
    assert breakdown(scores, TABLE) == Breakdown(D("42.5"), D(4), D(-2))
    assert total(scores, TABLE) == D("44.5")
    assert unscored(scores, TABLE) == ["c", "p2"]


def test_total_rejects_bad_scores() -> None:
    with pytest.raises(ScoreError) as caught:
        total({"a": D(31), "I": D(1), "zzz": D(1)}, TABLE)
    assert [p.code for p in caught.value.problems] == [
        Code.NOT_A_LEAF,
        Code.ABOVE_MAX,
        Code.UNKNOWN_CRITERION,
    ]


@st.composite
def valid_scores(draw: st.DrawFn) -> dict[str, Decimal]:
    scores: dict[str, Decimal] = {}
    for node in iter_leaves(TABLE):
        if not draw(st.booleans()):
            continue
        assert node.max_points is not None
        low, high = (
            (-node.max_points, D(0)) if node.kind is Kind.PENALTY else (D(0), node.max_points)
        )
        scores[node.key] = draw(st.decimals(low, high, places=2))
    return scores


@given(scores=valid_scores())
def test_total_stays_within_table_bounds(scores: dict[str, Decimal]) -> None:
    assert table_min(TABLE) <= total(scores, TABLE) <= table_max(TABLE)


# --- ranking ------------------------------------------------------------------


def test_rank_standard_competition() -> None:
    result = rank({"a": D(90), "b": D(95), "c": D(90), "d": D(80)})
    assert result == [
        Ranked("b", D(95), 1),
        Ranked("a", D(90), 2, tied=True),
        Ranked("c", D(90), 2, tied=True),
        Ranked("d", D(80), 4),
    ]


def test_rank_tie_break_applies_before_declaring_a_tie() -> None:
    totals = {"a": D(90), "b": D(90), "c": D(90)}
    tie_break = {
        "a": default_tie_break(Breakdown(D(85), D(5), D(0))),
        "b": default_tie_break(Breakdown(D(88), D(4), D(-2))),
        "c": default_tie_break(Breakdown(D(85), D(6), D(-1))),
    }
    assert [(r.member, r.rank, r.tied) for r in rank(totals, tie_break=tie_break)] == [
        ("b", 1, False),
        ("a", 2, False),
        ("c", 3, False),
    ]


def test_rank_tie_break_must_cover_everyone() -> None:
    with pytest.raises(ValueError):
        rank({"a": D(1), "b": D(2)}, tie_break={"a": (D(1),)})


def test_rank_empty() -> None:
    assert rank({}) == []


totals_st = st.dictionaries(
    st.text(max_size=3), st.decimals(-10, 20, places=1), min_size=1, max_size=12
)


@given(totals=totals_st, data=st.data())
def test_rank_is_competition_ranking(totals: dict[str, Decimal], data: st.DataObject) -> None:
    use_tie_break = data.draw(st.booleans())
    tie_break = {key: (data.draw(st.integers(0, 2)),) for key in totals} if use_tie_break else None
    result = rank(totals, tie_break=tie_break)

    def standing(key: str) -> tuple[Decimal, tuple[int, ...]]:
        return (totals[key], tie_break[key] if tie_break else ())

    assert sorted(r.member for r in result) == sorted(totals)
    for entry in result:
        better = sum(1 for other in totals if standing(other) > standing(entry.member))
        assert entry.rank == 1 + better
        assert entry.tied == any(
            standing(other) == standing(entry.member) for other in totals if other != entry.member
        )
    assert [(r.rank, r.member) for r in result] == sorted((r.rank, r.member) for r in result)
    best = max(totals.values())
    assert all(r.rank == 1 for r in result if r.total == best) or tie_break is not None
    assert any(r.rank == 1 and r.total == best for r in result)

    order = data.draw(st.permutations(list(totals)))
    assert rank({key: totals[key] for key in order}, tie_break=tie_break) == result


# --- classification -----------------------------------------------------------


def test_default_bands() -> None:
    bands = default_bands(D(100))
    assert bands == [
        Band(C.XUAT_SAC, D(90)),
        Band(C.TOT, D(80)),
        Band(C.HOAN_THANH, D(50)),
    ]
    assert validate_bands(bands) == []


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ("100", C.XUAT_SAC),
        ("90", C.XUAT_SAC),
        ("89.99", C.TOT),
        ("80", C.TOT),
        ("50", C.HOAN_THANH),
        ("49.99", C.KHONG_HOAN_THANH),
        ("-5", C.KHONG_HOAN_THANH),
    ],
)
def test_classify_default(points: str, expected: Classification) -> None:
    assert classify(D(points), default_bands(D(100))) is expected


def test_classify_with_explicit_lowest_band() -> None:
    bands = [Band(C.XUAT_SAC, D(95)), Band(C.HOAN_THANH, D(60)), Band(C.KHONG_HOAN_THANH, D(0))]
    assert classify(D(70), bands) is C.HOAN_THANH
    assert classify(D(-1), bands) is C.KHONG_HOAN_THANH


def test_validate_bands() -> None:
    assert validate_bands([Band(C.TOT, D(80)), Band(C.XUAT_SAC, D(70))]) == [
        Problem(Code.BANDS_NOT_DESCENDING, value=D(70), classification=C.XUAT_SAC)
    ]
    assert validate_bands([Band(C.XUAT_SAC, D(80)), Band(C.TOT, D(80))]) == [
        Problem(Code.BANDS_NOT_DESCENDING, value=D(80), classification=C.TOT)
    ]
    assert validate_bands([Band(C.TOT, D(80)), Band(C.TOT, D(70))]) == [
        Problem(Code.DUPLICATE_CLASSIFICATION, classification=C.TOT)
    ]
    with pytest.raises(ValueError):
        classify(D(1), [Band(C.TOT, D(80)), Band(C.XUAT_SAC, D(90))])


@given(
    maximum=st.decimals(1, 1000, places=2),
    a=st.decimals(-100, 1100, places=2),
    b=st.decimals(-100, 1100, places=2),
)
def test_classification_is_monotonic(maximum: Decimal, a: Decimal, b: Decimal) -> None:
    bands = default_bands(maximum)
    order = list(Classification)
    low, high = sorted((a, b))
    assert order.index(classify(high, bands)) <= order.index(classify(low, bands))


# --- rotation -----------------------------------------------------------------


def test_propose_rotation_shift_by_one() -> None:
    assert propose_rotation(["A", "B", "C"]) == {"A": ["B"], "B": ["C"], "C": ["A"]}


def test_propose_rotation_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        propose_rotation(["A", "B"], 2)
    with pytest.raises(ValueError):
        propose_rotation(["A"])
    with pytest.raises(ValueError):
        propose_rotation(["A", "B", "C"], 0)
    with pytest.raises(ValueError):
        propose_rotation(["A", "B", "A"])


@given(
    members=st.lists(st.integers(0, 100), unique=True, min_size=2, max_size=25),
    data=st.data(),
)
def test_rotation_is_balanced_and_never_self(members: list[int], data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(members) - 1))
    plan = propose_rotation(members, k)
    assert list(plan) == members
    loads = dict.fromkeys(members, 0)
    for reviewed, reviewers in plan.items():
        assert reviewed not in reviewers
        assert len(reviewers) == len(set(reviewers)) == k
        for reviewer in reviewers:
            loads[reviewer] += 1
    assert set(loads.values()) == {k}
    assert propose_rotation(members, k) == plan


# --- base points and shares ---------------------------------------------------


def test_items_max_counts_ordinary_items_only() -> None:
    from thidua.scoring.rules import items_max

    assert items_max(TABLE) == D(90)


def test_share_at_least_counts_the_class_and_better() -> None:
    from thidua.scoring.rules import share_at_least

    classes = [C.XUAT_SAC, C.TOT, C.TOT, C.HOAN_THANH]
    assert share_at_least(classes, C.TOT) == D("0.75")
    assert share_at_least(classes, C.XUAT_SAC) == D("0.25")
    assert share_at_least(classes, C.KHONG_HOAN_THANH) == 1
    assert share_at_least([], C.TOT) == 0


@given(st.lists(st.decimals(-10, 20, places=2), min_size=1, max_size=12, unique=True))
def test_distinct_totals_get_ranks_that_are_a_permutation(totals: list[Decimal]) -> None:
    result = rank(dict(enumerate(totals)))
    assert sorted(r.rank for r in result) == list(range(1, len(totals) + 1))
    assert not any(r.tied for r in result)
