"""Signing and verifying for real: pyHanko, a PKCS#12 file, a SoftHSM2 token, test certificates."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from thidua.audit.models import AuditEntry
from thidua.errors import ActionRefused, Refusal
from thidua.orgs.models import User
from thidua.signing import actions, pdfsign, rules
from thidua.signing.models import SignedDocument, SigningIdentity
from thidua.signing.reads import verify_pdf
from thidua.signing.testing import (
    Credential,
    SigningPki,
    SoftHsm,
    add_page,
    sample_pdf,
)
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def person_identity(world: World, credential: Credential) -> SigningIdentity:
    return actions.do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_person=world.son_la_leader,
        data=credential.pkcs12,
        password=credential.password,
    )


def agency_identity(world: World, pki: SigningPki) -> SigningIdentity:
    return actions.do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_org=world.orgs["son_la"],
        data=pki.agency.pkcs12,
        password=pki.agency.password,
    )


def token_identity(world: World, pki: SigningPki, hsm: SoftHsm) -> SigningIdentity:
    return actions.do_add_pkcs11_identity(
        acting_user=world.admin,
        owner_person=world.son_la_leader,
        certificate_pem=pki.person.certificate_pem,
        token_label=hsm.tokens[pki.person.name],
        key_label=hsm.key_label,
    )


def sign_as_leader(
    world: World, identity: SigningIdentity, pdf: bytes, **extra: object
) -> SignedDocument:
    return actions.do_sign_pdf(
        acting_user=world.son_la_leader,
        identity=identity,
        pdf=pdf,
        secret=extra.pop("secret", None),  # type: ignore[arg-type]
        role=rules.PERSON,
        kind="test",
        reference="tai-lieu-1",
    )


def test_pkcs12_person_then_agency_signature_verifies(
    world: World, signing_settings: SigningPki
) -> None:
    pki = signing_settings
    leader = person_identity(world, pki.person)
    seal = agency_identity(world, pki)
    first = sign_as_leader(world, leader, sample_pdf())
    report = verify_pdf(first.file.read())
    assert report.ok, report.problems
    [only] = report.signatures
    assert only.signer == "Nguyễn Văn Lãnh"
    assert only.intact and only.trusted and only.covers_whole_file
    assert only.time_text.endswith("+07:00")

    first.file.seek(0)
    second = actions.do_sign_pdf(
        acting_user=world.son_la_officer,
        identity=seal,
        pdf=first.file.read(),
        secret=None,
        role=rules.AGENCY,
        kind="test",
        reference="tai-lieu-1",
    )
    assert second.version == first.version == 1
    assert second.previous == first
    report = verify_pdf(second.file.read())
    assert report.ok, report.problems
    assert [s.signer for s in report.signatures] == [
        "Nguyễn Văn Lãnh",
        "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
    ]
    # The leader's signature no longer covers the whole file, but what came after is only the
    # agency's signature: nothing changed.
    assert not report.signatures[0].covers_whole_file
    assert report.signatures[0].unchanged_after
    actions_done = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"signing.identity_added", "signing.signed"} <= actions_done


def test_pkcs11_token_signs_and_wrong_pins_are_counted_then_stopped(
    world: World, signing_settings: SigningPki, signing_token: SoftHsm
) -> None:
    identity = token_identity(world, signing_settings, signing_token)
    done = sign_as_leader(world, identity, sample_pdf(), secret=signing_token.pin)
    assert verify_pdf(done.file.read()).ok

    for count in (1, 2):
        with pytest.raises(ActionRefused) as refused:
            sign_as_leader(world, identity, sample_pdf(), secret="000000")
        assert f"lần sai thứ {count} trong 2" in refused.value.message
        identity.refresh_from_db()
        assert identity.wrong_pins == count
    # Stopped before the token's own lockout: even the right PIN is not tried now.
    with pytest.raises(ActionRefused) as stopped:
        sign_as_leader(world, identity, sample_pdf(), secret=signing_token.pin)
    assert stopped.value.kind == Refusal.LOCKED
    assert AuditEntry.objects.filter(action="signing.refused").count() == 3
    actions.do_reset_wrong_pins(acting_user=world.admin, identity=identity)
    again = sign_as_leader(world, identity, sample_pdf(), secret=signing_token.pin)
    assert again.version == 2  # the refusals took no version number
    assert verify_pdf(again.file.read()).ok


def test_one_changed_byte_is_reported(world: World, signing_settings: SigningPki) -> None:
    identity = person_identity(world, signing_settings.person)
    data = bytearray(sign_as_leader(world, identity, sample_pdf()).file.read())
    position = data.index(b"Van ban thu nghiem")
    data[position] = ord("X")
    report = verify_pdf(bytes(data))
    assert not report.ok
    assert not report.signatures[0].intact
    assert "thay đổi" in report.signatures[0].problems[0]


def test_a_page_added_after_signing_is_reported(world: World, signing_settings: SigningPki) -> None:
    identity = person_identity(world, signing_settings.person)
    signed = sign_as_leader(world, identity, sample_pdf()).file.read()
    report = verify_pdf(add_page(signed))
    assert not report.ok
    [signature] = report.signatures
    assert signature.intact  # the signed revision itself is untouched
    assert not signature.unchanged_after
    assert signature.problems


def test_untrusted_root_expired_and_revoked_certificates(
    world: World, signing_settings: SigningPki
) -> None:
    pki = signing_settings
    for credential, word in (
        (pki.stranger, "tin cậy"),
        (pki.revoked, "thu hồi"),
        (pki.expired, "hết hạn"),
    ):
        pdf = _sign_directly(credential, sample_pdf())
        report = verify_pdf(pdf)
        assert not report.ok, credential.name
        [signature] = report.signatures
        assert signature.intact
        assert not signature.trusted, credential.name
        assert word in " ".join(signature.problems), (credential.name, signature.problems)


def test_an_expired_identity_is_refused_at_signing(
    world: World, signing_settings: SigningPki
) -> None:
    identity = person_identity(world, signing_settings.expired)
    with pytest.raises(ActionRefused) as refused:
        sign_as_leader(world, identity, sample_pdf())
    assert "không còn hiệu lực" in refused.value.message
    assert not SignedDocument.objects.exists()


def test_only_the_owner_or_the_agencys_clerk_signs(
    world: World, signing_settings: SigningPki
) -> None:
    leader = person_identity(world, signing_settings.person)
    seal = agency_identity(world, signing_settings)
    for user, identity, role in (
        (world.cao_bang_leader, leader, rules.PERSON),  # another leader
        (world.son_la_officer, leader, rules.PERSON),  # the clerk, with the leader's key
        (world.son_la_leader, seal, rules.AGENCY),  # the leader, with the seal
        (world.cao_bang_officer, seal, rules.AGENCY),  # another agency's officer
        (world.admin, leader, rules.PERSON),  # the administrator manages, does not sign
    ):
        with pytest.raises(ActionRefused) as refused:
            actions.do_sign_pdf(
                acting_user=user,
                identity=identity,
                pdf=sample_pdf(),
                secret=None,
                role=role,
                kind="test",
                reference="x",
            )
        assert refused.value.kind == Refusal.NOT_YOURS
    assert not SignedDocument.objects.exists()
    assert AuditEntry.objects.filter(action="signing.refused").count() == 5
    with pytest.raises(PermissionDenied):
        person_identity_by(world.son_la_leader, world, signing_settings)


def person_identity_by(user: User, world: World, pki: SigningPki) -> SigningIdentity:
    return actions.do_add_pkcs12_identity(
        acting_user=user,
        owner_person=world.son_la_leader,
        data=pki.person.pkcs12,
        password=pki.person.password,
    )


def test_not_a_pdf_is_refused(world: World, signing_settings: SigningPki) -> None:
    identity = person_identity(world, signing_settings.person)
    with pytest.raises(ActionRefused) as refused:
        sign_as_leader(world, identity, b"PK\x03\x04 not a pdf")
    assert refused.value.kind == Refusal.FILE_TYPE
    with pytest.raises(ActionRefused):
        verify_pdf(b"<html>hello</html>")
    with pytest.raises(ActionRefused):
        verify_pdf(b"%PDF-1.7\n garbage without a trailer")


def test_the_key_at_rest_needs_the_key_encryption_key(
    world: World, signing_settings: SigningPki, settings: object, tmp_path: object
) -> None:
    from pathlib import Path

    from thidua.signing import keystore

    identity = person_identity(world, signing_settings.person)
    stored = bytes(identity.encrypted_key)
    der = signing_settings.person.key.private_bytes(
        __import__("cryptography").hazmat.primitives.serialization.Encoding.DER,
        __import__("cryptography").hazmat.primitives.serialization.PrivateFormat.PKCS8,
        __import__("cryptography").hazmat.primitives.serialization.NoEncryption(),
    )
    assert der not in stored and der[-64:] not in stored
    other = Path(str(tmp_path)) / "other.key"
    keystore.new_key_file(other)
    settings.THIDUA_SIGNING_KEY_FILE = str(other)  # type: ignore[attr-defined]
    with pytest.raises(ActionRefused) as refused:
        sign_as_leader(world, identity, sample_pdf())
    assert refused.value.kind == Refusal.SETTINGS
    settings.THIDUA_SIGNING_KEY_FILE = ""  # type: ignore[attr-defined]
    with pytest.raises(ActionRefused):
        sign_as_leader(world, identity, sample_pdf())


def test_a_signed_version_never_changes(world: World, signing_settings: SigningPki) -> None:
    identity = person_identity(world, signing_settings.person)
    first = sign_as_leader(world, identity, sample_pdf("Phien ban mot"))
    kept = first.file.read()
    second = sign_as_leader(world, identity, sample_pdf("Phien ban hai"))
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    first.file.seek(0)
    assert first.file.read() == kept
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        first.delete()


def _sign_directly(credential: Credential, pdf: bytes) -> bytes:
    """Sign without thidua's checks: a file signed elsewhere, with any certificate."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12_data(
        credential.pkcs12, other_certs=[], passphrase=credential.password.encode()
    )
    return pdfsign.sign(
        pdf,
        signer,
        role=rules.PERSON,
        field_name="NguoiKy1",
        box=rules.box_for(rules.PERSON),
        lines=[credential.name],
    )


def test_the_key_encryption_key_is_refused_where_backups_take_it(
    world: World, signing_settings: SigningPki, settings: object
) -> None:
    from pathlib import Path

    from thidua.signing import keystore

    inside = Path(str(settings.MEDIA_ROOT)) / "signing-test" / "kek.key"  # type: ignore[attr-defined]
    inside.unlink(missing_ok=True)
    keystore.new_key_file(inside)
    try:
        settings.THIDUA_SIGNING_KEY_FILE = str(inside)  # type: ignore[attr-defined]
        with pytest.raises(ActionRefused) as refused:
            person_identity(world, signing_settings.person)
        assert "sao lưu" in refused.value.message
        assert not SigningIdentity.objects.exists()
    finally:
        inside.unlink()
