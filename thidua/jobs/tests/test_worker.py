"""A real worker process, killed in the middle of an import and started again.

The workers here are separate processes (`thidua worker`) on this test's own database and
media folder, with a lease of three seconds so that a lost worker is noticed quickly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from thidua.audit.models import AuditEntry
from thidua.award_history.hooks import IMPORT_HISTORY
from thidua.award_history.models import AwardRecord
from thidua.jobs.actions import WORKER_LOST, do_fail_abandoned_jobs, do_start_job
from thidua.jobs.health import last_worker_heartbeat, worker_beats
from thidua.jobs.models import Job
from thidua.jobs.progress import read_progress
from thidua.jobs.tests.test_jobs import history_file
from thidua.testing.personas import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
LEASE = ["--heartbeat", "0.5", "--lease", "3"]
WORKER_LOST_VI = (
    "Tiến trình xử lý nền đã dừng đột ngột khi đang thực hiện công việc này nên "
    "không có dữ liệu nào của công việc được lưu lại. Bạn có thể bấm “Thử lại” để thực hiện lại."
)


def database_url() -> str:
    """This test's database, for the worker processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


def wait_for(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    worker: subprocess.Popen[bytes] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker ended ({worker.returncode}) before {what}")
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


class Workers:
    """Worker processes started by the test, every one of them ended at its end."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, *, pause: float | None = None) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "thidua.settings.test",
            "THIDUA_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": database_url(),
        }
        if pause is None:
            command = [sys.executable, "-m", "thidua"]
        else:
            command = [sys.executable, "-m", "thidua.jobs.tests.slow_worker"]
            env["THIDUA_TEST_PAUSE"] = str(pause)
        log = self.var_dir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "worker", "--worker-id", name, "--no-startup-delay", "--no-reload",
                 "--interval", "0.2", *LEASE],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.started.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.started
        )

    def end(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def workers(settings: Any, tmp_path: Path) -> Iterator[Workers]:
    # The same media folder as the workers' (the test settings put it in THIDUA_VAR_DIR).
    settings.MEDIA_ROOT = tmp_path / "test-media"
    started = Workers(tmp_path)
    yield started
    started.end()
    print(started.logs())  # shown by pytest when the test failed


def start_import(world: World) -> Job:
    content = history_file(3000)  # 9,000 rows: written in two steps of the progress
    upload = SimpleUploadedFile("lich-su.xlsx", content)
    return do_start_job(IMPORT_HISTORY, acting_user=world.supervisor, upload=upload)


def halfway(job: Job) -> bool:
    last = read_progress(job.pk)
    return last is not None and 0 < last["done"] < last["total"]


def status_of(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_a_job_whose_worker_was_killed_is_failed_on_restart_and_tried_again_to_the_end(
    workers: Workers, client: Any
) -> None:
    world = build_world()
    job = start_import(world)
    upload = Path(job.upload.path)
    killed = workers.start("killed", pause=600)
    wait_for(lambda: halfway(job), 120, "the import writes its first rows", killed)
    assert status_of(job) == Job.Status.RUNNING and job.worker == "killed"

    killed.send_signal(signal.SIGKILL)
    killed.wait()
    # Its heartbeat process ends with it, and its lease runs out: nothing beats for it.
    beat = worker_beats()["killed"]
    time.sleep(1.5)
    assert worker_beats()["killed"] == beat
    assert status_of(job) == Job.Status.RUNNING  # as the testers found it: nobody failed it
    assert not AwardRecord.objects.exists()  # the import's transaction held

    restarted = time.monotonic()
    second = workers.start("second")
    wait_for(lambda: status_of(job) == Job.Status.FAILED, 60, "the job is failed", second)
    assert time.monotonic() - restarted < 60
    assert job.message == WORKER_LOST_VI
    assert (job.done, job.total) == (5000, 9000)  # where it stopped
    assert read_progress(job.pk) is None
    assert upload.exists()  # kept for the retry
    assert not DBTaskResult.objects.running().exists()
    lost = DBTaskResult.objects.get(status="FAILED")
    assert lost.exception_class_path == WORKER_LOST
    assert AuditEntry.objects.filter(action="job.fail", object_id=str(job.pk)).exists()

    client.force_login(world.supervisor)
    page = client.get(f"/awards/jobs/{job.pk}/").content.decode()
    assert WORKER_LOST_VI in page
    assert 'data-testid="job-retry"' in page and "Thử lại" in page

    response = client.post(f"/awards/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    assert response["Location"] == f"/awards/jobs/{job.pk}/"
    wait_for(lambda: status_of(job) == Job.Status.DONE, 120, "the retry is done", second)
    assert job.worker == "second"
    assert AwardRecord.objects.count() == 9000
    assert not upload.exists() and not job.upload
    assert not DBTaskResult.objects.running().exists()
    assert AuditEntry.objects.filter(action="job.retry", actor=world.supervisor).exists()
    page = client.get(f"/awards/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-retry"' not in page

    # systemd's stop: the idle worker ends at once, saying it stopped.
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=20) == 0
    assert worker_beats()["second"].stopped
    assert last_worker_heartbeat() is not None


def test_a_worker_stopped_with_sigterm_finishes_its_job_and_fails_nothing(
    workers: Workers,
) -> None:
    world = build_world()
    job = start_import(world)
    upload = Path(job.upload.path)
    worker = workers.start("stopped", pause=3)
    wait_for(lambda: halfway(job), 120, "the import writes its first rows", worker)

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0

    assert status_of(job) == Job.Status.DONE, job.message
    assert AwardRecord.objects.count() == 9000
    assert not upload.exists()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert worker_beats()["stopped"].stopped
    assert do_fail_abandoned_jobs().jobs == ()
    assert status_of(job) == Job.Status.DONE
