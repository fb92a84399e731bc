"""The signed dossier in the API: the cluster signs, exports and reads the reply; the
supervising department receives, lists, reads and returns; each allowed for whom the page
allows and refused, with the page's words and status, for the rest."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from thidua.api.tests.conftest import year_url
from thidua.audit.models import AuditEntry
from thidua.award_history.tests.conftest import _catalogue as _catalogue
from thidua.award_history.tests.conftest import award as award
from thidua.awards.models import Nomination
from thidua.dossier import package, rules
from thidua.dossier.models import ReceivedDossier, ReceivedNomination, SentDossier
from thidua.dossier.tests.conftest import Sending, make_sending, supervisor_credential
from thidua.dossier.tests.test_import import make_package
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.orgs.models import User
from thidua.signing.models import SignedDocument
from thidua.signing.testing import SigningPki
from thidua.signing.verification import verify_pdf
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

RECEIVED = "/api/v1/dossiers/received"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def trust(signing_settings: SigningPki, settings: Any) -> SigningPki:
    """Both test authorities trusted: the cluster's and the ministry's."""
    _credential, root = supervisor_credential(signing_settings.folder)
    settings.THIDUA_SIGNING_TRUST_ROOTS = [*settings.THIDUA_SIGNING_TRUST_ROOTS, str(root)]
    return signing_settings


@pytest.fixture
def sending(world: World, trust: SigningPki, award: Any) -> Sending:
    return make_sending(world, trust, award)


@pytest.fixture
def libreoffice(settings: Any) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing (scripts/bootstrap.sh installs it)"
    settings.THIDUA_SOFFICE = soffice


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dossier_url(world: World, what: str = "") -> str:
    return f"{year_url(world)}/dossier{what}"


def upload(content: bytes, name: str = "ho-so.zip") -> dict[str, Any]:
    return {"package": SimpleUploadedFile(name, content, "application/zip")}


# --- the supervising department ------------------------------------------------------------


def test_the_supervisor_receives_lists_and_reads_a_package(sending: Sending, api: Any) -> None:
    world = sending.world
    good = make_package(world, sending.leader_identity, sending.agency_identity)
    # Another member's officer supervises nothing: refused, and nothing kept.
    denied = api(world.lai_chau_officer).post(RECEIVED, upload(good))
    assert denied.status_code == 403
    assert not ReceivedDossier.objects.exists()

    answer = api(sending.supervisor_officer).post(RECEIVED, upload(good))
    assert answer.status_code == 201, answer.content
    made = answer.json()
    dossier = ReceivedDossier.objects.get()
    assert made["id"] == dossier.pk and made["status"] == "review"
    assert made["sender"] == "Sở Kế hoạch và Đầu tư tỉnh Sơn La"
    [nominee] = made["nominations_received"]
    assert nominee["nominee"] == "Nguyễn Thị Hòa"
    assert sorted(f["path"] for f in nominee["files"]) == [
        "N1/bao-cao-thanh-tich.pdf",
        "N1/minh-chung-1.pdf",
    ]
    signers = {(s["path"], s["signer"]) for s in made["signatures_checked"]}
    assert ("to-trinh.pdf", "Nguyễn Văn Lãnh") in signers
    assert all(s["intact"] and s["trusted"] for s in made["signatures_checked"])
    assert AuditEntry.objects.filter(
        action="dossier.receive", actor=sending.supervisor_officer
    ).exists()

    # Each file downloads as the package held it.
    evidence = next(f for f in nominee["files"] if f["path"] == "N1/minh-chung-1.pdf")
    download = api(sending.supervisor_officer).get(evidence["file"])
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == evidence["sha256"]
    # Who may not see what the ministry received is told it does not exist.
    other = api(world.lai_chau_officer)
    assert other.get(f"{RECEIVED}/{dossier.pk}").status_code == 404
    assert other.get(evidence["file"]).status_code == 404
    assert other.get(RECEIVED).status_code == 403

    officer = api(sending.supervisor_officer)  # the test client now carries this token
    # The same package again: refused whole as received before (409), nothing added.
    again = officer.post(RECEIVED, upload(good))
    assert again.status_code == 409
    assert any("đã được nhận" in d for d in again.json()["details"])
    assert ReceivedDossier.objects.count() == 1

    second = make_package(
        world,
        sending.leader_identity,
        sending.agency_identity,
        dossier_id="0f8e6a52-0000-4000-8000-000000000002",
    )
    assert officer.post(RECEIVED, upload(second)).status_code == 201
    first_page = officer.get(RECEIVED, {"limit": 1})
    assert first_page.status_code == 200
    assert first_page.json()["more"] is True
    [listed] = first_page.json()["dossiers"]
    assert listed["id"] == dossier.pk and listed["signatures"] == dossier.signature_count
    after = first_page.json()["next"]
    rest = officer.get(RECEIVED, {"limit": 1, "after": after})
    assert [d["dossier_id"] for d in rest.json()["dossiers"]] == [
        "0f8e6a52-0000-4000-8000-000000000002"
    ]
    assert rest.json()["more"] is False
    # A cursor brought to other filters is refused; an unchanged list answers 304.
    assert officer.get(RECEIVED, {"after": after, "status": "returned"}).status_code == 422
    # By its ETag; a date to the second alone never answers 304 (a change in the same second
    # would leave it as it was).
    etag = first_page["ETag"]
    assert officer.get(RECEIVED, {"limit": 1}, headers={"If-None-Match": etag}).status_code == 304
    since = first_page["Last-Modified"]
    dated = officer.get(RECEIVED, {"limit": 1}, headers={"If-Modified-Since": since})
    assert dated.status_code == 200 and dated.json() == first_page.json()
    # The administrator reads every dossier received.
    assert len(api(world.admin).get(RECEIVED).json()["dossiers"]) == 2


def test_a_package_that_is_not_a_zip_is_refused_as_on_the_page(sending: Sending, api: Any) -> None:
    officer = sending.supervisor_officer
    said = page_client(officer).post("/dossier/received/", upload(b"khong phai zip"))
    answer = api(officer).post(RECEIVED, upload(b"khong phai zip"))
    assert said.status_code == answer.status_code == 400
    refused = answer.json()
    assert refused["detail"] == "Gói hồ sơ bị từ chối toàn bộ, không dữ liệu nào được nhập:"
    assert refused["details"] == ["Tệp không phải là gói hồ sơ (tệp .zip)."]
    page_words = [str(e) for e in said.context["form"].errors["package"]]
    assert page_words == [refused["detail"], *refused["details"]]
    assert not ReceivedDossier.objects.exists()
    assert AuditEntry.objects.filter(action="dossier.refuse").count() == 2


def test_a_changed_file_is_refused_whole_naming_it(sending: Sending, api: Any) -> None:
    good = make_package(sending.world, sending.leader_identity, sending.agency_identity)
    files = package.read_zip(good)
    files["N1/minh-chung-1.pdf"] = files["N1/minh-chung-1.pdf"].replace(b"chung", b"CHUNG")
    answer = api(sending.supervisor_officer).post(RECEIVED, upload(package.write_zip(files)))
    assert answer.status_code == 400
    assert any("N1/minh-chung-1.pdf" in d for d in answer.json()["details"])
    assert not ReceivedDossier.objects.exists() and not ReceivedNomination.objects.exists()


def test_returning_is_refused_without_a_reason_or_to_another_agency(
    sending: Sending, api: Any
) -> None:
    world = sending.world
    good = make_package(world, sending.leader_identity, sending.agency_identity)
    made = api(sending.supervisor_officer).post(RECEIVED, upload(good)).json()
    url = f"{RECEIVED}/{made['id']}/return"
    body = {"identity": sending.supervisor_identity.pk, "reason": "Thiếu biên bản."}
    assert post(api(world.lai_chau_officer), url, body).status_code == 404
    blank = post(api(sending.supervisor_officer), url, {**body, "reason": "   "})
    assert blank.status_code == 400
    assert blank.json()["detail"].startswith("Yêu cầu không hợp lệ: reason:")
    # The cluster's seal is not the receiving agency's to sign with.
    foreign = post(
        api(sending.supervisor_officer), url, {**body, "identity": sending.agency_identity.pk}
    )
    assert foreign.status_code == 400
    assert foreign.json()["detail"].startswith("Yêu cầu không hợp lệ: identity:")
    assert ReceivedDossier.objects.get().status == ReceivedDossier.Status.REVIEW
    assert api(sending.supervisor_officer).get(f"{RECEIVED}/{made['id']}/reply").status_code == 404


# --- the cluster ---------------------------------------------------------------------------


def test_only_the_heads_leader_signs_and_only_the_secretariat_exports(
    sending: Sending, api: Any
) -> None:
    world = sending.world
    body = {"identity": sending.leader_identity.pk}
    assert post(api(world.cao_bang_leader), dossier_url(world, "/sign"), body).status_code == 403
    assert post(api(world.son_la_officer), dossier_url(world, "/sign"), body).status_code == 403
    assert post(api(world.outsider), dossier_url(world, "/sign"), body).status_code == 404
    # The leader may not sign the Tờ trình with the agency's seal: it is not theirs.
    seal = post(
        api(world.son_la_leader),
        dossier_url(world, "/sign"),
        {"identity": sending.agency_identity.pk},
    )
    assert seal.status_code == 400
    export = {"identity": sending.agency_identity.pk}
    assert (
        post(api(world.lai_chau_officer), dossier_url(world, "/export"), export).status_code == 403
    )
    reply = api(world.son_la_officer).post(dossier_url(world, "/reply"), upload(b"rac"))
    assert reply.status_code == 400
    assert reply.json()["details"] == ["Tệp không phải là gói hồ sơ (tệp .zip)."]
    assert api(world.lai_chau_officer).get(dossier_url(world)).status_code == 403
    read = api(world.supervisor).get(dossier_url(world))
    assert read.status_code == 200
    assert read.json()["compiled"] == 2 and read.json()["leader_signed"] is None
    assert not SignedDocument.objects.exists() and not SentDossier.objects.exists()


def test_the_export_waits_for_the_leader_as_on_the_page(sending: Sending, api: Any) -> None:
    world = sending.world
    said = page_client(world.son_la_officer).post(
        f"/dossier/c/{world.cluster.slug}/{world.year.year}/export/",
        {"export-identity": sending.agency_identity.pk},
    )
    answer = post(
        api(world.son_la_officer),
        dossier_url(world, "/export"),
        {"identity": sending.agency_identity.pk},
    )
    assert said.status_code == answer.status_code == 409
    words = " ".join(str(e) for e in said.context["export_form"].errors["secret"])
    assert answer.json()["detail"] == words and "chưa ký Tờ trình" in words
    assert not SentDossier.objects.exists()


def test_a_second_export_while_one_waits_is_refused_as_on_the_page(
    sending: Sending, api: Any, libreoffice: None, django_capture_on_commit_callbacks: Any
) -> None:
    """One export of a year at a time: a second start, from the API or the page, is refused
    with the same words (409) until the first ends; a job whose starter lost the right
    meanwhile fails, recorded, with nothing sent."""
    world = sending.world
    leader = post(
        api(world.son_la_leader),
        dossier_url(world, "/sign"),
        {"identity": sending.leader_identity.pk},
    )
    assert leader.status_code == 201, leader.content
    body = {"identity": sending.agency_identity.pk}
    with django_capture_on_commit_callbacks(execute=False):
        first = post(api(world.son_la_officer), dossier_url(world, "/export"), body)
        second = post(api(world.son_la_officer), dossier_url(world, "/export"), body)
        said = page_client(world.son_la_officer).post(
            f"/dossier/c/{world.cluster.slug}/{world.year.year}/export/",
            {"export-identity": sending.agency_identity.pk},
        )
    assert first.status_code == 202, first.content
    assert second.status_code == said.status_code == 409
    words = " ".join(str(e) for e in said.context["export_form"].errors["secret"])
    assert second.json()["detail"] == words and "đang được lập" in words
    assert Job.objects.filter(kind="export_dossier").count() == 1

    # The secretariat's officer leaves the office before the worker starts the job.
    User.objects.filter(pk=world.son_la_officer.pk).update(is_active=False)
    run_job.call(first.json()["id"])
    job = Job.objects.get(pk=first.json()["id"])
    assert job.status == Job.Status.FAILED
    assert job.message == "Bạn không còn quyền gửi hồ sơ của cụm này."
    assert AuditEntry.objects.filter(
        action="dossier.export_refused", actor=world.son_la_officer
    ).exists()
    assert not SentDossier.objects.exists()


def test_the_round_trip_through_the_api(
    sending: Sending, api: Any, libreoffice: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The leader signs, the clerk exports, the supervisor imports and returns, and the
    cluster reads the signed reply: each step an API call, with real documents."""
    world = sending.world
    signed = post(
        api(world.son_la_leader),
        dossier_url(world, "/sign"),
        {"identity": sending.leader_identity.pk},
    )
    assert signed.status_code == 201, signed.content
    assert signed.json()["role"] == "person" and signed.json()["signer"] == "Nguyễn Văn Lãnh"

    # The deputy's officer is of the secretariat, but the head's seal is its clerk's only:
    # refused when starting (403) and audited.
    deputy = post(
        api(world.cao_bang_officer),
        dossier_url(world, "/export"),
        {"identity": sending.agency_identity.pk},
    )
    assert deputy.status_code == 403, deputy.content
    assert AuditEntry.objects.filter(
        action="dossier.export_refused", actor=world.cao_bang_officer
    ).exists()
    assert not Job.objects.exists()

    # The export runs in the background: 202 with the job, followed at /jobs/{id}.
    officer = api(world.son_la_officer)
    with django_capture_on_commit_callbacks(execute=False):
        started = post(
            officer, dossier_url(world, "/export"), {"identity": sending.agency_identity.pk}
        )
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    assert started.json()["kind"] == "export_dossier" and started.json()["status"] == "queued"
    assert not SentDossier.objects.exists()
    assert officer.get(f"/api/v1/jobs/{job_id}/file").status_code == 404  # nothing made yet
    run_job.call(job_id)
    followed = officer.get(f"/api/v1/jobs/{job_id}").json()
    assert followed["status"] == "done" and followed["percent"] == 100, followed
    sent = SentDossier.objects.get()
    assert AuditEntry.objects.filter(action="dossier.send", actor=world.son_la_officer).exists()
    state = officer.get(dossier_url(world)).json()
    assert [s["id"] for s in state["sent"]] == [sent.pk]
    assert state["sent"][0]["dossier_id"] == sent.dossier_id
    zipped = api(world.supervisor).get(state["sent"][0]["package"])
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    content = b"".join(zipped.streaming_content)
    assert hashlib.sha256(content).hexdigest() == sent.package_sha256
    assert verify_pdf(package.read_zip(content)["to-trinh.pdf"]).ok
    # The job's own file is the same package, for its starter only.
    produced = api(world.son_la_officer).get(f"/api/v1/jobs/{job_id}/file")
    assert produced.status_code == 200
    assert b"".join(produced.streaming_content) == content
    assert api(world.cao_bang_officer).get(f"/api/v1/jobs/{job_id}/file").status_code == 404

    received = api(sending.supervisor_officer).post(RECEIVED, upload(content))
    assert received.status_code == 201, received.content
    detail = received.json()
    assert {n["nomination_id"] for n in detail["nominations_received"]} == {
        n.pk for n in sending.nominations
    }
    first, second = detail["nominations_received"]
    returned = post(
        api(sending.supervisor_officer),
        f"{RECEIVED}/{detail['id']}/return",
        {
            "identity": sending.supervisor_identity.pk,
            "reason": "Hồ sơ thiếu biên bản họp xét của đơn vị.",
            "reasons": {str(second["id"]): "Chưa có xác nhận của cơ quan quản lý."},
        },
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert AuditEntry.objects.filter(action="dossier.return").exists()
    again = post(
        api(sending.supervisor_officer),
        f"{RECEIVED}/{detail['id']}/return",
        {"identity": sending.supervisor_identity.pk, "reason": "Lần nữa."},
    )
    assert again.status_code == 409
    reply = api(sending.supervisor_officer).get(returned.json()["reply"])
    assert reply.status_code == 200
    reply_content = b"".join(reply.streaming_content)

    # The cluster reads the signed reply: its nominations are returned, each with its reason.
    assert (
        api(world.lai_chau_officer)
        .post(dossier_url(world, "/reply"), upload(reply_content))
        .status_code
        == 403
    )
    read = api(world.son_la_officer).post(dossier_url(world, "/reply"), upload(reply_content))
    assert read.status_code == 200, read.content
    assert read.json()["status"] == "returned"
    assert read.json()["reply_reason"] == "Hồ sơ thiếu biên bản họp xét của đơn vị."
    by_pk = {n.pk: n for n in Nomination.objects.filter(pk__in=[n.pk for n in sending.nominations])}
    assert {n.status for n in by_pk.values()} == {Nomination.Status.RETURNED}
    assert by_pk[second["nomination_id"]].return_reason == "Chưa có xác nhận của cơ quan quản lý."
    assert by_pk[first["nomination_id"]].return_reason == "Hồ sơ thiếu biên bản họp xét của đơn vị."
    assert AuditEntry.objects.filter(action="dossier.reply_read").exists()
    twice = api(world.son_la_officer).post(dossier_url(world, "/reply"), upload(reply_content))
    assert twice.status_code == 409
    assert rules.REPLY in package.read_zip(reply_content)
