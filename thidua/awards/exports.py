"""The cluster's proposal lists (danh sách đề nghị) as an Excel workbook."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from thidua.cycle.models import EmulationYear
from thidua.lib.text import sort_key

from .eligibility import judge_year
from .models import Nomination
from .reasons import VERDICT_LABELS

PROPOSED = (
    Nomination.Status.SUBMITTED,
    Nomination.Status.COMPILED,
    Nomination.Status.APPROVED,
    Nomination.Status.DECIDED,
)


def safe(value: Any) -> Any:
    """A cell value that a spreadsheet will never run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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
    book = Workbook()
    collectives = book.active
    assert collectives is not None
    collectives.title = pgettext("awards", "Collectives")
    individuals = book.create_sheet(pgettext("awards", "Individuals"))
    header = [
        pgettext("awards", "No."),
        pgettext("awards", "Name"),
        pgettext("awards", "Year of birth"),
        pgettext("awards", "Unit"),
        pgettext("awards", "Award"),
        pgettext("awards", "Status"),
        pgettext("awards", "Eligibility"),
    ]
    for sheet in (collectives, individuals):
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    numbers = {"c": 0, "i": 0}
    for n in nominations:
        sheet, key = (collectives, "c") if n.collective_id else (individuals, "i")
        numbers[key] += 1
        sheet.append(
            [
                numbers[key],
                safe(n.nominee_name),
                n.person.birth_year if n.person else None,
                safe(n.unit.name),
                safe(n.award_type.name),
                str(n.get_status_display()),
                str(VERDICT_LABELS[judgements[n.pk].verdict]),
            ]
        )
    summary = book.create_sheet(pgettext("awards", "Summary"))
    summary.append(
        [
            pgettext("awards", "Unit or award"),
            pgettext("awards", "Collectives"),
            pgettext("awards", "Individuals"),
        ]
    )
    for cell in summary[1]:
        cell.font = Font(bold=True)
    tallies = counts(nominations)
    units = sorted({n.unit.name for n in nominations}, key=sort_key)
    awards = []
    for n in nominations:
        if n.award_type.name not in awards:
            awards.append(n.award_type.name)
    for name in units:
        by_unit = tallies["unit"]
        summary.append([safe(name), by_unit[f"{name}|collective"], by_unit[f"{name}|individual"]])
    summary.append([])
    for name in sorted(
        awards, key=lambda a: next(n.award_type.rank for n in nominations if n.award_type.name == a)
    ):
        by_award = tallies["award"]
        summary.append([safe(name), by_award[f"{name}|collective"], by_award[f"{name}|individual"]])
    summary.append([])
    summary.append(
        [pgettext("awards", "Total"), tallies["kind"]["collective"], tallies["kind"]["individual"]]
    )
    for sheet in (collectives, individuals, summary):
        sheet.column_dimensions["B"].width = 40
        sheet.column_dimensions["A"].width = 40 if sheet is summary else 6
        sheet.column_dimensions["D"].width = 40
        sheet.column_dimensions["E"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
