"""Pages of the signed dossier: the cluster's (sign, send, read the reply) and the supervising
department's (import, review, return)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear, Phase
from thidua.cycle.pages import year_context
from thidua.errors import run_form_action

from . import actions, downloads, export_job, reads
from .forms import PackageForm, ReturnForm, SignForm
from .models import ReceivedDossier, ReceivedFile


def _year_page(
    request: SignedInRequest,
    year: EmulationYear,
    *,
    sign_form: SignForm | None = None,
    export_form: SignForm | None = None,
    reply_form: PackageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    in_phase = year.phase == Phase.PROPOSALS
    can_sign = in_phase and user.has_perm("dossier.sign_proposal", year)
    can_export = in_phase and user.has_perm("dossier.export", year)
    sender = actions.sender_of(year)
    if can_sign and sign_form is None:
        sign_form = SignForm(identities=reads.person_identities(user))
    if can_export and export_form is None:
        export_form = SignForm(identities=reads.agency_identities(sender.pk), prefix="export")
    compiled = Nomination.objects.filter(year=year, status=Nomination.Status.COMPILED)
    returned = Nomination.objects.filter(year=year, status=Nomination.Status.RETURNED)
    return render(
        request,
        "dossier/year.html",
        year_context(
            year,
            sender=sender,
            compiled=compiled.count(),
            returned=returned.select_related("person", "collective", "award_type"),
            leader_signed=actions.leader_signed_proposal(year),
            sent=reads.sent_in(year),
            running=export_job.running_export(year) if can_export else None,
            can_sign=can_sign,
            can_export=can_export,
            sign_form=sign_form if can_sign else None,
            export_form=export_form if can_export else None,
            reply_form=(reply_form or PackageForm(prefix="reply")) if can_export else None,
        ),
        status=status,
    )


@login_required
def year_page(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.view")
    return _year_page(request, emulation_year)


@login_required
@require_POST
def sign(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.sign_proposal")
    form = SignForm(request.POST, identities=reads.person_identities(request.user))
    outcome = run_form_action(
        form,
        lambda: actions.do_sign_proposal(
            year=emulation_year,
            identity=form.cleaned_data["identity"],
            secret=form.secret_value(),
            acting_user=request.user,
        ),
        field="secret",
    )
    if outcome.done:
        messages.success(request, _("You signed the proposal letter."))
        return redirect("dossier:year", slug=slug, year=year)
    return _year_page(request, emulation_year, sign_form=form, status=outcome.status)


@login_required
@require_POST
def export(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    """Start the export in the background and show its progress (the jobs' page)."""
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.export")
    sender = actions.sender_of(emulation_year)
    form = SignForm(request.POST, identities=reads.agency_identities(sender.pk), prefix="export")
    outcome = run_form_action(
        form,
        lambda: export_job.do_start_export(
            year=emulation_year,
            identity=form.cleaned_data["identity"],
            secret=form.secret_value(),
            acting_user=request.user,
        ),
        field="secret",
    )
    if outcome.done and outcome.result is not None:
        return redirect("awards:jobs:detail", pk=outcome.result.pk)
    return _year_page(request, emulation_year, export_form=form, status=outcome.status)


@login_required
@require_POST
def reply(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.export")
    form = PackageForm(request.POST, request.FILES, prefix="reply")
    outcome = run_form_action(
        form,
        lambda: actions.do_import_reply(
            year=emulation_year,
            content=form.cleaned_data["package"].read(),
            acting_user=request.user,
        ),
        field="package",
    )
    if outcome.done:
        messages.success(
            request, _("The supervisor's reply is read: the nominations are returned.")
        )
        return redirect("dossier:year", slug=slug, year=year)
    return _year_page(request, emulation_year, reply_form=form, status=outcome.status)


sent_package = login_required(downloads.sent_package)


# --- the supervising department ---------------------------------------------------------


@login_required
def received(request: SignedInRequest) -> HttpResponse:
    user = request.user
    can_receive = user.has_perm("dossier.receive")
    if not can_receive and not getattr(user, "is_superuser", False):
        access.require(user, "dossier.receive")
    form = PackageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        access.require(user, "dossier.receive")
        outcome = run_form_action(
            form,
            lambda: actions.do_import_dossier(
                content=form.cleaned_data["package"].read(), acting_user=user
            ),
            field="package",
        )
        if outcome.done and outcome.result is not None:
            messages.success(
                request,
                _("The dossier is verified and received: its nominations are under review."),
            )
            return redirect("dossier:received_detail", pk=outcome.result.pk)
        status = outcome.status
    return render(
        request,
        "dossier/received.html",
        {
            "dossiers": reads.received_for(user),
            "refusals": reads.refusals_for(user) if can_receive else [],
            "form": form if can_receive else None,
        },
        status=status,
    )


def _detail_page(
    request: SignedInRequest,
    dossier: ReceivedDossier,
    *,
    form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    nominations = list(dossier.nominations.order_by("pk"))
    can_return = dossier.status == ReceivedDossier.Status.REVIEW and request.user.has_perm(
        "dossier.return", dossier
    )
    if can_return and form is None:
        form = ReturnForm(
            identities=reads.agency_identities(dossier.receiver_id), nominations=nominations
        )
    files = list(dossier.files.order_by("pk"))
    by_nomination: dict[int | None, list[ReceivedFile]] = {}
    for kept in files:
        by_nomination.setdefault(kept.nomination_id, []).append(kept)
    return render(
        request,
        "dossier/received_detail.html",
        {
            "dossier": dossier,
            "nominations": [(n, by_nomination.get(n.pk, [])) for n in nominations],
            "common_files": by_nomination.get(None, []),
            "checks": reads.verification_rows(dossier),
            "form": form if can_return else None,
        },
        status=status,
    )


@login_required
def received_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail_page(request, reads.received_dossier(request.user, pk))


@login_required
@require_POST
def return_dossier(request: SignedInRequest, pk: int) -> HttpResponse:
    dossier = reads.received_dossier(request.user, pk, "dossier.return")
    form = ReturnForm(
        request.POST,
        identities=reads.agency_identities(dossier.receiver_id),
        nominations=list(dossier.nominations.order_by("pk")),
    )
    outcome = run_form_action(
        form,
        lambda: actions.do_return_dossier(
            dossier,
            reason=form.cleaned_data["reason"],
            reasons=form.own_reasons(),
            identity=form.cleaned_data["identity"],
            secret=form.secret_value(),
            acting_user=request.user,
        ),
        field="secret",
    )
    if outcome.done:
        messages.success(
            request, _("The dossier is returned: download the signed reply and send it back.")
        )
        return redirect("dossier:received_detail", pk=pk)
    return _detail_page(request, dossier, form=form, status=outcome.status)


received_file = login_required(downloads.received_file)
reply_package = login_required(downloads.reply_package)
