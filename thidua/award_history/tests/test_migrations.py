"""Award history moved out of awards, and a database migrated before the move keeps every row.

The database is taken back to awards' 0005 (the schema the history had inside awards), more
history is written there through that state's own models, and it is migrated forward again:
every row of the tables is still there, unchanged, and is read through the moved models;
nominations reach their records and award types; the content types follow the models.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from openpyxl import Workbook

from thidua.award_history import actions as history
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord, AwardType, Decision, Initiative, TaskRating
from thidua.awards import actions
from thidua.awards.models import AwardRule, Nomination
from thidua.awards.tests.conftest import to_proposals
from thidua.testing.personas import World, build_world

BEFORE = [("awards", "0005_stamp_with_domain_clock")]
TABLES = (
    "awards_awardtype",
    "awards_awardrule",
    "awards_decision",
    "awards_historyimport",
    "awards_awardrecord",
    "awards_taskrating",
    "awards_initiative",
    "awards_nomination",
)
MOVED = ("awardtype", "decision", "historyimport", "awardrecord", "taskrating", "initiative")


def rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


def migrate(target: list[tuple[str, str]]) -> None:
    if connection.vendor == "postgresql":
        # A restore (the backup tests) copies django_migrations' rows with their ids and may
        # leave its sequence behind them; the next migration recorded would reuse an id.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('django_migrations', 'id'), "
                "(SELECT max(id) FROM django_migrations))"
            )
    MigrationExecutor(connection).migrate(target)


def sheet() -> bytes:
    book = Workbook(write_only=True)
    page = book.create_sheet()
    page.append(list(COLUMNS))
    page.append(
        [
            "Lò Văn Bình",
            1979,
            "Nam",
            "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            "Lao động tiên tiến",
            2013,
            "7/QĐ-SKHĐT",
            dt.date(2014, 1, 10),
            "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def some_history(world: World) -> None:
    """Every kind of row the move concerns: by hand, imported, and granted by a decision."""
    supervisor = world.supervisor
    person = history.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    for year in (2014, 2015, 2016):
        history.do_record_award(
            award_type=AwardType.objects.get(code="cstdcs"),
            year=year,
            person=person,
            decision_number=f"{year}/QĐ-SKHĐT",
            decision_date=dt.date(year + 1, 1, 15),
            issuer_name="Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            acting_user=supervisor,
        )
    history.do_record_rating(
        year=2015, rating="htxsnv", organization=world.orgs["lai_chau"], acting_user=supervisor
    )
    history.do_record_initiative(
        person, title="Sáng kiến A", level="ministry_province", year=2016, acting_user=supervisor
    )
    history.do_import_history(sheet(), file_name="lich-su.xlsx", acting_user=supervisor)
    nomination = actions.do_draft_nomination(
        world.year,
        unit=world.orgs["lai_chau"],
        award_type=AwardType.objects.get(code="cstd_bo"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        acting_user=world.lai_chau_officer,
    )
    actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    actions.do_compile_proposal(world.year, acting_user=world.son_la_officer)
    actions.do_approve_nomination(nomination, acting_user=supervisor)
    actions.do_record_decision(
        world.year,
        number="123/QĐ-BKHĐT",
        date=dt.date(2017, 4, 10),
        issuer_name="Bộ Kế hoạch và Đầu tư",
        signer_name="Bộ trưởng",
        acting_user=supervisor,
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_before_the_move_keeps_every_row_after_it() -> None:
    world = to_proposals(build_world())
    some_history(world)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE)
        # As at the last migration before the move: the history is awards', and is written
        # through that state's models.
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        assert "award_history" not in {m._meta.app_label for m in old.get_models()}
        old_record = old.get_model("awards", "AwardRecord")
        old_record.objects.create(
            person_id=Nomination.objects.get().person_id,
            award_type=old.get_model("awards", "AwardType").objects.get(code="ldtt"),
            year=2012,
            decision_number="3/QĐ-SKHĐT",
            decision_date=dt.date(2013, 1, 8),
            issuer_name="Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            source="manual",
        )
        types = old.get_model("contenttypes", "ContentType").objects
        for model in MOVED:
            types.get_or_create(app_label="awards", model=model)
        kept_types = dict(types.filter(app_label="awards").values_list("model", "pk"))
        before = {table: rows(table) for table in TABLES}
        assert all(before.values())

        migrate(latest)

        assert {table: rows(table) for table in TABLES} == before
        counts = [m.objects.count() for m in (AwardRecord, TaskRating, Initiative, Decision)]
        assert counts == [6, 1, 1, 1]
        nomination = Nomination.objects.select_related("record__decision", "award_type").get()
        assert nomination.record is not None and nomination.record.decision is not None
        assert (nomination.award_type.code, nomination.record.decision.number) == (
            "cstd_bo",
            "123/QĐ-BKHĐT",
        )
        assert AwardRule.objects.filter(award_type__code="cstd_bo").exists()
        moved = ContentType.objects.filter(model__in=MOVED)
        assert {(t.app_label, t.model): t.pk for t in moved} == {
            ("award_history", model): kept_types[model] for model in MOVED
        }
    finally:
        migrate(latest)
