"""A certificate authority made with the `cryptography` library: its root, the certificates it
issues (each with its PKCS#12 file) and its revocation list.

The tests build their authority with it (`thidua.signing.testing`), and `thidua load_demo`
builds the demo's at load time (`thidua.signing.demo`): no key is ever kept in the repository.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PKCS12_PASSWORD = "mat-khau-p12"
# Where the test certificates say their CRL is (`.invalid` resolves nowhere): the tests hand
# thidua that CRL as a configured file, as the administrator does, or serve it themselves.
CRL_URL = "http://ca.thu-nghiem.invalid/root.crl"


@dataclass
class Credential:
    """A certificate with its key, as PEM and as a PKCS#12 file."""

    name: str
    organisation: str
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey
    pkcs12: bytes
    password: str = PKCS12_PASSWORD

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pkcs8_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _name(common: str, organisation: str) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ]
    return x509.Name(attributes)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_authority(common: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _key()
    name = _name(common, "Cơ quan chứng thực thử nghiệm")
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def issue(
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    common: str,
    organisation: str,
    *,
    expired: bool = False,
    crl_url: str | None = CRL_URL,
    password: str = PKCS12_PASSWORD,
) -> Credential:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    start, end = (
        (now - dt.timedelta(days=800), now - dt.timedelta(days=400))
        if expired
        else (now - dt.timedelta(days=30), now + dt.timedelta(days=730))
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common, organisation))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(
        common.encode(),
        key,
        cert,
        [issuer],
        serialization.BestAvailableEncryption(password.encode()),
    )
    return Credential(common, organisation, cert, key, data, password)


def revocation_list(
    issuer: x509.Certificate, issuer_key: rsa.RSAPrivateKey, revoked: list[x509.Certificate]
) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=30))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(now - dt.timedelta(days=1))
            .build()
        )
    return builder.sign(issuer_key, hashes.SHA256())
