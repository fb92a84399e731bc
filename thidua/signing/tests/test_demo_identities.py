"""The demo's signers get identities made at load time, from an authority made then, and can
sign and be verified as trusted with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from thidua.lib.text import strip_accents
from thidua.signing import actions, placement, rules
from thidua.signing.demo import give_identities, seal_image, signature_image
from thidua.signing.models import SigningIdentity
from thidua.signing.reads import verify_pdf
from thidua.signing.testing import block_pdf
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def test_the_demos_leader_and_clerk_sign_and_the_demos_root_trusts_them(
    world: World, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "signing.key"
    where = tmp_path / "demo-signing"
    with override_settings(THIDUA_SIGNING_KEY_FILE=str(key_file), THIDUA_SIGNING_CRLS=[]):
        made = give_identities(
            admin=world.admin,
            people=[world.son_la_leader],
            agencies=[world.orgs["son_la"]],
            where=where,
        )
        assert key_file.exists()  # made at load time, outside the uploaded files
        assert sorted(p.name for p in where.iterdir()) == ["root.pem"]  # no key kept beside it
        leader, seal = made
        assert leader.owner_person == world.son_la_leader and leader.owner_org is None
        assert seal.owner_org == world.orgs["son_la"] and seal.owner_person is None
        assert leader.subject_name == world.son_la_leader.full_name
        assert SigningIdentity.objects.count() == 2
        assert bytes(leader.image).startswith(b"\x89PNG")
        assert bytes(seal.image).startswith(b"\x89PNG")

        letter = block_pdf(title="CUM TRUONG", name=strip_accents(world.son_la_leader.full_name))
        first = actions.do_sign_pdf(
            acting_user=world.son_la_leader,
            identity=leader,
            pdf=letter,
            secret=None,
            role=rules.PERSON,
            kind="demo",
            reference="to-trinh",
        )
        second = actions.do_sign_pdf(
            acting_user=world.son_la_officer,
            identity=seal,
            pdf=first.file.read(),
            secret=None,
            role=rules.AGENCY,
            kind="demo",
            reference="to-trinh",
        )
        signed = second.file.read()
        with override_settings(THIDUA_SIGNING_TRUST_ROOTS=[str(where / "root.pem")]):
            report = verify_pdf(signed)
        assert report.ok, report.problems
        with override_settings(THIDUA_SIGNING_TRUST_ROOTS=[]):
            assert not verify_pdf(signed).ok  # trusted only through the demo's own root
    assert set(placement.signature_boxes(signed)) == {"NguoiKy1", "CoQuan2"}


def test_the_demos_images_are_transparent_pngs_in_blue_and_red() -> None:
    import io

    from PIL import Image

    signature = Image.open(io.BytesIO(signature_image("Lê Hồng Minh"))).convert("RGBA")
    seal = Image.open(io.BytesIO(seal_image("Sở Kế hoạch và Đầu tư tỉnh Sơn La"))).convert("RGBA")
    for image, colour in ((signature, (0, 51, 204)), (seal, (255, 0, 0))):
        pixels: list[tuple[int, ...]] = list(image.get_flattened_data())  # type: ignore[arg-type]
        assert pixels[0][3] == 0  # a transparent background
        inked = {p[:3] for p in pixels if p[3] == 255}
        assert colour in inked
