"""Task ratings, initiatives and a collective's members from a sheet: all or nothing, each
problem by row and column, a template to start from."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from openpyxl import load_workbook

from thidua.audit.models import AuditEntry
from thidua.award_history import actions, sheets
from thidua.award_history.importing import ImportRefused
from thidua.award_history.models import AwardRecord, AwardType, Initiative, TaskRating
from thidua.orgs.models import Organization, Person, PersonPosition
from thidua.testing.personas import World

from .conftest import grant
from .test_import import workbook


def register(world: Any, name: Any = "Nguyễn Văn An", born: Any = 1980, unit: Any = None) -> Any:
    return actions.do_register_person(
        full_name=name,
        birth_year=born,
        gender="male",
        unit=unit or world.orgs["lai_chau"],
        acting_user=world.supervisor,
    )


def refused_with(call: Any) -> Any:
    with pytest.raises(ImportRefused) as error:
        call()
    return error.value.messages


# --- ratings ----------------------------------------------------------------------------------


def ratings(world: Any, rows: Any) -> Any:
    return actions.do_import_ratings(
        workbook(rows, header=sheets.RATING_COLUMNS),
        file_name="xep-loai.xlsx",
        acting_user=world.supervisor,
    )


def test_ratings_of_people_and_units_land_together(world: World) -> None:
    an = register(world)
    batch = ratings(
        world,
        [
            ["Nguyễn Văn An", 1980, "", 2015, "HTXSNV"],
            ["nguyễn văn an", 1980, "", 2014, "Hoàn thành tốt nhiệm vụ"],
            ["", "", "Sở KH&ĐT Lai Châu", 2015, "Hoàn thành xuất sắc nhiệm vụ"],
        ],
    )
    assert batch.rows == 3
    assert dict(TaskRating.objects.filter(person=an).values_list("year", "rating")) == {
        2015: "htxsnv",
        2014: "httnv",
    }
    assert TaskRating.objects.get(organization=world.orgs["lai_chau"]).rating == "htxsnv"
    assert AuditEntry.objects.filter(action="task_rating.import").count() == 1


def test_a_bad_rating_sheet_stores_nothing_and_names_every_problem(world: World) -> None:
    an = register(world)
    TaskRating.objects.create(person=an, year=2013, rating="htnv")
    messages = refused_with(
        lambda: ratings(
            world,
            [
                ["Nguyễn Văn An", 1980, "", 2015, "Giỏi"],
                ["Trần Văn Không", 1970, "", 2015, "HTNV"],
                ["Nguyễn Văn An", 1980, "", 2013, "HTXSNV"],
                ["", "", "Sở KH&ĐT Lai Chau", 2015, "HTNV"],
                ["Nguyễn Văn An", 1980, "", 2016, "HTNV"],
                ["Nguyễn Văn An", 1980, "", 2016, "HTTNV"],
            ],
        )
    )
    assert messages == [
        "Dòng 2, cột E (Xếp loại): ghi một trong các mức: HTXSNV, HTTNV, HTNV, KHTNV.",
        "Dòng 3, cột A (Họ và tên): không có ai tên Trần Văn Không sinh năm 1970 trong hồ sơ;"
        " hãy đăng ký người này trước.",
        "Dòng 5, cột C (Đơn vị): không tìm thấy đơn vị “Sở KH&ĐT Lai Chau”."
        " Có phải “Sở Kế hoạch và Đầu tư tỉnh Lai Châu”?",
        "Dòng 7, cột D (Năm): trùng xếp loại cùng năm với dòng 6.",
        "Dòng 4, cột E (Xếp loại): xếp loại năm 2013 đã được ghi nhận: Hoàn thành nhiệm vụ.",
    ]
    assert TaskRating.objects.count() == 1


def test_only_the_supervisor_imports_ratings(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_import_ratings(
            workbook([], header=sheets.RATING_COLUMNS),
            file_name="a.xlsx",
            acting_user=world.lai_chau_officer,
        )


# --- initiatives ------------------------------------------------------------------------------


def initiatives(world: Any, rows: Any) -> Any:
    return actions.do_import_initiatives(
        workbook(rows, header=sheets.INITIATIVE_COLUMNS),
        file_name="sang-kien.xlsx",
        acting_user=world.supervisor,
    )


def test_initiatives_land_marked_with_the_title_they_counted_for(world: World) -> None:
    an = register(world)
    record = grant(world, "cstdcs", 2015, person=an)
    initiatives(
        world,
        [
            ["Nguyễn Văn An", 1980, "Số hoá hồ sơ", "Cấp cơ sở", 2015, "CSTĐ cơ sở", 2015],
            ["Nguyễn Văn An", 1980, "Phần mềm tổng hợp", "Cấp tỉnh", 2016, "", ""],
        ],
    )
    used = dict(Initiative.objects.values_list("title", "used_by"))
    assert used == {"Số hoá hồ sơ": record.pk, "Phần mềm tổng hợp": None}
    assert Initiative.objects.get(title="Phần mềm tổng hợp").level == "ministry_province"


def test_an_initiative_for_a_title_not_on_record_or_already_recorded_is_refused(
    world: World,
) -> None:
    an = register(world)
    Initiative.objects.create(person=an, title="Số hoá hồ sơ", level="grassroots", year=2015)
    messages = refused_with(
        lambda: initiatives(
            world,
            [
                ["Nguyễn Văn An", 1980, "Số hoá hồ sơ", "Cơ sở", 2015, "", ""],
                ["Nguyễn Văn An", 1980, "Mới", "Cơ sở", 2015, "LĐTT", 2015],
                ["Nguyễn Văn An", 1980, "Khác", "Cấp xã", 2015, "", ""],
            ],
        )
    )
    assert messages == [
        "Dòng 4, cột D (Cấp công nhận): ghi một trong các mức: Cấp cơ sở, Cấp bộ, ngành, tỉnh,"
        " Toàn quốc.",
        "Dòng 2, cột C (Tên sáng kiến): Nguyễn Văn An đã có sáng kiến “Số hoá hồ sơ” năm 2015.",
        "Dòng 3, cột F (Đã dùng cho danh hiệu): Nguyễn Văn An chưa có danh hiệu, hình thức khen"
        " thưởng này năm 2015 trong lịch sử; hãy ghi nhận trước.",
    ]
    assert Initiative.objects.count() == 1


def test_an_initiative_is_marked_used_once(world: World) -> None:
    an = register(world)
    first, second = grant(world, "cstdcs", 2015, person=an), grant(world, "ldtt", 2016, person=an)
    initiative = Initiative.objects.create(person=an, title="A", level="grassroots", year=2015)
    actions.do_mark_initiative_used(initiative, award_record=first, acting_user=world.supervisor)
    with pytest.raises(actions.ActionRefused, match="đã được tính cho"):
        actions.do_mark_initiative_used(
            initiative, award_record=second, acting_user=world.supervisor
        )
    initiative.refresh_from_db()
    assert initiative.used_by == first


# --- members ----------------------------------------------------------------------------------


@pytest.fixture
def office(world: World) -> Any:
    return Organization.objects.create(
        name="Văn phòng Sở", parent=world.orgs["lai_chau"], province="Lai Châu"
    )


def members(world: Any, unit: Any, rows: Any, user: Any = None) -> Any:
    return actions.do_import_members(
        workbook(rows, header=sheets.MEMBER_COLUMNS),
        unit=unit,
        file_name="thanh-vien.xlsx",
        acting_user=user or world.lai_chau_officer,
    )


def test_the_units_officer_imports_its_collectives_members(world: World, office: Any) -> None:
    an = register(world)
    held = members(
        world,
        office,
        [
            ["Nguyễn Văn An", 1980, "Nam", "Chánh Văn phòng", "01/01/2015", ""],
            ["Lò Thị Hoa", 1990, "Nữ", "Chuyên viên", dt.date(2016, 2, 1), ""],
        ],
    )
    assert len(held) == 2
    assert PersonPosition.objects.filter(organization=office).count() == 2
    assert PersonPosition.objects.get(organization=office, person=an).title == "Chánh Văn phòng"
    hoa = Person.objects.get(full_name="Lò Thị Hoa")
    assert (hoa.birth_year, hoa.gender) == (1990, "female")
    assert AuditEntry.objects.filter(action="unit.members_import").count() == 1


def test_someone_already_a_member_refuses_the_file(world: World, office: Any) -> None:
    an = register(world, unit=office)
    messages = refused_with(
        lambda: members(
            world,
            office,
            [
                ["Lò Thị Hoa", 1990, "Nữ", "Chuyên viên", "", ""],
                ["Nguyễn Văn An", 1980, "Nam", "", "", ""],
                ["Lò Thị Hoa", 1990, "Nữ", "", "", ""],
            ],
        )
    )
    assert messages == [
        "Dòng 4, cột A (Họ và tên): trùng người với dòng 2.",
        "Dòng 3, cột A (Họ và tên): Nguyễn Văn An đã là thành viên của Văn phòng Sở.",
    ]
    assert not Person.objects.filter(full_name="Lò Thị Hoa").exists()
    assert PersonPosition.objects.filter(person=an).count() == 1


def test_another_units_officer_may_not_import_members(world: World, office: Any) -> None:
    with pytest.raises(PermissionDenied):
        members(world, office, [["Lò Thị Hoa", 1990, "Nữ", "", "", ""]], world.cao_bang_officer)
    assert not Person.objects.exists()


# --- templates and pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "columns"),
    [
        ("/awards/history/import/mau.xlsx", sheets.EXAMPLES["history"][0]),
        ("/awards/history/import/ratings/mau.xlsx", sheets.RATING_COLUMNS),
        ("/awards/history/import/initiatives/mau.xlsx", sheets.INITIATIVE_COLUMNS),
    ],
)
def test_each_template_reads_back_with_its_header(
    client: Client, world: World, url: str, columns: Any
) -> None:
    client.force_login(world.supervisor)
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(columns)
    client.force_login(world.lai_chau_officer)
    assert client.get(url).status_code == 403


def test_the_template_filled_in_imports(world: World) -> None:
    _columns, example = sheets.EXAMPLES["ratings"]
    register(world)
    ratings(world, [list(example)])
    assert TaskRating.objects.get().rating == "htxsnv"


def test_the_members_page_imports_and_says_how_many(
    client: Client, world: World, office: Any
) -> None:
    client.force_login(world.lai_chau_officer)
    page = f"/awards/units/{office.pk}/members/import/"
    assert client.get(page).status_code == 200
    content = workbook([["Lò Thị Hoa", 1990, "Nữ", "", "", ""]], header=sheets.MEMBER_COLUMNS)
    upload = io.BytesIO(content)
    upload.name = "tv.xlsx"
    response = client.post(page, {"upload": upload}, follow=True)
    assert "1 thành viên đã được thêm" in response.content.decode()
    client.force_login(world.cao_bang_officer)
    assert client.get(page).status_code == 403
    assert client.get(f"/awards/units/{office.pk}/members/mau.xlsx").status_code == 403


def test_the_import_page_lists_the_accepted_spellings(client: Client, world: World) -> None:
    client.force_login(world.supervisor)
    text = client.get("/awards/history/import/").content.decode()
    assert "CSTĐ cơ sở" in text and "Chiến sỹ thi đua cơ sở" in text
    assert AwardType.objects.get(code="cstdcs").name in text
    assert not AwardRecord.objects.exists()


def test_the_persons_page_marks_an_initiative_counted_and_refuses_it_twice(
    client: Client, world: World
) -> None:
    an = register(world)
    first, second = grant(world, "cstdcs", 2015, person=an), grant(world, "ldtt", 2016, person=an)
    initiative = Initiative.objects.create(person=an, title="A", level="grassroots", year=2015)
    client.force_login(world.supervisor)
    page = f"/awards/people/{an.pk}/use/"
    response = client.post(
        page, {"use-initiative": initiative.pk, "use-award_record": first.pk}, follow=True
    )
    assert "Đã ghi nhận sáng kiến được tính" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.used_by == first
    # Once counted, it is no longer offered: choosing it again is refused by the form.
    again = client.post(page, {"use-initiative": initiative.pk, "use-award_record": second.pk})
    assert again.status_code == 400
    initiative.refresh_from_db()
    assert initiative.used_by == first
    client.force_login(world.lai_chau_officer)
    assert client.post(page, {}).status_code == 403
