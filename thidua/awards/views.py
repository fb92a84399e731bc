"""Pages of awards: the catalogue, nominations and their verdicts, decisions, the dossier, and
the supervisor's national page."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.audit.stamp import StampedCache
from thidua.award_history.models import AwardType, Decision
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.cycle.pages import year_context
from thidua.errors import ActionRefused, Refusal, refusal_told, run_form_action
from thidua.jobs.actions import do_start_job
from thidua.jobs.models import Job
from thidua.lib import pdf, uploads
from thidua.lib.text import slugify_vi
from thidua.orgs.models import Organization

from . import achievement, actions, documents, evidence_files, exports, rules
from .forms import (
    NATIONAL_REPORT,
    DecisionForm,
    EvidenceForm,
    FilterForm,
    NationalForm,
    NominationEditForm,
    NominationForm,
    ReturnForm,
    RuleVersionForm,
    clean_record_choice,
)
from .hooks import CHECK_ELIGIBILITY
from .models import AwardRule, EvidenceFile, Nomination
from .problems import VERDICT_LABELS, describe
from .reads import search_key
from .verdicts import Listed, year_nominations, year_verdicts


def award_names() -> dict[str, str]:
    return dict(AwardType.objects.values_list("code", "name"))


def explain(judgement: rules.Judgement, names: dict[str, str]) -> dict[str, Any]:
    return {
        "verdict": judgement.verdict.value,
        "label": VERDICT_LABELS[judgement.verdict],
        "reasons": [
            {"effect": r.effect.value, "text": describe(r, names)} for r in judgement.reasons
        ],
    }


# --- the catalogue ---------------------------------------------------------------------------


@login_required
def catalogue(request: SignedInRequest) -> HttpResponse:
    awards = AwardType.objects.prefetch_related(
        Prefetch("rules", queryset=AwardRule.objects.order_by("-effective_from"))
    )
    return render(
        request,
        "awards/catalogue.html",
        {
            "awards": awards,
            "can_edit": request.user.has_perm("awards.manage_catalogue"),
            "can_manage_history": request.user.has_perm("awards.manage_history"),
        },
    )


@login_required
def rule_new(request: SignedInRequest, code: str) -> HttpResponse:
    access.require(request.user, "awards.manage_catalogue")
    award = get_object_or_404(AwardType, code=code)
    current = award.rules.order_by("-effective_from").first()
    initial = {}
    if current is not None:
        initial = {
            "status": current.status,
            "legal_source": current.legal_source,
            "requirements": json.dumps(current.requirements, ensure_ascii=False, indent=1),
        }
    form = RuleVersionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_save_rule_version(
                award, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done:
            messages.success(request, _("The new version of the rule is saved."))
            return redirect("awards:catalogue")
        status = outcome.status
    return render(request, "awards/rule_form.html", {"award": award, "form": form}, status=status)


# --- nominations -----------------------------------------------------------------------------


NOMINATIONS_PER_PAGE = 50


def _member_units(year: EmulationYear) -> Any:
    return Organization.objects.filter(memberships__year=year).order_by("name")


@dataclass(frozen=True)
class _Listing:
    """One page of the nomination list as every reader of the year sees it."""

    rows: list[dict[str, str]]
    html: str  # the filters, the totals, the rows and the pages (nothing in it is per reader)


def _listing(year: EmulationYear, query: QueryDict) -> _Listing:
    form = FilterForm(query or None, units=_member_units(year))
    # The year's rows come sorted and judged (kept until the data changes); the filters and
    # the page are applied to them here.
    listing = year_nominations(year)
    listed: list[Listed] = list(listing.rows)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            listed = [n for n in listed if n.unit_id == data["unit"].pk]
        if data["award"]:
            listed = [n for n in listed if n.award_type_id == data["award"].pk]
        if data["status"]:
            listed = [n for n in listed if n.status == data["status"]]
        if data["q"]:
            wanted = search_key(data["q"])
            listed = [n for n in listed if wanted in n.search_key]
    judgements = listing.verdicts
    totals = rules.tally(judgements[n.pk] for n in listed)
    page = Paginator(listed, NOMINATIONS_PER_PAGE).get_page(query.get("page"))
    statuses = dict(Nomination.Status.choices)
    # A nomination's page is the list's route followed by its id: reversed once, not per row.
    link = reverse("awards:nomination", args=[year.cluster.slug, year.year, 0]).removesuffix("0/")
    # The list shows each verdict's name; its reasons are on the nomination's page.
    rows = [
        {
            "url": f"{link}{n.pk}/",
            "nominee": n.nominee,
            "unit": n.unit,
            "award": n.award,
            "status": str(statuses[n.status]),
            "verdict": judgements[n.pk].verdict.value,
            "label": str(VERDICT_LABELS[judgements[n.pk].verdict]),
        }
        for n in page
    ]
    filters = query.copy()
    filters.pop("page", None)
    context = {
        "form": form,
        # The filters' choices, from the rows kept: the form only checks what is sent.
        "choices": {
            "unit": [(str(pk), name) for pk, name in listing.units],
            "award": [(str(pk), name) for pk, name in listing.awards],
            "status": form.fields["status"].choices,  # type: ignore[attr-defined]
        },
        "chosen": {name: str(form[name].value() or "") for name in ("unit", "award", "status")},
        "rows": rows,
        "page": page,
        "filters": filters.urlencode(),
        "totals": {VERDICT_LABELS[v]: c for v, c in totals.items()},
    }
    return _Listing(rows=rows, html=render_to_string("awards/_nomination_listing.html", context))


# The list below the page's links is the same for every reader of the year: it is rendered
# once per year, language and query (filters and page) until attributed data changes.
_listings: StampedCache[_Listing] = StampedCache(size=256)


def not_now(year: EmulationYear) -> str:
    """Why nominations cannot be drafted, compiled or decided now ("" in the proposals phase):
    the words the actions refuse with, shown where their forms would be."""
    if year.phase == Phase.CLOSED:
        return _("The year is closed and can no longer be changed.")
    if year.phase != Phase.PROPOSALS:
        return _("Nominations are handled in the proposals phase; the year is in %(phase)s.") % {
            "phase": year.get_phase_display()
        }
    return ""


@login_required
def nominations(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    roles = access.roles_in_year(request.user, emulation_year)
    query = request.GET.copy()
    # Read with the request's year: it is as of the same stamp as the rows.
    listing = _listings.get(
        (emulation_year.pk, get_language(), query.urlencode()),
        lambda: _listing(emulation_year, query),
    )
    return render(
        request,
        "awards/nominations.html",
        year_context(
            emulation_year,
            listing=mark_safe(listing.html),
            rows=listing.rows,
            can_draft=roles.own_member_org_id is not None
            and emulation_year.phase == Phase.PROPOSALS,
            can_compile=request.user.has_perm("awards.compile", emulation_year)
            and emulation_year.phase == Phase.PROPOSALS,
            can_decide=request.user.has_perm("awards.decide", emulation_year),
            not_now=not_now(emulation_year),
        ),
    )


def _own_membership(request: SignedInRequest, year: EmulationYear) -> Membership:
    roles = access.roles_in_year(request.user, year)
    if roles.own_member_org_id is None:
        raise PermissionDenied("awards.draft")
    return access.get_membership_for(
        request.user, year, roles.own_member_org_id or 0, "awards.draft"
    )


@login_required
def nomination_new(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    membership = _own_membership(request, emulation_year)
    unit = membership.organization
    form = NominationForm(request.POST or None, unit=unit)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_draft_nomination(
                emulation_year, unit=unit, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done and outcome.result is not None:
            messages.success(request, _("The nomination is saved as a draft."))
            return redirect("awards:nomination", slug=slug, year=year, pk=outcome.result.pk)
        status = outcome.status
    return render(
        request,
        "awards/nomination_form.html",
        year_context(emulation_year, form=form, unit=unit, not_now=not_now(emulation_year)),
        status=status,
    )


def _nomination(request: SignedInRequest, slug: str, year: int, pk: int) -> Nomination:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    try:
        return Nomination.objects.select_related(
            "year__cluster", "unit", "person", "collective", "award_type", "record"
        ).get(pk=pk, year=emulation_year)
    except Nomination.DoesNotExist:
        raise Http404 from None


@login_required
def nomination_detail(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    return _nomination_page(request, _nomination(request, slug, year, pk))


def _nomination_page(
    request: SignedInRequest,
    nomination: Nomination,
    *,
    status: int = 200,
    edit_form: NominationEditForm | None = None,
    evidence_form: EvidenceForm | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    """The nomination's page; a form given is one just refused, shown with its errors."""
    emulation_year = nomination.year
    membership = Membership.objects.get(year=emulation_year, organization=nomination.unit)
    user = request.user
    editable = nomination.status in (Nomination.Status.DRAFT, Nomination.Status.RETURNED)
    in_phase = emulation_year.phase == Phase.PROPOSALS
    can_edit = in_phase and editable and user.has_perm("awards.draft", membership)
    judgement = year_verdicts(emulation_year)[nomination.pk]
    can_read_dossier = user.has_perm("awards.view_dossier", membership)
    if can_edit and edit_form is None:
        edit_form = NominationEditForm(
            initial={
                "summary": nomination.summary,
                "clean_record": clean_record_choice(nomination.clean_record),
                "version": actions.nomination_version(nomination),
            }
        )
    return render(
        request,
        "awards/nomination.html",
        year_context(
            emulation_year,
            nomination=nomination,
            verdict=explain(judgement, award_names()),
            files=nomination.files.order_by("pk") if can_read_dossier else [],
            can_read_dossier=can_read_dossier,
            edit_form=edit_form,
            evidence_form=evidence_form or (EvidenceForm() if can_edit else None),
            can_submit=in_phase
            and nomination.status == Nomination.Status.DRAFT
            and user.has_perm("awards.submit", membership),
            can_decide=in_phase
            and nomination.status in (Nomination.Status.COMPILED, Nomination.Status.APPROVED)
            and user.has_perm("awards.decide", emulation_year),
            can_approve=nomination.status == Nomination.Status.COMPILED,
            return_form=return_form or ReturnForm(),
        ),
        status=status,
    )


# Each step of a nomination has its own page to post to. The action checks the permission;
# a refusal shows the nomination again, with the refusal's status.


@login_required
@require_POST
def nomination_submit(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _nomination(request, slug, year, pk)
    with refusal_told(request) as told:
        actions.do_submit_nomination(nomination, acting_user=request.user)
        messages.success(request, _("The nomination is submitted to the cluster."))
        return redirect("awards:nomination", slug=slug, year=year, pk=pk)
    return _nomination_page(request, _nomination(request, slug, year, pk), status=told.status)


@login_required
@require_POST
def nomination_approve(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _nomination(request, slug, year, pk)
    with refusal_told(request) as told:
        actions.do_approve_nomination(nomination, acting_user=request.user)
        messages.success(request, _("The nomination is approved."))
        return redirect("awards:nomination", slug=slug, year=year, pk=pk)
    return _nomination_page(request, _nomination(request, slug, year, pk), status=told.status)


def _nomination_step(
    request: SignedInRequest,
    slug: str,
    year: int,
    pk: int,
    *,
    form: forms.BaseForm,
    form_name: str,
    action: Callable[[], object],
    done: str,
    field: str | None = None,
) -> HttpResponse:
    """Run a step from its form; on a refusal, the nomination again with the form's errors."""
    outcome = run_form_action(form, action, field=field)
    if outcome.done:
        messages.success(request, done)
        return redirect("awards:nomination", slug=slug, year=year, pk=pk)
    shown: dict[str, Any] = {form_name: form}  # the refused form, in place of a blank one
    return _nomination_page(
        request, _nomination(request, slug, year, pk), status=outcome.status, **shown
    )


@login_required
@require_POST
def nomination_return(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _nomination(request, slug, year, pk)
    form = ReturnForm(request.POST)
    return _nomination_step(
        request, slug, year, pk,
        form=form,
        form_name="return_form",
        action=lambda: actions.do_return_nomination(
            nomination, reason=form.cleaned_data["reason"], acting_user=request.user
        ),
        done=_("The nomination is returned to its unit."),
    )  # fmt: skip


@login_required
@require_POST
def nomination_update(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _nomination(request, slug, year, pk)
    form = NominationEditForm(request.POST)
    return _nomination_step(
        request, slug, year, pk,
        form=form,
        form_name="edit_form",
        action=lambda: actions.do_update_nomination(
            nomination, acting_user=request.user, **form.cleaned_data
        ),
        done=_("The nomination is saved."),
    )  # fmt: skip


@login_required
@require_POST
def nomination_evidence(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _nomination(request, slug, year, pk)
    form = EvidenceForm(request.POST, request.FILES)

    def attach() -> EvidenceFile:
        with uploads.storing():
            return actions.do_attach_evidence(
                nomination, upload=form.cleaned_data["upload"], acting_user=request.user
            )

    return _nomination_step(
        request, slug, year, pk,
        form=form, form_name="evidence_form", action=attach, field="upload",
        done=_("The file is attached."),
    )  # fmt: skip


@login_required
@require_POST
def compile_proposal(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.compile")
    with refusal_told(request):
        compiled = actions.do_compile_proposal(emulation_year, acting_user=request.user)
        messages.success(
            request,
            _("%(count)s nominations are in the cluster's proposal.") % {"count": len(compiled)},
        )
    return redirect("awards:nominations", slug=slug, year=year)


@login_required
def decision(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.decide")
    approved = emulation_year.nominations.filter(status=Nomination.Status.APPROVED)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_record_decision(
                emulation_year, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done:
            messages.success(request, _("The decision is recorded in the award history."))
            return redirect("awards:decision", slug=slug, year=year)
        status = outcome.status
    return render(
        request,
        "awards/decision_form.html",
        year_context(
            emulation_year,
            form=form,
            approved=approved.select_related("person", "collective", "award_type", "unit"),
            decisions=emulation_year.award_decisions.order_by("date", "sequence", "pk"),
            not_now=not_now(emulation_year),
        ),
        status=status,
    )


@login_required
def proposal_list(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.view")
    content = exports.proposal_workbook(emulation_year)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"danh-sach-de-nghi-{emulation_year.cluster.slug}-{emulation_year.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the national page: the year's summary report and eligibility list, as jobs --------------


@login_required
def national(request: SignedInRequest) -> HttpResponse:
    access.require(request.user, "conference.national_report")
    form = NationalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = do_start_job(
            form.cleaned_data["kind"],
            acting_user=request.user,
            params={"year": form.cleaned_data["year"]},
        )
        return redirect("awards:jobs:detail", pk=job.pk)
    jobs = Job.objects.filter(
        created_by_id=request.user.pk,
        kind__in=[NATIONAL_REPORT, CHECK_ELIGIBILITY],
    )[:10]
    return render(
        request,
        "awards/national.html",
        {"form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


# --- a nomination's dossier: evidence files and the achievement report -----------------------


def _dossier(request: SignedInRequest, slug: str, year: int, pk: int) -> Nomination:
    """The nomination, if the user may read its dossier (404 outsiders, 403 other members)."""
    nomination = _nomination(request, slug, year, pk)
    membership = Membership.objects.select_related("year__cluster").get(
        year=nomination.year, organization=nomination.unit
    )
    access.require(request.user, "awards.view_dossier", membership)
    return nomination


@login_required
def evidence(request: SignedInRequest, slug: str, year: int, pk: int, file_pk: int) -> FileResponse:
    nomination = _dossier(request, slug, year, pk)
    attached = get_object_or_404(EvidenceFile, pk=file_pk, nomination=nomination)
    name = evidence_files.safe_file_name(attached.name)
    try:
        content = attached.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=name,
        content_type=evidence_files.evidence_type(name) or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def achievement_report(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    nomination = _dossier(request, slug, year, pk)
    content = achievement.lay_out(achievement.load(nomination))
    response = HttpResponse(content, content_type=achievement.DOCX_TYPE)
    name = f"bao-cao-thanh-tich-{slugify_vi(nomination.nominee_name)}-{year}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _decision(request: SignedInRequest, slug: str, year: int, pk: int) -> Decision:
    emulation_year = access.get_year_for(request.user, slug, year, "awards.decide")
    return get_object_or_404(Decision, pk=pk, year=emulation_year)


@login_required
def decision_document(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """The Quyết định khen thưởng with its attached list, as .docx."""
    decision = _decision(request, slug, year, pk)
    response = HttpResponse(
        documents.decision_document(decision), content_type=achievement.DOCX_TYPE
    )
    name = documents.decision_filename(decision)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def decision_pdf(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    decision = _decision(request, slug, year, pk)
    with refusal_told(request):
        data = pdf.pdf_of(documents.decision_document(decision))
        return pdf.response(data, documents.decision_filename(decision).replace(".docx", ".pdf"))
    return redirect("awards:decision", slug=slug, year=year)


def _paper(request: SignedInRequest) -> documents.Paper:
    return documents.PAPERS.get(request.GET.get("paper", "a4"), documents.PAPERS["a4"])


@login_required
def certificates_document(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """The certificates as one .docx: a batch of thousands, which LibreOffice takes minutes
    to turn into PDF, goes to the print shop this way."""
    decision = _decision(request, slug, year, pk)
    with refusal_told(request):
        response = HttpResponse(
            documents.certificates(decision, paper=_paper(request)),
            content_type=achievement.DOCX_TYPE,
        )
        name = documents.certificates_filename(decision).replace(".pdf", ".docx")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return redirect("awards:decision", slug=slug, year=year)


@login_required
def certificates(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """Every holder's certificate, one page each, as one PDF for the print shop; `?paper=a3`
    prints on A3 landscape instead of A4."""
    decision = _decision(request, slug, year, pk)
    with refusal_told(request):
        if documents.require_holders(decision) > documents.PAGE_BATCH:
            raise ActionRefused(
                _(
                    "The decision grants more than %(count)s holders: print their certificates"
                    " in the background with the button “Print every certificate as one PDF”."
                )
                % {"count": documents.PAGE_BATCH},
                kind=Refusal.REFUSED,
            )
        data = documents.certificates_pdf(decision, paper=_paper(request))
        return pdf.response(data, documents.certificates_filename(decision))
    return redirect("awards:decision", slug=slug, year=year)


@login_required
@require_POST
def certificates_job(request: SignedInRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """Every holder's certificate as one PDF, made in the background with its progress shown:
    a batch of thousands takes LibreOffice minutes."""
    decision = _decision(request, slug, year, pk)
    with refusal_told(request):
        documents.require_holders(decision)
        job = do_start_job(
            documents.CERTIFICATES_JOB,
            acting_user=request.user,
            params={"decision": decision.pk, "paper": request.POST.get("paper", "a4")},
        )
        return redirect("awards:jobs:detail", pk=job.pk)
    return redirect("awards:decision", slug=slug, year=year)
