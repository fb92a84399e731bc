"""Pages of the year's indicators. Each looks the year up through `thidua.access`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import EmulationYear
from thidua.cycle.pages import year_context
from thidua.errors import refusal_told, run_form_action
from thidua.lib import uploads, xlsx
from thidua.lib.text import slugify_vi

from . import actions, excel, exports, reads, rules
from .forms import IndicatorForm, RemindForm, ResultsTemplateForm, UploadForm, ValuesForm
from .models import Indicator, IndicatorValue


def _render(
    request: SignedInRequest, template: str, year: EmulationYear, status: int = 200, **extra: object
) -> HttpResponse:
    return render(request, f"indicators/{template}", year_context(year, **extra), status=status)


@login_required
def index(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    indicators = list(
        Indicator.objects.filter(year=emulation_year).select_related(
            "weight_indicator", "denominator_indicator"
        )
    )
    roles = access.roles_in_year(request.user, emulation_year)
    can_manage = request.user.has_perm("indicators.manage", emulation_year)
    return _render(
        request,
        "index.html",
        emulation_year,
        indicators=indicators,
        own_unit=roles.own_member_org_id,
        can_define=can_manage and emulation_year.phase in reads.DEFINING_PHASES,
        has_previous=reads.previous_year(emulation_year) is not None,
    )


@login_required
def indicator_edit(
    request: SignedInRequest, slug: str, year: int, code: str | None = None
) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    all_indicators = list(
        Indicator.objects.filter(year=emulation_year).select_related(
            "weight_indicator", "denominator_indicator"
        )
    )
    indicator = None
    if code is not None:
        indicator = next((i for i in all_indicators if i.code == code), None)
        if indicator is None:
            raise Http404
    others = [i for i in all_indicators if i != indicator]
    initial = IndicatorForm.initial_for(indicator) if indicator else {"order": len(others) + 1}
    form = IndicatorForm(request.POST or None, initial=initial, others=others)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_save_indicator(
                emulation_year, form.spec(), indicator=indicator, acting_user=request.user
            ),
        )
        if outcome.done and outcome.result is not None:
            code = outcome.result.code
            messages.success(request, _("The indicator %(code)s is saved.") % {"code": code})
            return redirect("indicators:index", slug=slug, year=year)
        status = outcome.status
    return _render(
        request, "indicator_form.html", emulation_year, status, form=form, indicator=indicator
    )


@login_required
@require_POST
def copy_previous(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    with refusal_told(request):
        created = actions.do_copy_indicators(emulation_year, acting_user=request.user)
        messages.success(
            request,
            _("%(count)s indicators were copied from last year.") % {"count": len(created)},
        )
    return redirect("indicators:index", slug=slug, year=year)


@login_required
def matrix(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    data = reads.load(emulation_year)
    gaps = data.gaps()
    reminders = reads.latest_reminders(emulation_year)
    before, previous = reads.previous_values(
        emulation_year, [m.organization_id for m in data.members]
    )
    rows = [
        {
            "membership": m,
            "cells": [
                (
                    indicator,
                    data.value(m.organization_id, indicator),
                    data.values.get((m.organization_id, indicator.pk)),
                    previous.get((m.organization_id, indicator.code)),
                )
                for indicator in data.indicators
            ],
            "missing": len(gaps.get(m.organization_id, [])),
            "reminder": reminders.get(m.organization_id),
        }
        for m in data.members
    ]
    can_remind = (
        request.user.has_perm("indicators.manage", emulation_year)
        and emulation_year.phase in reads.REPORTING_PHASES
    )
    return _render(
        request,
        "matrix.html",
        emulation_year,
        indicators=data.indicators,
        rows=rows,
        late=len(gaps),
        can_remind=can_remind,
        previous_year=before,
    )


@login_required
def matrix_export(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    response = HttpResponse(exports.matrix_workbook(emulation_year), content_type=xlsx.CONTENT_TYPE)
    name = f"gia-tri-chi-tieu-{emulation_year.cluster.slug}-{emulation_year.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def remind(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.manage")
    form = RemindForm(request.POST)
    org = form.cleaned_data.get("organization") if form.is_valid() else None
    with refusal_told(request):
        sent = actions.do_remind_late(
            emulation_year,
            organization_ids=[org] if org else None,
            acting_user=request.user,
        )
        messages.success(request, _("%(count)s members were reminded.") % {"count": len(sent)})
    return redirect("indicators:matrix", slug=slug, year=year)


@login_required
def unit(request: SignedInRequest, slug: str, year: int, org_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.view_unit"
    )
    may_report = request.user.has_perm("indicators.report", membership)
    can_report = may_report and emulation_year.phase in reads.REPORTING_PHASES
    if request.method == "POST":
        access.require(request.user, "indicators.report", membership)
    indicators = list(Indicator.objects.filter(year=emulation_year))
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__year=emulation_year, organization_id=org_id
        ).select_related("entered_by")
    }
    form = ValuesForm(request.POST or None, indicators=indicators, current=current)
    before, previous = reads.previous_values(emulation_year, [org_id])
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_report_values(
                membership, entries=form.entries(), acting_user=request.user
            ),
        )
        if outcome.done:
            count = outcome.result
            messages.success(request, _("%(count)s values were saved.") % {"count": count})
            return redirect("indicators:unit", slug=slug, year=year, org_id=org_id)
        status = outcome.status
    return _render(
        request,
        "unit.html",
        emulation_year,
        status,
        membership=membership,
        form=form,
        rows=[
            (i, value, note, current.get(i.pk), previous.get((org_id, i.code)))
            for i, value, note in form.rows()
        ],
        previous_year=before,
        can_report=can_report,
        # The unit's own staff are told why the values cannot be entered now.
        not_now=_(
            "Values can be reported only while the year is in progress or in self-assessment."
        )
        if may_report and not can_report
        else "",
        upload_form=UploadForm(),
    )


@login_required
def workbook(request: SignedInRequest, slug: str, year: int, org_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.report"
    )
    content = excel.build(
        unit_name=membership.organization.name,
        year=emulation_year.year,
        rows=actions.workbook_rows(membership),
    )
    response = HttpResponse(content, content_type=excel.CONTENT_TYPE)
    name = f"chi-tieu-{emulation_year.year}-{slugify_vi(membership.organization.display_name)}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
@require_POST
def upload(request: SignedInRequest, slug: str, year: int, org_id: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    membership = access.get_membership_for(
        request.user, emulation_year, org_id, "indicators.report"
    )
    form = UploadForm(request.POST, request.FILES)
    outcome = run_form_action(
        form,
        lambda: actions.do_import_workbook(
            membership,
            content=form.cleaned_data["workbook"].read(),
            filename=form.cleaned_data["workbook"].name,
            acting_user=request.user,
        ),
    )
    if outcome.done:
        messages.success(
            request,
            _("The workbook was imported: %(count)s values changed.") % {"count": outcome.result},
        )
        return redirect("indicators:unit", slug=slug, year=year, org_id=org_id)
    # The refusal, with each bad row, or else why the file itself was not taken.
    errors = list(form.non_field_errors()) or [
        uploads.refused(form) or _("Choose the filled-in workbook (.xlsx) to upload.")
    ]
    return _render(
        request,
        "upload_refused.html",
        emulation_year,
        outcome.status,
        membership=membership,
        errors=errors,
    )


@login_required
def results(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "indicators.view")
    can_edit = (
        request.user.has_perm("indicators.manage", emulation_year) and not emulation_year.is_closed
    )
    if request.method == "POST":
        access.require(request.user, "indicators.manage", emulation_year)
    data = reads.load(emulation_year)
    before = reads.previous_year(emulation_year)
    previous = reads.load(before) if before is not None else None
    text = reads.template_text(emulation_year, data.indicators)
    form = ResultsTemplateForm(request.POST or None, initial={"text": text})
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_set_results_template(
                emulation_year, text=form.cleaned_data["text"], acting_user=request.user
            ),
            field="text",
        )
        if outcome.done:
            messages.success(request, _("The template of the results paragraph is saved."))
            return redirect("indicators:results", slug=slug, year=year)
        status = outcome.status
    year_figures = reads.figures(data, previous)
    return _render(
        request,
        "results.html",
        emulation_year,
        status,
        figures=year_figures,
        charts=[f.chart for f in year_figures],
        previous=before,
        paragraph=reads.render_paragraph(text, data),
        form=form,
        can_edit=can_edit,
        placeholders=[(i.code, i.name) for i in data.indicators],
        reserved=rules.RESERVED_PLACEHOLDERS,
    )
