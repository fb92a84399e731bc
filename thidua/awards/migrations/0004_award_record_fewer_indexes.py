"""Award records: drop the holder indexes the unique constraints already provide.

A record's holder (person or unit) leads the index of `award_once_per_person_per_year` /
`award_once_per_unit_per_year`, so the single-column indexes Django adds for the foreign keys
only cost every write (a national history import writes 100,000 rows into 3 million). The
decision's index keeps only the rows that have one: imported history never does.

The indexes are dropped in place (the state alone changes `db_index`); altering the fields
the usual way would rebuild the 3-million-row table on SQLite three times.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ("person_id", "organization_id", "decision_id")


def _plain_indexes(schema_editor, model):
    """{column: [index names]} of the single-column, non-unique indexes on COLUMNS."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    found = {column: [] for column in COLUMNS}
    for name, info in constraints.items():
        columns = info["columns"]
        if info["index"] and not info["unique"] and len(columns) == 1 and columns[0] in found:
            if name not in ("award_record_decision", "award_record_unit"):
                found[columns[0]].append(name)
    return found


def drop_indexes(apps, schema_editor):
    model = apps.get_model("awards", "AwardRecord")
    for names in _plain_indexes(schema_editor, model).values():
        for name in names:
            schema_editor.execute(
                schema_editor.sql_delete_index
                % {
                    "table": schema_editor.quote_name(model._meta.db_table),
                    "name": schema_editor.quote_name(name),
                }
            )


def restore_indexes(apps, schema_editor):
    model = apps.get_model("awards", "AwardRecord")
    table = model._meta.db_table
    for column in COLUMNS:
        name = schema_editor._create_index_name(table, [column])
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)}"
            f" ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0003_award_record_year_person"),
        ("orgs", "0004_position_staff_of_unit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="awardrecord",
                    name="decision",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="awards.decision",
                    ),
                ),
                migrations.AlterField(
                    model_name="awardrecord",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="award_records",
                        to="orgs.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="awardrecord",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="award_records",
                        to="orgs.person",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
        ),
        migrations.AddIndex(
            model_name="awardrecord",
            index=models.Index(
                condition=models.Q(("decision__isnull", False)),
                fields=["decision"],
                name="award_record_decision",
            ),
        ),
        migrations.AddIndex(
            model_name="awardrecord",
            index=models.Index(
                condition=models.Q(("organization__isnull", False)),
                fields=["organization"],
                name="award_record_unit",
            ),
        ),
    ]
