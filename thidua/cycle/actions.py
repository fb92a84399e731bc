"""Every change to a cluster's year goes through one of these actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thidua import access
from thidua.audit.record import record, snapshot
from thidua.concurrency import require_version, version_of
from thidua.errors import ActionRefused, Refusal
from thidua.lib import clock
from thidua.lib.dates import short_date
from thidua.lib.text import normalize
from thidua.orgs import reads as org_reads
from thidua.orgs import rules as org_rules
from thidua.orgs.forms import label_for_choice
from thidua.orgs.models import Cluster, Organization

from . import hooks, rules
from .models import (
    Deadline,
    EmulationYear,
    Membership,
    Movement,
    Phase,
    Pledge,
    PledgeArticle,
    Signature,
)
from .problems import describe

if TYPE_CHECKING:
    from thidua.orgs.models import User


def lock_year(year: EmulationYear) -> EmulationYear:
    """The year re-read under a row lock, so phase checks and writes cannot interleave.

    FOR NO KEY UPDATE of the year's row alone (PostgreSQL): two actions on the year still wait
    for each other, but another transaction's foreign-key check on the year (a row pointing at
    it) does not, which would otherwise deadlock with a commit holding the audit chain.
    """
    return (
        EmulationYear.objects.select_for_update(no_key=True, of=("self",))
        .select_related("cluster")
        .get(pk=year.pk)
    )


def require_phase(year: EmulationYear, *phases: Phase) -> None:
    if year.phase == Phase.CLOSED:
        raise ActionRefused(
            _("The year is closed and can no longer be changed."), kind=Refusal.CLOSED
        )
    if year.phase not in phases:
        raise ActionRefused(
            _("This cannot be done in the %(phase)s phase.") % {"phase": year.get_phase_display()},
            kind=Refusal.WRONG_PHASE,
        )


@transaction.atomic
def do_open_year(
    cluster: Cluster,
    *,
    year: int,
    members: Sequence[Organization],
    head: Organization,
    deputy: Organization,
    acting_user: User,
) -> EmulationYear:
    """Open a cluster's year with its members and the head and deputy elected for it.

    Each member must exist on the year's first day, and be listed once.
    """
    access.require(acting_user, "cycle.open_year", cluster)
    member_set: dict[int, Organization] = {}
    for org in members:
        if org.pk in member_set:
            raise ActionRefused(
                _("%(unit)s is listed twice among the members.") % {"unit": label_for_choice(org)},
                kind=Refusal.INVALID,
            )
        member_set[org.pk] = org
    if head == deputy:
        raise ActionRefused(
            _("The head and the deputy must be different units."), kind=Refusal.INVALID
        )
    if head.pk not in member_set or deputy.pk not in member_set:
        raise ActionRefused(
            _("The head and the deputy must be members of the cluster."), kind=Refusal.INVALID
        )
    if EmulationYear.objects.filter(cluster=cluster, year=year).exists():
        raise ActionRefused(
            _("The cluster already has the year %(year)s.") % {"year": year}, kind=Refusal.EXISTS
        )
    _refuse_absent_members(list(member_set.values()), year)
    try:
        with transaction.atomic():
            emulation_year = EmulationYear.objects.create(
                cluster=cluster, year=year, phase=Phase.SETUP, phase_changed_at=clock.now()
            )
    except IntegrityError:  # opened at the same moment by someone else
        raise ActionRefused(
            _("The cluster already has the year %(year)s.") % {"year": year}, kind=Refusal.EXISTS
        ) from None
    roles = {head.pk: Membership.Role.HEAD, deputy.pk: Membership.Role.DEPUTY}
    Membership.objects.bulk_create(
        Membership(
            year=emulation_year, organization=org, role=roles.get(pk, Membership.Role.MEMBER)
        )
        for pk, org in member_set.items()
    )
    record(
        "year.open",
        emulation_year,
        actor=acting_user,
        year=emulation_year,
        after={
            "year": year,
            "members": sorted(org.name for org in member_set.values()),
            "head": head.name,
            "deputy": deputy.name,
        },
    )
    access.forget(acting_user)
    return emulation_year


def _refuse_absent_members(members: Sequence[Organization], year: int) -> None:
    """Refuse an archived member, or one that does not exist on the year's first day."""
    first_day = dt.date(year, 1, 1)
    stored = Organization.objects.in_bulk([org.pk for org in members])  # as they are now
    for org in (stored[m.pk] for m in members):
        if org.archived:
            raise ActionRefused(
                _("%(unit)s is archived and cannot be a member.") % {"unit": label_for_choice(org)},
                kind=Refusal.INVALID,
            )
        if org_rules.exists_on((org.valid_from, org.valid_to), first_day):
            continue
        if org.valid_from is not None and org.valid_from > first_day:
            message = _("%(unit)s does not exist yet on %(day)s, when the year starts.")
        else:
            message = _("%(unit)s no longer exists on %(day)s, when the year starts.")
        message %= {"unit": label_for_choice(org), "day": short_date(first_day)}
        today = org_reads.continuing_on([org.pk], first_day)[org.pk]
        if today:
            message += " " + _("Choose the unit that continues it: %(units)s.") % {
                "units": ", ".join(label_for_choice(o) for o in today)
            }
        raise ActionRefused(message, kind=Refusal.BAD_PERIOD)


@dataclass(frozen=True)
class OpenedYear:
    """A year opened from the last one, and what was copied into it, in the user's words."""

    year: EmulationYear
    copied: list[str]


TEXTS = "cycle.texts"  # the movement and the pledge, carried over as drafts


def carry_overs(previous: EmulationYear) -> list[hooks.CarryOver]:
    """What the last year offers to the next: each area's, then the movement and the pledge."""
    offers = [offer for offers_of in hooks.carry_overs for offer in offers_of(previous)]
    if (
        Movement.objects.filter(year=previous).exists()
        or Pledge.objects.filter(year=previous).exists()
    ):
        offers.append(
            hooks.CarryOver(
                TEXTS,
                _("Copy the movement and the pledge of %(year)s, as drafts to edit")
                % {"year": previous.year},
            )
        )
    return offers


def last_year(cluster: Cluster, before: int) -> EmulationYear | None:
    """The cluster's latest year before `before`: the one a new year carries over from."""
    return cluster.years.filter(year__lt=before).order_by("-year").first()


@transaction.atomic
def do_open_next_year(
    cluster: Cluster,
    *,
    year: int,
    members: Sequence[Organization],
    head: Organization,
    deputy: Organization,
    carry_over: Collection[str],
    acting_user: User,
) -> OpenedYear:
    """Open a year (`do_open_year`) and copy into it what the secretariat ticked of the last
    one (`carry_overs`): all of it, or, if anything is refused, none of it and no year."""
    opened = do_open_year(
        cluster, year=year, members=members, head=head, deputy=deputy, acting_user=acting_user
    )
    options = frozenset(carry_over)
    if not options:
        return OpenedYear(opened, [])
    previous = last_year(cluster, year)
    offered = {offer.key for offer in carry_overs(previous)} if previous else set()
    if previous is None or not options <= offered:
        raise ActionRefused(
            _("There is nothing of that kind to copy from an earlier year."),
            kind=Refusal.NOTHING,
        )
    copied = [
        text
        for copier in hooks.year_opened
        for text in copier(previous, opened, options, acting_user)
    ]
    if TEXTS in options:
        copied += _copy_texts(previous, opened, acting_user)
    record(
        "year.carry_over",
        opened,
        actor=acting_user,
        year=opened,
        after={"from_year": previous.year, "copied": copied},
    )
    return OpenedYear(opened, copied)


def _copy_texts(previous: EmulationYear, year: EmulationYear, acting_user: User) -> list[str]:
    """The last year's movement and pledge, written for the new year, as drafts to edit."""
    old, new = previous.year, year.year

    def shift(text: str) -> str:
        return rules.shift_year_references(text, old, new)

    copied = []
    movement = Movement.objects.filter(year=previous).first()
    if movement is not None:
        draft = Movement.objects.create(
            year=year,
            title=shift(movement.title),
            launched_on=rules.shift_day(movement.launched_on, new - old),
            goals=shift(movement.goals),
            targets=shift(movement.targets),
        )
        record("movement.set", draft, actor=acting_user, year=year, after=snapshot(draft))
        copied.append(_("the movement"))
    pledge = Pledge.objects.filter(year=previous).first()
    if pledge is not None:
        texts = [shift(text) for text in pledge.articles.values_list("text", flat=True)]
        draft_pledge = Pledge.objects.create(
            year=year, title=shift(pledge.title), preamble=shift(pledge.preamble)
        )
        PledgeArticle.objects.bulk_create(
            PledgeArticle(pledge=draft_pledge, number=n, text=text)
            for n, text in enumerate(texts, 1)
        )
        record(
            "pledge.set",
            draft_pledge,
            actor=acting_user,
            year=year,
            after={**snapshot(draft_pledge), "articles": texts},
        )
        copied.append(_("the pledge"))
    return copied


@transaction.atomic
def do_set_movement(
    year: EmulationYear,
    *,
    title: str,
    launched_on: dt.date,
    goals: str,
    targets: str = "",
    version: str | None = None,
    acting_user: User,
) -> Movement:
    """Launch (or, while the year is being set up, correct) the year's emulation movement.

    `version` is `movement_version` of the movement the user edited; a newer one is kept.
    """
    access.require(acting_user, "cycle.edit_setup", year)
    year = lock_year(year)
    require_phase(year, Phase.SETUP)
    movement = Movement.objects.filter(year=year).first()
    require_version(version, movement_version(movement), what=_("The emulation movement"))
    before = snapshot(movement) if movement else None
    if movement is None:
        movement = Movement(year=year)
    movement.title = normalize(title)
    movement.launched_on = launched_on
    movement.goals = normalize_block(goals)
    movement.targets = normalize_block(targets)
    movement.full_clean()
    movement.save()
    record(
        "movement.set",
        movement,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(movement),
    )
    return movement


@transaction.atomic
def do_set_deadline(
    year: EmulationYear, *, phase: str, due_on: dt.date | None, acting_user: User
) -> Deadline | None:
    """Set (or, with `due_on` None, lift) the day by which the members must finish `phase`."""
    access.require(acting_user, "cycle.set_deadlines", year)
    year = lock_year(year)
    deadlines = {d.phase: d for d in Deadline.objects.filter(year=year)}
    current = deadlines.get(phase)
    before = snapshot(current) if current else None
    if due_on is None:
        if current is None:
            raise ActionRefused(_("This phase has no deadline to lift."), kind=Refusal.NOTHING)
        current.delete()
        record("deadline.lift", year, actor=acting_user, year=year, before=before)
        return None
    problems = rules.deadline_problems(
        year=year.year,
        current=year.phase,
        phase=phase,
        due_on=due_on,
        opened_on=timezone.localdate(year.phase_changed_at) if year.phase_changed_at else None,
        others={p: d.due_on for p, d in deadlines.items()},
        today=clock.today(),
    )
    if problems:
        over = problems[0].code in ("year_closed", "phase_over")
        raise ActionRefused(
            " ".join(describe(p) for p in problems),
            kind=Refusal.CLOSED if over else Refusal.BAD_DATE,
        )
    deadline = current or Deadline(year=year, phase=phase)
    deadline.due_on = due_on
    deadline.save()
    record(
        "deadline.set",
        deadline,
        actor=acting_user,
        year=year,
        before=before,
        after=snapshot(deadline),
    )
    return deadline


def movement_version(movement: Movement | None) -> str:
    return version_of(movement)


def pledge_version(pledge: Pledge | None) -> str:
    articles = list(pledge.articles.values_list("text", flat=True)) if pledge else []
    return version_of(pledge, articles)


def normalize_block(text: str) -> str:
    """Normalise each line of a multi-line text, keeping the lines."""
    return "\n".join(normalize(line) for line in text.strip().splitlines())


@transaction.atomic
def do_set_pledge(
    year: EmulationYear,
    *,
    title: str,
    preamble: str,
    articles: Sequence[str],
    version: str | None = None,
    acting_user: User,
) -> Pledge:
    """Write the pledge's title and articles; fixed once the pledge phase opens.

    `version` is `pledge_version` of the pledge the user edited; a newer one is kept.
    """
    access.require(acting_user, "cycle.edit_setup", year)
    year = lock_year(year)
    require_phase(year, Phase.SETUP)
    texts = [normalize_block(a) for a in articles if a.strip()]
    if not texts:
        raise ActionRefused(_("A pledge needs at least one article."), kind=Refusal.MISSING)
    pledge = Pledge.objects.filter(year=year).first()
    require_version(version, pledge_version(pledge), what=_("The emulation pledge"))
    before = None
    if pledge is None:
        pledge = Pledge(year=year)
    else:
        before = {
            **snapshot(pledge),
            "articles": list(pledge.articles.values_list("text", flat=True)),
        }
    pledge.title = normalize(title)
    pledge.preamble = normalize_block(preamble)
    pledge.full_clean()
    pledge.save()
    pledge.articles.all().delete()
    PledgeArticle.objects.bulk_create(
        PledgeArticle(pledge=pledge, number=n, text=text) for n, text in enumerate(texts, 1)
    )
    record(
        "pledge.set",
        pledge,
        actor=acting_user,
        year=year,
        before=before,
        after={**snapshot(pledge), "articles": texts},
    )
    return pledge


def year_facts(year: EmulationYear) -> rules.YearFacts:
    """Load what the phase rules need, in a handful of queries."""
    memberships = list(year.memberships.select_related("organization"))
    pledge = Pledge.objects.filter(year=year).first()
    signed: set[int] = set()
    articles = 0
    if pledge is not None:
        signed = set(pledge.signatures.values_list("organization_id", flat=True))
        articles = pledge.articles.count()
    return rules.YearFacts(
        phase=year.phase,
        member_count=len(memberships),
        has_head=any(m.role == Membership.Role.HEAD for m in memberships),
        has_deputy=any(m.role == Membership.Role.DEPUTY for m in memberships),
        has_movement=Movement.objects.filter(year=year).exists(),
        pledge_articles=articles,
        unsigned=tuple(
            m.organization.display_name for m in memberships if m.organization_id not in signed
        ),
    )


def phase_problems(year: EmulationYear, target: str) -> list[str]:
    """Everything, in the user's words, that stops `year` moving to `target`."""
    problems = rules.transition_problems(year_facts(year), target)
    if problems:
        # The cycle's own order comes first: other areas' checks assume a valid move.
        return [describe(p) for p in problems]
    due_on = Deadline.objects.filter(year=year, phase=target).values_list("due_on", flat=True)
    passed = rules.deadline_passed(target, due_on.first(), clock.today())
    return [describe(p) for p in passed] + [
        message for check in hooks.phase_problems for message in check(year, target)
    ]


@transaction.atomic
def do_move_phase(year: EmulationYear, *, target: str, acting_user: User) -> EmulationYear:
    """Move the year to its next phase, if everything that phase needs is in place."""
    access.require(acting_user, "cycle.change_phase", year)
    year = lock_year(year)
    problems = phase_problems(year, target)
    if problems:
        raise ActionRefused(" ".join(problems), kind=Refusal.PHASE_REFUSED)
    before = year.phase
    year.phase = target
    year.phase_changed_at = clock.now()
    year.save(update_fields=["phase", "phase_changed_at"])
    for changed in hooks.phase_changed:
        changed(year, before, target, acting_user)
    record(
        "year.phase",
        year,
        actor=acting_user,
        year=year,
        before={"phase": before},
        after={"phase": target},
    )
    return year


@transaction.atomic
def do_sign_pledge(pledge: Pledge, *, unit: Organization | None, acting_user: User) -> Signature:
    """The unit's leader signs the pledge, once, during the pledge phase."""
    year = lock_year(pledge.year)
    access.require(acting_user, "cycle.sign_pledge", year)
    if unit is None or acting_user.organization_id != unit.pk:
        raise ActionRefused(
            _("A leader can only sign for the unit he or she leads."), kind=Refusal.NOT_YOURS
        )
    require_phase(year, Phase.PLEDGE)
    if Signature.objects.filter(pledge=pledge, organization=unit).exists():
        raise ActionRefused(
            _("%(unit)s has already signed the pledge.") % {"unit": unit.display_name},
            kind=Refusal.ALREADY_SIGNED,
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                pledge=pledge,
                organization=unit,
                signed_by=acting_user,
                signer_name=str(acting_user),
                signer_title=acting_user.job_title,
                signed_at=clock.now(),
            )
    except IntegrityError:
        raise ActionRefused(
            _("%(unit)s has already signed the pledge.") % {"unit": unit.display_name},
            kind=Refusal.ALREADY_SIGNED,
        ) from None
    record("pledge.sign", signature, actor=acting_user, year=year, after=snapshot(signature))
    return signature
