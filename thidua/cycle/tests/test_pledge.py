from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.cycle import actions
from thidua.cycle.models import Signature
from thidua.errors import ActionRefused
from thidua.orgs.models import User
from thidua.testing.personas import World


def test_leader_signs_the_pledge_for_the_unit(world: World) -> None:
    pledge = world.to_pledge_phase()
    signature = actions.do_sign_pledge(
        pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader
    )
    assert signature.organization == world.orgs["lai_chau"]
    assert signature.signer_name == str(world.lai_chau_leader)
    assert AuditEntry.objects.filter(action="pledge.sign", actor=world.lai_chau_leader).exists()


def test_unit_cannot_sign_twice_and_nothing_more_is_recorded(world: World) -> None:
    pledge = world.to_pledge_phase()
    actions.do_sign_pledge(pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader)
    entries = AuditEntry.objects.count()
    with pytest.raises(ActionRefused) as refused:
        actions.do_sign_pledge(
            pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader
        )
    assert refused.value.kind == "already_signed"
    assert "đã ký" in refused.value.message
    assert Signature.objects.filter(pledge=pledge).count() == 1
    assert AuditEntry.objects.count() == entries


def test_signature_outside_the_pledge_phase_is_refused(world: World) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    actions.do_move_phase(world.year, target="in_progress", acting_user=world.son_la_officer)
    with pytest.raises(ActionRefused) as refused:
        actions.do_sign_pledge(
            pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader
        )
    assert refused.value.kind == "wrong_phase"


def test_signature_before_the_pledge_phase_is_refused(world: World) -> None:
    world.launch()
    from thidua.cycle.models import Pledge

    pledge = Pledge.objects.get(year=world.year)
    with pytest.raises(ActionRefused):
        actions.do_sign_pledge(
            pledge, unit=world.orgs["lai_chau"], acting_user=world.lai_chau_leader
        )
    assert not Signature.objects.exists()


@pytest.mark.parametrize("persona", ["lai_chau_officer", "supervisor", "outsider"])
def test_only_a_member_units_leader_signs(world: World, persona: str) -> None:
    pledge = world.to_pledge_phase()
    user = getattr(world, persona)
    with pytest.raises(PermissionDenied):
        actions.do_sign_pledge(pledge, unit=world.orgs["lai_chau"], acting_user=user)
    assert not Signature.objects.exists()


def test_leader_cannot_sign_for_another_unit(world: World) -> None:
    pledge = world.to_pledge_phase()
    with pytest.raises(ActionRefused):
        actions.do_sign_pledge(
            pledge, unit=world.orgs["cao_bang"], acting_user=world.lai_chau_leader
        )
    assert not Signature.objects.exists()


def test_a_leader_is_told_when_the_pledge_can_be_signed_instead_of_a_form(
    world: World, as_user: Callable[[User], Client]
) -> None:
    reason = "Lãnh đạo đơn vị ký giao ước trong giai đoạn Giao ước; năm thi đua đang ở giai đoạn"
    url = world.url + "pledge/"
    world.launch()
    leader = as_user(world.lai_chau_leader)
    before = leader.get(url).content.decode()
    assert f"{reason} Chuẩn bị." in before and 'data-testid="sign-pledge"' not in before

    pledge = world.to_pledge_phase()
    during = leader.get(url).content.decode()
    assert reason not in during and 'data-testid="sign-pledge"' in during

    world.sign_all(pledge)  # signed: nothing left to say
    actions.do_move_phase(world.year, target="in_progress", acting_user=world.son_la_officer)
    after = leader.get(url).content.decode()
    assert reason not in after and 'data-testid="sign-pledge"' not in after
    # An officer, who never signs, is not told.
    assert reason not in as_user(world.lai_chau_officer).get(url).content.decode()
