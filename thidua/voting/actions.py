"""Every change to a poll goes through one of these actions.

Casting a ballot is the delicate one: it writes the register row (who voted), the sealed
ballot (how, unreadable without the server's secret key) and an audit entry that names the
register row only. Closing the poll opens the sealed ballots and writes them out in a random
order, so that nothing written by a vote's transaction stays in the counted box.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit import seals
from thidua.audit.record import record, snapshot
from thidua.cycle.actions import lock_year
from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.lib.text import normalize
from thidua.orgs.models import Organization

from . import box, reads, rules
from .models import (
    PERSON_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Ballot,
    BallotChoice,
    Candidate,
    PaperCount,
    PaperCountLine,
    Poll,
    PublishedBox,
    SealedBallot,
    VoterRegister,
)
from .problems import describe

if TYPE_CHECKING:
    from thidua.orgs.models import User

# Polls are prepared from the conference on and run during the voting phase.
PREPARE_PHASES = (Phase.CONFERENCE, Phase.VOTING)
RECEIPT_BYTES = 10  # 80 random bits, shown as 16 base-32 characters


@dataclass(frozen=True)
class PollSpec:
    """What the secretariat decides about a poll before it opens."""

    title: str
    purpose: str
    units: Sequence[Organization] = ()
    people: Sequence[str] = ()
    method: str = Poll.Method.ONLINE
    max_choices: int = 1
    seats: int | None = 1
    allow_self_vote: bool = False
    threshold_base: str = Poll.Base.CAST
    threshold: Fraction = field(default=Fraction(1, 2))
    strict: bool = True
    tie_rule: str = Poll.TieRule.RUNOFF
    disclosure: str = Poll.Disclosure.FULL
    next_round: str = Poll.NextRound.NONE
    next_round_size: int = 2
    closes_at: dt.datetime | None = None


def _locked_poll(poll: Poll) -> Poll:
    """The poll re-read under a row lock: casts, closes and edits of one poll run one by one."""
    return Poll.objects.select_for_update().get(pk=poll.pk)


def _require_phase(year: EmulationYear, *phases: Phase) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    if year.phase not in phases:
        raise ActionRefused(
            _("This cannot be done in the %(phase)s phase.") % {"phase": year.get_phase_display()},
            kind=Refusal.WRONG_PHASE,
        )


def _require_status(poll: Poll, status: str, message: str) -> None:
    if poll.status != status:
        raise ActionRefused(message, kind=Refusal.WRONG_STATUS)


def _apply(poll: Poll, spec: PollSpec) -> None:
    poll.title = normalize(spec.title)
    poll.purpose = spec.purpose
    poll.method = spec.method
    poll.max_choices = spec.max_choices
    poll.seats = spec.seats
    poll.allow_self_vote = spec.allow_self_vote
    poll.threshold_base = spec.threshold_base
    poll.threshold_numerator = spec.threshold.numerator
    poll.threshold_denominator = spec.threshold.denominator
    poll.strict = spec.strict
    poll.tie_rule = spec.tie_rule
    poll.disclosure = spec.disclosure
    poll.next_round = spec.next_round
    poll.next_round_size = spec.next_round_size
    poll.closes_at = spec.closes_at


def _check_spec(year: EmulationYear, spec: PollSpec) -> None:
    if not normalize(spec.title):
        raise ActionRefused(_("Give the poll a title."), kind=Refusal.MISSING)
    if len(normalize(spec.title)) > TITLE_MAX_LENGTH:
        raise ActionRefused(
            _("The title is longer than %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH},
            kind=Refusal.INVALID,
        )
    if any(len(normalize(name)) > PERSON_NAME_MAX_LENGTH for name in spec.people):
        raise ActionRefused(
            _("A candidate's name is longer than %(limit)s characters.")
            % {"limit": PERSON_NAME_MAX_LENGTH},
            kind=Refusal.INVALID,
        )
    if spec.purpose in (Poll.Purpose.FLAG, Poll.Purpose.HEAD, Poll.Purpose.DEPUTY) and (
        spec.seats != 1
    ):
        raise ActionRefused(
            _("This poll elects exactly one candidate: set one seat."), kind=Refusal.SETTINGS
        )
    if spec.purpose in (Poll.Purpose.HEAD, Poll.Purpose.DEPUTY) and spec.people:
        raise ActionRefused(
            _("The head and the deputy are member units, not people."), kind=Refusal.SETTINGS
        )
    if not 0 < spec.threshold <= 1:
        raise ActionRefused(
            _("The threshold must be a share above zero and at most the whole."),
            kind=Refusal.SETTINGS,
        )
    members = set(year.memberships.values_list("organization_id", flat=True))
    outsiders = [u.display_name for u in spec.units if u.pk not in members]
    if outsiders:
        raise ActionRefused(
            _("Only member units can be candidates: %(units)s.") % {"units": ", ".join(outsiders)},
            kind=Refusal.SETTINGS,
        )
    keys: list[object] = [("unit", u.pk) for u in spec.units]
    keys += [("person", normalize(name)) for name in spec.people]
    settings = rules.PollSettings(
        candidates=tuple(keys),
        max_choices=spec.max_choices,
        allow_self_vote=spec.allow_self_vote,
        threshold_base=rules.ThresholdBase(spec.threshold_base),
        seats=spec.seats,
        threshold=spec.threshold,
        strict=spec.strict,
        tie_rule=rules.TieRule(spec.tie_rule),
        next_round=rules.NextRound(spec.next_round),
        next_round_size=spec.next_round_size,
    )
    labels: dict[object, str] = {("unit", u.pk): u.name for u in spec.units}
    labels.update({("person", normalize(n)): normalize(n) for n in spec.people})
    problems = rules.validate_settings(settings, len(members))
    if problems:
        raise ActionRefused(" ".join(describe(p, labels) for p in problems), kind=Refusal.SETTINGS)


def _write_candidates(poll: Poll, spec: PollSpec) -> None:
    poll.candidates.all().delete()
    entries = [Candidate(poll=poll, organization=unit) for unit in spec.units]
    entries += [Candidate(poll=poll, person_name=normalize(name)) for name in spec.people]
    for position, candidate in enumerate(entries, start=1):
        candidate.position = position
    Candidate.objects.bulk_create(entries)


def _poll_after(poll: Poll) -> dict[str, Any]:
    return {
        **snapshot(poll),
        "candidates": [c.label for c in poll.candidates.select_related("organization")],
    }


@transaction.atomic
def do_create_poll(year: EmulationYear, *, spec: PollSpec, acting_user: User) -> Poll:
    """Prepare a poll: its purpose, candidates and rules. It opens later."""
    access.require(acting_user, "voting.manage", year)
    year = lock_year(year)
    _require_phase(year, *PREPARE_PHASES)
    _check_spec(year, spec)
    poll = Poll(year=year)
    _apply(poll, spec)
    poll.full_clean()
    poll.save()
    _write_candidates(poll, spec)
    record("poll.create", poll, actor=acting_user, year=year, after=_poll_after(poll))
    return poll


@transaction.atomic
def do_update_poll(poll: Poll, *, spec: PollSpec, acting_user: User) -> Poll:
    """Change a poll's candidates or rules; refused once the poll has opened."""
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, *PREPARE_PHASES)
    poll = _locked_poll(poll)
    _require_status(
        poll, Poll.Status.DRAFT, _("The poll has opened: its settings can no longer change.")
    )
    if poll.parent_id is not None:
        raise ActionRefused(
            _("A runoff round keeps the settings of the poll it follows."), kind=Refusal.SETTINGS
        )
    _check_spec(year, spec)
    before = _poll_after(poll)
    _apply(poll, spec)
    poll.full_clean()
    poll.save()
    _write_candidates(poll, spec)
    record(
        "poll.update", poll, actor=acting_user, year=year, before=before, after=_poll_after(poll)
    )
    return poll


@transaction.atomic
def do_open_poll(poll: Poll, *, acting_user: User) -> Poll:
    """Open the poll for ballots; its settings and the number of voters are fixed from now."""
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    _require_status(poll, Poll.Status.DRAFT, _("The poll has already been opened."))
    return _open(poll, year, acting_user)


def _open(poll: Poll, year: EmulationYear, acting_user: User) -> Poll:
    entitled = Membership.objects.filter(year=year).count()
    candidates = reads.candidates_of(poll)
    problems = rules.validate_settings(reads.settings_of(poll, candidates), entitled)
    if problems:
        labels: dict[Any, str] = {c.pk: c.label for c in candidates}
        raise ActionRefused(" ".join(describe(p, labels) for p in problems), kind=Refusal.SETTINGS)
    now = clock.now()
    if poll.closes_at is not None and poll.closes_at <= now:
        raise ActionRefused(
            _("The scheduled close is already past: change it first."), kind=Refusal.BAD_DATE
        )
    before = snapshot(poll)
    poll.status = Poll.Status.OPEN
    poll.opened_at = now
    poll.entitled = entitled
    poll.save(update_fields=["status", "opened_at", "entitled"])
    record("poll.open", poll, actor=acting_user, year=year, before=before, after=snapshot(poll))
    return poll


def box_keys(poll: Poll) -> list[bytes]:
    """The keys that may have sealed the poll's ballots: from the server's secret key first,
    then from each of its fallbacks (so a key rotated during the poll still opens the box)."""
    secrets_ = [django_settings.SECRET_KEY, *django_settings.SECRET_KEY_FALLBACKS]
    return [
        salted_hmac("thidua.voting.box", str(poll.pk), secret=secret, algorithm="sha256").digest()
        for secret in secrets_
    ]


def sealed_length(poll: Poll) -> int:
    """The length in bytes of every sealed ballot of `poll`."""
    return box.sealed_width(poll.max_choices)


def _without_copies(
    ballots: list[tuple[str, tuple[int, ...]]],
) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
    """The ballots, each once, and how many copies were left out.

    A sealed row copied in the database (a replayed ballot) opens to the same receipt hash
    and choices: it is counted once. Receipts are random: two ballots never share one.
    """
    kept = list(dict.fromkeys(ballots))
    return kept, len(ballots) - len(kept)


def _open_the_box(poll: Poll, year: EmulationYear) -> tuple[PublishedBox, int]:
    """Open the sealed ballots, write them out in a random order and publish the box.

    Returns the box and how many copied sealed rows were left out of it; refused when the
    ballots, each counted once, are not as many as the units in the register.

    Runs in the close's transaction, under the poll's lock: a ballot cast before the close
    is in the box, one cast after it is refused, none is lost.
    """
    keys = box_keys(poll)
    try:
        ballots = [
            box.decode_ballot(box.unseal(keys, bytes(sealed)))
            for sealed in SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True)
        ]
    except ValueError:
        raise ActionRefused(
            _(
                "The sealed ballots cannot be opened with this server's secret key: either the "
                "key was changed while the poll was open (put the former key in the key's "
                "fallbacks and close the poll again), or a sealed ballot was changed in the "
                "database or moved there from another poll."
            ),
            kind=Refusal.REFUSED,
        ) from None
    ballots, copies = _without_copies(ballots)
    voted = VoterRegister.objects.filter(poll=poll).count()
    if len(ballots) != voted:
        raise ActionRefused(
            _(
                "The box holds %(ballots)d sealed ballots but %(voted)d units are in the "
                "register: ballots were added to or removed from the database outside thidua. "
                "Nothing is counted: restore the database from a backup taken while the poll "
                "was open, then close it again."
            )
            % {"ballots": len(ballots), "voted": voted},
            kind=Refusal.REFUSED,
        )
    secrets.SystemRandom().shuffle(ballots)
    rows = [Ballot(poll=poll, receipt_hash=receipt_hash) for receipt_hash, _choices in ballots]
    Ballot.objects.bulk_create(rows)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=row, candidate_id=key)
        for row, (_hash, choices) in zip(rows, ballots, strict=True)
        for key in choices
    )
    SealedBallot.objects.filter(poll=poll).delete()
    candidates = reads.candidates_of(poll)
    assert poll.entitled is not None
    content = box.document(
        poll={
            "id": poll.pk,
            "title": poll.title,
            "cluster": year.cluster.slug,
            "year": year.year,
            "round": poll.round,
        },
        settings=reads.settings_of(poll, candidates),
        entitled=poll.entitled,
        candidates=[{"name": c.label} for c in candidates],
        ballots=ballots,
    )
    published = PublishedBox.objects.create(
        poll=poll,
        digest=content["digest"],
        content=json.dumps(content, ensure_ascii=False, indent=1),
    )
    return published, copies


@transaction.atomic
def do_close_poll(poll: Poll, *, acting_user: User) -> Poll:
    """Close the poll; its ballots are opened and counted, and its box is published."""
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    _require_status(poll, Poll.Status.OPEN, _("Only an open poll can be closed."))
    before = snapshot(poll)
    poll.status = Poll.Status.CLOSED
    poll.closed_at = clock.now()
    poll.save(update_fields=["status", "closed_at"])
    published, copies = (None, 0) if poll.is_paper else _open_the_box(poll, year)
    if published is not None:
        # The opened box is sealed whole, in one go: sealing ballots one by one as they were
        # cast would record the order they came in.
        seals.seal_tables([Ballot._meta.db_table, BallotChoice._meta.db_table])
    # Who voted, in the order of their names: the year's history shows no vote one by one.
    voted = sorted(
        VoterRegister.objects.filter(poll=poll).values_list("organization__name", flat=True)
    )
    record(
        "poll.close",
        poll,
        actor=acting_user,
        year=year,
        before=before,
        after={
            **snapshot(poll),
            "units_voted": len(voted),
            "voted": voted,
            "box_digest": published.digest if published else None,
            # Copies of a sealed ballot made in the database, each counted once.
            **({"sealed_copies_ignored": copies} if copies else {}),
        },
    )
    return poll


def _voting_unit(year: EmulationYear, acting_user: User) -> Organization:
    """The member unit `acting_user` casts for, or a clear refusal."""
    roles = access.roles_in_year(acting_user, year)
    if roles.own_member_org_id is None:
        raise ActionRefused(
            _("Only the member units of the cluster vote in its polls."), kind=Refusal.NOT_A_VOTER
        )
    if not roles.leader:
        raise ActionRefused(_("Only the unit's leader casts its ballot."), kind=Refusal.NOT_A_VOTER)
    access.require(acting_user, "voting.cast", year)
    return Organization.objects.get(pk=roles.own_member_org_id)


def new_receipt() -> str:
    """A random receipt code, e.g. "K7QD-M2XP-4JHA-9WBE"."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def do_cast_ballot(poll: Poll, *, choices: Sequence[int], acting_user: User) -> str:
    """The leader casts the unit's secret ballot (blank if `choices` is empty).

    Returns the receipt code, which is shown once and stored only as a hash, sealed with the
    ballot until the close.
    The poll row is locked, so two submissions by the same unit run one after the other and
    the second finds the register entry; the register's unique constraint is the last guard.
    """
    year = lock_year(poll.year)
    unit = _voting_unit(year, acting_user)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    if poll.is_paper:
        raise ActionRefused(_("This poll is held on paper ballots."), kind=Refusal.PAPER)
    if poll.status == Poll.Status.DRAFT:
        raise ActionRefused(_("The poll has not opened yet."), kind=Refusal.NOT_OPEN)
    if poll.status == Poll.Status.CLOSED or (
        poll.closes_at is not None and clock.now() >= poll.closes_at
    ):
        raise ActionRefused(_("The poll is closed."), kind=Refusal.CLOSED)
    already = _("%(unit)s has already voted in this poll.") % {"unit": unit.display_name}
    if VoterRegister.objects.filter(poll=poll, organization=unit).exists():
        raise ActionRefused(already, kind=Refusal.ALREADY_VOTED)

    candidates = reads.candidates_of(poll)
    settings = reads.settings_of(poll, candidates)
    own = [c.pk for c in candidates if c.organization_id == unit.pk]
    problems: list[rules.Problem] = []
    voter_keys: list[Any] = own or [None]
    for voter_key in voter_keys:
        problems += [
            p
            for p in rules.check_ballot(settings, list(choices), voter_key=voter_key)
            if p not in problems
        ]
    if problems:
        labels: dict[Any, str] = {c.pk: c.label for c in candidates}
        raise ActionRefused(
            " ".join(describe(p, labels) for p in problems), kind=Refusal.BAD_BALLOT
        )

    try:
        with transaction.atomic():
            entry = VoterRegister.objects.create(poll=poll, organization=unit)
    except IntegrityError:
        raise ActionRefused(already, kind=Refusal.ALREADY_VOTED) from None
    receipt = new_receipt()
    ballot = box.encode_ballot(reads.receipt_hash(receipt), choices, poll.max_choices)
    SealedBallot.objects.create(poll=poll, sealed=box.seal(box_keys(poll)[0], ballot))
    # The audit entry names the register row: that the unit voted, never its ballot.
    record(
        "poll.vote",
        entry,
        actor=acting_user,
        year=year,
        after={"poll": poll.pk, "unit": unit.name},
    )
    return receipt


def receipt_is_counted(poll: Poll, code: str) -> bool:
    """Whether the ballot with this receipt is in the poll's count (only once it is closed)."""
    if poll.status != Poll.Status.CLOSED or not code.strip():
        return False
    return Ballot.objects.filter(poll=poll, receipt_hash=reads.receipt_hash(code)).exists()


@transaction.atomic
def do_enter_paper_count(
    poll: Poll,
    *,
    ballots_cast: int,
    blank_ballots: int,
    votes: Mapping[int, int],
    acting_user: User,
) -> PaperCount:
    """Enter the counts read from the paper ballots; they count once another person confirms."""
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    if not poll.is_paper:
        raise ActionRefused(
            _("This poll is held online: its ballots are counted by themselves."),
            kind=Refusal.WRONG_STATUS,
        )
    _require_status(poll, Poll.Status.CLOSED, _("Enter the paper count after the poll has closed."))
    existing = reads.paper_count_of(poll)
    if existing is not None and existing.is_confirmed:
        raise ActionRefused(
            _("The paper count has been confirmed and can no longer change."), kind=Refusal.FINAL
        )
    assert poll.entitled is not None
    if ballots_cast > poll.entitled:
        raise ActionRefused(
            _("More ballots (%(cast)s) than members entitled to vote (%(entitled)s).")
            % {"cast": ballots_cast, "entitled": poll.entitled},
            kind=Refusal.PAPER_COUNT,
        )
    candidates = reads.candidates_of(poll)
    settings = reads.settings_of(poll, candidates)
    keys = [c.pk for c in candidates]
    unknown = set(votes) - set(keys)
    if unknown or any(v < 0 for v in votes.values()):
        raise ActionRefused(
            _("Enter a whole number of votes for each candidate."), kind=Refusal.PAPER_COUNT
        )
    problems = rules.paper_problems(settings, votes, ballots_cast, blank_ballots)
    if problems:
        labels: dict[Any, str] = {c.pk: c.label for c in candidates}
        raise ActionRefused(
            " ".join(describe(p, labels) for p in problems), kind=Refusal.PAPER_COUNT
        )

    before = None
    if existing is None:
        paper = PaperCount(poll=poll, entered_by=acting_user)
    else:
        paper = existing
        before = {
            **snapshot(paper),
            "votes": {str(li.candidate_id): li.votes for li in paper.lines.all()},
        }
        paper.entered_by = acting_user
    paper.ballots_cast = ballots_cast
    paper.blank_ballots = blank_ballots
    paper.save()
    paper.lines.all().delete()
    PaperCountLine.objects.bulk_create(
        PaperCountLine(count=paper, candidate_id=key, votes=votes.get(key, 0)) for key in keys
    )
    record(
        "poll.paper_count",
        paper,
        actor=acting_user,
        year=year,
        before=before,
        after={**snapshot(paper), "votes": {str(k): votes.get(k, 0) for k in keys}},
    )
    return paper


@transaction.atomic
def do_confirm_paper_count(poll: Poll, *, acting_user: User) -> PaperCount:
    """A second member of the secretariat confirms the entered paper count."""
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    paper = reads.paper_count_of(poll)
    if paper is None:
        raise ActionRefused(_("No paper count has been entered yet."), kind=Refusal.NOTHING)
    if paper.is_confirmed:
        raise ActionRefused(_("The paper count has already been confirmed."), kind=Refusal.FINAL)
    if paper.entered_by_id == acting_user.pk:
        raise ActionRefused(
            _("The count must be confirmed by someone other than the person who entered it."),
            kind=Refusal.SAME_PERSON,
        )
    before = snapshot(paper)
    paper.confirmed_by = acting_user
    paper.confirmed_at = clock.now()
    paper.save(update_fields=["confirmed_by", "confirmed_at"])
    record(
        "poll.paper_confirm",
        paper,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(paper),
    )
    return paper


@transaction.atomic
def do_open_next_round(poll: Poll, *, acting_user: User) -> Poll:
    """Prepare and open, in one step, the round the closed poll's count and rules call for.

    A tie under the runoff rule: the runoff among the tied. Seats left empty when the rules
    say so: a new round between the leading candidates. The new round keeps the poll's rules
    and opens at once for the same members.
    """
    access.require(acting_user, "voting.manage", poll.year)
    year = lock_year(poll.year)
    _require_phase(year, Phase.VOTING)
    poll = _locked_poll(poll)
    if Poll.objects.filter(parent=poll).exists():
        raise ActionRefused(_("The next round of this poll already exists."), kind=Refusal.EXISTS)
    candidates = reads.candidates_of(poll)
    result = reads.count(poll, candidates)
    if result is None:
        raise ActionRefused(_("This poll has no count yet."), kind=Refusal.NOTHING)
    settings = rules.next_round_settings(result.settings, result)
    if settings is None:
        raise ActionRefused(
            _("The count and the rules of this poll call for no further round."),
            kind=Refusal.WRONG_STATUS,
        )
    return _open(_new_round(poll, year, settings, candidates, acting_user), year, acting_user)


def _new_round(
    poll: Poll,
    year: EmulationYear,
    settings: rules.PollSettings,
    candidates: Sequence[Candidate],
    acting_user: User,
) -> Poll:
    """The draft of the round after `poll`, between `settings.candidates`, audited."""
    by_pk: dict[Any, Candidate] = {c.pk: c for c in candidates}
    runoff = Poll(
        year=year,
        parent=poll,
        round=poll.round + 1,
        title=_("%(poll)s — round %(round)s") % {"poll": poll.title, "round": poll.round + 1},
        purpose=poll.purpose,
        method=poll.method,
        max_choices=settings.max_choices,
        seats=settings.seats,
        allow_self_vote=poll.allow_self_vote,
        threshold_base=poll.threshold_base,
        threshold_numerator=poll.threshold_numerator,
        threshold_denominator=poll.threshold_denominator,
        strict=poll.strict,
        tie_rule=poll.tie_rule,
        disclosure=poll.disclosure,
        next_round=poll.next_round,
        next_round_size=poll.next_round_size,
    )
    runoff.save()
    Candidate.objects.bulk_create(
        Candidate(
            poll=runoff,
            position=position,
            organization=by_pk[key].organization,
            person_name=by_pk[key].person_name,
        )
        for position, key in enumerate(settings.candidates, start=1)
    )
    record("poll.runoff", runoff, actor=acting_user, year=year, after=_poll_after(runoff))
    return runoff
