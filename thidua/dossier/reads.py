"""The dossiers read for the pages, and a signed file's signatures read for the rules."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from thidua import access
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused
from thidua.signing.models import SigningIdentity
from thidua.signing.verification import verify_pdf

from .models import ReceivedDossier, SentDossier
from .rules import SignatureFacts


def signature_facts(data: bytes) -> list[SignatureFacts] | None:
    """Each signature of a PDF as the signing area verifies it; None: not a readable PDF.

    A signature counts as intact only when nothing but further signatures followed it.
    """
    try:
        report = verify_pdf(data)
    except ActionRefused:
        return None
    return [
        SignatureFacts(
            signer=s.signer,
            organization=s.organisation,
            intact=s.intact and s.unchanged_after,
            trusted=s.trusted,
            covers_whole_file=s.covers_whole_file,
            fingerprint=s.fingerprint,
            time=s.time_text,
            problems=tuple(s.problems),
        )
        for s in report.signatures
    ]


def person_identities(user: Any) -> QuerySet[SigningIdentity]:
    """The user's own identities, offered to sign the Tờ trình."""
    return SigningIdentity.objects.filter(owner_person=user, active=True).order_by("pk")


def agency_identities(org_id: int | None) -> QuerySet[SigningIdentity]:
    """The agency's seals, offered to sign its package or its reply (its clerk may use them)."""
    return SigningIdentity.objects.filter(owner_org_id=org_id, active=True).order_by("pk")


def received_dossier(user: Any, pk: int, perm: str = "dossier.view_received") -> ReceivedDossier:
    """A received dossier the user's agency may read (404 otherwise), if `perm` allows."""
    dossier = (
        ReceivedDossier.objects.select_related("receiver", "received_by").filter(pk=pk).first()
    )
    if dossier is None or not user.has_perm("dossier.view_received", dossier):
        raise Http404
    access.require(user, perm, dossier)
    return dossier


def received_for(user: Any) -> QuerySet[ReceivedDossier]:
    """The dossiers the user's agency (or one it continues) received; all for the admin."""
    found = ReceivedDossier.objects.annotate(count=Count("nominations")).select_related(
        "received_by", "receiver"
    )
    if getattr(user, "is_superuser", False):
        return found
    return found.filter(receiver_id__in=access.lineage(user))


def refusals_for(user: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The latest packages refused to the user's agency: when, who tried, and why."""
    from thidua.audit.models import AuditEntry

    found = AuditEntry.objects.filter(action="dossier.refuse", object_type="orgs.organization")
    if not getattr(user, "is_superuser", False):
        found = found.filter(object_id__in=[str(pk) for pk in access.lineage(user)])
    return [
        {
            "at": entry.at,
            "by": entry.actor_name,
            "reasons": list((entry.after or {}).get("reasons", [])),
        }
        for entry in found.order_by("-at", "-pk")[:limit]
    ]


def sent_in(year: EmulationYear) -> QuerySet[SentDossier]:
    return (
        SentDossier.objects.filter(year=year)
        .select_related("created_by", "sender")
        .annotate(count=Count("nominations"))
        .order_by("-created_at", "-pk")
    )


def verification_rows(dossier: ReceivedDossier) -> list[dict[str, Any]]:
    """Each signed file with each signature's signer, time, and whether it held."""
    rows = []
    for item in dossier.verification:
        for signature in item.get("signatures", []):
            rows.append({"path": item.get("path", ""), **signature})
    return rows
