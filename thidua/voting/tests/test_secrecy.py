"""Secrecy: after a poll, nothing in the database links a ballot to the unit that cast it."""

from typing import Any

from django.db import connection

from thidua.audit.models import AuditEntry
from thidua.testing.personas import World
from thidua.voting import actions
from thidua.voting.models import Ballot, BallotChoice, VoterRegister

from .conftest import cast, open_poll


def columns(model: Any) -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {column.name for column in description}


def test_no_column_links_a_ballot_to_a_unit(voting_world: World) -> None:
    poll = open_poll(voting_world)
    receipts = [
        cast(voting_world, poll, "son_la", "cao_bang"),
        cast(voting_world, poll, "cao_bang", "son_la"),
        cast(voting_world, poll, "lai_chau"),
    ]
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)

    # The ballot tables hold random keys, the poll, the receipt's hash and the choices: no
    # voter, no user, no time, no sequence number.
    assert columns(Ballot) == {"id", "poll_id", "receipt_hash"}
    assert columns(BallotChoice) == {"id", "ballot_id", "candidate_id"}
    # The register holds who voted, and nothing of the ballot.
    assert columns(VoterRegister) == {"id", "poll_id", "organization_id"}

    ballot_keys = {str(pk) for pk in Ballot.objects.values_list("id", flat=True)}
    choice_keys = {str(pk) for pk in BallotChoice.objects.values_list("id", flat=True)}
    hashes = set(Ballot.objects.values_list("receipt_hash", flat=True))
    # The keys are random UUIDs, not numbers that count up.
    assert all(len(key) == 36 for key in ballot_keys | choice_keys)
    # Receipts are stored only as hashes.
    assert not any(receipt in h for receipt in receipts for h in hashes)

    # The audit trail names the register rows, never a ballot or a choice, and carries no
    # choice in its values.
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_id} {entry.before} {entry.after} {entry.object_repr}"
        assert not any(key in text for key in ballot_keys | choice_keys)
        assert not any(h in text for h in hashes)
    votes = AuditEntry.objects.filter(action="poll.vote")
    assert votes.count() == 3
    assert {e.object_type for e in votes} == {"voting.voterregister"}
    assert all(e.after is not None and set(e.after) == {"poll", "unit"} for e in votes)


def test_ballot_model_declares_no_ordering(voting_world: World) -> None:
    # An ordering by any column of these tables could reveal the order of insertion.
    assert not Ballot._meta.ordering
    assert not BallotChoice._meta.ordering
