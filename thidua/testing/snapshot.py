"""A copy of the whole test database, put back in a moment, for tests that need committed data.

Transactional tests (backup and restore, concurrent writers) cannot share a world inside one
rolled-back transaction, as `thidua.testing.demo.demo_module` does: they commit, and
pytest-django empties every table after each of them. Building the world again for each test
(playing the demo through every area's actions) is what made them the slowest of the suite.
Instead the world is built once, copied here, and copied back before each test:

* SQLite: the online backup API, both ways (a page-for-page copy of the file);
* PostgreSQL: every table's rows with binary COPY, written back over emptied tables on a
  connection of its own, with foreign keys checked as a whole afterwards (the copy is of a
  consistent database) and each sequence set past its table's highest key.

Neither way goes through thidua's writes, so the data seals and the audit chain come back
exactly as they were copied; the caches that remember rows by key are cleared.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import connection


@dataclass
class Snapshot:
    """The database (and, if given, a folder of uploaded files) as they were when taken."""

    folder: Path
    media: Path | None = None
    _tables: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def take(cls, folder: Path, *, media: Path | None = None) -> Snapshot:
        snapshot = cls(folder=folder)
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            target = sqlite3.connect(folder / "database.sqlite3")
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            with _own_connection() as own, own.cursor() as cursor:
                for table in _table_names():
                    with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                        snapshot._tables[table] = b"".join(bytes(block) for block in copy)
        if media is not None:
            snapshot.media = folder / "media"
            shutil.copytree(media, snapshot.media, symlinks=True)
        return snapshot

    def restore(self, *, media: Path | None = None) -> None:
        """Put the database back as it was taken, and copy the files into `media`."""
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise RuntimeError("a snapshot is restored outside any transaction")
        if connection.vendor == "sqlite":
            source = sqlite3.connect(self.folder / "database.sqlite3")
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            self._restore_postgresql()
        ContentType.objects.clear_cache()
        for cache in caches.all(initialized_only=True):
            cache.clear()
        if media is not None and self.media is not None:
            shutil.rmtree(media, ignore_errors=True)
            shutil.copytree(self.media, media, symlinks=True)

    def _restore_postgresql(self) -> None:
        names = ", ".join(f'"{table}"' for table in self._tables)
        with _own_connection() as own, own.transaction(), own.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            # Rows go back table by table; the session's replication role holds off the
            # foreign-key triggers until every table is whole again.
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, rows in self._tables.items():
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                    copy.write(rows)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def _own_connection() -> psycopg.Connection:
    """A connection to the test database that Django does not know of (so nothing of
    thidua's own write-following sees these rows move)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)
