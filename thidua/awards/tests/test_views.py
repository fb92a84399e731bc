"""Each awards page with an allowed persona and a refused one."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries, Settings

from thidua.award_history import actions as history
from thidua.awards import actions
from thidua.awards.models import AwardRule, Nomination
from thidua.orgs.models import User
from thidua.testing.personas import World

from .conftest import grant


@pytest.fixture
def base(proposals: Any) -> Any:
    return f"/awards/c/{proposals.cluster.slug}/2016/"


@pytest.fixture
def draft(proposals: Any, lai_chau_person: Any, award: Any) -> Any:
    return actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("cstd_bo"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=lai_chau_person,
        acting_user=proposals.lai_chau_officer,
    )


def test_anyone_logged_in_reads_the_catalogue_but_only_the_supervisor_edits_it(
    as_user: Callable[[User], Client], world: World
) -> None:
    body = as_user(world.lai_chau_officer).get("/awards/").content.decode()
    assert "Chiến sĩ thi đua cơ sở" in body
    assert "/awards/catalogue/cstdcs/rule/" not in body
    assert as_user(world.lai_chau_officer).get("/awards/catalogue/cstdcs/rule/").status_code == 403
    assert as_user(world.supervisor).get("/awards/catalogue/cstdcs/rule/").status_code == 200


def test_supervisor_adds_a_rule_version_in_the_page(
    as_user: Callable[[User], Client], world: World
) -> None:
    response = as_user(world.supervisor).post(
        "/awards/catalogue/cstd_bo/rule/",
        {
            "effective_from": "2026-01-01",
            "status": "unverified",
            "legal_source": "Luật sửa đổi (dự thảo)",
            "requirements": '[{"kind": "consecutive_titles", "award": "cstdcs", "years": 2}]',
        },
    )
    assert response.status_code == 302
    assert AwardRule.objects.filter(award_type__code="cstd_bo").count() == 4


def test_a_bad_rule_is_refused_with_a_message_and_nothing_saved(
    as_user: Callable[[User], Client], world: World
) -> None:
    response = as_user(world.supervisor).post(
        "/awards/catalogue/cstd_bo/rule/",
        {
            "effective_from": "2026-01-01",
            "status": "verified",
            "legal_source": "x",
            "requirements": '[{"kind": "consecutive_titles", "award": "nope", "years": 2}]',
        },
    )
    assert response.status_code == 400
    assert AwardRule.objects.filter(award_type__code="cstd_bo").count() == 3


def test_member_lists_nominations_with_verdicts_and_outsider_gets_404(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    response = as_user(proposals.cao_bang_officer).get(base + "nominations/")
    assert response.status_code == 200
    assert 'data-testid="verdict"' in response.content.decode()
    assert as_user(proposals.outsider).get(base + "nominations/").status_code == 404


def test_search_by_name_ignores_accents_and_tone_placement(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    client = as_user(proposals.son_la_officer)
    assert "Nguyễn Thị Hòa" in client.get(base + "nominations/?q=hoà").content.decode()
    assert "Nguyễn Thị Hòa" in client.get(base + "nominations/?q=nguyen thi hoa").content.decode()
    assert "Nguyễn Thị Hòa" not in client.get(base + "nominations/?q=Hùng").content.decode()
    assert (
        "Nguyễn Thị Hòa" not in client.get(base + "nominations/?status=approved").content.decode()
    )


def test_the_list_query_count_does_not_grow_with_nominations(
    as_user: Callable[[User], Client],
    proposals: Any,
    award: Any,
    base: Any,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = as_user(proposals.son_la_officer)

    def add(count: Any, start: Any) -> None:
        for i in range(start, start + count):
            person = history.do_register_person(
                full_name=f"Người {i}",
                birth_year=1980,
                gender="male",
                unit=proposals.orgs["lai_chau"],
                year=proposals.year,
                acting_user=proposals.lai_chau_officer,
            )
            actions.do_draft_nomination(
                proposals.year,
                unit=proposals.orgs["lai_chau"],
                award_type=award("ldtt"),
                summary="x",
                person=person,
                acting_user=proposals.lai_chau_officer,
            )

    add(2, 0)
    with django_assert_max_num_queries(40) as few:
        client.get(base + "nominations/")
    add(10, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(base + "nominations/")


def test_officer_drafts_through_the_form_and_a_supervisor_cannot(
    as_user: Callable[[User], Client], proposals: Any, lai_chau_person: Any, award: Any, base: Any
) -> None:
    data = {"person": lai_chau_person.pk, "award_type": award("ldtt").pk, "summary": "Tốt."}
    assert as_user(proposals.supervisor).get(base + "nominations/new/").status_code == 403
    response = as_user(proposals.lai_chau_officer).post(base + "nominations/new/", data)
    assert response.status_code == 302
    assert Nomination.objects.get().award_type.code == "ldtt"


def test_the_form_refuses_a_person_and_a_collective_together(
    as_user: Callable[[User], Client], proposals: Any, lai_chau_person: Any, award: Any, base: Any
) -> None:
    data = {
        "person": lai_chau_person.pk,
        "collective": proposals.orgs["lai_chau"].pk,
        "award_type": award("giay_khen").pk,
        "summary": "x",
    }
    response = as_user(proposals.lai_chau_officer).post(base + "nominations/new/", data)
    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_nomination_page_shows_the_reasons_in_vietnamese(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    grant(proposals, "cstdcs", 2015, person=draft.person)
    grant(proposals, "cstdcs", 2016, person=draft.person)
    body = (
        as_user(proposals.lai_chau_officer).get(base + f"nominations/{draft.pk}/").content.decode()
    )
    assert (
        "Cần 3 năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; hiện có 2 năm — 2015, 2016."
        in body
    )
    assert as_user(proposals.outsider).get(base + f"nominations/{draft.pk}/").status_code == 404


def test_leader_submits_and_officer_gets_403(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    url = base + f"nominations/{draft.pk}/submit/"
    assert as_user(proposals.lai_chau_officer).post(url).status_code == 403
    assert as_user(proposals.lai_chau_leader).post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Nomination.Status.SUBMITTED


def test_refused_action_answers_409_with_the_reason(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    response = as_user(proposals.lai_chau_leader).post(base + f"nominations/{draft.pk}/submit/")
    assert response.status_code == 409


def test_secretariat_compiles_and_a_member_gets_403(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    assert as_user(proposals.lai_chau_officer).post(base + "compile/").status_code == 403
    assert as_user(proposals.son_la_officer).post(base + "compile/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == Nomination.Status.COMPILED


def test_supervisor_records_a_decision_and_the_secretariat_gets_403(
    as_user: Callable[[User], Client], proposals: Any, draft: Any, base: Any
) -> None:
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    actions.do_compile_proposal(proposals.year, acting_user=proposals.son_la_officer)
    actions.do_approve_nomination(draft, acting_user=proposals.supervisor)
    assert as_user(proposals.son_la_officer).get(base + "decision/").status_code == 403
    response = as_user(proposals.supervisor).post(
        base + "decision/",
        {
            "authority": "minister",
            "date": "2017-04-10",
            "place": "Hà Nội",
            "issuer_name": "Bộ Kế hoạch và Đầu tư",
            "signer_title": "Bộ trưởng",
            "signer_name": "Nguyễn Chí Dũng",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Nomination.Status.DECIDED
    # The register gave the number; the page offers the decision and its certificates.
    page = as_user(proposals.supervisor).get(response["Location"]).content.decode()
    assert "1/QĐ-BKHĐT" in page and "quyet-dinh.docx" in page and "chung-nhan.pdf" in page


def test_proposal_list_is_an_excel_file_with_counts_and_safe_cells(
    as_user: Callable[[User], Client], proposals: Any, award: Any, base: Any, office: Any
) -> None:
    person = history.do_register_person(
        full_name='=HYPERLINK("x")',
        birth_year=1985,
        gender="male",
        unit=proposals.orgs["lai_chau"],
        year=proposals.year,
        acting_user=proposals.lai_chau_officer,
    )
    for kwargs in (
        {"person": person, "award_type": award("ldtt")},
        {"collective": office, "award_type": award("tt_ldtt")},
    ):
        n = actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["lai_chau"],
            summary="x",
            acting_user=proposals.lai_chau_officer,
            **kwargs,
        )
        actions.do_submit_nomination(n, acting_user=proposals.lai_chau_leader)
    response = as_user(proposals.cao_bang_officer).get(base + "proposal-list.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    individuals, collectives, summary = book["Cá nhân"], book["Tập thể"], book["Tổng hợp"]
    # Shown as typed, kept as text: never a formula (see thidua/lib/xlsx.py).
    assert individuals["B2"].value == '=HYPERLINK("x")'
    assert individuals["B2"].data_type == "s" and individuals["B2"].quotePrefix
    assert collectives["B2"].value == "Văn phòng Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["Sở Kế hoạch và Đầu tư tỉnh Lai Châu"] == (1, 1)
    assert rows["Tổng cộng"] == (1, 1)
    assert as_user(proposals.outsider).get(base + "proposal-list.xlsx").status_code == 404


def test_history_import_page_is_for_the_supervisor(
    as_user: Callable[[User], Client], world: World
) -> None:
    assert as_user(world.lai_chau_officer).get("/awards/history/import/").status_code == 403
    assert as_user(world.supervisor).get("/awards/history/import/").status_code == 200


def test_duplicates_page_lists_pairs_for_the_supervisor(
    as_user: Callable[[User], Client], proposals: Any, lai_chau_person: Any
) -> None:
    history.do_register_person(
        full_name="Nguyễn Thị Hoà",
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["son_la"],
        year=proposals.year,
        acting_user=proposals.son_la_officer,
    )
    assert as_user(proposals.lai_chau_officer).get("/awards/people/duplicates/").status_code == 403
    body = as_user(proposals.supervisor).get("/awards/people/duplicates/").content.decode()
    assert body.count("Nguyễn Thị H") == 2


def test_officer_attaches_evidence_and_corrects_the_draft_but_another_unit_cannot(
    as_user: Callable[[User], Client],
    proposals: Any,
    draft: Any,
    base: Any,
    settings: Settings,
    tmp_path: Path,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    url = base + f"nominations/{draft.pk}/"
    upload = SimpleUploadedFile("bao-cao-thanh-tich.pdf", b"%PDF-1.4", "application/pdf")
    assert (
        as_user(proposals.cao_bang_officer).post(url + "update/", {"summary": "x"}).status_code
        == 403
    )
    response = as_user(proposals.lai_chau_officer).post(url + "evidence/", {"upload": upload})
    assert response.status_code == 302
    assert draft.files.get().name == "bao-cao-thanh-tich.pdf"
    page = as_user(proposals.lai_chau_officer).get(url)
    version = page.context["edit_form"]["version"].value()
    response = as_user(proposals.lai_chau_officer).post(
        url + "update/",
        {"summary": "Bổ sung thành tích.", "clean_record": "yes", "version": version},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.clean_record) == ("Bổ sung thành tích.", True)
