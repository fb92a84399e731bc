"""Migrations that change the award history's indexes go back and forth on either engine."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from thidua.award_history.models import AwardRecord

BEFORE = ("awards", "0003_award_record_year_person")
FEWER = ("awards", "0004_award_record_fewer_indexes")
HOLDERS = {"person_id", "organization_id", "decision_id"}


def single_column_indexes() -> dict[str, str]:
    """{index name: column} of the award records' one-column, non-unique indexes."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AwardRecord._meta.db_table)
    return {
        name: info["columns"][0]
        for name, info in found.items()
        if info["index"] and not info["unique"] and len(info["columns"]) == 1
    }


def migrate(target: list[tuple[str, str]]) -> None:
    if connection.vendor == "postgresql":
        # A restore (the backup tests) copies django_migrations' rows with their ids and may
        # leave its sequence behind them; the next migration recorded would reuse an id.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('django_migrations', 'id'), "
                "(SELECT max(id) FROM django_migrations))"
            )
    executor = MigrationExecutor(connection)
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_the_holder_indexes_are_dropped_and_come_back_on_the_way_back() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate([BEFORE])
        before = single_column_indexes()
        assert set(before.values()) >= HOLDERS  # Django's own foreign-key indexes
        migrate([FEWER])
        fewer = single_column_indexes()
        # Only the partial ones remain for a unit and a decision; none for a person.
        assert {fewer[name] for name in ("award_record_unit", "award_record_decision")} == {
            "organization_id",
            "decision_id",
        }
        assert "person_id" not in fewer.values()
        migrate([BEFORE])
        assert single_column_indexes() == before
    finally:
        migrate(latest)
