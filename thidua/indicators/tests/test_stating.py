"""Pure rules around the figures: checking a value, stating it in Vietnamese, the template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.indicators.rules import (
    Method,
    TemplateProblem,
    UnitKind,
    ValueProblem,
    aggregate,
    check_value,
    fill_template,
    state_aggregate,
    template_problems,
    unit_kind,
)
from thidua.lib.numbers import format_ratio

D = Decimal


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (D("8.5"), None),
        (D("8.55"), ValueProblem.TOO_MANY_DECIMALS),
        (D("-51"), ValueProblem.BELOW_MINIMUM),
        (D("50.1"), ValueProblem.ABOVE_MAXIMUM),
        (D("1e18"), ValueProblem.TOO_LARGE),
        (D("NaN"), ValueProblem.NOT_FINITE),
        (D("8.50000"), None),
    ],
)
def test_check_value(value: Any, problem: Any) -> None:
    assert check_value(value, decimals=1, minimum=D(-50), maximum=D(50)) is problem


def test_unit_kinds_fold_case_and_tone_marks() -> None:
    assert unit_kind("%") is UnitKind.PERCENT
    assert unit_kind(" Tỷ  đồng ") is UnitKind.MONEY_TY
    assert unit_kind("triệu đồng") is UnitKind.MONEY_TRIEU
    assert unit_kind("xã") is UnitKind.OTHER


@pytest.mark.parametrize(
    ("method", "values", "unit", "decimals", "stated"),
    [
        (Method.MEAN, ["8.3", "10.6", "10.1", "7.0", "7.8", "7.2", "8.6"], "%", 1, "khoảng 8,5%"),
        (Method.MEAN, ["8.5", "8.4"], "%", 1, "gần 8,5%"),
        (Method.SUM, ["100000", "57836"], "tỷ đồng", 0, "gần 158 nghìn tỷ đồng"),
        (Method.SUM, ["20000", "7152"], "tỷ đồng", 0, "khoảng 27 nghìn tỷ đồng"),
        (Method.SUM, ["1400", "100", "5"], "triệu đồng", 0, "khoảng 1,5 tỷ đồng"),
        (Method.SUM, ["11400"], "tỷ đồng", 0, "khoảng 11 nghìn tỷ đồng"),
        (Method.MEAN, ["2", "3"], "xã", 0, "gần 3 xã"),
        (Method.MAX, ["2", "3"], "xã", 0, "3 xã"),
    ],
)
def test_figures_are_stated_with_one_rounding_rule(
    method: Any, values: Any, unit: str, decimals: int, stated: str
) -> None:
    result = aggregate(method, {i: D(v) for i, v in enumerate(values)})
    assert state_aggregate(result, unit=unit, decimals=decimals) == stated


def test_ratio_is_stated_by_its_two_sums() -> None:
    result = aggregate(Method.RATIO, {1: D(500), 2: D(312)}, denominators={1: D(600), 2: D(321)})
    assert state_aggregate(result, unit="xã", decimals=0) == "812/921 xã"


def test_no_figure_is_stated_as_none() -> None:
    assert state_aggregate(aggregate(Method.SUM, {1: None}), unit="xã", decimals=0) is None


@given(
    value=st.decimals(min_value=0, max_value=10**6, places=1, allow_nan=False),
    decimals=st.integers(min_value=0, max_value=3),
)
def test_a_single_member_stated_with_its_own_decimals_needs_no_qualifier(
    value: Any, decimals: Any
) -> None:
    result = aggregate(Method.SUM, {"m": value.quantize(D(1).scaleb(-min(decimals, 1)))})
    stated = state_aggregate(result, unit="xã", decimals=max(decimals, 1))
    assert stated is not None
    assert not stated.startswith(("khoảng", "gần"))


@given(
    shares=st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=8),
    data=st.data(),
)
def test_ratio_statement_does_not_depend_on_member_order(shares: Any, data: Any) -> None:
    totals = [s + data.draw(st.integers(min_value=1, max_value=50)) for s in shares]
    numerators = dict(enumerate(D(s) for s in shares))
    denominators = dict(enumerate(D(t) for t in totals))
    order = data.draw(st.permutations(list(numerators)))
    shuffled = aggregate(
        Method.RATIO,
        {k: numerators[k] for k in order},
        denominators={k: denominators[k] for k in reversed(order)},
    )
    stated = state_aggregate(shuffled, unit="xã", decimals=0)
    assert stated == f"{format_ratio(sum(shares), sum(totals))} xã"


def test_template_problems_name_unknown_placeholders_and_stray_braces() -> None:
    assert template_problems("Tăng {GRDP_TANG}, {NAM}, {SO_THANH_VIEN}.", ["GRDP_TANG"]) == []
    assert template_problems("{GDP} và {GDP}", ["GRDP"]) == [
        TemplateProblem("unknown_placeholder", "{GDP}")
    ]
    assert template_problems("Tăng {GRDP", ["GRDP"]) == [TemplateProblem("stray_brace", "{GRDP")]
    assert template_problems("Tăng {grdp}.", ["GRDP"]) == [
        TemplateProblem("stray_brace", "{grdp}.")
    ]


def test_fill_template_replaces_every_placeholder() -> None:
    assert fill_template("{A} và {B}; {A}", {"A": "1", "B": "2"}) == "1 và 2; 1"
