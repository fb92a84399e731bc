"""Each step of a nomination is its own POST: the allowed persona moves it, others are refused."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from thidua.awards import actions
from thidua.awards.models import EvidenceFile, Nomination
from thidua.orgs.models import User

Status = Nomination.Status


@pytest.fixture
def draft(proposals: Any, lai_chau_person: Any, award: Any) -> Any:
    return actions.do_draft_nomination(
        proposals.year,
        unit=proposals.orgs["lai_chau"],
        award_type=award("cstd_bo"),
        summary="Hoàn thành xuất sắc nhiệm vụ.",
        person=lai_chau_person,
        acting_user=proposals.lai_chau_officer,
    )


@pytest.fixture
def compiled(proposals: Any, draft: Any) -> Any:
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    actions.do_compile_proposal(proposals.year, acting_user=proposals.son_la_officer)
    draft.refresh_from_db()
    return draft


def step(world: Any, nomination: Any, name: Any) -> Any:
    return f"/awards/c/{world.cluster.slug}/2016/nominations/{nomination.pk}/{name}/"


def status_of(nomination: Any) -> Any:
    nomination.refresh_from_db()
    return nomination.status


def test_every_step_takes_only_a_post(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    for name in ("submit", "approve", "return", "update", "evidence"):
        assert as_user(proposals.supervisor).get(step(proposals, draft, name)).status_code == 405


def test_the_leader_submits_and_the_officer_gets_403(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    url = step(proposals, draft, "submit")
    assert as_user(proposals.lai_chau_officer).post(url).status_code == 403
    assert status_of(draft) == Status.DRAFT
    assert as_user(proposals.lai_chau_leader).post(url).status_code == 302
    assert status_of(draft) == Status.SUBMITTED


def test_submitting_twice_is_a_409_that_shows_the_nomination_and_why(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    url = step(proposals, draft, "submit")
    client = as_user(proposals.lai_chau_leader)
    assert client.post(url).status_code == 302
    again = client.post(url)
    assert again.status_code == 409
    assert "Hoàn thành xuất sắc nhiệm vụ." in again.content.decode()


def test_the_supervisor_approves_and_the_secretariat_gets_403(
    as_user: Callable[[User], Client], proposals: Any, compiled: Any
) -> None:
    url = step(proposals, compiled, "approve")
    assert as_user(proposals.son_la_officer).post(url).status_code == 403
    assert status_of(compiled) == Status.COMPILED
    assert as_user(proposals.supervisor).post(url).status_code == 302
    assert status_of(compiled) == Status.APPROVED


def test_the_supervisor_returns_with_a_reason_and_a_member_gets_403(
    as_user: Callable[[User], Client], proposals: Any, compiled: Any
) -> None:
    url = step(proposals, compiled, "return")
    refused = as_user(proposals.lai_chau_leader).post(url, {"reason": "Thiếu minh chứng."})
    assert refused.status_code == 403
    assert status_of(compiled) == Status.COMPILED
    done = as_user(proposals.supervisor).post(url, {"reason": "Thiếu minh chứng."})
    assert done.status_code == 302
    assert status_of(compiled) == Status.RETURNED
    assert compiled.return_reason == "Thiếu minh chứng."


def test_returning_without_a_reason_is_a_400_and_the_nomination_stays(
    as_user: Callable[[User], Client], proposals: Any, compiled: Any
) -> None:
    refused = as_user(proposals.supervisor).post(
        step(proposals, compiled, "return"), {"reason": " "}
    )
    assert refused.status_code == 400
    assert 'data-testid="return"' in refused.content.decode()
    assert status_of(compiled) == Status.COMPILED


def test_the_officer_updates_the_draft_and_another_unit_gets_403(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    url = step(proposals, draft, "update")
    version = actions.nomination_version(draft)
    data = {"summary": "Chủ trì 2 đề tài cấp tỉnh.", "clean_record": "", "version": version}
    assert as_user(proposals.son_la_officer).post(url, data).status_code == 403
    assert as_user(proposals.lai_chau_officer).post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Chủ trì 2 đề tài cấp tỉnh."


def test_an_update_without_a_summary_is_a_400_naming_the_field(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    url = step(proposals, draft, "update")
    data = {"summary": "", "version": actions.nomination_version(draft)}
    refused = as_user(proposals.lai_chau_officer).post(url, data)
    assert refused.status_code == 400
    assert "field-error" in refused.content.decode()


def test_an_update_after_submission_is_a_409(
    as_user: Callable[[User], Client], proposals: Any, draft: Any
) -> None:
    url = step(proposals, draft, "update")
    data = {"summary": "Muộn.", "version": actions.nomination_version(draft)}
    actions.do_submit_nomination(draft, acting_user=proposals.lai_chau_leader)
    refused = as_user(proposals.lai_chau_officer).post(url, data)
    assert refused.status_code == 409
    assert "Muộn." in refused.content.decode()  # the refused form, as the officer typed it


def test_the_officer_attaches_evidence_and_another_unit_gets_403(
    as_user: Callable[[User], Client],
    proposals: Any,
    draft: Any,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = step(proposals, draft, "evidence")

    def pdf() -> Any:
        return SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 minh chung", "application/pdf")

    assert as_user(proposals.son_la_officer).post(url, {"upload": pdf()}).status_code == 403
    assert not EvidenceFile.objects.exists()
    assert as_user(proposals.lai_chau_officer).post(url, {"upload": pdf()}).status_code == 302
    assert EvidenceFile.objects.get().nomination == draft
