"""Results exist only after the close; disclosure, runoffs, paper counts and the documents."""

import io
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from thidua.errors import ActionRefused
from thidua.lib import docformat
from thidua.testing.personas import World
from thidua.voting import actions, documents, reads, rules
from thidua.voting.models import Poll

from .conftest import candidate, cast, open_poll


def result_of(poll: Any) -> Any:
    return reads.count(poll)


def close(world: Any, poll: Any) -> Any:
    return actions.do_close_poll(poll, acting_user=world.son_la_officer)


def test_no_result_before_the_close(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    assert result_of(poll) is None


def test_count_after_the_close(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "son_la", "cao_bang")
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    result = result_of(close(voting_world, poll))
    son_la = candidate(poll, "son_la", voting_world)
    assert result.ballots_cast == 3
    assert result.counts[son_la] == 2
    assert result.elected == (son_la,)


def test_threshold_of_members_entitled_counts_absent_units_against(voting_world: World) -> None:
    poll = open_poll(voting_world, threshold_base="entitled")
    cast(voting_world, poll, "cao_bang", "son_la")  # 1 of 3 entitled: not more than half
    result = result_of(close(voting_world, poll))
    assert result.elected == ()
    assert result.shares[candidate(poll, "son_la", voting_world)] == Fraction(1, 3)


def test_a_tie_calls_for_a_runoff_among_the_tied(voting_world: World) -> None:
    poll = open_poll(voting_world, purpose="head", allow_self_vote=True, threshold=Fraction(1, 3))
    cast(voting_world, poll, "son_la", "son_la")
    cast(voting_world, poll, "cao_bang", "cao_bang")
    poll = close(voting_world, poll)
    assert result_of(poll).needs_runoff
    runoff = actions.do_open_next_round(poll, acting_user=voting_world.son_la_officer)
    assert runoff.parent == poll and runoff.round == 2 and runoff.status == Poll.Status.OPEN
    assert [c.organization for c in reads.candidates_of(runoff)] == [
        voting_world.orgs["son_la"],
        voting_world.orgs["cao_bang"],
    ]
    with pytest.raises(ActionRefused):
        actions.do_open_next_round(poll, acting_user=voting_world.son_la_officer)
    cast(voting_world, runoff, "lai_chau", "cao_bang")
    assert result_of(close(voting_world, runoff)).elected == (
        candidate(runoff, "cao_bang", voting_world),
    )


def test_no_runoff_without_a_tie(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    poll = close(voting_world, poll)
    with pytest.raises(ActionRefused):
        actions.do_open_next_round(poll, acting_user=voting_world.son_la_officer)
    assert Poll.objects.count() == 1


def test_outcome_only_disclosure_shows_no_count(voting_world: World) -> None:
    poll = open_poll(voting_world, disclosure="outcome_only")
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    poll = close(voting_world, poll)
    candidates = reads.candidates_of(poll)
    shown = reads.shown(poll, result_of(poll), candidates)
    assert not shown.full
    assert shown.ballots_cast is None
    assert all(row.votes is None and row.percent is None for row in shown.rows)
    assert shown.winners == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_minutes_of_the_count_state_the_result(voting_world: World) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    cast(voting_world, poll, "son_la")
    poll = close(voting_world, poll)
    candidates = reads.candidates_of(poll)
    content = documents.minutes(poll, reads.shown(poll, result_of(poll), candidates))
    text = docx_text(content)
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    assert "Đề nghị tặng Cờ thi đua" in text
    assert (
        "Số phiếu phát ra: 3; số phiếu thu về: 3; số phiếu hợp lệ: 3, trong đó 1 phiếu trắng."
        in text
    )
    assert "66,7%" in text  # 2 votes of the 3 valid ballots
    assert "Số:       /BB-CTĐ" in text
    # The day the poll closed in Vietnam, which is the next day in UTC from 17:00.
    closed = timezone.localtime(poll.closed_at)
    assert f"Sơn La, ngày {closed.day:02d}" in text
    assert "TRƯỞNG BAN KIỂM PHIẾU" in text
    assert docformat.check_format(io.BytesIO(content)) == []


def test_minutes_honour_outcome_only_disclosure(voting_world: World) -> None:
    poll = open_poll(voting_world, disclosure="outcome_only")
    cast(voting_world, poll, "cao_bang", "son_la")
    cast(voting_world, poll, "lai_chau", "son_la")
    poll = close(voting_world, poll)
    candidates = reads.candidates_of(poll)
    content = documents.minutes(poll, reads.shown(poll, result_of(poll), candidates))
    text = docx_text(content)
    assert "Số phiếu bầu" not in text
    assert "%" not in text
    assert "Trúng cử" in text
    assert docformat.check_format(io.BytesIO(content)) == []


def test_outcome_only_minutes_name_the_elected_in_list_order_not_by_votes(
    voting_world: World,
) -> None:
    poll = open_poll(
        voting_world,
        disclosure="outcome_only",
        max_choices=2,
        seats=2,
        allow_self_vote=True,
        purpose="certificate",
        threshold_base="entitled",
        threshold=Fraction(1, 4),
    )
    cast(voting_world, poll, "son_la", "lai_chau", "cao_bang")
    cast(voting_world, poll, "cao_bang", "lai_chau")
    cast(voting_world, poll, "lai_chau", "lai_chau")
    poll = close(voting_world, poll)
    candidates = reads.candidates_of(poll)
    text = docx_text(documents.minutes(poll, reads.shown(poll, result_of(poll), candidates)))
    # Lai Châu has more votes, but Cao Bằng comes first on the list.
    assert "tỉnh Cao Bằng, Sở Kế hoạch và Đầu tư tỉnh Lai Châu." in text


def paper_poll(world: Any) -> Any:
    return open_poll(world, method="paper")


def test_paper_ballots_are_all_alike_one_per_page(voting_world: World) -> None:
    poll = paper_poll(voting_world)
    content = documents.ballot_papers(poll, reads.candidates_of(poll))
    text = docx_text(content)
    # No paper carries a number: a numbered paper could tell whose it was.
    assert "Phiếu số" not in text and "1/3" not in text
    assert text.count("PHIẾU BẦU") == 3
    assert text.count("Đánh dấu tối đa 1 ứng viên.") == 3
    assert text.count("Sở Kế hoạch và Đầu tư tỉnh Lai Châu") == 3
    document = Document(io.BytesIO(content))
    breaks = document.element.body.xml.count('w:type="page"')
    assert breaks == 2
    # A ballot paper is no administrative document (no national title, motto or page
    # number, which would mark each ballot); it keeps the decree's page, margins and font.
    not_for_a_ballot = ("the national title", "the motto", "there is no page", "the first page")
    problems = docformat.check_format(io.BytesIO(content))
    assert [p for p in problems if not p.startswith(not_for_a_ballot)] == []


def test_paper_count_counts_only_once_another_person_confirms(voting_world: World) -> None:
    poll = close(voting_world, paper_poll(voting_world))
    son_la = candidate(poll, "son_la", voting_world)
    cao_bang = candidate(poll, "cao_bang", voting_world)
    actions.do_enter_paper_count(
        poll,
        ballots_cast=3,
        blank_ballots=1,
        votes={son_la: 2},
        acting_user=voting_world.son_la_officer,
    )
    assert result_of(poll) is None
    with pytest.raises(ActionRefused) as refused:
        actions.do_confirm_paper_count(poll, acting_user=voting_world.son_la_officer)
    assert refused.value.kind == "same_person"
    assert result_of(poll) is None
    actions.do_confirm_paper_count(poll, acting_user=voting_world.cao_bang_officer)
    result = result_of(poll)
    assert result.counts == {son_la: 2, cao_bang: 0, candidate(poll, "lai_chau", voting_world): 0}
    assert result.blank_ballots == 1 and result.elected == (son_la,)
    with pytest.raises(ActionRefused):
        actions.do_enter_paper_count(
            poll, ballots_cast=3, blank_ballots=0, votes={}, acting_user=voting_world.son_la_officer
        )


def test_impossible_paper_counts_are_refused(voting_world: World) -> None:
    poll = close(voting_world, paper_poll(voting_world))
    son_la = candidate(poll, "son_la", voting_world)
    with pytest.raises(ActionRefused):  # more ballots than voters
        actions.do_enter_paper_count(
            poll,
            ballots_cast=4,
            blank_ballots=0,
            votes={son_la: 4},
            acting_user=voting_world.son_la_officer,
        )
    with pytest.raises(ActionRefused, match="Sơn La"):  # more votes than marked ballots
        actions.do_enter_paper_count(
            poll,
            ballots_cast=2,
            blank_ballots=1,
            votes={son_la: 2},
            acting_user=voting_world.son_la_officer,
        )
    assert reads.paper_count_of(poll) is None


def test_paper_count_is_entered_after_the_close_only(voting_world: World) -> None:
    poll = paper_poll(voting_world)
    with pytest.raises(ActionRefused):
        actions.do_enter_paper_count(
            poll, ballots_cast=0, blank_ballots=0, votes={}, acting_user=voting_world.son_la_officer
        )
    assert reads.paper_count_of(poll) is None


@st.composite
def ballot_sets(draw: Any) -> Any:
    n = draw(st.integers(1, 6))
    keys = tuple(range(n))
    k = draw(st.integers(1, n))
    ballots = draw(st.lists(st.lists(st.sampled_from(keys), max_size=k, unique=True), max_size=9))
    settings = rules.PollSettings(
        candidates=keys,
        max_choices=k,
        allow_self_vote=True,
        threshold_base=rules.ThresholdBase.CAST,
        seats=None,
    )
    return settings, [tuple(b) for b in ballots]


@given(ballot_sets())
def test_property_paper_counts_of_real_ballots_give_the_same_result(case: Any) -> None:
    settings, ballots = case
    real = rules.tally(settings, ballots, entitled=max(len(ballots), 1))
    blank = sum(1 for b in ballots if not b)
    assert rules.paper_problems(settings, real.counts, len(ballots), blank) == []
    rebuilt = rules.paper_ballots(settings, real.counts, len(ballots), blank)
    again = rules.tally(settings, rebuilt, entitled=max(len(ballots), 1))
    assert again.counts == real.counts
    assert (again.ballots_cast, again.blank_ballots) == (real.ballots_cast, real.blank_ballots)
    assert again.elected == real.elected and again.passed == real.passed


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 12))
def test_property_paper_counts_never_give_more_votes_than_ballots_allow(
    cast_n: Any, blank: Any, votes: Any
) -> None:
    settings = rules.PollSettings(
        candidates=("a", "b"),
        max_choices=1,
        allow_self_vote=True,
        threshold_base=rules.ThresholdBase.CAST,
        seats=1,
    )
    counts = {"a": votes}
    if rules.paper_problems(settings, counts, cast_n, blank):
        with pytest.raises(ValueError):
            rules.paper_ballots(settings, counts, cast_n, blank)
    else:
        ballots = rules.paper_ballots(settings, counts, cast_n, blank)
        assert len(ballots) == cast_n
        assert sum(len(b) for b in ballots) == votes <= cast_n - blank


def test_outcome_only_results_list_the_elected_in_ballot_order_not_by_votes() -> None:
    from thidua.voting import reads
    from thidua.voting import rules as voting_rules
    from thidua.voting.models import Candidate, Poll

    poll = Poll(disclosure=Poll.Disclosure.OUTCOME_ONLY)
    first, second = (
        Candidate(pk=1, person_name="Nguyễn Văn A"),
        Candidate(pk=2, person_name="Lê Thị B"),
    )
    settings = voting_rules.PollSettings(
        candidates=(1, 2),
        max_choices=2,
        allow_self_vote=True,
        threshold_base=voting_rules.ThresholdBase.CAST,
        seats=None,
    )
    # The second on the ballot has more votes: a vote-ordered list would put it first.
    result = voting_rules.tally(settings, [(1, 2), (2,), (1, 2)], entitled=3)
    assert list(result.elected) == [2, 1]
    shown = reads.shown(poll, result, [first, second])
    assert shown.winners == ["Nguyễn Văn A", "Lê Thị B"]
    assert shown.ballots_cast is None and all(row.votes is None for row in shown.rows)
