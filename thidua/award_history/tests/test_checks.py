"""The system check that stops thidua on a SQLite too old for its imports."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from thidua.award_history import checks
from thidua.testing.engines import only_on


def test_this_database_passes() -> None:
    assert checks.sqlite_returns_rows(databases=["default"]) == []


@only_on("sqlite")
def test_a_sqlite_older_than_3_35_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "SQLITE_RETURNING", (99, 0))
    (error,) = checks.sqlite_returns_rows(databases=["default"])
    assert error.id == "award_history.E001"
    assert "3.35 or newer" in error.msg
    with pytest.raises(SystemCheckError, match=r"award_history\.E001"):
        call_command("check", "--database", "default")


@only_on("postgresql")
def test_postgresql_is_never_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "SQLITE_RETURNING", (99, 0))
    assert checks.sqlite_returns_rows(databases=["default"]) == []
