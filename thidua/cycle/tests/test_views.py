"""Each page with an allowed persona and a refused one: outsiders 404, read-only users 403."""

import datetime as dt
from collections.abc import Callable

from django.test import Client
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from thidua.cycle import actions as cycle_actions
from thidua.cycle.models import Movement, Phase, Signature
from thidua.orgs.models import User
from thidua.testing.personas import World


def test_anonymous_visitor_is_sent_to_log_in(client: Client, world: World) -> None:
    response = client.get(world.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_member_sees_the_dashboard_with_every_member(
    as_user: Callable[[User], Client], world: World
) -> None:
    response = as_user(world.lai_chau_officer).get(world.url)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Sơn La", "Cao Bằng", "Lai Châu"):
        assert f"Sở Kế hoạch và Đầu tư tỉnh {name}" in body


def test_outsider_gets_404_for_the_dashboard_and_the_cluster(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.outsider)
    assert client.get(world.url).status_code == 404
    assert client.get(f"/c/{world.cluster.slug}/").status_code == 404
    assert client.get(world.url + "pledge/").status_code == 404
    assert client.get(world.url + "history/").status_code == 404


def test_supervisor_sees_the_dashboard(as_user: Callable[[User], Client], world: World) -> None:
    assert as_user(world.supervisor).get(world.url).status_code == 200


def test_dashboard_lists_what_each_member_still_has_to_do(
    as_user: Callable[[User], Client], world: World
) -> None:
    pledge = world.to_pledge_phase()
    from thidua.cycle.actions import do_sign_pledge

    do_sign_pledge(pledge, unit=world.orgs["son_la"], acting_user=world.son_la_leader)
    body = as_user(world.son_la_officer).get(world.url).content.decode()
    assert body.count("Ký giao ước thi đua") == 2  # Cao Bằng and Lai Châu


def test_dashboard_query_count_does_not_grow_with_members(
    as_user: Callable[[User], Client],
    world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    world.to_pledge_phase()
    client = as_user(world.son_la_officer)
    with django_assert_max_num_queries(25):
        client.get(world.url)


def test_secretariat_moves_the_phase_from_the_dashboard(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.launch()
    response = as_user(world.son_la_officer).post(
        world.url + "phase/", {"target": "pledge", "confirm": "yes"}
    )
    assert response.status_code == 302
    world.year.refresh_from_db()
    assert world.year.phase == Phase.PLEDGE


def test_the_phase_moves_only_once_the_secretariat_confirms_it_cannot_be_undone(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.launch()
    client = as_user(world.son_la_officer)
    dashboard = client.get(world.url).content.decode()
    assert 'name="confirm"' in dashboard and "không thể chuyển ngược lại" in dashboard
    response = client.post(world.url + "phase/", {"target": "pledge"}, follow=True)
    assert "Đánh dấu vào ô xác nhận: bước này không thể hoàn tác." in response.content.decode()
    world.year.refresh_from_db()
    assert world.year.phase == Phase.SETUP


def test_member_gets_403_moving_the_phase(as_user: Callable[[User], Client], world: World) -> None:
    world.launch()
    response = as_user(world.lai_chau_officer).post(
        world.url + "phase/", {"target": "pledge", "confirm": "yes"}
    )
    assert response.status_code == 403
    world.year.refresh_from_db()
    assert world.year.phase == Phase.SETUP


def test_refused_phase_move_shows_why(as_user: Callable[[User], Client], world: World) -> None:
    client = as_user(world.son_la_officer)
    response = client.post(
        world.url + "phase/", {"target": "pledge", "confirm": "yes"}, follow=True
    )
    assert "Chưa phát động phong trào thi đua" in response.content.decode()


def test_secretariat_edits_the_movement(as_user: Callable[[User], Client], world: World) -> None:
    client = as_user(world.son_la_officer)
    form = client.get(world.url + "movement/")
    assert form.status_code == 200
    response = client.post(
        world.url + "movement/",
        {
            "title": "Phong trào thi đua năm 2016",
            "launched_on": "2016-03-18",
            "goals": "Hoàn thành tốt nhiệm vụ",
            "targets": "",
            "version": form.context["form"]["version"].value(),
        },
    )
    assert response.status_code == 302
    assert Movement.objects.get(year=world.year).title == "Phong trào thi đua năm 2016"


def test_member_gets_403_editing_the_movement(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.lai_chau_leader)
    assert client.get(world.url + "movement/").status_code == 403
    assert client.post(world.url + "movement/", {"title": "x"}).status_code == 403


def test_movement_form_names_a_missing_field(
    as_user: Callable[[User], Client], world: World
) -> None:
    response = as_user(world.son_la_officer).post(
        world.url + "movement/", {"title": "", "launched_on": "2016-03-18", "goals": "x"}
    )
    assert response.status_code == 400
    assert not Movement.objects.exists()


def test_secretariat_writes_the_pledge_articles(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    form = client.get(world.url + "pledge/edit/")
    response = client.post(
        world.url + "pledge/edit/",
        {
            "title": "Giao ước thi đua năm 2016",
            "preamble": "",
            "articles": "Điều một.\r\n\r\nĐiều hai.\r\n\r\n",
            "version": form.context["form"]["version"].value(),
        },
    )
    assert response.status_code == 302
    from thidua.cycle.models import Pledge

    assert list(Pledge.objects.get().articles.values_list("text", flat=True)) == [
        "Điều một.",
        "Điều hai.",
    ]


def test_leader_signs_the_pledge_from_its_page(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.to_pledge_phase()
    client = as_user(world.lai_chau_leader)
    page = client.get(world.url + "pledge/").content.decode()
    assert 'data-testid="sign-pledge"' in page and 'name="confirm"' in page
    unticked = client.post(world.url + "pledge/", follow=True).content.decode()
    assert "bước này không thể hoàn tác" in unticked
    assert not Signature.objects.exists()
    response = client.post(world.url + "pledge/", {"confirm": "yes"})
    assert response.status_code == 302
    assert Signature.objects.filter(organization=world.orgs["lai_chau"]).exists()


def test_second_signature_from_the_page_is_refused_with_a_message(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.to_pledge_phase()
    client = as_user(world.lai_chau_leader)
    client.post(world.url + "pledge/", {"confirm": "yes"})
    response = client.post(world.url + "pledge/", {"confirm": "yes"})
    assert response.status_code == 409
    assert "đã ký giao ước" in response.content.decode()
    assert Signature.objects.count() == 1


def test_officer_gets_403_signing_the_pledge(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.to_pledge_phase()
    response = as_user(world.lai_chau_officer).post(world.url + "pledge/")
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_history_page_tells_the_years_changes_in_sentences(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.launch()
    cycle_actions.do_set_movement(
        world.year,
        title="Phong trào thi đua yêu nước năm 2016",
        launched_on=dt.date(2016, 3, 20),
        goals="Hoàn thành xuất sắc nhiệm vụ chính trị được giao.",
        version=cycle_actions.movement_version(Movement.objects.get(year=world.year)),
        acting_user=world.son_la_officer,
    )
    body = as_user(world.lai_chau_officer).get(world.url + "history/").content.decode()
    officer = f"{world.son_la_officer} (Sở KH&amp;ĐT Sơn La)"
    assert f"{officer} đã phát động phong trào thi đua" in body
    assert f"{officer} đã soạn giao ước thi đua" in body
    assert "Tiêu đề: Phong trào thi đua năm 2016 → Phong trào thi đua yêu nước năm 2016" in body
    assert "Ngày phát động: 18/03/2016 → 20/03/2016" in body
    assert "movement.set" not in body and "{" not in body.split("<ol", 1)[1].split("</ol>")[0]


def test_history_is_filtered_by_area_unit_and_period(
    as_user: Callable[[User], Client], world: World
) -> None:
    world.launch()
    client = as_user(world.lai_chau_officer)
    page = client.get(world.url + "history/").content.decode()
    assert 'name="area"' in page and 'name="unit"' in page and 'name="since"' in page
    from thidua.cycle import history

    year_area = history.areas().index("Năm thi đua")
    voting_area = history.areas().index("Bỏ phiếu")
    mine = client.get(world.url + f"history/?area={year_area}").content.decode()
    assert "đã phát động phong trào thi đua" in mine
    none = client.get(world.url + f"history/?area={voting_area}").content.decode()
    assert "đã phát động phong trào thi đua" not in none
    lai_chau = world.orgs["lai_chau"].pk
    other_unit = client.get(world.url + f"history/?unit={lai_chau}").content.decode()
    assert "đã phát động phong trào thi đua" not in other_unit
    later = client.get(world.url + "history/?since=01/01/2099").content.decode()
    assert "Chưa có thay đổi nào" in later or "đã phát động" not in later


def test_cluster_page_lists_years_and_lets_the_secretariat_open_the_next(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.son_la_officer)
    page = client.get(f"/c/{world.cluster.slug}/")
    assert page.status_code == 200
    ids = [world.orgs[k].pk for k in ("son_la", "cao_bang", "lai_chau")]
    response = client.post(
        f"/c/{world.cluster.slug}/",
        {"year": 2017, "members": ids, "head": ids[2], "deputy": ids[1]},
    )
    assert response.status_code == 302
    assert world.cluster.years.filter(year=2017).exists()


def test_member_gets_403_opening_a_year(as_user: Callable[[User], Client], world: World) -> None:
    client = as_user(world.lai_chau_leader)
    response = client.post(f"/c/{world.cluster.slug}/", {"year": 2017})
    assert response.status_code == 403
    assert not world.cluster.years.filter(year=2017).exists()


def test_home_lists_the_users_clusters(as_user: Callable[[User], Client], world: World) -> None:
    body = as_user(world.lai_chau_officer).get("/").content.decode()
    assert escape(world.cluster.name) in body
    body = as_user(world.outsider).get("/").content.decode()
    assert escape(world.cluster.name) not in body


def test_pages_speak_vietnamese_by_default_and_english_on_request(
    as_user: Callable[[User], Client], world: World
) -> None:
    client = as_user(world.lai_chau_officer)
    # An English browser still gets Vietnamese until the user switches.
    page = client.get(world.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Thành viên" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": world.url})
    assert "Members" in client.get(world.url).content.decode()


def test_pages_carry_a_strict_content_security_policy(
    as_user: Callable[[User], Client], world: World
) -> None:
    response = as_user(world.lai_chau_officer).get(world.url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
