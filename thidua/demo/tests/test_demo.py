"""The demo plays the reference cluster's 2016 through the users' actions."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from thidua import access
from thidua.audit.models import AuditEntry
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear, Membership, Phase, Signature
from thidua.demo.play import load_data
from thidua.orgs.models import Cluster, User
from thidua.signing.demo import give_identities
from thidua.voting.demo import elected
from thidua.voting.models import Poll, VoterRegister

PROVINCES = ["Lạng Sơn", "Lai Châu", "Lào Cai", "Hà Giang", "Cao Bằng", "Điện Biên", "Sơn La"]


@pytest.fixture
def demo(demo_module: None, db: None) -> Any:
    return EmulationYear.objects.select_related("cluster__supervisor").get(
        cluster__slug="mien-nui-bien-gioi-phia-bac", year=2016
    )


def test_demo_is_the_reference_cluster_of_seven_departments(demo: Any) -> None:
    names = set(demo.members.values_list("name", flat=True))
    assert names == {f"Sở Kế hoạch và Đầu tư tỉnh {p}" for p in PROVINCES}  # F1
    assert demo.cluster.supervisor.name == "Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư"  # F2


def test_demo_2016_head_is_son_la(demo: Any) -> None:
    head = Membership.objects.get(year=demo, role=Membership.Role.HEAD)
    assert head.organization.province == "Sơn La"  # F3


def test_demo_pledge_is_signed_by_all_seven_leaders_through_the_action(demo: Any) -> None:
    signatures = Signature.objects.filter(pledge__year=demo).select_related("signed_by")
    assert signatures.count() == 7
    assert all(s.signed_by.is_leader for s in signatures)
    assert AuditEntry.objects.filter(action="pledge.sign").count() == 7
    # The pledge phase can only be left once every member has signed.
    assert demo.phase not in (Phase.SETUP, Phase.PLEDGE)


def test_demo_has_an_account_for_each_persona(demo: Any) -> None:
    usernames = set(User.objects.values_list("username", flat=True))
    assert {
        "admin",
        "vu-tdkt",
        "vu-tdkt-vanthu",
        "son-la-canbo",
        "son-la-lanhdao",
        "cao-bang-lanhdao",
        "yen-bai-canbo",
        "tuyen-quang-canbo",
    } <= usernames
    for user in User.objects.all():
        assert user.check_password(load_data()["password"])


def test_the_supervising_departments_clerk_signs_with_its_seal_and_the_supervisor_not(
    demo: Any, tmp_path: Path
) -> None:
    clerk = User.objects.get(username="vu-tdkt-vanthu")
    supervisor = User.objects.get(username="vu-tdkt")
    assert clerk.organization == supervisor.organization == demo.cluster.supervisor
    assert not clerk.is_leader and clerk.full_name == "Vương Thị Thanh Nga"
    assert clerk.email.endswith(".example")
    assert clerk.has_perm("dossier.receive")
    # The seal the demo gives the department when it loads with a key-encryption key.
    key_file = tmp_path / "signing.key"
    with override_settings(THIDUA_SIGNING_KEY_FILE=str(key_file), THIDUA_SIGNING_CRLS=[]):
        [seal] = give_identities(
            admin=User.objects.get(username="admin"),
            people=[],
            agencies=[demo.cluster.supervisor],
            where=tmp_path,
        )
    assert access.can_sign_with(clerk, seal)
    assert not access.can_sign_with(supervisor, seal)  # a leader signs as a person only


def test_todays_finance_department_sees_its_predecessors_2016(demo: Any) -> None:
    officer = User.objects.get(username="tuyen-quang-canbo")
    assert officer.has_perm("cycle.view_year", demo)
    outsider = User.objects.get(username="yen-bai-canbo")
    assert not outsider.has_perm("cycle.view_year", demo)


def test_load_demo_refuses_a_database_that_holds_data(demo: Any) -> None:
    with pytest.raises(CommandError, match="already holds data"):
        call_command("load_demo", stdout=io.StringIO())
    assert Cluster.objects.count() == 1


def test_load_demo_if_empty_leaves_existing_data_alone(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_demo", "--if-empty")
    assert "son-la-lanhdao" in capsys.readouterr().out
    assert Cluster.objects.count() == 1


# Dates that are not the demo year's: accounts measure real time, and the award rules'
# validity is the law's (the 2024 Law on Emulation and Commendation took effect 2024-01-01).
NOT_THE_YEARS = {
    ("orgs", "user", "date_joined"),
    ("orgs", "user", "last_login"),
    ("awards", "awardrule", "effective_from"),
    ("awards", "awardrule", "effective_to"),
    ("awards", "awardrule", "created_at"),  # the catalogue is loaded by migrate, not played
    # When the feed wrote the event, the real time a mirror's If-Modified-Since compares with;
    # the event's own moment (`at`) is the played day.
    ("notifications", "feedevent", "recorded_at"),
}


def test_every_record_of_the_demo_carries_its_2016_or_2017_date(demo: Any) -> None:
    # The demo plays 2016 with the domain's clock set to each step's day, and the 2025
    # reorganisation on its own days: no record of it says the day the demo was loaded.
    import datetime as dt

    from django.apps import apps
    from django.db import models

    allowed = {2016, 2017, 2025}
    checked = 0
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("thidua."):
            continue
        meta = model._meta
        for f in meta.concrete_fields:
            if not isinstance(f, models.DateField):  # DateTimeField is a DateField
                continue
            if (meta.app_label, meta.model_name, f.name) in NOT_THE_YEARS:
                continue
            for value in model._default_manager.exclude(**{f.name: None}).values_list(
                f.name, flat=True
            ):
                day = value.date() if isinstance(value, dt.datetime) else value
                if not (day.year in allowed or day.year < 2016):
                    wrong.append((meta.label, f.name, day))
                checked += 1
    assert not wrong, sorted(set(wrong))
    assert checked > 500  # audit entries, signatures, ballots' polls, reports ...
    signed = Signature.objects.filter(pledge__year=demo).values_list("signed_at", flat=True)
    assert {timezone_day(s) for s in signed} == {dt.date(2016, 3, 18)}
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # the entries stamped in 2016 still chain
    assert "intact" in out.getvalue()


def timezone_day(moment: Any) -> Any:
    from django.utils import timezone

    return timezone.localdate(moment)


def test_the_units_propose_through_the_actions(demo: Any) -> None:
    nominations = Nomination.objects.filter(year=demo)
    collectives = nominations.filter(collective__isnull=False).count()
    individuals = nominations.filter(person__isnull=False).count()
    assert (collectives, individuals) == (29, 161)  # F5


def test_the_polls_state_the_flag_certificates_head_and_deputy(demo: Any) -> None:
    polls = {p.purpose: p for p in Poll.objects.filter(year=demo)}

    assert elected(polls["flag"]) == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]  # F12
    assert sorted(elected(polls["certificate"])) == [  # F13
        "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng",
        "Sở Kế hoạch và Đầu tư tỉnh Hà Giang",
    ]
    assert elected(polls["head"]) == ["Sở Kế hoạch và Đầu tư tỉnh Lào Cai"]  # F14
    assert elected(polls["deputy"]) == ["Sở Kế hoạch và Đầu tư tỉnh Hà Giang"]  # F14

    # Each of the seven leaders cast every ballot through the action.
    for poll in polls.values():
        assert poll.status == Poll.Status.CLOSED
        assert VoterRegister.objects.filter(poll=poll).count() == 7
        assert poll.ballots.count() == 7
    votes = AuditEntry.objects.filter(action="poll.vote").select_related("actor")
    assert votes.count() == 28
    assert all(entry.actor is not None and entry.actor.is_leader for entry in votes)
