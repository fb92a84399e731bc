"""The nomination workflow: draft, submit, compile, approve or return, decide."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from thidua.audit.models import AuditEntry
from thidua.award_history import actions as history
from thidua.award_history import reads as history_reads
from thidua.award_history.models import AwardRecord, Initiative
from thidua.awards import actions
from thidua.awards.models import Nomination
from thidua.errors import ActionRefused
from thidua.testing.personas import World

from .conftest import grant

Status = Nomination.Status


@pytest.fixture
def draft(proposals: Any, lai_chau_person: Any, award: Any) -> Any:
    return actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("cstd_bo"),
        summary="  Hoàn thành   xuất sắc nhiệm vụ.  ",
        person=lai_chau_person,
        acting_user=proposals.lai_chau_officer,
    )


def compiled(world: Any, nomination: Any) -> Any:
    actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    actions.do_compile_proposal(world.year, acting_user=world.son_la_officer)
    nomination.refresh_from_db()
    return nomination


def test_officer_drafts_a_nomination_with_normalised_text(draft: Any) -> None:
    assert draft.status == Status.DRAFT
    assert draft.summary == "Hoàn thành xuất sắc nhiệm vụ."
    assert draft.search_key == "nguyen thi hoa"
    assert AuditEntry.objects.filter(action="nomination.draft").count() == 1


def test_officer_of_another_unit_cannot_draft_for_lai_chau(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["lai_chau"],
            award_type=award("cstd_bo"),
            summary="x",
            person=lai_chau_person,
            acting_user=proposals.cao_bang_officer,
        )


def test_a_unit_cannot_nominate_someone_who_works_elsewhere(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    with pytest.raises(ActionRefused):
        actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["son_la"],
            award_type=award("cstd_bo"),
            summary="x",
            person=lai_chau_person,
            acting_user=proposals.son_la_officer,
        )


def test_an_award_for_collectives_refuses_an_individual(
    proposals: Any, lai_chau_person: Any, award: Any
) -> None:
    with pytest.raises(ActionRefused):
        actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["lai_chau"],
            award_type=award("tt_ldxs"),
            summary="x",
            person=lai_chau_person,
            acting_user=proposals.lai_chau_officer,
        )


def test_the_same_person_cannot_be_nominated_twice_for_one_award(
    draft: Any, proposals: Any, award: Any
) -> None:
    with pytest.raises(ActionRefused) as refused:
        actions.do_draft_nomination(
            proposals.year,
            unit=proposals.orgs["lai_chau"],
            award_type=award("cstd_bo"),
            summary="x",
            person=draft.person,
            acting_user=proposals.lai_chau_officer,
        )
    assert refused.value.kind == "duplicate"


def test_drafting_is_refused_outside_the_proposals_phase(world: World, award: Any) -> None:
    person = history.do_register_person(
        full_name="Lò Văn Páo",
        birth_year=1979,
        gender="male",
        unit=world.orgs["lai_chau"],
        year=world.year,
        acting_user=world.lai_chau_officer,
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_draft_nomination(
            world.year,
            unit=world.orgs["lai_chau"],
            award_type=award("ldtt"),
            summary="x",
            person=person,
            acting_user=world.lai_chau_officer,
        )
    assert refused.value.kind == "wrong_phase"


def test_only_the_units_leader_submits(draft: Any, proposals: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_officer)
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_secretariat_compiles_every_submitted_nomination(draft: Any, proposals: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_compile_proposal(proposals.year, acting_user=proposals.lai_chau_officer)
    assert compiled(proposals, draft).status == Status.COMPILED


def test_supervisor_returns_with_a_reason_and_the_unit_corrects_it(
    draft: Any, proposals: Any
) -> None:
    compiled(proposals, draft)
    with pytest.raises(ActionRefused):
        actions.do_return_nomination(draft, reason="  ", acting_user=proposals.supervisor)
    with pytest.raises(PermissionDenied):
        actions.do_return_nomination(draft, reason="x", acting_user=proposals.son_la_officer)
    actions.do_return_nomination(
        draft, reason="Thiếu báo cáo thành tích.", acting_user=proposals.supervisor
    )
    draft.refresh_from_db()
    assert (draft.status, draft.return_reason) == (Status.RETURNED, "Thiếu báo cáo thành tích.")
    actions.do_update_nomination(
        draft, summary="Bổ sung báo cáo.", clean_record=True, acting_user=proposals.lai_chau_officer
    )
    draft.refresh_from_db()
    assert (draft.status, draft.return_reason) == (Status.DRAFT, "")


def test_a_decision_turns_approved_nominations_into_history_and_uses_up_initiatives(
    draft: Any, proposals: Any
) -> None:
    person = draft.person
    for year in (2014, 2015, 2016):
        grant(proposals, "cstdcs", year, person=person)
    initiative = history.do_record_initiative(
        person,
        title="Sáng kiến A",
        level="ministry_province",
        year=2016,
        acting_user=proposals.supervisor,
    )
    compiled(proposals, draft)
    actions.do_approve_nomination(draft, acting_user=proposals.supervisor)
    decision = actions.do_record_decision(
        proposals.year,
        number="123/QĐ-BKHĐT",
        date=dt.date(2017, 4, 10),
        issuer_name="Bộ Kế hoạch và Đầu tư",
        signer_name="Bộ trưởng",
        acting_user=proposals.supervisor,
    )
    draft.refresh_from_db()
    rec = AwardRecord.objects.get(decision=decision)
    assert draft.status == Status.DECIDED and draft.record == rec
    assert (rec.person, rec.year, rec.award_type.code) == (person, 2016, "cstd_bo")
    assert rec.unit_name == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    assert Initiative.objects.get(pk=initiative.pk).used_by == rec


def test_a_decision_needs_approved_nominations(draft: Any, proposals: Any) -> None:
    with pytest.raises(ActionRefused) as refused:
        actions.do_record_decision(
            proposals.year,
            number="1",
            date=dt.date(2017, 1, 1),
            issuer_name="Bộ",
            signer_name="Bộ trưởng",
            acting_user=proposals.supervisor,
        )
    assert refused.value.kind == "nothing"


def test_possible_duplicates_are_listed_and_merged_only_by_a_human(
    proposals: Any, lai_chau_person: Any
) -> None:
    import unicodedata

    twin = history.do_register_person(
        full_name=unicodedata.normalize("NFD", "Nguyễn Thị Hoà"),
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["son_la"],
        year=proposals.year,
        acting_user=proposals.son_la_officer,
    )
    other = history.do_register_person(
        full_name="Nguyễn Thị Hoa",
        birth_year=1980,
        gender="female",
        unit=proposals.orgs["son_la"],
        year=proposals.year,
        acting_user=proposals.son_la_officer,
    )
    from thidua.orgs.models import Person

    pairs = history_reads.possible_duplicates(Person.objects.prefetch_related("positions"))
    assert pairs == [(lai_chau_person, twin)]  # "Hoa" differs by its tone: never the same
    grant(proposals, "ldtt", 2015, person=twin)
    with pytest.raises(PermissionDenied):
        history.do_merge_people(lai_chau_person, twin, acting_user=proposals.lai_chau_officer)
    history.do_merge_people(lai_chau_person, twin, acting_user=proposals.supervisor)
    assert AwardRecord.objects.get().person == lai_chau_person
    twin.refresh_from_db()
    assert twin.merged_into == lai_chau_person
    assert AuditEntry.objects.filter(action="person.merge").count() == 1
    assert other.merged_into is None
