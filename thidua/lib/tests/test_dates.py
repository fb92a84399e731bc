"""Tests for thidua.lib.dates."""

from __future__ import annotations

from datetime import date

import pytest

from thidua.lib.dates import date_range_vi, long_date, place_date, short_date


def test_long_date_has_no_leading_zeros() -> None:
    assert long_date(date(2017, 3, 12)) == "ngày 12 tháng 3 năm 2017"
    assert long_date(date(2024, 1, 5)) == "ngày 5 tháng 1 năm 2024"


def test_long_date_official_pads_small_days_and_january_february() -> None:
    assert long_date(date(2024, 1, 5), official=True) == "ngày 05 tháng 01 năm 2024"
    assert long_date(date(2024, 2, 29), official=True) == "ngày 29 tháng 02 năm 2024"
    assert long_date(date(2017, 3, 12), official=True) == "ngày 12 tháng 3 năm 2017"
    assert long_date(date(2017, 12, 9), official=True) == "ngày 09 tháng 12 năm 2017"


def test_place_date() -> None:
    assert place_date("Sơn La", date(2017, 3, 12)) == "Sơn La, ngày 12 tháng 3 năm 2017"
    assert place_date(" Hà Nội ", date(2023, 2, 1), official=True) == (
        "Hà Nội, ngày 01 tháng 02 năm 2023"
    )


def test_short_date() -> None:
    assert short_date(date(2017, 3, 12)) == "12/03/2017"
    assert short_date(date(2024, 1, 5)) == "05/01/2024"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2017, 3, 12), date(2017, 3, 12), "ngày 12 tháng 3 năm 2017"),
        (date(2017, 3, 11), date(2017, 3, 12), "ngày 11 và 12 tháng 3 năm 2017"),
        (date(2017, 3, 11), date(2017, 3, 14), "từ ngày 11 đến ngày 14 tháng 3 năm 2017"),
        (
            date(2017, 2, 28),
            date(2017, 3, 1),
            "từ ngày 28 tháng 2 năm 2017 đến ngày 1 tháng 3 năm 2017",
        ),
        (
            date(2016, 12, 30),
            date(2017, 1, 2),
            "từ ngày 30 tháng 12 năm 2016 đến ngày 2 tháng 1 năm 2017",
        ),
        (
            date(2016, 3, 11),
            date(2017, 3, 12),
            "từ ngày 11 tháng 3 năm 2016 đến ngày 12 tháng 3 năm 2017",
        ),
    ],
)
def test_date_range_vi(start: date, end: date, text: str) -> None:
    assert date_range_vi(start, end) == text


def test_date_range_vi_official() -> None:
    assert date_range_vi(date(2024, 2, 5), date(2024, 2, 6), official=True) == (
        "ngày 05 và 06 tháng 02 năm 2024"
    )


def test_date_range_vi_rejects_reversed_range() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        date_range_vi(date(2017, 3, 12), date(2017, 3, 11))
