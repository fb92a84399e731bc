"""The areas' events on the demo (the proposals phase of 2016): a nomination returned, a decision
recorded, a poll opened; each is told to whom it concerns and to nobody else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from thidua.audit.record import record
from thidua.awards import actions as award_actions
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear
from thidua.notifications.models import Kind, Notification
from thidua.orgs.models import User
from thidua.voting.models import Poll

WHERE = "Cụm thi đua Sở Kế hoạch và Đầu tư các tỉnh miền núi biên giới phía Bắc, năm 2016"


@pytest.fixture
def year(demo_module: None, db: None) -> EmulationYear:
    return EmulationYear.objects.get(cluster__slug="mien-nui-bien-gioi-phia-bac", year=2016)


def user(username: str) -> User:
    return User.objects.get(username=username)


def told_to(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def lai_chau_nomination(year: EmulationYear, **filters: Any) -> Nomination:
    unit = user("lai-chau-canbo").organization
    return Nomination.objects.filter(year=year, unit=unit, **filters).order_by("pk").first()  # type: ignore[return-value]


def lai_chau_staff() -> set[str]:
    unit = user("lai-chau-canbo").organization
    return set(User.objects.filter(organization=unit).values_list("username", flat=True))


def test_a_returned_nomination_is_told_to_its_unit_only(
    year: EmulationYear, django_capture_on_commit_callbacks: Any
) -> None:
    nomination = lai_chau_nomination(year, status=Nomination.Status.COMPILED)
    with django_capture_on_commit_callbacks(execute=True):
        award_actions.do_return_nomination(
            nomination, reason="Thiếu bản tóm tắt thành tích.", acting_user=user("vu-tdkt")
        )
    assert told_to(Kind.RETURNED) == lai_chau_staff()
    notification = Notification.objects.filter(kind=Kind.RETURNED).first()
    assert notification is not None
    assert notification.text == (
        f"{WHERE}: hồ sơ đề nghị khen thưởng “{nomination}” đã bị trả lại đơn vị. "
        "Lý do: Thiếu bản tóm tắt thành tích."
    )
    assert notification.url == (
        f"/awards/c/mien-nui-bien-gioi-phia-bac/2016/nominations/{nomination.pk}/"
    )


def test_a_decision_is_told_to_the_unit_of_each_nomination_it_grants(
    year: EmulationYear, django_capture_on_commit_callbacks: Any
) -> None:
    nomination = lai_chau_nomination(year, status=Nomination.Status.COMPILED)
    supervisor = user("vu-tdkt")
    award_actions.do_approve_nomination(nomination, acting_user=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        award_actions.do_record_decision(
            year,
            number="123/QĐ-BKHĐT",
            date=dt.date(2017, 4, 20),
            issuer_name="Bộ Kế hoạch và Đầu tư",
            signer_name="Nguyễn Văn A",
            acting_user=supervisor,
        )
    assert told_to(Kind.DECISION) == lai_chau_staff()
    assert set(Notification.objects.filter(kind=Kind.DECISION).values_list("text", flat=True)) == {
        f"{WHERE}: đã có quyết định khen thưởng đối với “{nomination}”."
    }


def test_a_poll_opened_is_told_to_every_member_unit(
    year: EmulationYear, django_capture_on_commit_callbacks: Any
) -> None:
    poll = Poll.objects.filter(year=year).order_by("pk").first()
    assert poll is not None
    secretariat = user("son-la-canbo")
    # As voting records it when a poll opens (the notifications read only the action's name).
    with django_capture_on_commit_callbacks(execute=True):
        record("poll.open", poll, actor=secretariat, year=year)
    members = set(
        User.objects.filter(organization__memberships__year=year)
        .exclude(pk=secretariat.pk)
        .values_list("username", flat=True)
    )
    assert told_to(Kind.POLL) == members
    assert "vu-tdkt" not in members
    text = Notification.objects.filter(kind=Kind.POLL).values_list("text", flat=True).first()
    assert text == f"{WHERE}: cuộc bỏ phiếu “{poll}” đã mở."
