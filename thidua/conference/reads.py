"""Load a cluster year's story for the documents: a fixed handful of queries, then plain data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thidua.award_history.models import AwardLevel
from thidua.awards.documents import issued_name
from thidua.awards.eligibility import judge_year
from thidua.awards.exports import PROPOSED
from thidua.awards.models import Nomination
from thidua.cycle.hooks import facts_of
from thidua.cycle.models import EmulationYear, Membership, Movement, Pledge
from thidua.lib.text import sort_key
from thidua.orgs.models import Organization, PersonPosition, User
from thidua.orgs.rules import exists_on
from thidua.voting import reads as voting_reads
from thidua.voting.models import Poll

from .content import (
    Attendance,
    AwardProposal,
    CandidateCount,
    ConferenceInfo,
    Nominee,
    PledgeInfo,
    PollCount,
    Remark,
    Story,
    numbered,
)
from .models import Comment, Conference, Report, ReportVersion


def pledge_info(pledge: Pledge) -> PledgeInfo:
    signatures = sorted(
        (
            (
                s.organization.name,
                s.signer_name,
                s.signer_title,
                timezone.localtime(s.signed_at).date(),
            )
            for s in pledge.signatures.select_related("organization")
        ),
        key=lambda row: sort_key(row[0]),
    )
    return PledgeInfo(
        year=pledge.year.year,
        title=pledge.title,
        preamble=pledge.preamble,
        articles=tuple(a.text for a in pledge.articles.all()),
        signatures=tuple(signatures),
    )


def managing_agency(supervisor: Organization) -> Organization | None:
    """The agency above a ministry's department (the Ministry), which grants the awards."""
    if supervisor.kind == Organization.Kind.MINISTRY_DEPARTMENT and supervisor.parent:
        return supervisor.parent
    if supervisor.kind in (Organization.Kind.MINISTRY, Organization.Kind.PROVINCIAL_COMMITTEE):
        return supervisor
    return None


def head_of(agency: Organization) -> str:
    """Who heads `agency` and signs its decisions: "Bộ trưởng Bộ Kế hoạch và Đầu tư"."""
    if agency.kind == Organization.Kind.MINISTRY:
        return f"Bộ trưởng {agency.name}"
    if agency.kind == Organization.Kind.PROVINCIAL_COMMITTEE:
        return f"Chủ tịch {agency.name}"
    return agency.name


def poll_counts(year: EmulationYear) -> tuple[PollCount, ...]:
    """Each closed poll's count, through voting's reads: its disclosure setting holds here."""
    found = []
    for poll in Poll.objects.filter(year=year).order_by("pk"):
        candidates = voting_reads.candidates_of(poll)
        result = voting_reads.count(poll, candidates)
        if result is None:
            continue
        shown = voting_reads.shown(poll, result, candidates)
        found.append(
            PollCount(
                title=poll.title,
                entitled=shown.entitled,
                cast=shown.ballots_cast,
                blank=shown.blank_ballots,
                candidates=tuple(
                    CandidateCount(r.label, r.votes, r.passed, r.elected) for r in shown.rows
                ),
                winners=tuple(shown.winners),
            )
        )
    return tuple(found)


_VERDICTS = {"eligible", "needs_review", "not_eligible"}


def proposals(year: EmulationYear) -> tuple[AwardProposal, ...]:
    """The nominations the members sent up, by award (catalogue order), collectives first,
    each with its unit, an individual's position, and the eligibility check's verdict."""
    nominations = list(
        Nomination.objects.filter(year=year, status__in=PROPOSED)
        .select_related("award_type", "person", "collective", "unit")
        .order_by("award_type__rank", "pk")
    )
    if not nominations:
        return ()
    verdicts = judge_year(year)
    end = dt.date(year.year, 12, 31)
    posts: dict[int, str] = {}  # an individual's post at the end of the year, with its unit
    for post in (
        PersonPosition.objects.filter(person__in={n.person_id for n in nominations})
        .select_related("organization")
        .order_by("valid_from", "pk")
    ):
        if exists_on((post.valid_from, post.valid_to), end):
            where = post.organization.name
            posts[post.person_id] = f"{post.title}, {where}" if post.title else where
    # Each award as the managing agency grants it: its Bằng khen to collectives and to
    # individuals is one award ("Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu tư").
    agency = managing_agency(year.cluster.supervisor)
    grouped: dict[str, list[Nomination]] = {}
    for n in nominations:
        name = issued_name(n.award_type.name, agency.name) if agency else n.award_type.name
        grouped.setdefault(name, []).append(n)
    found = []
    for name, group in grouped.items():
        award = group[0].award_type
        nominees = []
        for n in sorted(group, key=lambda n: (n.person_id is not None, sort_key(n.unit.name))):
            verdict = str(verdicts[n.pk].verdict)
            assert verdict in _VERDICTS
            nominees.append(
                Nominee(
                    name=n.nominee_name,
                    collective=n.collective_id is not None,
                    where=posts.get(n.person_id or 0, n.unit.name),
                    verdict=verdict,
                )
            )
        found.append(
            AwardProposal(
                award=name,
                grassroots=award.level == AwardLevel.GRASSROOTS,
                nominees=tuple(nominees),
                state_level=award.level in (AwardLevel.PRIME_MINISTER, AwardLevel.PRESIDENT),
            )
        )
    return tuple(found)


def latest_version(year: EmulationYear) -> ReportVersion | None:
    return ReportVersion.objects.filter(report__year=year).order_by("-number").first()


def load(year: EmulationYear) -> Story:
    memberships = list(year.memberships.select_related("organization"))
    head = next(m.organization for m in memberships if m.role == Membership.Role.HEAD)
    deputy = next(m.organization for m in memberships if m.role == Membership.Role.DEPUTY)
    leader = User.objects.filter(organization=head, position=User.Position.LEADER).first()
    movement = Movement.objects.filter(year=year).first()
    pledge = Pledge.objects.filter(year=year).select_related("year").first()
    next_pledge = (
        Pledge.objects.filter(year__cluster=year.cluster, year__year=year.year + 1)
        .select_related("year")
        .first()
    )
    conference = Conference.objects.filter(year=year).select_related("host").first()
    info = None
    if conference is not None:
        attendees = tuple(
            Attendance(a.name, a.position, a.unit, a.role) for a in conference.attendees.all()
        )
        info = ConferenceInfo(
            starts_on=conference.starts_on,
            ends_on=conference.ends_on,
            host=conference.host.name,
            place=conference.host.province or head.province,
            venue=conference.venue,
            attendees=attendees,
            agenda=tuple(conference.agenda_items),
            decisions=tuple(conference.decision_items),
            directions=conference.directions,
            closed_at=conference.closed_at,
        )
    head_leader = str(leader) if leader else ""
    if info is not None:
        chair_names = [a.name for a in info.with_role("chair")]
        head_leader = chair_names[0] if chair_names else head_leader
    report = Report.objects.filter(year=year).first()
    remarks: tuple[Remark, ...] = ()
    versions = 0
    directions = info.directions if info else ""
    if report is not None:
        titles: dict[str, str] = {}
        latest = latest_version(year)
        versions = report.versions.count()
        if latest is not None:
            titles = {s["key"]: s["title"] for s in numbered(latest.sections)}
            directions = next(
                (s["text"] for s in latest.sections if s["key"] == "directions"), directions
            )
        remarks = tuple(
            Remark(
                unit=c.organization.name,
                section=titles.get(c.section, c.section),
                kind=c.kind,
                text=c.text,
            )
            for c in Comment.objects.filter(version__report=report).select_related("organization")
        )
    agency = managing_agency(year.cluster.supervisor)
    return Story(
        year=year.year,
        cluster=year.cluster.name,
        supervisor=year.cluster.supervisor.name,
        ministry=agency.name if agency else "",
        minister=head_of(agency) if agency else "",
        polls=poll_counts(year),
        proposals=proposals(year),
        members=tuple(m.organization.name for m in memberships),
        head=head.name,
        head_place=head.province,
        deputy=deputy.name,
        head_leader=head_leader,
        movement_title=movement.title if movement else "",
        movement_launched=movement.launched_on if movement else None,
        movement_goals=movement.goals if movement else "",
        movement_targets=movement.targets if movement else "",
        pledge=pledge_info(pledge) if pledge else None,
        next_pledge=pledge_info(next_pledge) if next_pledge else None,
        conference=info,
        remarks=remarks,
        versions=versions,
        report_final=report.is_final if report else False,
        directions=directions,
        facts=facts_of(year),
    )
