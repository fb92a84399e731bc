"""A year's nominations and verdicts for the pages: read once per change of the data.

The nomination list counts the verdicts of the whole year on every page, and the nomination
page shows one of them: both would judge the year's hundreds of nominations on each request.
The verdicts depend only on attributed data (nominations, award history, ratings,
initiatives, people's posts, successions, rules, members), every change of which appends an
audit entry in its own transaction; so they are kept per process under the audit chain's
stamp (`thidua.audit.stamp`) and judged again only when it moves. They are `judge_year`'s,
which remains the one way they are computed. The list's rows (names, units, awards,
statuses: attributed data too) are kept beside them, sorted once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thidua.audit.stamp import StampedCache
from thidua.award_history.models import AwardType
from thidua.cycle.models import EmulationYear
from thidua.lib.text import sort_key
from thidua.orgs.models import Organization

from . import rules
from .eligibility import judge_year
from .models import Nomination


@dataclass(frozen=True, slots=True)
class Listed:
    """One nomination as the list shows and filters it."""

    pk: int
    unit_id: int
    unit: str  # the unit's display name
    award_type_id: int
    award: str
    status: str
    nominee: str
    search_key: str


@dataclass(frozen=True)
class YearNominations:
    """A year's nominations in list order (unit in Vietnamese order, award rank, id)."""

    rows: tuple[Listed, ...]
    verdicts: Mapping[int, rules.Judgement]  # every listed nomination's, by id
    units: tuple[tuple[int, str], ...]  # the year's members (id, name), by name
    awards: tuple[tuple[int, str], ...]  # the catalogue (id, name), by rank


def _load(year: EmulationYear) -> YearNominations:
    found = (
        Nomination.objects.filter(year=year)
        .order_by()
        .values_list(
            "pk",
            "unit_id",
            "unit__name",
            "unit__short_name",
            "award_type_id",
            "award_type__name",
            "award_type__rank",
            "status",
            "person__full_name",
            "collective__name",
            "search_key",
        )
    )
    keys: dict[str, Any] = {}
    ordered = []
    for pk, unit_id, unit, short, award_id, award, rank, status, person, group, key in found:
        if unit not in keys:
            keys[unit] = sort_key(unit)
        nominee = person if person is not None else group
        row = Listed(pk, unit_id, short or unit, award_id, award, status, nominee, key)
        ordered.append((keys[unit], rank, pk, row))
    ordered.sort(key=lambda entry: entry[:3])
    return YearNominations(
        rows=tuple(entry[3] for entry in ordered),
        # Judged after the rows are read: every row has its verdict.
        verdicts=judge_year(year),
        units=tuple(
            Organization.objects.filter(memberships__year=year)
            .order_by("name")
            .values_list("pk", "name")
        ),
        awards=tuple(AwardType.objects.values_list("pk", "name")),
    )


# One entry per year recently shown (a year: a few hundred small rows and verdicts).
_years: StampedCache[YearNominations] = StampedCache(size=64)


def year_nominations(year: EmulationYear) -> YearNominations:
    """The year's nominations and verdicts as of now. Shared by the process: never change it."""
    return _years.get(year.pk, lambda: _load(year))


def year_verdicts(year: EmulationYear) -> Mapping[int, rules.Judgement]:
    """The verdict on each nomination of `year`, by id, as `judge_year` gives it now."""
    return year_nominations(year).verdicts
