"""A new year starts from the last one: members through the 2025 mergers, the elected head
and deputy, and the indicators, criteria, movement and pledge copied for the new year."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils.html import escape

from thidua.audit.models import AuditEntry
from thidua.cycle import actions, hooks, opening, rules
from thidua.cycle.forms import OpenYearForm
from thidua.cycle.models import EmulationYear, Membership, Movement, Phase, Pledge
from thidua.errors import ActionRefused
from thidua.indicators.models import Indicator
from thidua.orgs import rules as org_rules
from thidua.orgs.forms import label_for_choice
from thidua.orgs.models import Cluster, Organization, User
from thidua.scoring.models import CriteriaTable, Criterion

SLUG = "mien-nui-bien-gioi-phia-bac"
PROVINCES = ["Cao Bằng", "Điện Biên", "Hà Giang", "Lai Châu", "Lạng Sơn", "Lào Cai", "Sơn La"]
EVERYTHING = ["indicators", "scoring.table", "cycle.texts"]

# --- the year's references in a text -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Giao ước thi đua năm 2016", "Giao ước thi đua năm 2017"),
        ("kế hoạch năm 2017, so với năm 2015", "kế hoạch năm 2018, so với năm 2016"),
        ("ngày 15/12/2016, số liệu đến 11/2016", "ngày 15/12/2017, số liệu đến 11/2017"),
        ("Năm 2016.", "Năm 2017."),
        ("giai đoạn 2016-2020 và 2016 – 2020", "giai đoạn 2016-2020 và 2016 – 2020"),
        ("Nghị quyết số 12/2016/NQ-HĐND", "Nghị quyết số 12/2016/NQ-HĐND"),
        ("2.016 tỷ, 2016,5 ha, 12016 hộ, mã QĐ2016", "2.016 tỷ, 2016,5 ha, 12016 hộ, mã QĐ2016"),
        ("năm 2014 và năm 2019; 100% thành viên", "năm 2014 và năm 2019; 100% thành viên"),
    ],
)  # fmt: skip
def test_a_text_of_2016_is_rewritten_for_2017_and_no_other_number_moves(
    text: str, expected: str
) -> None:
    assert rules.shift_year_references(text, 2016, 2017) == expected


def test_the_years_move_together_over_a_gap_and_not_at_all_for_the_same_year() -> None:
    text = "năm 2015, năm 2016 và kế hoạch năm 2017"
    assert (
        rules.shift_year_references(text, 2016, 2026) == "năm 2025, năm 2026 và kế hoạch năm 2027"
    )
    assert rules.shift_year_references(text, 2016, 2016) == text


def test_a_day_moves_to_the_same_date_of_the_new_year() -> None:
    assert rules.shift_day(dt.date(2016, 3, 18), 1) == dt.date(2017, 3, 18)
    assert rules.shift_day(dt.date(2016, 2, 29), 1) == dt.date(2017, 2, 28)


# --- who stands for a unit on a day --------------------------------------------------------

D = dt.date
# 1 (Hà Giang KH&ĐT) -> 2 (Hà Giang TC, Mar-Jun 2025) -> 4 (Tuyên Quang TC from July 2025),
# 3 (Tuyên Quang TC, Mar-Jun 2025) -> 4; 5 split into 6 and 7; 8 ended with no successor.
EDGES = [(1, 2), (2, 4), (3, 4), (5, 6), (5, 7)]
PERIODS = {
    1: (None, D(2025, 2, 28)),
    2: (D(2025, 3, 1), D(2025, 6, 30)),
    3: (D(2025, 3, 1), D(2025, 6, 30)),
    4: (D(2025, 7, 1), None),
    5: (None, D(2019, 12, 31)),
    6: (D(2020, 1, 1), None),
    7: (D(2020, 1, 1), None),
    8: (None, D(2018, 6, 30)),
    9: (D(2030, 1, 1), None),
}


def test_a_unit_stands_for_itself_while_it_exists_then_for_its_successors_of_that_day() -> None:
    assert org_rules.continuers(1, D(2017, 1, 1), EDGES, PERIODS) == [1]
    assert org_rules.continuers(1, D(2025, 4, 1), EDGES, PERIODS) == [2]
    assert org_rules.continuers(1, D(2026, 1, 1), EDGES, PERIODS) == [4]
    assert org_rules.continuers(5, D(2026, 1, 1), EDGES, PERIODS) == [6, 7]
    assert org_rules.continuers(8, D(2026, 1, 1), EDGES, PERIODS) == []
    assert org_rules.continuers(9, D(2026, 1, 1), EDGES, PERIODS) == []  # not begun yet


def test_a_choice_shows_the_period_and_who_continues_an_ended_unit() -> None:
    before = Organization(name="Sở Tài chính tỉnh Tuyên Quang", valid_from=D(2025, 3, 1))
    before.valid_to = D(2025, 6, 30)
    after = Organization(pk=4, name="Sở Tài chính tỉnh Tuyên Quang", short_name="Sở TC Tuyên Quang")
    after.valid_from = D(2025, 7, 1)
    planning = Organization(name="Sở Kế hoạch và Đầu tư tỉnh Hà Giang", valid_to=D(2025, 2, 28))
    assert label_for_choice(after) == "Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)"
    assert label_for_choice(before, [after]) == (
        "Sở Tài chính tỉnh Tuyên Quang (từ 01/03/2025 đến 30/06/2025, nay là Sở TC Tuyên Quang)"
    )
    assert label_for_choice(planning, [after]) == (
        "Sở Kế hoạch và Đầu tư tỉnh Hà Giang (đến 28/02/2025, nay là Sở TC Tuyên Quang)"
    )
    assert label_for_choice(Organization(name="Sở KH&ĐT Sơn La")) == "Sở KH&ĐT Sơn La"


def test_indicators_and_scoring_offer_and_make_their_copies_through_the_years_hooks() -> None:
    for name in ("carry_overs", "year_opened"):
        callbacks = getattr(hooks, name)
        assert all(c.__name__ == name for c in callbacks)
        assert {c.__module__ for c in callbacks} == {
            "thidua.indicators.hooks",
            "thidua.scoring.hooks",
        }


# --- the demo's 2016 proposes 2017 and 2026 ------------------------------------------------


@pytest.fixture
def demo(demo_module: None, db: None) -> Any:
    cluster = Cluster.objects.get(slug=SLUG)
    return {
        "cluster": cluster,
        "previous": cluster.years.get(year=2016),
        "supervisor": User.objects.get(username="vu-tdkt"),
    }


def planning(province: str) -> Organization:
    return Organization.objects.get(name=f"Sở Kế hoạch và Đầu tư tỉnh {province}")


def finance_today(province: str) -> Organization:
    return Organization.objects.get(name=f"Sở Tài chính tỉnh {province}", valid_to=None)


def test_2017_is_proposed_with_the_2016_members_and_the_head_and_deputy_they_elected(
    demo: Any,
) -> None:
    proposal = opening.propose(demo["cluster"], 2017)
    assert opening.next_year_of(demo["cluster"]) == 2017
    assert proposal.previous == demo["previous"]
    assert sorted(o.pk for o in proposal.members) == sorted(planning(p).pk for p in PROVINCES)
    assert proposal.head == planning("Lào Cai")
    assert proposal.deputy == planning("Hà Giang")
    assert [c.key for c in proposal.carry_overs] == EVERYTHING
    labels = [c.label for c in proposal.carry_overs]
    assert (
        labels[0]
        == f"Chép {Indicator.objects.filter(year=demo['previous']).count()} chỉ tiêu của năm 2016"
    )
    assert labels[2] == "Chép phong trào thi đua và giao ước thi đua năm 2016, làm bản nháp để sửa"


def test_2026_is_proposed_with_the_departments_that_continue_them_after_the_mergers(
    demo: Any,
) -> None:
    proposal = opening.propose(demo["cluster"], 2026)
    expected = {finance_today(p).pk for p in PROVINCES if p != "Hà Giang"}
    expected.add(finance_today("Tuyên Quang").pk)
    assert {o.pk for o in proposal.members} == expected
    assert len(proposal.members) == 7
    # The 2016 election chose the head and deputy of 2017, not of 2026.
    assert proposal.head is None and proposal.deputy is None
    notes = " ".join(proposal.notes)
    assert "Sở KH&ĐT Hà Giang nay là Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)" in notes
    assert "năm 2016 đã bầu cụm trưởng và cụm phó năm 2017" in notes


def _choices(body: str, name: str) -> dict[str, tuple[str, bool]]:
    """{value: (label, checked)} of the check boxes called `name` on a page."""
    found = {}
    pattern = (
        rf'<label for="[^"]+"><input type="checkbox" name="{name}" value="(\d+)"([^>]*)> '
        r"([^<]+)</label>"
    )
    for value, attrs, label in re.findall(pattern, body):
        found[value] = (label, "checked" in attrs)
    return found


def test_the_page_offers_units_that_exist_on_the_first_day_each_told_apart(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    client = as_user(demo["supervisor"])
    page = client.get(f"/c/{SLUG}/").content.decode()
    members = _choices(page, "members")
    ticked = {value for value, (_label, checked) in members.items() if checked}
    assert ticked == {str(planning(p).pk) for p in PROVINCES}
    labels = [label for label, _checked in members.values()]
    assert len(labels) == len(set(labels)), "two choices read the same"
    assert not any("Sở Tài chính" in label for label in labels)  # not yet on 01/01/2017
    assert (
        escape("Sở Kế hoạch và Đầu tư tỉnh Hà Giang (đến 28/02/2025, nay là Sở TC Tuyên Quang)")
        in page
    )
    head = re.search(r'<select name="head"[^>]*>.*?</select>', page, re.S)
    assert head is not None
    assert f'<option value="{planning("Lào Cai").pk}" selected>' in head.group()

    later = client.get(f"/c/{SLUG}/?year=2026").content.decode()
    members = _choices(later, "members")
    labels = [label for label, _checked in members.values()]
    assert len(labels) == len(set(labels))
    assert not any("Sở Kế hoạch và Đầu tư" in label for label in labels)  # ended in 2025
    assert labels.count("Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)") == 1
    ticked = {members[value][0] for value in members if members[value][1]}
    assert "Sở Tài chính tỉnh Tuyên Quang (từ 01/07/2025)" in ticked
    assert len(ticked) == 7


def _post(
    demo: Any,
    year: Any = 2017,
    carry_over: Any = EVERYTHING,
    members: Any = None,
    head: Any = None,
    deputy: Any = None,
) -> Any:
    members = members or [planning(p).pk for p in PROVINCES]
    return {
        "year": year,
        "members": members,
        "head": (head or planning("Lào Cai")).pk,
        "deputy": (deputy or planning("Hà Giang")).pk,
        "carry_over": carry_over,
    }


def test_the_supervisor_opens_2017_with_everything_copied_for_2017(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    previous = demo["previous"]
    response = as_user(demo["supervisor"]).post(f"/c/{SLUG}/", _post(demo), follow=True)
    assert response.status_code == 200
    year = EmulationYear.objects.get(cluster=demo["cluster"], year=2017)
    assert year.phase == Phase.SETUP
    roles = dict(Membership.objects.filter(year=year).values_list("organization__name", "role"))
    assert len(roles) == 7
    assert roles["Sở Kế hoạch và Đầu tư tỉnh Lào Cai"] == Membership.Role.HEAD
    assert roles["Sở Kế hoạch và Đầu tư tỉnh Hà Giang"] == Membership.Role.DEPUTY

    old_indicators = dict(Indicator.objects.filter(year=previous).values_list("code", "name"))
    new_indicators = dict(Indicator.objects.filter(year=year).values_list("code", "name"))
    assert new_indicators == {
        code: rules.shift_year_references(name, 2016, 2017) for code, name in old_indicators.items()
    }
    table = CriteriaTable.objects.get(year=year)
    assert table.title == "Bảng tiêu chí chấm điểm thi đua năm 2017"
    old_table = CriteriaTable.objects.get(year=previous)
    assert table.copied_from == old_table
    assert Criterion.objects.filter(table=table).count() == old_table.criteria.count()
    item = Criterion.objects.get(table=table, number="I.1")
    assert item.title.endswith("kinh tế - xã hội năm 2017")
    assert not Criterion.objects.filter(table=table, title__contains="năm 2016").exists()

    movement = Movement.objects.get(year=year)
    assert movement.title.startswith("Phong trào thi đua yêu nước năm 2017")
    assert movement.launched_on == dt.date(2017, 3, 18)
    assert "năm 2016" not in movement.goals
    pledge = Pledge.objects.get(year=year)
    assert pledge.title == "Giao ước thi đua năm 2017"
    assert pledge.preamble.startswith("Thực hiện phong trào thi đua yêu nước năm 2017")
    assert pledge.articles.count() == 4
    assert not pledge.signatures.exists()

    page = response.content.decode()
    assert "Đã mở năm thi đua 2017." in page
    assert "Đã chép từ năm 2016:" in page
    entry = AuditEntry.objects.get(action="year.carry_over", year=year)
    assert entry.after is not None and entry.after["from_year"] == 2016
    # The drafts stay editable by the new year's secretariat, Lào Cai.
    lao_cai = User.objects.get(username="lao-cai-canbo")
    edit = as_user(lao_cai).get(f"/c/{SLUG}/2017/pledge/edit/")
    assert edit.status_code == 200
    assert "Giao ước thi đua năm 2017" in edit.content.decode()


def test_unticked_copies_copy_nothing(as_user: Callable[[User], Client], demo: Any) -> None:
    response = as_user(demo["supervisor"]).post(f"/c/{SLUG}/", _post(demo, carry_over=[]))
    assert response.status_code == 302
    year = EmulationYear.objects.get(cluster=demo["cluster"], year=2017)
    assert year.memberships.count() == 7
    assert not Indicator.objects.filter(year=year).exists()
    assert not CriteriaTable.objects.filter(year=year).exists()
    assert not Movement.objects.filter(year=year).exists()
    assert not Pledge.objects.filter(year=year).exists()
    assert not AuditEntry.objects.filter(action="year.carry_over").exists()


def test_the_supervisor_opens_2026_with_todays_departments(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    members = [finance_today(p).pk for p in PROVINCES if p != "Hà Giang"]
    members.append(finance_today("Tuyên Quang").pk)
    data = _post(
        demo,
        year=2026,
        members=members,
        head=finance_today("Lào Cai"),
        deputy=finance_today("Tuyên Quang"),
    )
    response = as_user(demo["supervisor"]).post(f"/c/{SLUG}/?year=2026", data)
    assert response.status_code == 302
    year = EmulationYear.objects.get(cluster=demo["cluster"], year=2026)
    assert year.memberships.count() == 7
    assert CriteriaTable.objects.get(year=year).title == "Bảng tiêu chí chấm điểm thi đua năm 2026"
    assert Pledge.objects.get(year=year).title == "Giao ước thi đua năm 2026"


# --- refused, and nothing half-created ------------------------------------------------------


def test_a_member_listed_twice_is_refused(as_user: Callable[[User], Client], demo: Any) -> None:
    data = _post(demo)
    data["members"] = [*data["members"], planning("Sơn La").pk]
    response = as_user(demo["supervisor"]).post(f"/c/{SLUG}/", data)
    assert response.status_code == 400
    body = response.content.decode()
    son_la = "Sở Kế hoạch và Đầu tư tỉnh Sơn La (đến 28/02/2025)"
    assert f"{son_la} có tên hai lần trong danh sách thành viên." in body
    assert "Hãy chọn một đơn vị trong số các thành viên." not in body
    assert not EmulationYear.objects.filter(year=2017).exists()

    lao_cai, ha_giang = planning("Lào Cai"), planning("Hà Giang")
    with pytest.raises(ActionRefused, match="hai lần"):
        actions.do_open_next_year(
            demo["cluster"],
            year=2017,
            members=[lao_cai, ha_giang, lao_cai],
            head=lao_cai,
            deputy=ha_giang,
            carry_over=EVERYTHING,
            acting_user=demo["supervisor"],
        )
    assert not EmulationYear.objects.filter(year=2017).exists()


def test_a_unit_that_no_longer_exists_when_the_year_starts_is_refused(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    # A 2017 list sent for 2026: Hà Giang's department ended in 2025.
    response = as_user(demo["supervisor"]).post(f"/c/{SLUG}/", _post(demo, year=2026))
    assert response.status_code == 400
    body = response.content.decode()
    assert "không còn tồn tại vào ngày 01/01/2026, khi năm bắt đầu" in body
    assert escape("Chọn đơn vị tiếp nối: Sở Tài chính tỉnh Cao Bằng (từ 01/03/2025).") in body
    assert not EmulationYear.objects.filter(year=2026).exists()
    assert not Indicator.objects.filter(year__year=2026).exists()


def test_a_copy_refused_leaves_no_year_behind(demo: Any) -> None:
    # Asked to copy what 2016 does not offer, after the year and its members were written.
    lao_cai, ha_giang = planning("Lào Cai"), planning("Hà Giang")
    with pytest.raises(ActionRefused):
        actions.do_open_next_year(
            demo["cluster"],
            year=2017,
            members=[lao_cai, ha_giang],
            head=lao_cai,
            deputy=ha_giang,
            carry_over=["indicators", "awards.catalogue"],
            acting_user=demo["supervisor"],
        )
    assert not EmulationYear.objects.filter(year=2017).exists()
    assert not Membership.objects.filter(year__year=2017).exists()
    assert not Indicator.objects.filter(year__year=2017).exists()


def test_the_form_needs_the_head_and_deputy_among_the_members(demo: Any) -> None:
    data = _post(demo, members=[planning("Sơn La").pk, planning("Cao Bằng").pk])
    form = OpenYearForm(data, offered_on=dt.date(2017, 1, 1))
    assert not form.is_valid()
    assert set(form.errors) == {"head", "deputy"}


# --- who may open a year --------------------------------------------------------------------


def test_the_secretariat_of_the_last_year_may_open_the_next(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    son_la = User.objects.get(username="son-la-canbo")  # Sơn La was the 2016 head
    page = as_user(son_la).get(f"/c/{SLUG}/")
    assert 'data-testid="open-year"' in page.content.decode()
    response = as_user(son_la).post(f"/c/{SLUG}/", _post(demo, carry_over=["cycle.texts"]))
    assert response.status_code == 302
    assert Movement.objects.filter(year__year=2017).exists()


def test_a_member_officer_is_refused_and_an_outsider_does_not_see_the_cluster(
    as_user: Callable[[User], Client], demo: Any
) -> None:
    lai_chau = User.objects.get(username="lai-chau-canbo")
    page = as_user(lai_chau).get(f"/c/{SLUG}/")
    assert page.status_code == 200
    assert 'data-testid="open-year"' not in page.content.decode()
    assert as_user(lai_chau).post(f"/c/{SLUG}/", _post(demo)).status_code == 403
    outsider = User.objects.get(username="yen-bai-canbo")
    assert as_user(outsider).post(f"/c/{SLUG}/", _post(demo)).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.do_open_next_year(
            demo["cluster"],
            year=2017,
            members=[planning("Lào Cai"), planning("Hà Giang")],
            head=planning("Lào Cai"),
            deputy=planning("Hà Giang"),
            carry_over=[],
            acting_user=lai_chau,
        )
    assert not EmulationYear.objects.filter(year=2017).exists()


def test_a_unit_not_yet_begun_or_archived_is_refused_and_no_year_is_left(demo: Any) -> None:
    lao_cai, ha_giang = planning("Lào Cai"), planning("Hà Giang")
    later = finance_today("Sơn La")  # from 01/03/2025
    archived = Organization.objects.create(name="Sở Nội vụ tỉnh Sơn La", archived=True)
    for unit, words in ((later, "chưa tồn tại vào ngày 01/01/2017"), (archived, "đã được lưu trữ")):
        with pytest.raises(ActionRefused, match=words):
            actions.do_open_next_year(
                demo["cluster"],
                year=2017,
                members=[lao_cai, ha_giang, unit],
                head=lao_cai,
                deputy=ha_giang,
                carry_over=[],
                acting_user=demo["supervisor"],
            )
    assert not EmulationYear.objects.filter(year=2017).exists()
