"""Each scoring page with an allowed persona and a refused one; lists keep their query count."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from thidua.cycle.models import Phase
from thidua.orgs.models import User
from thidua.scoring import actions
from thidua.scoring.demo import SAMPLE_PDF
from thidua.scoring.models import CriteriaTable, Criterion, Dispute, Review, ReviewAssignment, Score
from thidua.testing.personas import World

from .conftest import assignment_of, leaves, make_table, membership, move, self_score

D = Decimal


def scoring_url(world: Any, path: Any = "") -> Any:
    return f"{world.url}scoring/{path}"


def unit_url(world: Any, key: Any, path: Any = "") -> Any:
    return scoring_url(world, f"units/{world.orgs[key].pk}/{path}")


# --- the table ---------------------------------------------------------------------------


def test_secretariat_creates_and_fills_the_table_from_its_page(
    as_user: Callable[[User], Client], in_progress: World
) -> None:
    client = as_user(in_progress.son_la_officer)
    assert client.get(scoring_url(in_progress, "table/")).status_code == 200
    response = client.post(scoring_url(in_progress, "table/create/"), {"title": "Bảng 2016"})
    assert response.status_code == 302
    client.post(
        scoring_url(in_progress, "table/add/"),
        {"number": "I", "title": "Chuyên môn", "kind": "section", "max_points": ""},
    )
    section = Criterion.objects.get(number="I")
    client.post(
        scoring_url(in_progress, "table/add/"),
        {
            "parent": section.pk,
            "number": "I.1",
            "title": "Kế hoạch",
            "kind": "item",
            "max_points": "12,5",
        },
    )
    assert Criterion.objects.get(number="I.1").max_points == D("12.5")
    body = client.get(scoring_url(in_progress, "table/")).content.decode()
    assert "Kế hoạch" in body and 'data-testid="add-criterion"' in body


def test_member_reads_the_table_but_gets_403_editing_it(
    as_user: Callable[[User], Client], in_progress: World
) -> None:
    make_table(in_progress)
    client = as_user(in_progress.lai_chau_officer)
    body = client.get(scoring_url(in_progress, "table/")).content.decode()
    assert "Tiêu chí I.1" in body and 'data-testid="add-criterion"' not in body
    response = client.post(
        scoring_url(in_progress, "table/add/"),
        {"number": "X", "title": "x", "kind": "item", "max_points": "1"},
    )
    assert response.status_code == 403
    item = Criterion.objects.get(number="I.1")
    assert client.post(scoring_url(in_progress, f"table/{item.pk}/remove/")).status_code == 403
    assert Criterion.objects.filter(number="X").count() == 0


def test_outsider_gets_404_for_every_scoring_page(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    client = as_user(cross_checking.outsider)
    for path in ("table/", "cross-check/", "ranking/"):
        assert client.get(scoring_url(cross_checking, path)).status_code == 404
    assert client.get(unit_url(cross_checking, "lai_chau")).status_code == 404
    assert client.get(unit_url(cross_checking, "lai_chau", "review/")).status_code == 404


def test_bad_points_in_the_table_editor_store_nothing(
    as_user: Callable[[User], Client], in_progress: World
) -> None:
    make_table(in_progress)
    client = as_user(in_progress.son_la_officer)
    response = client.post(
        scoring_url(in_progress, "table/add/"),
        {"number": "Z", "title": "z", "kind": "item", "max_points": "mười"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Criterion.objects.filter(number="Z").exists()


# --- self-assessment ---------------------------------------------------------------------


def test_unit_officer_scores_from_the_form(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    client = as_user(self_assessing.lai_chau_officer)
    by_number = leaves(self_assessing)
    data = {f"points_{by_number['I.1'].pk}": "7,5", f"explanation_{by_number['I.1'].pk}": "Đạt"}
    response = client.post(unit_url(self_assessing, "lai_chau"), data)
    assert response.status_code == 302
    assert Score.objects.get(criterion=by_number["I.1"]).points == D("7.5")


def test_points_above_the_maximum_are_shown_back_and_not_stored(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    client = as_user(self_assessing.lai_chau_officer)
    item = leaves(self_assessing)["I.1"]
    response = client.post(unit_url(self_assessing, "lai_chau"), {f"points_{item.pk}": "11"})
    assert response.status_code == 400
    assert not Score.objects.exists()


def test_another_unit_gets_403_scoring_and_does_not_see_the_draft(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    self_score(self_assessing, "lai_chau", {"I.1": "7"})
    client = as_user(self_assessing.cao_bang_officer)
    item = leaves(self_assessing)["I.1"]
    response = client.get(unit_url(self_assessing, "lai_chau"))
    assert response.status_code == 200
    assert 'data-testid="scores-form"' not in response.content.decode()
    assert 'data-testid="self-points"' not in response.content.decode()
    assert (
        client.post(unit_url(self_assessing, "lai_chau"), {f"points_{item.pk}": "1"}).status_code
        == 403
    )
    assert client.post(unit_url(self_assessing, "lai_chau", "submit/")).status_code == 403


def test_leader_submits_and_the_page_becomes_read_only(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    from .conftest import FIGURES

    self_score(self_assessing, "lai_chau", FIGURES["lai_chau"])
    client = as_user(self_assessing.lai_chau_leader)
    unticked = client.post(unit_url(self_assessing, "lai_chau", "submit/"), follow=True)
    assert "bước này không thể hoàn tác" in unticked.content.decode()
    assert 'data-testid="scores-form"' in unticked.content.decode()  # still a draft
    submit = client.post(unit_url(self_assessing, "lai_chau", "submit/"), {"confirm": "yes"})
    assert submit.status_code == 302
    body = client.get(unit_url(self_assessing, "lai_chau")).content.decode()
    assert 'data-testid="scores-form"' not in body
    item = leaves(self_assessing)["I.1"]
    response = client.post(unit_url(self_assessing, "lai_chau"), {f"points_{item.pk}": "1"})
    assert response.status_code == 409


def test_evidence_downloads_only_for_those_who_may_see_it(
    as_user: Callable[[User], Client], self_assessing: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = leaves(self_assessing)["I.1"]
    client = as_user(self_assessing.lai_chau_officer)
    upload = SimpleUploadedFile("minh-chung.pdf", SAMPLE_PDF, "application/pdf")
    response = client.post(
        unit_url(self_assessing, "lai_chau", "evidence/"), {"criterion": item.pk, "file": upload}
    )
    assert response.status_code == 302
    evidence_url = scoring_url(self_assessing, f"evidence/{Score.objects.get().evidence.get().pk}/")
    download = client.get(evidence_url)
    assert download.status_code == 200
    assert download.getvalue() == SAMPLE_PDF
    assert as_user(self_assessing.outsider).get(evidence_url).status_code == 404
    # Another member sees it only once the unit has submitted.
    assert as_user(self_assessing.cao_bang_officer).get(evidence_url).status_code == 404


def test_assessment_page_query_count_does_not_grow_with_criteria(
    as_user: Callable[[User], Client],
    cross_checking: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = as_user(cross_checking.cao_bang_officer)
    with django_assert_max_num_queries(22):
        response = client.get(unit_url(cross_checking, "lai_chau"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="self-points"') == 4


# --- cross-check -------------------------------------------------------------------------


def test_secretariat_sees_the_proposed_rotation_and_saves_it(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    client = as_user(self_assessing.son_la_officer)
    body = client.get(scoring_url(self_assessing, "cross-check/")).content.decode()
    assert 'data-testid="proposed"' in body
    plan = actions.proposed_rotation(self_assessing.year)
    response = client.post(
        scoring_url(self_assessing, "cross-check/"),
        {f"reviewer_{reviewed}": reviewer for reviewed, reviewer in plan.items()},
    )
    assert response.status_code == 302
    assert ReviewAssignment.objects.count() == 3


def test_assigning_a_member_to_itself_is_shown_back(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    client = as_user(self_assessing.son_la_officer)
    plan = actions.proposed_rotation(self_assessing.year)
    reviewed = next(iter(plan))
    data = {f"reviewer_{r}": by for r, by in plan.items()} | {f"reviewer_{reviewed}": reviewed}
    response = client.post(scoring_url(self_assessing, "cross-check/"), data)
    assert response.status_code == 400
    assert not ReviewAssignment.objects.exists()


def test_member_gets_403_assigning_reviewers(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    plan = actions.proposed_rotation(self_assessing.year)
    response = as_user(self_assessing.lai_chau_officer).post(
        scoring_url(self_assessing, "cross-check/"),
        {f"reviewer_{r}": by for r, by in plan.items()},
    )
    assert response.status_code == 403


def test_the_cross_check_page_says_when_reviewers_can_be_assigned(
    as_user: Callable[[User], Client], in_progress: World
) -> None:
    reason = "Chấm chéo được phân công trong giai đoạn tự chấm điểm và giai đoạn chấm chéo"
    url = scoring_url(in_progress, "cross-check/")
    page = as_user(in_progress.son_la_officer).get(url).content.decode()
    assert reason in page and "giai đoạn Đang triển khai" in page
    assert 'data-testid="save-assignments"' not in page
    # A member, who never assigns reviewers, is not told about it.
    assert reason not in as_user(in_progress.lai_chau_officer).get(url).content.decode()


def test_in_self_assessment_the_form_is_offered_without_the_reason(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    page = as_user(self_assessing.son_la_officer).get(scoring_url(self_assessing, "cross-check/"))
    assert 'data-testid="save-assignments"' in page.content.decode()
    assert 'data-testid="not-now"' not in page.content.decode()


def test_assigned_reviewer_adjusts_from_the_review_page(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    # Lai Châu is cross-checked by Sơn La.
    client = as_user(cross_checking.son_la_officer)
    url = unit_url(cross_checking, "lai_chau", "review/")
    assert client.get(url).status_code == 200
    item = leaves(cross_checking)["I.1"]
    response = client.post(url, {f"points_{item.pk}": "6"})
    assert response.status_code == 400  # a change needs its reason
    assert not Review.objects.exists()
    response = client.post(url, {f"points_{item.pk}": "6", f"reason_{item.pk}": "Thiếu minh chứng"})
    assert response.status_code == 302
    assert Review.objects.get().points == D(6)


def test_a_member_not_assigned_gets_403_on_the_review_page(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    url = unit_url(cross_checking, "lai_chau", "review/")
    assert as_user(cross_checking.cao_bang_officer).get(url).status_code == 403
    assert as_user(cross_checking.lai_chau_officer).get(url).status_code == 403


def test_unit_disputes_and_the_secretariat_settles_from_the_pages(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    world = cross_checking
    item = leaves(world)["I.1"]
    actions.do_save_review(
        assignment_of(world, "cao_bang"),
        entries={item.pk: actions.ReviewInput(D(7), "Thiếu")},
        acting_user=world.lai_chau_officer,
    )
    score = Score.objects.get(assessment__membership=membership(world, "cao_bang"), criterion=item)
    dispute_url = unit_url(world, "cao_bang", f"scores/{score.pk}/dispute/")
    assert as_user(world.lai_chau_officer).post(dispute_url, {"reason": "x"}).status_code == 403
    assert as_user(world.cao_bang_leader).post(dispute_url, {"reason": "Có đủ"}).status_code == 302
    dispute = Dispute.objects.get()
    settle_url = scoring_url(world, f"disputes/{dispute.pk}/settle/")
    assert (
        as_user(world.lai_chau_officer).post(settle_url, {"points": "8", "reason": "x"}).status_code
        == 403
    )
    body = as_user(world.son_la_officer).get(scoring_url(world, "cross-check/")).content.decode()
    assert 'data-testid="settle-form"' in body
    response = as_user(world.son_la_officer).post(settle_url, {"points": "8", "reason": "Hợp lý"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.settled_points == D(8)


# --- ranking -----------------------------------------------------------------------------


def test_ranking_is_provisional_in_cross_check_and_a_snapshot_after(
    as_user: Callable[[User], Client], cross_checking: World
) -> None:
    client = as_user(cross_checking.lai_chau_leader)
    body = client.get(scoring_url(cross_checking, "ranking/")).content.decode()
    assert 'data-testid="ranking-status"' in body and "ranking-data" in body
    assert 'data-testid="tie-rule"' in body
    move(cross_checking, Phase.CONFERENCE)
    response = as_user(cross_checking.supervisor).get(scoring_url(cross_checking, "ranking/"))
    assert response.status_code == 200
    assert response.context["ranking"].snapshot is not None


def test_ranking_before_cross_check_says_it_is_not_there_yet(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    response = as_user(self_assessing.lai_chau_officer).get(scoring_url(self_assessing, "ranking/"))
    assert response.status_code == 200
    assert 'data-testid="no-ranking"' in response.content.decode()


def test_ranking_page_query_count_does_not_grow_with_members(
    as_user: Callable[[User], Client],
    cross_checking: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = as_user(cross_checking.son_la_officer)
    # 3 more than before the main menu, which is read again after a change.
    with django_assert_max_num_queries(17):
        client.get(scoring_url(cross_checking, "ranking/"))


def test_dashboard_shows_scoring_links_and_to_dos(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    body = as_user(self_assessing.son_la_officer).get(self_assessing.url).content.decode()
    assert scoring_url(self_assessing, "table/") in body
    assert unit_url(self_assessing, "son_la") in body
    assert body.count("badge todo") >= 3  # every member still has to self-score


def test_table_page_without_a_table_offers_to_create_it(
    as_user: Callable[[User], Client], in_progress: World
) -> None:
    body = (
        as_user(in_progress.son_la_officer).get(scoring_url(in_progress, "table/")).content.decode()
    )
    assert 'data-testid="create-table"' in body
    assert not CriteriaTable.objects.exists()


def test_unit_officer_sees_the_empty_form_before_scoring(
    as_user: Callable[[User], Client], self_assessing: World
) -> None:
    body = as_user(self_assessing.lai_chau_officer).get(unit_url(self_assessing, "lai_chau"))
    html = body.content.decode()
    assert 'data-testid="scores-form"' in html
    assert html.count('class="points"') == 4  # I.1, I.2, B and P
