"""The whole journey with real documents (LibreOffice) and real signatures (pyHanko): the
leader signs the Tờ trình, the secretariat exports the package, the supervisor imports it,
returns it with reasons, and the cluster reads the signed reply."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django import Settings

from thidua.audit.models import AuditEntry
from thidua.awards.models import Nomination
from thidua.dossier import actions, package, rules
from thidua.dossier.models import ReceivedDossier, ReceivedFile, SentDossier
from thidua.dossier.tests.conftest import Sending
from thidua.errors import ActionRefused
from thidua.signing.verification import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _libreoffice(settings: Settings) -> None:
    settings.THIDUA_SOFFICE = None  # looked up on PATH, as a server does by default


def _export(sending: Any, tmp: Any) -> Any:
    world = sending.world
    actions.do_sign_proposal(
        year=world.year,
        identity=sending.leader_identity,
        secret=None,
        acting_user=world.son_la_leader,
    )
    output = tmp / "ho-so.zip"
    call_command(
        "export_dossier",
        cluster=world.cluster.slug,
        year=2016,
        user=world.son_la_officer.username,
        output=output,
        stdout=io.StringIO(),
    )
    sent = SentDossier.objects.get()
    assert output.read_bytes() == _content(sent)
    return sent


def _content(sent: SentDossier) -> bytes:
    with sent.package.open("rb") as stored:
        return stored.read()


def test_the_package_holds_every_document_signed_and_a_signed_catalogue(
    sending: Sending, tmp_path: Path
) -> None:
    sent = _export(sending, tmp_path)
    files = package.read_zip(_content(sent))
    manifest = json.loads(files[rules.MANIFEST])
    assert manifest["format"] == rules.FORMAT
    assert manifest["sender"] == "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    assert manifest["receiver"] == "Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư"
    assert manifest["year"] == 2016 and manifest["leader"] == "Nguyễn Văn Lãnh"
    roles = sorted(f["role"] for f in manifest["files"])
    assert roles == ["achievement", "achievement", "evidence", "list", "proposal"]
    for entry in manifest["files"]:
        assert rules.sha256(files[entry["path"]]) == entry["sha256"]
        assert len(files[entry["path"]]) == entry["size"]
    # The Tờ trình: the leader's signature, then the agency's, both intact and trusted.
    report = verify_pdf(files["to-trinh.pdf"])
    assert [s.signer for s in report.signatures] == [
        "Nguyễn Văn Lãnh",
        "Sở Kế hoạch và Đầu tư tỉnh Sơn La",
    ]
    assert report.ok
    # The catalogue carries the manifest itself, under the agency's signature.
    catalogue = verify_pdf(files[rules.CATALOGUE])
    assert catalogue.ok and catalogue.signatures[0].covers_whole_file
    assert package.embedded(files[rules.CATALOGUE], rules.MANIFEST) == files[rules.MANIFEST]
    assert AuditEntry.objects.filter(action="dossier.send", object_id=str(sent.pk)).exists()
    received_and_returned(sending, sent)


def test_the_export_waits_for_the_leaders_signature(sending: Sending) -> None:
    world = sending.world
    with pytest.raises(ActionRefused) as refused:
        actions.do_export_dossier(
            year=world.year,
            identity=sending.agency_identity,
            secret=None,
            acting_user=world.son_la_officer,
        )
    assert "chưa ký" in refused.value.message
    assert not SentDossier.objects.exists()


def received_and_returned(sending: Any, sent: Any) -> None:
    """The supervisor imports the package, returns it with reasons; a reply changed on the
    way is refused, the signed one is read."""
    world = sending.world
    dossier = actions.do_import_dossier(
        content=_content(sent), acting_user=sending.supervisor_officer
    )
    assert dossier.sender_name == "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    assert dossier.local_year == world.year
    received = sorted(dossier.nominations.all(), key=lambda n: n.nomination_id or 0)
    assert [n.nominee_name for n in received] == ["Nguyễn Thị Hòa", "Trần Văn Bình"]
    assert [n.nomination for n in received] == sending.nominations
    evidence = ReceivedFile.objects.get(dossier=dossier, role="evidence")
    assert evidence.nomination == received[0] and evidence.title == "bang-khen.pdf"
    with evidence.file.open("rb") as kept:
        assert rules.sha256(kept.read()) == evidence.sha256
    checks = [s for item in dossier.verification for s in item["signatures"]]
    assert checks and all(s["intact"] and s["trusted"] for s in checks)
    assert AuditEntry.objects.filter(action="dossier.receive").count() == 1

    # The same package again is refused: it was received already.
    with pytest.raises(ActionRefused) as again:
        actions.do_import_dossier(content=_content(sent), acting_user=sending.supervisor_officer)
    assert "đã được nhận" in " ".join(again.value.details)

    returned = actions.do_return_dossier(
        dossier,
        reason="Hồ sơ thiếu biên bản họp xét của đơn vị.",
        reasons={received[1].pk: "Chưa có xác nhận của cơ quan quản lý."},
        identity=sending.supervisor_identity,
        secret=None,
        acting_user=sending.supervisor_officer,
    )
    assert returned.status == ReceivedDossier.Status.RETURNED
    with returned.reply.open("rb") as stored:
        reply = stored.read()
    files = package.read_zip(reply)
    assert verify_pdf(files[rules.REPLY_LETTER]).ok

    tampered = dict(files)
    data = json.loads(tampered[rules.REPLY])
    data["reason"] = "Lý do khác"
    tampered[rules.REPLY] = json.dumps(data, ensure_ascii=False).encode()
    with pytest.raises(ActionRefused) as refused:
        actions.do_import_reply(
            year=world.year, content=package.write_zip(tampered), acting_user=world.son_la_officer
        )
    assert rules.REPLY_LETTER in " ".join(refused.value.details)
    assert not Nomination.objects.filter(status=Nomination.Status.RETURNED).exists()
    assert AuditEntry.objects.filter(action="dossier.refuse").exists()

    actions.do_import_reply(year=world.year, content=reply, acting_user=world.son_la_officer)
    first, second = (Nomination.objects.get(pk=n.pk) for n in sending.nominations)
    assert first.status == second.status == Nomination.Status.RETURNED
    assert first.return_reason == "Hồ sơ thiếu biên bản họp xét của đơn vị."
    assert second.return_reason == "Chưa có xác nhận của cơ quan quản lý."
    sent.refresh_from_db()
    assert sent.status == SentDossier.Status.RETURNED
    for action in ("dossier.return", "dossier.reply_read", "nomination.return"):
        assert AuditEntry.objects.filter(action=action).exists(), action
