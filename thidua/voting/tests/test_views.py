"""Each voting page with an allowed persona and a refused one."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from thidua.orgs.models import User
from thidua.testing.personas import World
from thidua.voting.models import Poll, SealedBallot, VoterRegister

from .conftest import candidate, cast, make_poll, open_poll

FORM = {
    "title": "Bầu Cụm trưởng năm 2017",
    "purpose": "head",
    "method": "online",
    "max_choices": "1",
    "seats": "1",
    "allow_self_vote": "on",
    "threshold_base": "cast",
    "threshold": "1/2",
    "strict": "on",
    "tie_rule": "runoff",
    "disclosure": "outcome_only",
    "next_round": "leading",
    "next_round_size": "2",
}


CONFIRMED = {"confirm": "yes"}  # the box a secretariat ticks before an irreversible step


def url(world: Any, poll: Any = None, tail: Any = "") -> Any:
    base = world.url + "voting/"
    return base + (f"{poll.pk}/" if poll else "") + tail


def test_member_sees_the_polls_and_outsider_gets_404(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    make_poll(voting_world)
    assert as_user(voting_world.lai_chau_officer).get(url(voting_world)).status_code == 200
    assert as_user(voting_world.outsider).get(url(voting_world)).status_code == 404


def test_poll_list_query_count_stays_flat(
    as_user: Callable[[User], Client],
    voting_world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(4):
        make_poll(voting_world, title=f"Cuộc bỏ phiếu {n}")
    client = as_user(voting_world.son_la_officer)
    with django_assert_max_num_queries(14):
        client.get(url(voting_world))


def test_poll_page_query_count_stays_flat(
    as_user: Callable[[User], Client],
    voting_world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    poll = open_poll(voting_world)
    client = as_user(voting_world.lai_chau_leader)
    with django_assert_max_num_queries(16):
        client.get(url(voting_world, poll))


def test_secretariat_prepares_a_poll_through_the_form(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    client = as_user(voting_world.son_la_officer)
    assert client.get(url(voting_world, tail="new/")).status_code == 200
    units = [voting_world.orgs[k].pk for k in ("son_la", "cao_bang", "lai_chau")]
    response = client.post(url(voting_world, tail="new/"), {**FORM, "units": units})
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.purpose == "head" and poll.disclosure == "outcome_only"
    assert poll.candidates.count() == 3


def test_poll_form_refuses_a_bad_threshold(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    client = as_user(voting_world.son_la_officer)
    units = [voting_world.orgs["son_la"].pk]
    response = client.post(
        url(voting_world, tail="new/"), {**FORM, "units": units, "threshold": "3/2"}
    )
    assert response.status_code == 400
    assert not Poll.objects.exists()


def test_member_gets_403_preparing_a_poll(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    client = as_user(voting_world.lai_chau_leader)
    assert client.get(url(voting_world, tail="new/")).status_code == 403
    assert client.post(url(voting_world, tail="new/"), FORM).status_code == 403
    assert not Poll.objects.exists()


def test_secretariat_edits_a_draft_poll(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = make_poll(voting_world)
    client = as_user(voting_world.cao_bang_officer)
    assert client.get(url(voting_world, poll, "edit/")).status_code == 200
    units = [voting_world.orgs["son_la"].pk, voting_world.orgs["lai_chau"].pk]
    response = client.post(
        url(voting_world, poll, "edit/"), {**FORM, "purpose": "flag", "units": units}
    )
    assert response.status_code == 302
    assert poll.candidates.count() == 2


def test_leader_votes_and_sees_the_receipt_once(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    client = as_user(voting_world.lai_chau_leader)
    page = client.get(url(voting_world, poll)).content.decode()
    assert 'data-testid="ballot"' in page
    response = client.post(
        url(voting_world, poll, "vote/"), {"choices": candidate(poll, "son_la", voting_world)}
    )
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt in response.content.decode()
    assert VoterRegister.objects.filter(poll=poll).count() == 1
    page = client.get(url(voting_world, poll)).content.decode()
    assert receipt not in page and 'data-testid="ballot"' not in page


def test_second_ballot_through_the_page_is_refused(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau")
    response = as_user(voting_world.lai_chau_leader).post(url(voting_world, poll, "vote/"), {})
    assert response.status_code == 409
    assert SealedBallot.objects.count() == 1


def test_officer_gets_403_casting_a_ballot(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    response = as_user(voting_world.lai_chau_officer).post(url(voting_world, poll, "vote/"), {})
    assert response.status_code == 403
    assert not SealedBallot.objects.exists()


def test_outsider_gets_404_casting_a_ballot(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    assert (
        as_user(voting_world.outsider).post(url(voting_world, poll, "vote/"), {}).status_code == 404
    )
    assert not SealedBallot.objects.exists()


def test_secretariat_opens_and_closes_from_the_page(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = make_poll(voting_world)
    client = as_user(voting_world.son_la_officer)
    assert client.post(url(voting_world, poll, "open/"), CONFIRMED).status_code == 302
    assert client.post(url(voting_world, poll, "close/"), CONFIRMED).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


def test_member_gets_403_opening_a_poll(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = make_poll(voting_world)
    assert (
        as_user(voting_world.lai_chau_leader)
        .post(url(voting_world, poll, "open/"), CONFIRMED)
        .status_code
        == 403
    )
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT


def closed_poll(world: Any, **overrides: Any) -> Any:
    poll = open_poll(world, **overrides)
    cast(world, poll, "cao_bang", "son_la")
    cast(world, poll, "lai_chau", "son_la")
    from thidua.voting.actions import do_close_poll

    return do_close_poll(poll, acting_user=world.son_la_officer)


def test_results_page_shows_counts_and_chart_data(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = closed_poll(voting_world)
    response = as_user(voting_world.supervisor).get(url(voting_world, poll, "results/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="result-data"' in body and "chart.umd.min.js" in body
    assert response.context["shown"].winners == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]


def test_results_page_has_nothing_before_the_close(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "cao_bang", "son_la")
    response = as_user(voting_world.son_la_officer).get(url(voting_world, poll, "results/"))
    assert response.context["shown"] is None
    assert 'data-testid="no-results"' in response.content.decode()
    assert (
        as_user(voting_world.son_la_officer)
        .get(url(voting_world, poll, "minutes.docx"))
        .status_code
        == 404
    )


def test_outcome_only_results_page_shows_no_numbers(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = closed_poll(voting_world, disclosure="outcome_only")
    response = as_user(voting_world.lai_chau_officer).get(url(voting_world, poll, "results/"))
    body = response.content.decode()
    assert (
        'id="result-data"' not in body
        and "%" not in body.split("result-table")[1].split("</table>")[0]
    )


def test_results_page_query_count(
    as_user: Callable[[User], Client],
    voting_world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    poll = closed_poll(voting_world)
    client = as_user(voting_world.lai_chau_officer)
    # 3 more than before the main menu, which is read again after a change.
    with django_assert_max_num_queries(15):
        client.get(url(voting_world, poll, "results/"))


def test_outsider_gets_404_for_results_and_minutes(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = closed_poll(voting_world)
    client = as_user(voting_world.outsider)
    assert client.get(url(voting_world, poll, "results/")).status_code == 404
    assert client.get(url(voting_world, poll, "minutes.docx")).status_code == 404


def test_member_downloads_the_minutes(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = closed_poll(voting_world)
    response = as_user(voting_world.lai_chau_officer).get(url(voting_world, poll, "minutes.docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_receipt_check_on_the_results_page(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    receipt = cast(voting_world, poll, "lai_chau", "son_la")
    as_user(voting_world.son_la_officer).post(url(voting_world, poll, "close/"), CONFIRMED)
    client = as_user(voting_world.lai_chau_leader)
    response = client.get(url(voting_world, poll, "results/"), {"code": receipt})
    assert response.context["receipt_checked"] is True
    response = client.get(url(voting_world, poll, "results/"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert response.context["receipt_checked"] is False


def test_paper_poll_pages(as_user: Callable[[User], Client], voting_world: World) -> None:
    poll = open_poll(voting_world, method="paper")
    secretariat = as_user(voting_world.son_la_officer)
    papers = secretariat.get(url(voting_world, poll, "papers.docx"))
    assert papers.status_code == 200
    secretariat.post(url(voting_world, poll, "close/"), CONFIRMED)
    form = {"ballots_cast": "3", "blank_ballots": "0"}
    form |= {f"votes_{c.pk}": "1" for c in poll.candidates.all()}
    assert secretariat.post(url(voting_world, poll, "count/"), form).status_code == 302
    same = secretariat.post(url(voting_world, poll, "count/confirm/"), CONFIRMED)
    assert same.status_code == 302
    poll.refresh_from_db()
    assert not poll.paper_count.is_confirmed
    second = as_user(voting_world.cao_bang_officer)
    second.post(url(voting_world, poll, "count/confirm/"))  # not ticked: nothing happens
    poll.paper_count.refresh_from_db()
    assert not poll.paper_count.is_confirmed
    second.post(url(voting_world, poll, "count/confirm/"), CONFIRMED)
    poll.paper_count.refresh_from_db()
    assert poll.paper_count.is_confirmed


def test_member_gets_403_for_paper_ballots_and_count(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world, method="paper")
    client = as_user(voting_world.lai_chau_leader)
    assert client.get(url(voting_world, poll, "papers.docx")).status_code == 403
    assert client.get(url(voting_world, poll, "count/")).status_code == 403


@pytest.mark.parametrize("tail", ["", "results/", "edit/"])
def test_poll_of_another_year_is_404(
    as_user: Callable[[User], Client], voting_world: World, tail: str
) -> None:
    poll = make_poll(voting_world)
    other = f"/c/{voting_world.cluster.slug}/2015/voting/{poll.pk}/{tail}"
    assert as_user(voting_world.son_la_officer).get(other).status_code == 404


def test_outside_the_conference_and_voting_the_poll_form_says_why_instead_of_showing(
    as_user: Callable[[User], Client], world: World
) -> None:
    from thidua.cycle.models import Phase

    from .conftest import to_phase

    to_phase(world, Phase.PROPOSALS)
    client = as_user(world.son_la_officer)
    why = "Cuộc bỏ phiếu được chuẩn bị trong giai đoạn Hội nghị tổng kết và Bỏ phiếu"
    form_page = client.get(url(world, tail="new/")).content.decode()
    assert why in form_page and 'data-testid="poll-form"' not in form_page
    listing = client.get(url(world)).content.decode()
    assert why in listing and 'data-testid="new-poll"' not in listing
    refused = client.post(url(world, tail="new/"), FORM)
    assert refused.status_code == 409 and not Poll.objects.exists()
