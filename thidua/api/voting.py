"""The year's polls in the API: their settings and register, ballots, results and receipts.

Results exist only once a poll is closed (and, on paper, once a second person has confirmed
the count), and they always pass through `reads.shown`, which applies the poll's
disclosure setting. A receipt code is returned once, in the answer to the ballot.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import EmulationYear
from thidua.lib.text import sort_key
from thidua.voting import actions, reads
from thidua.voting.forms import PaperCountForm, PollForm
from thidua.voting.models import Candidate, Poll

from . import paging
from .forms import bound, cleaned
from .schemas import ERRORS, MAX_ID, NO_NUL, Error, Id, Slug

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


@router.get(YEAR, response={200: list[PollOut], 304: None, **ERRORS})
def poll_list(request: SignedInRequest, response: HttpResponse, slug: Slug, year: int) -> Any:
    """The year's polls, with how many units have voted in each.

    All at once, as the polls page lists them: a year holds a few polls (a flag, the next
    head, their runoffs), so there is no cursor. Its `ETag` changes with every vote counted
    and every poll opened or closed; send it back as `If-None-Match` to get 304 until then.
    """
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    polls = list(Poll.objects.filter(year=emulation_year).order_by("id"))
    voted = reads.turnout(polls)
    own = access.roles_in_year(request.user, emulation_year).own_member_org_id
    return paging.conditional(
        request, response, [_summary(poll, voted[poll.pk], own) for poll in polls]
    )


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "position": c.position,
        "label": c.label,
        "organization_id": c.organization_id,
        "person": c.person_name,
    }


@router.get(YEAR + "/{poll_id}", response={200: PollDetail, **ERRORS})
def poll_detail(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> dict[str, Any]:
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
def results(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> dict[str, Any]:
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
def cast_ballot(
    request: SignedInRequest, slug: Slug, year: int, poll_id: Id, body: BallotIn
) -> Any:
    """The unit's leader casts its secret ballot while the poll is open, once."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.view")
    poll = _poll_of(emulation_year, poll_id)
    receipt = actions.do_cast_ballot(poll, choices=body.choices, acting_user=request.user)
    return Status(201, {"poll_id": poll.pk, "receipt": receipt})


@router.post(YEAR + "/{poll_id}/receipt-check", response={200: ReceiptCheck, **ERRORS})
def check_receipt(
    request: SignedInRequest, slug: Slug, year: int, poll_id: Id, body: ReceiptIn
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


# --- preparing, opening and closing polls; the paper count ---------------------------------

Choice = Field(max_length=40, pattern=NO_NUL)


class PollIn(Schema):
    title: str = Field(max_length=1000, pattern=NO_NUL)
    purpose: str = Choice
    method: str = Choice
    units: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list,
        max_length=500,
        description="Candidate units: ids of the year's members.",
    )
    people: list[Annotated[str, Field(max_length=200, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=100, description="Candidate people: full names."
    )
    max_choices: int = Field(default=1, ge=-32768, le=32767)
    seats: int | None = Field(default=1, ge=-32768, le=32767, description="Null: no limit.")
    allow_self_vote: bool = False
    threshold_base: str = Choice
    threshold: str = Field(default="1/2", max_length=100, pattern=NO_NUL)
    strict: bool = Field(default=True, description="More than the threshold, not only equal.")
    tie_rule: str = Choice
    disclosure: str = Choice
    next_round: str = Field(default="leading", max_length=40, pattern=NO_NUL)
    next_round_size: int = Field(default=2, ge=-32768, le=32767)
    closes_at: dt.datetime | None = None


class PaperCountIn(Schema):
    ballots_cast: int = Field(ge=-(2**31), le=2**31 - 1)
    blank_ballots: int = Field(default=0, ge=-(2**31), le=2**31 - 1)
    votes: dict[str, int] = Field(
        default_factory=dict,
        max_length=500,
        description="Votes by candidate id; a candidate left out has none.",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]{1,18}$"}},
    )


def _poll_values(body: PollIn) -> dict[str, Any]:
    values = body.dict()
    values["people"] = "\n".join(values["people"])
    return values


def _poll_form(year: EmulationYear, body: PollIn) -> PollForm:
    form = bound(PollForm, _poll_values(body), year=year)
    cleaned(form)
    return form


@router.post(YEAR, response={201: PollDetail, 409: Error, **ERRORS})
def poll_create(request: SignedInRequest, slug: Slug, year: int, body: PollIn) -> Any:
    """The secretariat prepares a poll: its candidates and rules. It opens later."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    form = _poll_form(emulation_year, body)
    poll = actions.do_create_poll(emulation_year, spec=form.spec(), acting_user=request.user)
    return Status(201, poll_detail(request, slug, year, poll.pk))


@router.post(YEAR + "/{poll_id}/update", response={200: PollDetail, 409: Error, **ERRORS})
def poll_update(request: SignedInRequest, slug: Slug, year: int, poll_id: Id, body: PollIn) -> Any:
    """Change a poll's candidates or rules, until it opens."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    form = _poll_form(emulation_year, body)
    actions.do_update_poll(poll, spec=form.spec(), acting_user=request.user)
    return poll_detail(request, slug, year, poll.pk)


def _manage(request: SignedInRequest, slug: str, year: int, poll_id: int, action: Any) -> Any:
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    changed = action(poll, acting_user=request.user)
    shown = changed.pk if isinstance(changed, Poll) else poll.pk
    return poll_detail(request, slug, year, shown)


@router.post(YEAR + "/{poll_id}/open", response={200: PollDetail, 409: Error, **ERRORS})
def poll_open(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> Any:
    """Open the poll for ballots; its settings and its voters are fixed from now."""
    return _manage(request, slug, year, poll_id, actions.do_open_poll)


@router.post(YEAR + "/{poll_id}/close", response={200: PollDetail, 409: Error, **ERRORS})
def poll_close(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> Any:
    """Close the poll: its ballots are counted and its box is published."""
    return _manage(request, slug, year, poll_id, actions.do_close_poll)


@router.post(YEAR + "/{poll_id}/runoff", response={200: PollDetail, 409: Error, **ERRORS})
def poll_runoff(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> Any:
    """Open the next round the closed poll's count calls for; the answer is the new round."""
    return _manage(request, slug, year, poll_id, actions.do_open_next_round)


@router.post(YEAR + "/{poll_id}/paper-count", response={200: PollDetail, 409: Error, **ERRORS})
def paper_count(
    request: SignedInRequest, slug: Slug, year: int, poll_id: Id, body: PaperCountIn
) -> Any:
    """Enter the count of a poll held on paper; another member of the secretariat confirms it."""
    emulation_year = access.get_year_for(request.user, slug, year, "voting.manage")
    poll = _poll_of(emulation_year, poll_id)
    values: dict[str, Any] = {
        "ballots_cast": body.ballots_cast,
        "blank_ballots": body.blank_ballots,
    }
    candidates = reads.candidates_of(poll)
    values |= {f"votes_{c.pk}": 0 for c in candidates}  # a candidate left out has none
    values |= {f"votes_{candidate}": votes for candidate, votes in body.votes.items()}
    form = bound(PaperCountForm, values, candidates=candidates)
    data = cleaned(form)
    actions.do_enter_paper_count(
        poll,
        ballots_cast=data["ballots_cast"],
        blank_ballots=data["blank_ballots"],
        votes=form.votes(),
        acting_user=request.user,
    )
    return poll_detail(request, slug, year, poll.pk)


@router.post(
    YEAR + "/{poll_id}/paper-count/confirm", response={200: PollDetail, 409: Error, **ERRORS}
)
def paper_count_confirm(request: SignedInRequest, slug: Slug, year: int, poll_id: Id) -> Any:
    """A second member of the secretariat confirms the paper count."""
    return _manage(request, slug, year, poll_id, actions.do_confirm_paper_count)
