"""Reading award history from Excel and checking every row before anything is stored.

The file has one header row with the columns of `COLUMNS`; an individual's row names the
person (with year of birth), a collective's row leaves the name empty and names the unit.
Every problem is reported by row and column; one problem refuses the whole file.

A national file has 100,000 rows, so the checks go column by column: a column's cells
repeat (a few thousand distinct units, dates, years and decision numbers in 100,000 rows),
and the sheet comes from the reader as each column's distinct values with a code per cell
(`thidua.lib.sheet_reader`): each distinct cell is read, normalised and checked once. Only
the rows with a problem are then spelled out, by row and column, in the order the columns
are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any, NamedTuple, TypeVar

from django.utils.translation import gettext as _

from thidua.errors import ActionRefused, Refusal
from thidua.lib import sheet_reader
from thidua.lib.safe_zip import UnsafeFile
from thidua.lib.sheet_reader import Column, Sheet
from thidua.lib.text import fold, normalize

from .names import AwardNames, UnitNames, name_key

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
# Optional columns after these: the post a newcomer holds in the unit, and since and until when.
POSITION_COLUMNS = ("Chức vụ", "Giữ chức vụ từ ngày", "Giữ chức vụ đến ngày")
POSITION, SINCE, UNTIL = range(len(COLUMNS), len(COLUMNS) + len(POSITION_COLUMNS))
ALL_COLUMNS = COLUMNS + POSITION_COLUMNS
GENDERS = {"nam": "male", "nữ": "female", "": ""}
# The longest text each column may hold (the lengths of the fields it is stored in).
MAX_LENGTHS = {NAME: 150, NUMBER: 50, ISSUER: 255, POSITION: 150}

T = TypeVar("T")


class ImportRefused(ActionRefused):
    """The file is refused whole; `messages` name each problem by row and column."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(_("Nothing was imported."), kind=Refusal.INVALID, details=messages)
        self.messages = messages

    def __str__(self) -> str:
        return "; ".join(self.messages[:3])


class Row(NamedTuple):
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
    position: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class Lookups:
    """What the rows are checked against, loaded once for the whole file."""

    awards: AwardNames
    units: UnitNames
    today: dt.date
    # How two units of one name are told apart in a message (their period or successor).
    describe_units: Callable[[list[int]], list[str]] = lambda pks: [str(pk) for pk in pks]


def read_sheet(content: bytes) -> Sheet:
    """The first sheet, by column; an unreadable or oversized file is refused."""
    try:
        return sheet_reader.read_sheet(content)
    except UnsafeFile as unsafe:
        raise ImportRefused([unsafe.message]) from None
    except sheet_reader.UnreadableSheet:
        raise ImportRefused(
            [_("The file is not an Excel workbook (.xlsx) that can be read.")]
        ) from None


def _column(index: int) -> str:
    return f"{chr(ord('A') + index)} ({ALL_COLUMNS[index]})"


def cell_error(number: int, index: int, problem: str) -> str:
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
        day, _slash, rest = value.strip().partition("/")
        month, _slash, year = rest.partition("/")
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            return None
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
    return None


def _cell(value: Any) -> Any:
    """A cell as the checks see it: text normalised (NFC, one space), other values as read."""
    return normalize(value) if isinstance(value, str) else value


def _text(value: Any) -> str:
    return normalize(value) if isinstance(value, str) else str(value)


def each_distinct(values: Sequence[str], convert: Callable[[str], T]) -> list[T]:
    """`convert(value)` for every text, computed once for each distinct text."""
    known = {value: convert(value) for value in set(values)}
    return list(map(known.__getitem__, values))


def name_folder() -> Callable[[str], str]:
    """`fold` for normalised names, one word at a time: names share few distinct words.

    Folding (case, NFC, tone placement) never reaches across a space, so a normalised
    name folds to its words' folds joined by spaces; each distinct word is folded once.
    """
    words: dict[str, str] = {}

    def fold_word(word: str) -> str:
        key = words.get(word)
        if key is None:
            key = words[word] = fold(word)
        return key

    def fold_name(name: str) -> str:
        return " ".join(map(fold_word, name.split(" ")))

    return fold_name


# A problem found in a cell: (column, order in its row's list, text). A row's problems are
# listed B to I, then the lengths of A, G and I (the order the checks were first written in).
Problem = tuple[int, int, str] | None
LENGTH_ORDER = {NAME: 8, NUMBER: 9, ISSUER: 10, POSITION: 11}


def check_rows(sheet: Sheet, lookups: Lookups) -> tuple[list[Row], list[str]]:
    """Check the header and every row; returns the rows and the problems found."""
    if not sheet.height:
        return [], [_("The file is empty.")]
    header = [normalize(str(h)) for h in sheet.row(0)]
    problems: list[str] = []
    for index, expected in enumerate(COLUMNS):
        found = header[index] if index < len(header) else ""
        if fold(found) != fold(expected):
            problems.append(
                _("Row 1, column %(column)s: the header should be “%(expected)s”, not “%(found)s”.")
                % {"column": chr(ord("A") + index), "expected": expected, "found": found}
            )
    # The position's columns are optional; when the header has them, they are named as here.
    positions = any(h not in (None, "") for h in sheet.row(0)[len(COLUMNS) :])
    for index in range(len(COLUMNS), len(ALL_COLUMNS) if positions else len(COLUMNS)):
        found = header[index] if index < len(header) else ""
        if fold(found) != fold(ALL_COLUMNS[index]):
            problems.append(
                _("Row 1, column %(column)s: the header should be “%(expected)s”, not “%(found)s”.")
                % {"column": chr(ord("A") + index), "expected": ALL_COLUMNS[index], "found": found}
            )
    if problems:
        return [], problems
    # Blank rows (every cell "" or None) are skipped; the others keep their row number.
    kept = [row for row in range(1, sheet.height) if row not in sheet.blank_rows]
    if not kept:
        return [], [_("The file has no rows under its header.")]
    numbers = [row + 1 for row in kept]
    every = len(kept) == sheet.height - 1  # no blank row: the codes from row 2 on, as a slice
    width = len(ALL_COLUMNS) if positions else len(COLUMNS)
    cells = _Cells(sheet.columns[:width], slice(1, None) if every else kept)
    rows, problems = _check_columns(numbers, cells, lookups)
    if not rows and not problems:
        problems.append(_("The file has no rows under its header."))
    return rows, problems


@dataclass(frozen=True)
class _Cells:
    """The kept rows' cells of each column, converted once per distinct value."""

    columns: Sequence[Column]
    rows: list[int] | slice

    def each(self, index: int, convert: Callable[[Any], T]) -> list[T]:
        return self.columns[index].each(convert, self.rows)


def _check_columns(
    numbers: list[int], cells: _Cells, lookups: Lookups
) -> tuple[list[Row], list[str]]:
    """The rows of these columns that pass every check, and every problem by row and column."""
    today = lookups.today
    checks: list[list[Problem]] = []  # one list per check, one entry per row

    def checked(index: int, convert: Callable[[Any], tuple[Any, Problem]]) -> list[Any]:
        values, found = zip(*cells.each(index, convert), strict=True)
        checks.append(list(found))
        return list(values)

    def text_of(index: int, required: tuple[int, str] | None = None) -> Callable[[Any], Any]:
        """Text cells: `required` is (order, problem) when the cell may not be empty."""
        limit = MAX_LENGTHS[index]
        too_long = (
            index,
            LENGTH_ORDER[index],
            _("longer than %(count)s characters.") % {"count": limit},
        )

        def convert(value: Any) -> tuple[str, Problem]:
            text = _text(value)
            if required is not None and not text:
                return text, (index, *required)
            return text, too_long if len(text) > limit else None

        return convert

    names = checked(NAME, text_of(NAME))

    def born_of(value: Any) -> tuple[int | None, Problem]:
        born = _as_int(_cell(value))
        if born is None:
            return None, (BORN, 0, _("enter the year of birth of the person."))
        if not 1900 <= born <= today.year:
            return born, (BORN, 0, _("the year of birth is not plausible."))
        return born, None

    births = checked(BORN, born_of)
    # A collective's row (no name) has no year of birth: whatever the cell holds is ignored.
    births = [born if name else None for name, born in zip(names, births, strict=True)]
    checks[-1] = [found if name else None for name, found in zip(names, checks[-1], strict=True)]

    def gender_of(value: Any) -> tuple[str | None, Problem]:
        gender = GENDERS.get(fold(str(_cell(value))))
        if gender is None:
            return None, (GENDER, 1, _("write Nam or Nữ, or leave it empty."))
        return gender, None

    genders = checked(GENDER, gender_of)

    def unit_of(value: Any) -> tuple[str, Problem]:
        unit = str(_cell(value))
        if not unit:
            return unit, (UNIT, 2, _("enter the unit."))
        if not lookups.units.candidates(unit):
            return unit, (UNIT, 2, _unknown_unit(unit, lookups.units.closest(unit)))
        return unit, None

    unit_names = checked(UNIT, unit_of)
    unit_check = len(checks) - 1

    def award_of(value: Any) -> tuple[str, Problem]:
        name = str(_cell(value))
        if not lookups.awards.by_key.get(name_key(name)):
            return name, (AWARD, 3, _unknown_award(name, lookups.awards.closest(name)))
        return name, None

    award_names = checked(AWARD, award_of)
    award_check = len(checks) - 1

    def year_of(value: Any) -> tuple[int | None, Problem]:
        year = _as_int(_cell(value))
        if year is None or not 1945 <= year <= today.year:
            return year, (YEAR, 4, _("the year must be between 1945 and this year."))
        return year, None

    years = checked(YEAR, year_of)
    decision_numbers = checked(NUMBER, text_of(NUMBER, (5, _("enter the decision number."))))

    def date_of(value: Any) -> tuple[dt.date | None, Problem]:
        day = _as_date(_cell(value))
        if day is None:
            return None, (DATE, 6, _("enter the decision date as dd/mm/yyyy."))
        if day > today:
            return day, (DATE, 6, _("the decision date is in the future."))
        return day, None

    dates = checked(DATE, date_of)
    before = (DATE, 6, _("the decision is dated before the year it rewards."))
    checks[-1] = [
        found if found is not None or year is None or day is None or day.year >= year else before
        for found, day, year in zip(checks[-1], dates, years, strict=True)
    ]
    issuers = checked(ISSUER, text_of(ISSUER, (7, _("enter the issuing authority."))))
    organization_ids = _resolve_units(lookups, unit_names, dates, years, checks[unit_check])
    awards = _resolve_awards(lookups, award_names, names, checks[award_check])
    unit_names = _units_written(lookups, unit_names, organization_ids)
    if len(cells.columns) > len(COLUMNS):
        titles = checked(POSITION, text_of(POSITION))
        sinces = checked(SINCE, _optional_date(SINCE))
        untils = checked(UNTIL, _optional_date(UNTIL))
        reversed_period = (UNTIL, 12, _("the position ends before it starts."))
        checks[-1] = [
            found if found is not None or a is None or b is None or a <= b else reversed_period
            for found, a, b in zip(checks[-1], sinces, untils, strict=True)
        ]
    else:
        titles = [""] * len(numbers)
        sinces = untils = [None] * len(numbers)

    # Each row's problems in a row's order; a row with any problem is left out.
    found_by_row: dict[int, list[tuple[int, int, str]]] = {}
    for found in checks:
        for position in compress(range(len(numbers)), found):
            problem = found[position]
            assert problem is not None
            found_by_row.setdefault(position, []).append(problem)
    spelled: list[tuple[int, str]] = []  # (position, message)
    for position, row_problems in found_by_row.items():
        for index, _order, text in sorted(row_problems, key=lambda p: p[1]):
            spelled.append((position, cell_error(numbers[position], index, text)))
    ok = [True] * len(numbers)
    for position in found_by_row:
        ok[position] = False

    # People are told apart by folded name and year of birth; a unit by its id.
    name_keys = each_distinct(names, name_folder())
    person_keys = [
        (key, born) if name and ok_row else None
        for name, key, born, ok_row in zip(names, name_keys, births, ok, strict=True)
    ]
    # The same nominee, award and year twice: the later row is refused.
    nominees = [
        ((person or ("unit", unit)), award, year)
        for person, unit, award, year in zip(
            person_keys, organization_ids, awards, years, strict=True
        )
    ]
    if len(set(compress(nominees, ok))) != sum(ok):
        seen: dict[tuple[Any, ...], int] = {}
        for position in compress(range(len(numbers)), ok):
            first = seen.setdefault(nominees[position], position)
            if first != position:
                ok[position] = False
                twice = _("the same award for the same year as row %(row)s.") % {
                    "row": numbers[first]
                }
                spelled.append((position, cell_error(numbers[position], AWARD, twice)))
    spelled.sort(key=lambda p: p[0])  # stable: a row's problems keep their order
    genders = [gender or "" for gender in genders]
    columns = (
        numbers, person_keys, names, births, genders, organization_ids, unit_names, awards,
        years, decision_numbers, dates, issuers, titles, sinces, untils,
    )  # fmt: skip
    rows = list(map(Row, *(compress(column, ok) for column in columns)))
    return rows, [message for _position, message in spelled]


def _unknown_unit(unit: str, suggestion: str | None) -> str:
    if suggestion is None:
        return _("unknown unit “%(unit)s”.") % {"unit": unit}
    return _("unknown unit “%(unit)s”. Did you mean “%(suggestion)s”?") % {
        "unit": unit,
        "suggestion": suggestion,
    }


def _unknown_award(award: str, suggestion: str | None) -> str:
    if suggestion is None:
        return _("unknown award “%(award)s”.") % {"award": award}
    return _("unknown award “%(award)s”. Did you mean “%(suggestion)s”?") % {
        "award": award,
        "suggestion": suggestion,
    }


def _resolve_units(
    lookups: Lookups,
    written: Sequence[str],
    dates: Sequence[dt.date | None],
    years: Sequence[int | None],
    found: list[Problem],
) -> list[int | None]:
    """Each row's unit, namesakes told apart by the record's date; `found` gets the refusals.

    Most names answer to one unit: each distinct name is looked up once and the rows take
    its unit by code. Only the rows whose name several units answer to are resolved by date,
    once per distinct (name, date, year).
    """
    only: dict[str, int | None] = {}
    for unit in set(written):
        named = lookups.units.candidates(unit)
        only[unit] = named[0].pk if len(named) == 1 else None
    ids = list(map(only.__getitem__, written))
    resolved: dict[tuple[str, dt.date | None, int | None], tuple[int | None, Problem]] = {}
    for position in compress(range(len(ids)), map(_is_none, ids)):
        if found[position] is not None:
            continue
        key = (written[position], dates[position], years[position])
        known = resolved.get(key)
        if known is None:
            units = lookups.units.resolve(*key)
            if len(units) == 1:
                known = (units[0].pk, None)
            else:
                labels = lookups.describe_units([u.pk for u in units])
                problem = _(
                    "“%(unit)s” may be any of: %(units)s; write the full name of the one meant."
                ) % {"unit": key[0], "units": "; ".join(f"“{label}”" for label in labels)}
                known = (None, (UNIT, 2, problem))
            resolved[key] = known
        ids[position], found[position] = known
    return ids


def _is_none(value: object) -> bool:
    return value is None


def _resolve_awards(
    lookups: Lookups, written: Sequence[str], names: Sequence[str], found: list[Problem]
) -> list[int | None]:
    """Each row's award: a spelling shared by two awards is read by the row's kind."""
    only: dict[str, int | None] = {}
    for award in set(written):
        named = lookups.awards.by_key.get(name_key(award), [])
        only[award] = named[0].pk if len(named) == 1 else None
    ids = list(map(only.__getitem__, written))
    resolved: dict[tuple[str, bool], tuple[int | None, Problem]] = {}
    for position in compress(range(len(ids)), map(_is_none, ids)):
        if found[position] is not None:
            continue
        key = (written[position], bool(names[position]))
        known = resolved.get(key)
        if known is None:
            awards = lookups.awards.resolve(key[0], individual=key[1])
            if len(awards) == 1:
                known = (awards[0].pk, None)
            else:
                problem = _("“%(award)s” may be any of: %(awards)s; write the one meant.") % {
                    "award": key[0],
                    "awards": "; ".join(f"“{a.name}”" for a in awards),
                }
                known = (None, (AWARD, 3, problem))
            resolved[key] = known
        ids[position], found[position] = known
    return ids


def _units_written(
    lookups: Lookups, written: Sequence[str], ids: Sequence[int | None]
) -> list[str]:
    """Each unit's name as the record keeps it: as written when it is the full name, else
    the full name of the unit found (a short name or a spelling is not the decision's)."""
    kept: dict[tuple[str, int | None], str] = {}
    for pair in set(zip(written, ids, strict=True)):
        text, pk = pair
        unit = next((u for u in lookups.units.candidates(text) if u.pk == pk), None)
        same = unit is None or name_key(unit.name) == name_key(text)
        kept[pair] = text if same else unit.name  # type: ignore[union-attr]
    return list(map(kept.__getitem__, zip(written, ids, strict=True)))


def _optional_date(index: int) -> Callable[[Any], tuple[dt.date | None, Problem]]:
    def convert(value: Any) -> tuple[dt.date | None, Problem]:
        cell = _cell(value)
        if cell in ("", None):
            return None, None
        day = _as_date(cell)
        if day is None:
            return None, (index, 12, _("enter the date as dd/mm/yyyy, or leave it empty."))
        return day, None

    return convert
