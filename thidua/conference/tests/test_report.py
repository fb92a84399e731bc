"""The draft report: generated from the data, commented, revised, compared and finalised."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from thidua.conference import actions
from thidua.conference.models import Comment, Report, ReportVersion
from thidua.cycle.models import EmulationYear, Phase
from thidua.errors import ActionRefused
from thidua.testing.personas import World

from .conftest import FACTS


def _sections(version: Any) -> Any:
    return {s["key"]: s["text"] for s in version.sections}


def test_the_draft_leaves_out_the_parts_no_area_has_stated(at_conference: World) -> None:
    version = actions.do_generate_report(
        at_conference.year, acting_user=at_conference.son_la_officer
    )
    sections = _sections(version)
    assert set(sections) == {"cluster", "movement", "directions"}
    assert "Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in sections["cluster"]
    assert "Vụ Thi đua - Khen thưởng" in sections["cluster"]


def test_the_draft_states_what_the_other_areas_state(
    at_conference: World, stated_facts: Callable[[dict[str, Any]], None]
) -> None:
    stated_facts(FACTS)
    version = actions.do_generate_report(
        at_conference.year, acting_user=at_conference.son_la_officer
    )
    sections = _sections(version)
    assert list(sections) == [
        "cluster",
        "movement",
        "results",
        "scores",
        "commendation",
        "next_year",
        "directions",
    ]
    assert "khoảng 8,5%" in sections["results"]
    assert "100% thành viên" in sections["results"]
    assert "96,5" in sections["scores"]
    assert "29" in sections["commendation"] and "161" in sections["commendation"]
    assert "Lai Châu" in sections["next_year"]
    assert [s["title"].split(".")[0] for s in version.sections][:4] == ["I", "II", "III", "IV"]


def test_a_member_comments_and_the_secretariat_revises_into_a_new_version(
    at_conference: World,
) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    comment = actions.do_comment(
        draft,
        section="directions",
        kind=Comment.Kind.ADDITION,
        text="Bổ sung: đẩy mạnh cải cách hành chính.",
        acting_user=world.lai_chau_officer,
    )
    assert comment.organization == world.orgs["lai_chau"]
    report = Report.objects.get(year=world.year)
    revised = actions.do_revise_report(
        report,
        texts={
            "directions": "Nâng cao chất lượng phối hợp thông tin.\nĐẩy mạnh cải cách hành chính."
        },
        note="Theo ý kiến của Lai Châu",
        based_on=draft.number,
        acting_user=world.cao_bang_officer,
    )
    assert revised.number == 2 and revised.author_name == str(world.cao_bang_officer)
    assert ReportVersion.objects.get(pk=draft.pk).sections == draft.sections  # v1 kept as it was
    assert "cải cách hành chính" in _sections(revised)["directions"]


def test_regenerating_keeps_the_revised_directions_and_brings_in_new_data(
    at_conference: World, stated_facts: Callable[[dict[str, Any]], None]
) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    report = Report.objects.get(year=world.year)
    actions.do_revise_report(
        report,
        texts={"directions": "Viết tay."},
        note="x",
        based_on=draft.number,
        acting_user=world.son_la_officer,
    )
    stated_facts(FACTS)
    third = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    assert _sections(third)["directions"] == "Viết tay."
    assert "results" in _sections(third)


def test_regenerating_unchanged_data_is_refused(at_conference: World) -> None:
    actions.do_generate_report(at_conference.year, acting_user=at_conference.son_la_officer)
    with pytest.raises(ActionRefused) as refused:
        actions.do_generate_report(at_conference.year, acting_user=at_conference.son_la_officer)
    assert refused.value.kind == "same"


def test_a_revision_based_on_an_older_version_is_refused(at_conference: World) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    report = Report.objects.get(year=world.year)
    actions.do_revise_report(
        report, texts={"directions": "A"}, note="a", based_on=1, acting_user=world.son_la_officer
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_revise_report(
            report,
            texts={"directions": "B"},
            note="b",
            based_on=draft.number,
            acting_user=world.cao_bang_officer,
        )
    assert refused.value.kind == "stale"
    assert report.versions.count() == 2


def test_a_comment_on_an_older_version_is_refused(at_conference: World) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    actions.do_revise_report(
        Report.objects.get(year=world.year),
        texts={"directions": "A"},
        note="a",
        based_on=1,
        acting_user=world.son_la_officer,
    )
    with pytest.raises(ActionRefused):
        actions.do_comment(
            draft,
            section="directions",
            kind="comment",
            text="x",
            acting_user=world.lai_chau_officer,
        )


def test_only_staff_of_member_units_comment(at_conference: World) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    for user in (world.supervisor, world.outsider):
        with pytest.raises(PermissionDenied):
            actions.do_comment(draft, section="cluster", kind="comment", text="x", acting_user=user)
    assert not Comment.objects.exists()


def test_members_other_than_the_secretariat_cannot_revise_or_finalise(at_conference: World) -> None:
    world = at_conference
    actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    report = Report.objects.get(year=world.year)
    with pytest.raises(PermissionDenied):
        actions.do_revise_report(
            report, texts={"cluster": "x"}, note="x", based_on=1, acting_user=world.lai_chau_leader
        )
    with pytest.raises(PermissionDenied):
        actions.do_finalise_report(report, acting_user=world.supervisor)


def test_the_draft_is_only_worked_on_from_the_conference_to_the_proposals(world: World) -> None:
    from .conftest import to_phase

    to_phase(world, Phase.CROSS_CHECK)
    with pytest.raises(ActionRefused) as refused:
        actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    assert refused.value.kind == "wrong_phase"


def test_the_final_report_refuses_every_change(at_conference: World) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    report = actions.do_finalise_report(
        Report.objects.get(year=world.year), acting_user=world.son_la_officer
    )
    assert report.final_version == draft
    for attempt in (
        lambda: actions.do_generate_report(world.year, acting_user=world.son_la_officer),
        lambda: actions.do_revise_report(
            report, texts={"cluster": "x"}, note="x", based_on=1, acting_user=world.son_la_officer
        ),
        lambda: actions.do_comment(
            draft, section="cluster", kind="comment", text="x", acting_user=world.lai_chau_officer
        ),
        lambda: actions.do_finalise_report(report, acting_user=world.son_la_officer),
    ):
        with pytest.raises(ActionRefused):
            attempt()
    assert ReportVersion.objects.count() == 1 and not Comment.objects.exists()


def test_the_models_refuse_changes_that_bypass_the_actions(at_conference: World) -> None:
    world = at_conference
    draft = actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    draft.note = "changed in place"
    with pytest.raises(ActionRefused):
        draft.save()
    with pytest.raises(ActionRefused):
        draft.delete()
    report = actions.do_finalise_report(
        Report.objects.get(year=world.year), acting_user=world.son_la_officer
    )
    report.finalised_at = None
    with pytest.raises(ActionRefused):
        report.save()
    with pytest.raises(ActionRefused):
        ReportVersion(
            report=report,
            number=2,
            sections=[],
            created_by=world.son_la_officer,
            author_name="x",
            created_at=draft.created_at,
        ).save()
    assert Report.objects.get(pk=report.pk).final_version_id == draft.pk


def test_a_closed_year_refuses_the_conference_changes(at_conference: World) -> None:
    world = at_conference
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.CLOSED)
    world.year.refresh_from_db()
    with pytest.raises(ActionRefused) as refused:
        actions.do_generate_report(world.year, acting_user=world.son_la_officer)
    assert refused.value.kind == "closed"
