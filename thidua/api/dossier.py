"""The signed proposal dossier in the API (`thidua.dossier`): the cluster signs, exports and
reads the supervisor's reply; the supervising department receives, reads and returns.

As on the pages: the cluster head's leader signs the Tờ trình (`dossier.sign_proposal`); the
secretariat exports the package signed with the head's agency certificate, which only the
agency's clerk may use (`dossier.export`, `thidua.access.can_sign_with`), and imports the
reply; the staff of a supervising department import packages (`dossier.receive`) and read
and return what their agency received (`dossier.view_received`, `dossier.return`). A package
is checked whole before anything is stored, and refused whole naming each problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear
from thidua.dossier import actions, downloads, export_job, reads
from thidua.dossier.downloads import ZIP
from thidua.dossier.forms import PackageForm, ReturnForm, SignForm
from thidua.dossier.models import ReceivedDossier, ReceivedFile, SentDossier
from thidua.lib import uploads

from . import paging
from .bulk import JobOut
from .bulk import _job as job_answer
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, MaybeFile, Slug
from .signing import SignedDocumentOut, document_body, hide_secrets

router = Router(tags=["dossier"])

YEAR = "/clusters/{slug}/years/{year}/dossier"


def _binary(description: str, content_type: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


class DossierSignIn(Schema):
    identity: int = Field(ge=1, le=MAX_ID, description="The signing identity's id.")
    secret: str = Field(
        default="", max_length=64, pattern=NO_NUL, description="A token's PIN; never kept."
    )


class SentOut(Schema):
    id: int
    dossier_id: str
    sender: str
    receiver: str
    created_at: dt.datetime
    created_by: str
    nominations: int
    package_sha256: str
    status: str = Field(description="sent, or returned once the supervisor's reply is read.")
    reply_reason: str
    reply_signer: str
    reply_imported_at: dt.datetime | None
    package: str = Field(description="Where to download the signed package (.zip).")


class YearDossierOut(Schema):
    phase: str
    sender_id: int
    sender: str
    compiled: int = Field(description="Nominations compiled into the cluster's proposal.")
    leader_signed: SignedDocumentOut | None = Field(
        description="The Tờ trình as the leader last signed it, if signed."
    )
    sent: list[SentOut] = Field(description="The packages exported, latest first.")


class DossierReturnIn(DossierSignIn):
    reason: str = Field(max_length=10_000, pattern=NO_NUL)
    reasons: dict[str, Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]] = Field(
        default_factory=dict,
        max_length=1000,
        description="A nomination's own reason, by its id (a received nomination's); the "
        "dossier's reason for the others.",
    )


class ReceivedOut(Schema):
    id: int
    dossier_id: str
    sender: str
    leader: str
    cluster: str
    cluster_slug: str
    year: int
    sent_at: str
    received_at: dt.datetime
    received_by: str
    nominations: int
    signatures: int = Field(description="The signatures verified, intact and trusted.")
    status: str = Field(description="review, or returned.")
    return_reason: str
    returned_at: dt.datetime | None


class ReceivedPage(Schema):
    dossiers: list[ReceivedOut]
    next: str | None = Field(description="The cursor of the next page (same filters).")
    more: bool


class ReceivedFileOut(Schema):
    id: int
    path: str
    role: str
    title: str
    size: int
    sha256: str
    file: str = Field(description="Where to download it.")


class ReceivedNominationOut(Schema):
    id: int
    ref: str
    nominee: str
    collective: bool
    unit: str
    award_code: str
    award: str
    summary: str
    status: str
    return_reason: str
    nomination_id: int | None = Field(
        description="The cluster's own nomination, when the package came from this installation."
    )
    files: list[ReceivedFileOut]


class CheckedSignatureOut(Schema):
    path: str
    signer: str
    organization: str
    time: str
    intact: bool
    trusted: bool


class ReceivedDetailOut(ReceivedOut):
    nominations_received: list[ReceivedNominationOut]
    files: list[ReceivedFileOut] = Field(description="The files common to the dossier.")
    signatures_checked: list[CheckedSignatureOut]
    reply: str | None = Field(description="Where to download the signed reply, once returned.")


class ReceivedFilters(Schema):
    after: str | None = Field(
        default=None,
        max_length=500,
        pattern=NO_NUL,
        description="The cursor a previous page gave as `next`, with the same filters.",
    )
    status: ReceivedDossier.Status | None = None
    limit: int = Field(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT)


# --- the cluster ---------------------------------------------------------------------------


def _sent_body(sent: SentDossier, emulation_year: EmulationYear) -> dict[str, Any]:
    count = getattr(sent, "count", None)
    return {
        "id": sent.pk,
        "dossier_id": sent.dossier_id,
        "sender": sent.sender.name,
        "receiver": sent.receiver_name,
        "created_at": sent.created_at,
        "created_by": sent.created_by.username,
        "nominations": count if count is not None else sent.nominations.count(),
        "package_sha256": sent.package_sha256,
        "status": sent.status,
        "reply_reason": sent.reply_reason,
        "reply_signer": sent.reply_signer,
        "reply_imported_at": sent.reply_imported_at,
        "package": f"/api/v1/clusters/{emulation_year.cluster.slug}/years/"
        f"{emulation_year.year}/dossier/sent/{sent.pk}/package",
    }


@router.get(YEAR, response={200: YearDossierOut, 304: None, **ERRORS})
def year_dossier(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The year's dossier: the sending agency (the cluster head), the nominations compiled,
    the Tờ trình the leader signed, and every package sent with its reply's outcome."""
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.view")
    sender = actions.sender_of(emulation_year)
    signed = actions.leader_signed_proposal(emulation_year)
    body = {
        "phase": emulation_year.phase,
        "sender_id": sender.pk,
        "sender": sender.name,
        "compiled": Nomination.objects.filter(
            year=emulation_year, status=Nomination.Status.COMPILED
        ).count(),
        "leader_signed": document_body(signed) if signed is not None else None,
        "sent": [_sent_body(s, emulation_year) for s in reads.sent_in(emulation_year)],
    }
    return paging.conditional(request, response, body)


@router.post(YEAR + "/sign", response={201: SignedDocumentOut, 409: Error, **ERRORS})
def sign_proposal(request: SignedInRequest, slug: Slug, year: int, body: DossierSignIn) -> Any:
    """The cluster head's leader signs the Tờ trình with their own certificate (`secret`: a
    token's PIN), in the proposals phase; signing again after the data changed makes the
    next version, which the export uses."""
    hide_secrets(request)
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.sign_proposal")
    form = bound(SignForm, body.dict(), identities=reads.person_identities(request.user))
    data = cleaned(form)
    signed = actions.do_sign_proposal(
        year=emulation_year,
        identity=data["identity"],
        secret=form.secret_value(),
        acting_user=request.user,
    )
    return Status(201, document_body(signed))


@router.post(YEAR + "/export", response={202: JobOut, 409: Error, **ERRORS})
def export(request: SignedInRequest, slug: Slug, year: int, body: DossierSignIn) -> Any:
    """The secretariat starts the signed package, made in the background: every document as
    PDF signed with the cluster head's agency certificate (which only its clerk, the head's
    emulation officer, may use), the leader's Tờ trình countersigned, and a signed catalogue
    of every file's hash. Follow `GET /jobs/{id}`; when done, its file is the package, also
    listed in the year's dossier under `sent`. While one export of the year waits or runs, a
    second is refused (409)."""
    hide_secrets(request)
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.export")
    sender = actions.sender_of(emulation_year)
    form = bound(SignForm, body.dict(), identities=reads.agency_identities(sender.pk))
    data = cleaned(form)
    job = export_job.do_start_export(
        year=emulation_year,
        identity=data["identity"],
        secret=form.secret_value(),
        acting_user=request.user,
    )
    return Status(202, job_answer(job))


@router.get(
    YEAR + "/sent/{sent_id}/package",
    response={200: None, **ERRORS},
    openapi_extra=_binary("The signed package.", ZIP),
)
def sent_package(request: SignedInRequest, slug: Slug, year: int, sent_id: Id) -> Any:
    """A package the cluster sent, as it was signed (.zip)."""
    return downloads.sent_package(request, slug, year, sent_id)


@router.post(YEAR + "/reply", response={200: SentOut, 409: Error, **ERRORS})
def read_reply(request: SignedInRequest, slug: Slug, year: int, package: MaybeFile = None) -> Any:
    """The secretariat uploads the supervisor's signed reply (multipart `package`): checked
    against the dossier sent, its nominations show as returned, each with its reason."""
    emulation_year = access.get_year_for(request.user, slug, year, "dossier.export")
    data = cleaned(bound(PackageForm, {}, files={"package": package}))
    with uploads.storing():
        sent = actions.do_import_reply(
            year=emulation_year, content=data["package"].read(), acting_user=request.user
        )
    found = reads.sent_in(emulation_year).get(pk=sent.pk)
    return _sent_body(found, emulation_year)


# --- the supervising department ------------------------------------------------------------


def _received_body(dossier: ReceivedDossier) -> dict[str, Any]:
    count = getattr(dossier, "count", None)
    return {
        "id": dossier.pk,
        "dossier_id": dossier.dossier_id,
        "sender": dossier.sender_name,
        "leader": dossier.leader_name,
        "cluster": dossier.cluster_name,
        "cluster_slug": dossier.cluster_slug,
        "year": dossier.year,
        "sent_at": dossier.sent_at,
        "received_at": dossier.received_at,
        "received_by": dossier.received_by.username,
        "nominations": count if count is not None else dossier.nominations.count(),
        "signatures": dossier.signature_count,
        "status": dossier.status,
        "return_reason": dossier.return_reason,
        "returned_at": dossier.returned_at,
    }


def _file_body(dossier: ReceivedDossier, kept: ReceivedFile) -> dict[str, Any]:
    return {
        "id": kept.pk,
        "path": kept.path,
        "role": kept.role,
        "title": kept.title,
        "size": kept.size,
        "sha256": kept.sha256,
        "file": f"/api/v1/dossiers/received/{dossier.pk}/files/{kept.pk}",
    }


def _detail(dossier: ReceivedDossier) -> dict[str, Any]:
    files = list(dossier.files.order_by("pk"))
    by_nomination: dict[int | None, list[dict[str, Any]]] = {}
    for kept in files:
        by_nomination.setdefault(kept.nomination_id, []).append(_file_body(dossier, kept))
    return {
        **_received_body(dossier),
        "nominations_received": [
            {
                "id": n.pk,
                "ref": n.ref,
                "nominee": n.nominee_name,
                "collective": n.collective,
                "unit": n.unit_name,
                "award_code": n.award_code,
                "award": n.award_name,
                "summary": n.summary,
                "status": n.status,
                "return_reason": n.return_reason,
                "nomination_id": n.nomination_id,
                "files": by_nomination.get(n.pk, []),
            }
            for n in dossier.nominations.order_by("pk")
        ],
        "files": by_nomination.get(None, []),
        "signatures_checked": [
            {
                "path": row.get("path", ""),
                "signer": row.get("signer", ""),
                "organization": row.get("organization", ""),
                "time": row.get("time", "") or "",
                "intact": bool(row.get("intact")),
                "trusted": bool(row.get("trusted")),
            }
            for row in reads.verification_rows(dossier)
        ],
        "reply": f"/api/v1/dossiers/received/{dossier.pk}/reply" if dossier.reply else None,
    }


def _may_list_received(user: Any) -> None:
    """As the received page: the staff of a supervising department, and the administrator."""
    if not user.has_perm("dossier.receive") and not getattr(user, "is_superuser", False):
        access.require(user, "dossier.receive")


@router.get("/dossiers/received", response={200: ReceivedPage, 304: None, **ERRORS})
def received(
    request: SignedInRequest, response: HttpResponse, filters: Query[ReceivedFilters]
) -> Any:
    """The dossiers your agency (or one it continues) received, oldest first, a page after the
    cursor `after`; the administrator reads every one."""
    _may_list_received(request.user)
    found = reads.received_for(request.user)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    rows, next_cursor, more = paging.page(
        found,
        after=filters.after,
        filters={"status": filters.status},
        limit=filters.limit,
    )
    body = {"dossiers": [_received_body(d) for d in rows], "next": next_cursor, "more": more}
    return paging.conditional(
        request,
        response,
        body,
        last_modified=paging.latest([d.returned_at or d.received_at for d in rows]),
    )


@router.post("/dossiers/received", response={201: ReceivedDetailOut, 409: Error, **ERRORS})
def receive(request: SignedInRequest, package: MaybeFile = None) -> Any:
    """A supervising department imports a package (multipart `package`): every file against
    the signed manifest and every signature checked first; then the nominations for review
    with their documents. A package with anything wrong is refused whole (400, or 409 when
    received before), each problem named in `details`, and nothing is stored."""
    access.require(request.user, "dossier.receive")
    data = cleaned(bound(PackageForm, {}, files={"package": package}))
    with uploads.storing():
        dossier = actions.do_import_dossier(
            content=data["package"].read(), acting_user=request.user
        )
    return Status(201, _detail(reads.received_dossier(request.user, dossier.pk)))


@router.get("/dossiers/received/{dossier_id}", response={200: ReceivedDetailOut, **ERRORS})
def received_dossier(request: SignedInRequest, dossier_id: Id) -> Any:
    """A dossier received: who sent it, each signature verified, the nominations for review
    and every file, with where to download each."""
    return _detail(reads.received_dossier(request.user, dossier_id))


@router.post(
    "/dossiers/received/{dossier_id}/return",
    response={200: ReceivedDetailOut, 409: Error, **ERRORS},
)
def return_dossier(request: SignedInRequest, dossier_id: Id, body: DossierReturnIn) -> Any:
    """The receiving agency returns the dossier with its `reason` (and a nomination's own in
    `reasons`), as a reply signed with the agency's certificate; download it from `reply`
    and send it back to the cluster."""
    hide_secrets(request)
    dossier = reads.received_dossier(request.user, dossier_id, "dossier.return")
    nominations = list(dossier.nominations.order_by("pk"))
    values: dict[str, Any] = {
        "identity": body.identity,
        "secret": body.secret,
        "reason": body.reason,
    }
    known = {str(n.pk) for n in nominations}
    values |= {f"reason_{key}": text for key, text in body.reasons.items() if key in known}
    form = bound(
        ReturnForm,
        values,
        identities=reads.agency_identities(dossier.receiver_id),
        nominations=nominations,
    )
    data = cleaned(form)
    with uploads.storing():
        actions.do_return_dossier(
            dossier,
            reason=data["reason"],
            reasons=form.own_reasons(),
            identity=data["identity"],
            secret=form.secret_value(),
            acting_user=request.user,
        )
    return _detail(reads.received_dossier(request.user, dossier_id))


@router.get(
    "/dossiers/received/{dossier_id}/files/{file_id}",
    response={200: None, **ERRORS},
    openapi_extra=_binary("The file, as the package held it.", "application/octet-stream"),
)
def received_file(request: SignedInRequest, dossier_id: Id, file_id: Id) -> Any:
    """One file of a received dossier, as the package held it."""
    return downloads.received_file(request, dossier_id, file_id)


@router.get(
    "/dossiers/received/{dossier_id}/reply",
    response={200: None, **ERRORS},
    openapi_extra=_binary("The signed reply package.", ZIP),
)
def reply_package(request: SignedInRequest, dossier_id: Id) -> Any:
    """The signed reply of a returned dossier (.zip), to send back to the cluster."""
    return downloads.reply_package(request, dossier_id)
