"""The achievement report (báo cáo thành tích) of a nominee, in the state format.

`load` gathers what the report states from the database — the nominee, the nomination's
summary, the award history and task ratings of the recent years, the initiatives — into an
`Achievement`; `lay_out` writes it with `thidua.lib.docformat`. The nominating unit signs it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject

from thidua.award_history.models import AwardRecord, Initiative, TaskRating
from thidua.award_history.rules import Post, head_in_year, post_in_year
from thidua.lib import docformat
from thidua.lib.dates import short_date
from thidua.orgs import rules as org_rules
from thidua.orgs.models import Organization, PersonPosition, Succession, User

from .models import Nomination

RECENT_YEARS = 5  # the ratings shown: the nomination year and the four before it
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Achievement:
    """Everything the report states, as text."""

    authority: str
    parent_authority: str
    place: str
    award: str
    individual: bool
    details: tuple[tuple[str, str], ...]  # (label, value)
    summary: tuple[str, ...]  # paragraphs
    history: tuple[tuple[str, str, str, str], ...]  # (year, award, decision, issuer)
    ratings: tuple[tuple[str, str], ...]  # (year, rating)
    initiatives: tuple[tuple[str, str, str, str], ...]  # (year, title, level, note)
    signer_position: str
    signer_name: str


def _parent_authority(unit: Organization) -> str:
    if unit.parent is not None:
        return unit.parent.name
    if unit.kind == Organization.Kind.PROVINCIAL_DEPARTMENT and unit.province:
        return _("%(province)s Provincial People's Committee") % {"province": unit.province}
    return ""


def load(nomination: Nomination) -> Achievement:
    """The report of one nomination, read in a fixed number of queries."""
    unit = Organization.objects.select_related("parent").get(pk=nomination.unit_id)
    year = nomination.year.year
    rating_names = dict(TaskRating.Rating.choices)
    leader = (
        User.objects.filter(organization=unit, position=User.Position.LEADER, is_active=True)
        .order_by("pk")
        .first()
    )
    details: tuple[tuple[str, str], ...]
    if nomination.person is not None:
        person = nomination.person
        posts = [
            Post(p.organization.name, p.valid_from, p.valid_to, p.title)
            for p in person.positions.select_related("organization")
        ]
        post = post_in_year(posts, year)
        details = (
            (_("Full name"), person.full_name),
            (_("Year of birth"), str(person.birth_year or "")),
            (_("Gender"), person.get_gender_display()),
            (_("Position"), post.title if post else ""),
            (_("Unit"), post.unit if post else unit.name),
        )
        nominee = Q(person=person)
        rating_filter = Q(person=person)
    else:
        collective = nomination.collective
        assert collective is not None
        edges = Succession.objects.values_list("predecessor_id", "successor_id")
        lineage = {collective.pk} | org_rules.predecessors(collective.pk, edges)
        posts = [
            Post(collective.name, p.valid_from, p.valid_to, p.title, p.person.full_name)
            for p in PersonPosition.objects.filter(organization=collective).select_related("person")
        ]
        head = head_in_year(posts, year)
        if not head and collective.pk == unit.pk and leader is not None:
            head = str(leader)
        members = len({p.holder for p in posts if p.covers(year)})
        # No head recorded: the line is left out rather than printed empty.
        details = tuple(
            (label, value)
            for label, value in (
                (_("Name of the unit"), collective.name),
                (_("Head"), head),
                (_("Number of members"), str(members)),
            )
            if value
        )
        nominee = Q(organization_id__in=lineage)
        rating_filter = Q(organization_id__in=lineage)
    records = (
        AwardRecord.objects.filter(nominee, year__lte=year)
        .exclude(pk=nomination.record_id or 0)
        .select_related("award_type")
        .order_by("year", "award_type__rank", "pk")
    )
    history = tuple(
        (
            str(r.year),
            r.award_type.name,
            _("%(number)s of %(date)s")
            % {"number": r.decision_number, "date": short_date(r.decision_date)},
            r.issuer_name,
        )
        for r in records
    )
    stored = dict(
        TaskRating.objects.filter(
            rating_filter, year__gt=year - RECENT_YEARS, year__lte=year
        ).values_list("year", "rating")
    )
    ratings = tuple(
        (str(y), str(rating_names[stored[y]]) if y in stored else _("not recorded"))
        for y in range(year - RECENT_YEARS + 1, year + 1)
    )
    initiatives: tuple[tuple[str, str, str, str], ...] = ()
    if nomination.person is not None:
        levels = dict(Initiative.Level.choices)
        initiatives = tuple(
            (
                str(i.year),
                i.title,
                str(levels[i.level]),
                _("counted for %(award)s %(year)s")
                % {"award": i.used_by.award_type.name, "year": i.used_by.year}
                if i.used_by is not None
                else _("not used yet"),
            )
            for i in Initiative.objects.filter(person=nomination.person, year__lte=year)
            .select_related("used_by__award_type")
            .order_by("year", "pk")
        )
    return Achievement(
        authority=unit.name,
        parent_authority=_parent_authority(unit),
        place=unit.province or "…………",
        award=nomination.award_type.name,
        individual=nomination.person is not None,
        details=details,
        summary=tuple(line for line in nomination.summary.splitlines() if line.strip()),
        history=history,
        ratings=ratings,
        initiatives=initiatives,
        signer_position=(
            leader.job_title if leader and leader.job_title else _("Head of the unit")
        ),
        signer_name=str(leader) if leader else "",
    )


def _table_or_none(
    document: DocumentObject,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    empty: str,
) -> None:
    if rows:
        docformat.add_table(document, header, rows, widths_mm=widths)
    else:
        docformat.add_paragraph(document, empty, italic=True)


def lay_out(report: Achievement) -> bytes:
    """The report as a .docx in the state format."""
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=report.authority,
            number="",
            symbol=f"BC-{docformat.issuer_abbreviation(report.authority)}",
            place=report.place,
            date=None,
            parent_authority=report.parent_authority,
        ),
    )
    docformat.add_title(
        document, _("Achievement report"), _("Proposed for %(award)s") % {"award": report.award}
    )
    docformat.add_heading(
        document, _("I. PERSONAL DETAILS") if report.individual else _("I. THE UNIT")
    )
    for label, value in report.details:
        docformat.add_paragraph(
            document, _("- %(label)s: %(value)s") % {"label": label, "value": value}
        )
    docformat.add_heading(document, _("II. ACHIEVEMENTS"))
    for paragraph in report.summary:
        docformat.add_paragraph(document, paragraph)
    docformat.add_heading(document, _("III. TITLES AND AWARDS RECEIVED"))
    _table_or_none(
        document,
        [_("No."), _("Year"), _("Title or award"), _("Decision (number, date)"), _("Issued by")],
        [(str(n), *row) for n, row in enumerate(report.history, 1)],
        (12, 16, 52, 40, 40),
        _("No title or award is recorded."),
    )
    docformat.add_paragraph(document, _("Task ratings of the recent years:"))
    docformat.add_table(
        document, [_("Year"), _("Task rating")], report.ratings, widths_mm=(30, 130)
    )
    if report.individual:
        docformat.add_heading(document, _("IV. INITIATIVES"))
        _table_or_none(
            document,
            [_("No."), _("Year"), _("Initiative"), _("Recognised at"), _("Note")],
            [(str(n), *row) for n, row in enumerate(report.initiatives, 1)],
            (12, 16, 62, 35, 35),
            _("No initiative is recorded."),
        )
    docformat.add_closing(
        document,
        docformat.SignatureBlock(position=report.signer_position, name=report.signer_name),
    )
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    return buffer.getvalue()
