import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

from thidua.voting import box


def seal_the_ballots_of_open_polls(apps, schema_editor):
    """Ballots of a poll still open were stored in the order they were cast: seal them, as
    the cast now does, so that the close writes them out in a random order."""
    Poll = apps.get_model("voting", "Poll")
    Ballot = apps.get_model("voting", "Ballot")
    BallotChoice = apps.get_model("voting", "BallotChoice")
    SealedBallot = apps.get_model("voting", "SealedBallot")
    for poll in Poll.objects.filter(status="open", method="online"):
        key = salted_hmac(
            "thidua.voting.box", str(poll.pk), secret=settings.SECRET_KEY, algorithm="sha256"
        ).digest()
        ballots = list(Ballot.objects.filter(poll=poll))
        chosen = {}
        for ballot_id, candidate_id in BallotChoice.objects.filter(
            ballot__poll=poll
        ).values_list("ballot_id", "candidate_id"):
            chosen.setdefault(ballot_id, []).append(candidate_id)
        SealedBallot.objects.bulk_create(
            SealedBallot(
                poll=poll,
                sealed=box.seal(
                    key,
                    box.encode_ballot(
                        ballot.receipt_hash, chosen.get(ballot.pk, []), poll.max_choices
                    ),
                ),
            )
            for ballot in ballots
        )
        BallotChoice.objects.filter(ballot__poll=poll).delete()
        Ballot.objects.filter(poll=poll).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cycle', '0002_initial'),
        ('voting', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedBox',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, verbose_name='digest')),
                ('content', models.TextField(verbose_name='content')),
            ],
            options={
                'verbose_name': 'published ballot box',
                'verbose_name_plural': 'published ballot boxes',
            },
        ),
        migrations.CreateModel(
            name='SealedBallot',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sealed', models.BinaryField()),
            ],
            options={
                'verbose_name': 'sealed ballot',
                'verbose_name_plural': 'sealed ballots',
            },
        ),
        migrations.AddField(
            model_name='poll',
            name='next_round',
            field=models.CharField(choices=[('none', 'No further round: the seats stay empty'), ('leading', 'A new round between the leading candidates')], default='none', max_length=10, verbose_name='when nobody reaches the threshold'),
        ),
        migrations.AddField(
            model_name='poll',
            name='next_round_size',
            field=models.PositiveSmallIntegerField(default=2, verbose_name='candidates in the new round'),
        ),
        migrations.AddConstraint(
            model_name='poll',
            constraint=models.CheckConstraint(condition=models.Q(('next_round_size__gte', 2)), name='poll_next_round_between_several'),
        ),
        migrations.AddField(
            model_name='publishedbox',
            name='poll',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='published_box', to='voting.poll'),
        ),
        migrations.AddField(
            model_name='sealedballot',
            name='poll',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sealed_ballots', to='voting.poll'),
        ),
        migrations.RunPython(seal_the_ballots_of_open_polls, migrations.RunPython.noop),
    ]
