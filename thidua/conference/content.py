"""What the conference's documents say, written from the year's story (no ORM here).

`story.load(year)` gathers the story; the functions below turn it into the report's sections,
the minutes, the proposal letter, the pledge and the news article, as plain `DocContent` that
`documents` lays out in the state format (or hands to a user's Word template).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from thidua.lib.dates import date_range_vi, short_date
from thidua.lib.numbers import format_number
from thidua.lib.text import sort_key

from . import rules

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


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
    addressee: str = ""
    recipients: tuple[str, ...] = ()

    def context(self, story: Story) -> dict[str, Any]:
        """The placeholders a Word template may use (see `PLACEHOLDERS`)."""
        return {
            "cluster": story.cluster,
            "year": story.year,
            "next_year": story.next_year,
            "authority": self.authority,
            "number": self.number,
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
                for s in self.sections
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


def _commendation_text(facts: Mapping[str, Any]) -> str:
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
    lines.extend(_award_votes(facts))
    return "\n".join(lines)


def _award_votes(facts: Mapping[str, Any]) -> list[str]:
    lines = []
    if facts.get("voting.flag"):
        lines.append(
            _("The members voted to propose the emulation flag for %(units)s.")
            % {"units": _unit_names(facts["voting.flag"])}
        )
    if facts.get("voting.certificates"):
        lines.append(
            _("The members voted to propose the certificate of merit for %(units)s.")
            % {"units": _unit_names(facts["voting.certificates"])}
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
        movement = [
            _("On %(date)s the cluster launched the movement “%(title)s”.")
            % {
                "date": short_date(story.movement_launched) if story.movement_launched else "",
                "title": story.movement_title,
            }
        ]
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
    candidates.append(("commendation", _("Commendation"), _commendation_text(story.facts)))
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
    present = [(key, title, text) for key, title, text in candidates if text.strip()]
    return [
        rules.section(key, f"{ROMAN[i]}. {title}", text.strip())
        for i, (key, title, text) in enumerate(present)
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
            for s in sections
        ),
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


def _vote_rows(facts: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for result in facts.get("voting.results") or []:
        chosen = result.get("elected") or result.get("passed") or []
        outcome = _names(chosen) if chosen else _("nobody")
        if not result.get("closed", True):
            outcome = _("the poll is still open")
        rows.append((result["title"], outcome))
    return tuple((str(i), title, outcome) for i, (title, outcome) in enumerate(rows, 1))


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
    votes = [*_award_votes(story.facts), *_next_year_lines(story.facts, story.next_year)]
    rows = _vote_rows(story.facts)
    if votes or rows:
        sections.append(
            DocSection(
                heading=_("IV. Results of the secret ballots"),
                paragraphs=tuple(votes),
                table_header=(
                    pgettext("document column", "No."),
                    pgettext("document column", "Poll"),
                    pgettext("document column", "Result"),
                )
                if rows
                else (),
                table_rows=rows,
            )
        )
    decided = [*conference.decisions]
    if pledge_signed(story):
        decided.append(pledge_signed(story))
    if story.directions:
        decided.append(
            _("Directions and tasks for %(year)s: %(directions)s")
            % {"year": story.next_year, "directions": " ".join(rules.lines(story.directions))}
        )
    if decided:
        sections.append(
            DocSection(heading=_("V. The conference agreed"), paragraphs=tuple(decided))
        )
    chair = conference.with_role("chair")
    return DocContent(
        kind=_("MINUTES"),
        summary=_("Conference reviewing the emulation and commendation work of %(year)s")
        % {"year": story.year},
        authority=_authority(story),
        place=_place(story),
        date=conference.ends_on,
        sections=tuple(sections),
        signer_position=_("CHAIR OF THE CONFERENCE"),
        signer_name=chair[0].name if chair else story.head_leader,
    )


# --- the proposal letter ----------------------------------------------------------------------


def proposal_document(story: Story) -> DocContent:
    facts = story.facts
    intro = [
        _(
            "Having reviewed the emulation and commendation work of %(year)s, the %(cluster)s"
            " proposes the following commendations."
        )
        % {"year": story.year, "cluster": story.cluster}
    ]
    intro.extend(results_summary(story))
    intro.extend(_award_votes(facts))
    sections = [DocSection(heading=_("I. The cluster's review"), paragraphs=tuple(intro))]
    for index, proposal in enumerate(facts.get("awards.proposals") or [], 1):
        nominees = proposal.get("nominees") or []
        heading = _("%(n)s. %(award)s (%(level)s): %(count)s nominees") % {
            "n": index,
            "award": proposal["award"],
            "level": proposal.get("level", ""),
            "count": len(nominees),
        }
        sections.append(
            DocSection(
                heading=heading,
                table_header=(
                    pgettext("document column", "No."),
                    pgettext("document column", "Nominee"),
                    pgettext("document column", "Collective or individual"),
                    pgettext("document column", "Unit"),
                ),
                table_rows=tuple(
                    (str(i), n["name"], n.get("kind", ""), n.get("unit", ""))
                    for i, n in enumerate(nominees, 1)
                ),
            )
        )
    return DocContent(
        kind=_("PROPOSAL LETTER"),
        summary=_("On the proposal for commendation for %(year)s") % {"year": story.year},
        authority=_authority(story),
        place=_place(story),
        date=_date(story),
        addressee=_("To: %(supervisor)s") % {"supervisor": story.supervisor},
        sections=tuple(sections),
        signer_capacity=_("ON BEHALF OF THE CLUSTER"),
        signer_position=_("CLUSTER HEAD"),
        signer_name=story.head_leader,
        recipients=(_("As addressed"), _("Members of the cluster")),
    )


# --- the pledge -------------------------------------------------------------------------------


def pledge_document(story: Story, pledge: PledgeInfo) -> DocContent:
    sections = [
        DocSection(heading=_("Article %(n)s") % {"n": n}, paragraphs=tuple(rules.lines(text)))
        for n, text in enumerate(pledge.articles, 1)
    ]
    sections.append(
        DocSection(
            heading=_("Signatures of the members (%(signed)s of %(members)s)")
            % {"signed": len(pledge.signatures), "members": len(story.members)},
            table_header=(
                pgettext("document column", "No."),
                pgettext("document column", "Unit"),
                pgettext("document column", "Signed by"),
                pgettext("document column", "Date"),
            ),
            table_rows=tuple(
                (str(i), unit, f"{name}, {title}" if title else name, short_date(day))
                for i, (unit, name, title, day) in enumerate(pledge.signatures, 1)
            ),
        )
    )
    return DocContent(
        kind=_("EMULATION PLEDGE"),
        summary=pledge.title,
        authority=_authority(story),
        place=story.head_place,
        date=max((s[3] for s in pledge.signatures), default=None),
        sections=(
            DocSection(heading="", paragraphs=tuple(rules.lines(pledge.preamble))),
            *sections,
        ),
        signer_capacity=_("ON BEHALF OF THE CLUSTER"),
        signer_position=_("CLUSTER HEAD"),
        signer_name=story.head_leader,
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
    votes = [*_award_votes(story.facts), *_next_year_lines(story.facts, story.next_year)]
    if votes:
        paragraphs.append(" ".join(votes))
    closing = [*conference.decisions]
    if pledge_signed(story):
        closing.append(pledge_signed(story))
    if closing:
        paragraphs.append(" ".join(c.rstrip(".") + "." for c in closing))
    return title, paragraphs


def news_document(story: Story, title: str, paragraphs: Sequence[str]) -> DocContent:
    return DocContent(
        kind=_("NEWS"),
        summary=title,
        authority=_authority(story),
        place=_place(story),
        date=_date(story),
        sections=(DocSection(heading="", paragraphs=tuple(paragraphs)),),
        signer_position=_("THE CLUSTER'S SECRETARIAT"),
        signer_name=story.head,
    )
