"""Named personas and a small cluster, built through the same actions users call.

The cluster has three members: Sơn La (head, so its officers are the secretariat), Cao Bằng
(deputy) and Lai Châu; Yên Bái's department is an outsider; the supervisor is the Ministry's
Emulation and Commendation Department.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import EmulationYear, Phase, Pledge
from thidua.orgs import actions as org_actions
from thidua.orgs.models import Cluster, Organization, User

PASSWORD = "demo-pass-2016"


@dataclass
class World:
    cluster: Cluster
    year: EmulationYear
    orgs: dict[str, Organization]
    admin: User
    supervisor: User
    son_la_officer: User  # the secretariat: Sơn La is the head
    son_la_leader: User
    cao_bang_officer: User  # also secretariat: Cao Bằng is the deputy
    cao_bang_leader: User
    lai_chau_officer: User
    lai_chau_leader: User
    outsider: User

    def launch(self) -> None:
        """Give the year its movement and pledge, as the secretariat does in setup."""
        cycle_actions.do_set_movement(
            self.year,
            title="Phong trào thi đua năm 2016",
            launched_on=dt.date(2016, 3, 18),
            goals="Hoàn thành xuất sắc nhiệm vụ chính trị được giao.",
            acting_user=self.son_la_officer,
        )
        cycle_actions.do_set_pledge(
            self.year,
            title="Giao ước thi đua năm 2016",
            preamble="Các thành viên thống nhất ký kết:",
            articles=["Hoàn thành xuất sắc nhiệm vụ.", "Đẩy mạnh cải cách hành chính."],
            acting_user=self.son_la_officer,
        )

    def to_pledge_phase(self) -> Pledge:
        self.launch()
        cycle_actions.do_move_phase(self.year, target=Phase.PLEDGE, acting_user=self.son_la_officer)
        self.year.refresh_from_db()
        return Pledge.objects.get(year=self.year)

    def sign_all(self, pledge: Pledge) -> None:
        leaders = {
            "son_la": self.son_la_leader,
            "cao_bang": self.cao_bang_leader,
            "lai_chau": self.lai_chau_leader,
        }
        for key, leader in leaders.items():
            cycle_actions.do_sign_pledge(pledge, unit=self.orgs[key], acting_user=leader)
        self.year.refresh_from_db()

    @property
    def url(self) -> str:
        return f"/c/{self.cluster.slug}/{self.year.year}/"


def make_user(
    username: str, org: Organization | None, *, leader: bool = False, **extra: Any
) -> User:
    user = User(
        username=username,
        full_name=extra.pop("full_name", username),
        organization=org,
        position=User.Position.LEADER if leader else User.Position.OFFICER,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    admin = make_user("admin", None, is_superuser=True, is_staff=True)

    def department(province: str) -> Organization:
        return org_actions.do_create_organization(
            name=f"Sở Kế hoạch và Đầu tư tỉnh {province}",
            short_name=f"Sở KH&ĐT {province}",
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            province=province,
            acting_user=admin,
        )

    orgs = {
        "supervisor": org_actions.do_create_organization(
            name="Vụ Thi đua - Khen thưởng, Bộ Kế hoạch và Đầu tư",
            short_name="Vụ TĐKT",
            kind=Organization.Kind.MINISTRY_DEPARTMENT,
            acting_user=admin,
        ),
        "son_la": department("Sơn La"),
        "cao_bang": department("Cao Bằng"),
        "lai_chau": department("Lai Châu"),
        "yen_bai": department("Yên Bái"),
    }
    cluster = org_actions.do_create_cluster(
        slug="mien-nui-bien-gioi-phia-bac",
        name="Cụm thi đua Sở KH&ĐT các tỉnh miền núi biên giới phía Bắc",
        supervisor=orgs["supervisor"],
        acting_user=admin,
    )
    supervisor = make_user("vu-tdkt", orgs["supervisor"], leader=True, full_name="Lê Thị Mai")
    year = cycle_actions.do_open_year(
        cluster,
        year=2016,
        members=[orgs["son_la"], orgs["cao_bang"], orgs["lai_chau"]],
        head=orgs["son_la"],
        deputy=orgs["cao_bang"],
        acting_user=supervisor,
    )
    return World(
        cluster=cluster,
        year=year,
        orgs=orgs,
        admin=admin,
        supervisor=supervisor,
        son_la_officer=make_user("son-la-canbo", orgs["son_la"]),
        son_la_leader=make_user(
            "son-la-lanhdao",
            orgs["son_la"],
            leader=True,
            full_name="Lê Hồng Minh",
            job_title="Giám đốc",
        ),
        cao_bang_officer=make_user("cao-bang-canbo", orgs["cao_bang"]),
        cao_bang_leader=make_user("cao-bang-lanhdao", orgs["cao_bang"], leader=True),
        lai_chau_officer=make_user("lai-chau-canbo", orgs["lai_chau"]),
        lai_chau_leader=make_user("lai-chau-lanhdao", orgs["lai_chau"], leader=True),
        outsider=make_user("yen-bai-canbo", orgs["yen_bai"]),
    )


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Every test starts in the site's default language, whatever the last one did."""
    with translation.override("vi"):
        yield


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    """The test client, logged in as the user given."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login
