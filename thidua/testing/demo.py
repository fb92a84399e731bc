"""The whole demo, played once for a test process instead of once for each module that reads it.

Playing the reference cluster's 2016 through every area's actions takes from half a minute (on
SQLite) to two (on PostgreSQL, on a busy machine); eight modules read it. It is played once per
test process, committed, and copied (`thidua.testing.snapshot`); a module that reads it gets the
copy put back before its first test and the database as it was put back after its last. Each
test runs in its own transaction (pytest-django's `db`), so no test sees another's changes.
Uploaded files go to a folder of the module's own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from thidua.testing.snapshot import Snapshot


@pytest.fixture(scope="session")
def demo_played(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Snapshot:
    """`thidua load_demo` played once for the test process, and copied with its files."""
    folder = tmp_path_factory.mktemp("demo-snapshot")
    media = folder / "built-media"
    media.mkdir()
    (folder / "before").mkdir()
    (folder / "demo").mkdir()
    with django_db_blocker.unblock():
        before = Snapshot.take(folder / "before")
        with override_settings(MEDIA_ROOT=media):
            call_command("load_demo", stdout=io.StringIO())
        demo = Snapshot.take(folder / "demo", media=media)
        before.restore()
    return demo


@pytest.fixture(scope="module")
def demo_module(
    demo_played: Snapshot, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """`thidua load_demo`, as the module's world; request `db` beside it in each test."""
    folder = tmp_path_factory.mktemp("before-demo")
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        before = Snapshot.take(folder)
        demo_played.restore(media=media)
    try:
        with override_settings(MEDIA_ROOT=media):
            yield
    finally:
        with django_db_blocker.unblock():
            before.restore()
