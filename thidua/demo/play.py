"""The demo: the reference cluster's 2016, played through the same actions users call."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.db import transaction

from thidua.cycle import actions as cycle_actions
from thidua.cycle import rules as cycle_rules
from thidua.cycle.models import EmulationYear, Phase
from thidua.lib import clock
from thidua.orgs import actions as org_actions
from thidua.orgs.models import Cluster, Organization, Succession, User


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.demo").joinpath("data/cluster.json").read_text("utf-8")
    return dict(json.loads(text))


@dataclass
class Account:
    username: str
    role: str
    name: str
    unit: str


@dataclass
class Demo:
    """What the demo created; each area's `demo.py` plays its part of the year with it."""

    cluster: Cluster
    year: EmulationYear
    password: str
    admin: User
    supervisor: User
    secretariat: User  # an officer of the head unit
    accounts: list[Account] = field(default_factory=list)
    departments: dict[str, Organization] = field(default_factory=dict)  # key: "son-la" ...
    leaders: dict[str, User] = field(default_factory=dict)
    officers: dict[str, User] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


# The areas that play part of the demo year. Each has a `demo` module with functions named
# after phases (`in_progress(demo)`, `self_assessment(demo)` ...); the demo calls them in the
# phase they are named after, then moves the year on, until the last phase any area plays.
DEMO_AREAS = [
    "thidua.indicators",
    "thidua.scoring",
    "thidua.voting",
    "thidua.awards",
    "thidua.conference",
    "thidua.signing",  # gives the demo's signers their identities (thidua/signing/demo.py)
]


def database_is_empty() -> bool:
    return not (Organization.objects.exists() or Cluster.objects.exists() or User.objects.exists())


def _account(
    username: str,
    *,
    password: str,
    full_name: str,
    org: Organization | None,
    position: str,
    job_title: str = "",
    superuser: bool = False,
) -> User:
    # Accounts are the administrator's business (Django's admin); the demo makes them directly.
    user = User(
        username=username,
        # The reserved .example domain: the demo's mail goes to the console, never out.
        email=f"{username}@demo.thidua.example",
        full_name=full_name,
        job_title=job_title,
        organization=org,
        position=position,
        is_superuser=superuser,
        is_staff=superuser,
    )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def moment(data: dict[str, Any], phase: str, step: int = 0) -> dt.datetime:
    """When the demo plays `step` of `phase`: the calendar's moment, 20 minutes per step."""
    opens = dt.datetime.fromisoformat(data["year"]["calendar"][phase])
    return opens + dt.timedelta(minutes=20 * step)


def play(data: dict[str, Any] | None = None) -> Demo:
    """Build the reference cluster and play its 2016, each action on its day of the calendar."""
    data = data or load_data()
    with clock.at(moment(data, "setup")):
        demo = _set_up(data)
    _play_the_year(demo)
    accounts = _reorganise_2025(
        data["reorganisation_2025"], demo.departments, demo.admin, demo.password
    )
    demo.accounts.extend(accounts)
    demo.year.refresh_from_db()
    return demo


def _set_up(data: dict[str, Any]) -> Demo:
    """The cluster, its people and its 2016 up to the movement and the pledge's text."""
    password = data["password"]
    accounts: list[Account] = []
    admin = _account(
        "admin",
        password=password,
        full_name="Quản trị hệ thống",
        org=None,
        position=User.Position.OFFICER,
        superuser=True,
    )
    accounts.append(Account("admin", "administrator", str(admin), "—"))

    ministry = org_actions.do_create_organization(
        name=data["ministry"]["name"],
        short_name=data["ministry"]["short_name"],
        kind=Organization.Kind.MINISTRY,
        acting_user=admin,
    )
    sup = data["supervisor"]
    supervisor = org_actions.do_create_organization(
        name=sup["name"],
        short_name=sup["short_name"],
        kind=Organization.Kind.MINISTRY_DEPARTMENT,
        parent=ministry,
        acting_user=admin,
    )
    sup_user = _account(
        sup["account"]["username"],
        password=password,
        full_name=sup["account"]["full_name"],
        org=supervisor,
        position=sup["account"]["position"],
        job_title=sup["account"]["job_title"],
    )
    accounts.append(Account(sup_user.username, "supervisor", str(sup_user), supervisor.name))
    # The department's clerk (văn thư): the one who signs with its seal, so returns a dossier.
    clerk_spec = sup["clerk"]
    clerk = _account(
        clerk_spec["username"],
        password=password,
        full_name=clerk_spec["full_name"],
        org=supervisor,
        position=clerk_spec["position"],
        job_title=clerk_spec["job_title"],
    )
    accounts.append(Account(clerk.username, "supervisor's clerk", str(clerk), supervisor.name))

    departments: dict[str, Organization] = {}
    users: dict[str, dict[str, User]] = {}
    for member in [*data["members"], data["outsider"]]:
        province = member["province"]
        org = org_actions.do_create_organization(
            name=f"Sở Kế hoạch và Đầu tư tỉnh {province}",
            short_name=f"Sở KH&ĐT {province}",
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            province=province,
            acting_user=admin,
        )
        departments[member["key"]] = org
        if member is data["outsider"]:
            outsider = _account(
                f"{member['key']}-canbo",
                password=password,
                full_name=member["officer_name"],
                org=org,
                position=User.Position.OFFICER,
                job_title="Chuyên viên",
            )
            accounts.append(Account(outsider.username, "outsider", str(outsider), org.name))
            continue
        leader = _account(
            f"{member['key']}-lanhdao",
            password=password,
            full_name=member["leader_name"],
            org=org,
            position=User.Position.LEADER,
            job_title="Giám đốc",
        )
        officer = _account(
            f"{member['key']}-canbo",
            password=password,
            full_name=member["officer_name"],
            org=org,
            position=User.Position.OFFICER,
            job_title="Chuyên viên",
        )
        users[member["key"]] = {"leader": leader, "officer": officer}
        accounts.append(Account(leader.username, "unit leader", str(leader), org.name))
        accounts.append(Account(officer.username, "unit officer", str(officer), org.name))

    cluster = org_actions.do_create_cluster(
        slug=data["cluster"]["slug"],
        name=data["cluster"]["name"],
        supervisor=supervisor,
        description=data["cluster"]["description"],
        acting_user=admin,
    )
    spec = data["year"]
    members = [departments[m["key"]] for m in data["members"]]
    year = cycle_actions.do_open_year(
        cluster,
        year=spec["year"],
        members=members,
        head=departments[spec["head"]],
        deputy=departments[spec["deputy"]],
        acting_user=sup_user,
    )
    secretariat = users[spec["head"]]["officer"]
    movement = spec["movement"]
    cycle_actions.do_set_movement(
        year,
        title=movement["title"],
        launched_on=dt.date.fromisoformat(movement["launched_on"]),
        goals=movement["goals"],
        targets=movement["targets"],
        acting_user=secretariat,
    )
    pledge_spec = spec["pledge"]
    pledge = cycle_actions.do_set_pledge(
        year,
        title=pledge_spec["title"],
        preamble=pledge_spec["preamble"],
        articles=pledge_spec["articles"],
        acting_user=secretariat,
    )
    with clock.at(moment(data, "pledge")):
        cycle_actions.do_move_phase(year, target=Phase.PLEDGE, acting_user=secretariat)
    for step, member in enumerate(data["members"], start=1):
        leader = users[member["key"]]["leader"]
        with clock.at(moment(data, "pledge", step)):
            cycle_actions.do_sign_pledge(
                pledge, unit=departments[member["key"]], acting_user=leader
            )
    with clock.at(moment(data, "in_progress")):
        cycle_actions.do_move_phase(year, target=Phase.IN_PROGRESS, acting_user=secretariat)

    return Demo(
        cluster=cluster,
        year=year,
        password=password,
        admin=admin,
        supervisor=sup_user,
        secretariat=secretariat,
        accounts=accounts,
        departments=departments,
        leaders={key: u["leader"] for key, u in users.items()},
        officers={key: u["officer"] for key, u in users.items()},
        data=data,
    )


def _play_the_year(demo: Demo) -> None:
    """Run each area's demo steps phase by phase, moving the year on between them."""
    steps: dict[str, list[Any]] = {}
    for area in DEMO_AREAS:
        if importlib.util.find_spec(f"{area}.demo") is None:
            continue
        module = importlib.import_module(f"{area}.demo")
        for phase in cycle_rules.PHASES:
            if callable(getattr(module, phase, None)):
                steps.setdefault(phase, []).append(getattr(module, phase))
    if not steps:
        return
    last = max(cycle_rules.PHASES.index(phase) for phase in steps)
    demo.year.refresh_from_db()
    phase = demo.year.phase
    while True:
        for number, step in enumerate(steps.get(phase, []), start=1):
            with clock.at(moment(demo.data, phase, number)):
                step(demo)
        if cycle_rules.PHASES.index(phase) >= last:
            return
        demo.year.refresh_from_db()
        next_phase = cycle_rules.next_phase(phase)
        assert next_phase is not None
        with clock.at(moment(demo.data, next_phase)):
            cycle_actions.do_move_phase(demo.year, target=next_phase, acting_user=demo.secretariat)
        demo.year.refresh_from_db()
        phase = next_phase


def _reorganise_2025(
    spec: dict[str, Any], departments: dict[str, Organization], admin: User, password: str
) -> list[Account]:
    """Record the 2025 mergers, so today's departments see their predecessors' history."""
    finance: dict[str, Organization] = {}
    merged_on = dt.date.fromisoformat(spec["departments_merged"])
    with clock.at(_morning_of(merged_on)):
        _merge_departments(spec, departments, finance, admin, merged_on)
    provinces_on = dt.date.fromisoformat(spec["provinces_merged"])
    with clock.at(_morning_of(provinces_on)):
        _merge_provinces(spec, finance, admin, merged_on, provinces_on)
    account = spec["successor_account"]
    user = _account(
        account["username"],
        password=password,
        full_name=account["full_name"],
        org=finance[account["key"]],
        position=User.Position.OFFICER,
        job_title="Chuyên viên",
    )
    unit = finance[account["key"]]
    return [Account(user.username, "successor unit officer", str(user), unit.name)]


def _morning_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _merge_departments(
    spec: dict[str, Any],
    departments: dict[str, Organization],
    finance: dict[str, Organization],
    admin: User,
    merged_on: dt.date,
) -> None:
    """Each Department of Planning and Investment merged into the province's Finance."""
    for key, planning in departments.items():
        org = org_actions.do_create_organization(
            name=f"Sở Tài chính tỉnh {planning.province}",
            short_name=f"Sở TC {planning.province}",
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            province=planning.province,
            valid_from=merged_on,
            acting_user=admin,
        )
        org_actions.do_record_succession(
            [planning],
            org,
            kind=Succession.Kind.MERGER,
            effective=merged_on,
            legal_basis=spec["departments_basis"],
            acting_user=admin,
        )
        finance[key] = org


def _merge_provinces(
    spec: dict[str, Any],
    finance: dict[str, Organization],
    admin: User,
    merged_on: dt.date,
    provinces_on: dt.date,
) -> None:
    """The 2025 merger of provinces: their Finance departments merged in turn."""
    for merger in spec["province_mergers"]:
        province = merger["province"]
        successor = org_actions.do_create_organization(
            name=f"Sở Tài chính tỉnh {province}",
            short_name=f"Sở TC {province}",
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            province=province,
            valid_from=provinces_on,
            acting_user=admin,
        )
        predecessors = []
        for key in merger["from"]:
            if key not in finance:
                finance[key] = org_actions.do_create_organization(
                    name=f"Sở Tài chính tỉnh {province}",
                    short_name=f"Sở TC {province}",
                    kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
                    province=province,
                    valid_from=merged_on,
                    acting_user=admin,
                )
            predecessors.append(finance[key])
        org_actions.do_record_succession(
            predecessors,
            successor,
            kind=Succession.Kind.MERGER,
            effective=provinces_on,
            legal_basis=spec["provinces_basis"],
            acting_user=admin,
        )
        finance[merger["into"]] = successor
