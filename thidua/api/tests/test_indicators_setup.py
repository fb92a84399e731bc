"""Setting the year's indicators up through the API, as the indicators' pages do: defining and
changing an indicator, copying last year's, reminding the late members, wording the results
paragraph, and a unit's values sent as the page's workbook."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from thidua.api.gateway import REPLAYED
from thidua.audit.models import AuditEntry
from thidua.cycle.actions import do_open_year
from thidua.cycle.models import Phase
from thidua.indicators import actions as indicator_actions
from thidua.indicators import excel
from thidua.indicators.models import Indicator, IndicatorValue, Reminder, ResultsTemplate
from thidua.testing.personas import World

from .conftest import define_indicators, jump, membership, report, to_in_progress, year_url
from .test_parity import _page_message

D = Decimal
Api = Callable[[Any], Client]

GROWTH = {
    "code": "tang_truong",
    "name": "Tốc độ tăng trưởng GRDP",
    "unit": "%",
    "decimals": 2,
    "method": "mean",
    "min_value": "-100",
    "max_value": "1.234",
}


def _json(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    send = getattr(client, method)
    return send(url, json.dumps(body or {}), content_type="application/json", **headers)


def _indicators(world: World) -> str:
    return year_url(world) + "/indicators"


def _page(world: World, path: str) -> str:
    return f"{world.url}indicators/{path}"


@pytest.fixture
def pages(client: Client) -> Callable[[Any], Client]:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def reporting(world: World) -> World:
    """The year in progress with three indicators; Sơn La and Lai Châu have reported."""
    to_in_progress(world)
    define_indicators(world)
    report(world, "son_la", GRDP="32426", TONG_SO_XA="204", XA_CO_DUONG="200")
    report(world, "lai_chau", GRDP="16021", TONG_SO_XA="108")
    return world


# --- defining an indicator -----------------------------------------------------------------


def test_the_secretariat_adds_an_indicator_as_the_page_does(api: Api, world: World) -> None:
    answer = _json(api(world.son_la_officer), "post", _indicators(world), GROWTH)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["code"] == "TANG_TRUONG"
    stored = Indicator.objects.get(year=world.year, code="TANG_TRUONG")
    assert (stored.method, stored.decimals, stored.unit) == ("mean", 2, "%")
    # "1.234" is one and a bit, not the page's Vietnamese "1.234" (one thousand and more).
    assert (stored.min_value, stored.max_value) == (D(-100), D("1.234"))
    assert answer.json()["max_value"] == "1.234"
    entry = AuditEntry.objects.get(action="indicator.add")
    assert entry.actor_id == world.son_la_officer.pk
    assert entry.after is not None and entry.after["code"] == "TANG_TRUONG"


def test_a_member_may_not_define_indicators_and_an_outsider_does_not_see_the_year(
    api: Api, world: World
) -> None:
    assert _json(api(world.lai_chau_officer), "post", _indicators(world), GROWTH).status_code == 403
    assert _json(api(world.outsider), "post", _indicators(world), GROWTH).status_code == 404
    assert not Indicator.objects.exists()


def test_a_ratio_without_its_totals_is_refused_as_the_pages_form_refuses_it(
    api: Api, pages: Callable[[Any], Client], world: World
) -> None:
    ratio = {**GROWTH, "method": "ratio", "min_value": None, "max_value": None}
    page = pages(world.son_la_officer).post(
        _page(world, "new/"), {**ratio, "min_value": "", "max_value": "", "order": 1}
    )
    assert page.status_code == 400
    said = " ".join(str(e) for e in page.context["form"].errors["denominator_code"])
    answer = _json(api(world.son_la_officer), "post", _indicators(world), ratio)
    assert answer.status_code == 400
    assert answer.json()["detail"] == f"Yêu cầu không hợp lệ: denominator_code: {said}"
    assert not Indicator.objects.exists()


def test_a_code_the_year_has_is_refused_alike(
    api: Api, pages: Callable[[Any], Client], reporting: World
) -> None:
    world = reporting
    again = {**GROWTH, "code": "GRDP", "min_value": None, "max_value": None}
    page = pages(world.son_la_officer).post(
        _page(world, "new/"), {**again, "min_value": "", "max_value": "", "order": 9}
    )
    answer = _json(api(world.son_la_officer), "post", _indicators(world), again)
    assert page.status_code == answer.status_code == 409
    assert answer.json()["detail"] == _page_message(page)
    assert "GRDP" in answer.json()["detail"]
    assert Indicator.objects.filter(year=world.year).count() == 3


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        ({"min_value": "1234567890123456789"}, "Giá trị nhỏ nhất cho phép: giá trị quá lớn."),
        (
            {"max_value": "0.1234567"},
            "Giá trị lớn nhất cho phép: giá trị chỉ được có tối đa 6 chữ số thập phân.",
        ),
        ({"order": 40000}, "Thứ tự: giá trị quá lớn."),
    ],
)
def test_a_limit_or_order_the_database_cannot_keep_is_refused_alike(
    api: Api,
    pages: Callable[[Any], Client],
    world: World,
    sent: dict[str, Any],
    said: str,
) -> None:
    """Refused by the action for both, where the page stored it rounded or failed with 500."""
    body = {**GROWTH, "min_value": None, "max_value": None, **sent}
    typed = {k: str(v).replace(".", ",") for k, v in sent.items()}
    form = {**GROWTH, "min_value": "", "max_value": "", "order": 1, **typed}
    page = pages(world.son_la_officer).post(_page(world, "new/"), form)
    answer = _json(api(world.son_la_officer), "post", _indicators(world), body)
    assert page.status_code == answer.status_code == 400
    assert answer.json()["detail"] == _page_message(page) == said
    assert not Indicator.objects.exists()


def test_no_indicator_is_defined_once_the_self_assessment_starts(api: Api, world: World) -> None:
    jump(world, Phase.SELF_ASSESSMENT)
    answer = _json(api(world.son_la_officer), "post", _indicators(world), GROWTH)
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "Chỉ có thể xác định chỉ tiêu trước khi bắt đầu giai đoạn tự chấm điểm."
    )
    assert not Indicator.objects.exists()


def test_the_secretariat_changes_an_indicator_and_reads_it_back(api: Api, reporting: World) -> None:
    world = reporting
    client = api(world.cao_bang_officer)  # the deputy's officer: the secretariat too
    changed = {
        "code": "GRDP",
        "name": "GRDP theo giá hiện hành",
        "unit": "tỷ đồng",
        "decimals": 1,
        "method": "sum",
        "min_value": 0,
        "order": 1,
    }
    answer = _json(client, "put", _indicators(world) + "/GRDP", changed)
    assert answer.status_code == 200, answer.json()
    read = client.get(_indicators(world)).json()[0]
    assert read == answer.json()
    assert (read["name"], read["decimals"], read["max_value"]) == (
        "GRDP theo giá hiện hành",
        1,
        None,
    )
    entry = AuditEntry.objects.get(action="indicator.save")
    assert entry.before is not None and entry.before["name"] == "Tổng sản phẩm trên địa bàn"


def test_a_reported_indicators_code_stays(api: Api, reporting: World) -> None:
    world = reporting
    renamed = {"code": "GRDP_MOI", "name": "GRDP", "method": "sum"}
    answer = _json(api(world.son_la_officer), "put", _indicators(world) + "/GRDP", renamed)
    assert answer.status_code == 409
    assert "GRDP_MOI" not in Indicator.objects.values_list("code", flat=True)


def test_changing_an_unknown_indicator_is_404_and_a_member_403(api: Api, reporting: World) -> None:
    world = reporting
    body = {"code": "GRDP", "name": "GRDP", "method": "sum"}
    unknown = _json(api(world.son_la_officer), "put", _indicators(world) + "/KHONG_CO", body)
    assert unknown.status_code == 404
    member = _json(api(world.lai_chau_officer), "put", _indicators(world) + "/GRDP", body)
    assert member.status_code == 403
    outsider = _json(api(world.outsider), "put", _indicators(world) + "/GRDP", body)
    assert outsider.status_code == 404
    assert Indicator.objects.get(year=world.year, code="GRDP").name == "Tổng sản phẩm trên địa bàn"


def test_a_retried_definition_is_made_once(api: Api, world: World) -> None:
    client = api(world.son_la_officer)
    key = {"HTTP_IDEMPOTENCY_KEY": "indicator-1"}
    first = _json(client, "post", _indicators(world), GROWTH, **key)
    again = _json(client, "post", _indicators(world), GROWTH, **key)
    assert first.status_code == again.status_code == 201
    assert again.headers[REPLAYED] == "true"
    assert Indicator.objects.count() == 1
    assert AuditEntry.objects.filter(action="indicator.add").count() == 1


# --- copying last year's ---------------------------------------------------------------------


def test_the_secretariat_copies_last_years_indicators(api: Api, reporting: World) -> None:
    world = reporting
    next_year = do_open_year(
        world.cluster,
        year=2017,
        members=[world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
        head=world.orgs["son_la"],
        deputy=world.orgs["lai_chau"],
        acting_user=world.supervisor,
    )
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2017/indicators/copy"
    assert api(world.cao_bang_officer).post(url).status_code == 403  # no longer the deputy
    assert not Indicator.objects.filter(year=next_year).exists()
    answer = api(world.son_la_officer).post(url)
    assert answer.status_code == 201
    assert [i["code"] for i in answer.json()] == ["GRDP", "TONG_SO_XA", "XA_CO_DUONG"]
    ratio = Indicator.objects.get(year=next_year, code="XA_CO_DUONG")
    assert ratio.denominator_indicator is not None
    assert ratio.denominator_indicator.year_id == next_year.pk
    assert AuditEntry.objects.get(action="indicator.copy").after == {
        "from_year": 2016,
        "codes": ["GRDP", "TONG_SO_XA", "XA_CO_DUONG"],
    }
    # Nothing left to copy: refused, as the page refuses it.
    assert api(world.son_la_officer).post(url).status_code == 409


def test_copying_without_an_earlier_year_is_refused_alike(
    api: Api, pages: Callable[[Any], Client], world: World
) -> None:
    page = pages(world.son_la_officer).post(_page(world, "copy/"), follow=True)
    answer = api(world.son_la_officer).post(_indicators(world) + "/copy")
    assert answer.status_code == 409
    assert answer.json()["detail"] == _page_message(page)
    assert answer.json()["detail"] == "Cụm chưa có năm thi đua nào trước đó để sao chép chỉ tiêu."


# --- reminding the late members --------------------------------------------------------------


def test_the_secretariat_reminds_every_late_member(api: Api, reporting: World) -> None:
    world = reporting
    url = _indicators(world) + "/reminders"
    answer = api(world.son_la_officer).post(url, content_type="application/json")  # no body: all
    assert answer.status_code == 201, answer.json()
    by_unit = {r["organization_id"]: r["missing"] for r in answer.json()}
    assert by_unit == {
        world.orgs["cao_bang"].pk: ["GRDP", "TONG_SO_XA", "XA_CO_DUONG"],
        world.orgs["lai_chau"].pk: ["XA_CO_DUONG"],
    }
    assert Reminder.objects.count() == 2
    assert AuditEntry.objects.filter(action="indicator.remind").count() == 2


def test_the_secretariat_reminds_one_member(api: Api, reporting: World) -> None:
    world = reporting
    lai_chau = world.orgs["lai_chau"].pk
    answer = _json(
        api(world.son_la_officer),
        "post",
        _indicators(world) + "/reminders",
        {"organization_id": lai_chau},
    )
    assert answer.status_code == 201
    assert [r["organization_id"] for r in answer.json()] == [lai_chau]
    assert list(Reminder.objects.values_list("organization_id", flat=True)) == [lai_chau]


def test_a_member_with_nothing_left_is_not_reminded_as_on_the_page(
    api: Api, pages: Callable[[Any], Client], reporting: World
) -> None:
    world = reporting
    son_la = world.orgs["son_la"].pk
    page = pages(world.son_la_officer).post(
        _page(world, "matrix/remind/"), {"organization": son_la}, follow=True
    )
    answer = _json(
        api(world.son_la_officer),
        "post",
        _indicators(world) + "/reminders",
        {"organization_id": son_la},
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == _page_message(page)
    assert answer.json()["detail"] == "Không có thành viên nào được chọn còn thiếu số liệu."
    assert not Reminder.objects.exists()


def test_a_leader_may_not_remind_and_setup_has_nothing_to_remind(api: Api, world: World) -> None:
    define_indicators(world)  # the year is still in setup
    url = _indicators(world) + "/reminders"
    assert _json(api(world.lai_chau_leader), "post", url).status_code == 403
    refused = _json(api(world.son_la_officer), "post", url)
    assert refused.status_code == 409
    assert not Reminder.objects.exists()


# --- the results paragraph ---------------------------------------------------------------------


def test_the_secretariat_words_the_results_paragraph(api: Api, reporting: World) -> None:
    world = reporting
    client = api(world.son_la_officer)
    default = client.get(_indicators(world) + "/results").json()
    assert "{GRDP}" in default["text"]
    text = "Năm {NAM}, tổng sản phẩm của cụm đạt {GRDP}."
    answer = _json(client, "put", _indicators(world) + "/results", {"text": text})
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {
        "text": text,
        "paragraph": "Năm 2016, tổng sản phẩm của cụm đạt khoảng 48 nghìn tỷ đồng.",
    }
    assert ResultsTemplate.objects.get(year=world.year).text == text
    assert AuditEntry.objects.filter(action="indicator.results_template").count() == 1


def test_an_unknown_placeholder_is_refused_as_on_the_page(
    api: Api, pages: Callable[[Any], Client], reporting: World
) -> None:
    world = reporting
    text = "Cụm đạt {KHONG_CO}."
    page = pages(world.son_la_officer).post(_page(world, "results/"), {"text": text})
    url = _indicators(world) + "/results"
    answer = _json(api(world.son_la_officer), "put", url, {"text": text})
    assert page.status_code == answer.status_code == 400
    assert answer.json()["detail"] == _page_message(page)
    assert "{KHONG_CO}" in answer.json()["detail"]
    assert not ResultsTemplate.objects.exists()


def test_a_member_reads_the_paragraph_but_may_not_word_it(api: Api, reporting: World) -> None:
    world = reporting
    client = api(world.lai_chau_officer)
    assert client.get(_indicators(world) + "/results").status_code == 200
    refused = _json(client, "put", _indicators(world) + "/results", {"text": "{GRDP}"})
    assert refused.status_code == 403
    outsider = _json(api(world.outsider), "put", _indicators(world) + "/results", {"text": "x"})
    assert outsider.status_code == 404
    assert not ResultsTemplate.objects.exists()


def test_a_closed_years_paragraph_stays(api: Api, reporting: World) -> None:
    world = reporting
    jump(world, Phase.CLOSED)
    answer = _json(api(world.son_la_officer), "put", _indicators(world) + "/results", {"text": "x"})
    assert answer.status_code == 409
    assert not ResultsTemplate.objects.exists()


# --- a unit's values as the page's workbook --------------------------------------------------


def _workbook(world: World, key: str, **values: Any) -> bytes:
    """The unit's workbook as its page gives it, with `values` typed in by code."""
    content = excel.build(
        unit_name=world.orgs[key].name,
        year=world.year.year,
        rows=indicator_actions.workbook_rows(membership(world, key)),
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book[excel.SHEET]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code in values:
            sheet.cell(row, excel.VALUE_COL).value = values[code]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Client, world: World, key: str, content: bytes, **headers: Any) -> Any:
    url = _indicators(world) + f"/units/{world.orgs[key].pk}/workbook"
    return client.post(url, {"file": SimpleUploadedFile("chi-tieu.xlsx", content)}, **headers)


def test_a_unit_uploads_its_workbook_and_every_value_is_stored(api: Api, reporting: World) -> None:
    world = reporting
    content = _workbook(world, "cao_bang", GRDP=10125, TONG_SO_XA=199, XA_CO_DUONG=190)
    answer = _upload(api(world.cao_bang_officer), world, "cao_bang", content)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["changed"] == 3
    assert [v["value"] for v in answer.json()["values"]] == ["10125", "199", "190"]
    stored = IndicatorValue.objects.filter(organization=world.orgs["cao_bang"])
    assert {v.source for v in stored} == {IndicatorValue.Source.EXCEL}
    entry = AuditEntry.objects.filter(action="indicator.report").latest("id")
    assert entry.after is not None and entry.after["source"] == "excel"


def test_a_workbook_with_a_bad_row_stores_nothing_and_names_the_row_as_the_page(
    api: Api, pages: Callable[[Any], Client], reporting: World
) -> None:
    world = reporting
    content = _workbook(world, "cao_bang", GRDP=10125, TONG_SO_XA=-5)
    page = pages(world.cao_bang_officer).post(
        _page(world, f"unit/{world.orgs['cao_bang'].pk}/upload/"),
        {"workbook": SimpleUploadedFile("chi-tieu.xlsx", content)},
    )
    answer = _upload(api(world.cao_bang_officer), world, "cao_bang", content)
    assert page.status_code == answer.status_code == 400
    refused = answer.json()
    assert [refused["detail"], *refused["details"]] == [str(e) for e in page.context["errors"]]
    assert len(refused["details"]) == 1
    assert "giá trị nhỏ hơn mức nhỏ nhất cho phép là 0." in refused["details"][0]
    assert not IndicatorValue.objects.filter(organization=world.orgs["cao_bang"]).exists()


def test_a_file_over_the_limit_is_refused_with_the_pages_words(
    api: Api, pages: Callable[[Any], Client], reporting: World, settings: Any
) -> None:
    world = reporting
    settings.THIDUA_UPLOAD_LIMITS = {**settings.THIDUA_UPLOAD_LIMITS, "workbook": 1024}
    big = b"PK" + b"0" * 2048
    page = pages(world.cao_bang_officer).post(
        _page(world, f"unit/{world.orgs['cao_bang'].pk}/upload/"),
        {"workbook": SimpleUploadedFile("chi-tieu.xlsx", big)},
    )
    answer = _upload(api(world.cao_bang_officer), world, "cao_bang", big)
    assert page.status_code == answer.status_code == 400
    assert [answer.json()["detail"]] == [str(e) for e in page.context["errors"]]
    assert "1 KB" in answer.json()["detail"]


def test_another_unit_may_not_upload_and_an_outsider_does_not_see_it(
    api: Api, reporting: World
) -> None:
    world = reporting
    content = _workbook(world, "cao_bang", GRDP=10125)
    assert _upload(api(world.lai_chau_officer), world, "cao_bang", content).status_code == 403
    assert _upload(api(world.outsider), world, "cao_bang", content).status_code == 404
    assert not IndicatorValue.objects.filter(organization=world.orgs["cao_bang"]).exists()


def test_a_workbook_after_the_reporting_phases_is_refused(api: Api, reporting: World) -> None:
    world = reporting
    content = _workbook(world, "cao_bang", GRDP=10125)
    jump(world, Phase.CROSS_CHECK)
    answer = _upload(api(world.cao_bang_officer), world, "cao_bang", content)
    assert answer.status_code == 409
    assert not IndicatorValue.objects.filter(organization=world.orgs["cao_bang"]).exists()


def test_a_retried_upload_imports_once(api: Api, reporting: World) -> None:
    world = reporting
    client = api(world.cao_bang_officer)
    content = _workbook(world, "cao_bang", GRDP=10125)
    key = {"HTTP_IDEMPOTENCY_KEY": "workbook-1"}
    first = _upload(client, world, "cao_bang", content, **key)
    again = _upload(client, world, "cao_bang", content, **key)
    assert first.status_code == again.status_code == 200
    assert again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    reports = AuditEntry.objects.filter(
        action="indicator.report", object_id=str(membership(world, "cao_bang").pk)
    )
    assert reports.count() == 1
