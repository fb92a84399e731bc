"""Reading award history from Excel and checking every row before anything is stored.

The file has one header row with the columns of `COLUMNS`; an individual's row names the
person (with year of birth), a collective's row leaves the name empty and names the unit.
Every problem is reported by row and column; one problem refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from thidua.lib.text import fold, normalize

COLUMNS = (
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Đơn vị",
    "Danh hiệu, hình thức khen thưởng",
    "Năm",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan ban hành",
)
NAME, BORN, GENDER, UNIT, AWARD, YEAR, NUMBER, DATE, ISSUER = range(len(COLUMNS))
GENDERS = {"nam": "male", "nữ": "female", "": ""}


class ImportRefused(Exception):
    """The file is refused whole; `messages` name each problem by row and column."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages[:3]))
        self.messages = messages


@dataclass(frozen=True)
class Row:
    """One checked row: either a person (by key) or an organisation."""

    number: int
    person_key: tuple[str, int] | None
    full_name: str
    birth_year: int | None
    gender: str
    organization_id: int
    unit_name: str
    award_id: int
    year: int
    decision_number: str
    decision_date: dt.date
    issuer_name: str


@dataclass(frozen=True)
class Lookups:
    """What the rows are checked against, loaded once for the whole file."""

    awards: Mapping[str, int]  # folded name or code -> id
    organizations: Mapping[str, list[int]]  # folded name -> ids
    today: dt.date


def read_sheet(content: bytes) -> list[list[Any]]:
    """The first sheet's rows as Python values; an unreadable file is refused."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            list(row) for row in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        ]
    except Exception:  # calamine raises several kinds for a file that is not a workbook
        raise ImportRefused(
            [_("The file is not an Excel workbook (.xlsx) that can be read.")]
        ) from None


def _cell(row: Sequence[Any], index: int) -> Any:
    value = row[index] if index < len(row) else ""
    return normalize(value) if isinstance(value, str) else value


def _column(index: int) -> str:
    return f"{chr(ord('A') + index)} ({COLUMNS[index]})"


def _error(number: int, index: int, problem: str) -> str:
    return _("Row %(row)s, column %(column)s: %(problem)s") % {
        "row": number,
        "column": _column(index),
        "problem": problem,
    }


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()  # noqa: DTZ007
        except ValueError:
            return None
    return None


def check_rows(table: list[list[Any]], lookups: Lookups) -> tuple[list[Row], list[str]]:
    """Check the header and every row; returns the rows and the problems found."""
    if not table:
        return [], [_("The file is empty.")]
    header = [normalize(str(h)) for h in table[0]]
    problems: list[str] = []
    for index, expected in enumerate(COLUMNS):
        found = header[index] if index < len(header) else ""
        if fold(found) != fold(expected):
            problems.append(
                _("Row 1, column %(column)s: the header should be “%(expected)s”, not “%(found)s”.")
                % {"column": chr(ord("A") + index), "expected": expected, "found": found}
            )
    if problems:
        return [], problems
    rows: list[Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, raw in enumerate(table[1:], start=2):
        if all(v in ("", None) for v in raw):
            continue
        row_problems: list[str] = []

        def bad(index: int, problem: str, n: int = number, out: list[str] = row_problems) -> None:
            out.append(_error(n, index, problem))

        name = _cell(raw, NAME)
        name = name if isinstance(name, str) else str(name)
        born = _as_int(_cell(raw, BORN)) if name else None
        if name and born is None:
            bad(BORN, _("enter the year of birth of the person."))
        elif born is not None and not 1900 <= born <= lookups.today.year:
            bad(BORN, _("the year of birth is not plausible."))
        gender = GENDERS.get(fold(str(_cell(raw, GENDER))))
        if gender is None:
            bad(GENDER, _("write Nam or Nữ, or leave it empty."))
        unit = str(_cell(raw, UNIT))
        orgs = lookups.organizations.get(fold(unit), [])
        if not unit:
            bad(UNIT, _("enter the unit."))
        elif not orgs:
            bad(UNIT, _("unknown unit “%(unit)s”.") % {"unit": unit})
        elif len(orgs) > 1:
            bad(UNIT, _("more than one unit is named “%(unit)s”.") % {"unit": unit})
        award_name = str(_cell(raw, AWARD))
        award = lookups.awards.get(fold(award_name))
        if award is None:
            bad(AWARD, _("unknown award “%(award)s”.") % {"award": award_name})
        year = _as_int(_cell(raw, YEAR))
        if year is None or not 1945 <= year <= lookups.today.year:
            bad(YEAR, _("the year must be between 1945 and this year."))
        decision_number = str(_cell(raw, NUMBER))
        if not decision_number:
            bad(NUMBER, _("enter the decision number."))
        decision_date = _as_date(_cell(raw, DATE))
        if decision_date is None:
            bad(DATE, _("enter the decision date as dd/mm/yyyy."))
        elif decision_date > lookups.today:
            bad(DATE, _("the decision date is in the future."))
        elif year is not None and decision_date.year < year:
            bad(DATE, _("the decision is dated before the year it rewards."))
        issuer = str(_cell(raw, ISSUER))
        if not issuer:
            bad(ISSUER, _("enter the issuing authority."))
        if row_problems:
            problems.extend(row_problems)
            continue
        assert award is not None and year is not None and decision_date is not None
        person_key = (fold(name), born) if name and born is not None else None
        nominee = person_key if person_key is not None else ("unit", orgs[0])
        key = (nominee, award, year)
        if key in seen:
            problems.append(
                _error(
                    number,
                    AWARD,
                    _("the same award for the same year as row %(row)s.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        rows.append(
            Row(
                number=number,
                person_key=person_key,
                full_name=name,
                birth_year=born,
                gender=gender or "",
                organization_id=orgs[0],
                unit_name=unit,
                award_id=award,
                year=year,
                decision_number=decision_number,
                decision_date=decision_date,
                issuer_name=issuer,
            )
        )
    if not rows and not problems:
        problems.append(_("The file has no rows under its header."))
    return rows, problems


def duplicate_of_existing(number: int, year: int) -> str:
    return _error(
        number, AWARD, _("already recorded for %(year)s in the award history.") % {"year": year}
    )


def ambiguous_person(number: int, name: str) -> str:
    return _error(
        number,
        NAME,
        _("more than one person is recorded as %(name)s with this year of birth; merge them first.")
        % {"name": name},
    )
