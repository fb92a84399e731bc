"""The criteria table, its bands and the self-scores' evidence written through the API, as the
scoring pages write them: the same action, permission, refusal and status."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from thidua.api.tests.conftest import (
    define_indicators,
    make_table,
    membership,
    move,
    self_score,
    submit,
    to_in_progress,
    year_url,
)
from thidua.audit.models import AuditEntry
from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Phase
from thidua.lib.tests import full_disk
from thidua.scoring import actions as scoring_actions
from thidua.scoring.demo import SAMPLE_PDF
from thidua.scoring.models import Band, CriteriaTable, Criterion, Evidence, SelfAssessment
from thidua.testing.personas import World

D = Decimal


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def page(user: Any) -> Client:
    """A browser signed in as `user`, apart from the API's client."""
    client = Client()
    client.force_login(user)
    return client


def flashed(response: Any) -> str:
    """The error a page flashed before redirecting."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error")


def scoring(world: World) -> str:
    return year_url(world) + "/scoring"


def numbers(world: World) -> list[str]:
    return list(
        Criterion.objects.filter(table__year=world.year)
        .order_by("parent_id", "order")
        .values_list("number", flat=True)
    )


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def with_table(world: World) -> World:
    """The year in setup with the table I (I.1, I.2), B and P, its bands not set yet."""
    make_table(world)
    return world


# --- the table ------------------------------------------------------------------------------


def test_the_secretariat_creates_the_table(api: Any, world: World) -> None:
    answer = post(
        api(world.son_la_officer), scoring(world) + "/table", {"title": " Bảng tiêu chí 2016 "}
    )
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["title"], answer.json()["criteria"]) == ("Bảng tiêu chí 2016", [])
    table = CriteriaTable.objects.get(year=world.year)
    assert table.title == "Bảng tiêu chí 2016"
    [entry] = audited("scoring.table.create")
    assert entry.actor == world.son_la_officer


def test_a_new_table_copies_the_clusters_last_one_with_its_bands(api: Any, world: World) -> None:
    earlier = cycle_actions.do_open_year(
        world.cluster,
        year=2015,
        members=[world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
        head=world.orgs["son_la"],
        deputy=world.orgs["cao_bang"],
        acting_user=world.supervisor,
    )
    table = scoring_actions.do_create_table(
        earlier, title="Bảng tiêu chí năm 2015", acting_user=world.son_la_officer
    )
    scoring_actions.do_add_criterion(
        table,
        parent=None,
        data=scoring_actions.CriterionInput("1", "Kết quả năm 2015", "item", D("80")),
        acting_user=world.son_la_officer,
    )
    scoring_actions.do_set_bands(
        table,
        thresholds={"xuat_sac": D("75"), "tot": D("60"), "hoan_thanh": D("40")},
        acting_user=world.son_la_officer,
    )
    client = api(world.son_la_officer)
    answer = post(client, scoring(world) + "/table", {"title": "Bảng tiêu chí năm 2016"})
    assert answer.status_code == 201
    data = answer.json()
    assert [(c["number"], c["title"]) for c in data["criteria"]] == [("1", "Kết quả năm 2016")]
    assert [b["min_total"] for b in data["bands"]] == ["75", "60", "40"]
    assert data["bands_are_default"] is False


def test_the_table_is_not_copied_when_the_box_is_left_unticked(api: Any, world: World) -> None:
    earlier = cycle_actions.do_open_year(
        world.cluster,
        year=2015,
        members=[world.orgs["son_la"], world.orgs["cao_bang"], world.orgs["lai_chau"]],
        head=world.orgs["son_la"],
        deputy=world.orgs["cao_bang"],
        acting_user=world.supervisor,
    )
    scoring_actions.do_create_table(earlier, title="2015", acting_user=world.son_la_officer)
    answer = post(
        api(world.son_la_officer),
        scoring(world) + "/table",
        {"title": "Bảng mới", "copy_previous": False},
    )
    assert answer.status_code == 201
    assert CriteriaTable.objects.get(year=world.year).copied_from is None


def test_only_the_secretariat_creates_the_table(api: Any, world: World) -> None:
    url = scoring(world) + "/table"
    assert post(api(world.lai_chau_officer), url, {"title": "x"}).status_code == 403
    assert post(api(world.supervisor), url, {"title": "x"}).status_code == 403
    assert post(api(world.outsider), url, {"title": "x"}).status_code == 404
    assert not CriteriaTable.objects.exists()
    assert post(api(world.cao_bang_officer), url, {"title": "x"}).status_code == 201


def test_a_blank_title_is_refused_as_the_page_refuses_it(api: Any, world: World) -> None:
    on_page = page(world.son_la_officer).post(
        f"{world.url}scoring/table/create/", {"title": "   "}, follow=True
    )
    said = flashed(on_page)
    answer = post(api(world.son_la_officer), scoring(world) + "/table", {"title": "   "})
    assert answer.status_code == 400
    assert said == answer.json()["detail"] == "Hãy nhập tên bảng tiêu chí."
    assert not CriteriaTable.objects.exists()


def test_a_second_table_is_a_conflict(api: Any, with_table: World) -> None:
    answer = post(api(with_table.son_la_officer), scoring(with_table) + "/table", {"title": "x"})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Năm thi đua đã có bảng tiêu chí."
    assert CriteriaTable.objects.count() == 1


# --- criteria -------------------------------------------------------------------------------


def test_the_secretariat_adds_a_section_and_an_item_under_it(api: Any, world: World) -> None:
    client = api(world.son_la_officer)
    post(client, scoring(world) + "/table", {"title": "Bảng"})
    section = post(
        client,
        scoring(world) + "/table/criteria",
        {"number": "II", "title": "Công tác chuyên môn", "kind": "section"},
    )
    assert section.status_code == 201, section.json()
    item = post(
        client,
        scoring(world) + "/table/criteria",
        {
            "parent": "II",
            "number": "II.1",
            "title": "Kết quả chuyên môn",
            "kind": "item",
            "max_points": "12,5",
        },
    )
    assert item.status_code == 201, item.json()
    rows = [(c["number"], c["parent"], c["max_points"]) for c in item.json()["criteria"]]
    assert rows == [("II", None, None), ("II.1", "II", "12.5")]
    stored = Criterion.objects.select_related("parent").get(number="II.1")
    assert stored.parent is not None and stored.parent.number == "II"
    assert stored.max_points == D("12.5")
    assert len(audited("scoring.criterion.add")) == 2


def test_a_criterion_under_a_missing_or_scored_parent_is_refused(
    api: Any, with_table: World
) -> None:
    client = api(with_table.son_la_officer)
    url = scoring(with_table) + "/table/criteria"
    body = {"number": "I.3", "title": "Mới", "kind": "item", "max_points": 5}
    missing = post(client, url, body | {"parent": "IX"})
    assert (missing.status_code, missing.json()["detail"]) == (
        400,
        "Mục cha không thuộc bảng tiêu chí này.",
    )
    scored = post(client, url, body | {"parent": "I.1"})
    assert scored.status_code == 400
    assert scored.json()["detail"] == (
        "I.1 là tiêu chí được chấm điểm trực tiếp nên không thể chứa tiêu chí khác."
    )
    twice = post(client, url, body | {"number": "I.1", "parent": "I"})
    assert twice.status_code == 409
    assert not Criterion.objects.filter(number="I.3").exists()


def test_a_criterion_of_no_known_kind_is_refused_as_on_the_page(
    api: Any, with_table: World
) -> None:
    body = {"number": "C", "title": "Khác", "kind": "other", "max_points": "5"}
    on_page = page(with_table.son_la_officer).post(
        f"{with_table.url}scoring/table/add/", body, follow=True
    )
    answer = post(api(with_table.son_la_officer), scoring(with_table) + "/table/criteria", body)
    assert answer.status_code == 400
    assert flashed(on_page) == answer.json()["detail"]
    assert "other" in answer.json()["detail"]
    assert answer.json()["details"] == [f"kind: {answer.json()['detail']}"]
    assert not Criterion.objects.filter(number="C").exists()


def test_only_the_secretariat_adds_criteria(api: Any, with_table: World) -> None:
    url = scoring(with_table) + "/table/criteria"
    body = {"number": "C", "title": "Khác", "kind": "bonus", "max_points": "1"}
    assert post(api(with_table.lai_chau_leader), url, body).status_code == 403
    assert post(api(with_table.outsider), url, body).status_code == 404
    assert not Criterion.objects.filter(number="C").exists()


def test_there_is_no_table_to_add_to_before_it_is_created(api: Any, world: World) -> None:
    body = {"number": "C", "title": "Khác", "kind": "bonus", "max_points": "1"}
    answer = post(api(world.son_la_officer), scoring(world) + "/table/criteria", body)
    assert answer.status_code == 404


def test_the_secretariat_corrects_a_criterion(api: Any, with_table: World) -> None:
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/criteria/update",
        {
            "criterion": "I.2",
            "number": "I.2a",
            "title": "Cải cách hành chính",
            "kind": "item",
            "max_points": 8,
        },
    )
    assert answer.status_code == 200, answer.json()
    changed = Criterion.objects.select_related("parent").get(number="I.2a")
    assert (changed.title, changed.max_points) == ("Cải cách hành chính", D("8"))
    assert changed.parent is not None and changed.parent.number == "I"
    assert not Criterion.objects.filter(number="I.2").exists()
    [entry] = audited("scoring.criterion.change")
    assert entry.before is not None and entry.before["number"] == "I.2"
    assert answer.json()["max_total"] == "20"


def test_bad_points_are_refused_with_the_pages_words_and_status(
    api: Any, with_table: World
) -> None:
    item = Criterion.objects.get(table__year=with_table.year, number="I.1")
    body = {"number": "I.1", "title": "Tiêu chí I.1", "kind": "item", "max_points": "mười"}
    on_page = page(with_table.son_la_officer).post(
        f"{with_table.url}scoring/table/{item.pk}/", body
    )
    assert on_page.status_code == 400
    words = " ".join(on_page.context["form"].errors["max_points"])
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/criteria/update",
        {"criterion": "I.1"} | body,
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == f"Yêu cầu không hợp lệ: max_points: {words}"
    assert Criterion.objects.get(pk=item.pk).max_points == D("10")


def test_a_section_holding_criteria_stays_a_section(api: Any, with_table: World) -> None:
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/criteria/update",
        {"criterion": "I", "number": "I", "title": "I", "kind": "item", "max_points": 20},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "I đang chứa các tiêu chí khác nên phải giữ là một mục."
    assert Criterion.objects.get(table__year=with_table.year, number="I").kind == "section"


def test_an_unknown_criterion_is_not_found(api: Any, with_table: World) -> None:
    client = api(with_table.son_la_officer)
    base = scoring(with_table) + "/table/criteria"
    changed = {"number": "X", "title": "X", "kind": "bonus", "max_points": 1}
    assert post(client, base + "/update", {"criterion": "X"} | changed).status_code == 404
    assert post(client, base + "/remove", {"criterion": "X"}).status_code == 404
    moved = post(client, base + "/move", {"criterion": "X", "direction": "up"})
    assert moved.status_code == 404


def test_the_secretariat_removes_a_criterion(api: Any, with_table: World) -> None:
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/criteria/remove",
        {"criterion": "P"},
    )
    assert answer.status_code == 200
    assert [c["number"] for c in answer.json()["criteria"]] == ["I", "I.1", "I.2", "B"]
    assert not Criterion.objects.filter(number="P").exists()
    [entry] = audited("scoring.criterion.remove")
    assert entry.actor == with_table.son_la_officer


def test_a_section_is_removed_only_once_empty_on_the_page_and_in_the_api(
    api: Any, with_table: World
) -> None:
    section = Criterion.objects.get(table__year=with_table.year, number="I")
    on_page = page(with_table.son_la_officer).post(
        f"{with_table.url}scoring/table/{section.pk}/remove/", follow=True
    )
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/criteria/remove",
        {"criterion": "I"},
    )
    assert answer.status_code == 409
    assert flashed(on_page) == answer.json()["detail"] == "Hãy xóa các tiêu chí thuộc I trước."
    assert Criterion.objects.filter(pk=section.pk).exists()


def test_the_secretariat_moves_a_criterion_up(api: Any, with_table: World) -> None:
    client = api(with_table.son_la_officer)
    url = scoring(with_table) + "/table/criteria/move"
    answer = post(client, url, {"criterion": "P", "direction": "up"})
    assert answer.status_code == 200
    assert [c["number"] for c in answer.json()["criteria"]] == ["I", "I.1", "I.2", "P", "B"]
    [entry] = audited("scoring.criterion.move")
    assert entry.after == {"order": ["I", "P", "B"]}
    # At the top already: nothing changes, and nothing is recorded.
    first = post(client, url, {"criterion": "I.1", "direction": "up"})
    assert [c["number"] for c in first.json()["criteria"]][:3] == ["I", "I.1", "I.2"]
    assert len(audited("scoring.criterion.move")) == 1
    down = post(client, url, {"criterion": "I.1", "direction": "sideways"})
    assert down.status_code == 422


def test_only_the_secretariat_changes_removes_and_moves(api: Any, with_table: World) -> None:
    base = scoring(with_table) + "/table/criteria"
    writes = [
        ("/update", {"criterion": "B", "number": "B", "title": "B", "kind": "bonus"}),
        ("/remove", {"criterion": "B"}),
        ("/move", {"criterion": "B", "direction": "up"}),
    ]
    for path, body in writes:
        assert post(api(with_table.lai_chau_officer), base + path, body).status_code == 403
        assert post(api(with_table.outsider), base + path, body).status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="scoring.criterion.c").exists()
    assert not audited("scoring.criterion.remove") and not audited("scoring.criterion.move")


# --- bands ----------------------------------------------------------------------------------


def test_the_secretariat_sets_the_bands(api: Any, with_table: World) -> None:
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/bands",
        {"xuat_sac": "20", "tot": "17,5", "hoan_thanh": 12},
    )
    assert answer.status_code == 200, answer.json()
    assert [b["min_total"] for b in answer.json()["bands"]] == ["20", "17.5", "12"]
    assert answer.json()["bands_are_default"] is False
    assert sorted(Band.objects.values_list("min_total", flat=True)) == [D(12), D("17.5"), D(20)]
    [entry] = audited("scoring.bands.set")
    assert entry.after == {"bands": {"xuat_sac": "20", "tot": "17.5", "hoan_thanh": "12"}}


def test_bands_out_of_order_are_refused(api: Any, with_table: World) -> None:
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/bands",
        {"xuat_sac": "10", "tot": "17", "hoan_thanh": 12},
    )
    assert answer.status_code == 400
    assert not Band.objects.exists()


def test_a_missing_threshold_is_refused_as_the_page_refuses_it(api: Any, with_table: World) -> None:
    on_page = page(with_table.son_la_officer).post(
        f"{with_table.url}scoring/table/bands/", {"xuat_sac": "20", "tot": "x"}, follow=True
    )
    answer = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/bands",
        {"xuat_sac": "20", "tot": "x", "hoan_thanh": None},
    )
    assert answer.status_code == 400
    assert flashed(on_page) == answer.json()["detail"] == "Hãy nhập ngưỡng điểm cho từng loại."
    assert [d.split(":")[0] for d in answer.json()["details"]] == ["tot", "hoan_thanh"]
    assert not Band.objects.exists()


def test_only_the_secretariat_sets_the_bands(api: Any, with_table: World) -> None:
    body = {"xuat_sac": "20", "tot": "17", "hoan_thanh": 12}
    url = scoring(with_table) + "/table/bands"
    assert post(api(with_table.lai_chau_leader), url, body).status_code == 403
    assert post(api(with_table.outsider), url, body).status_code == 404
    assert not Band.objects.exists()


def test_the_locked_table_is_refused_alike_on_the_page_and_in_the_api(
    api: Any, with_table: World
) -> None:
    to_in_progress(with_table)
    define_indicators(with_table)
    move(with_table, Phase.SELF_ASSESSMENT)
    body = {"number": "C", "title": "Khác", "kind": "bonus", "max_points": "1"}
    on_page = page(with_table.son_la_officer).post(
        f"{with_table.url}scoring/table/add/", body, follow=True
    )
    answer = post(api(with_table.son_la_officer), scoring(with_table) + "/table/criteria", body)
    assert answer.status_code == 409
    assert flashed(on_page) == answer.json()["detail"]
    bands = post(
        api(with_table.son_la_officer),
        scoring(with_table) + "/table/bands",
        {"xuat_sac": "20", "tot": "17", "hoan_thanh": 12},
    )
    assert bands.status_code == 409
    assert not Criterion.objects.filter(number="C").exists()


# --- evidence -------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def self_assessing(with_table: World) -> World:
    to_in_progress(with_table)
    define_indicators(with_table)
    move(with_table, Phase.SELF_ASSESSMENT)
    return with_table


def upload(
    client: Client,
    world: World,
    content: bytes = SAMPLE_PDF,
    *,
    name: str = "bao-cao.pdf",
    criterion: str = "I.1",
    unit: str = "lai_chau",
    headers: dict[str, str] | None = None,
) -> Any:
    url = scoring(world) + f"/units/{world.orgs[unit].pk}/evidence"
    sent = SimpleUploadedFile(name, content, "application/pdf")
    return client.post(url, {"criterion": criterion, "file": sent}, headers=headers)


def test_the_units_officer_attaches_evidence(api: Any, self_assessing: World, media: Path) -> None:
    client = api(self_assessing.lai_chau_officer)
    answer = upload(client, self_assessing)
    assert answer.status_code == 201, answer.json()
    assert answer.json() | {"id": 0, "uploaded_at": ""} == {
        "id": 0,
        "criterion": "I.1",
        "name": "bao-cao.pdf",
        "content_type": "application/pdf",
        "size": len(SAMPLE_PDF),
        "uploaded_at": "",
    }
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as kept:
        assert kept.read() == SAMPLE_PDF
    assert stored(media) == [evidence.file.name]
    [entry] = audited("scoring.evidence.add")
    assert entry.actor == self_assessing.lai_chau_officer
    unit = scoring(self_assessing) + f"/units/{self_assessing.orgs['lai_chau'].pk}"
    scores = client.get(unit).json()["scores"]
    assert [(s["number"], [e["name"] for e in s["evidence"]]) for s in scores] == [
        ("I.1", ["bao-cao.pdf"])
    ]


def test_only_the_units_own_officers_attach_evidence(
    api: Any, self_assessing: World, media: Path
) -> None:
    assert upload(api(self_assessing.son_la_officer), self_assessing).status_code == 403
    assert upload(api(self_assessing.supervisor), self_assessing).status_code == 403
    assert upload(api(self_assessing.outsider), self_assessing).status_code == 404
    assert not Evidence.objects.exists() and stored(media) == []


def test_evidence_of_the_wrong_type_is_refused_as_on_the_page(
    api: Any, self_assessing: World, media: Path
) -> None:
    item = Criterion.objects.get(table__year=self_assessing.year, number="I.1")
    officer = self_assessing.lai_chau_officer
    unit = self_assessing.orgs["lai_chau"].pk
    on_page = page(officer).post(
        f"{self_assessing.url}scoring/units/{unit}/evidence/",
        {"criterion": item.pk, "file": SimpleUploadedFile("ghi-chu.txt", b"ghi chu")},
        follow=True,
    )
    answer = upload(api(officer), self_assessing, b"ghi chu", name="ghi-chu.txt")
    assert answer.status_code == 400
    assert flashed(on_page) == answer.json()["detail"]
    assert "PDF" in answer.json()["detail"]
    disguised = upload(api(officer), self_assessing, b"MZ\x90\x00", name="bao-cao.pdf")
    assert disguised.status_code == 400
    assert disguised.json()["detail"] == (
        "Nội dung tệp bao-cao.pdf không đúng với định dạng ghi trong tên tệp."
    )
    assert not Evidence.objects.exists() and stored(media) == []


def test_evidence_over_its_limit_is_refused_naming_the_limit(
    api: Any, self_assessing: World, media: Path, settings: Any
) -> None:
    settings.THIDUA_UPLOAD_LIMITS = {
        **settings.THIDUA_UPLOAD_LIMITS,
        "scoring_evidence": len(SAMPLE_PDF) - 1,
    }
    answer = upload(api(self_assessing.lai_chau_officer), self_assessing)
    assert answer.status_code == 400
    assert "vượt quá dung lượng cho phép tải lên" in answer.json()["detail"]
    assert not Evidence.objects.exists() and stored(media) == []


def test_a_full_disk_stores_no_evidence(
    api: Any, self_assessing: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_disk.while_storing(monkeypatch)
    answer = upload(api(self_assessing.lai_chau_officer), self_assessing)
    assert answer.status_code == 507
    assert "hết chỗ lưu trữ" in answer.json()["detail"]
    assert not Evidence.objects.exists() and stored(media) == []


def test_evidence_goes_with_a_scored_item_of_the_year(
    api: Any, self_assessing: World, media: Path
) -> None:
    client = api(self_assessing.lai_chau_officer)
    assert upload(client, self_assessing, criterion="IX").status_code == 404
    section = upload(client, self_assessing, criterion="I")
    assert section.status_code == 400
    assert section.json()["detail"] == (
        "Tiêu chí này không phải là tiêu chí chấm điểm trong bảng tiêu chí của năm."
    )
    assert not Evidence.objects.exists()


def test_no_evidence_is_attached_once_the_unit_has_submitted(
    api: Any, self_assessing: World, media: Path
) -> None:
    self_score(self_assessing, "lai_chau")
    submit(self_assessing, "lai_chau")
    answer = upload(api(self_assessing.lai_chau_officer), self_assessing)
    assert answer.status_code == 409
    assert SelfAssessment.objects.get(membership=membership(self_assessing, "lai_chau"))
    assert not Evidence.objects.exists() and stored(media) == []


def test_evidence_is_not_attached_before_self_assessment(
    api: Any, with_table: World, media: Path
) -> None:
    answer = upload(api(with_table.lai_chau_officer), with_table)
    assert answer.status_code == 409
    assert not Evidence.objects.exists()


def test_evidence_sent_again_with_its_key_is_attached_once(
    api: Any, self_assessing: World, media: Path
) -> None:
    client = api(self_assessing.lai_chau_officer)
    first = upload(client, self_assessing, headers={"Idempotency-Key": "minh-chung-I.1"})
    again = upload(client, self_assessing, headers={"Idempotency-Key": "minh-chung-I.1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Evidence.objects.count() == 1 and len(stored(media)) == 1


def test_a_table_write_sent_again_with_its_key_is_done_once(api: Any, with_table: World) -> None:
    client = api(with_table.son_la_officer)
    url = scoring(with_table) + "/table/criteria/move"
    key = {"HTTP_IDEMPOTENCY_KEY": "move-P-up"}
    body = json.dumps({"criterion": "P", "direction": "up"})
    first = client.post(url, body, content_type="application/json", **key)
    again = client.post(url, body, content_type="application/json", **key)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    # Moved once: a second move up would have put P before I.
    assert [c["number"] for c in again.json()["criteria"]] == ["I", "I.1", "I.2", "P", "B"]
    assert len(audited("scoring.criterion.move")) == 1


def test_a_units_scores_list_their_evidence_in_a_fixed_number_of_queries(
    api: Any, self_assessing: World, media: Path, django_assert_max_num_queries: Any
) -> None:
    client = api(self_assessing.lai_chau_officer)
    url = scoring(self_assessing) + f"/units/{self_assessing.orgs['lai_chau'].pk}"
    for number in ("I.1", "I.2", "B", "I.1"):
        assert upload(client, self_assessing, criterion=number).status_code == 201
    with django_assert_max_num_queries(10):
        scores = client.get(url).json()["scores"]
    assert [(s["number"], len(s["evidence"])) for s in scores] == [("I.1", 2), ("I.2", 1), ("B", 1)]
