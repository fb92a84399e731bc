"""The signing pages and the verify_document command, over HTTP and the command line."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.cycle import actions as cycle_actions
from thidua.orgs.models import User
from thidua.signing import actions, rules
from thidua.signing.models import SignedDocument, SigningIdentity
from thidua.signing.testing import SigningPki, add_page, leader_and_seal, sample_pdf
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    """A client of its own for each person (the `as_user` fixture shares one)."""
    client = Client()
    client.force_login(user)
    return client


def signed_pdf(world: World) -> bytes:
    identity = SigningIdentity.objects.get(owner_person=world.son_la_leader)
    document = actions.do_sign_pdf(
        acting_user=world.son_la_leader,
        identity=identity,
        pdf=sample_pdf(),
        secret=None,
        role=rules.PERSON,
        kind="test",
        reference="trang",
    )
    return document.file.read()


def test_verify_page_tells_who_signed_and_what_changed(
    world: World, signing_settings: SigningPki, as_user: Callable[[User], Client]
) -> None:
    leader_and_seal(world, signing_settings)
    data = signed_pdf(world)
    client = as_user(world.outsider)  # anyone logged in
    answer = client.post(
        "/signing/verify/", {"file": SimpleUploadedFile("da-ky.pdf", data, "application/pdf")}
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-ok="yes"' in page
    assert "Nguyễn Văn Lãnh" in page and "+07:00" in page
    assert "Mọi chữ ký đều nguyên vẹn và tin cậy" in page

    answer = client.post(
        "/signing/verify/",
        {"file": SimpleUploadedFile("them-trang.pdf", add_page(data), "application/pdf")},
    )
    page = answer.content.decode()
    assert 'data-ok="no"' in page
    assert "đã bị thay đổi sau khi" in page

    answer = client.post(
        "/signing/verify/", {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf", "text/plain")}
    )
    assert answer.status_code == 400
    assert "Tệp không phải là văn bản PDF." in answer.content.decode()
    assert AuditEntry.objects.filter(action="signing.verified").count() == 2
    assert AuditEntry.objects.filter(action="signing.verify_refused").count() == 1

    anonymous = Client().get("/signing/verify/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_verify_document_command(
    world: World, signing_settings: SigningPki, tmp_path: Path
) -> None:
    leader_and_seal(world, signing_settings)
    good = tmp_path / "da-ky.pdf"
    good.write_bytes(signed_pdf(world))
    out = io.StringIO()
    call_command("verify_document", str(good), "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert found["ok"] is True
    [signature] = found["signatures"]
    assert signature["signer"] == "Nguyễn Văn Lãnh"
    assert signature["intact"] is True and signature["trusted"] is True
    assert signature["time"].endswith("+07:00")

    changed = tmp_path / "them-trang.pdf"
    changed.write_bytes(add_page(good.read_bytes()))
    with pytest.raises(SystemExit) as failed:
        call_command("verify_document", str(changed), stdout=io.StringIO())
    assert failed.value.code == 1
    unsigned = tmp_path / "chua-ky.pdf"
    unsigned.write_bytes(sample_pdf())
    with pytest.raises(SystemExit) as failed:
        call_command("verify_document", str(unsigned), stdout=io.StringIO())
    assert failed.value.code == 1
    junk = tmp_path / "rac.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(SystemExit) as failed:
        call_command("verify_document", str(junk), stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.code == 2


def test_identities_page_is_the_administrators(
    world: World, signing_settings: SigningPki, as_user: Callable[[User], Client]
) -> None:
    pki = signing_settings
    admin = as_user(world.admin)
    answer = admin.post(
        "/signing/identities/",
        {
            "owner_person": world.son_la_leader.pk,
            "backend": "pkcs12",
            "pkcs12": SimpleUploadedFile("lanh-dao.p12", pki.person.pkcs12),
            "password": "sai-mat-khau",
        },
    )
    assert answer.status_code == 400
    assert "mật khẩu sai" in answer.content.decode()
    answer = admin.post(
        "/signing/identities/",
        {
            "owner_person": world.son_la_leader.pk,
            "backend": "pkcs12",
            "pkcs12": SimpleUploadedFile("lanh-dao.p12", pki.person.pkcs12),
            "password": pki.person.password,
        },
    )
    assert answer.status_code == 302
    assert SigningIdentity.objects.filter(owner_person=world.son_la_leader).count() == 1
    assert as_user(world.son_la_leader).get("/signing/identities/").status_code == 403


def test_sign_a_years_document_as_leader_then_agency_and_a_new_version_after_a_change(
    world: World,
    signing_settings: SigningPki,
    as_user: Callable[[User], Client],
    settings: object,
) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing (scripts/bootstrap.sh installs it)"
    settings.THIDUA_SOFFICE = soffice  # type: ignore[attr-defined]
    leader_and_seal(world, signing_settings)
    world.launch()
    url = f"/signing/c/{world.cluster.slug}/{world.year.year}/"
    leader = login(world.son_la_leader)
    person = SigningIdentity.objects.get(owner_person=world.son_la_leader)
    seal = SigningIdentity.objects.get(owner_org=world.orgs["son_la"])

    # Lai Châu's leader does not run the year's documents.
    assert login(world.lai_chau_leader).get(url).status_code == 403
    answer = leader.post(url, {"kind": "pledge", "identity": person.pk})
    assert answer.status_code == 302, answer.content.decode()
    clerk = login(world.son_la_officer)
    # The clerk cannot choose the leader's identity: it is not offered, and refused if sent.
    assert clerk.post(url, {"kind": "pledge", "identity": person.pk}).status_code == 400
    answer = clerk.post(url, {"kind": "pledge", "identity": seal.pk, "on_latest": "on"})
    assert answer.status_code == 302
    first, sealed = SignedDocument.objects.order_by("pk")
    assert (first.version, sealed.version, sealed.previous_id) == (1, 1, first.pk)
    kept = sealed.file.read()

    cycle_actions.do_set_pledge(
        world.year,
        title="Giao ước thi đua năm 2016 (sửa đổi)",
        preamble="Các thành viên thống nhất ký kết:",
        articles=["Hoàn thành xuất sắc nhiệm vụ."],
        acting_user=world.son_la_officer,
    )
    assert leader.post(url, {"kind": "pledge", "identity": person.pk}).status_code == 302
    newest = SignedDocument.objects.order_by("pk").last()
    assert newest is not None and newest.version == 2
    sealed.refresh_from_db()
    with sealed.file.open("rb") as file:
        assert file.read() == kept
    assert "(sửa đổi)" not in _text(kept)
    with newest.file.open("rb") as file:
        assert "(sửa đổi)" in _text(file.read())
    page = leader.get(url).content.decode()
    assert page.count('data-testid="signed-version"') == 3
    download = login(world.lai_chau_officer).get(f"/signing/documents/{newest.pk}/download/")
    assert download.status_code == 200
    assert login(world.outsider).get(f"/signing/documents/{newest.pk}/download/").status_code == 404


def _text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return " ".join(page.extract_text() or "" for page in document.pages)
