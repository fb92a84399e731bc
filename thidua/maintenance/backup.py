"""Consistent backups of the whole database while thidua runs, and their restoration.

SQLite: the online backup API copies a consistent snapshot page by page while others keep
reading and writing. PostgreSQL: pg_dump reads one consistent snapshot; pg_restore --clean
brings it back. A backup is restored only into the same kind of database it came from.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def backup(path: Path) -> None:
    """Write a consistent copy of the database to `path` (replacing it only when complete)."""
    partial = path.with_name(path.name + ".partial")
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)])
    else:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    os.replace(partial, path)


def restore(path: Path) -> None:
    """Replace the database's content with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    head = path.read_bytes()[:16]
    vendor = connection.vendor
    if vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError("This file is not a SQLite backup of thidua.")
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    elif vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError("This file is not a PostgreSQL backup of thidua (pg_dump).")
        # pg_restore needs the tables free of this process's locks.
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _dbname(),
                str(path),
            ]
        )
    else:
        raise BackupError(f"Restoring {vendor} databases is not supported.")


def _dbname() -> str:
    return str(connection.settings_dict["NAME"])


def _run(command: list[str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    settings = connection.settings_dict
    env: dict[str, Any] = {**os.environ, "PGDATABASE": _dbname()}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    result = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
