"""Trying a failed job again, and what becomes of the file a job was given."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from thidua.audit.models import AuditEntry
from thidua.award_history.hooks import IMPORT_HISTORY
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord
from thidua.errors import ActionRefused
from thidua.jobs import registry
from thidua.jobs.actions import do_fail_abandoned_jobs, do_retry_job, do_start_job
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.jobs.tests.test_jobs import history_file
from thidua.testing.personas import World

WORKER_LOST_VI = "Tiến trình xử lý nền đã dừng đột ngột"


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def unknown_unit_file() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    sheet.append(["Người thứ 1", 1980, "Nam", "Không có đơn vị này", "Lao động tiên tiến",
                  2015, "1/QĐ", dt.date(2016, 1, 10), "Không có đơn vị này"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def start_import(world: Any, content: bytes | None = None) -> Job:
    upload = SimpleUploadedFile("lich-su.xlsx", content or history_file(10))
    return do_start_job(IMPORT_HISTORY, acting_user=world.supervisor, upload=upload)


def lose_worker(job: Job) -> Job:
    """As if worker w1 had started the job and been killed: its lease is gone."""
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker="w1")
    do_fail_abandoned_jobs(beats={})
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_is_gone_is_failed_and_keeps_its_file(world: World) -> None:
    job = lose_worker(start_import(world))
    assert job.status == Job.Status.FAILED
    assert job.message.startswith(WORKER_LOST_VI)
    assert Path(job.upload.path).exists()
    assert job.retryable
    entry = AuditEntry.objects.get(action="job.fail")
    assert entry.actor is None and entry.after is not None
    assert entry.after["reason"] == "worker_lost"


def test_try_again_runs_the_failed_job_on_its_file_and_then_deletes_it(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = lose_worker(start_import(world))
    upload = Path(job.upload.path)
    client.force_login(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/awards/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message, job.finished_at) == (Job.Status.QUEUED, "", None)
    queued = DBTaskResult.objects.get(status="READY")  # the retry's (the start's was not run)
    assert queued.args_kwargs["args"] == [str(job.pk)]

    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert AwardRecord.objects.count() == 30
    assert not upload.exists() and not job.upload
    assert AuditEntry.objects.filter(action="job.retry", actor=world.supervisor).count() == 1


def test_someone_elses_job_cannot_be_tried_again(client: Client, world: World) -> None:
    job = lose_worker(start_import(world))
    client.force_login(world.lai_chau_officer)
    assert client.post(f"/awards/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not AuditEntry.objects.filter(action="job.retry").exists()


def test_a_user_who_may_no_longer_start_the_job_cannot_try_it_again(
    client: Client, world: World
) -> None:
    # A job of a unit officer (who may not import history), as if the right had been withdrawn.
    job = Job.objects.create(
        kind=IMPORT_HISTORY,
        created_by=world.lai_chau_officer,
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
    )
    client.force_login(world.lai_chau_officer)
    assert client.post(f"/awards/jobs/{job.pk}/retry/").status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_action_refuses_another_users_job_too(world: World) -> None:
    job = lose_worker(start_import(world))
    with pytest.raises(PermissionDenied):
        do_retry_job(job, acting_user=world.lai_chau_officer)


def test_a_job_done_is_not_tried_again(client: Client, world: World) -> None:
    job = start_import(world)
    run_job.call(str(job.pk))
    client.force_login(world.supervisor)
    response = client.post(f"/awards/jobs/{job.pk}/retry/", follow=True)
    assert "Chỉ có thể thử lại công việc không thành công." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert not AuditEntry.objects.filter(action="job.retry").exists()
    assert 'data-testid="job-retry"' not in response.content.decode()


def test_a_running_job_is_not_tried_again(world: World) -> None:
    job = start_import(world)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker="w1")
    with pytest.raises(ActionRefused) as refused:
        do_retry_job(job, acting_user=world.supervisor)
    assert refused.value.kind == "not_failed"


def test_try_again_is_a_post(client: Client, world: World) -> None:
    job = lose_worker(start_import(world))
    client.force_login(world.supervisor)
    assert client.get(f"/awards/jobs/{job.pk}/retry/").status_code == 405


def test_a_refused_import_deletes_its_file_and_offers_no_retry(
    client: Client, world: World
) -> None:
    job = start_import(world, unknown_unit_file())
    upload = Path(job.upload.path)
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not upload.exists() and not job.upload
    assert not job.retryable
    with pytest.raises(ActionRefused) as refused:
        do_retry_job(job, acting_user=world.supervisor)
    assert refused.value.kind == "input_gone"


def test_a_file_gone_before_the_worker_came_fails_the_job_plainly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    job = start_import(world)
    Path(job.upload.path).unlink()
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.message == (
        "Tệp đã tải lên không còn trên máy chủ nên không thể thực hiện công việc. "
        "Vui lòng tải tệp lên lại."
    )
    assert not job.upload and not job.retryable
    assert "Traceback" not in caplog.text


def replace_work(monkeypatch: Any, kind: str, work: Any) -> None:
    monkeypatch.setitem(registry.KINDS, kind, dataclasses.replace(registry.get(kind), work=work))


def test_an_error_of_the_server_keeps_the_file_for_a_retry(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: Any, progress: Any) -> None:
        raise RuntimeError("the disk is full")

    replace_work(monkeypatch, IMPORT_HISTORY, broken)
    job = start_import(world)
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert Path(job.upload.path).exists()
    assert job.retryable


def test_a_job_is_never_started_twice(world: World) -> None:
    job = start_import(world)
    run_job.call(str(job.pk))
    assert run_job.call(str(job.pk)) == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert AwardRecord.objects.count() == 30


def test_a_worker_judged_gone_does_not_overwrite_the_retry(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose lease ran out while it lived ends its job after the user retried it."""
    from thidua.jobs import tasks

    job = start_import(world)
    real = registry.get(IMPORT_HISTORY).work

    def retried_meanwhile(job: Any, progress: Any) -> Any:
        lose_worker(job)
        do_retry_job(job, acting_user=world.supervisor)
        return real(job, progress)

    replace_work(monkeypatch, IMPORT_HISTORY, retried_meanwhile)
    token = tasks.current_worker.set("w1")
    try:
        run_job.call(str(job.pk))
    finally:
        tasks.current_worker.reset(token)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # the retry waits for its worker
    assert Path(job.upload.path).exists()
