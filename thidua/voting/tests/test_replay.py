"""Ballots replayed, removed or moved in the database while the poll is open.

The attacker writes the database but does not hold the server's secret key: a sealed ballot
can be copied, deleted or moved to another poll, not forged. The close counts a copy once,
and refuses, leaving the poll open and nothing counted, when the ballots are not as many as
the register's units or one does not open under this poll's key.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from thidua.audit.models import AuditEntry
from thidua.testing.personas import World
from thidua.voting import actions, reads
from thidua.voting.models import Ballot, Poll, SealedBallot

from .conftest import cast, open_poll


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def a_new_key() -> Any:
    return SealedBallot._meta.pk.get_db_prep_value(uuid.uuid4(), connection)


def first_sealed(poll: Poll) -> Any:
    found = SealedBallot.objects.filter(poll=poll).values_list("pk", flat=True).first()
    return SealedBallot._meta.pk.get_db_prep_value(found, connection)


def poll_with_two_ballots(world: World, title: str = "Bỏ phiếu") -> Poll:
    poll = open_poll(world, title=title)
    cast(world, poll, "lai_chau", "son_la")
    cast(world, poll, "cao_bang", "son_la")
    return poll


def test_a_sealed_ballot_copied_in_the_database_is_counted_once(voting_world: World) -> None:
    poll = poll_with_two_ballots(voting_world)
    sql(
        "INSERT INTO voting_sealedballot (id, poll_id, sealed) "
        "SELECT %s, poll_id, sealed FROM voting_sealedballot WHERE id = %s",
        a_new_key(),
        first_sealed(poll),
    )
    assert SealedBallot.objects.filter(poll=poll).count() == 3

    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)

    result = reads.count(poll)
    assert result is not None and result.ballots_cast == 2
    assert Ballot.objects.filter(poll=poll).count() == 2
    close = AuditEntry.objects.get(action="poll.close", object_id=str(poll.pk))
    assert close.after is not None and close.after["sealed_copies_ignored"] == 1


def test_a_sealed_ballot_removed_in_the_database_refuses_the_close(voting_world: World) -> None:
    poll = poll_with_two_ballots(voting_world)
    sql("DELETE FROM voting_sealedballot WHERE id = %s", first_sealed(poll))

    with pytest.raises(actions.ActionRefused, match="1 phiếu đã niêm phong nhưng sổ cử tri ghi 2"):
        actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)

    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert not Ballot.objects.filter(poll=poll).exists()


def test_a_sealed_ballot_moved_from_another_poll_refuses_the_close(voting_world: World) -> None:
    first = poll_with_two_ballots(voting_world, title="Lần một")
    second = open_poll(voting_world, title="Lần hai")
    cast(voting_world, second, "son_la", "cao_bang")
    # The attacker swaps a ballot of the first poll for the second's: counts still agree.
    sql("DELETE FROM voting_sealedballot WHERE poll_id = %s", second.pk)
    sql("UPDATE voting_sealedballot SET poll_id = %s WHERE id = %s", second.pk, first_sealed(first))

    with pytest.raises(actions.ActionRefused, match="chuyển sang từ một cuộc bỏ phiếu khác"):
        actions.do_close_poll(second, acting_user=voting_world.son_la_officer)

    second.refresh_from_db()
    assert second.status == Poll.Status.OPEN
    assert not Ballot.objects.filter(poll=second).exists()


def test_the_same_ballot_submitted_again_is_refused(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    with pytest.raises(actions.ActionRefused, match="đã bỏ phiếu") as refused:
        cast(voting_world, poll, "lai_chau", "son_la")
    assert refused.value.kind == "already_voted"
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    result = reads.count(poll)
    assert result is not None and result.ballots_cast == 1
