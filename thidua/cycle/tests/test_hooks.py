"""The year's hooks: every area registers the same way, and no fact is stated twice."""

from types import SimpleNamespace
from typing import Any

import pytest

from thidua.cycle import hooks


def test_every_area_registers_its_callbacks_once_under_the_shared_names() -> None:
    # ready() has run: each area's register() put its callbacks in, named alike.
    names: dict[str, list[Any]] = {
        "phase_problems": hooks.phase_problems,
        "phase_changed": hooks.phase_changed,
        "member_todos": hooks.member_todos,
        "member_progress": hooks.member_progress,
        "year_links": hooks.year_links,
        "report_facts": hooks.report_facts,
    }
    for name, callbacks in names.items():
        assert callbacks, name
        assert all(c.__name__ == name for c in callbacks), name
        assert len(set(callbacks)) == len(callbacks), name
        assert {c.__module__ for c in callbacks} <= {
            f"thidua.{area}.hooks"
            for area in (
                "awards",
                "conference",
                "dossier",
                "indicators",
                "scoring",
                "signing",
                "voting",
            )
        }

    before = list(hooks.year_links)
    hooks.register(year_links=hooks.year_links[0])  # registering again changes nothing
    assert hooks.year_links == before


def test_a_fact_stated_by_two_areas_is_refused_not_overwritten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    year = SimpleNamespace()
    monkeypatch.setattr(
        hooks, "report_facts", [lambda y: {"a.x": 1, "shared": 2}, lambda y: {"shared": 3}]
    )
    with pytest.raises(hooks.RepeatedFact, match="shared"):
        hooks.facts_of(year)  # type: ignore[arg-type]

    monkeypatch.setattr(hooks, "report_facts", [lambda y: {"a.x": 1}, lambda y: {"b.y": 2}])
    assert hooks.facts_of(year) == {"a.x": 1, "b.y": 2}  # type: ignore[arg-type]
