"""Every list a mirror reads: the year's history by cursor and filters, and the year's other
lists (clusters, polls, indicators, figures, values, criteria table, ranking) by `ETag`.

A mirror asks again with `If-None-Match` and gets 304 until a write changes what it would
read; the permission is checked first, so an outsider's `If-None-Match` is still a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from thidua.audit.models import AuditEntry
from thidua.audit.record import record
from thidua.cycle import history as cycle_history
from thidua.cycle import hooks as cycle_hooks
from thidua.cycle.models import Phase
from thidua.indicators import actions as indicator_actions
from thidua.lib import clock
from thidua.orgs import actions as org_actions
from thidua.orgs.models import User
from thidua.scoring import actions as scoring_actions
from thidua.scoring.models import CriteriaTable, Criterion, ReviewAssignment
from thidua.testing.personas import World

from .conftest import (
    cast,
    define_indicators,
    jump,
    make_table,
    move,
    open_poll,
    report,
    to_cross_check,
    to_in_progress,
    year_url,
)

pytestmark = pytest.mark.django_db

Api = Callable[[User], Client]


def history_url(world: World, query: str = "") -> str:
    return year_url(world) + "/history" + (f"?{query}" if query else "")


def shown_entries(world: World) -> list[int]:
    """The ids of the year's entries the history shows, oldest first (no vote one by one)."""
    found = AuditEntry.objects.filter(year=world.year).exclude(action="poll.vote")
    return list(found.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def pledged(world: World) -> World:
    """The year launched, its pledge signed by the three members: a history of a few lines."""
    world.sign_all(world.to_pledge_phase())
    return world


# --- the history: a cursor, the page's filters, numbered pages still -------------------------


def test_the_history_cursor_walks_every_entry_once_with_one_written_between_pages(
    api: Api, pledged: World
) -> None:
    client = api(pledged.supervisor)
    first = client.get(history_url(pledged, "limit=3")).json()
    assert first["page"] is None and first["pages"] is None and first["more"] is True
    assert first["count"] == len(shown_entries(pledged))
    seen = [e["id"] for e in first["entries"]]
    # Between two pages, the secretariat moves the year on through the API: a new entry.
    moved = api(pledged.son_la_officer).post(
        year_url(pledged) + "/phase", {"target": Phase.IN_PROGRESS}, content_type="application/json"
    )
    assert moved.status_code == 200
    client = api(pledged.supervisor)
    cursor = first["next"]
    while True:
        page = client.get(history_url(pledged, f"limit=3&after={cursor}")).json()
        seen += [e["id"] for e in page["entries"]]
        cursor = page["next"]
        if not page["more"]:
            break
    assert seen == shown_entries(pledged)  # each once, oldest first, the new one last
    assert AuditEntry.objects.get(pk=seen[-1]).action == "year.phase"
    # Caught up: an empty page gives the same cursor back, and 304 with its ETag.
    idle = client.get(history_url(pledged, f"limit=3&after={cursor}"))
    assert idle.json()["entries"] == [] and idle.json()["next"] == cursor
    again = client.get(
        history_url(pledged, f"limit=3&after={cursor}"), HTTP_IF_NONE_MATCH=idle.headers["ETag"]
    )
    assert again.status_code == 304 and again.content == b""


def test_the_history_is_narrowed_as_the_page_narrows_it(api: Api, pledged: World) -> None:
    client = api(pledged.lai_chau_officer)
    lai_chau = pledged.orgs["lai_chau"].pk
    own = client.get(history_url(pledged, f"unit={lai_chau}")).json()
    assert [e["action"] for e in own["entries"]] == ["pledge.sign"]
    assert own["count"] == 1
    area = cycle_history.areas().index(str(cycle_hooks.action_areas["pledge.sign"]))
    in_area = client.get(history_url(pledged, f"area={area}")).json()["entries"]
    assert {e["action"] for e in in_area} >= {"year.open", "pledge.set", "pledge.sign"}
    today = timezone.localdate()
    days = (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1))
    periods = {
        query: len(client.get(history_url(pledged, query)).json()["entries"])
        for query in (f"until={days[0]}", f"since={days[0]}&until={days[1]}", f"since={days[2]}")
    }
    assert list(periods.values()) == [0, len(shown_entries(pledged)), 0]
    # A unit that is not a member is refused by the page's own form, as a wrong choice.
    outside = client.get(history_url(pledged, f"unit={pledged.orgs['yen_bai'].pk}"))
    assert outside.status_code == 400
    assert outside.json()["detail"].startswith("Yêu cầu không hợp lệ: unit:")


def test_a_history_cursor_of_other_filters_is_422_and_a_forged_one_400(
    api: Api, pledged: World
) -> None:
    client = api(pledged.supervisor)
    son_la = pledged.orgs["son_la"].pk
    first = client.get(history_url(pledged, f"unit={son_la}&limit=1")).json()
    cursor = first["next"]
    assert cursor and first["more"]
    other = client.get(history_url(pledged, f"limit=1&after={cursor}"))
    assert other.status_code == 422
    assert other.json()["detail"].startswith("query.after: con trỏ này được cấp cho danh sách")
    same = client.get(history_url(pledged, f"unit={son_la}&limit=1&after={cursor}"))
    assert same.status_code == 200 and same.json()["entries"][0]["id"] > first["entries"][0]["id"]
    forged = signing.dumps({"f": "x", "k": 0}, salt="another")
    assert client.get(history_url(pledged, f"after={forged}")).status_code == 400
    # A page number and a cursor together: one or the other.
    both = client.get(history_url(pledged, f"unit={son_la}&page=1&after={cursor}"))
    assert both.status_code == 400
    assert both.json()["detail"].startswith("query.page:")


def test_numbered_pages_stay_newest_first_as_the_history_page(api: Api, pledged: World) -> None:
    client = api(pledged.supervisor)
    ids = shown_entries(pledged)
    first = client.get(history_url(pledged, "page=1&limit=3")).json()
    assert [e["id"] for e in first["entries"]] == ids[::-1][:3]
    assert (first["page"], first["pages"], first["next"], first["more"]) == (
        1,
        -(-len(ids) // 3),
        None,
        True,
    )
    last = client.get(history_url(pledged, "page=99&limit=3")).json()
    assert last["page"] == first["pages"] and last["more"] is False


def test_the_history_answers_304_to_the_etag_until_an_entry_is_written(
    api: Api, pledged: World
) -> None:
    client = api(pledged.supervisor)
    read = client.get(history_url(pledged))
    etag, modified = read.headers["ETag"], read.headers["Last-Modified"]
    assert client.get(history_url(pledged), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(history_url(pledged), HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
    move(pledged, Phase.IN_PROGRESS)
    changed = client.get(history_url(pledged), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json()["entries"][-1]["action"] == "year.phase"


def test_an_entry_written_in_the_same_second_is_not_missed(api: Api, pledged: World) -> None:
    # Two entries a fraction of a second apart: HTTP dates are to the second, so the
    # client's Last-Modified is the same before and after; only the ETag tells them apart.
    second = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    client = api(pledged.supervisor)
    with clock.at(second + dt.timedelta(milliseconds=100)):
        move(pledged, Phase.IN_PROGRESS)
    read = client.get(history_url(pledged))
    etag, modified = read.headers["ETag"], read.headers["Last-Modified"]
    assert modified == http_date(second.timestamp())
    with clock.at(second + dt.timedelta(milliseconds=700)):
        record("year.note", pledged.year, actor=pledged.son_la_officer, year=pledged.year)
    by_date = client.get(history_url(pledged), HTTP_IF_MODIFIED_SINCE=modified)
    assert by_date.status_code == 200
    assert by_date.headers["Last-Modified"] == modified
    assert by_date.json()["entries"][-1]["action"] == "year.note"
    by_etag = client.get(history_url(pledged), HTTP_IF_NONE_MATCH=etag)
    assert by_etag.status_code == 200 and by_etag.headers["ETag"] != etag
    current = by_etag.headers["ETag"]
    assert client.get(history_url(pledged), HTTP_IF_NONE_MATCH=current).status_code == 304
    # Nor does a date later than every change answer 304 alone: the ETag decides.
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert client.get(history_url(pledged), HTTP_IF_MODIFIED_SINCE=later).status_code == 200


def test_an_outsider_gets_404_for_the_history_with_or_without_a_validator(
    api: Api, pledged: World
) -> None:
    etag = api(pledged.lai_chau_officer).get(history_url(pledged)).headers["ETag"]
    client = api(pledged.outsider)
    for query in ("", "page=1", "limit=1"):
        assert client.get(history_url(pledged, query)).status_code == 404
    assert client.get(history_url(pledged), HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert client.get(history_url(pledged), HTTP_IF_NONE_MATCH="*").status_code == 404


# --- the bounded lists: the whole list, with an ETag -----------------------------------------


def follows(api: Api, reader: User, url: str, write: Callable[[], Any]) -> tuple[Any, Any]:
    """The list read, 304 with its ETag, then a write: 200 with another ETag, itself 304."""
    client = api(reader)
    first = client.get(url)
    assert first.status_code == 200, first.content
    etag = first.headers["ETag"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag
    write()
    client = api(reader)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get(url, HTTP_IF_NONE_MATCH=changed.headers["ETag"]).status_code == 304
    return first.json(), changed.json()


def refused_to_outsider(api: Api, world: World, url: str) -> None:
    """The outsider's 404 comes before any validator is looked at."""
    client = api(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_clusters_answer_304_until_one_is_made(api: Api, world: World) -> None:
    def another() -> None:
        org_actions.do_create_cluster(
            slug="cum-2",
            name="Cụm thi đua số 2",
            supervisor=world.orgs["supervisor"],
            acting_user=world.admin,
        )

    before, after = follows(api, world.supervisor, "/api/v1/clusters", another)
    assert [c["slug"] for c in before] == [world.cluster.slug]
    assert {c["slug"] for c in after} == {world.cluster.slug, "cum-2"}
    # The outsider's list holds neither cluster, and its ETag is of its own (empty) list.
    outsider = api(world.outsider).get("/api/v1/clusters")
    assert outsider.json() == []
    assert outsider.headers["ETag"] != api(world.supervisor).get("/api/v1/clusters").headers["ETag"]


def test_the_polls_answer_304_until_a_unit_votes(api: Api, world: World) -> None:
    world.sign_all(world.to_pledge_phase())
    jump(world, Phase.VOTING)
    poll = open_poll(world)
    url = year_url(world) + "/polls"
    before, after = follows(
        api, world.lai_chau_officer, url, lambda: cast(world, poll, "cao_bang", "son_la")
    )
    assert [p["units_voted"] for p in before] == [0]
    assert [p["units_voted"] for p in after] == [1]
    refused_to_outsider(api, world, url)


@pytest.fixture
def reporting(world: World) -> World:
    """The year in progress with three indicators, Sơn La's values, an unlocked table."""
    to_in_progress(world)
    define_indicators(world)
    report(world, "son_la", GRDP="32426", TONG_SO_XA="204", XA_CO_DUONG="200")
    make_table(world)
    return world


def test_the_indicators_answer_304_until_one_is_defined(api: Api, reporting: World) -> None:
    def define() -> None:
        indicator_actions.do_save_indicator(
            reporting.year,
            indicator_actions.IndicatorSpec(
                code="DT", name="Diện tích", unit="km²", decimals=0, method="sum", order=4
            ),
            acting_user=reporting.son_la_officer,
        )

    url = year_url(reporting) + "/indicators"
    before, after = follows(api, reporting.cao_bang_officer, url, define)
    assert [i["code"] for i in after] == [i["code"] for i in before] + ["DT"]
    refused_to_outsider(api, reporting, url)


@pytest.mark.parametrize("path", ["/figures", "/values"])
def test_the_figures_and_values_answer_304_until_a_unit_reports(
    api: Api, reporting: World, path: str
) -> None:
    url = year_url(reporting) + "/indicators" + path
    before, after = follows(
        api,
        reporting.supervisor,
        url,
        lambda: report(reporting, "cao_bang", GRDP="16021", TONG_SO_XA="108"),
    )
    assert before != after
    refused_to_outsider(api, reporting, url)


def test_the_criteria_table_answers_304_until_a_criterion_is_added(
    api: Api, reporting: World
) -> None:
    def add() -> None:
        scoring_actions.do_add_criterion(
            CriteriaTable.objects.get(year=reporting.year),
            parent=None,
            data=scoring_actions.CriterionInput("II", "Tiêu chí II", "section", Decimal(5)),
            acting_user=reporting.son_la_officer,
        )

    url = year_url(reporting) + "/scoring/table"
    before, after = follows(api, reporting.lai_chau_officer, url, add)
    assert [c["number"] for c in after["criteria"]] == [c["number"] for c in before["criteria"]] + [
        "II"
    ]
    refused_to_outsider(api, reporting, url)


def test_the_ranking_answers_304_until_a_review_moves_it(api: Api, reporting: World) -> None:
    move(reporting, Phase.SELF_ASSESSMENT)
    to_cross_check(reporting)
    assignment = ReviewAssignment.objects.select_related("reviewer", "reviewed").get(
        reviewed__organization=reporting.orgs["son_la"]
    )
    officers = {
        reporting.orgs[key].pk: getattr(reporting, f"{key}_officer")
        for key in ("son_la", "cao_bang", "lai_chau")
    }
    item = Criterion.objects.get(table__year=reporting.year, number="I.1")

    def review() -> None:
        scoring_actions.do_save_review(
            assignment,
            entries={item.pk: scoring_actions.ReviewInput(Decimal(5), "Thiếu minh chứng.")},
            acting_user=officers[assignment.reviewer.organization_id],
        )

    url = year_url(reporting) + "/scoring/ranking"
    before, after = follows(api, reporting.lai_chau_officer, url, review)
    totals = {
        when: {s["organization_id"]: s["total"] for s in answer["standings"]}
        for when, answer in (("before", before), ("after", after))
    }
    son_la = reporting.orgs["son_la"].pk
    assert (totals["before"][son_la], totals["after"][son_la]) == ("21", "16")
    refused_to_outsider(api, reporting, url)
