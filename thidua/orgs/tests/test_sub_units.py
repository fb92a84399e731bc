"""Sub-units are created in the application by whoever manages the unit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.errors import ActionRefused
from thidua.orgs.actions import do_create_sub_unit
from thidua.orgs.models import Organization
from thidua.testing.personas import World


def test_the_units_officer_creates_a_sub_unit(world: World) -> None:
    lai_chau = world.orgs["lai_chau"]
    office = do_create_sub_unit(
        lai_chau, name=" Văn phòng  Sở ", short_name="VP", acting_user=world.lai_chau_officer
    )
    assert (office.name, office.parent, office.province) == ("Văn phòng Sở", lai_chau, "Lai Châu")
    assert AuditEntry.objects.filter(
        action="organization.create", object_id=str(office.pk)
    ).exists()


@pytest.mark.parametrize("who", ["supervisor", "admin", "lai_chau_leader"])
def test_the_supervisor_the_admin_and_the_leader_may_too(world: World, who: str) -> None:
    do_create_sub_unit(
        world.orgs["lai_chau"], name="Phòng Tổng hợp", acting_user=getattr(world, who)
    )
    assert Organization.objects.filter(parent=world.orgs["lai_chau"]).count() == 1


@pytest.mark.parametrize("who", ["cao_bang_officer", "outsider"])
def test_another_units_staff_may_not(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        do_create_sub_unit(
            world.orgs["lai_chau"], name="Phòng Tổng hợp", acting_user=getattr(world, who)
        )
    assert not Organization.objects.filter(parent=world.orgs["lai_chau"]).exists()


def test_a_second_sub_unit_of_the_same_name_is_refused(world: World) -> None:
    lai_chau = world.orgs["lai_chau"]
    do_create_sub_unit(lai_chau, name="Phòng Tổng hợp", acting_user=world.lai_chau_officer)
    with pytest.raises(ActionRefused, match="đã có đơn vị trực thuộc tên Phòng Tổng hợp"):
        do_create_sub_unit(lai_chau, name="phòng tổng hợp", acting_user=world.lai_chau_officer)
    assert Organization.objects.filter(parent=lai_chau).count() == 1


def test_an_ended_unit_takes_no_sub_unit(world: World) -> None:
    lai_chau = world.orgs["lai_chau"]
    lai_chau.valid_to = dt.date(2025, 2, 28)
    lai_chau.save()
    with pytest.raises(ActionRefused, match="đã kết thúc hoạt động ngày 28/02/2025"):
        do_create_sub_unit(lai_chau, name="Phòng Tổng hợp", acting_user=world.supervisor)


def test_the_page_creates_it_and_the_unit_lists_it(client: Client, world: World) -> None:
    lai_chau = world.orgs["lai_chau"]
    client.force_login(world.lai_chau_officer)
    detail = client.get(f"/orgs/{lai_chau.pk}/").content.decode()
    assert "Thêm đơn vị trực thuộc" in detail
    response = client.post(
        f"/orgs/{lai_chau.pk}/units/new/", {"name": "Phòng Đăng ký kinh doanh"}, follow=True
    )
    text = response.content.decode()
    assert "Đã tạo đơn vị trực thuộc Phòng Đăng ký kinh doanh" in text
    assert 'data-testid="sub-units"' in text
    client.force_login(world.cao_bang_officer)
    assert client.get(f"/orgs/{lai_chau.pk}/units/new/").status_code == 403
    assert "Thêm đơn vị trực thuộc" not in client.get(f"/orgs/{lai_chau.pk}/").content.decode()
