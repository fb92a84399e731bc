"""Which workers count as gone, and what is failed with them."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import Settings

from thidua.conference.hooks import NATIONAL_REPORT
from thidua.jobs import rules
from thidua.jobs.actions import WORKER_LOST, do_fail_abandoned_jobs, do_start_job
from thidua.jobs.health import heartbeat_folder, last_worker_heartbeat
from thidua.jobs.heartbeat import Beat, first_beat, last_beat, read_beats, write_beat
from thidua.jobs.models import Job
from thidua.jobs.progress import FileProgress
from thidua.testing.personas import World


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@given(
    at=st.integers(0, 2_000_000_000),
    lease=st.integers(1, 3600),
    later=st.integers(0, 7200),
    stopped=st.booleans(),
)
def test_a_worker_is_alive_only_within_its_lease_and_until_it_stops(
    at: Any, lease: Any, later: Any, stopped: Any
) -> None:
    beat = Beat("w", at, lease, stopped=stopped)
    assert rules.is_alive(beat, at + later) == (not stopped and later <= lease)


def test_a_worker_without_a_heartbeat_is_gone() -> None:
    assert rules.dead_workers({"w1", "w2"}, {"w2": Beat("w2", 100.0, 30)}, 110.0) == {"w1"}


def test_a_worker_that_has_not_beaten_since_the_start_is_waited_for() -> None:
    beats = {"old": Beat("old", 100.0, 30), "new": Beat("new", 105.0, 30)}
    assert rules.undecided_workers({"old", "new"}, beats, now=110.0, since=102.0) == {"old"}
    assert rules.undecided_workers({"old", "new"}, beats, now=140.0, since=102.0) == set()


def test_heartbeats_are_read_back_and_the_newest_is_the_last_heartbeat() -> None:
    folder = heartbeat_folder()
    assert last_worker_heartbeat() is None
    write_beat(folder, Beat("w1", 1_700_000_000.0, 30))
    write_beat(folder, last_beat(first_beat("w2", lease=30)))
    (folder / "torn.json").write_text("{", "utf-8")
    beats = read_beats(folder)
    assert set(beats) == {"w1", "w2"} and beats["w2"].stopped
    seen = last_worker_heartbeat()
    assert seen is not None and seen > dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert abs(seen.timestamp() - beats["w2"].at) < 0.001


def started(world: Any, worker: str) -> Job:
    """A national report job a worker has claimed and started, as the worker does."""
    job = do_start_job(NATIONAL_REPORT, acting_user=world.supervisor, params={"year": 2016})
    DBTaskResult.objects.create(
        task_path="thidua.jobs.tasks.run_job",
        args_kwargs={"args": [str(job.pk)], "kwargs": {}},
        backend_name="default",
        run_after=dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
        status="RUNNING",
        worker_ids=[worker],
    )
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker=worker)
    return job


def test_the_jobs_and_tasks_of_a_worker_past_its_lease_are_failed(world: World) -> None:
    job = started(world, "gone")
    FileProgress(job.pk, every=0)(40, 160)
    reaped = do_fail_abandoned_jobs(beats={"gone": Beat("gone", time.time() - 31, 30)})
    assert reaped.workers == {"gone"} and reaped.jobs == (str(job.pk),)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert (job.done, job.total) == (40, 160)
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and task.exception_class_path == WORKER_LOST
    assert "gone" in task.traceback


def test_the_jobs_of_a_live_worker_are_left_alone(world: World) -> None:
    job = started(world, "alive")
    reaped = do_fail_abandoned_jobs(beats={"alive": Beat("alive", time.time(), 30)})
    assert reaped.jobs == () and reaped.tasks == ()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert DBTaskResult.objects.get().status == "RUNNING"


def test_the_jobs_of_a_worker_that_stopped_are_failed_at_once(world: World) -> None:
    job = started(world, "stopped")
    do_fail_abandoned_jobs(beats={"stopped": last_beat(first_beat("stopped", lease=30))})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_job_left_running_before_workers_were_recorded_is_failed(world: World) -> None:
    """The testers' job at 68%: no worker on the row, its task still RUNNING forever."""
    job = started(world, "old-db-worker")
    Job.objects.filter(pk=job.pk).update(worker="")
    do_fail_abandoned_jobs(beats={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not DBTaskResult.objects.running().exists()


def test_a_job_whose_worker_died_before_starting_it_is_failed(world: World) -> None:
    job = started(world, "gone")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, worker="")
    do_fail_abandoned_jobs(beats={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_failing_the_jobs_of_workers_gone_twice_changes_nothing_more(world: World) -> None:
    started(world, "gone")
    assert len(do_fail_abandoned_jobs(beats={}).jobs) == 1
    assert do_fail_abandoned_jobs(beats={}) == do_fail_abandoned_jobs(beats={})
    assert do_fail_abandoned_jobs(beats={}).jobs == ()
