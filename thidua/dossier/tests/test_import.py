"""Importing a package on the supervising side: every file and every signature checked, the
package refused whole naming what is wrong, nothing half-imported; into this installation
or into another one where the sender's rows do not exist.

The packages here are made of small PDFs signed for real (pyHanko, through the signing
area, with the test authority's certificates); the documents LibreOffice makes are
exercised by test_round_trip.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pytest_django import Settings

from thidua.audit.models import AuditEntry
from thidua.dossier import actions, package, rules
from thidua.dossier.models import ReceivedDossier, ReceivedFile, ReceivedNomination
from thidua.errors import ActionRefused
from thidua.orgs.actions import do_create_organization
from thidua.orgs.models import Organization
from thidua.signing import actions as signing
from thidua.signing.testing import leader_and_seal
from thidua.testing.personas import build_world, make_user

from .conftest import SUPERVISOR, Sending, blank_pdf

pytestmark = pytest.mark.django_db
SENDER = "Sở Kế hoạch và Đầu tư tỉnh Sơn La"


def sign(data: bytes, identity: Any, user: Any, role: str) -> bytes:
    signed = signing.do_sign_pdf(
        acting_user=user,
        identity=identity,
        pdf=data,
        secret=None,
        role=role,
        kind="dossier.test",
        reference=f"test/{identity.pk}/{role}",
    )
    with signed.file.open("rb") as stored:
        return stored.read()


def make_package(
    world: Any,
    leader_identity: Any,
    agency_identity: Any,
    *,
    dossier_id: str = "0f8e6a52-0000-4000-8000-000000000001",
    evidence: bytes = b"%PDF-1.4 minh chung",
    receiver: str = SUPERVISOR,
    leader_signs: bool = True,
    agency_signs_twice: bool = False,
    catalogue_signer: tuple[Any, Any, str] | None = None,
    achievement: bytes | None = None,
) -> bytes:
    """A package as the cluster sends it: a Tờ trình, one nominee's report and evidence."""
    proposal = blank_pdf(b"to trinh")
    if leader_signs:
        proposal = sign(proposal, leader_identity, world.son_la_leader, "person")
    proposal = sign(proposal, agency_identity, world.son_la_officer, "agency")
    if agency_signs_twice:
        proposal = sign(
            proposal + b"\n% bo sung\n", agency_identity, world.son_la_officer, "agency"
        )
    if achievement is None:
        achievement = sign(blank_pdf(b"bao cao"), agency_identity, world.son_la_officer, "agency")
    files: dict[str, tuple[bytes, str, str]] = {
        "to-trinh.pdf": (proposal, rules.Role.PROPOSAL, ""),
        "N1/bao-cao-thanh-tich.pdf": (achievement, rules.Role.ACHIEVEMENT, "N1"),
        "N1/minh-chung-1.pdf": (evidence, rules.Role.EVIDENCE, "N1"),
    }
    return seal(
        world,
        agency_identity,
        files,
        dossier_id=dossier_id,
        receiver=receiver,
        catalogue_signer=catalogue_signer,
    )


def seal(
    world: Any,
    agency_identity: Any,
    files: dict[str, tuple[bytes, str, str]],
    *,
    dossier_id: str,
    receiver: str = SUPERVISOR,
    catalogue_signer: tuple[Any, Any, str] | None = None,
) -> bytes:
    """The manifest of `files` and the catalogue carrying it, signed; all zipped."""
    manifest = rules.Manifest(
        format=rules.FORMAT,
        dossier_id=dossier_id,
        sender=SENDER,
        leader="Nguyễn Văn Lãnh",
        receiver=receiver,
        cluster="Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc",
        cluster_slug="mien-nui-bien-gioi-phia-bac",
        year=2016,
        created_at="2016-12-20T09:00:00+07:00",
        files=[
            rules.Entry(path, role, len(data), rules.sha256(data), nominee)
            for path, (data, role, nominee) in files.items()
        ],
        nominees=[
            {
                "ref": "N1",
                "name": "Nguyễn Thị Hòa",
                "collective": False,
                "unit": SENDER,
                "award_code": "cstd_bo",
                "award": "Chiến sĩ thi đua cấp Bộ",
                "summary": "Hoàn thành xuất sắc nhiệm vụ được giao.",
            }
        ],
    )
    raw = rules.manifest_bytes(manifest)
    catalogue = package.embed_json(blank_pdf(b"danh muc"), rules.MANIFEST, raw, "manifest")
    identity, user, role = catalogue_signer or (agency_identity, world.son_la_officer, "agency")
    catalogue = sign(catalogue, identity, user, role)
    return package.write_zip(
        {
            rules.MANIFEST: raw,
            rules.CATALOGUE: catalogue,
            **{path: data for path, (data, _role, _n) in files.items()},
        }
    )


@pytest.fixture
def good(sending: Sending) -> bytes:
    return make_package(sending.world, sending.leader_identity, sending.agency_identity)


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    return package.write_zip(files)


def refused(sending: Sending, content: bytes) -> str:
    """Import `content`; it must be refused with nothing kept. The refusal's words."""
    before = AuditEntry.objects.filter(action="dossier.refuse").count()
    with pytest.raises(ActionRefused) as caught:
        actions.do_import_dossier(content=content, acting_user=sending.supervisor_officer)
    assert not ReceivedDossier.objects.exists()
    assert not ReceivedNomination.objects.exists()
    assert not ReceivedFile.objects.exists()
    assert AuditEntry.objects.filter(action="dossier.refuse").count() == before + 1
    return " ".join([caught.value.message, *caught.value.details])


def test_a_sound_package_is_imported_with_its_nominations_and_files(
    sending: Sending, good: bytes, settings: Settings
) -> None:
    dossier = actions.do_import_dossier(content=good, acting_user=sending.supervisor_officer)
    nomination = dossier.nominations.get()
    assert (nomination.nominee_name, nomination.award_name) == (
        "Nguyễn Thị Hòa",
        "Chiến sĩ thi đua cấp Bộ",
    )
    assert sorted(f.path for f in nomination.files.all()) == [
        "N1/bao-cao-thanh-tich.pdf",
        "N1/minh-chung-1.pdf",
    ]
    signers = [
        (item["path"], s["signer"]) for item in dossier.verification for s in item["signatures"]
    ]
    assert (rules.CATALOGUE, SENDER) in signers
    assert ("to-trinh.pdf", "Nguyễn Văn Lãnh") in signers
    entry = AuditEntry.objects.get(action="dossier.receive")
    assert entry.actor == sending.supervisor_officer


def test_an_import_holds_its_receiver_so_the_received_list_takes_ids_in_commit_order(
    sending: Sending, good: bytes
) -> None:
    """Imports into one agency take turns until each commits, so a mirror reading the received
    list by cursor after the last id it saw misses none; the lock is FOR NO KEY UPDATE, which no
    other commit's foreign-key check on the agency waits for."""
    with CaptureQueriesContext(connection) as seen:
        dossier = actions.do_import_dossier(content=good, acting_user=sending.supervisor_officer)
    sqls = [q["sql"] for q in seen.captured_queries]
    written = next(
        i for i, sql in enumerate(sqls) if 'INSERT INTO "dossier_receiveddossier"' in sql
    )
    if connection.vendor != "postgresql":
        return  # SQLite lets one writer at a time: ids are in commit order by construction
    held = [
        i
        for i, sql in enumerate(sqls)
        if 'FROM "orgs_organization"' in sql
        and "FOR NO KEY UPDATE" in sql
        and str(dossier.receiver_id) in sql
    ]
    assert held and held[0] < written, sqls[: written + 1]


def test_a_changed_file_is_refused_naming_it(sending: Sending, good: bytes) -> None:
    files = members(good)
    files["N1/minh-chung-1.pdf"] = files["N1/minh-chung-1.pdf"].replace(b"chung", b"CHUNG")
    words = refused(sending, rezip(files))
    assert "Tệp “N1/minh-chung-1.pdf” đã bị thay đổi" in words
    assert "không dữ liệu nào được nhập" in words


def test_a_missing_file_is_refused_naming_it(sending: Sending, good: bytes) -> None:
    files = members(good)
    del files["N1/bao-cao-thanh-tich.pdf"]
    assert "Thiếu tệp “N1/bao-cao-thanh-tich.pdf”" in refused(sending, rezip(files))


def test_an_added_file_is_refused_naming_it(sending: Sending, good: bytes) -> None:
    files = members(good)
    files["N1/them.pdf"] = b"%PDF-1.4 them"
    assert "Tệp “N1/them.pdf” không có trong manifest.json" in refused(sending, rezip(files))


def test_a_manifest_rewritten_to_match_a_changed_file_is_caught_by_the_signed_catalogue(
    sending: Sending, good: bytes
) -> None:
    files = members(good)
    files["N1/minh-chung-1.pdf"] = b"%PDF-1.4 thay the"
    manifest = json.loads(files[rules.MANIFEST])
    for entry in manifest["files"]:
        if entry["path"] == "N1/minh-chung-1.pdf":
            entry["sha256"] = rules.sha256(files["N1/minh-chung-1.pdf"])
            entry["size"] = len(files["N1/minh-chung-1.pdf"])
    files[rules.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    words = refused(sending, rezip(files))
    assert "Danh mục hồ sơ đã ký (danh-muc-ho-so.pdf) không chứa đúng tệp manifest.json" in words


def test_a_zip_bomb_is_refused_before_it_is_unpacked(sending: Sending) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("bom.bin", b"\0" * (package.MAX_UNZIPPED_BYTES + 1))
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    assert "bom zip" in refused(sending, content)


def test_a_path_climbing_out_of_the_folder_is_refused(sending: Sending, good: bytes) -> None:
    files = members(good)
    files["../../etc/cron.d/thidua"] = b"* * * * * root true"
    assert "“../../etc/cron.d/thidua” trong gói trỏ ra ngoài thư mục" in refused(
        sending, rezip(files)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("/etc/passwd", b"x")
    assert "“/etc/passwd” trong gói trỏ ra ngoài thư mục" in refused(sending, buffer.getvalue())


def test_too_many_files_are_refused(sending: Sending) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(rules.MAX_FILES + 1):
            archive.writestr(f"t/{index}.txt", b"x")
    assert f"chứa {rules.MAX_FILES + 1} tệp" in refused(sending, buffer.getvalue())


def test_a_file_that_is_not_a_zip_is_refused(sending: Sending) -> None:
    assert "không phải là gói hồ sơ" in refused(sending, b"%PDF-1.4 not a zip")


def test_a_catalogue_signed_by_someone_of_another_agency_is_refused(
    sending: Sending, trust: Any
) -> None:
    world = sending.world
    other = signing.do_add_pkcs12_identity(
        acting_user=world.admin,
        owner_person=world.cao_bang_leader,
        data=trust.other_person.pkcs12,
        password=trust.other_person.password,
    )
    content = make_package(
        world,
        sending.leader_identity,
        sending.agency_identity,
        catalogue_signer=(other, world.cao_bang_leader, "person"),
    )
    words = refused(sending, content)
    assert "được ký bởi Trần Thị Khác, không thuộc cơ quan gửi hồ sơ" in words
    assert "thiếu chữ ký số của cơ quan Sở Kế hoạch và Đầu tư tỉnh Sơn La" in words


def test_a_proposal_letter_without_its_leaders_signature_is_refused(sending: Sending) -> None:
    content = make_package(
        sending.world, sending.leader_identity, sending.agency_identity, leader_signs=False
    )
    assert "Tờ trình “to-trinh.pdf” thiếu chữ ký số của người có thẩm quyền" in refused(
        sending, content
    )


def test_signatures_of_an_authority_this_installation_does_not_trust_are_refused(
    sending: Sending, good: bytes, settings: Settings
) -> None:
    settings.THIDUA_SIGNING_TRUST_ROOTS = settings.THIDUA_SIGNING_TRUST_ROOTS[1:]
    words = refused(sending, good)
    assert "Chứng thư số của Sở Kế hoạch và Đầu tư tỉnh Sơn La" in words
    assert "không thuộc tổ chức chứng thực được tin cậy" in words


def test_a_report_changed_by_an_incremental_update_after_signing_is_refused(
    sending: Sending,
) -> None:
    world = sending.world
    signed = sign(blank_pdf(b"bao cao"), sending.agency_identity, world.son_la_officer, "agency")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (Them) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    content = make_package(
        world, sending.leader_identity, sending.agency_identity, achievement=out.getvalue()
    )
    words = refused(sending, content)
    assert "Tệp “N1/bao-cao-thanh-tich.pdf” đã bị thay đổi sau khi" in words


def test_a_letter_signed_twice_with_the_same_key_over_different_content_is_refused(
    sending: Sending,
) -> None:
    content = make_package(
        sending.world, sending.leader_identity, sending.agency_identity, agency_signs_twice=True
    )
    words = refused(sending, content)
    assert "“to-trinh.pdf” được ký hai lần bằng cùng một khóa" in words


def test_a_dossier_sent_again_with_other_content_under_the_same_number_is_refused(
    sending: Sending,
) -> None:
    world = sending.world
    first = make_package(world, sending.leader_identity, sending.agency_identity)
    actions.do_import_dossier(content=first, acting_user=sending.supervisor_officer)
    second = make_package(
        world, sending.leader_identity, sending.agency_identity, evidence=b"%PDF-1.4 khac"
    )
    with pytest.raises(ActionRefused) as caught:
        actions.do_import_dossier(content=second, acting_user=sending.supervisor_officer)
    assert "đã được nhận trước đây với nội dung khác" in " ".join(caught.value.details)
    assert ReceivedDossier.objects.count() == 1
    assert ReceivedFile.objects.filter(path="N1/minh-chung-1.pdf").get().size == len(
        b"%PDF-1.4 minh chung"
    )


def test_a_package_for_another_agency_is_refused(sending: Sending) -> None:
    content = make_package(
        sending.world,
        sending.leader_identity,
        sending.agency_identity,
        receiver="Ban Thi đua - Khen thưởng Trung ương",
    )
    assert "được gửi cho Ban Thi đua - Khen thưởng Trung ương" in refused(sending, content)


def test_a_failure_while_storing_leaves_nothing_behind(
    sending: Sending, good: bytes, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: list[str] = []
    original = ReceivedFile.save

    def failing_save(self: ReceivedFile, *args: Any, **kwargs: Any) -> None:
        if saved:
            raise OSError("the disk failed")
        saved.append(self.path)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ReceivedFile, "save", failing_save)
    with pytest.raises(OSError):
        actions.do_import_dossier(content=good, acting_user=sending.supervisor_officer)
    assert saved  # one file was stored before the failure
    assert not ReceivedDossier.objects.exists() and not ReceivedFile.objects.exists()
    left = [p for p in Path(settings.MEDIA_ROOT, "dossier").rglob("*") if p.is_file()]
    assert left == []


def test_another_installation_without_the_senders_rows_imports_the_package(
    trust: Any, award: Any
) -> None:
    # The sender's installation: its rows exist only inside this block, rolled back after.
    with transaction.atomic():
        world = build_world()
        from thidua.awards.tests.conftest import to_proposals

        to_proposals(world)
        leader, agency = leader_and_seal(world, trust)
        content = make_package(world, leader, agency)
        transaction.set_rollback(True)
    assert not Organization.objects.filter(name=SENDER).exists()
    # The ministry's own installation: its department and one officer, nothing else.
    admin = make_user("quan-tri", None, is_superuser=True, is_staff=True)
    ministry = do_create_organization(
        name=SUPERVISOR, kind=Organization.Kind.MINISTRY_DEPARTMENT, acting_user=admin
    )
    from thidua.orgs.actions import do_create_cluster

    do_create_cluster(slug="cum-khac", name="Cụm khác", supervisor=ministry, acting_user=admin)
    officer = make_user("bo-canbo", ministry, full_name="Hoàng Văn Nhận")
    dossier = actions.do_import_dossier(content=content, acting_user=officer)
    assert dossier.local_year is None
    nomination = dossier.nominations.get()
    assert nomination.nomination is None and nomination.nominee_name == "Nguyễn Thị Hòa"
    assert dossier.files.count() == 3
