"""Work in a forked child process: its answer, its failures, and this process's connection."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from thidua.lib.batch import Forked, can_fork

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the child sees committed rows only
    pytest.mark.skipif(not can_fork(), reason="this system cannot fork"),
]


def group_names() -> list[str]:
    return sorted(Group.objects.values_list("name", flat=True))


def test_the_child_answers_from_the_database_with_its_own_connection() -> None:
    Group.objects.create(name="Tổ thẩm định")
    child = Forked(lambda: (os.getpid(), group_names()))
    pid, names = child.result()
    assert pid != os.getpid()
    assert names == ["Tổ thẩm định"]


def test_this_process_keeps_its_database_session_after_the_child_ends() -> None:
    Group.objects.create(name="Tổ thư ký")
    with connection.cursor() as cursor:  # the session the child inherits a copy of
        cursor.execute("SELECT 1")
    assert Forked(group_names).result() == ["Tổ thư ký"]
    assert Forked(group_names).result() == ["Tổ thư ký"]
    Group.objects.create(name="Tổ kiểm phiếu")  # this session still works
    assert group_names() == ["Tổ kiểm phiếu", "Tổ thư ký"]


def test_a_child_that_fails_leaves_the_work_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            raise ValueError("only in the child")
        return 7

    assert Forked(work).result() == 7
    assert "only in the child" in caplog.text


def test_a_child_that_dies_leaves_the_work_to_this_process() -> None:
    here = os.getpid()

    def work() -> str:
        if os.getpid() != here:
            os._exit(3)
        return "done here"

    assert Forked(work).result() == "done here"


def test_a_child_that_does_not_answer_in_time_is_ended_and_the_work_runs_here() -> None:
    here = os.getpid()

    def work() -> str:
        if os.getpid() != here:
            time.sleep(60)
        return "done here"

    child = Forked(work)
    assert child.result(timeout=0.5) == "done here"
    assert not child._child.is_alive()


def test_a_cancelled_child_is_ended() -> None:
    child = Forked(lambda: time.sleep(60))
    child.cancel()
    assert not child._child.is_alive()


def test_a_process_with_another_thread_running_does_not_fork() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="a web worker's other request")
    other.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        other.join()
    # A process of one thread may fork: asked of a fresh one, since this test process may be
    # running another test's server thread by now (pytest-django's live server lives on).
    alone = subprocess.run(
        [sys.executable, "-c", "from thidua.lib.batch import can_fork; print(can_fork())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert alone.stdout.strip() == "True"
