"""The whole demo, played once for a test module instead of once for each of its tests.

Playing the reference cluster's 2016 through every area's actions takes several seconds; a
module whose tests only read it (or change it inside their own transaction) shares one play.
The play runs in a transaction opened for the module and rolled back after it; each test runs
in its own savepoint inside it (pytest-django's `db`), so no test sees another's changes.
Uploaded files go to a folder of the module's own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_module(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """`thidua load_demo`, once for the module; request `db` beside it in each test."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)
