"""The demo's 2016 polls: flag, certificates of merit, and the 2017 head and deputy.

The secretariat prepares and opens each poll, every member's leader casts the unit's ballot
through the same action as the ballot page, and the secretariat closes the poll. The ballots
are illustrative (see data/demo-2016.json); the outcomes are the reference report's F12-F14.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from thidua.demo.play import Demo

from . import actions, reads
from .models import Poll


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.voting").joinpath("data/demo-2016.json").read_text("utf-8")
    return dict(json.loads(text))


def voting(demo: Demo) -> None:
    for spec in load_data()["polls"]:
        poll = actions.do_create_poll(
            demo.year,
            spec=actions.PollSpec(
                title=spec["title"],
                purpose=spec["purpose"],
                units=[demo.departments[key] for key in spec["candidates"]],
                max_choices=spec["max_choices"],
                seats=spec["seats"],
                allow_self_vote=spec["allow_self_vote"],
                disclosure=spec["disclosure"],
            ),
            acting_user=demo.secretariat,
        )
        actions.do_open_poll(poll, acting_user=demo.secretariat)
        by_unit = {c.organization_id: c.pk for c in reads.candidates_of(poll) if c.organization_id}
        for key, chosen in spec["ballots"].items():
            actions.do_cast_ballot(
                poll,
                choices=[by_unit[demo.departments[unit].pk] for unit in chosen],
                acting_user=demo.leaders[key],
            )
        actions.do_close_poll(poll, acting_user=demo.secretariat)


def elected(poll: Poll) -> list[str]:
    """The names of those `poll` elected (for the demo's summary and tests)."""
    candidates = reads.candidates_of(poll)
    result = reads.count(poll, candidates)
    if result is None:
        return []
    return reads.shown(poll, result, candidates).winners
