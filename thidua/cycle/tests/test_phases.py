import pytest
from django.core.exceptions import PermissionDenied

from thidua.audit.models import AuditEntry
from thidua.cycle import actions, hooks
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.testing.personas import World


def test_secretariat_moves_the_year_into_the_pledge_phase_once_it_is_set_up(world: World) -> None:
    world.launch()
    actions.do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)
    world.year.refresh_from_db()
    assert world.year.phase == Phase.PLEDGE


def test_year_cannot_enter_the_pledge_phase_without_a_movement(world: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        actions.do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)
    assert "phong trào" in refused.value.message
    world.year.refresh_from_db()
    assert world.year.phase == Phase.SETUP


def test_year_cannot_skip_a_phase(world: World) -> None:
    world.launch()
    with pytest.raises(ActionRefused) as refused:
        actions.do_move_phase(
            world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
        )
    assert "chỉ có thể chuyển sang giai đoạn kế tiếp" in refused.value.message


def test_year_cannot_leave_the_pledge_phase_while_members_have_not_signed(world: World) -> None:
    pledge = world.to_pledge_phase()
    actions.do_sign_pledge(pledge, unit=world.orgs["son_la"], acting_user=world.son_la_leader)
    with pytest.raises(ActionRefused) as refused:
        actions.do_move_phase(
            world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer
        )
    assert "Sở KH&ĐT Lai Châu" in refused.value.message
    assert "Sở KH&ĐT Sơn La" not in refused.value.message


def test_deputy_may_move_the_phase_too(world: World) -> None:
    world.launch()
    actions.do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.cao_bang_officer)
    world.year.refresh_from_db()
    assert world.year.phase == Phase.PLEDGE


@pytest.mark.parametrize(
    "persona", ["lai_chau_officer", "lai_chau_leader", "supervisor", "outsider"]
)
def test_only_the_secretariat_moves_the_phase(world: World, persona: str) -> None:
    world.launch()
    with pytest.raises(PermissionDenied):
        actions.do_move_phase(world.year, target=Phase.PLEDGE, acting_user=getattr(world, persona))


def test_a_closed_year_refuses_every_change(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cycle's own rules alone: other areas' phase checks (a criteria table, polls ...)
    # are tested with their areas.
    monkeypatch.setattr(hooks, "phase_problems", [])
    monkeypatch.setattr(hooks, "phase_changed", [])
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    for phase in Phase.values[2:]:
        actions.do_move_phase(world.year, target=phase, acting_user=world.son_la_officer)
    world.year.refresh_from_db()
    assert world.year.is_closed
    with pytest.raises(ActionRefused) as refused:
        actions.do_move_phase(world.year, target=Phase.SETUP, acting_user=world.son_la_officer)
    assert refused.value.message == "Năm thi đua đã kết thúc, không thể thay đổi nữa."
    with pytest.raises(ActionRefused):
        actions.do_set_pledge(
            world.year, title="x", preamble="", articles=["y"], acting_user=world.son_la_officer
        )


def test_moving_the_phase_is_recorded_with_before_and_after(world: World) -> None:
    world.launch()
    actions.do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)
    entry = AuditEntry.objects.filter(action="year.phase").get()
    assert entry.actor == world.son_la_officer
    assert entry.before == {"phase": "setup"}
    assert entry.after == {"phase": "pledge"}
    assert entry.year == world.year


def test_movement_and_pledge_are_fixed_once_the_pledge_phase_opens(world: World) -> None:
    world.to_pledge_phase()
    with pytest.raises(ActionRefused) as refused:
        actions.do_set_pledge(
            world.year, title="x", preamble="", articles=["y"], acting_user=world.son_la_officer
        )
    assert refused.value.kind == "wrong_phase"
