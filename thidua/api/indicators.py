"""The year's indicators in the API: definitions, the members' values, the cluster's figures.

Reading follows the pages: everyone who may open the year sees every unit's values; a unit's
own officers and leader report them (as JSON, or as the page's filled-in workbook); the
secretariat defines the indicators, copies last year's, reminds the late members and words
the results paragraph. Each write checks its input with the page's form and calls the same
`indicators.actions.do_*`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Path, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, WithJsonSchema

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import EmulationYear, Membership
from thidua.errors import ActionRefused, Refusal
from thidua.indicators import actions, excel, reads, rules
from thidua.indicators.forms import IndicatorForm, RemindForm, ResultsTemplateForm, UploadForm
from thidua.indicators.models import Indicator, IndicatorValue, Reminder
from thidua.lib import uploads

from . import paging
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, Slug, number

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


@router.get(YEAR, response={200: list[IndicatorOut], 304: None, **ERRORS})
def indicator_list(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The year's indicators in their order, all at once: the secretariat defines a few
    dozen for the year, so there is no cursor. Send the `ETag` back as `If-None-Match` to
    get 304 until one is defined, changed or copied."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    found = Indicator.objects.filter(year=emulation_year).select_related(
        "weight_indicator", "denominator_indicator"
    )
    return paging.conditional(request, response, [_indicator(i) for i in found])


@router.get(YEAR + "/values", response={200: Matrix, 304: None, **ERRORS})
def matrix(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """Every member's values, as the matrix page shows them; its `ETag` changes with any
    value reported, so a mirror polls it with `If-None-Match`."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    data = reads.load(emulation_year)
    gaps = data.gaps()
    body = {
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
    return paging.conditional(request, response, body)


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


@router.get(YEAR + "/figures", response={200: list[FigureOut], 304: None, **ERRORS})
def cluster_figures(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The cluster's figure of each indicator, stated, with last year's where it exists.

    One figure per indicator of the year, all at once (no cursor). The `ETag` changes with
    any value reported or indicator changed, this year's or last; no `Last-Modified`, since
    a definition changed has no time of its own to say so.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    data = reads.load(emulation_year)
    before = reads.previous_year(emulation_year)
    previous = reads.load(before) if before is not None else None
    body = [
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
    return paging.conditional(request, response, body)


# --- what the secretariat sets up: definitions, copies, reminders, the results' wording --


class IndicatorIn(Schema):
    code: str = Field(
        max_length=40,
        pattern=NO_NUL,
        description="Capital letters, digits and _ (a lower-case code is stored in capitals).",
    )
    name: str = Field(max_length=300, pattern=NO_NUL)
    unit: str = Field(default="", max_length=50, pattern=NO_NUL, description="%, tỷ đồng, xã…")
    decimals: int = Field(default=0, ge=-(2**31), le=2**31 - 1)
    method: str = Field(
        max_length=20,
        pattern=NO_NUL,
        description="How the cluster combines the members' values: "
        + ", ".join(Indicator.Method.values)
        + ".",
    )
    weight_code: str = Field(
        default="", max_length=40, pattern=NO_NUL, description="weighted_mean: the weights' code."
    )
    denominator_code: str = Field(
        default="", max_length=40, pattern=NO_NUL, description="ratio: the totals' code."
    )
    min_value: Figure = Field(default=None, description="The smallest value a unit may report.")
    max_value: Figure = Field(default=None, description="The largest value a unit may report.")
    order: int = Field(default=0, ge=-(2**31), le=2**31 - 1)


class ReminderIn(Schema):
    organization_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="The member to remind; null: every member with values left to report.",
    )


class ReminderOut(Schema):
    organization_id: int
    name: str
    missing: list[str] = Field(description="The codes the member had still to report.")
    reminded_at: dt.datetime


class ResultsIn(Schema):
    text: str = Field(
        max_length=20_000, pattern=NO_NUL, description="The paragraph, with placeholders: {GRDP}."
    )


class ResultsOut(Schema):
    text: str = Field(description="The template: the secretariat's, or the default one.")
    paragraph: str = Field(description="The template with each placeholder stated.")


def _figure(value: Decimal | None) -> str:
    """A figure as the page's field reads it: a decimal comma and no grouping, since the
    field takes "1.234" for one thousand two hundred and thirty-four."""
    return "" if value is None else format(value, "f").replace(".", ",")


def _definition(
    request: SignedInRequest, emulation_year: EmulationYear, body: IndicatorIn, code: str | None
) -> Indicator:
    """Save the body through the page's form and action: a new indicator, or the one coded."""
    every = list(
        Indicator.objects.filter(year=emulation_year).select_related(
            "weight_indicator", "denominator_indicator"
        )
    )
    indicator = None
    if code is not None:
        indicator = next((i for i in every if i.code == code), None)
        if indicator is None:
            raise Http404
    values = {
        **body.dict(),
        "min_value": _figure(body.min_value),
        "max_value": _figure(body.max_value),
    }
    form = bound(IndicatorForm, values, others=[i for i in every if i != indicator])
    cleaned(form)
    return actions.do_save_indicator(
        emulation_year, form.spec(), indicator=indicator, acting_user=request.user
    )


def _saved(indicator: Indicator) -> dict[str, Any]:
    found = Indicator.objects.select_related("weight_indicator", "denominator_indicator")
    return _indicator(found.get(pk=indicator.pk))


def _results(emulation_year: EmulationYear) -> dict[str, Any]:
    data = reads.load(emulation_year)
    text = reads.template_text(emulation_year, data.indicators)
    return {"text": text, "paragraph": reads.render_paragraph(text, data)}


@router.get(YEAR + "/results", response={200: ResultsOut, **ERRORS})
def results_paragraph(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    """The results paragraph of the summary report: its template and the figures stated."""
    return _results(access.get_year_for(request.user, slug, year, "indicators.view"))


@router.put(YEAR + "/results", response={200: ResultsOut, 409: Error, **ERRORS})
def set_results_paragraph(request: SignedInRequest, slug: Slug, year: int, body: ResultsIn) -> Any:
    """The secretariat words the results paragraph; every placeholder must name an indicator."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    access.require(request.user, "indicators.manage", emulation_year)
    data = cleaned(bound(ResultsTemplateForm, body.dict()))
    actions.do_set_results_template(emulation_year, text=data["text"], acting_user=request.user)
    return _results(emulation_year)


@router.post(YEAR + "/copy", response={201: list[IndicatorOut], 409: Error, **ERRORS})
def copy_previous(request: SignedInRequest, slug: Slug, year: int) -> Any:
    """The secretariat copies last year's indicators that this year does not have yet."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    created = actions.do_copy_indicators(emulation_year, acting_user=request.user)
    return Status(201, [_saved(i) for i in created])


@router.post(YEAR + "/reminders", response={201: list[ReminderOut], 409: Error, **ERRORS})
def remind(request: SignedInRequest, slug: Slug, year: int, body: ReminderIn | None = None) -> Any:
    """The secretariat reminds one member, or every late one, of the values left to report."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    chosen = body.organization_id if body is not None else None
    org = cleaned(bound(RemindForm, {"organization": chosen}))["organization"]
    sent = actions.do_remind_late(
        emulation_year, organization_ids=[org] if org else None, acting_user=request.user
    )
    found = Reminder.objects.filter(pk__in=[r.pk for r in sent]).select_related("organization")
    return Status(
        201,
        [
            {
                "organization_id": r.organization_id,
                "name": r.organization.name,
                "missing": r.missing,
                "reminded_at": r.reminded_at,
            }
            for r in found.order_by("organization_id")
        ],
    )


@router.post(YEAR + "/units/{org_id}/workbook", response={200: SavedValues, 409: Error, **ERRORS})
def upload_workbook(
    request: SignedInRequest, slug: Slug, year: int, org_id: Id, file: File[UploadedFile]
) -> Any:
    """The unit's filled-in workbook (.xlsx, as the unit's page gives it): every value is
    stored, or none; a refused workbook is a 400 naming each bad row and column in
    `details`, as the page lists them."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.report"
    )
    form = UploadForm({}, MultiValueDict({"workbook": [file]}))
    if not form.is_valid():  # the page's words: the file's size, else what to send
        refusal = uploads.refused(form) or _("Choose the filled-in workbook (.xlsx) to upload.")
        raise ActionRefused(refusal, kind=Refusal.INVALID)
    workbook = form.cleaned_data["workbook"]
    changed = actions.do_import_workbook(
        membership, content=workbook.read(), filename=workbook.name, acting_user=request.user
    )
    return {**_unit_values(request, membership), "changed": changed}


@router.post(YEAR, response={201: IndicatorOut, 409: Error, **ERRORS})
def add_indicator(request: SignedInRequest, slug: Slug, year: int, body: IndicatorIn) -> Any:
    """The secretariat adds an indicator while the year is being prepared."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    return Status(201, _saved(_definition(request, emulation_year, body, None)))


# Declared after the paths above, so that /copy, /reminders and /results are not taken for codes.
PathCode = Annotated[str, Path(pattern="^" + rules.CODE_PATTERN + "$")]


@router.put(YEAR + "/{code}", response={200: IndicatorOut, 409: Error, **ERRORS})
def edit_indicator(
    request: SignedInRequest, slug: Slug, year: int, code: PathCode, body: IndicatorIn
) -> Any:
    """The secretariat changes an indicator's definition, the whole of it as on the page's
    form; its code stays once a member has reported it."""
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    return _saved(_definition(request, emulation_year, body, code))
