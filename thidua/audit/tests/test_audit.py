import pytest
from django.db import transaction
from django.db.models import ProtectedError

from thidua.audit.models import AuditEntry
from thidua.audit.record import entry_digest, hashed_fields
from thidua.cycle.models import Movement
from thidua.testing.personas import World


def test_every_action_records_who_what_and_the_values(world: World) -> None:
    world.launch()
    entry = AuditEntry.objects.get(action="movement.set")
    assert entry.actor == world.son_la_officer
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["title"] == "Phong trào thi đua năm 2016"
    assert entry.year == world.year and entry.cluster == world.cluster


def test_a_correction_keeps_the_value_before(world: World) -> None:
    world.launch()
    movement = Movement.objects.get(year=world.year)
    from thidua.cycle.actions import do_set_movement

    do_set_movement(
        world.year,
        title="Phong trào thi đua yêu nước năm 2016",
        launched_on=movement.launched_on,
        goals=movement.goals,
        acting_user=world.cao_bang_officer,
    )
    entry = AuditEntry.objects.filter(action="movement.set").order_by("-id").first()
    assert entry is not None and entry.before is not None and entry.after is not None
    assert entry.before["title"] == "Phong trào thi đua năm 2016"
    assert entry.after["title"] == "Phong trào thi đua yêu nước năm 2016"
    assert entry.actor == world.cao_bang_officer


def test_audit_entries_form_an_unbroken_hash_chain(world: World) -> None:
    world.to_pledge_phase()
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) > 5
    previous = "0" * 64
    for entry in entries:
        assert entry.previous_hash == previous
        assert entry.entry_hash == entry_digest(previous, hashed_fields(entry))
        previous = entry.entry_hash


def test_audit_entries_cannot_be_changed_or_deleted(world: World) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_an_object_with_history_cannot_be_deleted(world: World) -> None:
    world.launch()
    movement = Movement.objects.get(year=world.year)
    with pytest.raises(ProtectedError), transaction.atomic():
        movement.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Movement.objects.filter(pk=movement.pk).delete()
    assert Movement.objects.filter(pk=movement.pk).exists()
