"""Digital signatures in the API: the signing identities, signing a year's documents, their
signed versions, and the verification of any signed PDF (`thidua.signing`).

As on the pages: the administrator adds, withdraws and restores identities and lets a stopped
token be tried again (`signing.manage_identities`); an identity signs only for its person, or
for its agency's clerk (`thidua.access.can_sign_with`), so each user is offered, and may
choose, only those; the year's secretariat and the supervisor sign the year's documents
and list their signed versions (`signing.sign_year`); anyone who may see the year downloads
a signed version; anyone signed in verifies a PDF.

A token's PIN and a PKCS#12 file's password are used once and never kept: no answer, refusal
or audit entry repeats them, and the idempotency record keeps only a keyed hash of the body.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Form, Query, Router, Schema, Status
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from thidua import access
from thidua.access import SignedInRequest
from thidua.lib import pdf
from thidua.signing import actions, documents, reads
from thidua.signing.forms import IdentityForm, SignForm, VerifyForm
from thidua.signing.models import SignedDocument, SigningIdentity

from . import paging
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, MaybeFile, Slug

router = Router(tags=["signing"])

YEAR = "/clusters/{slug}/years/{year}/signed-documents"

# What a download answers: the file itself.
PDF_ANSWER = {
    "responses": {
        200: {
            "description": "The signed PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}

# Fields that hold a secret: never shown in a server error's report (as Django's
# `sensitive_post_parameters` hides them on a page).
SECRETS = ["password", "pin", "secret"]


class IdentityOut(Schema):
    id: int
    owner: Literal["person", "agency"]
    owner_person_id: int | None
    owner_person: str = Field(description="The signing person's name, for a person's identity.")
    owner_org_id: int | None
    owner_org: str = Field(description="The agency's name, for an agency's identity (its seal).")
    backend: str = Field(description="pkcs12 (a certificate file) or pkcs11 (a token).")
    subject_name: str
    subject_org: str
    fingerprint: str = Field(description="The certificate's SHA-256, hex.")
    not_before: dt.datetime
    not_after: dt.datetime
    token_label: str
    key_label: str
    has_image: bool
    wrong_pins: int = Field(description="Wrong PINs in a row (a token stops trying at 2).")
    active: bool


# A row's id in a form's field; a field left out is none (a form cannot send null).
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class IdentityIn(Schema):
    backend: SigningIdentity.Backend
    owner_person: RowId | SkipJsonSchema[None] = Field(
        default=None, description="The signing leader's user id (or give owner_org)."
    )
    owner_org: RowId | SkipJsonSchema[None] = Field(
        default=None, description="The agency's organisation id (its seal)."
    )
    password: str = Field(
        default="",
        max_length=1000,
        pattern=NO_NUL,
        description="The PKCS#12 file's password: used once to open it, never kept.",
    )
    token_label: str = Field(default="", max_length=64, pattern=NO_NUL)
    key_label: str = Field(default="", max_length=64, pattern=NO_NUL)


class IdentityChangeIn(Schema):
    what: Literal["withdraw", "restore", "reset"] = Field(
        description="withdraw or restore the identity; reset: let a stopped token be tried "
        "again (its count of wrong PINs forgotten)."
    )


class SignatureOut(Schema):
    """A signature as `thidua verify_document --json` prints it."""

    field: str
    signer: str
    organisation: str
    time: str | None = Field(description="ISO 8601 with Vietnam's offset, +07:00.")
    intact: bool
    trusted: bool
    covers_whole_file: bool
    unchanged_after_signing: bool
    revoked: bool
    problems: list[str]
    notes: list[str] = Field(
        default_factory=list,
        description="What was told but fails nothing (a revocation list not fetched, say).",
    )


class VerificationOut(Schema):
    ok: bool = Field(description="Every signature intact and trusted, and at least one.")
    sha256: str
    signatures: list[SignatureOut]


class SignedDocumentOut(Schema):
    id: int
    kind: str
    title: str
    reference: str
    version: int
    previous_id: int | None = Field(description="The signed file this one added a signature to.")
    role: str = Field(description="person (the leader's signature) or agency (the seal).")
    identity_id: int
    signer: str = Field(description="The certificate's subject.")
    signed_by: str = Field(description="The account that signed.")
    signed_at: dt.datetime
    sha256: str
    size: int
    file: str = Field(description="Where to download the signed PDF.")


class DocumentKindOut(Schema):
    kind: str
    label: str
    versions: list[SignedDocumentOut] = Field(description="Latest first.")


class YearSignIn(Schema):
    kind: str = Field(max_length=64, pattern=NO_NUL, description="A document kind of the year.")
    identity: int = Field(ge=1, le=MAX_ID, description="One of your signing identities.")
    on_latest: bool = Field(
        default=False,
        description="Add the signature to the latest signed version (the agency's after the "
        "leader's) instead of building the document anew as the next version.",
    )
    pin: str = Field(
        default="", max_length=64, pattern=NO_NUL, description="The token's PIN; never kept."
    )


def identity_body(identity: SigningIdentity) -> dict[str, Any]:
    person = identity.owner_person
    return {
        "id": identity.pk,
        "owner": "agency" if identity.is_agency else "person",
        "owner_person_id": identity.owner_person_id,
        "owner_person": (person.full_name or person.username) if person else "",
        "owner_org_id": identity.owner_org_id,
        "owner_org": identity.owner_org.name if identity.owner_org else "",
        "backend": identity.backend,
        "subject_name": identity.subject_name,
        "subject_org": identity.subject_org,
        "fingerprint": identity.fingerprint,
        "not_before": identity.not_before,
        "not_after": identity.not_after,
        "token_label": identity.token_label,
        "key_label": identity.key_label,
        "has_image": bool(identity.image),
        "wrong_pins": identity.wrong_pins,
        "active": identity.active,
    }


def document_body(document: SignedDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": document.title,
        "reference": document.reference,
        "version": document.version,
        "previous_id": document.previous_id,
        "role": document.role,
        "identity_id": document.identity_id,
        "signer": document.identity.subject_name,
        "signed_by": document.signed_by.username,
        "signed_at": document.signed_at,
        "sha256": document.sha256,
        "size": document.size,
        "file": f"/api/v1/signed-documents/{document.pk}/file",
    }


def hide_secrets(request: SignedInRequest) -> None:
    """Keep the request's secret fields out of any error report, as the decorator
    `sensitive_post_parameters` does for a page."""
    request.sensitive_post_parameters = SECRETS  # type: ignore[attr-defined]


# --- identities ------------------------------------------------------------------------------


@router.get("/signing/identities", response={200: list[IdentityOut], 304: None, **ERRORS})
def identities(request: SignedInRequest, response: HttpResponse) -> Any:
    """The identities you may sign with (a leader's own, the seal of the agency whose clerk you
    are); the administrator reads every identity, as on the identities page. The key itself,
    and any password or PIN, are never part of it."""
    user = request.user
    if user.has_perm("signing.manage_identities"):
        found = list(
            SigningIdentity.objects.select_related("owner_person", "owner_org").order_by("pk")
        )
    else:
        found = sorted(reads.identities_for(user), key=lambda i: i.pk)
    return paging.conditional(request, response, [identity_body(i) for i in found])


@router.post("/signing/identities", response={201: IdentityOut, 409: Error, **ERRORS})
def identity_add(
    request: SignedInRequest,
    body: Form[IdentityIn],
    pkcs12: MaybeFile = None,
    certificate: MaybeFile = None,
    image: MaybeFile = None,
) -> Any:
    """The administrator adds a signing identity for a leader (`owner_person`) or an agency
    (`owner_org`): a PKCS#12 file (`pkcs12`) with its `password`, opened once and the key
    stored encrypted; or a token's key (`backend` pkcs11): the key's `certificate` (PEM), the
    `token_label` and the `key_label`. `image`: the signature or seal image (PNG)."""
    hide_secrets(request)
    access.require(request.user, "signing.manage_identities")
    files = {
        name: upload
        for name, upload in (("pkcs12", pkcs12), ("certificate", certificate), ("image", image))
        if upload is not None
    }
    data = cleaned(bound(IdentityForm, body.dict(), files=files))
    added = actions.do_add_identity(acting_user=request.user, data=data)
    return Status(201, identity_body(added))


@router.post(
    "/signing/identities/{identity_id}/change", response={200: IdentityOut, 409: Error, **ERRORS}
)
def identity_change(request: SignedInRequest, identity_id: Id, body: IdentityChangeIn) -> Any:
    """The administrator withdraws or restores an identity (its signed documents stay), or
    lets a token stopped after wrong PINs be tried again."""
    access.require(request.user, "signing.manage_identities")
    identity = get_object_or_404(SigningIdentity, pk=identity_id)
    if body.what == "reset":
        changed = actions.do_reset_wrong_pins(acting_user=request.user, identity=identity)
    else:
        changed = actions.do_set_identity_active(
            acting_user=request.user, identity=identity, active=body.what == "restore"
        )
    return identity_body(
        SigningIdentity.objects.select_related("owner_person", "owner_org").get(pk=changed.pk)
    )


# --- verifying -------------------------------------------------------------------------------


@router.post("/signing/verify", response={200: VerificationOut, **ERRORS})
def verify(request: SignedInRequest, file: MaybeFile = None) -> Any:
    """Verify a signed PDF (multipart `file`): for each signature, who signed, for which
    agency, when, whether the file was changed after it, and whether the certificate chains
    to a root the administrator trusts and is not revoked — the fields `thidua
    verify_document --json` prints. Anyone signed in; each verification is audited."""
    access.require(request.user, "signing.verify")
    form = bound(VerifyForm, {}, files={"file": file})
    data = cleaned(form)
    upload = data["file"]
    report = actions.do_record_verification(
        acting_user=request.user, data=upload.read(), name=upload.name or ""
    )
    return {
        "ok": report.ok,
        "sha256": report.sha256,
        "signatures": [s.as_json() for s in report.signatures],
    }


# --- the year's documents --------------------------------------------------------------------


class DocumentFilters(Schema):
    kind: str | None = Field(default=None, max_length=64, pattern=NO_NUL)


@router.get(YEAR, response={200: list[DocumentKindOut], 304: None, **ERRORS})
def year_documents(
    request: SignedInRequest,
    response: HttpResponse,
    slug: Slug,
    year: int,
    filters: Query[DocumentFilters],
) -> Any:
    """Each document of the year that can be signed, with every signed version (latest
    first) and where to download it: the "Ký số" page's list, for the year's secretariat and
    the supervisor. (Anyone who may see the year downloads a version it is given.)"""
    emulation_year = access.get_year_for(request.user, slug, year, "signing.sign_year")
    kinds = documents.kinds()
    if filters.kind is not None:
        kinds = {k: v for k, v in kinds.items() if k == filters.kind}
    body = [
        {
            "kind": key,
            "label": kind.label,
            "versions": [
                document_body(d)
                for d in reads.versions_of(key, documents.reference(emulation_year, key))
            ],
        }
        for key, kind in kinds.items()
    ]
    return paging.conditional(request, response, body)


@router.post(YEAR, response={201: SignedDocumentOut, 409: Error, **ERRORS})
def sign_year_document(request: SignedInRequest, slug: Slug, year: int, body: YearSignIn) -> Any:
    """Sign a document of the year (the "Ký số" page): the leader signs the document built
    anew from the year's data (the next version); the agency's clerk adds the seal to the
    latest signed version (`on_latest`). Only an identity you may use is accepted; a token
    needs its `pin` (2 wrong PINs in a row stop it until the administrator allows it again)."""
    hide_secrets(request)
    emulation_year = access.get_year_for(request.user, slug, year, "signing.sign_year")
    kinds = documents.kinds()
    form = bound(
        SignForm,
        body.dict(),
        kinds=[(key, kind.label) for key, kind in kinds.items()],
        identities=reads.identities_for(request.user),
    )
    data = cleaned(form)
    signed = actions.do_sign_year_document(
        emulation_year,
        kind=data["kind"],
        identity=data["identity"],
        on_latest=data["on_latest"],
        secret=data.get("pin") or None,
        acting_user=request.user,
    )
    return Status(201, document_body(signed))


@router.get(
    "/signed-documents/{document_id}/file",
    response={200: None, **ERRORS},
    openapi_extra=PDF_ANSWER,
)
def signed_document_file(request: SignedInRequest, document_id: Id) -> HttpResponse:
    """A signed version's PDF, for those who may see its year (a document of no year: who
    signed it, and the administrator)."""
    return pdf.response(*reads.document_file(reads.document_for(request.user, document_id)))
