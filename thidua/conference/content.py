"""What the conference's documents say, written from the year's story (no ORM here).

`story.load(year)` gathers the story; the functions below turn it into the report's sections,
the minutes, the proposal letter, the pledge and the news article, as plain `DocContent` that
`documents` lays out in the state format (or hands to a user's Word template).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from thidua.lib import docformat
from thidua.lib.dates import date_range_vi, long_date, short_date
from thidua.lib.numbers import format_number, format_percent
from thidua.lib.text import fold, sort_key

from . import rules

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_NUMBERED = re.compile(r"^[IVXLC]+\.\s+")

# The ký hiệu of a cluster's documents (Decree 30/2020, Appendix I, II.3): the document type's
# abbreviation (Appendix III), then the issuer's: "Cụm thi đua", as the clusters write it.
CLUSTER_SYMBOL = "CTĐ"

# A nomination's verdict, as `reads` states it (the awards area's eligibility check).
ELIGIBLE, NEEDS_REVIEW, NOT_ELIGIBLE = "eligible", "needs_review", "not_eligible"

# Column widths in mm; the text is 160 mm wide (A4 less the 30 and 20 mm margins).
ATTENDEE_WIDTHS = (12, 46, 34, 68)
COUNT_WIDTHS = (12, 74, 22, 22, 30)
COUNT_WIDTHS_HIDDEN = (12, 108, 40)
NOMINEE_WIDTHS = (12, 52, 72, 24)


@dataclass(frozen=True)
class Attendance:
    name: str
    position: str
    unit: str
    role: str  # Attendee.Role value


@dataclass(frozen=True)
class ConferenceInfo:
    starts_on: dt.date
    ends_on: dt.date
    host: str
    place: str  # the host's province, for "Sơn La, ngày …"
    venue: str
    attendees: tuple[Attendance, ...]
    agenda: tuple[str, ...]
    decisions: tuple[str, ...]
    directions: str
    closed_at: dt.time | None = None  # on the last day; None until recorded

    def with_role(self, role: str) -> list[Attendance]:
        return [a for a in self.attendees if a.role == role]


@dataclass(frozen=True)
class Remark:
    """A member's comment on the draft, as the minutes and the news tell it."""

    unit: str
    section: str
    kind: str  # Comment.Kind value
    text: str


@dataclass(frozen=True)
class PledgeInfo:
    year: int
    title: str
    preamble: str
    articles: tuple[str, ...]
    signatures: tuple[tuple[str, str, str, dt.date], ...]  # unit, signer, title, date


@dataclass(frozen=True)
class CandidateCount:
    """One candidate's line of a poll's count; votes None when the disclosure hides them."""

    name: str
    votes: int | None
    passed: bool
    elected: bool


@dataclass(frozen=True)
class PollCount:
    """A closed poll as its disclosure setting lets the minutes state it."""

    title: str
    entitled: int  # ballots issued: one per member entitled to vote
    cast: int | None  # ballots returned, all of them valid in thidua's count
    blank: int | None
    candidates: tuple[CandidateCount, ...]
    winners: tuple[str, ...]


@dataclass(frozen=True)
class Nominee:
    name: str
    collective: bool
    where: str  # an individual's position and unit; a collective's nominating unit
    verdict: str  # ELIGIBLE, NEEDS_REVIEW or NOT_ELIGIBLE


@dataclass(frozen=True)
class AwardProposal:
    """The nominations of one award that the members sent up, with their verdicts."""

    award: str
    grassroots: bool  # decided by the units' own heads: never sent up to the Ministry
    nominees: tuple[Nominee, ...]
    state_level: bool = False  # the Prime Minister's or the President's: submitted further up


@dataclass(frozen=True)
class Story:
    """Everything the documents of one cluster year draw on."""

    year: int
    cluster: str
    supervisor: str
    members: tuple[str, ...]
    head: str
    head_place: str
    deputy: str
    head_leader: str
    ministry: str = ""  # the agency above the supervisor, which grants the awards
    minister: str = ""  # who decides them: "Bộ trưởng Bộ Kế hoạch và Đầu tư"
    polls: tuple[PollCount, ...] = ()
    proposals: tuple[AwardProposal, ...] = ()
    movement_title: str = ""
    movement_launched: dt.date | None = None
    movement_goals: str = ""
    movement_targets: str = ""
    pledge: PledgeInfo | None = None
    next_pledge: PledgeInfo | None = None
    conference: ConferenceInfo | None = None
    remarks: tuple[Remark, ...] = ()
    versions: int = 0
    report_final: bool = False
    directions: str = ""  # as the report now states them
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def next_year(self) -> int:
        return self.year + 1


@dataclass(frozen=True)
class DocSection:
    heading: str
    paragraphs: tuple[str, ...] = ()
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()
    widths_mm: tuple[float, ...] = ()


@dataclass(frozen=True)
class Signer:
    """A signature block besides the document's own (the minutes' secretary, each member)."""

    position: str
    name: str
    capacity: str = ""


@dataclass(frozen=True)
class DocContent:
    """A document's words, before layout: what a Word template receives, too."""

    kind: str  # "BÁO CÁO", "BIÊN BẢN" …
    summary: str
    authority: str
    place: str
    date: dt.date | None
    sections: tuple[DocSection, ...]
    signer_position: str
    signer_name: str
    signer_capacity: str = ""
    number: str = ""
    symbol: str = ""  # the ký hiệu after "Số: …/", e.g. "BC-CTĐ"
    addressee: str = ""
    recipients: tuple[str, ...] = ()
    cosigners: tuple[Signer, ...] = ()  # signed beside the signer, left to right
    appendix_title: str = ""  # the attached list (danh sách kèm theo), on its own pages
    appendix_note: str = ""
    appendix: tuple[DocSection, ...] = ()
    official: bool = True  # False: a news item, without the state header or a signature

    @property
    def number_line(self) -> str:
        """What follows "Số:": the register number (blank for the clerk), then the symbol."""
        return docformat.Letterhead("", self.number, "", None, symbol=self.symbol).number_line

    def context(self, story: Story) -> dict[str, Any]:
        """The placeholders a Word template may use (see `PLACEHOLDERS`)."""
        return {
            "cluster": story.cluster,
            "year": story.year,
            "next_year": story.next_year,
            "authority": self.authority,
            "number": self.number_line.removeprefix("Số: "),
            "place": self.place,
            "date": short_date(self.date) if self.date else "",
            "kind": self.kind,
            "summary": self.summary,
            "addressee": self.addressee,
            "sections": [
                {
                    "heading": s.heading,
                    "paragraphs": list(s.paragraphs),
                    "table": {
                        "header": list(s.table_header),
                        "rows": [list(r) for r in s.table_rows],
                    },
                    "lines": [*s.paragraphs, *(" – ".join(r) for r in s.table_rows)],
                }
                for s in (*self.sections, *self.appendix)
            ],
            "signer_capacity": self.signer_capacity,
            "signer_position": self.signer_position,
            "signer_name": self.signer_name,
            "recipients": list(self.recipients),
        }


PLACEHOLDERS = frozenset(
    {
        "cluster",
        "year",
        "next_year",
        "authority",
        "number",
        "place",
        "date",
        "kind",
        "summary",
        "addressee",
        "sections",
        "signer_capacity",
        "signer_position",
        "signer_name",
        "recipients",
    }
)


def _sentence(text: str) -> str:
    """A line as a sentence, ending with its full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _unit_names(names: Sequence[str]) -> str:
    """Units in Vietnamese order: "A, B và C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


# --- the summary report -----------------------------------------------------------------------


def _results_text(facts: Mapping[str, Any]) -> str:
    parts = []
    if facts.get("scoring.completion_summary"):
        parts.append(
            _("Through the patriotic emulation movements, %(summary)s.")
            % {"summary": str(facts["scoring.completion_summary"]).rstrip(".")}
        )
    if facts.get("indicators.results_paragraph"):
        parts.append(
            _("The members contributed to the provinces' socio-economic results: %(results)s")
            % {"results": facts["indicators.results_paragraph"]}
        )
    return "\n".join(parts)


def _ranking_text(facts: Mapping[str, Any]) -> str:
    ranking = facts.get("scoring.ranking") or []
    if not ranking:
        return ""
    lines = []
    if facts.get("scoring.provisional"):
        lines.append(_("The ranking below is provisional: the scores are not yet final."))
    for row in ranking:
        lines.append(
            _("%(rank)s. %(unit)s: %(total)s points, %(classification)s.")
            % {
                "rank": row["rank"],
                "unit": row["unit"],
                "total": row["total"],
                "classification": row["classification"],
            }
        )
    return "\n".join(lines)


def _commendation_text(story: Story) -> str:
    lines = []
    counts = story.facts.get("awards.counts")
    if counts:
        lines.append(
            _(
                "%(collectives)s collectives and %(individuals)s individuals, exemplary in the"
                " movements, were proposed for commendation at the various levels."
            )
            % {
                "collectives": format_number(counts["collectives"]),
                "individuals": format_number(counts["individuals"]),
            }
        )
    lines.extend(_award_votes(story))
    return "\n".join(lines)


def flag_name(story: Story) -> str:
    """The emulation flag with who grants it: "Cờ thi đua của Bộ Kế hoạch và Đầu tư"."""
    if not story.ministry:
        return _("the emulation flag")
    return _("the emulation flag of %(ministry)s") % {"ministry": story.ministry}


def certificate_name(story: Story) -> str:
    """The certificate of merit with who grants it: "Bằng khen của Bộ trưởng Bộ …"."""
    if not story.minister:
        return _("the certificate of merit")
    return _("the certificate of merit of the %(minister)s") % {"minister": story.minister}


def _award_votes(story: Story) -> list[str]:
    facts = story.facts
    lines = []
    if facts.get("voting.flag"):
        lines.append(
            _("The members voted to propose %(award)s for %(units)s.")
            % {"award": flag_name(story), "units": _unit_names(facts["voting.flag"])}
        )
    if facts.get("voting.certificates"):
        lines.append(
            _("The members voted to propose %(award)s for %(units)s.")
            % {"award": certificate_name(story), "units": _unit_names(facts["voting.certificates"])}
        )
    return lines


def _next_year_lines(facts: Mapping[str, Any], next_year: int) -> list[str]:
    lines = []
    if facts.get("voting.next_head"):
        lines.append(
            _("The members elected %(unit)s cluster head for %(year)s.")
            % {"unit": facts["voting.next_head"], "year": next_year}
        )
    if facts.get("voting.next_deputy"):
        lines.append(
            _("The members elected %(unit)s cluster deputy for %(year)s.")
            % {"unit": facts["voting.next_deputy"], "year": next_year}
        )
    return lines


def report_sections(story: Story) -> rules.Sections:
    """The draft report generated from the year's data; a part without data is left out."""
    members = sorted(story.members, key=sort_key)
    candidates: list[tuple[str, str, str]] = [
        (
            "cluster",
            _("Overview of the cluster"),
            "\n".join(
                [
                    _("The %(cluster)s has %(count)s members: %(members)s.")
                    % {
                        "cluster": story.cluster,
                        "count": len(members),
                        "members": _names(members),
                    },
                    _("The cluster works under the direction and guidance of %(supervisor)s.")
                    % {"supervisor": story.supervisor},
                    _("In %(year)s, %(head)s was the cluster head and %(deputy)s its deputy.")
                    % {"year": story.year, "head": story.head, "deputy": story.deputy},
                ]
            ),
        ),
    ]
    if story.movement_title:
        movement = [launched(story)]
        movement.extend(rules.lines(story.movement_goals))
        movement.extend(rules.lines(story.movement_targets))
        if story.pledge and story.pledge.signatures:
            movement.append(
                _("%(signed)s of %(members)s members signed the emulation pledge for %(year)s.")
                % {
                    "signed": len(story.pledge.signatures),
                    "members": len(members),
                    "year": story.year,
                }
            )
        candidates.append(("movement", _("The emulation movement"), "\n".join(movement)))
    candidates.append(("results", _("Results of the political tasks"), _results_text(story.facts)))
    candidates.append(("scores", _("Scores and classification"), _ranking_text(story.facts)))
    candidates.append(("commendation", _("Commendation"), _commendation_text(story)))
    candidates.append(
        (
            "next_year",
            _("Cluster head and deputy for %(year)s") % {"year": story.next_year},
            "\n".join(_next_year_lines(story.facts, story.next_year)),
        )
    )
    directions = story.conference.directions if story.conference else ""
    candidates.append(
        (
            "directions",
            _("Directions and tasks for %(year)s") % {"year": story.next_year},
            directions,
        )
    )
    present = [rules.section(key, title, text.strip()) for key, title, text in candidates]
    return numbered([s for s in present if s["text"]])


def launched(story: Story) -> str:
    """The launch of the movement; a title that starts "Phong trào …" is not named twice."""
    when = short_date(story.movement_launched) if story.movement_launched else ""
    if fold(story.movement_title).startswith(fold(pgettext("title start", "movement"))):
        return _("On %(date)s the cluster launched the “%(title)s”.") % {
            "date": when,
            "title": story.movement_title,
        }
    return _("On %(date)s the cluster launched the movement “%(title)s”.") % {
        "date": when,
        "title": story.movement_title,
    }


def numbered(sections: Sequence[Mapping[str, Any]]) -> rules.Sections:
    """The sections numbered I, II, III … in their order, whatever number a title carried.

    A section rewritten by hand keeps the title of its version; when a part the data did not
    yet give appears before it, its old number would repeat one already used.
    """
    return [
        {**s, "title": f"{ROMAN[i]}. {_NUMBERED.sub('', s['title'])}"}
        for i, s in enumerate(sections)
    ]


def _authority(story: Story) -> str:
    return story.cluster


def _date(story: Story) -> dt.date | None:
    return story.conference.ends_on if story.conference else None


def _place(story: Story) -> str:
    if story.conference and story.conference.place:
        return story.conference.place
    return story.head_place


def _recipients(story: Story) -> tuple[str, ...]:
    return (story.supervisor, _("Members of the cluster"))


def _symbol(kind: str) -> str:
    """The ký hiệu of a cluster document of `kind` ("BC"): "BC-CTĐ"."""
    return f"{kind}-{CLUSTER_SYMBOL}" if kind else CLUSTER_SYMBOL


def report_document(story: Story, sections: Sequence[Mapping[str, Any]]) -> DocContent:
    return DocContent(
        kind=_("REPORT"),
        summary=_(
            "Review of the emulation and commendation work in %(year)s and the directions and"
            " tasks for %(next)s"
        )
        % {"year": story.year, "next": story.next_year},
        authority=_authority(story),
        place=_place(story),
        date=_date(story),
        sections=tuple(
            DocSection(heading=s["title"], paragraphs=tuple(rules.lines(s["text"])))
            for s in numbered(sections)
        ),
        symbol=_symbol(pgettext("document symbol", "BC")),
        signer_capacity=_("ON BEHALF OF THE CLUSTER"),
        signer_position=_("CLUSTER HEAD"),
        signer_name=story.head_leader,
        recipients=_recipients(story),
    )


# --- sentences the minutes and the news share -------------------------------------------------


def _person(attendee: Attendance) -> str:
    return _("%(name)s, %(position)s, %(unit)s") % {
        "name": attendee.name,
        "position": attendee.position,
        "unit": attendee.unit,
    }


def when_and_where(story: Story) -> str:
    conference = story.conference
    assert conference is not None
    return _(
        "On %(when)s, at %(venue)s, the %(cluster)s held its conference to review the emulation"
        " and commendation work of %(year)s and to set the directions and tasks for %(next)s."
    ) % {
        "when": date_range_vi(conference.starts_on, conference.ends_on),
        "venue": conference.venue,
        "cluster": story.cluster,
        "year": story.year,
        "next": story.next_year,
    }


def presented_by(story: Story) -> str:
    assert story.conference is not None
    chair = story.conference.with_role("chair")
    if not chair:
        return _("The cluster head, %(head)s, presented the draft summary report of %(year)s.") % {
            "head": story.head,
            "year": story.year,
        }
    return _(
        "Opening the conference, %(person)s (cluster head in %(year)s) presented the draft"
        " summary report of %(year)s and the directions and tasks for %(next)s."
    ) % {"person": _person(chair[0]), "year": story.year, "next": story.next_year}


def discussion(story: Story) -> str:
    """F17: the members discussed the draft and proposed additions before it was finalised."""
    if not story.remarks:
        return ""
    units = sorted({r.unit for r in story.remarks}, key=sort_key)
    additions = [r for r in story.remarks if r.kind == "addition"]
    text = _(
        "The representatives of %(count)s members (%(units)s) discussed the draft summary"
        " report and made %(remarks)s comments, %(additions)s of them proposed additions."
    ) % {
        "count": len(units),
        "units": _names(units),
        "remarks": len(story.remarks),
        "additions": len(additions),
    }
    if story.versions > 1:
        state = (
            _("The report was revised %(n)s times and finalised.")
            if story.report_final
            else _("The report was revised %(n)s times.")
        )
        text = f"{text} {state % {'n': story.versions - 1}}"
    return text


def proposed_additions(story: Story) -> list[str]:
    return [
        _("%(unit)s proposed to add to “%(section)s”: %(text)s")
        % {"unit": r.unit, "section": r.section, "text": r.text}
        for r in story.remarks
        if r.kind == "addition"
    ]


def pledge_signed(story: Story) -> str:
    pledge = story.next_pledge
    if pledge is None or not pledge.signatures:
        return ""
    return _(
        "At the conference, the leaders of %(count)s members signed the emulation pledge for"
        " %(year)s."
    ) % {"count": len(pledge.signatures), "year": pledge.year}


def results_summary(story: Story) -> list[str]:
    facts = story.facts
    lines = []
    counts = facts.get("awards.counts")
    if counts:
        lines.append(
            _(
                "%(collectives)s collectives and %(individuals)s individuals, exemplary in the"
                " movements, were proposed for commendation at the various levels."
            )
            % {
                "collectives": format_number(counts["collectives"]),
                "individuals": format_number(counts["individuals"]),
            }
        )
    results = _results_text(facts)
    if results:
        lines.extend(rules.lines(results))
    return lines


# --- the minutes ------------------------------------------------------------------------------


def _share(votes: int, valid: int) -> str:
    return format_percent(Decimal(votes * 100) / valid, 1) if valid else ""


def _outcome(candidate: CandidateCount) -> str:
    if candidate.elected:
        return pgettext("count", "Elected")
    if candidate.passed:
        return pgettext("count", "Passed")
    return pgettext("count", "Not passed")


def poll_sections(story: Story) -> list[DocSection]:
    """Each closed poll's count, as much of it as the poll's disclosure setting shows."""
    sections = []
    for number, poll in enumerate(story.polls, 1):
        lines = []
        if poll.cast is not None:
            lines.append(
                _(
                    "Ballots issued: %(issued)s; ballots returned: %(returned)s; valid ballots:"
                    " %(valid)s, of which %(blank)s blank."
                )
                % {
                    "issued": format_number(poll.entitled),
                    "returned": format_number(poll.cast),
                    "valid": format_number(poll.cast),
                    "blank": format_number(poll.blank or 0),
                }
            )
        else:
            lines.append(
                _(
                    "Ballots issued: %(issued)s. By the poll's disclosure setting, only whether"
                    " each candidate passed is shown."
                )
                % {"issued": format_number(poll.entitled)}
            )
        if poll.winners:
            lines.append(_("Elected: %(names)s.") % {"names": _unit_names(poll.winners)})
        else:
            lines.append(_("Nobody was elected in this poll."))
        full = poll.cast is not None
        header = (
            pgettext("document column", "No."),
            pgettext("document column", "Candidate"),
            *(
                (
                    pgettext("document column", "Votes"),
                    pgettext("document column", "Share of valid ballots"),
                )
                if full
                else ()
            ),
            pgettext("document column", "Result"),
        )
        rows = tuple(
            (
                str(i),
                c.name,
                *(
                    (format_number(c.votes or 0), _share(c.votes or 0, poll.cast or 0))
                    if full
                    else ()
                ),
                _outcome(c),
            )
            for i, c in enumerate(poll.candidates, 1)
        )
        sections.append(
            DocSection(
                heading=f"{number}. {poll.title}",
                paragraphs=tuple(lines),
                table_header=header,
                table_rows=rows,
                widths_mm=COUNT_WIDTHS if full else COUNT_WIDTHS_HIDDEN,
            )
        )
    return sections


def _closing(conference: ConferenceInfo) -> str:
    """When the conference ended, as the minutes state it; a blank to fill until recorded."""
    on = long_date(conference.ends_on)
    if conference.closed_at is None:
        return _("The conference ended at      hours      minutes on %(date)s.") % {"date": on}
    return _("The conference ended at %(hours)s hours %(minutes)s minutes on %(date)s.") % {
        "hours": conference.closed_at.hour,
        "minutes": f"{conference.closed_at.minute:02d}",
        "date": on,
    }


def minutes_document(story: Story) -> DocContent:
    conference = story.conference
    assert conference is not None
    attendees = DocSection(
        heading=_("II. Attendees"),
        paragraphs=(
            *(
                _("Directing the conference: %(person)s.") % {"person": _person(a)}
                for a in conference.with_role("supervisor")
            ),
            *(
                _("Chair: %(person)s.") % {"person": _person(a)}
                for a in conference.with_role("chair")
            ),
            *(
                _("Secretary: %(person)s.") % {"person": _person(a)}
                for a in conference.with_role("secretary")
            ),
        ),
        table_header=(
            pgettext("document column", "No."),
            pgettext("document column", "Full name"),
            pgettext("document column", "Position"),
            pgettext("document column", "Unit"),
        ),
        table_rows=tuple(
            (str(i), a.name, a.position, a.unit) for i, a in enumerate(conference.attendees, 1)
        ),
        widths_mm=ATTENDEE_WIDTHS,
    )
    content = [
        *(
            _("%(n)s. %(item)s") % {"n": i, "item": item}
            for i, item in enumerate(conference.agenda, 1)
        ),
        presented_by(story),
        *([discussion(story)] if story.remarks else []),
        *proposed_additions(story),
    ]
    sections = [
        DocSection(heading=_("I. Time and place"), paragraphs=(when_and_where(story),)),
        attendees,
        DocSection(heading=_("III. Proceedings"), paragraphs=tuple(content)),
    ]
    votes = [*_award_votes(story), *_next_year_lines(story.facts, story.next_year)]
    if votes or story.polls:
        sections.append(
            DocSection(heading=_("IV. Results of the secret ballots"), paragraphs=tuple(votes))
        )
        sections.extend(poll_sections(story))
    decided = [_sentence(d) for d in conference.decisions]
    if pledge_signed(story):
        decided.append(pledge_signed(story))
    if story.directions:
        decided.append(
            _("Directions and tasks for %(year)s: %(directions)s")
            % {"year": story.next_year, "directions": " ".join(rules.lines(story.directions))}
        )
    heading = ROMAN[len([s for s in sections if _NUMBERED.match(s.heading)])]
    if decided:
        sections.append(
            DocSection(
                heading=_("%(n)s. The conference agreed") % {"n": heading},
                paragraphs=tuple(decided),
            )
        )
    sections.append(
        DocSection(
            heading="",
            paragraphs=(_closing(conference),),
        )
    )
    chair = conference.with_role("chair")
    secretary = conference.with_role("secretary")
    return DocContent(
        kind=_("MINUTES"),
        summary=_("Conference reviewing the emulation and commendation work of %(year)s")
        % {"year": story.year},
        authority=_authority(story),
        place=_place(story),
        date=conference.ends_on,
        sections=tuple(sections),
        symbol=_symbol(pgettext("document symbol", "BB")),
        signer_position=_("CHAIR OF THE CONFERENCE"),
        signer_name=chair[0].name if chair else story.head_leader,
        # Left blank for a hand's signature and name where no secretary was recorded.
        cosigners=(Signer(position=_("SECRETARY"), name=secretary[0].name if secretary else ""),),
        recipients=_recipients(story),
    )


# --- the proposal letter ----------------------------------------------------------------------


def _nominee_rows(nominees: Sequence[Nominee]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(i),
            n.name,
            n.where,
            _("To be reviewed") if n.verdict == NEEDS_REVIEW else "",
        )
        for i, n in enumerate(nominees, 1)
    )


def _sent_up(story: Story) -> list[tuple[AwardProposal, list[Nominee], list[Nominee]]]:
    """The awards above the grassroots, each with its eligible or to-review collectives and
    individuals; a nominee judged not eligible is not sent up."""
    found = []
    for proposal in story.proposals:
        if proposal.grassroots:
            continue
        kept = [n for n in proposal.nominees if n.verdict != NOT_ELIGIBLE]
        if kept:
            found.append(
                (
                    proposal,
                    [n for n in kept if n.collective],
                    [n for n in kept if not n.collective],
                )
            )
    return found


def _counted(collectives: int, individuals: int) -> str:
    parts = []
    if collectives:
        parts.append(_("%(n)s collectives") % {"n": format_number(collectives)})
    if individuals:
        parts.append(_("%(n)s individuals") % {"n": format_number(individuals)})
    return _unit_names(parts)


def proposal_document(story: Story) -> DocContent:
    symbol = _symbol(pgettext("document symbol", "TTr"))
    date = _date(story)
    intro = [
        _(
            "Having reviewed the emulation and commendation work of %(year)s, the %(cluster)s"
            " proposes the following commendations."
        )
        % {"year": story.year, "cluster": story.cluster}
    ]
    intro.extend(results_summary(story))
    intro.extend(_award_votes(story))
    sections = [DocSection(heading=_("I. The cluster's review"), paragraphs=tuple(intro))]
    sent = _sent_up(story)
    proposed = []
    for proposal, collectives, individuals in sent:
        proposed.append(
            _("- %(award)s: %(count)s;")
            % {"award": proposal.award, "count": _counted(len(collectives), len(individuals))}
        )
    if proposed:  # the list's last item ends the sentence
        proposed[-1] = proposed[-1].removesuffix(";") + "."
    review = sum(1 for _p, c, i in sent for n in (*c, *i) if n.verdict == NEEDS_REVIEW)
    withheld = sum(
        1
        for p in story.proposals
        if not p.grassroots
        for n in p.nominees
        if n.verdict == NOT_ELIGIBLE
    )
    if review:
        proposed.append(
            _(
                "%(n)s of them are marked “to be reviewed”: the check against the award"
                " history could not confirm every condition."
            )
            % {"n": format_number(review)}
        )
    if withheld:
        proposed.append(
            _(
                "%(n)s nominations the check against the award history found not eligible are"
                " not proposed."
            )
            % {"n": format_number(withheld)}
        )
    if sent:
        proposed.append(_("The list is attached to this letter."))
        sections.append(
            DocSection(heading=_("II. The commendations proposed"), paragraphs=tuple(proposed))
        )
    decider = story.minister or story.supervisor
    if any(proposal.state_level for proposal, _c, _i in sent):
        request = _(
            "The %(cluster)s respectfully asks the %(decider)s to consider and decide the"
            " commendations within the Ministry's competence, and to submit the others to the"
            " competent authority./."
        )
    else:
        request = _(
            "The %(cluster)s respectfully asks the %(decider)s to consider and decide the"
            " commendations./."
        )
    sections.append(
        DocSection(
            heading="", paragraphs=(request % {"cluster": story.cluster, "decider": decider},)
        )
    )
    appendix = []
    for index, (proposal, collectives, individuals) in enumerate(sent, 1):
        appendix.append(DocSection(heading=f"{ROMAN[index - 1]}. {proposal.award}"))
        for label, nominees, name_column, where_column in (
            (
                _("Collectives"),
                collectives,
                pgettext("document column", "Collective"),
                pgettext("document column", "Proposed by"),
            ),
            (
                _("Individuals"),
                individuals,
                pgettext("document column", "Full name"),
                pgettext("document column", "Position and unit"),
            ),
        ):
            if not nominees:
                continue
            appendix.append(
                DocSection(
                    heading=f"{label} ({format_number(len(nominees))})",
                    table_header=(
                        pgettext("document column", "No."),
                        name_column,
                        where_column,
                        pgettext("document column", "Note"),
                    ),
                    table_rows=_nominee_rows(nominees),
                    widths_mm=NOMINEE_WIDTHS,
                )
            )
    return DocContent(
        kind=_("PROPOSAL LETTER"),
        summary=_("On the proposal for commendation for %(year)s") % {"year": story.year},
        authority=_authority(story),
        place=_place(story),
        date=date,
        addressee=_("To: %(decider)s") % {"decider": decider},
        sections=tuple(sections),
        symbol=symbol,
        signer_capacity=_("ON BEHALF OF THE CLUSTER"),
        signer_position=_("CLUSTER HEAD"),
        signer_name=story.head_leader,
        recipients=(_("As addressed"), story.supervisor, _("Members of the cluster")),
        appendix_title=_("Collectives and individuals proposed for commendation for %(year)s")
        % {"year": story.year}
        if appendix
        else "",
        appendix_note=_("(Attached to proposal letter No.      /%(symbol)s of %(date)s)")
        % {"symbol": symbol, "date": long_date(date) if date else ""}
        if appendix
        else "",
        appendix=tuple(appendix),
    )


# --- the pledge -------------------------------------------------------------------------------


def pledge_summary(title: str) -> str:
    """The pledge's title less the words of the document's kind: "Năm 2016"."""
    kind = _("emulation pledge")
    if not fold(title).startswith(fold(kind)):
        return title
    rest = title[len(kind) :].strip(" :-–")
    return rest[:1].upper() + rest[1:]


def pledge_document(story: Story, pledge: PledgeInfo) -> DocContent:
    sections = [
        DocSection(heading=_("Article %(n)s") % {"n": n}, paragraphs=tuple(rules.lines(text)))
        for n, text in enumerate(pledge.articles, 1)
    ]
    sections.append(
        DocSection(
            heading="",
            paragraphs=(
                _("Signed by the leaders of %(signed)s of the %(members)s members.")
                % {"signed": len(pledge.signatures), "members": len(story.members)},
            ),
        )
    )
    # Each member's leader signs for the member: the unit, the leader's position, the name.
    signers = tuple(
        Signer(capacity=unit, position=title or _("Director"), name=name)
        for unit, name, title, _day in pledge.signatures
    )
    return DocContent(
        kind=_("EMULATION PLEDGE"),
        summary=pledge_summary(pledge.title),
        authority=_authority(story),
        place=story.head_place,
        date=max((s[3] for s in pledge.signatures), default=None),
        sections=(
            DocSection(heading="", paragraphs=tuple(rules.lines(pledge.preamble))),
            *sections,
        ),
        # A pledge is not among the decree's kinds of document (Appendix III): like a công
        # văn, its ký hiệu is the issuer's alone.
        symbol=_symbol(""),
        signer_capacity="",
        signer_position="",
        signer_name="",
        cosigners=signers,
        recipients=_recipients(story),
    )


# --- the news ---------------------------------------------------------------------------------


def conference_article(story: Story) -> tuple[str, list[str]]:
    """The conference's news article drafted from the data: title and paragraphs."""
    title = _(
        "Conference reviewing the emulation work of %(year)s and launching the emulation"
        " movement of %(next)s of the %(cluster)s"
    ) % {"year": story.year, "next": story.next_year, "cluster": story.cluster}
    conference = story.conference
    if conference is None:
        return title, []
    paragraphs = [when_and_where(story)]
    directing = conference.with_role("supervisor")
    members = sorted(story.members, key=sort_key)
    attended = _("The leaders and staff of the %(count)s members attended: %(members)s.") % {
        "count": len(members),
        "members": _names(members),
    }
    if directing:
        directed = _("Directing the conference: %(people)s.") % {
            "people": "; ".join(_person(a) for a in directing)
        }
        attended = f"{directed} {attended}"
    paragraphs.append(attended)
    paragraphs.append(presented_by(story))
    paragraphs.extend(results_summary(story))
    if story.directions:
        paragraphs.append(
            _("In %(year)s, the cluster's directions: %(directions)s")
            % {"year": story.next_year, "directions": " ".join(rules.lines(story.directions))}
        )
    if discussion(story):
        paragraphs.append(discussion(story))
    votes = [*_award_votes(story), *_next_year_lines(story.facts, story.next_year)]
    if votes:
        paragraphs.append(" ".join(votes))
    closing = [*conference.decisions]
    if pledge_signed(story):
        closing.append(pledge_signed(story))
    if closing:
        paragraphs.append(" ".join(c.rstrip(".") + "." for c in closing))
    return title, paragraphs


def news_document(
    story: Story, title: str, paragraphs: Sequence[str], published: dt.date | None = None
) -> DocContent:
    """A news item: not an administrative document, so no state header, number or signature;
    dated the day it was published (or the conference's last day for a draft)."""
    return DocContent(
        kind="",
        summary=title,
        authority=_authority(story),
        place=_place(story),
        date=published or _date(story),
        sections=(DocSection(heading="", paragraphs=tuple(paragraphs)),),
        signer_position="",
        signer_name=_("The secretariat of the %(cluster)s") % {"cluster": story.cluster},
        official=False,
    )
