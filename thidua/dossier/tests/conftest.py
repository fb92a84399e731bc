"""The dossier's personas: the cluster's year with its proposal compiled, real certificates
(the signing area's test authority) for Sơn La's leader and agency, and one for the
supervising department from a second trusted authority."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from thidua.award_history import actions as history
from thidua.award_history.tests.conftest import _catalogue as _catalogue
from thidua.award_history.tests.conftest import award as award
from thidua.awards import actions as awards
from thidua.awards.tests.conftest import to_proposals
from thidua.signing import actions as signing
from thidua.signing import testing as signing_testing
from thidua.signing.models import SigningIdentity
from thidua.testing.personas import make_user

SUPERVISOR = "Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư"

_supervisor_pki: dict[str, Any] = {}


def supervisor_credential(folder: Any) -> tuple[signing_testing.Credential, Any]:
    """The supervising department's agency certificate, from a second test authority."""
    if not _supervisor_pki:
        root, key = signing_testing.new_authority("CA thử nghiệm của Bộ")
        credential = signing_testing.issue(root, key, SUPERVISOR, SUPERVISOR)
        path = folder / "ministry-root.pem"
        path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        _supervisor_pki.update(credential=credential, root=path)
    return _supervisor_pki["credential"], _supervisor_pki["root"]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def trust(signing_settings: Any, settings: Any) -> Any:
    """Both test authorities trusted: the cluster's and the ministry's."""
    _credential, root = supervisor_credential(signing_settings.folder)
    settings.THIDUA_SIGNING_TRUST_ROOTS = [*settings.THIDUA_SIGNING_TRUST_ROOTS, str(root)]
    return signing_settings


@dataclass
class Sending:
    world: Any
    leader_identity: SigningIdentity
    agency_identity: SigningIdentity
    supervisor_officer: Any
    supervisor_identity: SigningIdentity
    nominations: list[Any]


def blank_pdf(text: bytes = b"") -> bytes:
    """A one-page PDF (with `text` in a comment of its content, to make files differ)."""
    writer = PdfFileWriter()
    content = writer.add_object(generic.StreamObject(stream_data=b"% " + text + b"\n"))
    writer.insert_page(PageObject(contents=content, media_box=[0, 0, 595, 842]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def sending(world: Any, trust: Any, award: Any) -> Sending:
    return make_sending(world, trust, award)


def make_sending(world: Any, trust: Any, award: Any) -> Sending:
    """Sơn La (the head) with its leader's and agency's certificates, and a proposal of two
    nominations (one with an evidence file) compiled by the secretariat."""
    to_proposals(world)
    leader, agency = signing_testing.leader_and_seal(world, trust)
    credential, _root = supervisor_credential(trust.folder)
    officer = make_user("vu-tdkt-canbo", world.orgs["supervisor"], full_name="Đỗ Văn Thư")
    supervisor_identity = signing.do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_org=world.orgs["supervisor"],
        data=credential.pkcs12,
        password=credential.password,
    )
    nominations = []
    for unit, officer_of, leader_of, name in (
        ("son_la", world.son_la_officer, world.son_la_leader, "Nguyễn Thị Hòa"),
        ("lai_chau", world.lai_chau_officer, world.lai_chau_leader, "Trần Văn Bình"),
    ):
        person = history.do_register_person(
            full_name=name,
            birth_year=1980,
            gender="female",
            unit=world.orgs[unit],
            position="Chuyên viên",
            year=world.year,
            acting_user=officer_of,
        )
        nomination = awards.do_draft_nomination(
            world.year,
            unit=world.orgs[unit],
            award_type=award("cstd_bo"),
            summary="Hoàn thành xuất sắc nhiệm vụ được giao.",
            person=person,
            clean_record=True,
            acting_user=officer_of,
        )
        if unit == "son_la":
            awards.do_attach_evidence(
                nomination,
                upload=SimpleUploadedFile("bang-khen.pdf", blank_pdf(b"minh chung")),
                acting_user=officer_of,
            )
        awards.do_submit_nomination(nomination, acting_user=leader_of)
        nominations.append(nomination)
    awards.do_compile_proposal(world.year, acting_user=world.son_la_officer)
    return Sending(world, leader, agency, officer, supervisor_identity, nominations)
