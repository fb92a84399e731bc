"""Reading award history from Excel and checking every row before anything is stored.

The file has one header row with the columns of `COLUMNS`; an individual's row names the
person (with year of birth), a collective's row leaves the name empty and names the unit.
Every problem is reported by row and column; one problem refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from thidua.lib.safe_zip import UnsafeFile, check_office_file
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
# The longest text each column may hold (the lengths of the fields it is stored in).
MAX_LENGTHS = {NAME: 150, NUMBER: 50, ISSUER: 255}


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
        check_office_file(content)
    except UnsafeFile as unsafe:
        raise ImportRefused([unsafe.message]) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            list(row) for row in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        ]
    except Exception:  # calamine raises several kinds for a file that is not a workbook
        raise ImportRefused(
            [_("The file is not an Excel workbook (.xlsx) that can be read.")]
        ) from None


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
        day, _slash, rest = value.strip().partition("/")
        month, _slash, year = rest.partition("/")
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            return None
        try:
            return dt.date(int(year), int(month), int(day))
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
    # Units, awards and many names repeat from row to row: fold each text once.
    folded: dict[str, str] = {}

    def key_of(text: str) -> str:
        key = folded.get(text)
        if key is None:
            key = folded[text] = fold(text)
        return key

    normalized: dict[str, str] = {}

    def cell(row: Sequence[Any], index: int) -> Any:
        value = row[index] if index < len(row) else ""
        if not isinstance(value, str):
            return value
        text = normalized.get(value)
        if text is None:
            text = normalized[value] = normalize(value)
        return text

    for number, raw in enumerate(table[1:], start=2):
        if all(v in ("", None) for v in raw):
            continue
        row_problems: list[str] = []

        def bad(index: int, problem: str, n: int = number, out: list[str] = row_problems) -> None:
            out.append(_error(n, index, problem))

        name = cell(raw, NAME)
        name = name if isinstance(name, str) else str(name)
        born = _as_int(cell(raw, BORN)) if name else None
        if name and born is None:
            bad(BORN, _("enter the year of birth of the person."))
        elif born is not None and not 1900 <= born <= lookups.today.year:
            bad(BORN, _("the year of birth is not plausible."))
        gender = GENDERS.get(key_of(str(cell(raw, GENDER))))
        if gender is None:
            bad(GENDER, _("write Nam or Nữ, or leave it empty."))
        unit = str(cell(raw, UNIT))
        orgs = lookups.organizations.get(key_of(unit), [])
        if not unit:
            bad(UNIT, _("enter the unit."))
        elif not orgs:
            bad(UNIT, _("unknown unit “%(unit)s”.") % {"unit": unit})
        elif len(orgs) > 1:
            bad(UNIT, _("more than one unit is named “%(unit)s”.") % {"unit": unit})
        award_name = str(cell(raw, AWARD))
        award = lookups.awards.get(key_of(award_name))
        if award is None:
            bad(AWARD, _("unknown award “%(award)s”.") % {"award": award_name})
        year = _as_int(cell(raw, YEAR))
        if year is None or not 1945 <= year <= lookups.today.year:
            bad(YEAR, _("the year must be between 1945 and this year."))
        decision_number = str(cell(raw, NUMBER))
        if not decision_number:
            bad(NUMBER, _("enter the decision number."))
        decision_date = _as_date(cell(raw, DATE))
        if decision_date is None:
            bad(DATE, _("enter the decision date as dd/mm/yyyy."))
        elif decision_date > lookups.today:
            bad(DATE, _("the decision date is in the future."))
        elif year is not None and decision_date.year < year:
            bad(DATE, _("the decision is dated before the year it rewards."))
        issuer = str(cell(raw, ISSUER))
        if not issuer:
            bad(ISSUER, _("enter the issuing authority."))
        for index, text in ((NAME, name), (NUMBER, decision_number), (ISSUER, issuer)):
            if len(text) > MAX_LENGTHS[index]:
                bad(
                    index,
                    _("longer than %(count)s characters.") % {"count": MAX_LENGTHS[index]},
                )
        if row_problems:
            problems.extend(row_problems)
            continue
        assert award is not None and year is not None and decision_date is not None
        person_key = (key_of(name), born) if name and born is not None else None
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


# --- the database side: lookups, people, duplicates, bulk writes ------------------------------

PersonKey = tuple[str, int | None]
Progress = Callable[[int, int], None]
CHUNK = 5000  # rows written per statement (and per progress step)


def load_lookups(today: dt.date) -> Lookups:
    """Awards (by folded name and code) and organisations (by folded name): two queries."""
    from thidua.orgs.models import Organization

    from .models import AwardType

    awards: dict[str, int] = {}
    for pk, code, name in AwardType.objects.values_list("pk", "code", "name"):
        awards[fold(code)] = pk
        awards[fold(name)] = pk
    organizations: dict[str, list[int]] = {}
    for pk, name in Organization.objects.order_by().values_list("pk", "name"):
        organizations.setdefault(fold(name), []).append(pk)
    return Lookups(awards, organizations, today)


def match_people(rows: Sequence[Row]) -> tuple[dict[PersonKey, list[int]], list[str]]:
    """The people on record for the file's names (one query); a name may match one only."""
    from thidua.orgs.models import Person

    keys = {r.person_key for r in rows if r.person_key is not None}
    people: dict[PersonKey, list[int]] = {}
    if keys:
        found = (
            Person.objects.filter(
                name_key__in={k for k, _born in keys},
                birth_year__in={born for _k, born in keys},
                merged_into__isnull=True,
            )
            .order_by()
            .values_list("pk", "name_key", "birth_year")
        )
        for pk, key, born in found:
            if (key, born) in keys:
                people.setdefault((key, born), []).append(pk)
    problems = [
        ambiguous_person(r.number, r.full_name)
        for r in rows
        if r.person_key is not None and len(people.get(r.person_key, [])) > 1
    ]
    return people, problems


def duplicates(rows: Sequence[Row], people: Mapping[PersonKey, list[int]]) -> list[str]:
    """The rows already in the award history (two queries, narrowed to the file's years)."""
    from .models import AwardRecord

    years = {r.year for r in rows}
    awards = {r.award_id for r in rows}
    known = {pks[0] for pks in people.values() if len(pks) == 1}
    stored_people = set(
        AwardRecord.objects.filter(person_id__in=known, year__in=years, award_type_id__in=awards)
        .order_by()
        .values_list("person_id", "award_type_id", "year")
    )
    stored_units = set(
        AwardRecord.objects.filter(
            organization_id__in={r.organization_id for r in rows if r.person_key is None},
            year__in=years,
        )
        .order_by()
        .values_list("organization_id", "award_type_id", "year")
    )
    problems = []
    for r in rows:
        if r.person_key is None:
            clash = (r.organization_id, r.award_id, r.year) in stored_units
        else:
            pks = people.get(r.person_key, [])
            clash = len(pks) == 1 and (pks[0], r.award_id, r.year) in stored_people
        if clash:
            problems.append(duplicate_of_existing(r.number, r.year))
    return problems


def store(
    rows: Sequence[Row],
    people: dict[PersonKey, list[int]],
    batch_id: int,
    progress: Progress | None = None,
) -> int:
    """Write the checked rows: newcomers with their posts, then the records in bulk.

    Returns how many people were created. The records go in with multi-row statements
    (COPY on PostgreSQL), not one model object each; the database's unique constraints
    still stand guard, and a clash raises IntegrityError.
    """
    from thidua.orgs.models import Person, PersonPosition

    from .models import AwardRecord

    newcomers: dict[PersonKey, tuple[Person, int]] = {}
    for r in rows:
        key = r.person_key
        if key is not None and key not in people and key not in newcomers:
            person = Person(
                full_name=r.full_name,
                name_key=key[0],
                birth_year=r.birth_year,
                gender=r.gender,
            )
            newcomers[key] = (person, r.organization_id)
    created = Person.objects.bulk_create([p for p, _unit in newcomers.values()], batch_size=2000)
    PersonPosition.objects.bulk_create(
        [PersonPosition(person=p, organization_id=unit) for p, unit in newcomers.values()],
        batch_size=2000,
    )
    for new_key, person in zip(newcomers, created, strict=True):
        people[new_key] = [person.pk]
    fields = [
        "person",
        "organization",
        "award_type",
        "year",
        "decision_number",
        "decision_date",
        "issuer_name",
        "unit_name",
        "source",
        "history_import",
    ]
    source = AwardRecord.Source.IMPORT.value
    day = _date_value()
    # In holder order, so that the indexes are written page after page, not at random.
    ordered = sorted(rows, key=lambda r: people[r.person_key][0] if r.person_key is not None else 0)
    for start in range(0, len(ordered), CHUNK):
        _insert(
            AwardRecord,
            fields,
            [
                (
                    people[r.person_key][0] if r.person_key is not None else None,
                    r.organization_id if r.person_key is None else None,
                    r.award_id,
                    r.year,
                    r.decision_number,
                    day(r.decision_date),
                    r.issuer_name,
                    r.unit_name,
                    source,
                    batch_id,
                )
                for r in ordered[start : start + CHUNK]
            ],
        )
        if progress is not None:
            progress(min(start + CHUNK, len(ordered)), len(ordered))
    return len(created)


def _date_value() -> Callable[[dt.date], Any]:
    """Dates as the database driver takes them: SQLite's no longer turns them into text."""
    from django.db import connections, router

    from .models import AwardRecord

    if connections[router.db_for_write(AwardRecord)].vendor == "sqlite":
        return dt.date.isoformat
    return lambda day: day


def _insert(model: Any, fields: Sequence[str], values: list[tuple[Any, ...]]) -> None:
    """Insert rows of plain values (ints, text, dates as `_date_value` gives) in one go."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
