"""In a real browser, at desktop and phone widths: the unit's officer adds a sub-unit and
imports its members from a sheet (a member already one is refused by row and column); the
supervisor's import pages list the accepted spellings and offer each sheet's template."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.award_history import actions, sheets
from thidua.orgs.models import Organization, PersonPosition
from thidua.testing.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]


def sheet_file(tmp_path: Any, rows: Any) -> Any:
    book = Workbook()
    sheet = book.active
    sheet.append(list(sheets.MEMBER_COLUMNS))
    for row in rows:
        sheet.append(row)
    path = tmp_path / "thanh-vien.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def fits(page: Any, width: Any) -> None:
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_officer_adds_a_sub_unit_and_imports_its_members(
    live_server: LiveServer, login: Callable[..., Page], tmp_path: Path, width: Any
) -> None:
    world = build_world()
    lai_chau = world.orgs["lai_chau"]
    actions.do_register_person(
        full_name="Nguyễn Văn An",
        birth_year=1980,
        gender="male",
        unit=lai_chau,
        acting_user=world.supervisor,
    )
    page = login("lai-chau-canbo")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/orgs/{lai_chau.pk}/")
    page.get_by_test_id("add-sub-unit").click()
    fits(page, width)
    page.screenshot(path=f"var/screenshots/h6-sub-unit-{width}.png", full_page=True)
    page.get_by_label("Tên đơn vị trực thuộc").fill("Văn phòng Sở")
    page.get_by_label("Tên viết tắt").fill("VP")
    page.get_by_role("button", name="Tạo đơn vị trực thuộc").click()
    assert "Văn phòng Sở" in page.get_by_test_id("sub-units").inner_text()
    office = Organization.objects.get(parent=lai_chau)

    page.goto(f"{live_server.url}/awards/units/{office.pk}/members/import/")
    fits(page, width)
    upload = page.get_by_test_id("sheet-form").locator("input[type=file]")
    upload.set_input_files(
        sheet_file(
            tmp_path,
            [
                ["Nguyễn Văn An", 1980, "Nam", "Chánh Văn phòng", "01/01/2015", ""],
                ["Lò Thị Hoa", 1990, "Nữ", "Chuyên viên", "01/02/2016", ""],
            ],
        )
    )
    page.get_by_role("button", name="Nhập").click()
    assert "2 thành viên đã được thêm" in page.content()
    assert PersonPosition.objects.filter(organization=office).count() == 2

    upload = page.get_by_test_id("sheet-form").locator("input[type=file]")
    upload.set_input_files(sheet_file(tmp_path, [["Lò Thị Hoa", 1990, "Nữ", "", "", ""]]))
    page.get_by_role("button", name="Nhập").click()
    assert "Dòng 2, cột A (Họ và tên): Lò Thị Hoa đã là thành viên của Văn phòng Sở." in (
        page.get_by_test_id("sheet-form").inner_text()
    )
    fits(page, width)
    page.screenshot(path=f"var/screenshots/h6-members-refused-{width}.png", full_page=True)
    assert PersonPosition.objects.filter(organization=office).count() == 2


@pytest.mark.parametrize("width", WIDTHS)
def test_the_supervisors_import_pages(
    live_server: LiveServer, login: Callable[..., Page], width: Any
) -> None:
    build_world()
    page = login("vu-tdkt")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/awards/history/import/")
    page.get_by_test_id("accepted-names").locator("summary").click()
    assert "Chiến sỹ thi đua cơ sở" in page.get_by_test_id("accepted-names").inner_text()
    fits(page, width)
    page.screenshot(path=f"var/screenshots/h6-history-import-{width}.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("template").click()
    assert download.value.suggested_filename == "mau-lich-su-khen-thuong.xlsx"
    page.get_by_role("link", name="Nhập sáng kiến").click()
    fits(page, width)
    page.screenshot(path=f"var/screenshots/h6-initiatives-import-{width}.png", full_page=True)
