"""The export as a background job: the page starts it and shows its progress, the worker makes
the same verified package, and what changed meanwhile (the starter's right, a token's PIN
kept for one run only, a second start) is refused and recorded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from thidua.audit.models import AuditEntry
from thidua.dossier import actions, package, rules
from thidua.dossier.export_job import EXPORT_DOSSIER, PIN
from thidua.dossier.models import ReceivedDossier, SentDossier
from thidua.jobs import registry
from thidua.jobs.actions import do_retry_job, do_start_job
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.orgs.models import User
from thidua.signing import actions as signing
from thidua.signing.models import SignedDocument, SigningIdentity
from thidua.signing.testing import SigningPki, SoftHsm
from thidua.signing.verification import verify_pdf

from .conftest import Sending

pytestmark = pytest.mark.django_db

AsUser = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _libreoffice(settings: Any) -> None:
    settings.THIDUA_SOFFICE = None  # looked up on PATH, as a server does by default


def year_url(sending: Sending, what: str = "") -> str:
    return f"/dossier/c/{sending.world.cluster.slug}/2016/{what}"


def leader_signs(sending: Sending) -> None:
    actions.do_sign_proposal(
        year=sending.world.year,
        identity=sending.leader_identity,
        secret=None,
        acting_user=sending.world.son_la_leader,
    )


def start(client: Client, sending: Sending, identity: SigningIdentity, secret: str = "") -> Any:
    return client.post(
        year_url(sending, "export/"), {"export-identity": identity.pk, "export-secret": secret}
    )


def job_of(response: Any) -> Job:
    assert response.status_code == 302, response.content
    prefix = "/awards/jobs/"
    assert response["Location"].startswith(prefix)
    return Job.objects.get(pk=response["Location"].removeprefix(prefix).strip("/"))


def test_the_page_starts_a_job_whose_worker_makes_the_verified_package(
    as_user: AsUser, sending: Sending, django_capture_on_commit_callbacks: Any
) -> None:
    world = sending.world
    leader_signs(sending)
    officer = as_user(world.son_la_officer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = job_of(start(officer, sending, sending.agency_identity))
    assert len(queued) == 1  # handed to the worker once the start commits
    assert job.kind == EXPORT_DOSSIER and job.status == Job.Status.QUEUED
    assert not SentDossier.objects.exists()  # nothing made in the request
    assert officer.get(f"/awards/jobs/{job.pk}/").status_code == 200
    waiting = officer.get(year_url(sending)).content.decode()
    assert 'data-testid="export-running"' in waiting

    assert run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    sent = SentDossier.objects.get()
    with sent.package.open("rb") as stored:
        content = stored.read()
    with job.output.open("rb") as produced:
        assert produced.read() == content  # the job's file is the package sent
    assert job.done == job.total > 0
    files = package.read_zip(content)
    manifest = json.loads(files[rules.MANIFEST])
    for entry in manifest["files"]:
        assert rules.sha256(files[entry["path"]]) == entry["sha256"]
    assert verify_pdf(files["to-trinh.pdf"]).ok and verify_pdf(files[rules.CATALOGUE]).ok
    assert AuditEntry.objects.filter(action="dossier.send", actor=world.son_la_officer).exists()
    # The supervisor's installation checks every file and signature, as for any package.
    received = actions.do_import_dossier(content=content, acting_user=sending.supervisor_officer)
    assert received.status == ReceivedDossier.Status.REVIEW
    assert received.nominations.count() == 2
    # The dossier's page lists the package, and says no export runs any more.
    page = officer.get(year_url(sending)).content.decode()
    assert 'data-testid="download-package"' in page and "export-running" not in page


def test_a_second_start_while_one_waits_is_refused(
    as_user: AsUser, sending: Sending, django_capture_on_commit_callbacks: Any
) -> None:
    world = sending.world
    leader_signs(sending)
    with django_capture_on_commit_callbacks(execute=False):
        first = job_of(start(as_user(world.son_la_officer), sending, sending.agency_identity))
        second = start(as_user(world.son_la_officer), sending, sending.agency_identity)
    assert second.status_code == 409
    assert "đang được lập" in second.content.decode()
    assert list(Job.objects.filter(kind=EXPORT_DOSSIER)) == [first]
    # Once it ended, a new export may start.
    run_job.call(str(first.pk))
    with django_capture_on_commit_callbacks(execute=False):
        again = job_of(start(as_user(world.son_la_officer), sending, sending.agency_identity))
    assert again.pk != first.pk


ROW_LOCK = re.compile(r"\bFOR (NO KEY )?UPDATE\b")


def test_a_start_locks_the_year_without_blocking_a_foreign_key_check(
    as_user: AsUser, sending: Sending, django_capture_on_commit_callbacks: Any
) -> None:
    """FOR NO KEY UPDATE, as every action on the year: a plain FOR UPDATE would make another
    commit's foreign-key check on the year wait, and deadlock with one holding the audit chain."""
    world = sending.world
    leader_signs(sending)
    with (
        CaptureQueriesContext(connection) as seen,
        django_capture_on_commit_callbacks(execute=False),
    ):
        job_of(start(as_user(world.son_la_officer), sending, sending.agency_identity))
    locks = [q["sql"] for q in seen.captured_queries if ROW_LOCK.search(q["sql"])]
    if connection.vendor != "postgresql":
        assert locks == []  # SQLite takes no row locks: the whole database is locked instead
        return
    year_locks = [sql for sql in locks if "cycle_emulationyear" in sql.split("FROM", 1)[1][:60]]
    assert year_locks and all("FOR NO KEY UPDATE" in sql for sql in year_locks), year_locks


def test_the_worker_refuses_a_starter_who_lost_the_right_and_records_it(
    as_user: AsUser, sending: Sending, django_capture_on_commit_callbacks: Any
) -> None:
    world = sending.world
    leader_signs(sending)
    with django_capture_on_commit_callbacks(execute=False):
        job = job_of(start(as_user(world.son_la_officer), sending, sending.agency_identity))
    User.objects.filter(pk=world.son_la_officer.pk).update(is_active=False)  # left the office
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert "không còn" in job.message
    refused = AuditEntry.objects.get(action="dossier.export_refused")
    assert refused.actor_id == world.son_la_officer.pk
    assert not SentDossier.objects.exists()
    assert not SignedDocument.objects.filter(role=SignedDocument.Role.AGENCY).exists()


def test_who_may_not_use_the_seal_is_refused_at_the_start(
    as_user: AsUser, sending: Sending
) -> None:
    world = sending.world
    leader_signs(sending)
    # The deputy's officer is of the secretariat, but the head's seal is its clerk's only.
    refused = start(as_user(world.cao_bang_officer), sending, sending.agency_identity)
    assert refused.status_code == 403
    assert "thuộc về người khác" in refused.content.decode()
    assert AuditEntry.objects.filter(
        action="dossier.export_refused", actor=world.cao_bang_officer
    ).exists()
    # A member's officer is not of the secretariat at all.
    member = start(as_user(world.lai_chau_officer), sending, sending.agency_identity)
    assert member.status_code == 403
    assert not Job.objects.exists()


def test_the_export_jobs_gate_is_the_secretariat_of_some_year(
    as_user: AsUser, sending: Sending, django_capture_on_commit_callbacks: Any
) -> None:
    world = sending.world
    assert registry.get(EXPORT_DOSSIER).permission == "dossier.start_export"
    # The gate, decided without a year: the head's and the deputy's staff, no one else.
    for user in (world.son_la_officer, world.son_la_leader, world.cao_bang_officer):
        assert user.has_perm("dossier.start_export")
    for user in (world.lai_chau_officer, world.outsider, sending.supervisor_officer):
        assert not user.has_perm("dossier.start_export")
        with pytest.raises(PermissionDenied):
            do_start_job(EXPORT_DOSSIER, acting_user=user, params={"year": world.year.pk})
    # A starter whose agency no longer leads any year may not try a failed export again.
    leader_signs(sending)
    with django_capture_on_commit_callbacks(execute=False):
        job = job_of(start(as_user(world.son_la_officer), sending, sending.agency_identity))
    User.objects.filter(pk=world.son_la_officer.pk).update(organization=world.orgs["lai_chau"])
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    moved = User.objects.get(pk=world.son_la_officer.pk)
    with pytest.raises(PermissionDenied):
        do_retry_job(job, acting_user=moved)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not SentDossier.objects.exists()


def test_a_tokens_pin_is_kept_sealed_for_one_run_only(
    as_user: AsUser,
    sending: Sending,
    trust: SigningPki,
    signing_token: SoftHsm,
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = sending.world
    leader_signs(sending)
    token = signing.do_add_pkcs11_identity(
        acting_user=world.admin,
        owner_org=world.orgs["son_la"],
        certificate_pem=trust.agency.certificate_pem,
        token_label=signing_token.tokens[trust.agency.name],
        key_label=signing_token.key_label,
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = job_of(start(as_user(world.son_la_officer), sending, token, signing_token.pin))
    job.refresh_from_db()
    assert signing_token.pin not in json.dumps(job.params)  # sealed, not in clear
    assert set(job.params[PIN]) == {"sealed", "kek"}
    started = AuditEntry.objects.get(action="job.start", object_id=str(job.pk))
    assert PIN not in json.dumps(started.after)  # the audit trail never holds it
    assert run_job.call(str(job.pk)) == Job.Status.DONE, Job.objects.get(pk=job.pk).message
    job.refresh_from_db()
    assert PIN not in job.params  # taken when the work started
    assert verify_pdf(package.read_zip(_content(SentDossier.objects.get()))["to-trinh.pdf"]).ok

    # Run again without its PIN (a retry), it is refused without trying the token.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, finished_at=None)
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert "PIN" in job.message
    token.refresh_from_db()
    assert token.wrong_pins == 0
    assert SentDossier.objects.count() == 1


def _content(sent: SentDossier) -> bytes:
    with sent.package.open("rb") as stored:
        return stored.read()
