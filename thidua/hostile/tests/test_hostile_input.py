"""Hostile input, from the corpus in thidua/hostile/corpus: refused clearly, or made harmless.

Each sample goes where users put text and files: the forms, the Excel imports, the Word
template upload and the API. Either it is refused with a message that says why and nothing
is stored, or it is stored as plain text that never runs: not as HTML in a page, not as a
formula in an exported sheet, not as code in a Word template.
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from openpyxl import Workbook, load_workbook

from thidua.api.actions import do_create_token
from thidua.audit.models import AuditEntry
from thidua.award_history import actions as history_actions
from thidua.award_history.importing import COLUMNS, ImportRefused
from thidua.award_history.models import AwardRecord, AwardType, HistoryImport
from thidua.awards import actions as award_actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.conference import documents
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import EmulationYear, Movement, Phase, Pledge
from thidua.indicators import excel
from thidua.lib.safe_zip import UnsafeFile, check_archive
from thidua.orgs.models import Person, User
from thidua.testing.personas import World

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TEXT = json.loads((CORPUS / "strings.json").read_text("utf-8"))
MALFORMED_WORKBOOKS = sorted(p.name for p in CORPUS.glob("*.xlsx"))
MALFORMED_DOCUMENTS = sorted(p.name for p in CORPUS.glob("*.docx"))
LONG = "Nguyễn " * 1429  # 10,003 characters
MARKUP = ["script_tag", "img_onerror", "attribute_break", "template_syntax"]
FORMULAS = ["formula_equals", "formula_plus", "formula_minus", "formula_at", "formula_tab"]


# The far corner of a sheet, written two ways: a cell named XFD1048576; a cell without a
# reference in row 1048576 (the reader puts it in column A of that row) below one in XFD2.
BOMBS = {
    "corner": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "unnamed-cell": b'<row r="2"><c r="XFD2"><v>1</v></c></row>'
    b'<row r="1048576"><c><v>1</v></c></row>',
}


def sheet_bomb(rows: bytes = BOMBS["corner"], title: str = "Sheet") -> bytes:
    """A 2 KB workbook with a header in row 1 and `rows` after it: billions of cells."""
    book = Workbook()
    book.active.title = title
    book.active.append(list(COLUMNS))
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            target.writestr(name, data)
    return bomb.getvalue()


def history_file(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def history_row(world: Any, name: Any = "Nguyễn Văn An", **changes: Any) -> Any:
    row = {
        "name": name,
        "born": 1980,
        "gender": "Nam",
        "unit": world.orgs["lai_chau"].name,
        "award": "Lao động tiên tiến",
        "year": 2015,
        "number": "12/QĐ-SKHĐT",
        "date": "10/01/2016",
        "issuer": "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
    }
    row.update(changes)
    return list(row.values())


def nothing_imported() -> Any:
    return not (HistoryImport.objects.exists() or AwardRecord.objects.exists())


@pytest.fixture
def catalogue(db: None) -> None:
    ensure_catalogue()


def movement_form(client: Any, world: Any, **values: Any) -> Any:
    form = client.get(world.url + "movement/").context["form"]
    data = {field.name: field.value() or "" for field in form}
    data |= {"launched_on": "2016-03-18", "goals": "Hoàn thành nhiệm vụ."}
    return client.post(world.url + "movement/", data | values)


# --- forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", MARKUP)
def test_markup_in_a_form_is_stored_as_text_and_shown_escaped(
    as_user: Callable[[User], Client], world: World, sample: Any
) -> None:
    client = as_user(world.son_la_officer)
    assert movement_form(client, world, title=TEXT[sample], goals=TEXT[sample]).status_code == 302
    assert Movement.objects.get().title == TEXT[sample]
    page = client.get(world.url).content.decode()
    assert TEXT[sample] not in page or sample == "template_syntax"
    assert "<script>alert" not in page and "<img src=x" not in page
    if sample == "template_syntax":  # shown as typed, never evaluated
        assert "{{ request.user.password }}" in page


def test_nfd_vietnamese_from_a_form_is_stored_composed(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    assert movement_form(client, world, title=TEXT["nfd_name"]).status_code == 302
    title = Movement.objects.get().title
    assert title == unicodedata.normalize("NFC", TEXT["nfd_name"]) == "Nguyễn Thị Hòa"


@pytest.mark.parametrize(
    "values",
    [
        {"title": LONG},
        {"title": TEXT["nul_byte"]},
        {"title": "Phong trào", "launched_on": "99999-01-01"},
        {"title": "Phong trào", "launched_on": "ngày mai"},
    ],
    ids=["10000-characters", "nul-byte", "five-digit-year", "not-a-date"],
)
def test_a_refused_form_names_the_field_and_stores_nothing(
    as_user: Callable[[User], Client], world: World, values: Any
) -> None:
    response = movement_form(as_user(world.son_la_officer), world, **values)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Movement.objects.exists()
    assert not AuditEntry.objects.filter(action="movement.set").exists()


@pytest.mark.parametrize("year", ["-2016", "0", "2101", "99999999999999999999", "2016.5", "năm"])
def test_opening_an_impossible_year_is_refused(
    as_user: Callable[[User], Client], world: World, year: str
) -> None:
    client = as_user(world.supervisor)
    response = client.post(
        f"/c/{world.cluster.slug}/",
        {
            "year": year,
            "members": [world.orgs["son_la"].pk, world.orgs["cao_bang"].pk],
            "head": world.orgs["son_la"].pk,
            "deputy": world.orgs["cao_bang"].pk,
        },
    )
    assert response.status_code == 400
    assert EmulationYear.objects.count() == 1


def test_a_pledge_article_with_markup_is_shown_as_text(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    form = client.get(world.url + "pledge/edit/").context["form"]
    data = {field.name: field.value() or "" for field in form}
    articles = "\n\n".join(TEXT[s] for s in MARKUP)
    response = client.post(world.url + "pledge/edit/", data | {"title": "GU", "articles": articles})
    assert response.status_code == 302
    assert Pledge.objects.get().articles.count() == len(MARKUP)
    page = client.get(world.url + "pledge/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_request_body_beyond_the_limit_is_refused_before_anything_is_read(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    response = client.post(world.url + "movement/", {"title": "x", "goals": "y" * 3_000_000})
    assert response.status_code == 400
    assert not Movement.objects.exists()


# --- the award-history import --------------------------------------------------------------


@pytest.mark.parametrize("name", MALFORMED_WORKBOOKS)
def test_a_malformed_workbook_is_refused_whole_with_a_message(
    as_user: Callable[[User], Client], world: World, catalogue: Any, name: Any
) -> None:
    client = as_user(world.supervisor)
    upload = SimpleUploadedFile(name, (CORPUS / name).read_bytes())
    response = client.post("/awards/history/import/", {"upload": upload})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert nothing_imported()


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_workbook_bomb_is_refused_and_the_server_reads_on(
    as_user: Callable[[User], Client], world: World, catalogue: Any, bomb: Any
) -> None:
    content = sheet_bomb(BOMBS[bomb])
    assert len(content) < 10_000
    with pytest.raises(ImportRefused) as refused:
        history_actions.do_import_history(
            content, file_name="bom.xlsx", acting_user=world.supervisor
        )
    assert refused.value.messages == [
        "Trang tính quá lớn để đọc một lần (hoặc bị hỏng); chỉ giữ lại bảng cần nhập."
    ]
    assert nothing_imported()
    # The reader that failed was the child's: this process reads the next file as before.
    good = history_file([history_row(world)])
    batch = history_actions.do_import_history(
        good, file_name="a.xlsx", acting_user=world.supervisor
    )
    assert batch.rows == 1


def test_a_sheet_larger_than_the_limit_is_refused_with_its_size(
    world: World, catalogue: Any
) -> None:
    content = sheet_bomb(b'<row r="300000"><c r="J300000"><v>1</v></c></row>')
    with pytest.raises(ImportRefused) as refused:
        history_actions.do_import_history(
            content, file_name="to.xlsx", acting_user=world.supervisor
        )
    assert "300.000 dòng và 10 cột" in refused.value.messages[0]
    assert nothing_imported()


def unzips_to(name: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b" " * size)
    return out.getvalue()


def test_a_workbook_that_unzips_beyond_the_budget_is_refused() -> None:
    with pytest.raises(UnsafeFile):
        check_archive(unzips_to("xl/worksheets/sheet1.xml", 101 * 1024 * 1024))


def test_a_word_template_whose_zip_understates_its_size_is_refused() -> None:
    content = bytearray(unzips_to("word/document.xml", 101 * 1024 * 1024))
    # The member's uncompressed size, in its local header (offset 22) and in the directory.
    directory = content.rindex(b"PK\x01\x02")
    for offset in (22, directory + 24):
        content[offset : offset + 4] = (1024).to_bytes(4, "little")
    check_archive(bytes(content))  # the directory alone believes it ...
    problems = documents.template_problems(bytes(content), {})  # ... the zip reader does not
    assert problems and "Word" in problems[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"year": 2999},
        {"year": -2015},
        {"year": 10**15},
        {"born": 1700},
        {"born": "một chín tám mươi"},
        {"date": "10/01/2999"},
        {"date": "31/02/2016"},
        {"name": LONG},
        {"number": "1" * 200},
        {"issuer": LONG},
        {"unit": TEXT["script_tag"]},
        {"award": TEXT["formula_equals"]},
    ],
    ids=lambda c: next(iter(c)) + "=" + str(next(iter(c.values())))[:12],
)
def test_an_impossible_history_row_is_refused_by_row_and_column(
    world: World, catalogue: Any, changes: Any
) -> None:
    second = history_row(world, **({"name": "Lê Văn Bình"} | changes))
    content = history_file([history_row(world), second])
    with pytest.raises(ImportRefused) as refused:
        history_actions.do_import_history(content, file_name="a.xlsx", acting_user=world.supervisor)
    assert all(m.startswith("Dòng 3, cột") for m in refused.value.messages)
    assert nothing_imported()
    assert not Person.objects.exists()


def with_cached_values(content: bytes, cached: dict[str, str]) -> bytes:
    """The workbook with each formula cell given the value Excel would have saved beside it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name).decode("utf-8")
            if name.startswith("xl/worksheets/"):
                for reference, value in cached.items():
                    start = data.index(f'<c r="{reference}"')
                    end = data.index("</c>", start)
                    cell = data[start:end]
                    kind = ' t="str"' if not value.isdigit() else ""
                    cell = cell.replace(f'<c r="{reference}"', f'<c r="{reference}"{kind}', 1)
                    cell = cell.replace("<v></v>", "").replace("<v />", "") + f"<v>{value}</v>"
                    data = data[:start] + cell + data[end:]
            target.writestr(name, data.encode("utf-8"))
    return out.getvalue()


def test_a_formula_in_the_history_import_is_refused_not_taken_for_its_value(
    world: World, catalogue: Any
) -> None:
    """=HYPERLINK(...) shows a name and =2015+1 a year: the file is refused, naming the cells."""
    name = '=HYPERLINK("http://a.example/an","Nguyễn Văn An")'
    content = with_cached_values(
        history_file([history_row(world, name=name, year="=2015+1")]),
        {"A2": "Nguyễn Văn An", "F2": "2016"},
    )
    with pytest.raises(ImportRefused) as refused:
        history_actions.do_import_history(content, file_name="a.xlsx", acting_user=world.supervisor)
    message = " ".join(refused.value.messages)
    assert "ô chứa công thức" in message and "Dòng 2, cột A" in message
    assert nothing_imported()
    assert not Person.objects.exists()


def test_nfd_text_in_an_import_matches_the_unit_and_is_stored_composed(
    world: World, catalogue: Any
) -> None:
    row = history_row(world, name=TEXT["nfd_name"], unit=TEXT["nfd_unit"])
    history_actions.do_import_history(
        history_file([row]), file_name="nfd.xlsx", acting_user=world.supervisor
    )
    assert Person.objects.get().full_name == "Nguyễn Thị Hòa"
    assert AwardRecord.objects.get().unit_name == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"


# --- exports: a formula typed by a user never runs in the reader's spreadsheet ---------------


def test_formula_prefixes_in_names_leave_the_export_as_plain_text(
    as_user: Callable[[User], Client], world: World, catalogue: Any
) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    award = AwardType.objects.get(code="ldtt")
    for sample in FORMULAS:
        person = history_actions.do_register_person(
            full_name=TEXT[sample],
            birth_year=1980,
            gender="male",
            unit=world.orgs["lai_chau"],
            year=world.year,
            acting_user=world.lai_chau_officer,
        )
        nomination = award_actions.do_draft_nomination(
            world.year,
            unit=world.orgs["lai_chau"],
            award_type=award,
            summary=TEXT["formula_equals"],
            person=person,
            acting_user=world.lai_chau_officer,
        )
        award_actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    response = as_user(world.son_la_officer).get(
        f"/awards/c/{world.cluster.slug}/2016/proposal-list.xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {str(cell.value).lstrip("'") for cell in cells if cell.value is not None}
    # The tab of "\t=1+1" may be dropped; what stays is text, never a formula.
    assert {TEXT[s].strip() for s in FORMULAS} <= {t.strip() for t in texts}


# --- the indicator workbook ----------------------------------------------------------------


def claiming_the_whole_sheet(content: bytes) -> bytes:
    """The workbook with its sheet's <dimension> saying A1:XFD1048576 (cells unchanged)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/worksheets/"):
                start = data.index(b"<dimension ")
                end = data.index(b"/>", start) + 2
                data = data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]
            target.writestr(name, data)
    return out.getvalue()


def test_an_indicator_workbook_is_read_by_its_cells_not_the_size_it_claims() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = excel.SHEET
    for row in range(1, 900):
        sheet.cell(row, 1, "x")
    sheet["B899"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    claimed = claiming_the_whole_sheet(out.getvalue())
    with pytest.raises(excel.WorkbookError) as honest:
        excel.read(out.getvalue(), filename="a.xlsx", unit_name="Sở", year=2016, rows=[])
    with pytest.raises(excel.WorkbookError) as claiming:
        excel.read(claimed, filename="a.xlsx", unit_name="Sở", year=2016, rows=[])
    assert claiming.value.errors == honest.value.errors
    assert any(e.startswith("Dòng 899, cột B:") for e in honest.value.errors)  # the formula


@pytest.mark.parametrize("name", MALFORMED_WORKBOOKS)
def test_a_malformed_indicator_workbook_is_refused_with_a_message(name: Any) -> None:
    with pytest.raises(excel.WorkbookError) as refused:
        excel.read((CORPUS / name).read_bytes(), filename=name, unit_name="Sở", year=2016, rows=[])
    assert refused.value.errors


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_an_indicator_workbook_bomb_is_refused(bomb: Any) -> None:
    content = sheet_bomb(BOMBS[bomb], title=excel.SHEET)
    with pytest.raises(excel.WorkbookError) as refused:
        excel.read(content, filename="chi-tieu.xlsx", unit_name="Sở", year=2016, rows=[])
    assert refused.value.errors == [
        "Trang tính quá lớn để đọc một lần (hoặc bị hỏng); chỉ giữ lại bảng cần nhập."
    ]


# --- the Word template upload ----------------------------------------------------------------


def docx_with(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", MALFORMED_DOCUMENTS)
def test_a_malformed_word_template_is_refused_with_a_message(name: Any) -> None:
    assert documents.template_problems((CORPUS / name).read_bytes(), {})


def test_a_word_template_that_unzips_beyond_the_budget_is_refused(catalogue: Any) -> None:
    problems = documents.template_problems(unzips_to("word/document.xml", 101 * 1024 * 1024), {})
    assert problems == ["Tệp quá lớn khi giải nén; vui lòng chia thành các tệp nhỏ hơn."]


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
        "{{ number.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    ],
)
def test_a_word_template_cannot_reach_into_python(payload: str) -> None:
    problems = documents.template_problems(docx_with(payload), {"number": "01/BC-CTĐ"})
    assert problems


def test_markup_in_a_placeholder_value_reaches_the_document_as_text() -> None:
    doc = documents.DocxTemplate(io.BytesIO(docx_with("{{ number }}")))
    doc.render({"number": TEXT["script_tag"] + " & Sở KH&ĐT"}, jinja_env=documents.sandbox())
    out = io.BytesIO()
    doc.save(out)
    text = Document(io.BytesIO(out.getvalue())).paragraphs[0].text
    assert text == TEXT["script_tag"] + " & Sở KH&ĐT"


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def api(client: Client, world: World) -> Any:
    _token, key = do_create_token(name="kịch bản", acting_user=world.son_la_officer)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '{"target": 123}',
        '{"target": null}',
        '{"target": ["pledge"]}',
        json.dumps({"target": LONG}),
        json.dumps({"target": TEXT["script_tag"]}),
        json.dumps({"target": TEXT["nul_byte"]}),
        json.dumps({"target": "closed", "extra": "x" * 10_000}),
    ],
    ids=[
        "not-json",
        "list",
        "number",
        "null",
        "nested",
        "long",
        "script",
        "nul",
        "skipping-phases",
    ],
)
def test_the_api_refuses_a_malformed_body_without_changing_anything(
    api: Any, world: World, body: Any
) -> None:
    world.launch()
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/phase"
    response = api.post(url, body, content_type="application/json")
    assert response.status_code in (400, 409, 422)
    assert response.json()["detail"]
    world.year.refresh_from_db()
    assert world.year.phase == Phase.SETUP


@pytest.mark.parametrize("page", ["-1", "0", "99999999999999999999999", "một", "1e9"])
def test_the_api_answers_any_page_number_without_failing(api: Any, world: World, page: str) -> None:
    url = f"/api/v1/clusters/{world.cluster.slug}/years/2016/history?page={page}"
    assert api.get(url).status_code in (200, 422)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer " + "x" * 10_000,
        "Bearer thd_' OR 1=1 --",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer \u0000",
    ],
)
def test_a_forged_token_opens_nothing(client: Client, world: World, header: Any) -> None:
    response = client.get("/api/v1/clusters", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_nul_character_in_a_form_is_refused_in_vietnamese(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    response = movement_form(client, world, title="Phong trào\x00thi đua")
    assert response.status_code == 400
    assert "Không được dùng ký tự rỗng (NUL) trong nội dung." in response.content.decode()
    assert not Movement.objects.exists()


def test_a_right_to_left_override_is_not_stored(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    assert movement_form(client, world, title="Phong trào\u202e thi đua").status_code == 302
    assert Movement.objects.get().title == "Phong trào thi đua"
