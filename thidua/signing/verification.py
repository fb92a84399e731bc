"""Checking a signed PDF: each signature's signer, time, integrity and trust.

Trust means a chain to a root the administrator configured (THIDUA_SIGNING_TRUST_ROOTS),
checked against the configured CRLs (THIDUA_SIGNING_CRLS) and the CRLs fetched from the
addresses the chain's certificates name (`revocation`, with its guards). A signature is
intact when the bytes it covers are those signed; the file is unchanged after it when every
later revision only adds signatures (pyHanko's difference analysis), so one byte changed, an
added page or any content changed is told.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from thidua.errors import ActionRefused, Refusal

from . import revocation, rules
from .pdfsign import outside_event_loop

ACCEPTED_LEVELS = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)


@dataclass
class SignatureReport:
    """One signature as the verification found it; `problems` in the user's words."""

    field_name: str
    signer: str
    organisation: str
    signing_time: dt.datetime | None
    intact: bool
    trusted: bool
    covers_whole_file: bool
    unchanged_after: bool
    revoked: bool = False
    expired: bool = False
    problems: list[str] = field(default_factory=list)
    serial: str = ""
    notes: list[str] = field(default_factory=list)  # told, not failing: a list not fetched
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.unchanged_after and not self.problems

    @property
    def time_text(self) -> str:
        return rules.signing_time(self.signing_time) if self.signing_time else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field_name,
            "signer": self.signer,
            "organisation": self.organisation,
            "time": self.time_text or None,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_file": self.covers_whole_file,
            "unchanged_after_signing": self.unchanged_after,
            "revoked": self.revoked,
            "problems": self.problems,
            "notes": self.notes,
        }


@dataclass
class PdfReport:
    """Every signature of a PDF; `ok` only when there is one and each is intact and trusted."""

    signatures: list[SignatureReport]
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def problems(self) -> list[str]:
        if not self.signatures:
            return [_("The file carries no digital signature.")]
        return [p for s in self.signatures for p in s.problems]


def _read_many(paths: list[str], kind: str) -> list[bytes]:
    found: list[bytes] = []
    for name in paths:
        try:
            data = Path(name).read_bytes()
        except OSError as failure:
            raise ActionRefused(
                _("The configured file %(name)s cannot be read: %(error)s")
                % {"name": name, "error": failure.strerror or failure},
                kind=Refusal.SETTINGS,
            ) from failure
        if pem.detect(data):
            found.extend(der for _type, _headers, der in pem.unarmor(data, multiple=True))
        else:
            found.append(data)
    return found


def trust_roots() -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(der)
        for der in _read_many(list(settings.THIDUA_SIGNING_TRUST_ROOTS), "root")
    ]


def crls() -> list[asn1_crl.CertificateList]:
    return [
        asn1_crl.CertificateList.load(der)
        for der in _read_many(list(settings.THIDUA_SIGNING_CRLS), "crl")
    ]


def validation_context(
    *, roots: list[asn1_x509.Certificate] | None = None, fetched: list[bytes] | None = None
) -> ValidationContext:
    """Trust in the configured roots, revocation in the configured lists and those `fetched`
    from the certificates' addresses (`revocation`); pyHanko itself fetches nothing."""
    return ValidationContext(
        trust_roots=roots if roots is not None else trust_roots(),
        crls=[*crls(), *(asn1_crl.CertificateList.load(der) for der in fetched or [])],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def reader_of(data: bytes) -> PdfFileReader:
    if data.lstrip()[:5] != b"%PDF-":
        raise ActionRefused(_("The file is not a PDF document."), kind=Refusal.FILE_TYPE)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        int(reader.root["/Pages"]["/Count"])
    except (PdfError, KeyError, ValueError, TypeError, IndexError) as failure:
        raise ActionRefused(
            _("The file is not a PDF document that can be read."), kind=Refusal.FILE_TYPE
        ) from failure
    return reader


def verify_pdf(data: bytes) -> PdfReport:
    """Every signature of the PDF checked; refused when the file is not a readable PDF."""
    import hashlib

    reader = reader_of(data)
    try:
        embedded = list(reader.embedded_signatures)
    except (PdfError, KeyError, ValueError, TypeError) as failure:
        raise ActionRefused(
            _("The signatures of the file cannot be read."), kind=Refusal.FILE_TYPE
        ) from failure
    reports = [_check(sig) for sig in embedded]
    return PdfReport(signatures=reports, sha256=hashlib.sha256(data).hexdigest())


def _names(cert: asn1_x509.Certificate) -> tuple[str, str]:
    subject = cert.subject.native
    return str(subject.get("common_name", "")), str(subject.get("organization_name", ""))


def _check(sig: Any) -> SignatureReport:
    name = str(sig.field_name)
    try:
        cert = sig.signer_cert
        signer, organisation = _names(cert)
    except (ValueError, KeyError, AttributeError, SignatureValidationError):
        return SignatureReport(
            field_name=name,
            signer="",
            organisation="",
            signing_time=None,
            intact=False,
            trusted=False,
            covers_whole_file=False,
            unchanged_after=False,
            problems=[_("The signature %(field)s cannot be read.") % {"field": name}],
        )
    notes: list[str] = []
    try:
        roots = trust_roots()
        fetched = revocation.lists_for(cert, list(sig.other_embedded_certs), roots)
        notes = fetched.notes
        context = validation_context(roots=roots, fetched=fetched.crls)
        status = outside_event_loop(lambda: validate_pdf_signature(sig, context))
    except (SignatureValidationError, PdfError, ValueError) as failure:
        return SignatureReport(
            field_name=name,
            signer=signer,
            organisation=organisation,
            signing_time=None,
            intact=False,
            trusted=False,
            covers_whole_file=False,
            unchanged_after=False,
            problems=[
                _("The signature of %(signer)s cannot be checked: %(error)s")
                % {"signer": signer, "error": failure}
            ],
        )
    moment = status.signer_reported_dt
    level = status.modification_level
    unchanged_after = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level in ACCEPTED_LEVELS
    )
    intact = bool(status.intact and status.valid)
    revoked = bool(status.revoked)
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    when = moment or dt.datetime.now(dt.UTC)
    expired = not (not_before <= when <= not_after) or not_after < dt.datetime.now(dt.UTC)
    trusted = bool(status.trusted) and not revoked
    problems: list[str] = []
    who = {"signer": signer}
    if not intact:
        problems.append(
            _("The signature of %(signer)s is broken: the file was changed after it was signed.")
            % who
        )
    elif not unchanged_after:
        problems.append(
            _(
                "The file was changed after %(signer)s signed it (content or pages were added "
                "or altered)."
            )
            % who
        )
    if revoked:
        problems.append(_("The certificate of %(signer)s has been revoked.") % who)
    elif expired:
        problems.append(_("The certificate of %(signer)s has expired or is not yet valid.") % who)
    elif not trusted:
        problems.append(
            _(
                "The certificate of %(signer)s does not chain to a certification authority "
                "trusted by this installation."
            )
            % who
        )
    return SignatureReport(
        field_name=name,
        signer=signer,
        organisation=organisation,
        signing_time=moment,
        intact=intact,
        trusted=trusted and not expired,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        unchanged_after=unchanged_after,
        revoked=revoked,
        expired=expired,
        problems=problems,
        serial=format(cert.serial_number, "x"),
        fingerprint=cert.sha256.hex(),
        notes=notes,
    )
