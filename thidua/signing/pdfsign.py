"""PAdES signatures with pyHanko: the signer of an identity, the visible boxes, the signing.

Each signature is an incremental update: the second (the agency's over the leader's) keeps the
first intact. Where the boxes go and what they show follows `appearance` (Decree 30/2020's
Appendix I as docs/signing.md records it).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from thidua.errors import ActionRefused, Refusal

from . import keystore, rules
from .models import SigningIdentity

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetting talks at INFO
FONT_FILES = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)


class WrongPin(Exception):
    """The token refused the PIN."""


class PinLocked(Exception):
    """The token itself has locked the PIN."""


def load_certificates(pem_text: str) -> list[asn1_x509.Certificate]:
    data = pem_text.encode()
    return [
        asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)
    ]


_scaled_font: str | None = None


def _font_file() -> str:
    """Liberation Serif scaled to 1000 units per em, once per process.

    pyHanko writes a TrueType font's glyph widths in the font's own units, which PDF reads as
    thousandths of an em: Liberation's 2048 units per em would space the letters twice as wide.
    """
    global _scaled_font
    if _scaled_font is not None and Path(_scaled_font).exists():
        return _scaled_font
    for candidate in FONT_FILES:
        if Path(candidate).exists():
            _scaled_font = _scaled(candidate)
            return _scaled_font
    raise ActionRefused(
        _("The font for the signature boxes (Liberation Serif) is not installed."),
        kind=Refusal.SETTINGS,
    )


def _scaled(source: str) -> str:
    import atexit
    import tempfile

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(source)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    handle, target = tempfile.mkstemp(prefix="thidua-font-", suffix=".ttf")
    os.close(handle)
    atexit.register(Path(target).unlink, True)
    font.save(target)
    return target


T = TypeVar("T")


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run pyHanko's synchronous calls (each runs `asyncio.run`) where no event loop runs.

    A thread that already runs a loop (an async server, a browser test's driver) hands the
    work to a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def open_pdf(pdf: bytes) -> IncrementalPdfFileWriter:
    """The PDF opened for an incremental update; refused when it is not a PDF."""
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise ActionRefused(_("The file is not a PDF document."), kind=Refusal.FILE_TYPE)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        int(writer.root["/Pages"]["/Count"])
    except (PdfError, KeyError, ValueError, TypeError) as failure:
        raise ActionRefused(
            _("The file is not a PDF document that can be read."), kind=Refusal.FILE_TYPE
        ) from failure
    if writer.prev.encrypted:
        raise ActionRefused(_("An encrypted PDF cannot be signed."), kind=Refusal.FILE_TYPE)
    return writer


@contextmanager
def signer_for(identity: SigningIdentity, secret: str | None) -> Iterator[signers.Signer]:
    """The pyHanko signer of the identity; for a token, a session opened with the PIN."""
    certificate, *chain = load_certificates(identity.certificate_pem + identity.chain_pem)
    if identity.backend == SigningIdentity.Backend.PKCS12:
        der = keystore.unseal(
            bytes(identity.encrypted_key),
            fingerprint=identity.fingerprint,
            sealed_with=identity.kek_id,
        )
        yield signers.SimpleSigner(
            signing_cert=certificate,
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )
        return
    with _token_session(identity, secret or "") as session:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        yield PKCS11Signer(
            session,
            key_label=identity.key_label,
            signing_cert=certificate,
            ca_chain=chain,
        )


@contextmanager
def _token_session(identity: SigningIdentity, pin: str) -> Iterator[Any]:
    import pkcs11
    from pkcs11 import exceptions as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import find_token, p11_lib

    try:
        lib = p11_lib(settings.THIDUA_SIGNING_PKCS11_MODULE)
        token = find_token(
            lib.get_slots(), token_criteria=TokenCriteria(label=identity.token_label)
        )
    except (OSError, RuntimeError, pkcs11.PKCS11Error) as failure:
        raise ActionRefused(
            _("The token's driver (PKCS#11 module) cannot be loaded: %(error)s")
            % {"error": failure},
            kind=Refusal.SETTINGS,
        ) from failure
    if token is None:
        raise ActionRefused(
            _("The token %(label)s is not connected.") % {"label": identity.token_label},
            kind=Refusal.REFUSED,
        )
    try:
        session = token.open(user_pin=pin)
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange, p11.ArgumentsBad) as wrong:
        raise WrongPin from wrong
    except p11.PinLocked as locked:
        raise PinLocked from locked
    try:
        yield session
    finally:
        session.close()


def sign(
    pdf: bytes,
    signer: signers.Signer,
    *,
    role: str,
    field_name: str,
    box: rules.Box,
    lines: list[str],
    image: bytes | None = None,
    reason: str = "",
    location: str = "",
) -> bytes:
    """The PDF with one more PAdES signature, in a new field at `box` showing `lines`."""
    writer = open_pdf(pdf)
    style = _style(role, box, lines, image)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    page = box.page if box.page >= 0 else int(writer.root["/Pages"]["/Count"]) + box.page
    spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        on_page=page,
        box=(round(box.x0), round(box.y0), round(box.x1), round(box.y1)),
    )
    out = io.BytesIO()
    try:
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
        outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out))
    except (SigningError, PdfError, ValueError) as failure:
        raise ActionRefused(
            _("The document could not be signed: %(error)s") % {"error": failure},
            kind=Refusal.REFUSED,
        ) from failure
    return out.getvalue()


def _style(role: str, box: rules.Box, lines: list[str], image: bytes | None) -> TextStampStyle:
    """The box's look. With an image, the leader's box shows the signature image alone (Appendix
    I asks no text of it) and the agency's shows the seal with its name and time in small red
    text over the seal's middle; without one, each shows its text in a bordered box."""
    colour = rules.colour(role)
    size = rules.FONT_SIZE_ON_IMAGE if image else rules.FONT_SIZE
    font = GlyphAccumulatorFactory(_font_file(), font_size=size)
    background = None
    if image:
        from PIL import Image

        background = PdfImage(Image.open(io.BytesIO(image)))
    if image and role == rules.PERSON:
        lines = [" "]
    # The leader's text keeps clear of the left third, where the seal goes; the seal's text
    # sits in its middle.
    left = round(box.width / 3) + 4 if role == rules.PERSON else 4
    inner = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID,
        y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins(left=left, right=4, top=4, bottom=4),
    )
    return TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in lines),
        inner_content_layout=inner,
        text_box_style=TextBoxStyle(font=font, font_size=size, text_color=colour),
        border_width=0 if role == rules.ATTACHMENT or image else 1,
        border_color=colour,
        background=background,
        background_opacity=1.0,
    )


def field_names(pdf: bytes) -> set[str]:
    """The names of the signature fields already in the PDF."""
    writer = open_pdf(pdf)
    names: set[str] = set()
    for name, _value, _ref in fields.enumerate_sig_fields(writer.prev, filled_status=None):
        names.add(str(name))
    return names
