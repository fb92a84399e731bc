"""The e-mails go out from a real worker process (`thidua worker`) to a real SMTP server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from thidua.notifications import tasks
from thidua.notifications.models import Delivery, Notification
from thidua.testing.personas import World

from .conftest import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    """This test's database, for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


def test_the_worker_sends_each_person_one_email(
    people: World, smtp: Mailbox, tmp_path: Path
) -> None:
    people.to_pledge_phase()  # committed: the people are told, the worker's task is queued
    assert Notification.objects.filter(email_due=True).count() == 6
    tasks.schedule(at=timezone.now())  # now rather than in half a minute
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thidua.notifications.tests.worker_settings",
        "THIDUA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
        "THIDUA_TEST_SMTP_PORT": str(settings.EMAIL_PORT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "thidua", "worker", "--worker-id", "notify-test", "--batch",
         "--no-startup-delay", "--no-reload", "--interval", "0.2"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(smtp.received) == 6
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    (mail,) = smtp.to("lai-chau-lanhdao@example.gov.vn")
    assert "đã chuyển sang giai đoạn “Giao ước”" in mail.subject
    # Everything written on the way is as thidua left it (the audit trail and its seals).
    call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())
