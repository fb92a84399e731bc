"""The demo's signing identities, so that whoever tries the demo can sign.

`thidua load_demo` makes, at load time, a certificate authority of its own. It issues a
certificate to each member's leader, to each member agency (its officer signs as the clerk), to
the supervisor and to the supervising department. Each becomes a PKCS#12 identity through the
action an administrator uses, with a blue signature image or a red seal image drawn then. No
key is ever in the repository: the authority's key lives in memory while the demo loads; the
key-encryption key (THIDUA_SIGNING_KEY_FILE) and the authority's root certificate (to trust)
are written under var/demo-signing/, which thidua.settings.dev configures.
"""

from __future__ import annotations

import io
import secrets
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from thidua.orgs.models import Organization, User

from . import actions, keystore
from .authority import issue, new_authority
from .models import SigningIdentity

if TYPE_CHECKING:
    from thidua.demo.play import Demo

BLUE = (0, 51, 204, 255)
RED = (255, 0, 0, 255)
FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
)


def folder() -> Path:
    """Where the demo keeps its authority's root certificate (never in the repository)."""
    return Path(settings.VAR_DIR) / "demo-signing"


def in_progress(demo: Demo) -> None:
    """Give the demo's signers their identities, when the settings say where the
    key-encryption key lives (the test suite's demo has none, and gets none)."""
    if not settings.THIDUA_SIGNING_KEY_FILE:
        return
    members = list(demo.leaders)
    supervisor_org = demo.supervisor.organization
    give_identities(
        admin=demo.admin,
        people=[*(demo.leaders[key] for key in members), demo.supervisor],
        agencies=[
            *(demo.departments[key] for key in members),
            *([supervisor_org] if supervisor_org is not None else []),
        ],
        where=folder(),
    )


def give_identities(
    *,
    admin: User,
    people: Sequence[User],
    agencies: Sequence[Organization],
    where: Path,
) -> list[SigningIdentity]:
    """A new authority, its root written to `where`/root.pem, and an identity for each person
    and agency; the key-encryption key file is made when it does not exist yet."""
    key_file = Path(settings.THIDUA_SIGNING_KEY_FILE)
    if not key_file.exists():
        keystore.new_key_file(key_file)
    root, root_key = new_authority("CA của bản demo thidua")
    where.mkdir(parents=True, exist_ok=True)
    (where / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    made: list[SigningIdentity] = []
    for person in people:
        unit = person.organization.name if person.organization else ""
        made.append(_identity(admin, root, root_key, person.full_name, unit, owner_person=person))
    for agency in agencies:
        made.append(_identity(admin, root, root_key, agency.name, agency.name, owner_org=agency))
    return made


def _identity(
    admin: User,
    root: x509.Certificate,
    root_key: rsa.RSAPrivateKey,
    name: str,
    organisation: str,
    *,
    owner_person: User | None = None,
    owner_org: Organization | None = None,
) -> SigningIdentity:
    password = secrets.token_urlsafe(12)  # used once, right here, as an upload's would be
    credential = issue(root, root_key, name, organisation, crl_url=None, password=password)
    image = signature_image(name) if owner_person is not None else seal_image(name)
    return actions.do_add_pkcs12_identity(
        acting_user=admin,
        owner_person=owner_person,
        owner_org=owner_org,
        data=credential.pkcs12,
        password=password,
        image=image,
    )


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:

    for candidate in FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def signature_image(name: str) -> bytes:
    """A handwritten-looking signature in blue on a transparent background (as Decree 30 asks
    of the leader's signature image): the given name and a flourish."""
    image = Image.new("RGBA", (450, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    given = name.split()[-1] if name.split() else name
    draw.text((225, 95), given, fill=BLUE, font=_font(88), anchor="mm")
    draw.arc((40, 110, 420, 190), start=190, end=350, fill=BLUE, width=5)
    return _png(image)


def seal_image(agency: str) -> bytes:
    """A round seal in red on a transparent background: two rings, the agency's name inside."""
    size = 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, size - 6, size - 6), outline=RED, width=10)
    draw.ellipse((40, 40, size - 40, size - 40), outline=RED, width=4)
    # The name in the upper part: the middle is left to the signature's own text (the agency's
    # name and the time), which thidua writes over the seal.
    lines = textwrap.wrap(agency.upper(), 18)[:3]
    for number, line in enumerate(lines):
        draw.text((size / 2, 85 + number * 34), line, fill=RED, font=_font(28), anchor="mm")
    return _png(image)
