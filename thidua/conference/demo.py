"""The demo's 2016 review conference, played through the same actions users call.

In the conference phase the secretariat records the conference (11-12/03/2017 at the
Department of Sơn La) and its attendees, generates the draft report, members comment (Cao Bằng
proposes additions to the 2017 directions) and the secretariat revises the draft. When the
proposals phase opens (the votes and nominations are in) the draft is regenerated from the
data, keeping the revised directions, finalised, and the conference article is drafted and
published. See data/demo-2016.json for what is illustrative.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from thidua.demo.play import Demo
from thidua.errors import ActionRefused, Refusal

from . import actions
from .models import Attendee, Report


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.conference").joinpath("data/demo-2016.json").read_text("utf-8")
    return dict(json.loads(text))


def conference(demo: Demo) -> None:
    data = load_data()
    spec = data["conference"]
    secretariat = demo.secretariat
    the_conference = actions.do_set_conference(
        demo.year,
        starts_on=dt.date.fromisoformat(spec["starts_on"]),
        ends_on=dt.date.fromisoformat(spec["ends_on"]),
        closed_at=dt.time.fromisoformat(spec["closed_at"]),
        host=demo.departments[spec["host"]],
        venue=spec["venue"],
        agenda="\n".join(spec["agenda"]),
        decisions="\n".join(spec["decisions"]),
        directions="\n".join(spec["directions"]),
        acting_user=secretariat,
    )

    def attend(person: dict[str, str]) -> None:
        unit = demo.departments[person["member"]] if "member" in person else None
        actions.do_add_attendee(
            the_conference,
            name=person["name"],
            position=person["position"],
            unit=unit.name if unit else person["unit"],
            organization=unit,
            role=person["role"],
            acting_user=secretariat,
        )

    for person in data["attendees"]:
        attend(person)
    for key in data["delegates"]:
        leader = demo.leaders[key]
        actions.do_add_attendee(
            the_conference,
            name=str(leader),
            position=leader.job_title,
            unit=demo.departments[key].name,
            organization=demo.departments[key],
            role=Attendee.Role.DELEGATE,
            acting_user=secretariat,
        )
    attend(data["secretary"])  # listed last, as the one who took the minutes
    draft = actions.do_generate_report(demo.year, acting_user=secretariat)
    for comment in data["comments"]:
        actions.do_comment(
            draft,
            section=comment["section"],
            kind=comment["kind"],
            text=comment["text"],
            acting_user=demo.leaders[comment["unit"]],
        )
    revision = data["revision"]
    actions.do_revise_report(
        Report.objects.get(year=demo.year),
        texts={"directions": "\n".join(revision["directions"])},
        note=revision["note"],
        based_on=draft.number,
        acting_user=secretariat,
    )


def proposals(demo: Demo) -> None:
    secretariat = demo.secretariat
    try:
        actions.do_generate_report(demo.year, acting_user=secretariat)
    except ActionRefused as refused:
        if refused.kind is not Refusal.SAME:
            raise
    report = Report.objects.get(year=demo.year)
    actions.do_finalise_report(report, acting_user=secretariat)
    article = actions.do_draft_conference_article(demo.year, acting_user=secretariat)
    actions.do_publish_article(article, acting_user=secretariat)
