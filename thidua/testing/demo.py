"""The whole demo, played once per test process into a database of its own, lent to each module.

Playing the reference cluster's 2016 through every area's actions takes from half a minute to
two, and a dozen modules read it. Each test process plays it once, into a second database: a
copy of the test database taken just after pytest-django created it. A module that reads the
demo runs on that database, inside a transaction opened for the module and rolled back after
it; each test runs in its own savepoint inside it (pytest-django's `db`), so no test sees
another's changes. The test database itself is never touched, so migration tests and
transactional tests (which empty every table) go on there as before, whatever ran earlier.
Uploaded files are copied into a folder of the module's own. Transactional tests, which commit,
start from a snapshot of it instead (`PlayedDemo.snapshot`, thidua.testing.snapshot).

The play commits once, at its end, as `thidua load_demo` would; what it left to do after a
commit (queueing jobs and mail) is dropped, as the module's play rolled back never did it.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection, models, transaction
from django.test import override_settings
from django.utils import translation
from pytest_django import DjangoDbBlocker

from thidua.demo.play import Demo, load_data, play
from thidua.testing.snapshot import Snapshot


@dataclasses.dataclass(frozen=True)
class PlayedDemo:
    """The database the demo was played into, its uploaded files, and what the play made."""

    database: str
    media: Path
    demo: Demo

    def snapshot(self, folder: Path) -> Snapshot:
        """Its database and files as a snapshot, for transactional tests to start from."""
        folder.mkdir(parents=True, exist_ok=True)
        with _on(self.database):
            return Snapshot.take(folder, media=self.media)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """pytest-django's test database, and a copy of it as created (the demo's starting point)."""
    with django_db_blocker.unblock():
        empty = _copy_database(connection.settings_dict["NAME"], "empty")
    yield
    with django_db_blocker.unblock():
        _drop_database(empty)
        _drop_database(_database_name("demo"))


@pytest.fixture(scope="session")
def demo_played(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> PlayedDemo:
    """`thidua load_demo`, played once for the test process into a database of its own."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        database = _copy_database(_database_name("empty"), "demo")
        with (
            _on(database),
            override_settings(MEDIA_ROOT=media),
            translation.override(settings.LANGUAGE_CODE),
            transaction.atomic(),
        ):
            demo = play(load_data())
            connection.run_on_commit.clear()
    return PlayedDemo(database=database, media=media, demo=demo)


@pytest.fixture(scope="module")
def demo_module(
    demo_played: PlayedDemo,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """The played demo, as the module's world; request `db` beside it in each test."""
    media = tmp_path_factory.mktemp("demo-media")
    shutil.copytree(demo_played.media, media, symlinks=True, dirs_exist_ok=True)
    with (
        django_db_blocker.unblock(),
        _on(demo_played.database),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        yield _fresh(demo_played.demo)
        transaction.set_rollback(True)


def _fresh(demo: Demo) -> Demo:
    """The demo's objects read again, so that no module sees another's changes to them."""

    def again(value: Any) -> Any:
        if isinstance(value, models.Model):
            return type(value)._default_manager.get(pk=value.pk)
        if isinstance(value, dict):
            return {key: again(item) for key, item in value.items()}
        if isinstance(value, list):
            return [again(item) for item in value]
        return value

    changes = {f.name: again(getattr(demo, f.name)) for f in dataclasses.fields(demo)}
    return dataclasses.replace(demo, **changes)


@contextmanager
def _on(database: str) -> Iterator[None]:
    """Django's default connection on `database` for a while (new connections too), then back."""
    settings_dict = connection.settings_dict
    before = settings_dict["NAME"]
    connection.close()
    settings_dict["NAME"] = database
    _forget_what_was_read()
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = before
        _forget_what_was_read()


def _forget_what_was_read() -> None:
    ContentType.objects.clear_cache()
    for cache in caches.all(initialized_only=True):
        cache.clear()


def _database_name(role: str) -> str:
    """The name of the test database's copy for `role` ("empty", "demo")."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        path = Path(name)
        return str(path.with_name(f"{path.stem}-{role}{path.suffix}"))
    return f"{name}_{role}"


def _copy_database(source: str, role: str) -> str:
    """A copy of the database `source` (with no connection open to it), named for `role`."""
    target = _database_name(role)
    _drop_database(target)
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            raise RuntimeError("the demo's database is copied from a test database in a file")
        reading, writing = sqlite3.connect(source), sqlite3.connect(target)
        try:
            reading.backup(writing)
        finally:
            reading.close()
            writing.close()
    else:
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")
    return target


def _drop_database(name: str) -> None:
    """Remove a copy; on PostgreSQL, connections a test left open to it are ended first."""
    connection.close()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        with connection._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
