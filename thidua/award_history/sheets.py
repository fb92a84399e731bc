"""Sheets of task ratings, initiatives and a collective's members, checked before anything
is stored, with the history import's rules: one header row, every problem named by row and
column in Vietnamese, and one problem refuses the whole file.

These sheets are a unit's or a year's (tens or hundreds of rows), so they are read row by
row; people are found by name and year of birth as the history import finds them, units by
every name the application shows (`names`), awards by their maintained spellings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from thidua.lib import clock
from thidua.lib.sheet_reader import Sheet
from thidua.lib.text import fold, normalize

from . import import_store, importing, rules
from .models import AwardRecord, Initiative, TaskRating
from .names import name_key

RATING_COLUMNS = ("Họ và tên", "Năm sinh", "Đơn vị", "Năm", "Xếp loại")
INITIATIVE_COLUMNS = (
    "Họ và tên",
    "Năm sinh",
    "Tên sáng kiến",
    "Cấp công nhận",
    "Năm",
    "Đã dùng cho danh hiệu",
    "Năm của danh hiệu",
)
MEMBER_COLUMNS = ("Họ và tên", "Năm sinh", "Giới tính", "Chức vụ", "Từ ngày", "Đến ngày")

# Spellings of each rating and level beside their names in the interface.
RATING_SPELLINGS = {
    TaskRating.Rating.EXCELLENT: ("HTXSNV", "Hoàn thành xuất sắc nhiệm vụ", "Xuất sắc"),
    TaskRating.Rating.GOOD: ("HTTNV", "Hoàn thành tốt nhiệm vụ", "Tốt"),
    TaskRating.Rating.COMPLETED: ("HTNV", "Hoàn thành nhiệm vụ"),
    TaskRating.Rating.NOT_COMPLETED: ("KHTNV", "Không hoàn thành nhiệm vụ"),
}
LEVEL_SPELLINGS = {
    Initiative.Level.GRASSROOTS: ("Cơ sở", "Cấp cơ sở"),
    Initiative.Level.MINISTRY_PROVINCE: (
        "Cấp bộ, ngành, tỉnh",
        "Bộ, ngành, tỉnh",
        "Cấp bộ",
        "Cấp tỉnh",
        "Cấp ngành",
    ),
    Initiative.Level.NATIONAL: ("Toàn quốc", "Cấp toàn quốc", "Cấp nhà nước"),
}


@dataclass
class Checked:
    """A sheet's rows as the action stores them, or the problems that refuse it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _Reader:
    """Reads one sheet of `columns`, noting each problem by row and column."""

    def __init__(self, sheet: Sheet, columns: Sequence[str]) -> None:
        self.sheet = sheet
        self.columns = columns
        self.problems: list[str] = []

    def header_ok(self) -> bool:
        if not self.sheet.height:
            self.problems.append(_("The file is empty."))
            return False
        header = [normalize(str(h)) if h is not None else "" for h in self.sheet.row(0)]
        for index, expected in enumerate(self.columns):
            found = header[index] if index < len(header) else ""
            if fold(found) != fold(expected):
                self.problems.append(
                    _(
                        "Row 1, column %(column)s: the header should be “%(expected)s”, "
                        "not “%(found)s”."
                    )
                    % {"column": chr(ord("A") + index), "expected": expected, "found": found}
                )
        return not self.problems

    def lines(self) -> list[tuple[int, list[Any]]]:
        """(row number, cells) of every row under the header that is not blank."""
        width = len(self.columns)
        kept = [
            (row + 1, [self._cell(row, c) for c in range(width)])
            for row in range(1, self.sheet.height)
            if row not in self.sheet.blank_rows
        ]
        if not kept:
            self.problems.append(_("The file has no rows under its header."))
        return kept

    def _cell(self, row: int, column: int) -> Any:
        if column >= self.sheet.width:
            return ""
        value = self.sheet.cell(row, column)
        if value is None:
            return ""
        return normalize(value) if isinstance(value, str) else value

    def error(self, number: int, index: int, problem: str) -> None:
        column = f"{chr(ord('A') + index)} ({self.columns[index]})"
        self.problems.append(
            _("Row %(row)s, column %(column)s: %(problem)s")
            % {"row": number, "column": column, "problem": problem}
        )


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize(str(value))


def _year(
    reader: _Reader, number: int, index: int, value: Any, *, what: str | None = None
) -> int | None:
    year = importing._as_int(value)
    if year is None or not rules.history_year_in_range(year, clock.today()):
        reader.error(number, index, what or _("the year must be between 1945 and this year."))
        return None
    return year


def _choice(spellings: dict[Any, tuple[str, ...]]) -> Callable[[Any], str | None]:
    known: dict[str, str] = {}
    for value, names in spellings.items():
        known[name_key(value.value)] = value.value
        known[name_key(str(value.label))] = value.value
        for name in names:
            known[name_key(name)] = value.value
    return lambda text: known.get(name_key(_text(text)))


class _People:
    """The people on record by folded name and year of birth (one query for the sheet)."""

    def __init__(self, keys: set[tuple[str, int]]) -> None:
        self.found: dict[tuple[str, int], list[int]] = {}
        for pk, key, born in import_store._people_with_keys(keys):
            self.found.setdefault((key, born), []).append(pk)

    def one(self, key: tuple[str, int]) -> list[int]:
        return self.found.get(key, [])


def _person_key(
    reader: _Reader, number: int, name: str, born: Any, born_column: int
) -> tuple[str, int] | None:
    year = importing._as_int(born)
    if year is None or not rules.plausible_birth_year(year, clock.today()):
        reader.error(number, born_column, _("enter the year of birth of the person."))
        return None
    return fold(name), year


def _on_record(
    reader: _Reader,
    people: _People,
    number: int,
    name: str,
    key: tuple[str, int],
) -> int | None:
    found = people.one(key)
    if not found:
        reader.error(
            number,
            0,
            _("nobody named %(name)s born in %(year)s is on record; register the person first.")
            % {"name": name, "year": key[1]},
        )
        return None
    if len(found) > 1:
        reader.error(
            number,
            0,
            _(
                "more than one person is recorded as %(name)s with this year of birth; "
                "merge them first."
            )
            % {"name": name},
        )
        return None
    return found[0]


def _sheet(content: bytes) -> Sheet:
    return importing.read_sheet(content)


# --- task ratings -----------------------------------------------------------------------------


def check_ratings(content: bytes) -> Checked:
    """Rows: a person (name, year of birth) or, with the name empty, a unit; the year; the
    rating. Everyone must be on record; a rating already stored for the year is refused."""
    reader = _Reader(_sheet(content), RATING_COLUMNS)
    if not reader.header_ok():
        return Checked(problems=reader.problems)
    lines = reader.lines()
    rating_of = _choice(RATING_SPELLINGS)
    lookups = import_store.load_lookups(clock.today())
    keys = {
        (fold(_text(cells[0])), born)
        for _n, cells in lines
        if _text(cells[0]) and (born := importing._as_int(cells[1])) is not None
    }
    people = _People(keys)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, int], int] = {}
    for number, (name_cell, born, unit_cell, year_cell, rating_cell) in lines:
        before = len(reader.problems)
        name, unit_name = _text(name_cell), _text(unit_cell)
        year = _year(reader, number, 3, year_cell)
        holder: tuple[str, int] | None = None
        if name:
            key = _person_key(reader, number, name, born, 1)
            person = _on_record(reader, people, number, name, key) if key else None
            holder = ("person", person) if person is not None else None
        elif not unit_name:
            reader.error(number, 2, _("enter the unit (or the person's name)."))
        else:
            unit = _unit(reader, lookups, number, 2, unit_name, year)
            holder = ("organization", unit) if unit is not None else None
        rating = rating_of(rating_cell)
        if rating is None:
            reader.error(
                number,
                4,
                _("write one of: %(choices)s.")
                % {"choices": ", ".join(spellings[0] for spellings in RATING_SPELLINGS.values())},
            )
        if len(reader.problems) > before or holder is None or year is None or rating is None:
            continue
        first = seen.setdefault((holder[0], holder[1], year), number)
        if first != number:
            reader.error(
                number, 3, _("a rating for the same year as row %(row)s.") % {"row": first}
            )
            continue
        rows.append({"number": number, holder[0]: holder[1], "year": year, "rating": rating})
    _stored_ratings(reader, rows)
    return Checked(rows=rows if not reader.problems else [], problems=reader.problems)


def _unit(
    reader: _Reader,
    lookups: importing.Lookups,
    number: int,
    index: int,
    written: str,
    year: int | None,
) -> int | None:
    units = lookups.units.resolve(written, None, year)
    if not units:
        reader.error(
            number, index, importing._unknown_unit(written, lookups.units.closest(written))
        )
        return None
    if len(units) > 1:
        labels = lookups.describe_units([u.pk for u in units])
        reader.error(
            number,
            index,
            _("“%(unit)s” may be any of: %(units)s; write the full name of the one meant.")
            % {"unit": written, "units": "; ".join(f"“{label}”" for label in labels)},
        )
        return None
    return units[0].pk


def _stored_ratings(reader: _Reader, rows: list[dict[str, Any]]) -> None:
    years = {r["year"] for r in rows}
    stored = {
        (("person", p) if p is not None else ("organization", o), y): r
        for p, o, y, r in TaskRating.objects.filter(year__in=years).values_list(
            "person_id", "organization_id", "year", "rating"
        )
    }
    labels = dict(TaskRating.Rating.choices)
    for r in rows:
        holder = ("person", r["person"]) if "person" in r else ("organization", r["organization"])
        known = stored.get((holder, r["year"]))
        if known is not None:
            reader.error(
                r["number"],
                4,
                _("the rating of %(year)s is already recorded: %(rating)s.")
                % {"year": r["year"], "rating": labels[known]},
            )


# --- initiatives ------------------------------------------------------------------------------


def check_initiatives(content: bytes) -> Checked:
    """Rows: the person (on record), the initiative's title, level and year, and the title
    or award it was used for, if it was (the person's record of that award and year)."""
    reader = _Reader(_sheet(content), INITIATIVE_COLUMNS)
    if not reader.header_ok():
        return Checked(problems=reader.problems)
    lines = reader.lines()
    level_of = _choice(LEVEL_SPELLINGS)
    lookups = import_store.load_lookups(clock.today())
    keys = {
        (fold(_text(cells[0])), born)
        for _n, cells in lines
        if _text(cells[0]) and (born := importing._as_int(cells[1])) is not None
    }
    people = _People(keys)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, str, int], int] = {}
    for number, (
        name_cell,
        born,
        title_cell,
        level_cell,
        year_cell,
        used_cell,
        used_year_cell,
    ) in lines:
        before = len(reader.problems)
        name, title = _text(name_cell), _text(title_cell)
        person = None
        if not name:
            reader.error(number, 0, _("enter the person's full name."))
        else:
            key = _person_key(reader, number, name, born, 1)
            person = _on_record(reader, people, number, name, key) if key else None
        if not title:
            reader.error(number, 2, _("enter the initiative's title."))
        elif len(title) > 500:
            reader.error(number, 2, _("longer than %(count)s characters.") % {"count": 500})
        level = level_of(level_cell)
        if level is None:
            reader.error(
                number,
                3,
                _("write one of: %(choices)s.")
                % {"choices": ", ".join(str(label) for _v, label in Initiative.Level.choices)},
            )
        year = _year(reader, number, 4, year_cell)
        award_id, used_year = None, None
        used = _text(used_cell)
        if used:
            awards = lookups.awards.resolve(used, individual=True)
            if len(awards) != 1:
                reader.error(
                    number,
                    5,
                    importing._unknown_award(used, lookups.awards.closest(used)),
                )
            else:
                award_id = awards[0].pk
            used_year = _year(reader, number, 6, used_year_cell)
        elif _text(used_year_cell):
            reader.error(number, 5, _("name the title or award the initiative was used for."))
        if len(reader.problems) > before or person is None or year is None or level is None:
            continue
        first = seen.setdefault((person, fold(title), year), number)
        if first != number:
            reader.error(
                number,
                2,
                _("the same initiative in the same year as row %(row)s.") % {"row": first},
            )
            continue
        rows.append(
            {
                "number": number,
                "person": person,
                "name": name,
                "title": title,
                "level": level,
                "year": year,
                "award": award_id,
                "used_year": used_year,
            }
        )
    _initiatives_on_record(reader, rows)
    return Checked(rows=rows if not reader.problems else [], problems=reader.problems)


def _initiatives_on_record(reader: _Reader, rows: list[dict[str, Any]]) -> None:
    """A title already recorded is refused; the award it was used for must be on record."""
    people = {r["person"] for r in rows}
    stored = {
        (p, fold(t), y)
        for p, t, y in Initiative.objects.filter(person_id__in=people).values_list(
            "person_id", "title", "year"
        )
    }
    records = {
        (p, a, y): pk
        for pk, p, a, y in AwardRecord.objects.filter(person_id__in=people).values_list(
            "pk", "person_id", "award_type_id", "year"
        )
    }
    for r in rows:
        if (r["person"], fold(r["title"]), r["year"]) in stored:
            reader.error(
                r["number"],
                2,
                _("%(name)s already has the initiative “%(title)s” in %(year)s.")
                % {"name": r["name"], "title": r["title"], "year": r["year"]},
            )
        if r["award"] is not None:
            record = records.get((r["person"], r["award"], r["used_year"]))
            if record is None:
                reader.error(
                    r["number"],
                    5,
                    _(
                        "%(name)s has no such title or award for %(year)s in the history; "
                        "record it first."
                    )
                    % {"name": r["name"], "year": r["used_year"]},
                )
            r["record"] = record


# --- a collective's members -------------------------------------------------------------------


def check_members(content: bytes, unit_id: int, unit_name: str) -> Checked:
    """Rows: a person (matched on record by name and year of birth, or new), the post and
    its period in the unit. Someone already a member of the unit is refused."""
    reader = _Reader(_sheet(content), MEMBER_COLUMNS)
    if not reader.header_ok():
        return Checked(problems=reader.problems)
    lines = reader.lines()
    keys = {
        (fold(_text(cells[0])), born)
        for _n, cells in lines
        if _text(cells[0]) and (born := importing._as_int(cells[1])) is not None
    }
    people = _People(keys)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, (name_cell, born, gender_cell, title_cell, since_cell, until_cell) in lines:
        before = len(reader.problems)
        name = _text(name_cell)
        key = None
        if not name:
            reader.error(number, 0, _("enter the person's full name."))
        elif len(name) > 150:
            reader.error(number, 0, _("longer than %(count)s characters.") % {"count": 150})
        else:
            key = _person_key(reader, number, name, born, 1)
        gender = importing.GENDERS.get(fold(_text(gender_cell)))
        if gender is None:
            reader.error(number, 2, _("write Nam or Nữ, or leave it empty."))
        title = _text(title_cell)
        if len(title) > 150:
            reader.error(number, 3, _("longer than %(count)s characters.") % {"count": 150})
        since = _date(reader, number, 4, since_cell)
        until = _date(reader, number, 5, until_cell)
        if since is not None and until is not None and until < since:
            reader.error(number, 5, _("the position ends before it starts."))
        if len(reader.problems) > before or key is None:
            continue
        found = people.one(key)
        if len(found) > 1:
            _on_record(reader, people, number, name, key)
            continue
        first = seen.setdefault(key, number)
        if first != number:
            reader.error(number, 0, _("the same person as row %(row)s.") % {"row": first})
            continue
        rows.append(
            {
                "number": number,
                "person": found[0] if found else None,
                "name": name,
                "birth_year": key[1],
                "gender": gender or "",
                "title": title,
                "since": since,
                "until": until,
            }
        )
    _members_already(reader, rows, unit_id, unit_name)
    return Checked(rows=rows if not reader.problems else [], problems=reader.problems)


def _date(reader: _Reader, number: int, index: int, value: Any) -> dt.date | None:
    if value in ("", None):
        return None
    day = importing._as_date(value)
    if day is None:
        reader.error(number, index, _("enter the date as dd/mm/yyyy, or leave it empty."))
    return day


def _members_already(
    reader: _Reader, rows: list[dict[str, Any]], unit_id: int, unit_name: str
) -> None:
    """A person whose post in the unit overlaps the row's period is a member already."""
    from thidua.orgs.models import PersonPosition

    people = {r["person"] for r in rows if r["person"] is not None}
    held: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
    for person, start, end in PersonPosition.objects.filter(
        organization_id=unit_id, person_id__in=people
    ).values_list("person_id", "valid_from", "valid_to"):
        held.setdefault(person, []).append((start, end))
    for r in rows:
        for start, end in held.get(r["person"], []) if r["person"] is not None else []:
            if _overlap((start, end), (r["since"], r["until"])):
                reader.error(
                    r["number"],
                    0,
                    _("%(name)s is already a member of %(unit)s.")
                    % {"name": r["name"], "unit": unit_name},
                )
                break


def _overlap(
    a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]
) -> bool:
    low, high = dt.date.min, dt.date.max
    return (a[0] or low) <= (b[1] or high) and (b[0] or low) <= (a[1] or high)


# --- the templates users download -------------------------------------------------------------


def template(columns: Sequence[str], example: Sequence[Any], title: str) -> bytes:
    """A workbook with the sheet's header row and one example row to overwrite."""
    from thidua.lib import xlsx

    book = xlsx.new_book()
    xlsx.add_sheet(
        book, title, [xlsx.Column(c, width=max(14, len(c) + 4)) for c in columns], [example]
    )
    return xlsx.to_bytes(book)


EXAMPLES: dict[str, tuple[Sequence[str], Sequence[Any]]] = {
    "history": (
        importing.ALL_COLUMNS,
        (
            "Nguyễn Văn An", 1980, "Nam", "Sở KH&ĐT Lai Châu", "Lao động tiên tiến", 2015,
            "12/QĐ-SKHĐT", "10/01/2016", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            "Chuyên viên", "01/03/2010", "",
        ),
    ),
    "ratings": (RATING_COLUMNS, ("Nguyễn Văn An", 1980, "", 2015, "Hoàn thành xuất sắc nhiệm vụ")),
    "initiatives": (
        INITIATIVE_COLUMNS,
        (
            "Nguyễn Văn An", 1980, "Tin học hoá việc tổng hợp báo cáo", "Cấp cơ sở", 2015,
            "Chiến sĩ thi đua cơ sở", 2015,
        ),
    ),
    "members": (MEMBER_COLUMNS, ("Nguyễn Văn An", 1980, "Nam", "Trưởng phòng", "01/03/2010", "")),
}  # fmt: skip
