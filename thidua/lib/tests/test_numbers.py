"""Tests for thidua.lib.numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.numbers import (
    approximately,
    format_money_words,
    format_number,
    format_percent,
    format_ratio,
    parse_number,
    state_amount,
    state_percent,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234567, 0, "1.234.567"),
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (D("8.5"), 1, "8,5"),
        (D("8.5"), 0, "9"),  # half up, not banker's rounding
        (D("2.5"), 0, "3"),
        (D("-2.5"), 0, "-3"),  # half up on the magnitude
        (D("-1234.5"), 1, "-1.234,5"),
        (D("-1234.45"), 1, "-1.234,5"),
        (D("-0.4"), 0, "0"),  # never "-0"
        (D("1234.5"), 3, "1.234,500"),
        (8.5, 1, "8,5"),
        (2.675, 2, "2,68"),  # the float's repr, not its binary expansion
        (D("1E+6"), 0, "1.000.000"),
        (D("123456789012345678901234567890.5"), 0, "123.456.789.012.345.678.901.234.567.891"),
    ],
)
def test_format_number(value: Decimal | int | float, decimals: int, text: str) -> None:
    assert format_number(value, decimals) == text


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), float("nan"), float("-inf")])
def test_format_number_rejects_non_finite(bad: Decimal | float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_number(bad)


def test_format_number_rejects_bool_and_negative_decimals() -> None:
    with pytest.raises(TypeError):
        format_number(True)
    with pytest.raises(ValueError, match="decimals"):
        format_number(1, -1)


def test_format_percent_and_ratio() -> None:
    assert format_percent(D("8.5")) == "8,5%"
    assert format_percent(D("88.16"), 2) == "88,16%"
    assert format_percent(100, 0) == "100%"
    assert format_ratio(812, 921) == "812/921"
    assert format_ratio(1234, 5678) == "1.234/5.678"


@pytest.mark.parametrize(
    ("ty", "text"),
    [
        (D("157800"), "158 nghìn tỷ đồng"),
        (D("27150"), "27 nghìn tỷ đồng"),
        (D("11400"), "11 nghìn tỷ đồng"),
        (D("10000"), "10 nghìn tỷ đồng"),
        (D("9960"), "10 nghìn tỷ đồng"),  # 9,96 rounds to 10: whole number
        (D("9940"), "9,9 nghìn tỷ đồng"),
        (D("1500"), "1,5 nghìn tỷ đồng"),
        (D("2000"), "2 nghìn tỷ đồng"),
        (D("2040"), "2 nghìn tỷ đồng"),
        (D("1000"), "1 nghìn tỷ đồng"),
        (D("1200000"), "1.200 nghìn tỷ đồng"),
        (D("999.7"), "1 nghìn tỷ đồng"),  # rounding reaches the next unit
        (D("999.4"), "999 tỷ đồng"),
        (D("950"), "950 tỷ đồng"),
        (D("12.3"), "12 tỷ đồng"),
        (D("2.5"), "2,5 tỷ đồng"),
        (D("1"), "1 tỷ đồng"),
        (D("0.35"), "350 triệu đồng"),
        (D("0.0025"), "2,5 triệu đồng"),
        (D("0.0005"), "500.000 đồng"),
        (D("0"), "0 đồng"),
        (D("-1500"), "-1,5 nghìn tỷ đồng"),
    ],
)
def test_format_money_words_approximate(ty: Decimal, text: str) -> None:
    assert format_money_words(ty) == text


@pytest.mark.parametrize(
    ("ty", "text"),
    [
        (D("11400"), "11.400 tỷ đồng"),
        (D("157800"), "157.800 tỷ đồng"),
        (D("27150.50"), "27.150,5 tỷ đồng"),
        (D("2.5"), "2,5 tỷ đồng"),
        (D("0.35"), "0,35 tỷ đồng"),
        (D("1E+3"), "1.000 tỷ đồng"),
        (D("12345678901234567890123.4567890"), "12.345.678.901.234.567.890.123,456789 tỷ đồng"),
    ],
)
def test_format_money_words_exact(ty: Decimal, text: str) -> None:
    assert format_money_words(ty, approximate=False) == text


@pytest.mark.parametrize(
    ("exact", "shown", "word"),
    [
        (D("157.8"), D("158"), "gần"),
        (D("27.15"), D("27"), "khoảng"),
        (D("8.5"), D("8.50"), ""),
        (D("-157.8"), D("-158"), "gần"),  # magnitudes are compared
        (D("-27.15"), D("-27"), "khoảng"),
    ],
)
def test_approximately(exact: Decimal, shown: Decimal, word: str) -> None:
    assert approximately(exact, shown) == word


@pytest.mark.parametrize(
    ("ty", "text"),
    [
        (D("157800"), "gần 158 nghìn tỷ đồng"),
        (D("27150"), "khoảng 27 nghìn tỷ đồng"),
        (D("11000"), "11 nghìn tỷ đồng"),
        (D("1500"), "1,5 nghìn tỷ đồng"),
        (D("1450"), "gần 1,5 nghìn tỷ đồng"),
        (D("999.7"), "gần 1 nghìn tỷ đồng"),
        (D("950"), "950 tỷ đồng"),
        (D("950.2"), "khoảng 950 tỷ đồng"),
        (D("0.35"), "350 triệu đồng"),
    ],
)
def test_state_amount(ty: Decimal, text: str) -> None:
    assert state_amount(ty) == text


@pytest.mark.parametrize(
    ("exact", "decimals", "text"),
    [
        (D("8.46"), 1, "gần 8,5%"),
        (D("8.45"), 1, "gần 8,5%"),  # half up
        (D("8.53"), 1, "khoảng 8,5%"),
        (D("8.549"), 1, "khoảng 8,5%"),
        (D("8.50"), 1, "8,5%"),
        (D("8.5"), 1, "8,5%"),
        (D("88.16"), 2, "88,16%"),
        (D("100"), 0, "100%"),
        (D("99.96"), 1, "gần 100,0%"),
    ],
)
def test_state_percent(exact: Decimal, decimals: int, text: str) -> None:
    assert state_percent(exact, decimals) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", D("1234.5")),
        ("1.234.567", D("1234567")),
        ("1.234", D("1234")),  # a lone "." before three digits groups thousands
        ("8,5", D("8.5")),
        ("8,5%", D("8.5")),
        (" 8,5 % ", D("8.5")),
        ("1234.5", D("1234.5")),
        ("8.5", D("8.5")),
        ("0.125", D("0.125")),  # "0" cannot open a thousands group
        ("12.3456", D("12.3456")),
        ("1234", D("1234")),
        ("-1.234,5", D("-1234.5")),
        ("\u22121.234,5", D("-1234.5")),
        ("+8,5", D("8.5")),
        ("0", D("0")),
        ("007", D("7")),
    ],
)
def test_parse_number(text: str, value: Decimal) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "  ",
        "%",
        "abc",
        "1,234.5",
        "1.23.4",
        "1.2345.678",
        "1,2,3",
        "8,",
        ",5",
        ".5",
        "1..2",
        "--1",
        "+-1",
        "1 234",
        "1e5",
        "NaN",
        "Infinity",
        "12a",
        "1.234,5,6",
    ],
)
def test_parse_number_rejects_garbage(garbage: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(garbage)


def _quantized(x: Decimal, decimals: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=6),
)
def test_parse_inverts_format(x: Decimal, decimals: int) -> None:
    assert parse_number(format_number(x, decimals)) == _quantized(x, decimals)


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False))
def test_state_amount_qualifier_matches_direction(x: Decimal) -> None:
    words = state_amount(x)
    assert words.endswith("đồng")
    exact_words = format_money_words(x)
    assert words in (exact_words, f"gần {exact_words}", f"khoảng {exact_words}")
