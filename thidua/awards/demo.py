"""The demo's 2016 nominations: 29 collectives and 161 individuals, judged against history.

The supervisor imports the units' prior award history (2011–2016 grassroots titles) from an
Excel file built here and enters ratings and initiatives; Lai Châu's officer registers a
newcomer by hand and the supervisor enters her history from her decisions; each unit's
officer drafts its nominations, attaches a file to one, and its leader submits them; the
secretariat compiles the cluster's proposal.
Everything below the totals is ILLUSTRATIVE (see data/demo-2016.json).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from thidua.award_history import actions as history
from thidua.award_history import importing
from thidua.award_history.models import AwardType
from thidua.demo.play import Demo
from thidua.lib.docformat import issuer_abbreviation
from thidua.lib.text import fold
from thidua.orgs import actions as org_actions
from thidua.orgs.models import Organization, Person

from . import actions, rules
from .catalogue import ensure_catalogue

# A one-page PDF standing in for the report a unit attaches as evidence.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.awards").joinpath("data/demo-2016.json").read_text("utf-8")
    return dict(json.loads(text))


@dataclass(frozen=True)
class Profile:
    """What one kind of nominee has done, and what the unit proposes for it."""

    award: str
    titles: dict[int, tuple[str, ...]]  # year -> codes held
    initiatives: tuple[tuple[int, str], ...] = ()  # (year, level)
    unrated: tuple[int, ...] = ()


_BOTH = ("ldtt", "cstdcs")
PROFILES = {
    "cstd_bo_ok": Profile(
        "cstd_bo",
        {2012: ("ldtt",), 2013: ("ldtt",), 2014: _BOTH, 2015: _BOTH, 2016: _BOTH},
        ((2016, "ministry_province"),),
    ),
    "cstd_bo_short": Profile(
        "cstd_bo",
        {2012: ("ldtt",), 2013: ("ldtt",), 2014: ("ldtt",), 2015: _BOTH, 2016: _BOTH},
        ((2016, "ministry_province"),),
    ),
    "bk_bo_ok": Profile(
        "bk_bo",
        {2013: ("ldtt",), 2014: ("ldtt",), 2015: _BOTH, 2016: _BOTH},
        ((2015, "grassroots"), (2016, "grassroots")),
    ),
    "bk_bo_one_initiative": Profile(
        "bk_bo", {2014: ("ldtt",), 2015: _BOTH, 2016: _BOTH}, ((2016, "grassroots"),)
    ),
    "bk_ttg_ok": Profile(
        "bk_ttg",
        {2011: ("bk_bo",), 2012: _BOTH, 2013: ("ldtt",), 2014: _BOTH, 2015: ("ldtt",), 2016: _BOTH},
    ),
    "bk_ttg_early": Profile(
        "bk_ttg", {2013: ("bk_bo", "ldtt"), 2014: _BOTH, 2015: _BOTH, 2016: _BOTH}
    ),
    "ldtt_unrated": Profile(
        "ldtt", {2013: ("ldtt",), 2014: ("ldtt",), 2015: ("ldtt",)}, unrated=(2016,)
    ),
    "giay_khen": Profile("giay_khen", {2014: ("ldtt",), 2015: ("ldtt",), 2016: ("ldtt",)}),
    "cstdcs_ok": Profile("cstdcs", {2014: ("ldtt",), 2015: ("ldtt",), 2016: ("ldtt",)}),
}


@dataclass(frozen=True)
class Staff:
    unit: str  # department key
    division: int
    name: str
    birth_year: int
    gender: str
    profile: Profile


def staff_of(data: dict[str, Any], units: list[str]) -> list[Staff]:
    """The illustrative staff: unique names, generated the same way every time."""
    families, middles = data["family_names"], data["middle_names"]
    people = []
    for u, unit in enumerate(units):
        divisions = data["collectives"][unit]
        for i in range(data["individuals_per_unit"]):
            middle = middles[(u + i) % len(middles)]
            people.append(
                Staff(
                    unit=unit,
                    division=i % divisions,
                    name=f"{families[(2 * u + i) % len(families)]} {middle} "
                    f"{data['given_names'][i]}",
                    birth_year=1962 + (u * 5 + i) % 30,
                    gender="female" if middle == "Thị" else "male",
                    profile=PROFILES[data["profiles"][i]],
                )
            )
    return people


def _issuer(code: str, province: str) -> str:
    if code == "bk_bo":
        return f"Ủy ban nhân dân tỉnh {province}"
    return f"Sở Kế hoạch và Đầu tư tỉnh {province}"


def _number(sequence: int, issuer: str) -> str:
    """A decision number with the issuer's ký hiệu: "154/QĐ-SKHĐT", "157/QĐ-UBND"."""
    return rules.decision_number(sequence, issuer_abbreviation(issuer))


def history_workbook(
    staff: list[Staff], divisions: dict[tuple[str, int], Organization], demo: Demo
) -> bytes:
    """The prior history as the import page expects it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(importing.COLUMNS))
    for person in staff:
        province = demo.departments[person.unit].province
        for year, codes in sorted(person.profile.titles.items()):
            for code in codes:
                sheet.append(
                    [
                        person.name,
                        person.birth_year,
                        "Nữ" if person.gender == "female" else "Nam",
                        divisions[(person.unit, person.division)].name,
                        code,
                        year,
                        _number(int(f"{year % 100:02d}{len(code)}"), _issuer(code, province)),
                        dt.date(year + 1, 1, 20),
                        _issuer(code, province),
                    ]
                )
    for (unit, _index), division in sorted(divisions.items(), key=lambda kv: kv[1].pk):
        province = demo.departments[unit].province
        sheet.append(
            [
                "",
                "",
                "",
                division.name,
                "tt_ldtt",
                2015,
                _number(15, _issuer("tt_ldtt", province)),
                dt.date(2016, 1, 20),
                _issuer("tt_ldtt", province),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def proposals(demo: Demo) -> None:
    ensure_catalogue()
    data = load_data()
    units = list(data["collectives"])
    divisions: dict[tuple[str, int], Organization] = {}
    for unit in units:
        department = demo.departments[unit]
        for k in range(data["collectives"][unit]):
            divisions[(unit, k)] = org_actions.do_create_organization(
                name=f"{data['divisions'][k]}, Sở Kế hoạch và Đầu tư tỉnh {department.province}",
                parent=department,
                province=department.province,
                acting_user=demo.admin,
            )
    staff = staff_of(data, units)
    history.do_import_history(
        history_workbook(staff, divisions, demo),
        file_name="lich-su-khen-thuong-2011-2016.xlsx",
        acting_user=demo.supervisor,
    )
    people = {
        (p.name_key, p.birth_year): p
        for p in Person.objects.filter(name_key__in={fold(s.name) for s in staff})
    }
    for s in staff:
        person = people[(fold(s.name), s.birth_year)]
        for year in range(2012, 2017):
            if year in s.profile.unrated:
                continue
            excellent = "cstdcs" in s.profile.titles.get(year, ()) or (
                year == 2016 and s.profile.award == "cstdcs"
            )
            history.do_record_rating(
                year=year,
                rating="htxsnv" if excellent else "httnv",
                person=person,
                acting_user=demo.supervisor,
            )
        for n, (year, level) in enumerate(s.profile.initiatives, 1):
            history.do_record_initiative(
                person,
                title=f"Sáng kiến số {n} năm {year} của {s.name}",
                level=level,
                year=year,
                acting_user=demo.supervisor,
            )
    awards = {a.code: a for a in AwardType.objects.all()}
    for (_unit, k), division in divisions.items():
        rating = "htxsnv" if data["collective_awards"][k] == "tt_ldxs" else "httnv"
        history.do_record_rating(
            year=2016, rating=rating, organization=division, acting_user=demo.supervisor
        )
    enter_by_hand(demo, data["entered_by_hand"])
    for unit in units:
        officer, leader = demo.officers[unit], demo.leaders[unit]
        drafted = []
        for k in range(data["collectives"][unit]):
            drafted.append(
                actions.do_draft_nomination(
                    demo.year,
                    unit=demo.departments[unit],
                    award_type=awards[data["collective_awards"][k]],
                    summary=data["summaries"]["collective"],
                    collective=divisions[(unit, k)],
                    clean_record=True,
                    acting_user=officer,
                )
            )
        for s in staff:
            if s.unit != unit:
                continue
            drafted.append(
                actions.do_draft_nomination(
                    demo.year,
                    unit=demo.departments[unit],
                    award_type=awards[s.profile.award],
                    summary=data["summaries"]["individual"],
                    person=people[(fold(s.name), s.birth_year)],
                    acting_user=officer,
                )
            )
        actions.do_attach_evidence(
            drafted[0],
            upload=SimpleUploadedFile(data["evidence"]["name"], SAMPLE_PDF, "application/pdf"),
            acting_user=officer,
        )
        for nomination in drafted:
            actions.do_submit_nomination(nomination, acting_user=leader)
    actions.do_compile_proposal(demo.year, acting_user=demo.secretariat)


def enter_by_hand(demo: Demo, entry: dict[str, Any]) -> Person:
    """A unit's officer registers a newcomer; the supervisor enters her history by hand."""
    person = history.do_register_person(
        full_name=entry["full_name"],
        birth_year=entry["birth_year"],
        gender=entry["gender"],
        unit=demo.departments[entry["unit"]],
        position=entry["position"],
        since=dt.date.fromisoformat(entry["since"]),
        year=demo.year,
        acting_user=demo.officers[entry["unit"]],
    )
    awards = {a.code: a for a in AwardType.objects.all()}
    for title in entry["titles"]:
        history.do_record_award(
            award_type=awards[title["award"]],
            year=title["year"],
            person=person,
            decision_number=title["number"],
            decision_date=dt.date.fromisoformat(title["date"]),
            issuer_name=title["issuer"],
            acting_user=demo.supervisor,
        )
    for year, rating in entry["ratings"].items():
        history.do_record_rating(
            year=int(year), rating=rating, person=person, acting_user=demo.supervisor
        )
    for initiative in entry["initiatives"]:
        history.do_record_initiative(person, acting_user=demo.supervisor, **initiative)
    return person
