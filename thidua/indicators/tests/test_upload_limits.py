"""A unit's workbook over its limit is refused with the limit named, and imports nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pytest_django import Settings

from thidua.indicators import excel
from thidua.indicators.models import IndicatorValue
from thidua.indicators.tests.conftest import Reporting
from thidua.lib.uploads import MB
from thidua.orgs.models import User


def _upload_url(world: Any) -> Any:
    return f"{world.url}indicators/unit/{world.orgs['lai_chau'].pk}/upload/"


def _filled_workbook(client: Any, world: Any) -> bytes:
    download = client.get(f"{world.url}indicators/unit/{world.orgs['lai_chau'].pk}/workbook.xlsx")
    book = load_workbook(io.BytesIO(download.content))
    book[excel.SHEET].cell(excel.FIRST_ROW + 1, excel.VALUE_COL).value = 10125
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_over_the_default_limit_is_refused_naming_it(
    as_user: Callable[[User], Client], reporting: Reporting
) -> None:
    world = reporting.world
    big = SimpleUploadedFile("chi-tieu.xlsx", b"PK" + b"0" * MB)
    response = as_user(world.lai_chau_officer).post(_upload_url(world), {"workbook": big})
    assert response.status_code == 400
    assert "Tệp “chi-tieu.xlsx” lớn hơn 1 MB, vượt quá dung lượng cho phép tải lên." in (
        response.content.decode()
    )
    assert not IndicatorValue.objects.exists()


def test_a_workbook_at_its_limit_is_imported_and_one_byte_less_of_limit_refuses_it(
    as_user: Callable[[User], Client], reporting: Reporting, settings: Settings
) -> None:
    world = reporting.world
    client = as_user(world.lai_chau_officer)
    content = _filled_workbook(client, world)
    limits = settings.THIDUA_UPLOAD_LIMITS
    settings.THIDUA_UPLOAD_LIMITS = {**limits, "workbook": len(content) - 1}
    upload = SimpleUploadedFile("chi-tieu.xlsx", content)
    refused = client.post(_upload_url(world), {"workbook": upload})
    assert refused.status_code == 400
    assert "vượt quá dung lượng cho phép tải lên" in refused.content.decode()
    assert not IndicatorValue.objects.exists()

    settings.THIDUA_UPLOAD_LIMITS = {**limits, "workbook": len(content)}
    upload = SimpleUploadedFile("chi-tieu.xlsx", content)
    assert client.post(_upload_url(world), {"workbook": upload}).status_code == 302
    assert IndicatorValue.objects.get().value == Decimal(10125)
