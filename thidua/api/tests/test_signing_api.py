"""Signing in the API: the identities, verifying a PDF, signing a year's documents and
downloading their versions; each allowed for whom the page allows and refused, with the
page's words, for the rest. A PIN or a password is never answered, audited, logged or kept
in the idempotency record."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart

from thidua.api.models import IdempotentRequest
from thidua.api.tests.conftest import year_url
from thidua.audit.models import AuditEntry
from thidua.orgs.models import User
from thidua.signing import actions, documents, rules
from thidua.signing.models import SignedDocument, SigningIdentity, Verification
from thidua.signing.testing import SigningPki, SoftHsm, add_page, leader_and_seal, sample_pdf
from thidua.signing.verification import verify_pdf
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

Api = Callable[[User], Client]
WRONG_PIN = "975310"
# A multipart body sent as bytes, with the boundary it was encoded with.
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def post(client: Client, url: str, body: Any = None, **headers: str) -> Any:
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def secret_nowhere(secret: str) -> None:
    """Neither the audit trail nor the idempotency records hold the secret."""
    for entry in AuditEntry.objects.all():
        assert secret not in json.dumps([entry.before, entry.after], ensure_ascii=False)
    for kept in IdempotentRequest.objects.all():
        assert secret.encode() not in bytes(kept.body)
        assert secret not in kept.fingerprint


# --- identities ------------------------------------------------------------------------------


def test_the_administrator_adds_an_identity_and_its_password_is_kept_nowhere(
    world: World, signing_settings: SigningPki, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    pki = signing_settings
    url = "/api/v1/signing/identities"
    fields = {
        "owner_person": world.son_la_leader.pk,
        "backend": "pkcs12",
        "pkcs12": SimpleUploadedFile("lanh-dao.p12", pki.person.pkcs12),
        "password": pki.person.password,
    }
    # A leader may not add one, even their own.
    refused = api(world.son_la_leader).post(url, fields)
    assert refused.status_code == 403
    assert not SigningIdentity.objects.exists()

    client = api(world.admin)
    body = encode_multipart(
        BOUNDARY, {**fields, "pkcs12": SimpleUploadedFile("a.p12", pki.person.pkcs12)}
    )
    with caplog.at_level(logging.DEBUG):
        answer = client.post(
            url, body, content_type=MULTIPART, headers={"Idempotency-Key": "them-1"}
        )
    assert answer.status_code == 201, answer.content
    made = answer.json()
    assert made["owner"] == "person" and made["owner_person_id"] == world.son_la_leader.pk
    assert made["subject_name"] == "Nguyễn Văn Lãnh" and made["backend"] == "pkcs12"
    assert not {"encrypted_key", "password", "certificate_pem", "kek_id"} & set(made)
    identity = SigningIdentity.objects.get()
    assert identity.fingerprint == made["fingerprint"] and bytes(identity.encrypted_key)
    assert AuditEntry.objects.filter(
        action="signing.identity_added", object_id=str(identity.pk), actor=world.admin
    ).exists()
    # The password: not in the answer, the audit trail, the logs, nor the idempotency record,
    # whose fingerprint is keyed, so it cannot be found again by trying passwords.
    assert pki.person.password not in answer.content.decode()
    assert pki.person.password not in caplog.text
    secret_nowhere(pki.person.password)
    kept = IdempotentRequest.objects.get(key="them-1")
    plain = hashlib.sha256(b"POST\0" + url.encode() + b"\0" + body).hexdigest()
    assert kept.fingerprint != plain
    # The retry replays the answer and adds nothing, though its client drew another boundary;
    # another file under the same key is another request.
    fresh = {**fields, "pkcs12": SimpleUploadedFile("a.p12", pki.person.pkcs12)}
    again = client.post(
        url,
        encode_multipart("Ranh-gioi-khac", fresh),
        content_type="multipart/form-data; boundary=Ranh-gioi-khac",
        headers={"Idempotency-Key": "them-1"},
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other = {**fields, "pkcs12": SimpleUploadedFile("a.p12", pki.other_person.pkcs12)}
    reused = client.post(url, other, headers={"Idempotency-Key": "them-1"})
    assert reused.status_code == 422
    assert SigningIdentity.objects.count() == 1


def test_a_wrong_password_and_a_missing_file_are_refused_as_on_the_page(
    world: World, signing_settings: SigningPki, api: Api
) -> None:
    pki = signing_settings
    fields = {"owner_person": world.son_la_leader.pk, "backend": "pkcs12", "password": "sai"}
    page = Client()
    page.force_login(world.admin)
    said = page.post(
        "/signing/identities/",
        {**fields, "pkcs12": SimpleUploadedFile("a.p12", pki.person.pkcs12)},
    )
    answer = api(world.admin).post(
        "/api/v1/signing/identities",
        {**fields, "pkcs12": SimpleUploadedFile("a.p12", pki.person.pkcs12)},
    )
    assert said.status_code == answer.status_code == 400
    message = answer.json()["detail"]
    assert "mật khẩu sai" in message
    assert message in " ".join(str(e) for e in said.context["form"].non_field_errors())
    assert "sai" not in message.replace("mật khẩu sai", "")
    missing = api(world.admin).post("/api/v1/signing/identities", fields)
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Hãy chọn tệp chứng thư số."
    assert not SigningIdentity.objects.exists()


def test_a_token_identity_is_added_with_its_certificate(
    world: World, signing_settings: SigningPki, signing_token: SoftHsm, api: Api
) -> None:
    pki = signing_settings
    answer = api(world.admin).post(
        "/api/v1/signing/identities",
        {
            "owner_org": world.orgs["son_la"].pk,
            "backend": "pkcs11",
            "certificate": SimpleUploadedFile("co-quan.pem", pki.agency.certificate_pem),
            "token_label": signing_token.tokens[pki.agency.name],
            "key_label": signing_token.key_label,
        },
    )
    assert answer.status_code == 201, answer.content
    made = answer.json()
    assert made["owner"] == "agency" and made["owner_org_id"] == world.orgs["son_la"].pk
    assert made["token_label"] == "co-quan" and made["backend"] == "pkcs11"
    unlabelled = api(world.admin).post(
        "/api/v1/signing/identities",
        {
            "owner_org": world.orgs["son_la"].pk,
            "backend": "pkcs11",
            "certificate": SimpleUploadedFile("co-quan.pem", pki.agency.certificate_pem),
        },
    )
    assert unlabelled.status_code == 400
    assert SigningIdentity.objects.count() == 1


def test_each_user_reads_the_identities_they_may_sign_with(
    world: World, signing_settings: SigningPki, api: Api
) -> None:
    person, seal = leader_and_seal(world, signing_settings)
    url = "/api/v1/signing/identities"

    def ids(user: User) -> list[int]:
        answer = api(user).get(url)
        assert answer.status_code == 200
        for found in answer.json():
            assert "encrypted_key" not in found and "certificate_pem" not in found
        return [found["id"] for found in answer.json()]

    assert ids(world.son_la_leader) == [person.pk]  # not the seal: the clerk's
    assert ids(world.son_la_officer) == [seal.pk]  # the agency's clerk, not the leader's key
    assert ids(world.cao_bang_officer) == []
    assert ids(world.admin) == [person.pk, seal.pk]  # who manages them, as on the page
    assert Client().get(url).status_code == 401


def test_the_administrator_withdraws_restores_and_resets_an_identity(
    world: World, signing_settings: SigningPki, api: Api
) -> None:
    person, _seal = leader_and_seal(world, signing_settings)
    url = f"/api/v1/signing/identities/{person.pk}/change"
    assert post(api(world.son_la_leader), url, {"what": "withdraw"}).status_code == 403
    answer = post(api(world.admin), url, {"what": "withdraw"})
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert AuditEntry.objects.filter(action="signing.identity_active").count() == 1
    # The leader no longer has it to sign with.
    assert api(world.son_la_leader).get("/api/v1/signing/identities").json() == []
    again = post(api(world.admin), url, {"what": "withdraw"})
    assert again.status_code == 400 and again.json()["detail"] == "Không có gì thay đổi."
    assert post(api(world.admin), url, {"what": "restore"}).json()["active"] is True
    nothing = post(api(world.admin), url, {"what": "reset"})
    assert nothing.status_code == 409
    assert post(api(world.admin), url, {"what": "explode"}).status_code == 422
    gone = post(api(world.admin), "/api/v1/signing/identities/999999/change", {"what": "reset"})
    assert gone.status_code == 404


# --- verifying -------------------------------------------------------------------------------


def test_anyone_signed_in_verifies_a_pdf_with_the_commands_fields(
    world: World, signing_settings: SigningPki, api: Api, tmp_path: Path
) -> None:
    person, _seal = leader_and_seal(world, signing_settings)
    signed = actions.do_sign_pdf(
        acting_user=world.son_la_leader,
        identity=person,
        pdf=sample_pdf(),
        secret=None,
        role=rules.PERSON,
        kind="test",
        reference="kiem-tra",
    )
    data = signed.file.read()
    client = api(world.outsider)  # anyone signed in
    answer = client.post("/api/v1/signing/verify", {"file": SimpleUploadedFile("da-ky.pdf", data)})
    assert answer.status_code == 200
    found = answer.json()
    path = tmp_path / "da-ky.pdf"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("verify_document", str(path), "--json", stdout=out)
    assert found == json.loads(out.getvalue())
    assert found["ok"] is True and found["signatures"][0]["signer"] == "Nguyễn Văn Lãnh"
    assert found["signatures"][0]["time"].endswith("+07:00")

    changed = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("x.pdf", add_page(data))}
    )
    assert changed.status_code == 200
    assert changed.json()["ok"] is False
    assert changed.json()["signatures"][0]["unchanged_after_signing"] is False
    assert Verification.objects.filter(checked_by=world.outsider).count() == 2
    assert AuditEntry.objects.filter(action="signing.verified").count() == 2
    assert Client().post("/api/v1/signing/verify").status_code == 401


def test_a_file_that_is_not_a_pdf_is_refused_as_on_the_page(
    world: World, signing_settings: SigningPki, api: Api
) -> None:
    page = Client()
    page.force_login(world.outsider)
    said = page.post(
        "/signing/verify/", {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf", "text/plain")}
    )
    answer = api(world.outsider).post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf")}
    )
    assert said.status_code == answer.status_code == 400
    words = " ".join(str(e) for e in said.context["form"].errors["file"])
    assert answer.json()["detail"] == words == "Tệp không phải là văn bản PDF."
    assert AuditEntry.objects.filter(action="signing.verify_refused").count() == 2
    empty = api(world.outsider).post("/api/v1/signing/verify", {})
    assert empty.status_code == 400  # no file: the page's form says so, as on the page


# --- the year's documents --------------------------------------------------------------------


@pytest.fixture
def libreoffice(settings: Any) -> Iterator[None]:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing (scripts/bootstrap.sh installs it)"
    settings.THIDUA_SOFFICE = soffice
    yield


def test_the_leader_signs_then_the_clerk_seals_and_everyone_of_the_year_downloads(
    world: World, signing_settings: SigningPki, api: Api, libreoffice: None
) -> None:
    person, seal = leader_and_seal(world, signing_settings)
    world.launch()
    url = f"{year_url(world)}/signed-documents"
    # Lai Châu's leader does not sign the year's documents; an outsider does not see the year.
    assert (
        post(api(world.lai_chau_leader), url, {"kind": "pledge", "identity": person.pk}).status_code
        == 403
    )
    assert (
        post(api(world.outsider), url, {"kind": "pledge", "identity": person.pk}).status_code == 404
    )
    # The leader may not use the agency's seal, nor the clerk the leader's key: neither is
    # theirs to choose (the page's form refuses it with the same words).
    for user, identity in ((world.son_la_leader, seal), (world.son_la_officer, person)):
        refused = post(api(user), url, {"kind": "pledge", "identity": identity.pk})
        assert refused.status_code == 400
        assert refused.json()["detail"].startswith("Yêu cầu không hợp lệ: identity:")
    assert not SignedDocument.objects.exists()

    signed = post(api(world.son_la_leader), url, {"kind": "pledge", "identity": person.pk})
    assert signed.status_code == 201, signed.content
    first = signed.json()
    assert (first["version"], first["role"], first["previous_id"]) == (1, "person", None)
    sealed = post(
        api(world.son_la_officer), url, {"kind": "pledge", "identity": seal.pk, "on_latest": True}
    )
    assert sealed.status_code == 201, sealed.content
    assert (sealed.json()["version"], sealed.json()["previous_id"]) == (1, first["id"])
    assert AuditEntry.objects.filter(action="signing.signed").count() == 2

    # The list is the Ký số page's (the secretariat's and the supervisor's); every member of
    # the year downloads a version.
    assert api(world.lai_chau_officer).get(url).status_code == 403
    listed = api(world.supervisor).get(url, {"kind": "pledge"})
    assert listed.status_code == 200
    [pledge] = listed.json()
    assert [v["id"] for v in pledge["versions"]] == [sealed.json()["id"], first["id"]]
    download = api(world.lai_chau_officer).get(sealed.json()["file"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    report = verify_pdf(download.content)
    assert report.ok and [s.signer for s in report.signatures] == [
        "Nguyễn Văn Lãnh",
        "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
    ]
    assert api(world.outsider).get(sealed.json()["file"]).status_code == 404
    assert api(world.outsider).get(url).status_code == 404


def test_without_libreoffice_the_api_refuses_as_the_page(
    world: World, signing_settings: SigningPki, api: Api
) -> None:
    person, _seal = leader_and_seal(world, signing_settings)
    world.launch()
    page = Client()
    page.force_login(world.son_la_leader)
    said = page.post(
        f"/signing/c/{world.cluster.slug}/{world.year.year}/",
        {"kind": "pledge", "identity": person.pk},
    )
    answer = post(
        api(world.son_la_leader),
        f"{year_url(world)}/signed-documents",
        {"kind": "pledge", "identity": person.pk},
    )
    assert said.status_code == answer.status_code == 409
    words = " ".join(str(e) for e in said.context["form"].non_field_errors())
    assert answer.json()["detail"] == words and "LibreOffice" in words
    nothing = post(
        api(world.son_la_leader),
        f"{year_url(world)}/signed-documents",
        {"kind": "pledge", "identity": person.pk, "on_latest": True},
    )
    assert nothing.status_code == 409
    assert not SignedDocument.objects.exists()


def test_a_wrong_token_pin_is_counted_and_never_repeated(
    world: World,
    signing_settings: SigningPki,
    signing_token: SoftHsm,
    api: Api,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pki = signing_settings
    token = actions.do_add_pkcs11_identity(
        acting_user=world.admin,
        owner_person=world.son_la_leader,
        certificate_pem=pki.person.certificate_pem,
        token_label=signing_token.tokens[pki.person.name],
        key_label=signing_token.key_label,
    )
    # A first version of the pledge, to sign on without LibreOffice.
    _person, seal = leader_and_seal(world, pki)
    actions.do_sign_pdf(
        acting_user=world.son_la_officer,
        identity=seal,
        pdf=sample_pdf(),
        secret=None,
        role=rules.AGENCY,
        kind="pledge",
        reference=documents.reference(world.year, "pledge"),
        year=world.year,
    )
    url = f"{year_url(world)}/signed-documents"
    body = {"kind": "pledge", "identity": token.pk, "on_latest": True}
    client = api(world.son_la_leader)
    with caplog.at_level(logging.DEBUG):
        wrong = post(client, url, {**body, "pin": WRONG_PIN}, **{"Idempotency-Key": "ky-1"})
    assert wrong.status_code == 400
    assert "lần sai thứ 1 trong 2" in wrong.json()["detail"]
    assert WRONG_PIN not in wrong.content.decode() and WRONG_PIN not in caplog.text
    token.refresh_from_db()
    assert token.wrong_pins == 1
    assert AuditEntry.objects.filter(action="signing.refused", object_id=str(token.pk)).exists()
    secret_nowhere(WRONG_PIN)
    # The same key with the right PIN is another request: refused, nothing tried.
    reused = post(client, url, {**body, "pin": signing_token.pin}, **{"Idempotency-Key": "ky-1"})
    assert reused.status_code == 422
    right = post(client, url, {**body, "pin": signing_token.pin}, **{"Idempotency-Key": "ky-2"})
    assert right.status_code == 201, right.content
    token.refresh_from_db()
    assert token.wrong_pins == 0
    secret_nowhere(signing_token.pin)
    # The clerk may not sign with the leader's token, whatever the PIN.
    clerk = post(api(world.son_la_officer), url, {**body, "pin": signing_token.pin})
    assert clerk.status_code == 400
