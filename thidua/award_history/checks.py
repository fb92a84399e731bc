"""System checks of what award history needs of the database."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.core.checks import Error, register
from django.db import connections

# An import creates its newcomers by one INSERT … RETURNING (`import_store._create_people`).
SQLITE_RETURNING = (3, 35)


@register("database")
def sqlite_returns_rows(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Error]:
    """SQLite from 3.35 on: older versions cannot return the rows an INSERT writes."""
    found = []
    for alias in databases or ():
        if connections[alias].vendor != "sqlite" or sqlite3.sqlite_version_info >= SQLITE_RETURNING:
            continue
        found.append(
            Error(
                f"SQLite {sqlite3.sqlite_version} is too old for thidua: it needs 3.35 or newer.",
                hint="Use a Python built with a newer SQLite (as on Debian 12 or Ubuntu 22.04), "
                "or PostgreSQL.",
                id="award_history.E001",
            )
        )
    return found
