"""The year's polls in the API: their settings and register, ballots, results and receipts.

Results exist only once a poll is closed (and, on paper, once a second person has confirmed
the count), and they always pass through `reads.shown`, which applies the poll's
disclosure setting. A receipt code is returned once, in the answer to the ballot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.cycle.models import EmulationYear
from thidua.lib.text import sort_key
from thidua.voting import actions, reads
from thidua.voting.models import Candidate, Poll

from .schemas import ERRORS, NO_NUL, Error, Id, Slug

router = Router(tags=["polls"])

YEAR = "/clusters/{slug}/years/{year}/polls"


class PollOut(Schema):
    id: int
    title: str
    purpose: str
    method: str
    status: str
    round: int
    runoff_of: int | None
    closes_at: dt.datetime | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    entitled: int | None = Field(description="Members entitled to vote, fixed when it opened.")
    units_voted: int
    my_unit_voted: bool


class CandidateOut(Schema):
    id: int
    position: int
    label: str
    organization_id: int | None
    person: str


class RegisterEntry(Schema):
    organization_id: int
    name: str
    voted: bool


class PollDetail(PollOut):
    max_choices: int
    seats: int | None
    allow_self_vote: bool
    threshold: str = Field(description='A share such as "1/2".')
    threshold_base: str
    strict: bool
    tie_rule: str
    disclosure: str
    candidates: list[CandidateOut]
    voter_register: list[RegisterEntry]
    has_results: bool


class ResultRow(Schema):
    label: str
    votes: int | None = Field(description="Null when the poll discloses the outcome only.")
    percent: str | None
    passed: bool
    elected: bool
    tied: bool


class Results(Schema):
    full: bool = Field(description="False: the poll discloses passed or not passed only.")
    entitled: int
    ballots_cast: int | None
    blank_ballots: int | None
    rows: list[ResultRow]
    winners: list[str]
    tie: list[str]
    needs_runoff: bool
    problems: list[str]


class BallotIn(Schema):
    choices: list[int] = Field(
        default_factory=list, max_length=100, description="Candidate ids; none: a blank ballot."
    )


class Receipt(Schema):
    poll_id: int
    receipt: str = Field(description="Shown once: keep it to check the ballot after the close.")


class ReceiptIn(Schema):
    code: str = Field(max_length=40, pattern=NO_NUL)


class ReceiptCheck(Schema):
    counted: bool


def _poll_of(year: EmulationYear, poll_id: Id) -> Poll:
    try:
        return Poll.objects.select_related("year__cluster", "parent").get(pk=poll_id, year=year)
    except Poll.DoesNotExist:
        raise Http404 from None


def _summary(poll: Poll, voted: set[int], own: int | None) -> dict[str, Any]:
    return {
        "id": poll.pk,
        "title": poll.title,
        "purpose": poll.purpose,
        "method": poll.method,
        "status": poll.status,
        "round": poll.round,
        "runoff_of": poll.parent_id,
        "closes_at": poll.closes_at,
        "opened_at": poll.opened_at,
        "closed_at": poll.closed_at,
        "entitled": poll.entitled,
        "units_voted": len(voted),
        "my_unit_voted": own is not None and own in voted,
    }


@router.get(YEAR, response={200: list[PollOut], **ERRORS})
def poll_list(request: HttpRequest, slug: Slug, year: int) -> list[dict[str, Any]]:
    """The year's polls, with how many units have voted in each."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    polls = list(Poll.objects.filter(year=emulation_year).order_by("id"))
    voted = reads.turnout(polls)
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    return [_summary(poll, voted[poll.pk], own) for poll in polls]


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "position": c.position,
        "label": c.label,
        "organization_id": c.organization_id,
        "person": c.person_name,
    }


@router.get(YEAR + "/{poll_id}", response={200: PollDetail, **ERRORS})
def poll_detail(request: HttpRequest, slug: Slug, year: int, poll_id: Id) -> dict[str, Any]:
    """A poll's rules, candidates and register of the units that have voted (never how)."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    voted = reads.turnout([poll])[poll.pk]
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    memberships = sorted(
        emulation_year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    return {
        **_summary(poll, voted, own),
        "max_choices": poll.max_choices,
        "seats": poll.seats,
        "allow_self_vote": poll.allow_self_vote,
        "threshold": f"{poll.threshold_numerator}/{poll.threshold_denominator}",
        "threshold_base": poll.threshold_base,
        "strict": poll.strict,
        "tie_rule": poll.tie_rule,
        "disclosure": poll.disclosure,
        "candidates": [_candidate(c) for c in candidates],
        "voter_register": [
            {
                "organization_id": m.organization_id,
                "name": m.organization.name,
                "voted": m.organization_id in voted,
            }
            for m in memberships
        ],
        "has_results": reads.count(poll, candidates) is not None,
    }


@router.get(YEAR + "/{poll_id}/results", response={200: Results, **ERRORS})
def results(request: HttpRequest, slug: Slug, year: int, poll_id: Id) -> dict[str, Any]:
    """The count as the poll's disclosure setting allows; 404 until the poll has closed."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    candidates = reads.candidates_of(poll)
    result = reads.count(poll, candidates)
    if result is None:
        raise Http404
    shown = reads.shown(poll, result, candidates)
    return {
        "full": shown.full,
        "entitled": shown.entitled,
        "ballots_cast": shown.ballots_cast,
        "blank_ballots": shown.blank_ballots,
        "rows": [
            {
                "label": r.label,
                "votes": r.votes,
                "percent": r.percent,
                "passed": r.passed,
                "elected": r.elected,
                "tied": r.tied,
            }
            for r in shown.rows
        ],
        "winners": shown.winners,
        "tie": shown.tie,
        "needs_runoff": shown.needs_runoff,
        "problems": shown.problems,
    }


@router.post(YEAR + "/{poll_id}/ballots", response={201: Receipt, 409: Error, **ERRORS})
def cast_ballot(request: HttpRequest, slug: Slug, year: int, poll_id: Id, body: BallotIn) -> Any:
    """The unit's leader casts its secret ballot while the poll is open, once."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    receipt = actions.do_cast_ballot(poll, choices=body.choices, acting_user=request.user)
    return Status(201, {"poll_id": poll.pk, "receipt": receipt})


@router.post(YEAR + "/{poll_id}/receipt-check", response={200: ReceiptCheck, **ERRORS})
def check_receipt(
    request: HttpRequest, slug: Slug, year: int, poll_id: Id, body: ReceiptIn
) -> dict[str, Any]:
    """Whether the ballot with this receipt is in the count; only once there are results.

    Sent in the body, so the code stays out of addresses and server logs. The answer is yes
    or no and never shows the choices.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    if reads.count(poll) is None:
        raise Http404
    return {"counted": actions.receipt_is_counted(poll, body.code)}
