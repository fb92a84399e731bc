"""Signing read for the pages: identities a user may sign with, a document's versions, and
the verification of a PDF (`verify_pdf`, from `verification`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from thidua import access

from .models import SignedDocument, SigningIdentity
from .verification import PdfReport, SignatureReport, verify_pdf

__all__ = [
    "PdfReport",
    "SignatureReport",
    "document_for",
    "identities_for",
    "latest_signed",
    "verify_pdf",
    "versions_of",
]


def identities_for(user: Any) -> list[SigningIdentity]:
    """The active identities the user may sign with (the access layer decides each)."""
    if not getattr(user, "is_authenticated", False):
        return []
    candidates = (
        SigningIdentity.objects.filter(active=True)
        .filter(Q(owner_person_id=user.pk) | Q(owner_org_id=user.organization_id))
        .select_related("owner_org", "owner_person")
    )
    return [identity for identity in candidates if access.can_sign_with(user, identity)]


def versions_of(kind: str, reference: str) -> QuerySet[SignedDocument]:
    return (
        SignedDocument.objects.filter(kind=kind, reference=reference)
        .select_related("identity", "signed_by")
        .order_by("-version", "-pk")
    )


def latest_signed(kind: str, reference: str) -> SignedDocument | None:
    """The most signed file of the latest version: the one every further signature goes on."""
    return versions_of(kind, reference).first()


def document_for(user: Any, pk: int) -> SignedDocument:
    """A signed version, for those who may see its year; of no year, for who signed it and the
    administrator. 404 for anyone else."""
    document = SignedDocument.objects.select_related("year__cluster").filter(pk=pk).first()
    if document is None:
        raise Http404
    if document.year is not None:
        access.get_year_for(user, document.year.cluster.slug, document.year.year, "cycle.view_year")
    elif not (document.signed_by_id == user.pk or user.has_perm("signing.manage_identities")):
        raise Http404
    return document


def document_file(document: SignedDocument) -> tuple[bytes, str]:
    """The signed PDF's bytes and the name it is downloaded under."""
    with document.file.open("rb") as stored:
        data = stored.read()
    return data, f"{document.kind}-v{document.version}-{document.pk}.pdf"
