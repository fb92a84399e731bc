"""The proposal lists (danh sách đề nghị) as Excel workbooks: a cluster's, and the nation's."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from thidua.cycle.models import EmulationYear
from thidua.lib import xlsx
from thidua.lib.text import sort_key

from .eligibility import Progress, judge_scope, judge_year
from .models import Nomination
from .problems import VERDICT_LABELS

PROPOSED = (
    Nomination.Status.SUBMITTED,
    Nomination.Status.COMPILED,
    Nomination.Status.APPROVED,
    Nomination.Status.DECIDED,
)


def proposed(year: EmulationYear) -> list[Nomination]:
    found = year.nominations.filter(status__in=PROPOSED).select_related(
        "unit", "person", "collective", "award_type"
    )
    return sorted(found, key=lambda n: (sort_key(n.unit.name), n.award_type.rank, n.pk))


def counts(nominations: list[Nomination]) -> dict[str, Counter[str]]:
    """How many collectives and individuals each unit proposes, and for each award."""
    by_unit: Counter[str] = Counter()
    by_award: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for n in nominations:
        kind = "collective" if n.collective_id else "individual"
        by_unit[f"{n.unit.name}|{kind}"] += 1
        by_award[f"{n.award_type.name}|{kind}"] += 1
        kinds[kind] += 1
    return {"unit": by_unit, "award": by_award, "kind": kinds}


def proposal_workbook(year: EmulationYear) -> bytes:
    nominations = proposed(year)
    judgements = judge_year(year)
    book = xlsx.new_book()
    columns = [
        xlsx.Column(pgettext("awards", "No."), 6),
        xlsx.Column(pgettext("awards", "Name"), 40),
        xlsx.Column(pgettext("awards", "Year of birth"), 12),
        xlsx.Column(pgettext("awards", "Unit"), 40),
        xlsx.Column(pgettext("awards", "Award"), 40),
        xlsx.Column(pgettext("awards", "Status"), 16),
        xlsx.Column(pgettext("awards", "Eligibility"), 24),
    ]
    lines: dict[str, list[list[Any]]] = {"collective": [], "individual": []}
    for n in nominations:
        kind = lines["collective" if n.collective_id else "individual"]
        kind.append(
            [
                len(kind) + 1,
                n.nominee_name,
                n.person.birth_year if n.person else None,
                n.unit.name,
                n.award_type.name,
                str(n.get_status_display()),
                str(VERDICT_LABELS[judgements[n.pk].verdict]),
            ]
        )
    xlsx.add_sheet(book, pgettext("awards", "Collectives"), columns, lines["collective"])
    xlsx.add_sheet(book, pgettext("awards", "Individuals"), columns, lines["individual"])
    tallies = counts(nominations)
    units = sorted({n.unit.name for n in nominations}, key=sort_key)
    awards: list[str] = []
    for n in nominations:
        if n.award_type.name not in awards:
            awards.append(n.award_type.name)
    awards.sort(
        key=lambda a: next(n.award_type.rank for n in nominations if n.award_type.name == a)
    )
    blank = [None, None, None]
    summary: list[list[Any]] = []
    summary += [
        [name, tallies["unit"][f"{name}|collective"], tallies["unit"][f"{name}|individual"]]
        for name in units
    ]
    summary.append(blank)
    summary += [
        [name, tallies["award"][f"{name}|collective"], tallies["award"][f"{name}|individual"]]
        for name in awards
    ]
    summary.append(blank)
    summary.append(
        [pgettext("awards", "Total"), tallies["kind"]["collective"], tallies["kind"]["individual"]]
    )
    xlsx.add_sheet(
        book,
        pgettext("awards", "Summary"),
        [
            xlsx.Column(pgettext("awards", "Unit or award"), 40),
            xlsx.Column(pgettext("awards", "Collectives"), 14),
            xlsx.Column(pgettext("awards", "Individuals"), 14),
        ],
        summary,
    )
    return xlsx.to_bytes(book)


def national_proposal_list(year: int, progress: Progress | None = None) -> bytes:
    """Every proposal of the year, all clusters, as one workbook with its verdict."""
    scope = Nomination.objects.filter(year__year=year)
    judged = judge_scope(scope, progress=progress)
    rows = (
        scope.order_by()
        .values_list(
            "pk",
            "year__cluster__name",
            "unit__name",
            "person__full_name",
            "person__birth_year",
            "collective__name",
            "award_type__name",
            "award_type__rank",
            "status",
        )
        .iterator(chunk_size=10_000)
    )
    statuses = dict(Nomination.Status.choices)
    keys: dict[str, Any] = {}  # a hundred clusters and a thousand units: each key once

    def key_of(name: str) -> Any:
        if name not in keys:
            keys[name] = sort_key(name)
        return keys[name]

    lines: list[list[Any]] = [
        [
            cluster,
            unit,
            person or collective,
            born,
            award,
            str(statuses[status]),
            str(VERDICT_LABELS[judged[pk].verdict]),
        ]
        for pk, cluster, unit, person, born, collective, award, _rank, status in sorted(
            rows, key=lambda r: (key_of(r[1]), key_of(r[2]), r[7], r[0])
        )
    ]
    columns = [
        xlsx.Column(pgettext("national", "Cluster"), 24),
        xlsx.Column(pgettext("national", "Unit"), 40),
        xlsx.Column(pgettext("national", "Name"), 32),
        xlsx.Column(pgettext("national", "Year of birth"), 10),
        xlsx.Column(pgettext("national", "Award"), 36),
        xlsx.Column(pgettext("national", "Status"), 18),
        xlsx.Column(pgettext("national", "Eligibility"), 22),
    ]
    return _streamed_workbook(_("Proposals %(year)s") % {"year": year}, columns, lines)


def _streamed_workbook(title: str, columns: list[xlsx.Column], lines: list[list[Any]]) -> bytes:
    """A one-sheet workbook written row by row (openpyxl's write-only mode).

    Tens of thousands of rows: no cell objects are kept. The rules of `thidua.lib.xlsx` hold:
    text is never a formula (quote prefix), a bold frozen header, readable widths.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(xlsx.sheet_name(title))
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for line in lines:
        sheet.append([_value(sheet, value) for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not xlsx.is_risky(text):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a string is never evaluated; the prefix keeps it text when edited
    cell.quotePrefix = True
    return cell
