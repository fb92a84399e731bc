"""The verdicts kept for the pages: judged once, judged again after any attributed change.

A change "made elsewhere" is one another server process commits: this process learns of it
only through the audit chain's head, not through its own saves (see `thidua.audit.stamp`).
"""

import datetime as dt
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook
from pytest_django import DjangoAssertNumQueries

from thidua.award_history import actions as history
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardType
from thidua.awards import actions
from thidua.awards import reads as award_reads
from thidua.awards.eligibility import judge_year
from thidua.awards.models import Nomination
from thidua.awards.verdicts import year_nominations, year_verdicts
from thidua.lib.text import sort_key

from .conftest import grant, rate

Status = Nomination.Status


@pytest.fixture
def base(proposals: Any) -> Any:
    return f"/awards/c/{proposals.cluster.slug}/2016/"


def nominate(world: Any, person: Any, code: Any, unit: Any = "lai_chau") -> Any:
    return actions.do_draft_nomination(
        world.year,
        unit=world.orgs[unit],
        award_type=AwardType.objects.get(code=code),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=person,
        acting_user=getattr(world, f"{unit}_officer"),
    )


def register(world: Any, name: Any, unit: Any = "lai_chau", born: Any = 1980) -> Any:
    return history.do_register_person(
        full_name=name,
        birth_year=born,
        gender="female",
        unit=world.orgs[unit],
        position="Chuyên viên",
        year=world.year,
        acting_user=getattr(world, f"{unit}_officer"),
    )


@pytest.fixture
def draft(proposals: Any, lai_chau_person: Any) -> Any:
    grant(proposals, "cstdcs", 2015, person=lai_chau_person)
    grant(proposals, "cstdcs", 2016, person=lai_chau_person)
    return nominate(proposals, lai_chau_person, "cstd_bo")


TWO_YEARS = "hiện có 2 năm — 2015, 2016"


def test_the_verdicts_are_judged_once_while_nothing_changes(
    proposals: Any, draft: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = year_verdicts(proposals.year)
    with django_assert_num_queries(1):  # the chain's head, nothing judged
        assert year_verdicts(proposals.year) is first


def test_the_kept_verdicts_are_judge_years_on_varied_history(proposals: Any, office: Any) -> None:
    people = [register(proposals, f"Người {i}") for i in range(6)]
    for i, person in enumerate(people):
        for year in range(2016 - i, 2017):
            grant(proposals, "cstdcs", year, person=person)
            rate(proposals, year, "htxsnv" if i % 2 else "htnv", person=person)
        nominate(proposals, person, ("cstdcs", "cstd_bo", "ldtt")[i % 3])
    rate(proposals, 2016, "htxsnv", organization=office)
    actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=AwardType.objects.get(code="tt_ldtt"),
        summary="Tập thể hoàn thành tốt nhiệm vụ.",
        collective=office,
        acting_user=proposals.lai_chau_officer,
    )
    kept = year_verdicts(proposals.year)
    assert len(kept) == 7
    assert kept == judge_year(proposals.year)


def test_a_hand_entered_title_is_seen_on_the_next_request(
    client: Client,
    proposals: Any,
    draft: Any,
    base: Any,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    client.force_login(proposals.lai_chau_officer)
    page = base + f"nominations/{draft.pk}/"
    assert TWO_YEARS in client.get(page).content.decode()
    with elsewhere():
        grant(proposals, "cstdcs", 2014, person=draft.person)
    assert TWO_YEARS not in client.get(page).content.decode()
    assert year_verdicts(proposals.year) == judge_year(proposals.year)


def test_an_imported_title_is_seen_on_the_next_request(
    client: Client,
    proposals: Any,
    draft: Any,
    base: Any,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    client.force_login(proposals.lai_chau_officer)
    page = base + f"nominations/{draft.pk}/"
    assert TWO_YEARS in client.get(page).content.decode()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "Nguyễn Thị Hòa",
            1980,
            "Nữ",
            "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
            "cstdcs",
            2014,
            "12/QĐ-SKHĐT",
            dt.date(2015, 1, 10),
            "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    with elsewhere():
        history.do_import_history(
            out.getvalue(), file_name="lich-su.xlsx", acting_user=proposals.supervisor
        )
    assert TWO_YEARS not in client.get(page).content.decode()
    assert year_verdicts(proposals.year) == judge_year(proposals.year)


def test_a_new_rule_version_is_seen_on_the_next_request(
    client: Client,
    proposals: Any,
    draft: Any,
    base: Any,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    client.force_login(proposals.lai_chau_officer)
    page = base + f"nominations/{draft.pk}/"
    assert TWO_YEARS in client.get(page).content.decode()
    with elsewhere():
        actions.do_save_rule_version(
            AwardType.objects.get(code="cstd_bo"),
            effective_from=dt.date(2016, 1, 1),
            requirements=[{"kind": "consecutive_titles", "award": "cstdcs", "years": 2}],
            legal_source="Quy định thử",
            status="unverified",
            acting_user=proposals.supervisor,
        )
    assert TWO_YEARS not in client.get(page).content.decode()
    assert year_verdicts(proposals.year) == judge_year(proposals.year)


def test_a_decision_is_seen_in_the_list_on_the_next_request(
    client: Client,
    proposals: Any,
    draft: Any,
    base: Any,
    elsewhere: Callable[[], AbstractContextManager[None]],
) -> None:
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    actions.do_compile_proposal(proposals.year, acting_user=proposals.son_la_officer)
    actions.do_approve_nomination(draft, acting_user=proposals.supervisor)
    client.force_login(proposals.son_la_officer)
    listed = base + "nominations/?status=" + Status.DECIDED
    assert "Nguyễn Thị Hòa" not in client.get(listed).content.decode()
    with elsewhere():
        actions.do_record_decision(
            proposals.year,
            number="123/QĐ-BKHĐT",
            date=dt.date(2017, 4, 10),
            issuer_name="Bộ Kế hoạch và Đầu tư",
            signer_name="Bộ trưởng",
            acting_user=proposals.supervisor,
        )
    assert "Nguyễn Thị Hòa" in client.get(listed).content.decode()
    assert year_verdicts(proposals.year) == judge_year(proposals.year)


def test_the_list_filters_and_sorts_the_kept_rows_as_the_database_would(
    client: Client, proposals: Any, office: Any
) -> None:
    for i, unit in enumerate(("lai_chau", "cao_bang", "son_la", "lai_chau", "cao_bang")):
        person = register(proposals, f"Trần Văn Đức {i}", unit=unit)
        nominate(proposals, person, ("ldtt", "cstdcs")[i % 2], unit=unit)
    first = Nomination.objects.filter(year=proposals.year).order_by("pk").first()
    assert first is not None
    actions.do_submit_nomination(first, acting_user=proposals.lai_chau_leader)
    client.force_login(proposals.cao_bang_officer)
    base = f"/awards/c/{proposals.cluster.slug}/2016/nominations/"
    found = Nomination.objects.filter(year=proposals.year)
    ldtt = AwardType.objects.get(code="ldtt")
    cases = {
        "": found,
        f"unit={proposals.orgs['cao_bang'].pk}": found.filter(unit=proposals.orgs["cao_bang"]),
        f"award={ldtt.pk}": found.filter(award_type=ldtt),
        "status=submitted": found.filter(status=Status.SUBMITTED),
        "q=duc 3": found.filter(search_key__contains=award_reads.search_key("duc 3")),
    }
    for query, expected in cases.items():
        rows = client.get(f"{base}?{query}").context["rows"]
        wanted = sorted(
            expected.select_related("unit", "award_type"),
            key=lambda n: (sort_key(n.unit.name), n.award_type.rank, n.pk),
        )
        assert [row["url"] for row in rows] == [f"{base}{n.pk}/" for n in wanted], query
        assert [row["nominee"] for row in rows] == [n.nominee_name for n in wanted], query
    assert len(year_nominations(proposals.year).rows) == 5


def test_readers_share_the_kept_list_but_each_sees_only_their_own_links(
    client: Client, proposals: Any, draft: Any, base: Any
) -> None:
    listed = base + "nominations/"
    client.force_login(proposals.lai_chau_officer)
    member = client.get(listed).content.decode()
    client.force_login(proposals.son_la_officer)
    secretariat = client.get(listed).content.decode()
    assert 'data-testid="compile"' in secretariat
    assert 'data-testid="compile"' not in member
    assert member.split('class="filters"')[1] == secretariat.split('class="filters"')[1]
    assert "Nguyễn Thị Hòa" in member
