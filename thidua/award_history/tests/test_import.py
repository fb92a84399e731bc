"""Importing award history from Excel: all or nothing, each problem by row and column."""

import datetime as dt
import io
import random
import unicodedata
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from pytest_django import DjangoAssertNumQueries

from thidua.audit.models import AuditEntry
from thidua.award_history import actions, import_store
from thidua.award_history.importing import COLUMNS, GENDERS, ImportRefused, name_folder
from thidua.award_history.models import AwardRecord, AwardType, HistoryImport
from thidua.lib.text import fold, normalize
from thidua.orgs.models import Organization, Person, PersonPosition
from thidua.testing.engines import only_on
from thidua.testing.personas import World


def workbook(rows: Any, header: Any = COLUMNS) -> Any:
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

# A row of the sheet as people type it: each cell a str, int, float or date, read by column.
Line = list[Any]


def row(
    name: Any = "Nguyễn Văn An",
    born: Any = 1980,
    award: Any = "Lao động tiên tiến",
    year: Any = 2015,
    **kw: Any,
) -> Any:
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


def refused(world: Any, rows: Any, **kw: Any) -> Any:
    with pytest.raises(ImportRefused) as error:
        actions.do_import_history(
            workbook(rows, **kw), file_name="lich-su.xlsx", acting_user=world.supervisor
        )
    assert not AwardRecord.objects.exists()
    assert not Person.objects.exists()
    return error.value.messages


def test_a_good_file_lands_with_its_people_and_an_audit_entry(world: World) -> None:
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


def test_a_wrong_header_is_refused_naming_the_column(world: World) -> None:
    header = list(COLUMNS)
    header[4] = "Hình thức"
    messages = refused(world, [row()], header=header)
    assert messages == [
        "Dòng 1, cột E: tiêu đề phải là “Danh hiệu, hình thức khen thưởng”, không phải “Hình thức”."
    ]


def test_bad_rows_are_refused_whole_with_every_problem_by_row_and_column(world: World) -> None:
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
        f"Dòng 3, cột {AWARD}: không có danh hiệu, hình thức khen thưởng “Huân chương Sao Vàng”."
        " Có phải “Huân chương Lao động hạng Ba”?",
        "Dòng 4, cột H (Ngày quyết định): ngày quyết định ở trong tương lai.",
        f"Dòng 5, cột {AWARD}: trùng khen thưởng cùng năm với dòng 2.",
    ]


def test_a_record_already_in_the_history_is_a_duplicate(world: World) -> None:
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
    # Nothing of the refused file is kept: no empty batch, no audit entry of its own.
    assert HistoryImport.objects.count() == 1
    assert AuditEntry.objects.filter(action="award_history.import").count() == 1
    if connection.vendor == "sqlite":  # the clash came while writing: the cache is back
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] != -import_store.WRITE_CACHE_KIB


def test_a_name_and_year_of_birth_shared_on_record_is_refused_until_merged(world: World) -> None:
    for _twice in range(2):
        Person.objects.create(
            full_name="Nguyễn Văn An", name_key=fold("Nguyễn Văn An"), birth_year=1980
        )
    Person.objects.create(
        full_name="Nguyễn Văn An", name_key=fold("Nguyễn Văn An"), birth_year=1981
    )
    rows = [row(born=1981), row(year=2014), row(name="Lò Văn Bình", born=1979)]
    with pytest.raises(ImportRefused) as error:
        actions.do_import_history(workbook(rows), file_name="a.xlsx", acting_user=world.supervisor)
    assert error.value.messages == [
        "Dòng 3, cột A (Họ và tên): có nhiều hơn một người tên Nguyễn Văn An với năm sinh này;"
        " vui lòng hợp nhất trước."
    ]
    assert not AwardRecord.objects.exists()
    assert Person.objects.count() == 3


def test_a_file_that_is_not_a_workbook_is_refused(world: World) -> None:
    with pytest.raises(ImportRefused):
        actions.do_import_history(b"not excel", file_name="x.xlsx", acting_user=world.supervisor)


def test_only_the_supervisor_imports(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_import_history(
            workbook([row()]), file_name="a.xlsx", acting_user=world.lai_chau_officer
        )


def test_ten_thousand_rows_land(world: World) -> None:
    rows = [
        row(name=f"Cán bộ số {i // 5}", born=1960 + i // 5 % 40, year=2011 + i % 5)
        for i in range(10_000)
    ]
    batch = actions.do_import_history(
        workbook(rows), file_name="big.xlsx", acting_user=world.supervisor
    )
    assert batch.rows == AwardRecord.objects.count() == 10_000
    assert Person.objects.count() == 2_000


def test_the_import_page_shows_the_problems_and_stores_nothing(
    client: Client, world: World
) -> None:
    client.force_login(world.supervisor)
    upload = io.BytesIO(workbook([row(award="Không có")]))
    upload.name = "sai.xlsx"
    response = client.post("/awards/history/import/", {"upload": upload})
    assert response.status_code == 400
    assert "Dòng 2, cột E" in response.content.decode()
    assert not AwardRecord.objects.exists()


def test_every_problem_of_a_row_is_named_in_the_order_of_its_columns(world: World) -> None:
    messages = refused(
        world,
        [
            ["x" * 151, "năm", "Khác", "Sở Không Có", "Bằng khen?", 1800, "", "32/13/2016", ""],
            ["", "", "", "", "Lao động tiên tiến", 2015, "1" * 51, dt.date(2014, 1, 1), "z" * 256],
            row(born=1850),
        ],
    )
    assert messages == [
        "Dòng 2, cột B (Năm sinh): cần nhập năm sinh của cá nhân.",
        "Dòng 2, cột C (Giới tính): ghi Nam hoặc Nữ, hoặc để trống.",
        "Dòng 2, cột D (Đơn vị): không tìm thấy đơn vị “Sở Không Có”.",
        f"Dòng 2, cột {AWARD}: không có danh hiệu, hình thức khen thưởng “Bằng khen?”."
        " Có phải “Bằng khen của Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh”?",
        "Dòng 2, cột F (Năm): năm phải từ 1945 đến năm hiện tại.",
        "Dòng 2, cột G (Số quyết định): cần nhập số quyết định.",
        "Dòng 2, cột H (Ngày quyết định): cần nhập ngày quyết định theo dạng dd/mm/yyyy.",
        "Dòng 2, cột I (Cơ quan ban hành): cần nhập cơ quan ban hành.",
        "Dòng 2, cột A (Họ và tên): dài quá 150 ký tự.",
        "Dòng 3, cột D (Đơn vị): cần nhập đơn vị.",
        "Dòng 3, cột H (Ngày quyết định): ngày quyết định sớm hơn năm được khen thưởng.",
        "Dòng 3, cột G (Số quyết định): dài quá 50 ký tự.",
        "Dòng 3, cột I (Cơ quan ban hành): dài quá 255 ký tự.",
        "Dòng 4, cột B (Năm sinh): năm sinh không hợp lệ.",
    ]


def test_cells_equal_in_python_but_not_in_a_sheet_are_checked_apart(world: World) -> None:
    # 2015 and True are equal in Python; a year written TRUE is no year.
    messages = refused(world, [row(year=2015), row(name="Lê Văn Bình", year=True, date="")])
    assert messages == [
        "Dòng 3, cột F (Năm): năm phải từ 1945 đến năm hiện tại.",
        "Dòng 3, cột H (Ngày quyết định): cần nhập ngày quyết định theo dạng dd/mm/yyyy.",
    ]


def generated_history(rng: random.Random, units: list[str], count: int) -> list[Line]:
    """`count` rows a cluster accepts whole, written the many ways people type them."""
    family, middle, given = ["Nguyễn", "Trần", "Lê"], ["Văn", "Thị", "Đức"], ["Hòa", "Thủy", "An"]
    lines: list[Line] = []
    seen: set[tuple[object, int]] = set()
    while len(lines) < count:
        unit, year = rng.choice(units), rng.randint(2006, 2015)
        decided = dt.date(year + 1, rng.randint(1, 12), rng.randint(1, 28))
        collective = rng.random() < 0.1
        name = (
            "" if collective else f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
        )
        born = "" if collective else rng.randint(1960, 1965)
        holder = unit if collective else (name, born)
        if (holder, year) in seen:
            continue
        seen.add((holder, year))
        typed = name
        if rng.random() < 0.3:  # old-style tones, decomposed letters, stray spaces
            typed = "  " + unicodedata.normalize("NFD", name.replace("Hòa", "Hoà")) + " "
        lines.append(
            [
                typed,
                float(born) if born and rng.random() < 0.5 else born,
                "" if collective else rng.choice(["Nam", "nữ", "NỮ", ""]),
                unit.upper() if rng.random() < 0.2 else unit,
                "Tập thể lao động tiên tiến" if collective else "Lao động tiên tiến",
                str(year) if rng.random() < 0.2 else year,
                f"{rng.randint(1, 999)}/QĐ-UBND",
                decided.strftime("%d/%m/%Y") if rng.random() < 0.5 else decided,
                f"Chủ tịch UBND {rng.choice(units)[-8:]}",
            ]
        )
    return lines


def as_date(cell: Any) -> Any:
    if isinstance(cell, dt.date):
        return cell
    day, month, year = map(int, cell.split("/"))
    return dt.date(year, month, day)


def test_a_generated_workbook_writes_exactly_the_rows_it_holds(world: World) -> None:
    units = [world.orgs[k].name for k in ("son_la", "cao_bang", "lai_chau")]
    lines = generated_history(random.Random(2016), units, 600)
    # Some people are on record already, with an award of another year.
    first = [line for line in lines if line[0].strip() and float(line[5]) == 2006]
    later = [line for line in lines if line not in first]
    for part in (first, later):
        actions.do_import_history(workbook(part), file_name="a.xlsx", acting_user=world.supervisor)

    org = {fold(o.name): o.pk for o in Organization.objects.all()}
    award = dict(AwardType.objects.values_list("name", "pk"))
    expected = Counter(
        (
            (fold(line[0]), int(line[1])) if line[0].strip() else None,
            None if line[0].strip() else org[fold(line[3])],
            award[line[4]],
            int(line[5]),
            line[6],
            as_date(line[7]),
            line[8],
            normalize(line[3]),
            "import",
        )
        for line in lines
    )
    stored = Counter(
        (
            (r.person.name_key, r.person.birth_year) if r.person else None,
            r.organization_id,
            r.award_type_id,
            r.year,
            r.decision_number,
            r.decision_date,
            r.issuer_name,
            r.unit_name,
            r.source,
        )
        for r in AwardRecord.objects.select_related("person")
    )
    assert stored == expected
    # Each person once, as the first line that names them wrote them, posted to its unit.
    people: dict[tuple[str, int], Line] = {}
    for line in first + later:
        if line[0].strip():
            people.setdefault((fold(line[0]), int(line[1])), line)
    assert sorted(
        Person.objects.values_list("full_name", "name_key", "birth_year", "gender")
    ) == sorted(
        (normalize(line[0]), key, born, GENDERS[fold(line[2])])
        for (key, born), line in people.items()
    )
    assert sorted(
        PersonPosition.objects.values_list(
            "person__name_key",
            "person__birth_year",
            "organization_id",
            "title",
            "valid_from",
            "valid_to",
        )
    ) == sorted(
        (key, born, org[fold(line[3])], "", None, None) for (key, born), line in people.items()
    )


@given(
    st.text(
        alphabet=st.sampled_from(
            "aAoOuUyYđĐ hHtTqQ\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b\t\u00a0ß"
        ),
        max_size=30,
    )
)
def test_names_fold_word_by_word_as_a_whole(name: Any) -> None:
    assert name_folder()(normalize(name)) == fold(name)


def test_an_import_takes_as_many_queries_for_a_thousand_rows_as_for_ten(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    def lines(count: Any, start: Any) -> Any:
        return [
            row(name=f"Cán bộ số {start + i // 5}", born=1970, year=2011 + i % 5)
            for i in range(count)
        ]

    with CaptureQueriesContext(connection) as small:
        actions.do_import_history(
            workbook(lines(10, 0)), file_name="a.xlsx", acting_user=world.supervisor
        )
    with django_assert_max_num_queries(len(small)):
        actions.do_import_history(
            workbook(lines(1000, 100)), file_name="b.xlsx", acting_user=world.supervisor
        )


@only_on("sqlite")
def test_an_import_writes_with_a_wide_page_cache_and_gives_the_connection_back_as_it_was(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cache_size() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    seen: list[int] = []
    write = import_store._store

    def store(*args: Any) -> int:
        seen.append(cache_size())
        return write(*args)

    monkeypatch.setattr(import_store, "_store", store)
    actions.do_import_history(workbook([row()]), file_name="a.xlsx", acting_user=world.supervisor)
    assert seen == [-import_store.WRITE_CACHE_KIB]
    assert cache_size() == before != seen[0]
