"""Signing read for the pages: identities a user may sign with, a document's versions, and
the verification of a PDF (`verify_pdf`, from `verification`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from thidua import access

from .models import SignedDocument, SigningIdentity
from .verification import PdfReport, SignatureReport, verify_pdf

__all__ = [
    "PdfReport",
    "SignatureReport",
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
