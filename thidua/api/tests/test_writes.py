"""The API's writes that the pages do: each through the page's form and the area's `do_*`
action, allowed for whom the page allows and refused, with the page's words, for the rest."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from thidua.api.tests.conftest import (
    SCORES,
    jump,
    make_table,
    membership,
    move,
    nominate,
    open_poll,
    self_score,
    submit,
    to_cross_check,
    to_in_progress,
    year_url,
)
from thidua.award_history.models import AwardRecord, Initiative, TaskRating
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import Nomination
from thidua.conference.actions import do_generate_report
from thidua.conference.models import Comment
from thidua.cycle.models import Deadline, Phase
from thidua.lib import clock
from thidua.orgs.models import Person, PersonPosition
from thidua.scoring.models import Dispute, Review, Score
from thidua.testing.personas import World
from thidua.voting.models import Poll


def post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


# --- award history ----------------------------------------------------------------------


def test_the_supervisor_writes_a_persons_history(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    person = post(
        client,
        "/api/v1/people",
        {"full_name": "Trần Văn Minh", "birth_year": 1975, "unit": world.orgs["son_la"].pk},
    )
    assert person.status_code == 201, person.json()
    pk = person.json()["id"]
    award = post(
        client,
        f"/api/v1/people/{pk}/awards",
        {
            "award": "cstdcs",
            "year": 2015,
            "decision_number": "12/QĐ-UBND",
            "decision_date": "2016-01-20",
            "issuer_name": "UBND tỉnh Sơn La",
        },
    )
    assert award.status_code == 201, award.json()
    assert AwardRecord.objects.get(pk=award.json()["id"]).person_id == pk
    rating = post(client, f"/api/v1/people/{pk}/ratings", {"year": 2015, "rating": "htxsnv"})
    assert rating.status_code == 201, rating.json()
    assert TaskRating.objects.filter(person_id=pk, year=2015).exists()
    twice = post(client, f"/api/v1/people/{pk}/ratings", {"year": 2015, "rating": "httnv"})
    assert twice.status_code == 409  # the rating is stored: correcting it says so
    initiative = post(
        client,
        f"/api/v1/people/{pk}/initiatives",
        {"title": "Số hoá hồ sơ đầu tư", "level": "ministry_province", "year": 2015},
    )
    assert initiative.status_code == 201, initiative.json()
    assert Initiative.objects.filter(person_id=pk).count() == 1
    position = post(
        client,
        f"/api/v1/people/{pk}/positions",
        {"unit": world.orgs["son_la"].pk, "position": "Phó Giám đốc", "since": "2016-01-01"},
    )
    assert position.status_code == 201
    assert PersonPosition.objects.filter(person_id=pk, title="Phó Giám đốc").exists()


def test_a_namesake_needs_confirming_as_on_the_page(api: Any, world: World) -> None:
    client = api(world.supervisor)
    body = {"full_name": "Trần Văn Minh", "unit": world.orgs["son_la"].pk}
    assert post(client, "/api/v1/people", body).status_code == 201
    again = post(client, "/api/v1/people", body)
    assert again.status_code == 400
    assert again.json()["detail"].startswith("Đã có người đăng ký với họ tên này")
    assert post(client, "/api/v1/people", {**body, "confirm_new": True}).status_code == 201
    assert Person.objects.filter(full_name="Trần Văn Minh").count() == 2


def test_a_unit_officer_may_not_keep_everyones_history(api: Any, world: World) -> None:
    answer = post(
        api(world.lai_chau_officer),
        "/api/v1/people",
        {"full_name": "Trần Văn Minh", "unit": world.orgs["lai_chau"].pk},
    )
    assert answer.status_code == 403
    assert not Person.objects.filter(full_name="Trần Văn Minh").exists()


def test_an_invalid_award_is_refused_with_the_forms_words(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    pk = post(
        client, "/api/v1/people", {"full_name": "Lò Văn Giàng", "unit": world.orgs["son_la"].pk}
    ).json()["id"]
    answer = post(
        client,
        f"/api/v1/people/{pk}/awards",
        {
            "award": "no-such-award",
            "year": 2015,
            "decision_number": "1",
            "decision_date": "2016-01-01",
            "issuer_name": "UBND",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Yêu cầu không hợp lệ: award_type: ")
    assert not AwardRecord.objects.filter(person_id=pk).exists()


# --- nominations --------------------------------------------------------------------------


def test_a_nomination_from_draft_to_decision(api: Any, world: World) -> None:
    jump(world, Phase.PROPOSALS)
    made = nominate(world)
    url = f"{year_url(world)}/nominations"
    officer = api(world.lai_chau_officer)
    drafted = post(
        officer,
        url,
        {
            "person": made.person.pk,
            "award": "bk_bo",
            "summary": "Nhiều năm hoàn thành xuất sắc nhiệm vụ.",
            "clean_record": "yes",
        },
    )
    assert drafted.status_code == 201, drafted.json()
    pk = drafted.json()["id"]
    assert drafted.json()["status"] == "draft"
    # Only the unit's leader submits, as on the page.
    assert post(officer, f"{url}/{pk}/submit").status_code == 403
    leader = api(world.lai_chau_leader)
    assert post(leader, f"{url}/{pk}/submit").json()["status"] == "submitted"
    compiled = post(api(world.son_la_officer), f"{year_url(world)}/proposal")
    assert pk in compiled.json()["compiled"]
    supervisor = api(world.supervisor)
    no_reason = post(supervisor, f"{url}/{pk}/return", {"reason": "  "})
    assert no_reason.status_code == 400
    assert post(supervisor, f"{url}/{pk}/approve").json()["status"] == "approved"
    decision = post(
        supervisor,
        f"{year_url(world)}/decisions",
        {
            "authority": "minister",
            "date": "2017-03-01",
            "issuer_name": "Bộ Kế hoạch và Đầu tư",
            "signer_name": "Nguyễn Chí Dũng",
        },
    )
    assert decision.status_code == 201, decision.json()
    assert decision.json()["nominations"] == 1
    assert Nomination.objects.get(pk=pk).status == Nomination.Status.DECIDED


def test_a_nomination_of_someone_else_is_refused_by_the_form(api: Any, world: World) -> None:
    jump(world, Phase.PROPOSALS)
    ensure_catalogue()
    outsider_person = Person.objects.create(full_name="Người ngoài", name_key="nguoi ngoai")
    answer = post(
        api(world.lai_chau_officer),
        f"{year_url(world)}/nominations",
        {"person": outsider_person.pk, "award": "ldtt", "summary": "x"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Yêu cầu không hợp lệ: person: ")


# --- polls --------------------------------------------------------------------------------

POLL = {
    "title": "Bầu Cụm trưởng năm 2017",
    "purpose": "head",
    "method": "online",
    "threshold_base": "cast",
    "tie_rule": "runoff",
    "disclosure": "full",
}


def test_the_secretariat_prepares_opens_and_closes_a_poll(api: Any, world: World) -> None:
    jump(world, Phase.VOTING)
    client = api(world.son_la_officer)
    url = f"{year_url(world)}/polls"
    units = [world.orgs["son_la"].pk, world.orgs["cao_bang"].pk]
    created = post(client, url, {**POLL, "units": units})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert {c["organization_id"] for c in created.json()["candidates"]} == set(units)
    bad = post(client, f"{url}/{pk}/update", {**POLL, "threshold": "3/2"})
    assert bad.status_code == 400
    assert "1/1" in bad.json()["detail"]
    assert post(client, f"{url}/{pk}/open").json()["status"] == "open"
    assert post(client, f"{url}/{pk}/open").status_code == 409
    assert post(client, f"{url}/{pk}/close").json()["status"] == "closed"
    assert post(api(world.lai_chau_leader), f"{url}/{pk}/close").status_code == 403


def test_a_paper_count_is_entered_then_confirmed_by_another(api: Any, world: World) -> None:
    jump(world, Phase.VOTING)
    poll = open_poll(world, method=Poll.Method.PAPER)
    url = f"{year_url(world)}/polls/{poll.pk}"
    first = api(world.son_la_officer)
    post(first, f"{url}/close")
    candidates = [c.pk for c in poll.candidates.order_by("position")]
    too_many = post(
        first,
        f"{url}/paper-count",
        {"ballots_cast": 1, "blank_ballots": 0, "votes": {str(candidates[0]): 5}},
    )
    assert too_many.status_code == 400
    entered = post(
        first,
        f"{url}/paper-count",
        {"ballots_cast": 3, "blank_ballots": 0, "votes": {str(candidates[0]): 3}},
    )
    assert entered.status_code == 200, entered.json()
    assert post(first, f"{url}/paper-count/confirm").status_code == 403  # the same person
    confirmed = post(api(world.cao_bang_officer), f"{url}/paper-count/confirm")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["has_results"]


# --- scoring ------------------------------------------------------------------------------


def test_self_scores_cross_check_and_a_dispute(api: Any, world: World) -> None:
    to_in_progress(world)
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)
    url = f"{year_url(world)}/scoring/units/{world.orgs['lai_chau'].pk}"
    # The test client is one: `api(user)` makes it carry that user's token from then on.
    officer = world.lai_chau_officer
    wrong = post(api(officer), f"{url}/scores", {"scores": {"I.1": {"points": "11"}}})
    assert wrong.status_code == 400  # over the item's 10 points, as the page's form says
    scores = {
        n: {"points": v, "explanation": "Theo báo cáo."} for n, v in SCORES["lai_chau"].items()
    }
    saved = post(api(officer), f"{url}/scores", {"scores": scores})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["total"] == "15"
    assert post(api(world.cao_bang_officer), f"{url}/submit").status_code == 403  # not its own
    assert post(api(world.lai_chau_leader), f"{url}/submit").json()["submitted"]
    again = post(api(officer), f"{url}/scores", {"scores": scores})
    assert again.status_code == 409
    for key in ("son_la", "cao_bang"):
        self_score(world, key)
        submit(world, key)
    move(world, Phase.CROSS_CHECK)
    members = {k: world.orgs[k].pk for k in ("son_la", "cao_bang", "lai_chau")}
    plan = {
        str(members["lai_chau"]): members["son_la"],
        str(members["son_la"]): members["cao_bang"],
        str(members["cao_bang"]): members["lai_chau"],
    }
    secretariat = world.son_la_officer
    itself = post(
        api(secretariat), f"{year_url(world)}/scoring/reviewers",
        {"reviewers": {**plan, str(members["son_la"]): members["son_la"]}},
    )  # fmt: skip
    assert itself.status_code == 400
    assigned = post(api(secretariat), f"{year_url(world)}/scoring/reviewers", {"reviewers": plan})
    assert assigned.status_code == 200, assigned.json()
    # Sơn La cross-checks Lai Châu; Cao Bằng may not.
    change = {"reviews": {"I.1": {"points": "7", "reason": "Thiếu minh chứng."}}}
    assert post(api(world.cao_bang_officer), f"{url}/review", change).status_code == 403
    reviewed = post(api(secretariat), f"{url}/review", change)
    assert reviewed.status_code == 200, reviewed.json()
    assert Review.objects.filter(score__criterion__number="I.1").count() == 1
    disputed = post(api(officer), f"{url}/disputes", {"criterion": "I.1", "reason": "Đã nộp."})
    assert disputed.status_code == 200, disputed.json()
    settled = post(
        api(secretariat),
        f"{url}/disputes/settle",
        {"criterion": "I.1", "points": "7,5", "reason": "Minh chứng một phần."},
    )
    assert settled.status_code == 200, settled.json()
    dispute = Dispute.objects.get(score__criterion__number="I.1")
    assert str(dispute.settled_points) == "7.50"
    assert Score.objects.filter(assessment__membership=membership(world, "lai_chau")).count() == 4


def test_scores_wait_for_the_self_assessment_phase(api: Any, world: World) -> None:
    to_in_progress(world)
    make_table(world)
    url = f"{year_url(world)}/scoring/units/{world.orgs['lai_chau'].pk}/scores"
    answer = post(api(world.lai_chau_officer), url, {"scores": {}})
    assert answer.status_code == 409


def test_reviews_need_an_assignment(api: Any, world: World) -> None:
    to_in_progress(world)
    make_table(world)
    move(world, Phase.SELF_ASSESSMENT)
    to_cross_check(world)
    url = f"{year_url(world)}/scoring/units/{world.orgs['son_la'].pk}/review"
    assert post(api(world.son_la_officer), url, {"reviews": {}}).status_code == 403


# --- the year and the conference ----------------------------------------------------------


def test_the_secretariat_sets_the_year_up(api: Any, world: World) -> None:
    client = api(world.son_la_officer)
    movement = post(
        client,
        f"{year_url(world)}/movement",
        {"title": "Thi đua 2016", "launched_on": "2016-02-15", "goals": "Hoàn thành kế hoạch."},
    )
    assert movement.status_code == 200, movement.json()
    pledge = post(
        client,
        f"{year_url(world)}/pledge",
        {"title": "Giao ước thi đua 2016", "articles": ["Điều một.", "Điều hai."]},
    )
    assert pledge.json()["articles"] == ["Điều một.", "Điều hai."]
    # A phase still to come has no deadline before today: this one is set in March 2016.
    with clock.at(dt.datetime(2016, 3, 1, 9, tzinfo=dt.UTC)):
        deadline = post(
            client, f"{year_url(world)}/deadlines", {"phase": "pledge", "due_on": "2016-03-31"}
        )
    assert deadline.json() == {"phase": "pledge", "due_on": "2016-03-31"}
    assert Deadline.objects.filter(year=world.year, phase="pledge").exists()
    lifted = post(client, f"{year_url(world)}/deadlines", {"phase": "pledge"})
    assert lifted.json()["due_on"] is None
    assert post(api(world.lai_chau_officer), f"{year_url(world)}/movement", {}).status_code in (
        403,
        422,
    )


def test_members_comment_on_the_draft_report(api: Any, world: World) -> None:
    jump(world, Phase.CONFERENCE)
    do_generate_report(world.year, acting_user=world.son_la_officer)
    client = api(world.lai_chau_officer)
    report = client.get(f"{year_url(world)}/conference/report").json()
    section = report["sections"][0]["key"]
    url = f"{year_url(world)}/conference/report/comments"
    made = post(client, url, {"section": section, "kind": "comment", "text": "Bổ sung số liệu."})
    assert made.status_code == 201, made.json()
    assert made.json()["sections"][0]["comments"][0]["text"] == "Bổ sung số liệu."
    unknown = post(client, url, {"section": "nowhere", "kind": "comment", "text": "x"})
    assert unknown.status_code == 400
    assert (
        post(
            api(world.outsider), url, {"section": section, "kind": "comment", "text": "x"}
        ).status_code
        == 404
    )
    assert Comment.objects.count() == 1


def test_the_secretariat_sets_up_the_conference_and_its_attendees(api: Any, world: World) -> None:
    jump(world, Phase.CONFERENCE)
    url = f"{year_url(world)}/conference"
    setup = {
        "starts_on": "2016-12-08",
        "ends_on": "2016-12-09",
        "host": world.orgs["son_la"].pk,
        "venue": "Hội trường Sở Kế hoạch và Đầu tư tỉnh Sơn La",
        "agenda": "Khai mạc\nBáo cáo tổng kết",
    }
    assert post(api(world.lai_chau_officer), url, setup).status_code == 403
    backwards = post(api(world.son_la_officer), url, {**setup, "ends_on": "2016-12-01"})
    assert backwards.status_code == 400
    saved = post(api(world.son_la_officer), url, setup)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["venue"] == setup["venue"]
    added = post(
        api(world.son_la_officer),
        f"{url}/attendees",
        {"name": "Lê Văn Bình", "position": "Giám đốc", "unit": "Sở KH&ĐT Sơn La", "role": "chair"},
    )
    assert added.status_code == 201, added.json()
    attendee = added.json()["id"]
    assert api(world.lai_chau_officer).delete(f"{url}/attendees/{attendee}").status_code == 403
    assert api(world.son_la_officer).delete(f"{url}/attendees/{attendee}").status_code == 204
    assert api(world.son_la_officer).get(url).json()["attendees"] == []
