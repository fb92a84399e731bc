"""The cluster's proposal lists (danh sách đề nghị) as an Excel workbook."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import pgettext

from thidua.cycle.models import EmulationYear
from thidua.lib import xlsx
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
