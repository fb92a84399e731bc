"""A job that waits with no worker running says so, instead of waiting in silence."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from thidua.conference.hooks import NATIONAL_REPORT
from thidua.jobs.health import heartbeat_folder
from thidua.jobs.heartbeat import Beat, write_beat
from thidua.jobs.models import Job
from thidua.testing.personas import World

NO_WORKER = "Hiện không có tiến trình xử lý nền nào đang chạy"


@pytest.fixture(autouse=True)
def own_media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def queued_job(world: Any, status: Any = Job.Status.QUEUED) -> Job:
    return Job.objects.create(
        kind=NATIONAL_REPORT, params={"year": 2016}, created_by=world.supervisor,
        status=status,
    )  # fmt: skip


def page(client: Any, job: Job) -> str:
    return client.get(f"/awards/jobs/{job.pk}/progress/").content.decode()


def test_a_queued_job_with_no_worker_ever_seen_says_why_it_waits(
    client: Client, world: World
) -> None:
    client.force_login(world.supervisor)
    assert NO_WORKER in page(client, queued_job(world))


def test_a_queued_job_says_so_once_the_worker_has_been_silent_too_long(
    client: Client, world: World, settings: Settings
) -> None:
    settings.THIDUA_WORKER_STALE_AFTER = 60
    client.force_login(world.supervisor)
    job = queued_job(world)
    write_beat(heartbeat_folder(), Beat("w1", time.time() - 61, lease=30, pid=1))
    assert NO_WORKER in page(client, job)
    write_beat(heartbeat_folder(), Beat("w1", time.time() - 2, lease=30, pid=1))
    assert NO_WORKER not in page(client, job)


def test_a_running_job_never_says_it(client: Client, world: World) -> None:
    client.force_login(world.supervisor)
    assert NO_WORKER not in page(client, queued_job(world, Job.Status.RUNNING))
