"""`thidua prune_jobs`: what old background work leaves behind is deleted, and nothing else."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from thidua.conference.hooks import NATIONAL_REPORT
from thidua.jobs.actions import do_fail_abandoned_jobs, do_prune_jobs, do_start_job
from thidua.jobs.health import heartbeat_folder
from thidua.jobs.heartbeat import Beat, first_beat, write_beat
from thidua.jobs.models import Job
from thidua.jobs.progress import FileProgress, progress_path
from thidua.jobs.tasks import run_job
from thidua.jobs.tests.test_retry import start_import
from thidua.testing.personas import World


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def aged(path: Path, days: float) -> Path:
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def finished_days_ago(job: Job, days: int) -> Job:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=days))
    DBTaskResult.objects.update(finished_at=timezone.now() - dt.timedelta(days=days))
    job.refresh_from_db()
    return job


def report(world: Any) -> Job:
    job = do_start_job(NATIONAL_REPORT, acting_user=world.supervisor, params={"year": 2016})
    run_job.call(str(job.pk))
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_old_finished_work_is_deleted_with_its_files_and_task_results(
    settings: Settings, tmp_path: Path
) -> None:
    from thidua.testing.personas import build_world

    world = build_world()
    old = report(world)  # the worker did not run it here: its task result is still READY
    DBTaskResult.objects.update(status="SUCCESSFUL")
    old = finished_days_ago(old, 40)
    output = Path(old.output.path)
    recent = report(world)
    assert output.exists()

    pruned = do_prune_jobs(days=30, inputs_days=7)
    assert (pruned.task_results, pruned.jobs) == (1, 1)
    assert DBTaskResult.objects.get().status == "READY"  # the recent one's
    assert not Job.objects.filter(pk=old.pk).exists() and not output.exists()
    assert Job.objects.filter(pk=recent.pk).exists() and Path(recent.output.path).exists()


def test_a_failed_jobs_kept_file_goes_after_the_inputs_days_and_its_row_stays(world: World) -> None:
    job = start_import(world)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker="gone")
    do_fail_abandoned_jobs(beats={})
    job = finished_days_ago(job, 8)
    upload = Path(job.upload.path)

    assert do_prune_jobs(days=30, inputs_days=7).inputs == 1
    job.refresh_from_db()
    assert not upload.exists() and not job.upload and not job.retryable
    assert job.status == Job.Status.FAILED


def test_running_and_waiting_jobs_keep_everything(world: World) -> None:
    waiting = start_import(world)
    running = start_import(world)
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING, worker="alive")
    write_beat(heartbeat_folder(), first_beat("alive", lease=30))
    FileProgress(running.pk, every=0)(5, 10)
    aged(progress_path(running.pk), 2)
    for job in (waiting, running):
        aged(Path(job.upload.path), 60)

    do_prune_jobs(days=0, inputs_days=0)
    assert Job.objects.count() == 2
    assert Path(waiting.upload.path).exists() and Path(running.upload.path).exists()
    assert progress_path(running.pk).exists()
    assert (heartbeat_folder() / "alive.json").exists()


def test_stale_progress_heartbeats_and_unreferenced_files_are_deleted(
    world: World, settings: Settings
) -> None:
    done = report(world)
    FileProgress(done.pk, every=0)(1, 2)  # left behind by a worker that died writing it
    aged(progress_path(done.pk), 1)
    write_beat(heartbeat_folder(), Beat("long-gone", time.time() - 40 * 86400, 30))
    aged(heartbeat_folder() / "long-gone.json", 40)
    write_beat(heartbeat_folder(), Beat("gone-lately", time.time() - 60, 30))
    orphan = Path(settings.MEDIA_ROOT) / "jobs" / "in" / "2026" / "bo-do.xlsx"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")  # a start whose transaction did not commit
    aged(orphan, 40)

    assert do_prune_jobs(days=30, inputs_days=7).files == 3
    assert not progress_path(done.pk).exists()
    assert not (heartbeat_folder() / "long-gone.json").exists()
    assert (heartbeat_folder() / "gone-lately.json").exists()  # the health page still tells it
    assert not orphan.exists()
    assert Path(done.output.path).exists()


def test_the_command_is_idempotent_and_checks_its_days(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    job = report(world)
    finished_days_ago(job, 40)
    call_command("prune_jobs", "--days", "30")
    assert "1 job(s)" in capsys.readouterr().out
    call_command("prune_jobs", "--days", "30")
    assert "0 task result(s), 0 job(s), 0 kept input file(s), 0 other file(s)" in (
        capsys.readouterr().out
    )
    with pytest.raises(CommandError):
        call_command("prune_jobs", "--days", "3", "--inputs-days", "7")
