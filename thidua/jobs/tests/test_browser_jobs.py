"""In a real browser: the supervisor starts the national report and watches it finish."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.testing.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_until_the_file_is_offered(
    live_server: LiveServer, login: Callable[..., Page]
) -> None:
    build_world()
    page = login("vu-tdkt")
    page.goto(live_server.url + "/awards/national/")
    page.get_by_test_id("national-form").get_by_role("button").click()
    page.wait_for_url("**/awards/jobs/**")
    assert page.get_by_test_id("job-progress").get_attribute("data-status") == "queued"
    assert page.get_by_test_id("job-output").count() == 0

    run_job.call(str(Job.objects.get().pk))  # what the worker does, in its own process

    # htmx asks again every second and swaps the bar in place: no reload, no inline script.
    page.get_by_test_id("job-output").wait_for(timeout=10_000)
    assert page.get_by_test_id("job-progress").get_attribute("data-status") == "done"
    assert page.locator("progress").get_attribute("value") == "100"
