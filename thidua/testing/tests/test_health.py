"""/healthz tells the load balancer and the monitoring whether this server can do its work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from thidua.jobs.health import heartbeat_folder
from thidua.jobs.heartbeat import Beat, write_beat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def beat(seconds_ago: float) -> None:
    write_beat(heartbeat_folder(), Beat("w1", time.time() - seconds_ago, lease=15, pid=1))


def test_a_working_server_answers_200_with_every_check() -> None:
    beat(3)
    response = Client().get("/healthz")
    assert response.status_code == 200
    found = response.json()
    assert found["status"] == "ok"
    assert set(found["checks"]) == {"database", "migrations", "worker"}
    assert found["checks"]["migrations"]["ok"] and found["checks"]["database"]["ok"]
    assert 0 <= found["checks"]["worker"]["age_seconds"] < 60
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_worker_ever_seen_fails_the_worker_check_with_503() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "last_heartbeat": None}


def test_a_worker_silent_for_longer_than_the_setting_fails_it(settings: Settings) -> None:
    settings.THIDUA_WORKER_STALE_AFTER = 60
    beat(61)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "failing"
    beat(59)
    assert Client().get("/healthz").status_code == 200


def test_a_load_balancer_can_leave_the_worker_out() -> None:
    response = Client().get("/healthz?skip=worker")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "migrations"}


def test_a_failing_check_is_not_logged_as_a_server_error(caplog: pytest.LogCaptureFixture) -> None:
    """The load balancer polls every few seconds: a 503 here must not e-mail the admins."""
    with caplog.at_level("WARNING", logger="django.request"):
        assert Client().get("/healthz").status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_the_answer_names_no_data_and_needs_no_login() -> None:
    beat(1)
    text = Client().get("/healthz").content.decode()
    assert "w1" not in text and "MEDIA" not in text and "sqlite" not in text.lower()
