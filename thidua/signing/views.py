"""The pages of signing: verify a PDF, sign a year's documents, download a signed version, and
the administrator's signing identities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.pages import year_context
from thidua.errors import ActionRefused, Refusal, refusal_told, run_form_action
from thidua.lib import pdf

from . import actions, documents, problems, reads
from .forms import IdentityForm, SignForm, VerifyForm
from .models import SignedDocument, SigningIdentity


@login_required
def verify(request: SignedInRequest) -> HttpResponse:
    """Anyone logged in uploads a PDF and reads who signed it, when, and whether to trust it."""
    access.require(request.user, "signing.verify")
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_record_verification(
                acting_user=request.user,
                data=form.cleaned_data["file"].read(),
                name=form.cleaned_data["file"].name or "",
            ),
            field="file",
        )
        report = outcome.result
        status = outcome.status
    return render(
        request,
        "signing/verify.html",
        {
            "form": form,
            "report": report,
            "verdict": problems.verdict(report) if report is not None else "",
            "rows": _rows(report) if report is not None else [],
        },
        status=status,
    )


def _rows(report: reads.PdfReport) -> list[dict[str, Any]]:
    return [
        {
            "signature": signature,
            "changed": problems.changed_after(signature),
            "trusted": problems.yes_no(signature.trusted),
            "intact": problems.yes_no(signature.intact),
        }
        for signature in report.signatures
    ]


@login_required
def year_documents(request: SignedInRequest, slug: str, year: int) -> HttpResponse:
    """The "Ký số" page: build a document of the year as PDF and sign it, or sign further the
    latest signed version; every signed version listed for download."""
    emulation_year = access.get_year_for(request.user, slug, year, "signing.sign_year")
    kinds = documents.kinds()
    identities = reads.identities_for(request.user)
    form = SignForm(
        request.POST or None,
        kinds=[(key, kind.label) for key, kind in kinds.items()],
        identities=identities,
    )
    status = 200
    if request.method == "POST":
        outcome = run_form_action(form, lambda: _sign(request, emulation_year, form.cleaned_data))
        if outcome.done:
            messages.success(request, _("The document is signed and kept as a final version."))
            return redirect("signing:year", slug=slug, year=year)
        status = outcome.status
    signed = {
        key: list(reads.versions_of(key, documents.reference(emulation_year, key))[:6])
        for key in kinds
    }
    rows = [{"kind": kind, "versions": signed[key]} for key, kind in kinds.items()]
    return render(
        request,
        "signing/year.html",
        year_context(emulation_year, form=form, rows=rows, identities=identities),
        status=status,
    )


def _sign(request: SignedInRequest, year: Any, data: dict[str, Any]) -> SignedDocument:
    return actions.do_sign_year_document(
        year,
        kind=data["kind"],
        identity=data["identity"],
        on_latest=data["on_latest"],
        secret=data.get("pin") or None,
        acting_user=request.user,
    )


@login_required
@require_GET
def download(request: SignedInRequest, pk: int) -> HttpResponse:
    """A signed version's file, for those who may see its year (or signed it)."""
    return pdf.response(*reads.document_file(reads.document_for(request.user, pk)))


@login_required
def identities(request: SignedInRequest) -> HttpResponse:
    """The administrator's list of signing identities, and a new one added."""
    access.require(request.user, "signing.manage_identities")
    form = IdentityForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_add_identity(acting_user=request.user, data=form.cleaned_data),
        )
        if outcome.done:
            messages.success(request, _("The signing identity is added."))
            return redirect("signing:identities")
        status = outcome.status
    listed = SigningIdentity.objects.select_related("owner_person", "owner_org").order_by("-pk")
    return render(
        request, "signing/identities.html", {"form": form, "identities": listed}, status=status
    )


@login_required
@require_POST
def identity_change(request: SignedInRequest, pk: int) -> HttpResponse:
    """Withdraw or restore an identity, or let a stopped token be tried again."""
    access.require(request.user, "signing.manage_identities")
    identity = get_object_or_404(SigningIdentity, pk=pk)
    what = request.POST.get("what", "")
    with refusal_told(request):
        if what == "reset":
            actions.do_reset_wrong_pins(acting_user=request.user, identity=identity)
            messages.success(request, _("The token may be tried again."))
        elif what in ("withdraw", "restore"):
            actions.do_set_identity_active(
                acting_user=request.user, identity=identity, active=what == "restore"
            )
            messages.success(request, _("The signing identity is changed."))
        else:
            raise ActionRefused(_("Nothing to change."), kind=Refusal.INVALID)
    return redirect("signing:identities")
