"""Long work in the background: queued by a page, run by the worker, followed with a bar."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord
from thidua.conference.hooks import NATIONAL_REPORT
from thidua.jobs.health import worker_beats
from thidua.jobs.models import Job
from thidua.jobs.progress import FileProgress, TerminalBar, read_progress
from thidua.jobs.tasks import run_job
from thidua.lib import docformat
from thidua.testing.personas import World, build_world

UNIT = "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"


def history_file(people: int) -> bytes:
    """A valid award-history workbook: each person with three years of titles."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for number in range(people):
        for year in (2013, 2014, 2015):
            sheet.append(
                [f"Người thứ {number}", 1970 + number % 30, "Nam", UNIT, "Lao động tiên tiến",
                 year, f"{number}/QĐ-SKHĐT", dt.date(year + 1, 1, 10), UNIT]
            )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "lich-su.xlsx") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def run_queued(job: Job) -> Job:
    """What the worker does for one task: run it, then read the job again."""
    queued = DBTaskResult.objects.get(task_path="thidua.jobs.tasks.run_job")
    assert queued.args_kwargs["args"] == [str(job.pk)]
    run_job.call(str(job.pk))
    job.refresh_from_db()
    return job


def test_a_large_import_is_queued_and_its_page_polls_the_progress(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(world.supervisor)
    content = history_file(3000)  # 9,000 rows: past the size the page imports while it waits
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/awards/history/import/", {"upload": upload(content)})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/awards/jobs/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-status="queued"' in page.content
    assert f'hx-get="/awards/jobs/{job.pk}/progress/"'.encode() in page.content
    assert not AwardRecord.objects.exists()

    job = run_queued(job)

    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (9000, 9000)
    assert AwardRecord.objects.count() == 9000
    fragment = client.get(f"/awards/jobs/{job.pk}/progress/")
    assert b'data-status="done"' in fragment.content
    assert b"hx-get" not in fragment.content  # finished: the page stops asking
    assert b'value="100"' in fragment.content


def test_a_refused_import_job_names_every_problem_and_stores_nothing(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(world.supervisor)
    bad = Workbook(write_only=True)
    sheet = bad.create_sheet()
    sheet.append(list(COLUMNS))
    for number in range(9000):
        sheet.append([f"Người {number}", 1980, "Nam", "Không có đơn vị này", "Lao động tiên tiến",
                      2015, "1/QĐ", dt.date(2016, 1, 10), UNIT])  # fmt: skip
    out = io.BytesIO()
    bad.save(out)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/awards/history/import/", {"upload": upload(out.getvalue())})
    job = run_queued(Job.objects.get())
    assert job.status == Job.Status.FAILED
    assert len(job.problems) == 9000
    assert not AwardRecord.objects.exists()
    fragment = client.get(f"/awards/jobs/{job.pk}/progress/")
    assert b'data-testid="job-problems"' in fragment.content


def test_someone_elses_job_is_not_found(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/awards/history/import/", {"upload": upload(history_file(3000))})
    job = Job.objects.get()
    client.force_login(world.lai_chau_officer)
    assert client.get(f"/awards/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/awards/jobs/{job.pk}/progress/").status_code == 404


def test_the_national_report_job_gives_a_document_in_the_state_format(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(world.supervisor)
    assert client.get("/awards/national/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/awards/national/", {"year": 2016, "kind": "national_report"})
    job = run_queued(Job.objects.get())
    assert response.status_code == 302
    assert job.status == Job.Status.DONE, job.message
    download = client.get(f"/awards/jobs/{job.pk}/file/")
    content = download.getvalue()
    assert docformat.check_format(io.BytesIO(content)) == []
    assert world.cluster.name in docformat.document_text(io.BytesIO(content))


def test_the_national_eligibility_job_lists_every_proposal(
    client: Client, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/awards/national/", {"year": 2016, "kind": "check_eligibility"})
    job = run_queued(Job.objects.get())
    assert job.status == Job.Status.DONE, job.message
    assert job.output_name == "xet-dieu-kien-2016.xlsx"


def test_a_member_unit_cannot_start_national_work(client: Client, world: World) -> None:
    client.force_login(world.son_la_officer)
    assert client.get("/awards/national/").status_code == 403
    assert client.post("/awards/national/", {"year": 2016}).status_code == 403
    assert not Job.objects.exists()


def test_progress_written_by_the_work_is_what_the_page_reads(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    progress = FileProgress("abc", every=0)
    progress(30, 120)
    assert read_progress("abc") == {"done": 30, "total": 120}
    progress.remove()
    assert read_progress("abc") is None


def test_the_terminal_bar_ends_full_on_its_own_line() -> None:
    out = io.StringIO()
    bar = TerminalBar("2016", stream=out, width=10)
    for done in range(0, 101, 25):
        bar(done, 100)
    assert out.getvalue().endswith("[##########] 100%  100/100\n")


def test_the_import_command_draws_a_bar_and_imports(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(history_file(10))
    call_command("import_history", str(path), "--user", world.supervisor.username)
    assert AwardRecord.objects.count() == 30
    assert "100%" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    from thidua.jobs.actions import do_start_job

    job = do_start_job(NATIONAL_REPORT, acting_user=world.supervisor, params={"year": 2016})
    call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "w1", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.worker == "w1"
    assert job.output.name.endswith(".docx")
    assert worker_beats()["w1"].stopped
