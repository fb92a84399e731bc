"""Load a cluster year's story for the documents: a fixed handful of queries, then plain data."""

from __future__ import annotations

from django.utils import timezone

from thidua.cycle.hooks import facts_of
from thidua.cycle.models import EmulationYear, Membership, Movement, Pledge
from thidua.lib.text import sort_key
from thidua.orgs.models import User

from .content import Attendance, ConferenceInfo, PledgeInfo, Remark, Story
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
            titles = {s["key"]: s["title"] for s in latest.sections}
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
    return Story(
        year=year.year,
        cluster=year.cluster.name,
        supervisor=year.cluster.supervisor.name,
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
