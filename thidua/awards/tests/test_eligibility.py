"""Eligibility against the stored history: lineage of units, rule versions, batch queries."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries, Settings

from thidua.award_history import actions as history
from thidua.awards import actions
from thidua.awards.eligibility import judge_year
from thidua.awards.models import AwardRule
from thidua.awards.rules import Verdict
from thidua.orgs.actions import do_create_organization, do_record_succession
from thidua.orgs.models import Succession

from .conftest import grant


def nominate(
    world: Any,
    code: Any,
    *,
    person: Any = None,
    collective: Any = None,
    award: Any,
    clean_record: Any = None,
) -> Any:
    return actions.do_draft_nomination(
        world.year,
        unit=world.orgs["lai_chau"],
        award_type=award(code),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        collective=collective,
        clean_record=clean_record,
        acting_user=world.lai_chau_officer,
    )


def test_three_consecutive_grassroots_titles_and_an_initiative_make_a_person_eligible(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    for year in (2014, 2015, 2016):
        grant(proposals, "cstdcs", year, person=lai_chau_person)
    history.do_record_initiative(
        lai_chau_person,
        title="Phần mềm theo dõi vốn đầu tư công",
        level="ministry_province",
        year=2016,
        acting_user=proposals.supervisor,
    )
    nomination = nominate(proposals, "cstd_bo", person=lai_chau_person, award=award)
    assert judge_year(proposals.year)[nomination.pk].verdict == Verdict.ELIGIBLE


def test_a_gap_year_in_the_stored_history_makes_the_person_not_eligible(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    for year in (2013, 2014, 2016):
        grant(proposals, "cstdcs", year, person=lai_chau_person)
    nomination = nominate(proposals, "cstd_bo", person=lai_chau_person, award=award)
    judgement = judge_year(proposals.year)[nomination.pk]
    assert judgement.verdict == Verdict.NOT_ELIGIBLE
    consecutive = next(r for r in judgement.reasons if r.code == "consecutive")
    assert consecutive.params["years"] == (2016,)


@pytest.fixture
def collective_rule(proposals: Any) -> Any:
    """The supervisor adds a version: the ministry's flag needs 2 consecutive TTLĐXS years."""
    return actions.do_save_rule_version(
        AwardRule.objects.get(
            award_type__code="co_bo", effective_from=dt.date(2014, 6, 1)
        ).award_type,
        effective_from=dt.date(2016, 1, 1),
        requirements=[{"kind": "consecutive_titles", "award": "tt_ldxs", "years": 2}],
        legal_source="Quy chế thi đua của Bộ (ví dụ)",
        status="unverified",
        acting_user=proposals.supervisor,
    )


def test_a_renamed_units_history_counts_for_its_successor(
    proposals: Any, collective_rule: Any, award: Any
) -> None:
    admin = proposals.admin
    old = do_create_organization(
        name="Phòng Kinh tế ngành", parent=proposals.orgs["lai_chau"], acting_user=admin
    )
    new = do_create_organization(
        name="Phòng Kinh tế ngành và Hợp tác", parent=proposals.orgs["lai_chau"], acting_user=admin
    )
    do_record_succession(
        [old], new, kind=Succession.Kind.RENAME, effective=dt.date(2016, 1, 1), acting_user=admin
    )
    grant(proposals, "tt_ldxs", 2015, organization=old)
    grant(proposals, "tt_ldxs", 2016, organization=new)
    nomination = nominate(proposals, "co_bo", collective=new, award=award)
    assert judge_year(proposals.year)[nomination.pk].verdict == Verdict.ELIGIBLE


def test_a_merged_units_history_counts_from_each_predecessor(
    proposals: Any, collective_rule: Any, award: Any
) -> None:
    admin = proposals.admin
    lai_chau = proposals.orgs["lai_chau"]
    first = do_create_organization(
        name="Phòng Đăng ký kinh doanh", parent=lai_chau, acting_user=admin
    )
    second = do_create_organization(name="Phòng Doanh nghiệp", parent=lai_chau, acting_user=admin)
    merged = do_create_organization(
        name="Phòng Đăng ký kinh doanh và Doanh nghiệp", parent=lai_chau, acting_user=admin
    )
    do_record_succession(
        [first, second],
        merged,
        kind=Succession.Kind.MERGER,
        effective=dt.date(2016, 1, 1),
        acting_user=admin,
    )
    grant(proposals, "tt_ldxs", 2015, organization=second)
    grant(proposals, "tt_ldxs", 2016, organization=merged)
    nomination = nominate(proposals, "co_bo", collective=merged, award=award)
    unrelated = nominate(proposals, "co_bo", collective=first, award=award)
    verdicts = judge_year(proposals.year)
    assert verdicts[nomination.pk].verdict == Verdict.ELIGIBLE
    assert verdicts[unrelated.pk].verdict == Verdict.NOT_ELIGIBLE  # history never flows backwards


def test_the_version_in_force_for_the_year_judges_it(
    proposals: Any, collective_rule: Any, award: Any, office: Any
) -> None:
    grant(proposals, "tt_ldxs", 2016, organization=office)
    nomination = nominate(proposals, "co_bo", collective=office, award=award)
    judgement = judge_year(proposals.year)[nomination.pk]
    assert judgement.rule is not None
    assert judgement.rule.effective_from == dt.date(2016, 1, 1)
    assert judgement.verdict == Verdict.NOT_ELIGIBLE


def test_a_collective_is_judged_by_its_members_history(
    proposals: Any, office: Any, award: Any
) -> None:
    people = _office_staff(proposals, office, 4)
    for person in people[:3]:
        grant(proposals, "ldtt", 2016, person=person)
    history.do_record_rating(
        year=2016, rating="httnv", organization=office, acting_user=proposals.supervisor
    )
    nomination = nominate(proposals, "tt_ldtt", collective=office, award=award, clean_record=True)
    judgement = judge_year(proposals.year)[nomination.pk]
    assert judgement.verdict == Verdict.ELIGIBLE  # 3 of 4 = 75% ≥ 70%
    share = next(r for r in judgement.reasons if r.code == "member_share")
    assert (share.params["count"], share.params["total"]) == (3, 4)


def test_the_number_of_queries_does_not_grow_with_the_nominations(
    proposals: Any, award: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    def add_people(count: Any, start: Any) -> None:
        for i in range(start, start + count):
            person = history.do_register_person(
                full_name=f"Người thứ {i}",
                birth_year=1970 + i % 30,
                gender="male",
                unit=proposals.orgs["lai_chau"],
                year=proposals.year,
                acting_user=proposals.lai_chau_officer,
            )
            grant(proposals, "cstdcs", 2015, person=person)
            nominate(proposals, "bk_bo", person=person, award=award)

    add_people(2, 0)
    with django_assert_max_num_queries(10) as few:
        judge_year(proposals.year)
    add_people(12, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(judge_year(proposals.year)) == 14


def _office_staff(proposals: Any, office: Any, count: Any) -> Any:
    return [
        history.do_register_person(
            full_name=f"Cán bộ {i}",
            birth_year=1980 + i,
            gender="female",
            unit=office,
            year=proposals.year,
            acting_user=proposals.lai_chau_officer,
        )
        for i in range(count)
    ]


def _members_holding_and_counted(proposals: Any, office: Any, award: Any) -> Any:
    """The office's members holding the title, and all its members, as its verdict says."""
    nomination = nominate(proposals, "tt_ldtt", collective=office, award=award, clean_record=True)
    reasons = judge_year(proposals.year)[nomination.pk].reasons
    share = next(r for r in reasons if r.code == "member_share")
    return share.params["count"], share.params["total"]


def test_a_member_with_two_posts_in_the_year_counts_once(
    proposals: Any, office: Any, award: Any
) -> None:
    people = _office_staff(proposals, office, 2)
    history.do_add_position(
        people[0],
        unit=office,
        position="Phó Chánh Văn phòng",
        since=dt.date(2016, 7, 1),
        acting_user=proposals.supervisor,
    )
    grant(proposals, "ldtt", 2016, person=people[0])
    assert _members_holding_and_counted(proposals, office, award) == (1, 2)


def test_a_post_that_ended_before_the_year_does_not_make_a_member(
    proposals: Any, office: Any, award: Any
) -> None:
    people = _office_staff(proposals, office, 1)
    former = history.do_register_person(
        full_name="Cán bộ đã chuyển công tác",
        birth_year=1975,
        gender="male",
        unit=proposals.orgs["lai_chau"],
        year=proposals.year,
        acting_user=proposals.lai_chau_officer,
    )
    history.do_add_position(
        former,
        unit=office,
        position="Chuyên viên",
        since=dt.date(2010, 1, 1),
        until=dt.date(2015, 12, 31),
        acting_user=proposals.supervisor,
    )
    grant(proposals, "ldtt", 2016, person=people[0])
    assert _members_holding_and_counted(proposals, office, award) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_history_read_on_other_connections_gives_the_same_verdicts(
    proposals: Any, office: Any, lai_chau_person: Any, award: Any, settings: Settings
) -> None:
    """Outside a transaction a large batch's history is read on other connections while
    this one builds; inside one, everything is read here. Same verdicts."""
    settings.THIDUA_PARALLEL_READS_FROM = 2  # this batch counts as large
    people = _office_staff(proposals, office, 3)
    for person in people[:2]:
        grant(proposals, "ldtt", 2016, person=person)
    grant(proposals, "cstdcs", 2016, person=lai_chau_person)
    nominate(proposals, "tt_ldtt", collective=office, award=award, clean_record=True)
    nominate(proposals, "bk_bo", person=lai_chau_person, award=award)

    with transaction.atomic(), CaptureQueriesContext(connection) as here:
        in_one = judge_year(proposals.year)
    with CaptureQueriesContext(connection) as aside:
        read_aside = judge_year(proposals.year)

    assert read_aside == in_one
    # Titles, ratings, initiatives; the members, their titles and ratings of the year.
    history_reads = 6
    assert len(aside) == len(here) - history_reads


def test_a_small_batch_reads_its_history_on_its_own_connection(
    proposals: Any, lai_chau_person: Any, award: Any, settings: Settings
) -> None:
    settings.THIDUA_PARALLEL_READS_FROM = 5000
    grant(proposals, "cstdcs", 2016, person=lai_chau_person)
    nominate(proposals, "bk_bo", person=lai_chau_person, award=award)
    with CaptureQueriesContext(connection) as queries:
        judge_year(proposals.year)
    assert any("awards_awardrecord" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_large_batch_is_judged_in_two_processes_with_the_same_verdicts(
    proposals: Any,
    office: Any,
    lai_chau_person: Any,
    award: Any,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Outside a transaction a large batch is split by cluster-year between this process
    and a forked one; inside a transaction it is judged here alone. Same verdicts."""
    from thidua.awards import eligibility
    from thidua.awards.models import Nomination
    from thidua.cycle.actions import do_open_year
    from thidua.cycle.models import EmulationYear, Phase
    from thidua.orgs.actions import do_create_cluster

    settings.THIDUA_PARALLEL_READS_FROM = 2
    settings.THIDUA_JUDGE_PROCESSES = 2
    grant(proposals, "cstdcs", 2016, person=lai_chau_person)
    nominate(proposals, "bk_bo", person=lai_chau_person, award=award)
    nominate(proposals, "tt_ldtt", collective=office, award=award, clean_record=True)
    # A second cluster's year, with a nomination of its own.
    yen_bai = proposals.orgs["yen_bai"]
    neighbour = do_create_organization(
        name="Sở Kế hoạch và Đầu tư tỉnh Điện Biên", acting_user=proposals.admin
    )
    cluster = do_create_cluster(
        slug="tay-bac",
        name="Cụm Tây Bắc",
        supervisor=proposals.orgs["supervisor"],
        acting_user=proposals.admin,
    )
    other_year = do_open_year(
        cluster,
        year=2016,
        members=[yen_bai, neighbour],
        head=yen_bai,
        deputy=neighbour,
        acting_user=proposals.supervisor,
    )
    EmulationYear.objects.filter(pk=other_year.pk).update(phase=Phase.PROPOSALS)
    other_year.refresh_from_db()
    someone = history.do_register_person(
        full_name="Trần Văn Bình",
        birth_year=1975,
        gender="male",
        unit=yen_bai,
        position="Chuyên viên",
        year=other_year,
        acting_user=proposals.outsider,
    )
    grant(proposals, "ldtt", 2016, person=someone)
    actions.do_draft_nomination(
        other_year,
        unit=yen_bai,
        award_type=award("cstdcs"),
        summary="Hoàn thành tốt.",
        person=someone,
        acting_user=proposals.outsider,
    )

    scope = Nomination.objects.all()
    with transaction.atomic():
        here = eligibility.judge_scope(scope)
    children: list[Callable[[], object]] = []
    real = eligibility.Forked

    def forked(work: Callable[[], object]) -> eligibility.Forked[object]:
        children.append(work)
        return real(work)

    monkeypatch.setattr(eligibility, "Forked", forked)
    # Whether this process may fork now (one thread) is can_fork's rule, tested in
    # lib/tests/test_batch.py; a thread another test left in this process must not decide
    # whether this batch is split.
    monkeypatch.setattr(eligibility, "can_fork", lambda: True)
    split = eligibility.judge_scope(scope)

    assert len(children) == 1
    assert "failed" not in caplog.text  # the child's verdicts came back, not a rerun here
    assert split == here
    assert len(here) == 3
