"""Award history is its own app (award_history): awards' foreign keys point at its models, and
awards forgets its copies. The state alone changes: the tables, their rows, indexes and
constraints stay as they are (award_history's models name them by `db_table`).

The content types of the models moved follow them, so that whatever names them (permissions,
admin log entries) names the same models afterwards.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("awardtype", "decision", "historyimport", "awardrecord", "taskrating", "initiative")


def _relabel(apps, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(content_type.objects.filter(app_label=new).values_list("model", flat=True))
    content_type.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def to_award_history(apps, schema_editor):
    _relabel(apps, "awards", "award_history")


def back_to_awards(apps, schema_editor):
    _relabel(apps, "award_history", "awards")


class Migration(migrations.Migration):

    dependencies = [
        ('award_history', '0001_initial'),
        ('awards', '0005_stamp_with_domain_clock'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='awardrule',
                    name='award_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='award_history.awardtype'),
                ),
                migrations.AlterField(
                    model_name='nomination',
                    name='award_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='nominations', to='award_history.awardtype'),
                ),
                migrations.AlterField(
                    model_name='nomination',
                    name='record',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='nomination', to='award_history.awardrecord'),
                ),
                migrations.DeleteModel(name='Initiative'),
                migrations.DeleteModel(name='TaskRating'),
                migrations.DeleteModel(name='AwardRecord'),
                migrations.DeleteModel(name='HistoryImport'),
                migrations.DeleteModel(name='Decision'),
                migrations.DeleteModel(name='AwardType'),
            ],
        ),
        migrations.RunPython(to_award_history, back_to_awards),
    ]
