"""The year's indicators in the API: definitions, the members' values, the cluster's figures.

Reading follows the pages: everyone who may open the year sees every unit's values; a unit's
own officers and leader report them, through `indicators.actions.do_report_values`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Router, Schema
from pydantic import Field, WithJsonSchema

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import Membership
from thidua.indicators import actions, excel, reads, rules
from thidua.indicators.models import Indicator, IndicatorValue

from .schemas import ERRORS, NO_NUL, Error, Id, Slug, number

router = Router(tags=["indicators"])

YEAR = "/clusters/{slug}/years/{year}/indicators"


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    decimals: int
    method: str
    weight_code: str | None
    denominator_code: str | None
    min_value: str | None
    max_value: str | None
    order: int


class Cell(Schema):
    value: str | None
    note: str
    entered_at: dt.datetime
    source: str


class MatrixRow(Schema):
    organization_id: int
    name: str
    values: dict[str, Cell] = Field(description="By indicator code; absent: never reported.")
    missing: list[str] = Field(description="Codes of the indicators still without a value.")


class Matrix(Schema):
    indicators: list[str]
    units: list[MatrixRow]


class UnitValue(Schema):
    code: str
    name: str
    unit: str
    value: str | None
    note: str
    entered_by: str | None
    entered_at: dt.datetime | None
    source: str | None


class UnitValues(Schema):
    organization_id: int
    name: str
    can_report: bool
    values: list[UnitValue]


class SavedValues(UnitValues):
    changed: int


# A number, or a decimal string for exact figures; the schema names the strings accepted.
Figure = Annotated[
    Decimal | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"},
                {"type": "null"},
            ]
        }
    ),
]


class ValueIn(Schema):
    value: Figure = Field(
        default=None,
        description='A number, or a decimal string such as "1234.5" for exact figures; '
        "null: no figure.",
    )
    note: str = Field(default="", max_length=excel.NOTE_LENGTH, pattern=NO_NUL)


Code = Annotated[str, Field(pattern="^" + rules.CODE_PATTERN + "$")]


class ValuesIn(Schema):
    values: dict[Code, ValueIn] = Field(
        description="By indicator code. As on the page's form, an indicator left out is "
        "reported as empty: its value, if any, is withdrawn.",
        # Keys are codes only: say so, or the schema would allow any other key.
        json_schema_extra={"additionalProperties": False},
    )


class FigureOut(Schema):
    code: str
    name: str
    unit: str
    method: str
    value: str | None = Field(description="The exact combined value.")
    numerator: str | None
    denominator: str | None
    members_counted: int
    statement: str | None = Field(description='As the report states it: "gần 158 nghìn tỷ".')
    rate: str | None
    missing: list[str] = Field(description="Units without a value, left out of the figure.")
    problems: list[str]
    previous_statement: str | None
    change: str | None


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "name": i.name,
        "unit": i.unit,
        "decimals": i.decimals,
        "method": i.method,
        "weight_code": i.weight_indicator.code if i.weight_indicator else None,
        "denominator_code": i.denominator_indicator.code if i.denominator_indicator else None,
        "min_value": number(i.min_value),
        "max_value": number(i.max_value),
        "order": i.order,
    }


@router.get(YEAR, response={200: list[IndicatorOut], **ERRORS})
def indicator_list(request: SignedInRequest, slug: Slug, year: int) -> list[dict[str, Any]]:
    """The year's indicators in their order."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    found = Indicator.objects.filter(year=emulation_year).select_related(
        "weight_indicator", "denominator_indicator"
    )
    return [_indicator(i) for i in found]


@router.get(YEAR + "/values", response={200: Matrix, **ERRORS})
def matrix(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """Every member's values, as the matrix page shows them."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    data = reads.load(emulation_year)
    gaps = data.gaps()
    return {
        "indicators": [i.code for i in data.indicators],
        "units": [
            {
                "organization_id": m.organization_id,
                "name": m.organization.name,
                "values": {
                    i.code: {
                        "value": number(found.value),
                        "note": found.note,
                        "entered_at": found.entered_at,
                        "source": found.source,
                    }
                    for i in data.indicators
                    if (found := data.values.get((m.organization_id, i.pk))) is not None
                },
                "missing": [i.code for i in gaps.get(m.organization_id, [])],
            }
            for m in data.members
        ],
    }


def _unit_values(request: SignedInRequest, membership: Membership) -> dict[str, Any]:
    year = membership.year
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__year=year, organization_id=membership.organization_id
        ).select_related("entered_by")
    }

    def row(i: Indicator) -> dict[str, Any]:
        found = current.get(i.pk)
        return {
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "value": number(found.value) if found else None,
            "note": found.note if found else "",
            "entered_by": str(found.entered_by) if found else None,
            "entered_at": found.entered_at if found else None,
            "source": found.source if found else None,
        }

    return {
        "organization_id": membership.organization_id,
        "name": membership.organization.name,
        "can_report": request.user.has_perm("indicators.report", membership)
        and year.phase in reads.REPORTING_PHASES,
        "values": [row(i) for i in Indicator.objects.filter(year=year)],
    }


@router.get(YEAR + "/units/{org_id}", response={200: UnitValues, **ERRORS})
def unit_values(request: SignedInRequest, slug: Slug, year: int, org_id: Id) -> dict[str, Any]:
    """One member unit's values, every indicator listed."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.view_unit"
    )
    return _unit_values(request, membership)


def _entries(body: ValuesIn, indicators: list[Indicator]) -> dict[str, rules.Entry]:
    """The body as the action takes it: every indicator of the year, empty unless given."""
    entries = {i.code: rules.Entry(None, "") for i in indicators}
    entries.update({code: rules.Entry(v.value, v.note) for code, v in body.values.items()})
    return entries


@router.put(YEAR + "/units/{org_id}", response={200: SavedValues, 409: Error, **ERRORS})
def report_values(
    request: SignedInRequest, slug: Slug, year: int, org_id: Id, body: ValuesIn
) -> Any:
    """The unit's officer or leader reports its values: all are stored, or none.

    The action checks them as the page's form does (known codes, allowed range, decimals)
    and refuses the whole report with a 400 and its reasons in Vietnamese; a closed year or a
    phase that takes no values is a 409.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.report"
    )
    entries = _entries(body, list(Indicator.objects.filter(year=emulation_year)))
    changed = actions.do_report_values(membership, entries=entries, acting_user=request.user)
    return {**_unit_values(request, membership), "changed": changed}


@router.get(YEAR + "/figures", response={200: list[FigureOut], **ERRORS})
def cluster_figures(request: SignedInRequest, slug: Slug, year: int) -> list[dict[str, Any]]:
    """The cluster's figure of each indicator, stated, with last year's where it exists."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    data = reads.load(emulation_year)
    before = reads.previous_year(emulation_year)
    previous = reads.load(before) if before is not None else None
    return [
        {
            "code": f.indicator.code,
            "name": f.indicator.name,
            "unit": f.indicator.unit,
            "method": f.indicator.method,
            "value": number(f.result.value),
            "numerator": number(f.result.numerator),
            "denominator": number(f.result.denominator),
            "members_counted": f.result.members_counted,
            "statement": f.statement,
            "rate": f.rate,
            "missing": f.missing,
            "problems": f.problems,
            "previous_statement": f.previous_statement,
            "change": f.change,
        }
        for f in reads.figures(data, previous)
    ]
