"""Roles are derived from organisations and years, never stored per page."""

from thidua import access
from thidua.cycle import actions
from thidua.testing.personas import World, make_user


def test_head_and_deputy_officers_are_the_secretariat(world: World) -> None:
    assert access.roles_in_year(world.son_la_officer, world.year).secretariat
    assert access.roles_in_year(world.cao_bang_officer, world.year).secretariat
    assert not access.roles_in_year(world.lai_chau_officer, world.year).secretariat


def test_secretariat_rights_move_to_the_next_years_head_by_themselves(world: World) -> None:
    lao_cai = world.orgs["lai_chau"]
    next_year = actions.do_open_year(
        world.cluster,
        year=2017,
        members=[world.orgs["son_la"], world.orgs["cao_bang"], lao_cai],
        head=lao_cai,
        deputy=world.orgs["cao_bang"],
        acting_user=world.son_la_officer,
    )
    officer = world.lai_chau_officer
    assert officer.has_perm("cycle.change_phase", next_year)
    assert not officer.has_perm("cycle.change_phase", world.year)
    son_la = world.son_la_officer
    assert son_la.has_perm("cycle.change_phase", world.year)
    assert not son_la.has_perm("cycle.change_phase", next_year)


def test_supervisor_sees_the_year_but_cannot_act_for_a_member(world: World) -> None:
    assert world.supervisor.has_perm("cycle.view_year", world.year)
    assert not world.supervisor.has_perm("cycle.sign_pledge", world.year)
    assert not world.supervisor.has_perm("cycle.change_phase", world.year)


def test_outsider_sees_nothing(world: World) -> None:
    assert not world.outsider.has_perm("cycle.view_year", world.year)
    assert not access.clusters_visible_to(world.outsider).exists()


def test_only_leaders_of_member_units_may_sign(world: World) -> None:
    assert world.lai_chau_leader.has_perm("cycle.sign_pledge", world.year)
    assert not world.lai_chau_officer.has_perm("cycle.sign_pledge", world.year)


def test_inactive_account_has_no_role(world: World) -> None:
    world.lai_chau_leader.is_active = False
    world.lai_chau_leader.save()
    user = type(world.lai_chau_leader).objects.get(pk=world.lai_chau_leader.pk)
    assert not user.has_perm("cycle.view_year", world.year)


def test_a_previous_years_secretariat_may_open_the_next_year(world: World) -> None:
    assert world.son_la_officer.has_perm("cycle.open_year", world.cluster)
    assert world.supervisor.has_perm("cycle.open_year", world.cluster)
    assert not world.lai_chau_leader.has_perm("cycle.open_year", world.cluster)
    unattached = make_user("no-unit", None)
    assert not unattached.has_perm("cycle.open_year", world.cluster)
