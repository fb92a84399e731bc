"""Test certificates, a PKCS#12 file and a SoftHSM2 token, for the tests of every app.

`signing_pki_once()` builds, once per process, a certificate authority with the `cryptography`
library: certificates for a leader and an agency, one revoked (listed in the authority's CRL),
one expired, and one from an authority nobody trusts; each with its PKCS#12 file.
`softhsm()` initialises, once per process, a SoftHSM2 token directory in a temporary folder
(SOFTHSM2_CONF points at it) with a token for the leader and one for the agency, each holding
the private key and the certificate. The fixture `signing_settings` configures thidua with a
key-encryption key, the authority as the trusted root and its CRL. Nothing is skipped when
SoftHSM2 is missing: the set-up fails and says so.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import keystore

PKCS12_PASSWORD = "mat-khau-p12"
USER_PIN = "123456"
SO_PIN = "87654321"
SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
VN = dt.timezone(dt.timedelta(hours=7))
# Where the test certificates say their CRL is; never fetched (`.invalid` resolves nowhere): the
# tests hand thidua the CRL as a configured file, as the administrator does.
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


@dataclass
class SigningPki:
    """The test authority, its files, and the credentials it issued."""

    folder: Path
    root: x509.Certificate
    root_path: Path
    crl_path: Path
    person: Credential
    other_person: Credential
    agency: Credential
    revoked: Credential
    expired: Credential
    stranger: Credential  # issued by an authority that is not trusted
    stranger_root_path: Path


def _name(common: str, organisation: str) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ]
    return x509.Name(attributes)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _authority(common: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
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


def _issue(
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    common: str,
    organisation: str,
    *,
    expired: bool = False,
) -> Credential:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    start, end = (
        (now - dt.timedelta(days=800), now - dt.timedelta(days=400))
        if expired
        else (now - dt.timedelta(days=30), now + dt.timedelta(days=730))
    )
    cert = (
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
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        common.encode(),
        key,
        cert,
        [issuer],
        serialization.BestAvailableEncryption(PKCS12_PASSWORD.encode()),
    )
    return Credential(common, organisation, cert, key, data)


def _crl(
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


_pki: SigningPki | None = None


def signing_pki_once() -> SigningPki:
    """The test authority and its credentials, built once per process."""
    global _pki
    if _pki is not None:
        return _pki
    folder = Path(tempfile.mkdtemp(prefix="thidua-pki-"))
    atexit.register(shutil.rmtree, folder, True)
    root, root_key = _authority("CA thử nghiệm thidua")
    stranger_root, stranger_key = _authority("CA không được tin cậy")
    person = _issue(root, root_key, "Nguyễn Văn Lãnh", "Sở Kế hoạch và Đầu tư tỉnh Sơn La")
    other = _issue(root, root_key, "Trần Thị Khác", "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng")
    agency = _issue(
        root, root_key, "Sở Kế hoạch và Đầu tư tỉnh Sơn La", "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    )
    revoked = _issue(root, root_key, "Lê Văn Thu Hồi", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu")
    expired = _issue(
        root, root_key, "Phạm Văn Hết Hạn", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu", expired=True
    )
    stranger = _issue(stranger_root, stranger_key, "Người Lạ", "Cơ quan lạ")
    root_path = folder / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    stranger_root_path = folder / "stranger-root.pem"
    stranger_root_path.write_bytes(stranger_root.public_bytes(serialization.Encoding.PEM))
    crl_path = folder / "root.crl"
    crl_path.write_bytes(
        _crl(root, root_key, [revoked.certificate]).public_bytes(serialization.Encoding.DER)
    )
    _pki = SigningPki(
        folder=folder,
        root=root,
        root_path=root_path,
        crl_path=crl_path,
        person=person,
        other_person=other,
        agency=agency,
        revoked=revoked,
        expired=expired,
        stranger=stranger,
        stranger_root_path=stranger_root_path,
    )
    return _pki


@dataclass
class SoftHsm:
    """A SoftHSM2 token directory with one token per credential named."""

    module: str
    conf: Path
    pin: str = USER_PIN
    tokens: dict[str, str] = field(default_factory=dict)  # credential name -> token label
    key_label: str = "ky-so"


_softhsm: SoftHsm | None = None


def softhsm_module() -> str:
    for candidate in SOFTHSM_MODULES:
        if Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "SoftHSM2 is not installed (Debian's softhsm2; scripts/bootstrap.sh installs it)."
    )


def softhsm() -> SoftHsm:
    """Tokens for the leader and the agency, initialised once per process.

    SoftHSM2 reads SOFTHSM2_CONF when the module is first loaded, and a process loads it
    once: every token is made before that, in one folder that lives as long as the process.
    """
    global _softhsm
    if _softhsm is not None:
        return _softhsm
    module = softhsm_module()
    util = shutil.which("softhsm2-util")
    if util is None:
        raise RuntimeError("softhsm2-util is missing (Debian's softhsm2).")
    folder = Path(tempfile.mkdtemp(prefix="thidua-softhsm-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = false\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    pki = signing_pki_once()
    hsm = SoftHsm(module=module, conf=conf)
    for label, credential in (("lanh-dao", pki.person), ("co-quan", pki.agency)):
        _run(
            util, "--init-token", "--free", "--label", label,
            "--pin", USER_PIN, "--so-pin", SO_PIN,
        )  # fmt: skip
        key_file = folder / f"{label}.pem"
        key_file.write_bytes(credential.key_pkcs8_pem)
        _run(
            util, "--import", str(key_file), "--token", label, "--label", hsm.key_label,
            "--id", "01", "--pin", USER_PIN,
        )  # fmt: skip
        key_file.unlink()
        hsm.tokens[credential.name] = label
    _store_certificates(hsm, pki)
    _softhsm = hsm
    return hsm


def _run(*command: str) -> None:
    env = {**os.environ}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout} {done.stderr}")


def _store_certificates(hsm: SoftHsm, pki: SigningPki) -> None:
    """Put each credential's certificate on its token, beside the key (as a USB token has)."""
    from pkcs11 import Attribute, CertificateType, ObjectClass
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import find_token, p11_lib

    lib = p11_lib(hsm.module)
    for credential in (pki.person, pki.agency):
        token = find_token(
            lib.get_slots(), token_criteria=TokenCriteria(label=hsm.tokens[credential.name])
        )
        assert token is not None
        with token.open(rw=True, user_pin=hsm.pin) as session:
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: hsm.key_label,
                    Attribute.ID: b"\x01",
                    Attribute.SUBJECT: credential.certificate.subject.public_bytes(),
                    Attribute.ISSUER: credential.certificate.issuer.public_bytes(),
                    Attribute.VALUE: credential.certificate.public_bytes(
                        serialization.Encoding.DER
                    ),
                }
            )


@pytest.fixture
def signing_pki() -> SigningPki:
    return signing_pki_once()


@pytest.fixture
def signing_token() -> SoftHsm:
    return softhsm()


@pytest.fixture
def signing_settings(settings: Any, tmp_path: Path) -> Iterator[SigningPki]:
    """thidua configured to sign and verify with the test authority."""
    pki = signing_pki_once()
    key_file = tmp_path / "signing.key"
    keystore.new_key_file(key_file)
    settings.THIDUA_SIGNING_KEY_FILE = str(key_file)
    settings.THIDUA_SIGNING_TRUST_ROOTS = [str(pki.root_path)]
    settings.THIDUA_SIGNING_CRLS = [str(pki.crl_path)]
    settings.THIDUA_SIGNING_PKCS11_MODULE = softhsm_module()
    yield pki


def sample_pdf(text: str = "Van ban thu nghiem", pages: int = 1) -> bytes:
    """A small PDF with a line of text on each page, written with pyHanko's writer."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
    )
    for number in range(1, pages + 1):
        stream = generic.StreamObject(
            stream_data=f"BT /F1 14 Tf 72 760 Td ({text} - {number}) Tj ET".encode()
        )
        resources = generic.DictionaryObject(
            {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
        )
        writer.insert_page(
            PageObject(
                contents=writer.add_object(stream), media_box=(0, 0, 595, 842), resources=resources
            )
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_page(signed: bytes, text: str = "Trang them sau khi ky") -> bytes:
    """The signed PDF with a page appended by an incremental update (a change after signing)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import PageObject

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = generic.StreamObject(stream_data=f"BT 72 760 Td ({text}) Tj ET".encode())
    writer.insert_page(PageObject(contents=writer.add_object(stream), media_box=(0, 0, 595, 842)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
