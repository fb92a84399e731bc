"""Recording the conference: dates, host, venue, attendees, agenda and decisions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from thidua.audit.models import AuditEntry
from thidua.conference import actions
from thidua.conference.models import Attendee, Conference
from thidua.errors import ActionRefused
from thidua.testing.personas import World


def test_the_secretariat_records_the_conference_and_it_is_audited(at_conference: World) -> None:
    conference = Conference.objects.get(year=at_conference.year)
    assert conference.host == at_conference.orgs["son_la"]
    assert conference.agenda_items == ["Khai mạc", "Thảo luận dự thảo báo cáo"]
    roles = set(conference.attendees.values_list("role", flat=True))
    assert roles == {Attendee.Role.SUPERVISOR, Attendee.Role.CHAIR}
    assert AuditEntry.objects.filter(action="conference.set").count() == 1
    assert AuditEntry.objects.filter(action="conference.attendee_add").count() == 2


def test_the_conference_cannot_end_before_it_starts(at_conference: World) -> None:
    with pytest.raises(ActionRefused):
        actions.do_set_conference(
            at_conference.year,
            starts_on=dt.date(2017, 3, 12),
            ends_on=dt.date(2017, 3, 11),
            host=at_conference.orgs["son_la"],
            venue="x",
            acting_user=at_conference.son_la_officer,
        )
    assert Conference.objects.get(year=at_conference.year).ends_on == dt.date(2017, 3, 12)


def test_an_outsider_cannot_host_the_conference(at_conference: World) -> None:
    with pytest.raises(ActionRefused):
        actions.do_set_conference(
            at_conference.year,
            starts_on=dt.date(2017, 3, 11),
            ends_on=dt.date(2017, 3, 12),
            host=at_conference.orgs["yen_bai"],
            venue="x",
            acting_user=at_conference.son_la_officer,
        )


def test_a_conference_has_one_chair(at_conference: World) -> None:
    conference = Conference.objects.get(year=at_conference.year)
    with pytest.raises(ActionRefused):
        actions.do_add_attendee(
            conference,
            name="A",
            position="B",
            unit="C",
            role=Attendee.Role.CHAIR,
            acting_user=at_conference.son_la_officer,
        )


def test_a_member_that_is_not_the_secretariat_cannot_record_the_conference(
    at_conference: World,
) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_set_conference(
            at_conference.year,
            starts_on=dt.date(2017, 3, 11),
            ends_on=dt.date(2017, 3, 12),
            host=at_conference.orgs["lai_chau"],
            venue="x",
            acting_user=at_conference.lai_chau_leader,
        )


def test_an_attendee_entered_by_mistake_is_removed_and_the_trail_keeps_it(
    at_conference: World,
) -> None:
    attendee = Attendee.objects.get(name="Lê Thị Mai")
    actions.do_remove_attendee(attendee, acting_user=at_conference.son_la_officer)
    assert not Attendee.objects.filter(name="Lê Thị Mai").exists()
    entry = AuditEntry.objects.get(action="conference.attendee_remove")
    assert entry.before is not None
    assert entry.before["name"] == "Lê Thị Mai"
