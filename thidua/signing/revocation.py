"""Revocation lists fetched from the addresses the certificates name (CRL distribution points).

Only for a certificate that chains to a root the administrator trusts (checked by signature,
not by name), so a stranger's certificate in an uploaded PDF makes thidua fetch nothing. A list
is fetched only over http or https, from a public address, or from a network the administrator
allows (`THIDUA_SIGNING_CRL_ALLOWED_NETWORKS`), on an allowed port, within a timeout and a size
limit, without following redirects, the connection going to the address that was checked (the
guard the webhooks share, `thidua.lib.outbound`). A list fetched is kept (`FetchedCrl`) until
its next update or `THIDUA_SIGNING_CRL_MAX_AGE_HOURS`; when a new fetch fails, the list kept is
used and the failure is told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thidua.lib import clock, outbound

from . import rules
from .models import FetchedCrl

logger = logging.getLogger(__name__)


class FetchRefused(Exception):
    """The list was not fetched; the message says why, in the user's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Lists:
    """The revocation lists (DER) found for a signature, and what could not be fetched."""

    crls: list[bytes] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _setting(name: str, default: object) -> object:
    return getattr(settings, name, default)


def enabled() -> bool:
    return bool(_setting("THIDUA_SIGNING_FETCH_CRLS", True))


def _networks() -> list[outbound.Network]:
    return [
        ipaddress.ip_network(str(n), strict=False)
        for n in _setting("THIDUA_SIGNING_CRL_ALLOWED_NETWORKS", [])  # type: ignore[attr-defined]
    ]


def _ports() -> tuple[int, ...]:
    return tuple(int(p) for p in _setting("THIDUA_SIGNING_CRL_ALLOWED_PORTS", outbound.WEB_PORTS))  # type: ignore[attr-defined]


def _timeout() -> float:
    return float(_setting("THIDUA_SIGNING_CRL_TIMEOUT_SECONDS", 10))  # type: ignore[arg-type]


def _max_bytes() -> int:
    return int(float(_setting("THIDUA_SIGNING_CRL_MAX_MB", 10)) * 1024 * 1024)  # type: ignore[arg-type]


def _max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(_setting("THIDUA_SIGNING_CRL_MAX_AGE_HOURS", 24)))  # type: ignore[arg-type]


def distribution_points(cert: x509.Certificate) -> list[str]:
    """The http(s) addresses of the certificate's CRL distribution points."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    found: list[str] = []
    for point in points:
        for name in point.full_name or []:
            if isinstance(name, x509.UniformResourceIdentifier) and name.value.lower().startswith(
                ("http://", "https://")
            ):
                found.append(name.value)
    return found


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def addresses_to_check(
    signer: asn1_x509.Certificate,
    others: Iterable[asn1_x509.Certificate],
    roots: Iterable[asn1_x509.Certificate],
) -> list[str]:
    """The distribution points of the signer's chain up to a trusted root; none when the
    certificate does not chain to one."""
    trusted = [x509.load_der_x509_certificate(r.dump()) for r in roots]
    pool = [x509.load_der_x509_certificate(c.dump()) for c in others]
    current = x509.load_der_x509_certificate(signer.dump())
    chain: list[x509.Certificate] = []
    for _depth in range(8):
        chain.append(current)
        if any(_issued_by(current, root) for root in trusted):
            return list(dict.fromkeys(url for cert in chain for url in distribution_points(cert)))
        parent = next((c for c in pool if c not in chain and _issued_by(current, c)), None)
        if parent is None:
            return []
        current = parent
    return []


def _target(url: str) -> outbound.Target:
    try:
        return outbound.target(url, networks=_networks(), ports=_ports())
    except outbound.Unresolved as unresolved:
        raise FetchRefused(
            _("No server named %(host)s was found.") % {"host": unresolved.host}
        ) from None
    except outbound.Refused as refused:
        said = outbound.Words(
            not_web=_("Only http and https addresses are fetched."),
            ports=_("Revocation lists are only fetched from the ports %(ports)s."),
            private=_(
                "%(host)s leads to %(address)s, in a private, local or reserved network, "
                "which the administrator has not allowed."
            ),
        )
        raise FetchRefused(refused.said(said)) from None


def fetch(url: str) -> bytes:
    """The revocation list at `url` (DER), or FetchRefused saying why not."""
    where = _target(url)
    limit = _max_bytes()
    connection = outbound.connection(where, _timeout())
    try:
        connection.request("GET", where.path, headers={"User-Agent": "thidua-crl/1"})
        answer = connection.getresponse()
        if answer.status != 200:
            raise FetchRefused(
                _("The server answered HTTP %(status)s (redirects are not followed).")
                % {"status": answer.status}
            )
        declared = answer.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchRefused(_too_large(limit))
        data = answer.read(limit + 1)
    except TimeoutError:
        raise FetchRefused(
            _("No answer within %(seconds)s seconds.") % {"seconds": f"{_timeout():g}"}
        ) from None
    except (OSError, http.client.HTTPException) as failed:
        raise FetchRefused(str(failed) or type(failed).__name__) from None
    finally:
        connection.close()
    if len(data) > limit:
        raise FetchRefused(_too_large(limit))
    return _der(data)


def _too_large(limit: int) -> str:
    return _("The list is larger than %(megabytes)s MB.") % {"megabytes": f"{limit / 2**20:g}"}


def _der(data: bytes) -> bytes:
    """The list as DER, checked to be one; PEM is accepted too."""
    try:
        crl = (
            x509.load_pem_x509_crl(data)
            if data.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_crl(data)
        )
    except ValueError:
        raise FetchRefused(_("The file at the address is not a revocation list.")) from None
    from cryptography.hazmat.primitives import serialization

    return crl.public_bytes(serialization.Encoding.DER)


def _next_update(der: bytes) -> dt.datetime | None:
    return x509.load_der_x509_crl(der).next_update_utc


def list_at(url: str) -> tuple[bytes | None, str]:
    """The list at `url`, from the cache while it is fresh, else fetched (and kept); with the
    failure in words when it could not be fetched (then the stale list kept, if any)."""
    now = clock.now()
    kept = FetchedCrl.objects.filter(url=url).first()
    if kept is not None:
        fresh = kept.fetched_at + _max_age() > now
        if fresh and (kept.next_update is None or kept.next_update > now):
            return bytes(kept.data), ""
    try:
        der = fetch(url)
    except FetchRefused as refused:
        logger.warning("The revocation list at %s was not fetched: %s", url, refused.message)
        note = _(
            "The revocation list at %(url)s could not be fetched (%(reason)s); the "
            "certificate was not checked against it."
        ) % {"url": url, "reason": refused.message}
        if kept is not None:
            note = _(
                "The revocation list at %(url)s could not be fetched again (%(reason)s); the "
                "copy fetched on %(when)s was used."
            ) % {
                "url": url,
                "reason": refused.message,
                "when": rules.signing_time(kept.fetched_at),
            }
            return bytes(kept.data), note
        return None, note
    try:
        with transaction.atomic():  # two verifications fetching at once: the second one loses
            FetchedCrl.objects.update_or_create(
                url=url,
                defaults={
                    "data": der,
                    "sha256": hashlib.sha256(der).hexdigest(),
                    "fetched_at": now,
                    "next_update": _next_update(der),
                },
            )
    except IntegrityError:
        pass
    return der, ""


def lists_for(
    signer: asn1_x509.Certificate,
    others: Iterable[asn1_x509.Certificate],
    roots: Iterable[asn1_x509.Certificate],
) -> Lists:
    """The lists the signer's chain names, when fetching is on and it chains to a root."""
    found = Lists()
    if not enabled():
        return found
    for url in addresses_to_check(signer, others, roots)[:4]:
        der, note = list_at(url[:1000])
        if der is not None:
            found.crls.append(der)
        if note:
            found.notes.append(note)
    return found
