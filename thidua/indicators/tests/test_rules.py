"""Tests for the pure indicator rules (no database, no Django)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.indicators.rules import (
    Aggregate,
    Change,
    Method,
    Problem,
    ProblemCode,
    aggregate,
    compare_years,
    matrix_gaps,
)

D = Decimal
PLAIN = (Method.SUM, Method.MEAN, Method.MIN, Method.MAX)

amounts = st.decimals(
    min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
)
weights_st = st.decimals(
    min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False
)
positive = st.decimals(
    min_value=D("0.01"), max_value=10**6, places=2, allow_nan=False, allow_infinity=False
)
members = st.integers(min_value=0, max_value=40)
value_maps = st.dictionaries(members, amounts, min_size=1, max_size=15)


def _reordered(mapping: dict[int, Decimal | None], order: list[int]) -> dict[int, Decimal | None]:
    return {key: mapping[key] for key in order}


# --- examples -----------------------------------------------------------------


def test_sum_excludes_missing_and_reports_them() -> None:
    result = aggregate(Method.SUM, {"b": D("2"), "a": None, "c": D("3.5"), "d": None})
    assert result == Aggregate(Method.SUM, D("5.5"), 2, ("a", "d"))


def test_mean_min_max() -> None:
    values = {1: D("10"), 2: D("20"), 3: None, 4: D("60")}
    assert aggregate(Method.MEAN, values).value == D("30")
    assert aggregate(Method.MIN, values).value == D("10")
    assert aggregate(Method.MAX, values).value == D("60")
    assert aggregate(Method.MEAN, values).missing == (3,)


def test_all_missing_gives_none_not_zero() -> None:
    result = aggregate(Method.SUM, {1: None, 2: None})
    assert result.value is None
    assert result.members_counted == 0
    assert result.missing == (1, 2)
    assert result.problems == (Problem(ProblemCode.NO_DATA),)


def test_weighted_mean() -> None:
    # Share of poor households weighted by each commune's households.
    values = {"x": D("0.10"), "y": D("0.40")}
    weights = {"x": D("300"), "y": D("100")}
    result = aggregate(Method.WEIGHTED_MEAN, values, weights=weights)
    assert result.value == D("0.175")
    assert result.members_counted == 2


def test_weighted_mean_missing_weight_is_reported() -> None:
    result = aggregate(
        Method.WEIGHTED_MEAN, {"x": D("1"), "y": D("3")}, weights={"x": D("2"), "y": None}
    )
    assert result.value == D("1")
    assert result.missing == ("y",)
    assert Problem(ProblemCode.MISSING_WEIGHT, "y") in result.problems


def test_weighted_mean_zero_total_weight() -> None:
    result = aggregate(
        Method.WEIGHTED_MEAN, {"x": D("1"), "y": D("3")}, weights={"x": D("0"), "y": D("0")}
    )
    assert result.value is None
    assert result.members_counted == 2
    assert result.problems == (Problem(ProblemCode.ZERO_TOTAL_WEIGHT),)


def test_weighted_mean_negative_weight_excluded() -> None:
    result = aggregate(
        Method.WEIGHTED_MEAN, {"x": D("1"), "y": D("3")}, weights={"x": D("1"), "y": D("-1")}
    )
    assert result.value == D("1")
    assert Problem(ProblemCode.NEGATIVE_WEIGHT, "y") in result.problems


def test_ratio_keeps_both_parts() -> None:
    numerators = {"A": D("500"), "B": D("312"), "C": None}
    denominators = {"A": D("600"), "B": D("321"), "C": D("40")}
    result = aggregate(Method.RATIO, numerators, denominators=denominators)
    assert (result.numerator, result.denominator) == (D("812"), D("921"))
    assert result.value == D(812) / D(921)
    assert result.missing == ("C",)
    assert Problem(ProblemCode.MISSING_NUMERATOR, "C") in result.problems


def test_ratio_zero_denominator() -> None:
    result = aggregate(Method.RATIO, {"A": D("0")}, denominators={"A": D("0")})
    assert result.value is None
    assert result.problems == (Problem(ProblemCode.ZERO_DENOMINATOR),)


def test_ratio_member_only_in_denominators_is_missing() -> None:
    result = aggregate(Method.RATIO, {"A": D("1")}, denominators={"A": D("2"), "B": D("5")})
    assert result.value == D("0.5")
    assert result.missing == ("B",)


def test_not_finite_values_are_excluded() -> None:
    result = aggregate(Method.SUM, {1: D("NaN"), 2: D("4")})
    assert result.value == D("4")
    assert result.problems == (Problem(ProblemCode.NOT_FINITE, 1),)


@pytest.mark.parametrize("method", PLAIN)
def test_plain_methods_reject_extra_mappings(method: Method) -> None:
    with pytest.raises(ValueError):
        aggregate(method, {1: D(1)}, weights={1: D(1)})
    with pytest.raises(ValueError):
        aggregate(method, {1: D(1)}, denominators={1: D(1)})


def test_weighted_mean_and_ratio_require_their_mapping() -> None:
    with pytest.raises(ValueError):
        aggregate(Method.WEIGHTED_MEAN, {1: D(1)})
    with pytest.raises(ValueError):
        aggregate(Method.RATIO, {1: D(1)})


def test_method_accepts_its_string_value() -> None:
    assert aggregate("sum", {1: D(2)}).method is Method.SUM  # type: ignore[arg-type]


def test_matrix_gaps() -> None:
    values = {("a", "i1"): D(1), ("a", "i2"): None, ("b", "i1"): D(2), ("b", "i2"): D(3)}
    assert matrix_gaps(["a", "b", "c"], ["i1", "i2"], values) == {
        "a": ["i2"],
        "c": ["i1", "i2"],
    }


def test_compare_years() -> None:
    assert compare_years(D("110"), D("100")) == Change(D("110"), D("100"), D("10"), D("0.1"))
    assert compare_years(D("-5"), D("-10")) == Change(D("-5"), D("-10"), D("5"), D("0.5"))
    assert compare_years(D("3"), D("0")).relative is None
    assert compare_years(None, D("1")) == Change(None, D("1"), None, None)
    current = aggregate(Method.SUM, {1: D(6)})
    previous = aggregate(Method.SUM, {1: None})
    assert compare_years(current, previous) == Change(D(6), None, None, None)
    assert compare_years(current, aggregate(Method.SUM, {1: D(4)})).absolute == D(2)


# --- properties ---------------------------------------------------------------


@given(value=amounts, method=st.sampled_from(PLAIN))
def test_one_member_aggregates_to_its_value(value: Decimal, method: Method) -> None:
    assert aggregate(method, {"m": value}).value == value


@given(value=amounts, weight=positive)
def test_one_member_weighted_mean_is_its_value(value: Decimal, weight: Decimal) -> None:
    assert aggregate(Method.WEIGHTED_MEAN, {"m": value}, weights={"m": weight}).value == value


@given(numerator=amounts, denominator=positive)
def test_one_member_ratio_is_its_ratio(numerator: Decimal, denominator: Decimal) -> None:
    result = aggregate(Method.RATIO, {"m": numerator}, denominators={"m": denominator})
    assert result.value == numerator / denominator
    assert (result.numerator, result.denominator) == (numerator, denominator)


@given(
    data=st.data(),
    values=st.dictionaries(members, st.none() | amounts, min_size=1, max_size=15),
    method=st.sampled_from(PLAIN),
)
def test_member_order_never_matters(
    data: st.DataObject, values: dict[int, Decimal | None], method: Method
) -> None:
    order = data.draw(st.permutations(list(values)))
    assert aggregate(method, values) == aggregate(method, _reordered(values, order))


@given(
    data=st.data(),
    values=st.dictionaries(members, st.none() | amounts, min_size=1, max_size=15),
    extra=st.dictionaries(members, st.none() | weights_st, max_size=15),
)
def test_member_order_never_matters_weighted_and_ratio(
    data: st.DataObject, values: dict[int, Decimal | None], extra: dict[int, Decimal | None]
) -> None:
    order = data.draw(st.permutations(list(values)))
    extra_order = data.draw(st.permutations(list(extra)))
    shuffled = _reordered(values, order)
    shuffled_extra = _reordered(extra, extra_order)
    assert aggregate(Method.WEIGHTED_MEAN, values, weights=extra) == aggregate(
        Method.WEIGHTED_MEAN, shuffled, weights=shuffled_extra
    )
    assert aggregate(Method.RATIO, values, denominators=extra) == aggregate(
        Method.RATIO, shuffled, denominators=shuffled_extra
    )


@given(values=value_maps)
def test_min_le_mean_le_max(values: dict[int, Decimal]) -> None:
    low = aggregate(Method.MIN, values).value
    mean = aggregate(Method.MEAN, values).value
    high = aggregate(Method.MAX, values).value
    assert low is not None and mean is not None and high is not None
    assert low <= mean <= high


@given(values=value_maps, data=st.data())
def test_min_le_weighted_mean_le_max(values: dict[int, Decimal], data: st.DataObject) -> None:
    weights = {key: data.draw(positive) for key in values}
    mean = aggregate(Method.WEIGHTED_MEAN, values, weights=weights).value
    assert mean is not None
    assert min(values.values()) <= mean <= max(values.values())


@given(
    left=st.dictionaries(st.text(max_size=3), st.none() | amounts, max_size=10),
    right=st.dictionaries(st.text(max_size=3), st.none() | amounts, max_size=10),
)
def test_sum_of_disjoint_unions_adds(
    left: dict[str, Decimal | None], right: dict[str, Decimal | None]
) -> None:
    right = {f"r{key}": value for key, value in right.items()}
    left = {f"l{key}": value for key, value in left.items()}
    a = aggregate(Method.SUM, left)
    b = aggregate(Method.SUM, right)
    union = aggregate(Method.SUM, {**left, **right})
    parts = [part.value for part in (a, b) if part.value is not None]
    assert union.value == (sum(parts, D(0)) if parts else None)
    assert union.members_counted == a.members_counted + b.members_counted
    assert union.missing == tuple(sorted(a.missing + b.missing))


@given(values=st.dictionaries(members, st.none() | amounts, max_size=15))
def test_counted_and_missing_partition_members(values: dict[int, Decimal | None]) -> None:
    result = aggregate(Method.MEAN, values)
    assert result.members_counted + len(result.missing) == len(values)
    assert set(result.missing) == {key for key, value in values.items() if value is None}


@given(
    member_keys=st.lists(members, unique=True, max_size=6),
    indicator_keys=st.lists(st.text(max_size=2), unique=True, max_size=6),
    data=st.data(),
)
def test_matrix_gaps_are_exactly_the_unreported_cells(
    member_keys: list[int], indicator_keys: list[str], data: st.DataObject
) -> None:
    cells = [(m, i) for m in member_keys for i in indicator_keys]
    reported = data.draw(st.sets(st.sampled_from(cells)) if cells else st.just(set()))
    values = {cell: D(1) for cell in reported}
    gaps = matrix_gaps(member_keys, indicator_keys, values)
    gap_cells = {(m, i) for m, inds in gaps.items() for i in inds}
    assert gap_cells == set(cells) - reported
    assert all(gaps.values())


@given(current=amounts, previous=amounts)
def test_compare_years_absolute_adds_back(current: Decimal, previous: Decimal) -> None:
    change = compare_years(current, previous)
    assert change.absolute is not None
    assert previous + change.absolute == current
    if previous != 0:
        assert change.relative is not None
        assert (change.relative > 0) == (current > previous)
