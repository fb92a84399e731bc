"""The hash chain catches a row changed or removed behind thidua's back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from thidua.audit.models import AuditEntry
from thidua.audit.verify import first_break
from thidua.testing.personas import World


def test_an_untouched_trail_verifies(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.to_pledge_phase()
    assert first_break() is None
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_a_row_edited_in_the_database_is_caught_at_that_row(world: World) -> None:
    world.to_pledge_phase()
    target = AuditEntry.objects.filter(action="movement.set").get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["someone else", target.pk]
        )
    broken = first_break()
    assert broken is not None and broken.entry_id == target.pk
    with pytest.raises(CommandError, match=f"entry {target.pk}"):
        call_command("verify_audit")


def test_a_row_removed_in_the_middle_is_caught_at_the_next_one(world: World) -> None:
    world.to_pledge_phase()
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [ids[3]])
    broken = first_break()
    assert broken is not None and broken.entry_id == ids[4]


def test_rows_removed_from_the_end_are_caught(world: World) -> None:
    world.to_pledge_phase()
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    with connection.cursor() as cursor:
        # The whole trace of the last action: its feed event (which names the entry) too.
        cursor.execute(
            "DELETE FROM notifications_webhookdelivery WHERE event_id IN "
            "(SELECT id FROM notifications_feedevent WHERE entry_id = %s)",
            [last.pk],
        )
        cursor.execute("DELETE FROM notifications_feedevent WHERE entry_id = %s", [last.pk])
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    broken = first_break()
    assert broken is not None and broken.entry_id is None
