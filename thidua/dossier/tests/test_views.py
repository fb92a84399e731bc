"""The dossier's pages and commands: who may use them, and what they tell."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from thidua.dossier.models import ReceivedDossier
from thidua.dossier.tests.conftest import Sending
from thidua.orgs.models import User

from .test_import import make_package

pytestmark = pytest.mark.django_db


def year_url(world: Any, what: Any = "") -> Any:
    return f"/dossier/c/{world.cluster.slug}/2016/{what}"


def test_the_supervisors_officer_imports_a_package_through_the_page(
    as_user: Callable[[User], Client], sending: Sending
) -> None:
    world = sending.world
    content = make_package(world, sending.leader_identity, sending.agency_identity)
    client = as_user(sending.supervisor_officer)
    response = client.post(
        "/dossier/received/", {"package": SimpleUploadedFile("ho-so.zip", content)}
    )
    dossier = ReceivedDossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dossier/received/{dossier.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Nguyễn Thị Hòa" in page and "Nguyễn Văn Lãnh" in page
    assert "Ký số và trả lại" in page
    listing = client.get("/dossier/received/").content.decode()
    assert "Sở Kế hoạch và Đầu tư tỉnh Sơn La" in listing
    assert "4 chữ ký số nguyên vẹn, tin cậy" in listing
    # Another member's officer may not import, nor see what the ministry received.
    other = as_user(world.lai_chau_officer)
    assert other.get("/dossier/received/").status_code == 403
    assert other.get(f"/dossier/received/{dossier.pk}/").status_code == 404
    denied = other.post("/dossier/received/", {"package": SimpleUploadedFile("ho-so.zip", content)})
    assert denied.status_code == 403


def test_a_refused_package_is_told_on_the_page_in_vietnamese(
    as_user: Callable[[User], Client], sending: Sending
) -> None:
    client = as_user(sending.supervisor_officer)
    response = client.post(
        "/dossier/received/", {"package": SimpleUploadedFile("ho-so.zip", b"khong phai zip")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Gói hồ sơ bị từ chối toàn bộ" in page
    assert "Tệp không phải là gói hồ sơ (tệp .zip)." in page
    assert not ReceivedDossier.objects.exists()
    # The refusal stays listed for the agency, with its reasons.
    listing = client.get("/dossier/received/").content.decode()
    assert "Các gói hồ sơ bị từ chối" in listing
    assert "Tệp không phải là gói hồ sơ (tệp .zip)." in listing


def test_the_year_page_offers_each_person_their_own_step(
    as_user: Callable[[User], Client], sending: Sending
) -> None:
    world = sending.world
    leader_page = as_user(world.son_la_leader).get(year_url(world)).content.decode()
    assert 'data-testid="sign-proposal"' in leader_page
    officer_page = as_user(world.son_la_officer).get(year_url(world)).content.decode()
    assert 'data-testid="export-dossier"' in officer_page
    assert 'data-testid="sign-proposal"' not in officer_page
    assert as_user(world.lai_chau_officer).get(year_url(world)).status_code == 403
    assert as_user(world.outsider).get(year_url(world)).status_code == 404
    # Only the head's leader signs the Tờ trình; the deputy's leader is refused.
    refused = as_user(world.cao_bang_leader).post(
        year_url(world, "sign/"), {"identity": sending.leader_identity.pk}
    )
    assert refused.status_code == 403


def test_the_export_through_the_page_waits_for_the_leader(
    as_user: Callable[[User], Client], sending: Sending
) -> None:
    world = sending.world
    response = as_user(world.son_la_officer).post(
        year_url(world, "export/"), {"export-identity": sending.agency_identity.pk}
    )
    assert response.status_code == 409
    assert "chưa ký Tờ trình" in response.content.decode()


def test_the_import_command_tells_what_is_wrong(sending: Sending, tmp_path: Path) -> None:
    world = sending.world
    path = tmp_path / "ho-so.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with pytest.raises(CommandError) as refused:
        call_command("import_dossier", str(path), user=sending.supervisor_officer.username)
    assert "Gói hồ sơ bị từ chối toàn bộ" in str(refused.value)
    path.write_bytes(make_package(world, sending.leader_identity, sending.agency_identity))
    out = io.StringIO()
    call_command("import_dossier", str(path), user=sending.supervisor_officer.username, stdout=out)
    assert "1" in out.getvalue() and ReceivedDossier.objects.count() == 1
