"""The writers of signing: identities added, reset or retired, documents signed, files verified.

Every one is keyword-only and audited. What a refusal must leave behind (a wrong PIN counted,
a refused signature in the audit trail) is written in its own transaction before the refusal
is raised, so the refusal's rollback does not take it away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.orgs.models import Organization, User

from . import documents, keystore, pdfsign, reads, rules
from .models import SignedDocument, SigningIdentity
from .placement import place as place_signature
from .verification import PdfReport, verify_pdf


def _describe(cert: x509.Certificate) -> dict[str, Any]:
    def first(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return {
        "subject_name": first(x509.oid.NameOID.COMMON_NAME)[:255]
        or cert.subject.rfc4514_string()[:255],
        "subject_org": first(x509.oid.NameOID.ORGANIZATION_NAME)[:255],
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "fingerprint": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    }


def _owner(owner_person: User | None, owner_org: Organization | None) -> None:
    if (owner_person is None) == (owner_org is None):
        raise ActionRefused(
            _("A signing identity belongs either to a person or to an agency."),
            kind=Refusal.INVALID,
        )


def _check_image(image: bytes) -> None:
    if image and not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ActionRefused(
            _("The signature or seal image must be a PNG file."), kind=Refusal.FILE_TYPE
        )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _audit_after(identity: SigningIdentity) -> dict[str, Any]:
    return {
        "owner_person": identity.owner_person_id,
        "owner_org": identity.owner_org_id,
        "backend": identity.backend,
        "subject": identity.subject_name,
        "fingerprint": identity.fingerprint,
        "not_after": identity.not_after,
    }


@transaction.atomic
def do_add_pkcs12_identity(
    *,
    acting_user: User,
    owner_person: User | None = None,
    owner_org: Organization | None = None,
    data: bytes,
    password: str,
    image: bytes = b"",
) -> SigningIdentity:
    """Store a PKCS#12 file's certificate, and its key encrypted under the key-encryption key.

    The password opens the file once, here; it is not kept.
    """
    access.require(acting_user, "signing.manage_identities")
    _owner(owner_person, owner_org)
    _check_image(image)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        raise ActionRefused(
            _(
                "The certificate file cannot be opened: the password is wrong or the file "
                "is not PKCS#12."
            ),
            kind=Refusal.INVALID,
        ) from None
    if key is None or cert is None:
        raise ActionRefused(
            _("The certificate file holds no private key with its certificate."),
            kind=Refusal.INVALID,
        )
    facts = _describe(cert)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sealed, kek = keystore.seal(der, fingerprint=facts["fingerprint"])
    identity = SigningIdentity.objects.create(
        owner_person=owner_person,
        owner_org=owner_org,
        backend=SigningIdentity.Backend.PKCS12,
        certificate_pem=_pem(cert),
        chain_pem="".join(_pem(c) for c in extra or []),
        encrypted_key=sealed,
        kek_id=kek,
        image=image,
        **facts,
    )
    record("signing.identity_added", identity, actor=acting_user, after=_audit_after(identity))
    return identity


@transaction.atomic
def do_add_pkcs11_identity(
    *,
    acting_user: User,
    owner_person: User | None = None,
    owner_org: Organization | None = None,
    certificate_pem: bytes,
    token_label: str,
    key_label: str,
    chain_pem: bytes = b"",
    image: bytes = b"",
) -> SigningIdentity:
    """Record a token's key: its certificate, the token's label and the key's label on it."""
    access.require(acting_user, "signing.manage_identities")
    _owner(owner_person, owner_org)
    _check_image(image)
    if not token_label.strip() or not key_label.strip():
        raise ActionRefused(
            _("Give the token's label and the key's label on the token."), kind=Refusal.MISSING
        )
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem)
        chain = x509.load_pem_x509_certificates(chain_pem) if chain_pem.strip() else []
    except ValueError:
        raise ActionRefused(
            _("The certificate is not a PEM certificate."), kind=Refusal.INVALID
        ) from None
    identity = SigningIdentity.objects.create(
        owner_person=owner_person,
        owner_org=owner_org,
        backend=SigningIdentity.Backend.PKCS11,
        certificate_pem=_pem(cert),
        chain_pem="".join(_pem(c) for c in chain),
        token_label=token_label.strip()[:64],
        key_label=key_label.strip()[:64],
        image=image,
        **_describe(cert),
    )
    record("signing.identity_added", identity, actor=acting_user, after=_audit_after(identity))
    return identity


def do_add_identity(*, acting_user: User, data: Mapping[str, Any]) -> SigningIdentity:
    """An identity as the administrator's form gives it (`IdentityForm`'s cleaned data, on the
    page and in the API): a PKCS#12 file with its password, or a token's key by its
    certificate and labels; with the signature or seal image, if any."""
    image = data["image"].read() if data.get("image") else b""
    owners: dict[str, Any] = {
        "owner_person": data.get("owner_person"),
        "owner_org": data.get("owner_org"),
    }
    if data["backend"] == SigningIdentity.Backend.PKCS12:
        if not data.get("pkcs12"):
            raise ActionRefused(_("Choose the certificate file."), kind=Refusal.MISSING)
        return do_add_pkcs12_identity(
            acting_user=acting_user,
            data=data["pkcs12"].read(),
            password=data.get("password") or "",
            image=image,
            **owners,
        )
    if not data.get("certificate"):
        raise ActionRefused(_("Choose the certificate of the token's key."), kind=Refusal.MISSING)
    return do_add_pkcs11_identity(
        acting_user=acting_user,
        certificate_pem=data["certificate"].read(),
        token_label=data.get("token_label") or "",
        key_label=data.get("key_label") or "",
        image=image,
        **owners,
    )


@transaction.atomic
def do_set_identity_active(
    *, acting_user: User, identity: SigningIdentity, active: bool
) -> SigningIdentity:
    access.require(acting_user, "signing.manage_identities")
    identity = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
    if identity.active == active:
        raise ActionRefused(_("Nothing to change."), kind=Refusal.SAME)
    identity.active = active
    identity.save(update_fields=["active"])
    record(
        "signing.identity_active",
        identity,
        actor=acting_user,
        before={"active": not active},
        after={"active": active},
    )
    return identity


@transaction.atomic
def do_reset_wrong_pins(*, acting_user: User, identity: SigningIdentity) -> SigningIdentity:
    """The administrator lets a token be tried again after the wrong PINs that stopped it."""
    access.require(acting_user, "signing.manage_identities")
    identity = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
    if identity.wrong_pins == 0:
        raise ActionRefused(_("The token has no wrong PIN to forget."), kind=Refusal.NOTHING)
    before = {"wrong_pins": identity.wrong_pins}
    identity.wrong_pins = 0
    identity.save(update_fields=["wrong_pins"])
    record(
        "signing.pins_reset", identity, actor=acting_user, before=before, after={"wrong_pins": 0}
    )
    return identity


def _refuse(
    identity: SigningIdentity,
    *,
    acting_user: User,
    message: str,
    kind: Refusal,
    wrong_pin: bool = False,
    details: dict[str, Any] | None = None,
) -> ActionRefused:
    """Write down the refusal (and the wrong PIN) for good, and return it to raise."""
    with transaction.atomic():
        if wrong_pin:
            locked = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
            locked.wrong_pins += 1
            locked.save(update_fields=["wrong_pins"])
            identity.wrong_pins = locked.wrong_pins
        record(
            "signing.refused",
            identity,
            actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            after={"reason": str(kind), "wrong_pins": identity.wrong_pins, **(details or {})},
        )
    return ActionRefused(message, kind=kind)


def _check_usable(
    identity: SigningIdentity, *, acting_user: User, role: str, kind: str, reference: str
) -> None:
    details = {"kind": kind, "reference": reference, "role": role}
    if not access.can_sign_with(acting_user, identity):
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_(
                "This signing identity belongs to someone else: only its owner, or the agency's "
                "clerk for an agency's seal, may sign with it."
            ),
            kind=Refusal.NOT_YOURS,
            details=details,
        )
    expected = rules.AGENCY if identity.is_agency else rules.PERSON
    if role != expected:
        raise ActionRefused(
            _("An agency's identity signs as the agency, a person's as the person."),
            kind=Refusal.INVALID,
        )
    if not identity.active:
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_("This signing identity has been withdrawn by the administrator."),
            kind=Refusal.REFUSED,
            details=details,
        )
    now = clock.now()
    if not (identity.not_before <= now <= identity.not_after):
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_("The certificate is not valid today: it is valid from %(start)s to %(end)s.")
            % {
                "start": rules.signing_time(identity.not_before),
                "end": rules.signing_time(identity.not_after),
            },
            kind=Refusal.REFUSED,
            details=details,
        )
    if identity.backend == SigningIdentity.Backend.PKCS11 and rules.pin_refused(
        identity.wrong_pins
    ):
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_(
                "The token is stopped after %(count)s wrong PINs in a row, before the token "
                "locks itself; ask the administrator to allow it again."
            )
            % {"count": identity.wrong_pins},
            kind=Refusal.LOCKED,
            details=details,
        )


def _lines(identity: SigningIdentity, role: str, moment: dt.datetime) -> list[str]:
    when = rules.signing_time(moment)
    if role == rules.PERSON:
        return [identity.subject_name, when]
    organisation = identity.owner_org.name if identity.owner_org else identity.subject_org
    return [*textwrap.wrap(organisation, 24), when]


def do_sign_pdf(
    *,
    acting_user: User,
    identity: SigningIdentity,
    pdf: bytes,
    secret: str | None,
    role: str,
    kind: str,
    reference: str,
    title: str = "",
    attachment: bool = False,
    year: Any = None,
) -> SignedDocument:
    """Sign the PDF as the identity's person or agency and keep it as a signed document.

    A PDF that is the signed file of a version of this document gets the further signature
    on that version; any other PDF starts the document's next version. `secret` is the token's
    PIN (a PKCS#12 identity needs none). A wrong PIN is counted; after `rules.MAX_WRONG_PINS`
    in a row the token is not tried again until the administrator resets the count.
    """
    identity = SigningIdentity.objects.select_related("owner_org", "owner_person").get(
        pk=identity.pk
    )
    if role not in rules.ROLES:
        raise ActionRefused(_("Sign as the person or as the agency."), kind=Refusal.INVALID)
    _check_usable(identity, acting_user=acting_user, role=role, kind=kind, reference=reference)
    pdfsign.open_pdf(pdf)  # not a PDF: refused before the key is touched
    digest = hashlib.sha256(pdf).hexdigest()
    previous = (
        SignedDocument.objects.filter(kind=kind, reference=reference, sha256=digest)
        .order_by("-pk")
        .first()
    )
    existing = pdfsign.field_names(pdf)
    number = len(existing) + 1
    field_name = f"{'CoQuan' if role == rules.AGENCY else 'NguoiKy'}{number}"
    while field_name in existing:
        number += 1
        field_name = f"{'CoQuan' if role == rules.AGENCY else 'NguoiKy'}{number}"
    moment = clock.now()
    place = rules.ATTACHMENT if attachment and role == rules.AGENCY else role
    placement = place_signature(pdf, place, names=_signer_names(identity))
    try:
        with pdfsign.signer_for(identity, secret) as signer:
            signed = pdfsign.sign(
                pdf,
                signer,
                role=place,
                field_name=field_name,
                box=placement.box,
                lines=_lines(identity, role, moment),
                image=None if place == rules.ATTACHMENT else bytes(identity.image) or None,
                reason=title or reference,
            )
    except pdfsign.WrongPin:
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_(
                "Wrong PIN for the token (%(count)s of %(most)s tries in a row); check it "
                "before trying again."
            )
            % {"count": identity.wrong_pins + 1, "most": rules.MAX_WRONG_PINS},
            kind=Refusal.INVALID,
            wrong_pin=True,
            details={"kind": kind, "reference": reference},
        ) from None
    except pdfsign.PinLocked:
        raise _refuse(
            identity,
            acting_user=acting_user,
            message=_("The token has locked its PIN; it must be unlocked with its SO PIN."),
            kind=Refusal.LOCKED,
        ) from None
    return _keep(
        identity,
        acting_user=acting_user,
        signed=signed,
        previous=previous,
        role=role,
        kind=kind,
        reference=reference,
        title=title,
        moment=moment,
        year=year,
        placed=placement.found,
    )


def _signer_names(identity: SigningIdentity) -> list[str]:
    """The names the signer's block may print: the certificate's and the owner's."""
    names = [identity.subject_name]
    if identity.owner_person is not None:
        names.append(identity.owner_person.full_name)
    return names


def do_sign_year_document(
    year: Any,
    *,
    kind: str,
    identity: SigningIdentity,
    on_latest: bool,
    secret: str | None,
    acting_user: User,
) -> SignedDocument:
    """Sign one of the year's documents (the "Ký số" page and its API): the leader signs the
    document built anew from the year's data, which starts its next version; the agency's
    clerk adds the seal to the latest signed version (`on_latest`)."""
    reference = documents.reference(year, kind)
    if on_latest:
        latest = reads.latest_signed(kind, reference)
        if latest is None:
            raise ActionRefused(
                _("This document has no signed version yet to add a signature to."),
                kind=Refusal.NOTHING,
            )
        with latest.file.open("rb") as stored:
            source = stored.read()
    else:
        source = documents.build_pdf(year, kind)
    return do_sign_pdf(
        acting_user=acting_user,
        identity=identity,
        pdf=source,
        secret=secret,
        role="agency" if identity.is_agency else "person",
        kind=kind,
        reference=reference,
        title=documents.kinds()[kind].label,
        year=year,
    )


@transaction.atomic
def _keep(
    identity: SigningIdentity,
    *,
    acting_user: User,
    signed: bytes,
    previous: SignedDocument | None,
    role: str,
    kind: str,
    reference: str,
    title: str,
    moment: dt.datetime,
    year: Any = None,
    placed: str = "",
) -> SignedDocument:
    # The versions of one document are numbered under a lock on the identity's row... and on
    # the document's earlier versions: two signings at once never take the same number.
    list(
        SignedDocument.objects.select_for_update()
        .filter(kind=kind, reference=reference)
        .values_list("pk", flat=True)
    )
    if previous is not None and hasattr(previous, "next"):
        previous = None  # that version was signed further already: this is a new version
    if previous is not None:
        version = previous.version
    else:
        found = SignedDocument.objects.filter(kind=kind, reference=reference).aggregate(
            top=Max("version")
        )["top"]
        version = rules.next_version([found] if found else [])
    if identity.wrong_pins:
        SigningIdentity.objects.filter(pk=identity.pk).update(wrong_pins=0)
    digest = hashlib.sha256(signed).hexdigest()
    document = SignedDocument(
        kind=kind,
        year=year if year is not None else (previous.year if previous else None),
        reference=reference,
        title=title[:255],
        version=version,
        previous=previous,
        role=role,
        identity=identity,
        signed_by=acting_user,
        signed_at=moment,
        sha256=digest,
        size=len(signed),
    )
    document.file.save(f"{kind}-{version}-{digest[:12]}.pdf", ContentFile(signed), save=False)
    document.save()
    record(
        "signing.signed",
        document,
        actor=acting_user,
        year=document.year,
        after={
            "kind": kind,
            "reference": reference,
            "version": version,
            "role": role,
            "identity": identity.pk,
            "sha256": digest,
            "previous": previous.pk if previous else None,
            "placed": placed,
        },
    )
    return document


def do_record_verification(*, acting_user: User, data: bytes, name: str = "") -> PdfReport:
    """Verify an uploaded PDF and write the outcome (or the refusal) to the audit trail."""
    access.require(acting_user, "signing.verify")
    try:
        report = verify_pdf(data)
    except ActionRefused as refused:
        _audit_verification(acting_user, name, hashlib.sha256(data).hexdigest(), None, refused)
        raise
    _audit_verification(acting_user, name, report.sha256, report, None)
    return report


def _audit_verification(
    acting_user: User,
    name: str,
    digest: str,
    report: PdfReport | None,
    refused: ActionRefused | None,
) -> None:
    from .models import Verification

    with transaction.atomic():
        verification = Verification.objects.create(
            checked_by=acting_user,
            checked_at=clock.now(),
            name=name[:255],
            sha256=digest,
            ok=bool(report and report.ok),
            signatures=len(report.signatures) if report else 0,
        )
        record(
            "signing.verified" if report is not None else "signing.verify_refused",
            verification,
            actor=acting_user,
            after={
                "name": name[:255],
                "sha256": digest,
                "ok": verification.ok,
                "signatures": [s.as_json() for s in report.signatures] if report else [],
                "refused": refused.message if refused else "",
            },
        )
