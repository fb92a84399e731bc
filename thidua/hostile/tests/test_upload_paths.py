"""Every upload path against the same hostile cells and names, and the list of paths kept whole.

The samples are the issue's: a number that is not finite (NaN, infinity), text of 10,000
characters, a NUL character, a right-to-left override (U+202E) and zero-width characters, and
a formula. Each upload path either refuses the file with a message in Vietnamese (naming the
row and column of a sheet) and keeps nothing, or keeps the text cleaned: never a NUL, never an
invisible character, never a formula's cached value taken as typed.

`UPLOAD_VIEWS` lists every view that reads an uploaded file, with the tests that put hostile
input through it; a view that reads `request.FILES` and is not listed fails
`test_every_upload_view_is_listed_with_its_hostile_tests`, as does an API operation taking a file.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

import thidua
from thidua.api.api import api
from thidua.award_history import actions as history_actions
from thidua.award_history.importing import ImportRefused
from thidua.award_history.models import AwardRecord
from thidua.awards.catalogue import ensure_catalogue
from thidua.indicators import excel
from thidua.lib.text import normalize
from thidua.orgs.models import Person

from . import test_hostile_input as hostile

# Characters that must never be stored: they change how text is shown, not what it says.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00]")
RLO_NAME = "Nguyễn\u202e Văn\u200b An"  # shown backwards after the override; a hidden space

# Every view that reads an uploaded file -> the hostile tests that go through it (this module's
# and test_hostile_input's). Add a new upload view here with the tests of its hostile input.
UPLOAD_VIEWS: dict[str, list[str]] = {
    "thidua.award_history.views.history_import": [
        "test_a_hostile_history_cell_is_refused_by_row_and_column_or_stored_clean",
        "test_a_formula_in_the_history_import_is_refused_not_taken_for_its_value",
        "test_a_malformed_workbook_is_refused_whole_with_a_message",
        "test_a_workbook_bomb_is_refused_and_the_server_reads_on",
    ],
    "thidua.indicators.views.upload": [
        "test_a_hostile_indicator_cell_is_refused_by_row_and_column_or_kept_clean",
        "test_a_malformed_indicator_workbook_is_refused_with_a_message",
        "test_an_indicator_workbook_bomb_is_refused",
    ],
    "thidua.awards.views.nomination_evidence": [
        "test_a_hostile_evidence_file_name_is_refused_or_stored_clean",
    ],
    "thidua.scoring.views.evidence_upload": [
        "test_a_hostile_scoring_evidence_name_is_refused_or_stored_clean",
    ],
    "thidua.award_history.views._sheet_page": [
        "test_a_hostile_cell_in_every_history_sheet_is_refused_by_row_and_column",
    ],
    "thidua.dossier.views.received": [
        "test_a_hostile_dossier_package_is_refused_with_a_vietnamese_reason",
        "test_a_nul_in_a_dossier_member_name_never_reaches_the_name_kept",
        "test_a_dossier_member_name_of_10000_characters_is_refused",
        "test_a_dossier_package_that_unzips_beyond_the_budget_is_refused",
    ],
    "thidua.dossier.views.reply": [
        "test_a_hostile_dossier_package_is_refused_with_a_vietnamese_reason",
        "test_a_nul_in_a_dossier_member_name_never_reaches_the_name_kept",
        "test_a_dossier_member_name_of_10000_characters_is_refused",
        "test_a_dossier_package_that_unzips_beyond_the_budget_is_refused",
    ],
    "thidua.signing.views.verify": [
        "test_a_hostile_pdf_to_verify_is_answered_in_vietnamese_and_never_fails",
    ],
    "thidua.signing.views.identities": [
        "test_a_hostile_certificate_is_refused_in_vietnamese_and_nothing_added",
    ],
    "thidua.conference.views.documents_page": [
        "test_a_malformed_word_template_is_refused_with_a_message",
        "test_a_word_template_cannot_reach_into_python",
        "test_a_word_template_that_unzips_beyond_the_budget_is_refused",
    ],
}
UPLOAD_VIEWS["thidua.api.gateway._form_parts"] = [
    "test_a_hostile_form_sent_with_an_idempotency_key_is_answered_not_replayed_wrongly",
]
# API operations that take a file: "api:<operation>" -> its hostile tests. Each reads the file
# with its page's form and the same action as the page (the history import's job too), so the
# page's hostile tests go through the same code.
UPLOAD_OPERATIONS: dict[str, list[str]] = {
    "api:start_history_import": [
        "test_a_hostile_history_cell_is_refused_by_row_and_column_or_stored_clean",
        "test_a_formula_in_the_history_import_is_refused_not_taken_for_its_value",
        "test_a_workbook_bomb_is_refused_and_the_server_reads_on",
    ],
    "api:upload_workbook": UPLOAD_VIEWS["thidua.indicators.views.upload"],
    "api:evidence_upload": UPLOAD_VIEWS["thidua.scoring.views.evidence_upload"],
    "api:nomination_evidence": UPLOAD_VIEWS["thidua.awards.views.nomination_evidence"],
    "api:template_upload": UPLOAD_VIEWS["thidua.conference.views.documents_page"],
    "api:receive": UPLOAD_VIEWS["thidua.dossier.views.received"],
    "api:read_reply": UPLOAD_VIEWS["thidua.dossier.views.reply"],
    "api:verify": UPLOAD_VIEWS["thidua.signing.views.verify"],
    "api:identity_add": UPLOAD_VIEWS["thidua.signing.views.identities"],
}


def upload_views() -> set[str]:
    """Every function of thidua (tests aside) that reads request.FILES."""
    root = Path(thidua.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if {"tests", "migrations"} & set(path.relative_to(root).parts):
            continue
        source = path.read_text("utf-8")
        if "FILES" not in source:
            continue
        module = "thidua." + ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                "request.FILES" in (ast.get_source_segment(source, node) or "")
            ):
                found.add(f"{module}.{node.name}")
    return found


def upload_operations() -> set[str]:
    """Every API operation with a parameter that is an uploaded file."""
    found = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                signature = inspect.signature(operation.view_func, eval_str=True)
                if any("UploadedFile" in str(p.annotation) for p in signature.parameters.values()):
                    found.add(f"api:{operation.view_func.__name__}")
    return found


def test_every_upload_view_is_listed_with_its_hostile_tests() -> None:
    views, operations = upload_views(), upload_operations()
    missing = sorted((views - set(UPLOAD_VIEWS)) | (operations - set(UPLOAD_OPERATIONS)))
    assert not missing, "list these upload paths in UPLOAD_VIEWS with their hostile tests:\n" + (
        "\n".join(missing)
    )
    gone = sorted((set(UPLOAD_VIEWS) - views) | (set(UPLOAD_OPERATIONS) - operations))
    assert not gone, "these upload paths are gone; remove them:\n" + "\n".join(gone)
    here = {name for name, _f in inspect.getmembers(inspect.getmodule(upload_views))}
    tests = here | {name for name, _f in inspect.getmembers(hostile)}
    for path, names in {**UPLOAD_VIEWS, **UPLOAD_OPERATIONS}.items():
        assert names, f"{path} has no hostile test"
        unknown = [name for name in names if name not in tests]
        assert not unknown, f"{path}: no such test {unknown}"


@pytest.fixture
def catalogue(db: None) -> None:
    ensure_catalogue()


# --- sheets: one cell of each hostile kind, written as a spreadsheet program writes it ------


def with_cell(content: bytes, reference: str, cell_xml: str) -> bytes:
    """The workbook with the cell at `reference` of its first sheet replaced by `cell_xml`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name).decode("utf-8")
            if name == "xl/worksheets/sheet1.xml":
                found = re.search(rf'<c r="{reference}"[^>]*?(/>|>.*?</c>)', data)
                assert found, reference
                data = data[: found.start()] + cell_xml + data[found.end() :]
            target.writestr(name, data.encode("utf-8"))
    return out.getvalue()


def text_cell(reference: str, text: str) -> str:
    # A spreadsheet program writes a control character as _xHHHH_ (ECMA-376, 22.9.2.19).
    escaped = "".join(f"_x{ord(c):04X}_" if ord(c) < 32 else c for c in text)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t>{escaped}</t></is></c>'


def number_cell(reference: str, raw: str) -> str:
    return f'<c r="{reference}"><v>{raw}</v></c>'


def formula_cell(reference: str, formula: str, cached: str) -> str:
    kind = "" if cached.isdigit() else ' t="str"'
    return f'<c r="{reference}"{kind}><f>{formula}</f><v>{cached}</v></c>'


HOSTILE_CELLS = {
    "nan": lambda ref: number_cell(ref, "NaN"),
    "infinity": lambda ref: number_cell(ref, "INF"),
    "overflow": lambda ref: number_cell(ref, "1e999"),
    "long-text": lambda ref: text_cell(ref, hostile.LONG),
    "nul": lambda ref: text_cell(ref, "Nguyễn\x00Văn An"),
    "right-to-left": lambda ref: text_cell(ref, RLO_NAME),
    "formula": lambda ref: formula_cell(ref, "2015+1", "2016"),
}


def assert_vietnamese(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", message), message
        assert "Traceback" not in message and "Error" not in message
        # Not half-translated: no English word among the Vietnamese ones.
        assert not re.search(r"\b(the|cell|holds|enter|value|is|not|and|file|row)\b", message), (
            message
        )


@pytest.mark.parametrize("kind", sorted(HOSTILE_CELLS))
@pytest.mark.parametrize("column", ["A", "F", "B", "D"], ids=["name", "year", "born", "unit"])
def test_a_hostile_history_cell_is_refused_by_row_and_column_or_stored_clean(
    world: Any, catalogue: None, kind: str, column: str
) -> None:
    rows = [hostile.history_row(world), hostile.history_row(world, name="Lê Văn Bình")]
    content = with_cell(hostile.history_file(rows), f"{column}3", HOSTILE_CELLS[kind](f"{column}3"))
    try:
        with translation.override("vi"):
            history_actions.do_import_history(
                content, file_name="a.xlsx", acting_user=world.supervisor
            )
    except ImportRefused as refused:
        assert_vietnamese(refused.messages)
        assert all(m.startswith(("Dòng 3, cột", "Trang tính")) for m in refused.messages), (
            refused.messages
        )
        assert hostile.nothing_imported() and not Person.objects.exists()
        return
    # Taken: only text that stays a name once cleaned, and stored cleaned.
    assert kind == "right-to-left" and column in ("A", "D"), kind
    names = list(Person.objects.values_list("full_name", flat=True))
    units = list(AwardRecord.objects.values_list("unit_name", flat=True))
    assert not [text for text in names + units if INVISIBLE.search(text)]
    assert normalize(RLO_NAME) in names or column == "D"


def indicator_rows() -> list[excel.Row]:
    return [
        excel.Row("GRDP", "Tổng sản phẩm", "tỷ đồng", 1, Decimal(0), None),
        excel.Row("DN_MOI", "Doanh nghiệp thành lập mới", "doanh nghiệp", 0, Decimal(0), None),
    ]


@pytest.mark.parametrize("kind", sorted(HOSTILE_CELLS))
@pytest.mark.parametrize("column", ["D", "E"], ids=["value", "note"])
def test_a_hostile_indicator_cell_is_refused_by_row_and_column_or_kept_clean(
    kind: str, column: str
) -> None:
    rows = indicator_rows()
    content = excel.build(unit_name="Sở KH&ĐT Lai Châu", year=2016, rows=rows)
    reference = f"{column}{excel.FIRST_ROW}"
    content = with_cell(content, reference, HOSTILE_CELLS[kind](reference))
    try:
        with translation.override("vi"):
            entries = excel.read(
                content, filename="a.xlsx", unit_name="Sở KH&ĐT Lai Châu", year=2016, rows=rows
            )
    except excel.WorkbookError as refused:
        assert_vietnamese(refused.errors)
        return
    # Taken: a note (text) that stays a note once cleaned, stored cleaned.
    assert column == "E" and kind in ("right-to-left", "nan", "infinity", "overflow"), kind
    note = entries["GRDP"].note
    assert not INVISIBLE.search(note)


# --- file names: what a user sees in the list of evidence -------------------------------------

HOSTILE_NAMES = {
    "right-to-left": "bao-cao\u202efdp.exe\u202c.pdf",
    "zero-width": "bao\u200b-cao\ufeff.pdf",
    "nul": "bao-cao\x00.pdf",
    "long": "b" * 10_000 + ".pdf",
    "formula": "=HYPERLINK(1).pdf",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def proposed_nomination(world: Any) -> Any:
    from thidua.award_history.models import AwardType
    from thidua.awards import actions as award_actions
    from thidua.cycle.actions import do_move_phase
    from thidua.cycle.models import EmulationYear, Phase

    world.sign_all(world.to_pledge_phase())
    do_move_phase(world.year, target=Phase.IN_PROGRESS, acting_user=world.son_la_officer)
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    world.year.refresh_from_db()
    person = history_actions.do_register_person(
        full_name="Nguyễn Văn An",
        birth_year=1980,
        gender="male",
        unit=world.orgs["lai_chau"],
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    return award_actions.do_draft_nomination(
        world.year,
        unit=world.orgs["lai_chau"],
        award_type=AwardType.objects.get(code="ldtt"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        acting_user=world.lai_chau_officer,
    )


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_a_hostile_evidence_file_name_is_refused_or_stored_clean(
    as_user: Any, world: Any, catalogue: None, kind: str
) -> None:
    from thidua.awards.models import EvidenceFile

    nomination = proposed_nomination(world)
    client = as_user(world.lai_chau_officer)
    url = f"/awards/c/{world.cluster.slug}/2016/nominations/{nomination.pk}/evidence/"
    upload = SimpleUploadedFile(HOSTILE_NAMES[kind], PDF, "application/pdf")
    response = client.post(url, {"upload": upload})
    assert response.status_code in (302, 400), response.status_code
    names = list(EvidenceFile.objects.values_list("name", flat=True))
    if response.status_code == 400:
        assert not names
        return
    assert len(names) == 1
    name = names[0]
    assert not INVISIBLE.search(name) and len(name) <= 255
    page = client.get(f"/awards/c/{world.cluster.slug}/2016/nominations/{nomination.pk}/")
    assert "\u202e" not in page.content.decode()


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_a_hostile_scoring_evidence_name_is_refused_or_stored_clean(
    as_user: Any, world: Any, kind: str
) -> None:
    from thidua.cycle.models import Phase
    from thidua.scoring.models import Evidence
    from thidua.scoring.tests.conftest import make_table, move, to_in_progress

    to_in_progress(world)
    criterion = make_table(world).criteria.get(number="I.1")
    move(world, Phase.SELF_ASSESSMENT)
    client = as_user(world.lai_chau_officer)
    unit = f"/c/{world.cluster.slug}/2016/scoring/units/{world.orgs['lai_chau'].pk}/"
    upload = SimpleUploadedFile(HOSTILE_NAMES[kind], PDF, "application/pdf")
    response = client.post(unit + "evidence/", {"criterion": criterion.pk, "file": upload})
    assert response.status_code in (302, 400), response.status_code
    names = list(Evidence.objects.values_list("original_name", flat=True))
    if response.status_code == 400:
        assert not names
        return
    assert len(names) == 1
    assert not INVISIBLE.search(names[0]) and len(names[0]) <= 255
    assert "\u202e" not in client.get(unit).content.decode()


# --- the other sheets of the award history: ratings, initiatives, a collective's members ------

SHEET_KINDS = ["ratings", "initiatives", "members"]


@pytest.mark.parametrize("cell", ["formula", "nan", "infinity", "nul"])
@pytest.mark.parametrize("kind", SHEET_KINDS)
def test_a_hostile_cell_in_every_history_sheet_is_refused_by_row_and_column(
    world: Any, catalogue: None, kind: str, cell: str
) -> None:
    from thidua.award_history import sheets
    from thidua.award_history.models import Initiative, TaskRating

    columns, example = sheets.EXAMPLES[kind]
    content = with_cell(sheets.template(columns, example, kind), "A2", HOSTILE_CELLS[cell]("A2"))
    run: dict[str, Any] = {"file_name": "a.xlsx", "acting_user": world.supervisor}
    by_kind: dict[str, Any] = {
        "ratings": history_actions.do_import_ratings,
        "initiatives": history_actions.do_import_initiatives,
        "members": history_actions.do_import_members,
    }
    action: Callable[..., Any] = by_kind[kind]
    if kind == "members":
        run["unit"] = world.orgs["lai_chau"]
    people = Person.objects.count()
    with translation.override("vi"), pytest.raises(ImportRefused) as refused:
        action(content, **run)
    assert_vietnamese(refused.value.messages)
    assert refused.value.messages[0].startswith("Dòng 2, cột A:"), refused.value.messages
    assert not (TaskRating.objects.exists() or Initiative.objects.exists())
    assert Person.objects.count() == people


# --- the dossier's package: a zip whose member names are what the receiver will see ----------


@pytest.mark.parametrize(
    "member",
    [
        "ho-so/bao-cao\u202efdp.exe\u202c.pdf",
        "ho-so/bao\u200bcao.pdf",
        "ho-so/=HYPERLINK(1).pdf",
        "../../etc/passwd",
    ],
    ids=["right-to-left", "zero-width", "formula", "climbs-out"],
)
def test_a_hostile_dossier_package_is_refused_with_a_vietnamese_reason(member: str) -> None:
    from thidua.dossier import package, problems, rules

    content = package.write_zip({rules.MANIFEST: b"{}", member: PDF})
    with pytest.raises(package.PackageRefused) as refused:
        package.read_zip(content)
    with translation.override("vi"):
        assert_vietnamese([str(problems.describe(f)) for f in refused.value.findings])


def test_a_nul_in_a_dossier_member_name_never_reaches_the_name_kept() -> None:
    from thidua.dossier import package, rules

    content = package.write_zip({rules.MANIFEST: b"{}", "ho-so/bao\x00cao.pdf": PDF})
    assert sorted(package.read_zip(content)) == ["ho-so/bao", rules.MANIFEST]  # cut at the NUL


def test_a_dossier_member_name_of_10000_characters_is_refused() -> None:
    from thidua.dossier import rules

    assert rules.path_finding("ho-so/" + "b" * 10_000 + ".pdf") is not None


def test_a_dossier_package_that_unzips_beyond_the_budget_is_refused() -> None:
    from thidua.dossier import package

    with pytest.raises(package.PackageRefused) as refused:
        package.read_zip(hostile.unzips_to("ho-so/a.pdf", 101 * 1024 * 1024))
    assert [f.code for f in refused.value.findings] == ["too_big"]


# --- signing: a PDF to verify, a certificate to add ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ky-so\u202efdp.exe\u202c.pdf", PDF),
        ("ky-so.pdf", b"%PDF-1.7\n" + b"\x00" * 5000),
        ("ky-so.pdf", (hostile.CORPUS / "truncated.docx").read_bytes()),
        ("=1+1.pdf", b"NaN"),
    ],
    ids=["right-to-left-name", "nul-body", "not-a-pdf", "formula-name"],
)
def test_a_hostile_pdf_to_verify_is_answered_in_vietnamese_and_never_fails(
    as_user: Any, world: Any, name: str, content: bytes
) -> None:
    client = as_user(world.lai_chau_officer)
    with translation.override("vi"):
        response = client.post(
            "/signing/verify/", {"file": SimpleUploadedFile(name, content, "application/pdf")}
        )
    assert response.status_code in (200, 400, 422), response.status_code
    page = response.content.decode()
    assert "\u202e" not in page
    if response.status_code != 200:
        assert_vietnamese(response.context["form"].errors.get("file", []))


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 64, b"NaN", (hostile.CORPUS / "zip-not-workbook.xlsx").read_bytes()],
    ids=["empty", "nul", "nan", "a-zip"],
)
def test_a_hostile_certificate_is_refused_in_vietnamese_and_nothing_added(
    as_user: Any, world: Any, content: bytes
) -> None:
    from thidua.signing.models import SigningIdentity

    client = as_user(world.admin)
    with translation.override("vi"):
        response = client.post(
            "/signing/identities/",
            {
                "owner_person": "",
                "owner_org": world.orgs["lai_chau"].pk,
                "backend": SigningIdentity.Backend.PKCS12,
                "pkcs12": SimpleUploadedFile("con-dau.p12", content),
                "password": "mat-khau\x00",
            },
        )
    assert response.status_code == 400, response.status_code
    errors = [e for field in response.context["form"].errors.values() for e in field]
    assert_vietnamese(errors)
    assert not SigningIdentity.objects.exists()


# --- the API's gateway reads a form to know a retry from another request ---------------------


@pytest.mark.django_db
def test_a_hostile_form_sent_with_an_idempotency_key_is_answered_not_replayed_wrongly(
    client: Any,
) -> None:
    """The gateway fingerprints a form by its fields and files: a form it cannot parse is
    answered by the operation (never 500), the same file under another boundary is the same
    request (replayed), and another file under the same key is refused (422)."""
    from thidua.api.actions import do_create_token
    from thidua.testing.personas import make_user

    user = make_user("ke-gui-form", None)
    _token, key = do_create_token(name="form", acting_user=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_IDEMPOTENCY_KEY": "form-1"}
    broken = client.post(
        "/api/v1/signing/verify",
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF',
        content_type="multipart/form-data; boundary=x",
        **{**auth, "HTTP_IDEMPOTENCY_KEY": "form-0"},
    )
    assert broken.status_code in (400, 422), broken.content
    first = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", b"not a pdf")}, **auth
    )
    again = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", b"not a pdf")}, **auth
    )
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    other = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", b"other bytes")}, **auth
    )
    assert other.status_code == 422
