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
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import keystore
from .authority import CRL_URL, PKCS12_PASSWORD, Credential, issue, new_authority, revocation_list

if TYPE_CHECKING:
    from thidua.testing.personas import World

    from .models import SigningIdentity

__all__ = [
    "CRL_URL",
    "PKCS12_PASSWORD",
    "Credential",
    "issue",
    "new_authority",
    "revocation_list",
]

USER_PIN = "123456"
SO_PIN = "87654321"
SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
VN = dt.timezone(dt.timedelta(hours=7))


@dataclass
class SigningPki:
    """The test authority, its files, and the credentials it issued."""

    folder: Path
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey  # to issue further certificates and lists in a test
    root_path: Path
    crl_path: Path
    person: Credential
    other_person: Credential
    agency: Credential
    revoked: Credential
    expired: Credential
    stranger: Credential  # issued by an authority that is not trusted
    stranger_root_path: Path


_pki: SigningPki | None = None


def signing_pki_once() -> SigningPki:
    """The test authority and its credentials, built once per process."""
    global _pki
    if _pki is not None:
        return _pki
    folder = Path(tempfile.mkdtemp(prefix="thidua-pki-"))
    atexit.register(shutil.rmtree, folder, True)
    root, root_key = new_authority("CA thử nghiệm thidua")
    stranger_root, stranger_key = new_authority("CA không được tin cậy")
    person = issue(root, root_key, "Nguyễn Văn Lãnh", "Sở Kế hoạch và Đầu tư tỉnh Sơn La")
    other = issue(root, root_key, "Trần Thị Khác", "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng")
    agency = issue(
        root, root_key, "Sở Kế hoạch và Đầu tư tỉnh Sơn La", "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    )
    revoked = issue(root, root_key, "Lê Văn Thu Hồi", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu")
    expired = issue(
        root, root_key, "Phạm Văn Hết Hạn", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu", expired=True
    )
    stranger = issue(stranger_root, stranger_key, "Người Lạ", "Cơ quan lạ")
    root_path = folder / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    stranger_root_path = folder / "stranger-root.pem"
    stranger_root_path.write_bytes(stranger_root.public_bytes(serialization.Encoding.PEM))
    crl_path = folder / "root.crl"
    crl_path.write_bytes(
        revocation_list(root, root_key, [revoked.certificate]).public_bytes(
            serialization.Encoding.DER
        )
    )
    _pki = SigningPki(
        folder=folder,
        root=root,
        root_key=root_key,
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
    # The test certificates name a CRL address that resolves nowhere; the list is the file
    # above. thidua.signing.tests.test_revocation serves lists from an address of its own.
    settings.THIDUA_SIGNING_FETCH_CRLS = False
    yield pki


def leader_and_seal(world: World, pki: SigningPki) -> tuple[SigningIdentity, SigningIdentity]:
    """Sơn La's leader's identity and its agency's seal (its officer's, the clerk's), added by
    the administrator from the test authority's PKCS#12 files."""
    from .actions import do_add_pkcs12_identity

    leader = do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_person=world.son_la_leader,
        data=pki.person.pkcs12,
        password=pki.person.password,
    )
    seal = do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_org=world.orgs["son_la"],
        data=pki.agency.pkcs12,
        password=pki.agency.password,
    )
    return leader, seal


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


def block_pdf(*, title: str, name: str, list_after: bool = True) -> bytes:
    """A letter ending with a Decree 30 signature block (recipients on the left; the title,
    room for the signature, then the name on the right), and, after it, a page listing the
    same name in a table's row, as the Tờ trình's attached list does."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Times-Roman"),
            }
        )
    )
    letter = [
        (85, 760, 14, "To trinh ve viec de nghi khen thuong nam 2016"),
        (85, 700, 14, "Kinh de nghi Bo truong xem xet, quyet dinh khen thuong./."),
        (90, 577, 12, "Noi nhan:"),
        (90, 562, 11, "- Nhu tren;"),
        (90, 548, 11, "- Luu: VT."),
        (362, 576, 14, "TM. CUM THI DUA"),
        (376, 557, 14, title),
        (381, 465, 14, name),
    ]
    table = [
        (97, 760, 12, "STT"),
        (127, 760, 12, "Ho va ten"),
        (97, 728, 12, "1"),
        (127, 728, 12, "Do Thu Hoa"),
        (97, 696, 12, "2"),
        (127, 696, 12, name),
        (274, 696, 12, "Van phong, So Ke hoach va Dau tu"),
    ]
    for runs in [letter, table] if list_after else [letter]:
        content = " ".join(
            f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET" for x, y, size, text in runs
        )
        resources = generic.DictionaryObject(
            {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
        )
        writer.insert_page(
            PageObject(
                contents=writer.add_object(generic.StreamObject(stream_data=content.encode())),
                media_box=(0, 0, 595, 842),
                resources=resources,
            )
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
