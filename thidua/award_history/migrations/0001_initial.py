"""Award history's models, moved from awards: created in the state only, on the tables they
already had (`db_table`), so that no row moves and no table is rebuilt.

awards' 0006 then points its own foreign keys here and forgets its copies.
"""

import django.db.models.deletion
import thidua.lib.clock
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('awards', '0005_stamp_with_domain_clock'),
        ('cycle', '0002_initial'),
        ('orgs', '0004_position_staff_of_unit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AwardType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=255, verbose_name='name')),
                        ('category', models.CharField(choices=[('title', 'Emulation title'), ('form', 'Form of commendation')], max_length=8, verbose_name='category')),
                        ('level', models.CharField(choices=[('grassroots', 'Head of the agency (grassroots)'), ('ministry_province', 'Minister or provincial chair'), ('prime_minister', 'Prime Minister'), ('president', 'President')], max_length=20, verbose_name='level')),
                        ('nominee_kind', models.CharField(choices=[('individual', 'Individual'), ('collective', 'Collective'), ('both', 'Individual or collective')], max_length=12, verbose_name='for')),
                        ('rank', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                    ],
                    options={
                        'verbose_name': 'award type',
                        'verbose_name_plural': 'award types',
                        'db_table': 'awards_awardtype',
                        'ordering': ['rank', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Decision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=50, verbose_name='number')),
                        ('date', models.DateField(verbose_name='date')),
                        ('issuer_name', models.CharField(max_length=255, verbose_name='issuer')),
                        ('signer_name', models.CharField(max_length=150, verbose_name='signed by')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='award_decisions', to='cycle.emulationyear')),
                    ],
                    options={
                        'verbose_name': 'decision',
                        'verbose_name_plural': 'decisions',
                        'db_table': 'awards_decision',
                        'ordering': ['date', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoryImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('rows', models.PositiveIntegerField(verbose_name='rows')),
                        ('imported_at', models.DateTimeField(default=thidua.lib.clock.now, editable=False, verbose_name='imported at')),
                        ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'history import',
                        'verbose_name_plural': 'history imports',
                        'db_table': 'awards_historyimport',
                    },
                ),
                migrations.CreateModel(
                    name='AwardRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('decision_number', models.CharField(max_length=50, verbose_name='decision number')),
                        ('decision_date', models.DateField(verbose_name='decision date')),
                        ('issuer_name', models.CharField(max_length=255, verbose_name='issuer')),
                        ('unit_name', models.CharField(blank=True, max_length=255, verbose_name='unit at the time')),
                        ('source', models.CharField(choices=[('import', 'Imported'), ('manual', 'Entered by hand'), ('decision', 'Decision')], max_length=10, verbose_name='source')),
                        ('organization', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='award_records', to='orgs.organization')),
                        ('person', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='award_records', to='orgs.person')),
                        ('award_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='records', to='award_history.awardtype')),
                        ('decision', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='award_history.decision')),
                        ('history_import', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='award_history.historyimport')),
                    ],
                    options={
                        'verbose_name': 'award record',
                        'verbose_name_plural': 'award records',
                        'db_table': 'awards_awardrecord',
                        'ordering': ['year', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Initiative',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=500, verbose_name='title')),
                        ('level', models.CharField(choices=[('grassroots', 'Grassroots'), ('ministry_province', 'Ministry or province'), ('national', 'National')], max_length=20, verbose_name='recognised at')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='initiatives', to='orgs.person')),
                        ('used_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='initiatives', to='award_history.awardrecord')),
                    ],
                    options={
                        'verbose_name': 'initiative',
                        'verbose_name_plural': 'initiatives',
                        'db_table': 'awards_initiative',
                        'ordering': ['year', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='TaskRating',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('rating', models.CharField(choices=[('htxsnv', 'Completed tasks excellently'), ('httnv', 'Completed tasks well'), ('htnv', 'Completed tasks'), ('khtnv', 'Did not complete tasks')], max_length=8, verbose_name='rating')),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='task_ratings', to='orgs.organization')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='task_ratings', to='orgs.person')),
                    ],
                    options={
                        'verbose_name': 'task rating',
                        'verbose_name_plural': 'task ratings',
                        'db_table': 'awards_taskrating',
                    },
                ),
                migrations.AddConstraint(
                    model_name='decision',
                    constraint=models.UniqueConstraint(fields=('issuer_name', 'number', 'date'), name='one_decision_per_number'),
                ),
                migrations.AddIndex(
                    model_name='awardrecord',
                    index=models.Index(fields=['year', 'person'], name='award_record_year_person'),
                ),
                migrations.AddIndex(
                    model_name='awardrecord',
                    index=models.Index(condition=models.Q(('decision__isnull', False)), fields=['decision'], name='award_record_decision'),
                ),
                migrations.AddIndex(
                    model_name='awardrecord',
                    index=models.Index(condition=models.Q(('organization__isnull', False)), fields=['organization'], name='award_record_unit'),
                ),
                migrations.AddConstraint(
                    model_name='awardrecord',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('person__isnull', False), ('organization__isnull', True)), models.Q(('person__isnull', True), ('organization__isnull', False)), _connector='OR'), name='award_record_exactly_one_nominee'),
                ),
                migrations.AddConstraint(
                    model_name='awardrecord',
                    constraint=models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('person', 'award_type', 'year'), name='award_once_per_person_per_year'),
                ),
                migrations.AddConstraint(
                    model_name='awardrecord',
                    constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', False)), fields=('organization', 'award_type', 'year'), name='award_once_per_unit_per_year'),
                ),
                migrations.AddConstraint(
                    model_name='awardrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('year__gte', 1945), ('year__lte', 2100)), name='award_record_year_in_range'),
                ),
                migrations.AddConstraint(
                    model_name='initiative',
                    constraint=models.UniqueConstraint(fields=('person', 'title', 'year'), name='initiative_once_per_person_year'),
                ),
                migrations.AddConstraint(
                    model_name='taskrating',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('person__isnull', False), ('organization__isnull', True)), models.Q(('person__isnull', True), ('organization__isnull', False)), _connector='OR'), name='task_rating_exactly_one_nominee'),
                ),
                migrations.AddConstraint(
                    model_name='taskrating',
                    constraint=models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('person', 'year'), name='one_rating_per_person_per_year'),
                ),
                migrations.AddConstraint(
                    model_name='taskrating',
                    constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', False)), fields=('organization', 'year'), name='one_rating_per_unit_per_year'),
                ),
            ],
        ),
    ]
