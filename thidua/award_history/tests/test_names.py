"""The history import knows a unit by every name the application shows for it, an award by
its common spellings, and says which name was probably meant."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from thidua.award_history import actions
from thidua.award_history.importing import ALL_COLUMNS, ImportRefused
from thidua.award_history.models import AwardRecord, AwardType, NomineeKind
from thidua.award_history.names import award_aliases, name_key
from thidua.orgs.models import Organization, Person, PersonPosition
from thidua.testing.personas import World

from .test_import import AWARD, row, workbook

UNIT_COLUMN = "D (Đơn vị)"


def imported(world: Any, rows: Any, **kw: Any) -> Any:
    return actions.do_import_history(
        workbook(rows, **kw), file_name="a.xlsx", acting_user=world.supervisor
    )


def refused(world: Any, rows: Any, **kw: Any) -> Any:
    with pytest.raises(ImportRefused) as error:
        imported(world, rows, **kw)
    assert not AwardRecord.objects.exists()
    assert not Person.objects.exists()
    return error.value.messages


def test_the_short_name_the_app_shows_is_accepted_and_the_record_keeps_the_full_name(
    world: World,
) -> None:
    imported(world, [row(unit="Sở KH&ĐT Lai Châu"), row(unit="sở kh&đt lai châu", year=2014)])
    lai_chau = world.orgs["lai_chau"]
    assert set(AwardRecord.objects.values_list("unit_name", flat=True)) == {lai_chau.name}
    assert PersonPosition.objects.get().organization == lai_chau


@pytest.mark.parametrize(
    ("typed", "code", "individual"),
    [
        ("CSTĐ cơ sở", "cstdcs", True),
        ("Chiến sỹ thi đua cơ sở", "cstdcs", True),
        ("chiến sĩ thi đua cơ sở", "cstdcs", True),
        ("LĐTT", "ldtt", True),
        ("Lao động tiên tiến", "ldtt", True),
        ("BK Bộ trưởng", "bk_bo", True),
        ("Bằng khen của Bộ trưởng", "bk_bo", True),
        ("Bằng khen Bộ trưởng", "bk_bo_tt", False),
        ("Cờ thi đua của Bộ", "co_bo", False),
    ],
)
def test_common_spellings_of_an_award_are_accepted(
    world: World, typed: str, code: str, individual: bool
) -> None:
    line = row(award=typed) if individual else row(name="", born="", gender="", award=typed)
    imported(world, [line])
    assert AwardRecord.objects.get().award_type.code == code


def test_an_unknown_unit_is_refused_with_the_closest_name(world: World) -> None:
    messages = refused(world, [row(unit="Sở Kế hoạch và Đầu tư tỉnh Lai Chau")])
    assert messages == [
        f"Dòng 2, cột {UNIT_COLUMN}: không tìm thấy đơn vị “Sở Kế hoạch và Đầu tư tỉnh Lai Chau”."
        " Có phải “Sở Kế hoạch và Đầu tư tỉnh Lai Châu”?"
    ]


def test_an_unknown_award_is_refused_with_the_closest_spelling(world: World) -> None:
    messages = refused(world, [row(award="Chien si thi dua co so")])
    assert messages == [
        f"Dòng 2, cột {AWARD}: không có danh hiệu, hình thức khen thưởng"
        " “Chien si thi dua co so”. Có phải “Chiến sĩ thi đua cơ sở”?"
    ]


@pytest.fixture
def tuyen_quang(world: World) -> Any:
    """The Department of Finance of Tuyên Quang before the 2025 merger, and the one after."""
    before = Organization.objects.create(
        name="Sở Tài chính tỉnh Tuyên Quang",
        short_name="Sở TC Tuyên Quang",
        valid_to=dt.date(2025, 2, 28),
    )
    after = Organization.objects.create(
        name="Sở Tài chính tỉnh Tuyên Quang",
        short_name="Sở TC Tuyên Quang",
        valid_from=dt.date(2025, 3, 1),
    )
    return before, after


def test_namesakes_are_told_apart_by_the_records_date(world: World, tuyen_quang: Any) -> None:
    before, after = tuyen_quang
    unit = "Sở Tài chính tỉnh Tuyên Quang"
    imported(
        world,
        [
            row(name="", born="", gender="", award="Tập thể lao động tiên tiến", unit=unit),
            row(
                name="",
                born="",
                gender="",
                award="TTLĐTT",
                unit="Sở TC Tuyên Quang",
                year=2025,
                date=dt.date(2025, 12, 20),
            ),
        ],
    )
    assert dict(AwardRecord.objects.values_list("year", "organization")) == {
        2015: before.pk,
        2025: after.pk,
    }


def test_a_name_two_units_answer_to_on_the_day_is_refused_naming_both(world: World) -> None:
    Organization.objects.create(name="Sở Tài chính tỉnh Lai Châu", short_name="Sở KH&ĐT Lai Châu")
    messages = refused(world, [row(unit="Sở KH&ĐT Lai Châu")])
    assert messages == [
        f"Dòng 2, cột {UNIT_COLUMN}: “Sở KH&ĐT Lai Châu” là tên của nhiều đơn vị:"
        " “Sở Kế hoạch và Đầu tư tỉnh Lai Châu”; “Sở Tài chính tỉnh Lai Châu”;"
        " hãy ghi tên đầy đủ của đơn vị muốn nhập."
    ]


def test_namesakes_are_named_with_their_period_when_the_date_cannot_choose(
    world: World, tuyen_quang: Any
) -> None:
    # A decision of 2025 for 2024: on 01/03/2025 only the new one exists; a date both
    # existed on does not occur, so two namesakes with open periods are made for the test.
    before, _after = tuyen_quang
    before.valid_to = None
    before.valid_from = dt.date(2020, 1, 1)
    before.save()
    messages = refused(world, [row(unit="Sở TC Tuyên Quang", year=2024, date=dt.date(2025, 6, 1))])
    assert messages == [
        f"Dòng 2, cột {UNIT_COLUMN}: “Sở TC Tuyên Quang” là tên của nhiều đơn vị:"
        " “Sở Tài chính tỉnh Tuyên Quang (từ 01/01/2020)”;"
        " “Sở Tài chính tỉnh Tuyên Quang (từ 01/03/2025)”;"
        " hãy ghi tên đầy đủ của đơn vị muốn nhập."
    ]


def test_every_spelling_names_an_award_of_the_catalogue_and_no_two_of_one_kind(db: None) -> None:
    awards = {a.code: a for a in AwardType.objects.all()}
    seen: dict[tuple[str, bool], str] = {}
    for code, spellings in award_aliases().items():
        assert code in awards, code
        kind = awards[code].nominee_kind
        for spelling in spellings:
            for individual in (True, False):
                if kind == (NomineeKind.COLLECTIVE if individual else NomineeKind.INDIVIDUAL):
                    continue
                other = seen.setdefault((name_key(spelling), individual), code)
                assert other == code, (spelling, other, code)


def test_newcomers_get_their_position_with_its_dates(world: World) -> None:
    lines = [
        [*row(), "Chuyên viên", "01/03/2010", dt.date(2016, 6, 30)],
        [*row(name="Trần Thị Bình", born=1985), "", "", ""],
    ]
    imported(world, lines, header=ALL_COLUMNS)
    held = {
        p.person.full_name: (p.title, p.valid_from, p.valid_to)
        for p in PersonPosition.objects.select_related("person")
    }
    assert held == {
        "Nguyễn Văn An": ("Chuyên viên", dt.date(2010, 3, 1), dt.date(2016, 6, 30)),
        "Trần Thị Bình": ("", None, None),
    }


def test_a_position_that_ends_before_it_starts_is_refused(world: World) -> None:
    lines = [[*row(), "Chuyên viên", "01/03/2016", "31/12/2015"]]
    messages = refused(world, lines, header=ALL_COLUMNS)
    assert messages == [
        "Dòng 2, cột L (Giữ chức vụ đến ngày): chức vụ kết thúc trước ngày bắt đầu."
    ]


def test_the_position_columns_need_their_header(world: World) -> None:
    lines = [[*row(), "Chuyên viên"]]
    messages = refused(world, lines, header=[*ALL_COLUMNS[:9], "Chức danh"])
    assert messages[0] == ("Dòng 1, cột J: tiêu đề phải là “Chức vụ”, không phải “Chức danh”.")


def test_the_history_pages_tell_namesakes_apart_by_their_period(
    client: Client, world: World, tuyen_quang: Any
) -> None:
    before, _after = tuyen_quang
    client.force_login(world.supervisor)
    found = client.get("/awards/people/", {"q": "Tài chính tỉnh Tuyên Quang"}).content.decode()
    assert "Sở Tài chính tỉnh Tuyên Quang (đến 28/02/2025)" in found
    assert "Sở Tài chính tỉnh Tuyên Quang (từ 01/03/2025)" in found
    page = client.get(f"/awards/units/{before.pk}/").content.decode()
    assert "Sở Tài chính tỉnh Tuyên Quang (đến 28/02/2025)</h1>" in page
