"""Vietnamese date wording for documents and screens.

Day and month numbers carry no leading zero by default ("ngày 5 tháng 3 năm
2017"). With ``official=True`` the date follows the administrative-document
rule of Decree 30/2020/NĐ-CP, Appendix I: days below 10 and months 1 and 2 get
a leading zero ("ngày 05 tháng 02 năm 2017"), so that no digit can be added in
front later.

Ranges (:func:`date_range_vi`):

* one day: the long date;
* two consecutive days in one month: "ngày 11 và 12 tháng 3 năm 2017";
* a longer range in one month: "từ ngày 11 đến ngày 14 tháng 3 năm 2017";
* anything else: "từ ngày 28 tháng 2 năm 2017 đến ngày 3 tháng 3 năm 2017".
"""

from __future__ import annotations

from datetime import date

__all__ = ["date_range_vi", "long_date", "place_date", "short_date"]


def _day(d: date, official: bool) -> str:
    """Return the day number, zero-padded below 10 in official style."""
    return f"{d.day:02d}" if official else str(d.day)


def _month(d: date, official: bool) -> str:
    """Return the month number; official style pads only January and February."""
    return f"{d.month:02d}" if official and d.month <= 2 else str(d.month)


def _month_year(d: date, official: bool) -> str:
    """Return "tháng M năm YYYY"."""
    return f"tháng {_month(d, official)} năm {d.year}"


def long_date(d: date, *, official: bool = False) -> str:
    """Return "ngày 12 tháng 3 năm 2017"."""
    return f"ngày {_day(d, official)} {_month_year(d, official)}"


def place_date(place: str, d: date, *, official: bool = False) -> str:
    """Return the document date line "Sơn La, ngày 12 tháng 3 năm 2017"."""
    return f"{place.strip()}, {long_date(d, official=official)}"


def short_date(d: date) -> str:
    """Return "12/03/2017"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_range_vi(start: date, end: date, *, official: bool = False) -> str:
    """Return a date range in words (rules in the module docstring)."""
    if end < start:
        raise ValueError(f"range ends before it starts: {start} > {end}")
    if start == end:
        return long_date(start, official=official)
    tail = _month_year(end, official)
    if (start.year, start.month) == (end.year, end.month):
        first, last = _day(start, official), _day(end, official)
        if (end - start).days == 1:
            return f"ngày {first} và {last} {tail}"
        return f"từ ngày {first} đến ngày {last} {tail}"
    return f"từ {long_date(start, official=official)} đến {long_date(end, official=official)}"
