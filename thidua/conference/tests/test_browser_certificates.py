"""In a real browser: the deciding authority prints a decision's certificates in the background,
follows the job's page and downloads the one PDF; on a computer's width and a phone's."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from thidua.award_history import actions as history
from thidua.award_history.models import AwardType
from thidua.award_history.tests.conftest import _catalogue as _catalogue
from thidua.awards.tests.conftest import to_proposals
from thidua.awards.tests.test_decision_documents import approved, decide
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.testing.personas import build_world

from .test_decision_templates import soffice as soffice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def decided() -> Any:
    world = to_proposals(build_world())
    person = history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        position="Chuyên viên",
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    approved(world, world.orgs["lai_chau"], AwardType.objects.get(code="bk_bo"), person=person)
    return world, decide(world)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_supervisor_prints_every_certificate_as_one_pdf(
    decided: Any, soffice: Any, live_server: LiveServer, login: Callable[..., Page], width: int
) -> None:
    world, decision = decided
    page = login("vu-tdkt")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/awards/c/{world.cluster.slug}/2016/decision/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"decision-page-{width}.png"), full_page=True)
    page.get_by_label("Khổ giấy").select_option("a4")
    page.get_by_test_id("print-certificates").click()
    page.wait_for_url("**/awards/jobs/**")
    page.screenshot(path=str(SHOTS / f"certificates-job-queued-{width}.png"), full_page=True)
    job = Job.objects.get()
    assert job.params["decision"] == decision.pk
    run_job.call(str(job.pk))  # what the worker does
    page.reload()
    link = page.get_by_test_id("job-output")
    page.screenshot(path=str(SHOTS / f"certificates-job-done-{width}.png"), full_page=True)
    assert "Quyết định số 1/QĐ-BKHĐT" in page.content()
    with page.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    # The page fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
