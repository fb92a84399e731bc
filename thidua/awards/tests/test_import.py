"""Importing award history from Excel: all or nothing, each problem by row and column."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook

from thidua.audit.models import AuditEntry
from thidua.awards import actions
from thidua.awards.importing import COLUMNS, ImportRefused
from thidua.awards.models import AwardRecord
from thidua.orgs.models import Person


def workbook(rows, header=COLUMNS):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


UNIT = "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
AWARD = "E (Danh hiệu, hình thức khen thưởng)"


def row(name="Nguyễn Văn An", born=1980, award="Lao động tiên tiến", year=2015, **kw):
    return [
        name,
        born,
        kw.get("gender", "Nam"),
        kw.get("unit", UNIT),
        award,
        year,
        kw.get("number", "12/QĐ-SKHĐT"),
        kw.get("date", dt.date(year + 1, 1, 10)),
        kw.get("issuer", "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"),
    ]


def refused(world, rows, **kw):
    with pytest.raises(ImportRefused) as error:
        actions.do_import_history(
            workbook(rows, **kw), file_name="lich-su.xlsx", acting_user=world.supervisor
        )
    assert not AwardRecord.objects.exists()
    assert not Person.objects.exists()
    return error.value.messages


def test_a_good_file_lands_with_its_people_and_an_audit_entry(world):
    rows = [row(year=y) for y in (2013, 2014, 2015)] + [
        row(name="", born="", gender="", award="Tập thể lao động tiên tiến", year=2015),
        row(name="Nguyễn Thị Hoà", born=1990, gender="Nữ", award="cstdcs", year=2015),
    ]
    batch = actions.do_import_history(
        workbook(rows), file_name="a.xlsx", acting_user=world.supervisor
    )
    assert batch.rows == 5
    assert Person.objects.count() == 2
    assert AwardRecord.objects.filter(organization=world.orgs["lai_chau"]).count() == 1
    assert AuditEntry.objects.filter(action="award_history.import").count() == 1


def test_a_wrong_header_is_refused_naming_the_column(world):
    header = list(COLUMNS)
    header[4] = "Hình thức"
    messages = refused(world, [row()], header=header)
    assert messages == [
        "Dòng 1, cột E: tiêu đề phải là “Danh hiệu, hình thức khen thưởng”, không phải “Hình thức”."
    ]


def test_bad_rows_are_refused_whole_with_every_problem_by_row_and_column(world):
    future = timezone.localdate() + dt.timedelta(days=30)
    messages = refused(
        world,
        [
            row(),
            row(award="Huân chương Sao Vàng"),
            row(year=2014, date=future),
            row(),
        ],
    )
    assert messages == [
        f"Dòng 3, cột {AWARD}: không có danh hiệu, hình thức khen thưởng “Huân chương Sao Vàng”.",
        "Dòng 4, cột H (Ngày quyết định): ngày quyết định ở trong tương lai.",
        f"Dòng 5, cột {AWARD}: trùng khen thưởng cùng năm với dòng 2.",
    ]


def test_a_record_already_in_the_history_is_a_duplicate(world):
    actions.do_import_history(workbook([row()]), file_name="a.xlsx", acting_user=world.supervisor)
    with pytest.raises(ImportRefused) as error:
        actions.do_import_history(
            workbook([row(year=2014), row(name="Nguyễn  Văn An")]),
            file_name="b.xlsx",
            acting_user=world.supervisor,
        )
    assert error.value.messages == [
        f"Dòng 3, cột {AWARD}: đã có trong lịch sử khen thưởng năm 2015."
    ]
    assert AwardRecord.objects.count() == 1


def test_a_file_that_is_not_a_workbook_is_refused(world):
    with pytest.raises(ImportRefused):
        actions.do_import_history(b"not excel", file_name="x.xlsx", acting_user=world.supervisor)


def test_only_the_supervisor_imports(world):
    with pytest.raises(PermissionDenied):
        actions.do_import_history(
            workbook([row()]), file_name="a.xlsx", acting_user=world.lai_chau_officer
        )


def test_ten_thousand_rows_land(world):
    rows = [
        row(name=f"Cán bộ số {i // 5}", born=1960 + i // 5 % 40, year=2011 + i % 5)
        for i in range(10_000)
    ]
    batch = actions.do_import_history(
        workbook(rows), file_name="big.xlsx", acting_user=world.supervisor
    )
    assert batch.rows == AwardRecord.objects.count() == 10_000
    assert Person.objects.count() == 2_000


def test_the_import_page_shows_the_problems_and_stores_nothing(client, world):
    client.force_login(world.supervisor)
    upload = io.BytesIO(workbook([row(award="Không có")]))
    upload.name = "sai.xlsx"
    response = client.post("/awards/history/import/", {"upload": upload})
    assert response.status_code == 400
    assert "Dòng 2, cột E" in response.content.decode()
    assert not AwardRecord.objects.exists()
