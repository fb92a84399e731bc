"""The awards' remaining page actions through the API: a rule's new version, a nomination's
evidence, the national work and a decision's certificates as jobs, a failed job tried again,
and a unit's sub-unit. Each is allowed for whom the page allows, refused for the rest, and
refused with the page's words and status."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from thidua.api.tests.conftest import Proposals, jump, nominate, year_url
from thidua.audit.models import AuditEntry
from thidua.award_history.models import AwardRecord, Decision, TaskRating
from thidua.awards import actions as award_actions
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import AwardRule, EvidenceFile
from thidua.cycle.models import Phase
from thidua.jobs.actions import do_fail_abandoned_jobs, do_start_job
from thidua.jobs.models import Job
from thidua.jobs.tasks import run_job
from thidua.orgs.models import Organization
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pages(client: Client) -> Any:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def form_words(response: Any, name: str = "form") -> str:
    form = response.context[name]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- a rule's new version ----------------------------------------------------------------------


def current_rule(code: str) -> AwardRule:
    found = AwardRule.objects.filter(award_type__code=code).order_by("-effective_from").first()
    assert found is not None
    return found


def rule_body(code: str, **changes: Any) -> dict[str, Any]:
    rule = current_rule(code)
    return {
        "effective_from": "2027-01-01",
        "status": "verified",
        "legal_source": "Nghị định 98/2023/NĐ-CP",
        "requirements": rule.requirements,
        "note": "",
        **changes,
    }


def test_the_supervisor_adds_a_rule_version(api: Any, world: World) -> None:
    ensure_catalogue()
    answer = post(api(world.supervisor), "/api/v1/awards/ldtt/rules", rule_body("ldtt"))
    assert answer.status_code == 201, answer.json()
    assert answer.json()["effective_from"] == "2027-01-01"
    rule = current_rule("ldtt")
    assert (rule.effective_from, rule.legal_source) == (
        dt.date(2027, 1, 1),
        "Nghị định 98/2023/NĐ-CP",
    )
    assert AuditEntry.objects.filter(action="award_rule.create", actor=world.supervisor).exists()
    again = post(api(world.supervisor), "/api/v1/awards/ldtt/rules", rule_body("ldtt"))
    assert again.status_code == 409
    assert "01/01/2027" in again.json()["detail"]


def test_a_unit_may_not_change_the_catalogue(api: Any, world: World) -> None:
    ensure_catalogue()
    before = AwardRule.objects.count()
    answer = post(api(world.son_la_officer), "/api/v1/awards/ldtt/rules", rule_body("ldtt"))
    assert answer.status_code == 403
    assert (
        post(api(world.supervisor), "/api/v1/awards/no-such/rules", rule_body("ldtt")).status_code
        == 404
    )
    assert AwardRule.objects.count() == before


def test_a_bad_rule_is_refused_alike(api: Any, pages: Any, world: World) -> None:
    ensure_catalogue()
    before = AwardRule.objects.count()
    bad = rule_body("ldtt", requirements=[{"kind": "no_such_kind"}])
    page = pages(world.supervisor).post(
        "/awards/catalogue/ldtt/rule/",
        {**bad, "effective_from": "01/01/2027", "requirements": json.dumps(bad["requirements"])},
    )
    answer = post(api(world.supervisor), "/api/v1/awards/ldtt/rules", bad)
    assert page.status_code == answer.status_code == 400
    assert form_words(page) and answer.json()["detail"] == form_words(page)
    assert AwardRule.objects.count() == before


# --- a nomination's evidence -------------------------------------------------------------------


@pytest.fixture
def made(world: World) -> Proposals:
    jump(world, Phase.PROPOSALS)
    return nominate(world)


def upload(name: str, content: bytes = b"%PDF-1.4\n%%EOF\n") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def evidence_url(world: World, made: Proposals) -> str:
    return f"{year_url(world)}/nominations/{made.nominations[0].pk}/evidence"


def test_the_unit_attaches_evidence_to_its_draft(api: Any, world: World, made: Proposals) -> None:
    answer = api(world.lai_chau_officer).post(
        evidence_url(world, made), {"file": upload("bang-khen.pdf")}
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["files"] == ["bang-khen.pdf"]
    stored = EvidenceFile.objects.get(nomination=made.nominations[0])
    assert Path(stored.file.path).read_bytes() == b"%PDF-1.4\n%%EOF\n"
    assert AuditEntry.objects.filter(action="nomination.evidence").count() == 1


def test_evidence_is_the_units_own(api: Any, world: World, made: Proposals) -> None:
    url = evidence_url(world, made)
    assert api(world.son_la_officer).post(url, {"file": upload("a.pdf")}).status_code == 403
    assert api(world.outsider).post(url, {"file": upload("a.pdf")}).status_code == 404
    award_actions.do_submit_nomination(made.nominations[0], acting_user=world.lai_chau_leader)
    submitted = api(world.lai_chau_officer).post(url, {"file": upload("a.pdf")})
    assert submitted.status_code == 409
    assert not EvidenceFile.objects.exists()


def test_evidence_of_the_wrong_type_is_refused_alike(
    api: Any, pages: Any, world: World, made: Proposals
) -> None:
    pk = made.nominations[0].pk
    page = pages(world.lai_chau_officer).post(
        f"/awards/c/{world.cluster.slug}/{world.year.year}/nominations/{pk}/evidence/",
        {"upload": upload("chay-toi.exe", b"MZ")},
    )
    answer = api(world.lai_chau_officer).post(
        evidence_url(world, made), {"file": upload("chay-toi.exe", b"MZ")}
    )
    assert page.status_code == answer.status_code == 400
    said = form_words(page, "evidence_form")
    assert said and answer.json()["detail"] == said
    assert not EvidenceFile.objects.exists()


# --- the national work as a job ----------------------------------------------------------------


def test_the_national_workbook_runs_as_a_job_whose_file_the_api_gives(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(world.supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        started = post(client, "/api/v1/national/jobs", {"year": 2016, "kind": "check_eligibility"})
    assert started.status_code == 202, started.json()
    job_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    assert AuditEntry.objects.filter(action="job.start", actor=world.supervisor).exists()
    assert client.get(f"/api/v1/jobs/{job_id}/file").status_code == 404  # nothing made yet
    run_job.call(job_id)
    assert client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "done"
    download = client.get(f"/api/v1/jobs/{job_id}/file")
    assert download.status_code == 200
    assert "xet-dieu-kien-2016.xlsx" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames
    assert api(world.lai_chau_officer).get(f"/api/v1/jobs/{job_id}/file").status_code == 404


def test_a_member_unit_may_not_start_national_work(api: Any, world: World) -> None:
    answer = post(api(world.son_la_officer), "/api/v1/national/jobs", {"year": 2016})
    assert answer.status_code == 403
    assert not Job.objects.exists()


def test_a_year_no_cluster_has_is_refused_alike(api: Any, pages: Any, world: World) -> None:
    page = pages(world.supervisor).post(
        "/awards/national/", {"year": 1999, "kind": "national_report"}
    )
    answer = post(api(world.supervisor), "/api/v1/national/jobs", {"year": 1999})
    assert page.status_code == answer.status_code == 400
    assert answer.json()["detail"] == f"Yêu cầu không hợp lệ: year: {form_words(page)}"
    assert not Job.objects.exists()


# --- a decision's certificates as a job --------------------------------------------------------


def decided(world: World, made: Proposals) -> Decision:
    nomination = made.nominations[0]
    award_actions.do_submit_nomination(nomination, acting_user=world.lai_chau_leader)
    award_actions.do_compile_proposal(world.year, acting_user=world.son_la_officer)
    award_actions.do_approve_nomination(nomination, acting_user=world.supervisor)
    return award_actions.do_record_decision(
        world.year,
        date=dt.date(2017, 3, 1),
        issuer_name="Bộ Kế hoạch và Đầu tư",
        signer_name="Nguyễn Chí Dũng",
        authority=Decision.Authority.AGENCY_HEAD,
        acting_user=world.supervisor,
    )


def test_the_supervisor_prints_a_decisions_certificates_as_a_job(
    api: Any, world: World, made: Proposals
) -> None:
    decision = decided(world, made)
    url = f"{year_url(world)}/decisions/{decision.pk}/certificates"
    assert api(world.son_la_officer).post(url + "?paper=a3").status_code == 403
    assert (
        post(api(world.supervisor), f"{year_url(world)}/decisions/999999/certificates").status_code
        == 404
    )
    assert not Job.objects.exists()
    started = api(world.supervisor).post(url + "?paper=a3")
    assert started.status_code == 202, started.json()
    job = Job.objects.get(pk=started.json()["id"])
    assert (job.kind, job.params["decision"], job.params["paper"]) == (
        "certificates",
        decision.pk,
        "a3",
    )
    assert job.created_by == world.supervisor
    assert api(world.supervisor).post(url + "?paper=a5").status_code == 422


# --- a failed job tried again ------------------------------------------------------------------


def national_job(world: World) -> Job:
    return do_start_job("check_eligibility", acting_user=world.supervisor, params={"year": 2016})


def lose_worker(job: Job) -> Job:
    """As if the worker running it had been killed: the job is failed."""
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker="w1")
    do_fail_abandoned_jobs(beats={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    return job


def test_a_failed_job_is_tried_again(api: Any, world: World) -> None:
    job = lose_worker(national_job(world))
    assert api(world.lai_chau_officer).post(f"/api/v1/jobs/{job.pk}/retry").status_code == 404
    assert not AuditEntry.objects.filter(action="job.retry").exists()
    answer = api(world.supervisor).post(f"/api/v1/jobs/{job.pk}/retry")
    assert answer.status_code == 202, answer.json()
    assert answer.json()["status"] == "queued"
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert AuditEntry.objects.filter(action="job.retry", actor=world.supervisor).count() == 1


def test_a_job_done_is_not_tried_again_alike(api: Any, pages: Any, world: World) -> None:
    job = national_job(world)
    run_job.call(str(job.pk))
    page = pages(world.supervisor).post(f"/awards/jobs/{job.pk}/retry/", follow=True)
    said = [str(m) for m in page.context["messages"] if m.level_tag == "error"]
    answer = api(world.supervisor).post(f"/api/v1/jobs/{job.pk}/retry")
    assert answer.status_code == 409
    assert said == [answer.json()["detail"]]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert not AuditEntry.objects.filter(action="job.retry").exists()


# --- a unit's sub-unit -------------------------------------------------------------------------


def test_a_units_officer_creates_a_sub_unit(api: Any, world: World) -> None:
    son_la = world.orgs["son_la"]
    url = f"/api/v1/organizations/{son_la.pk}/units"
    answer = post(api(world.son_la_officer), url, {"name": "Phòng Tổng hợp", "short_name": "PTH"})
    assert answer.status_code == 201, answer.json()
    unit = Organization.objects.get(pk=answer.json()["id"])
    assert (unit.parent_id, unit.name, unit.short_name) == (son_la.pk, "Phòng Tổng hợp", "PTH")
    assert AuditEntry.objects.filter(
        action="organization.create", actor=world.son_la_officer
    ).exists()


def test_only_who_manages_the_unit_creates_its_sub_units(api: Any, world: World) -> None:
    url = f"/api/v1/organizations/{world.orgs['son_la'].pk}/units"
    assert post(api(world.lai_chau_officer), url, {"name": "Phòng Tổng hợp"}).status_code == 403
    assert (
        post(api(world.supervisor), "/api/v1/organizations/999999/units", {"name": "x"}).status_code
        == 404
    )
    blank = post(api(world.son_la_officer), url, {"name": "  "})
    assert blank.status_code == 400
    assert not Organization.objects.filter(parent=world.orgs["son_la"]).exists()


def test_a_second_sub_unit_of_that_name_is_refused_alike(
    api: Any, pages: Any, world: World
) -> None:
    son_la = world.orgs["son_la"]
    assert (
        post(
            api(world.son_la_officer),
            f"/api/v1/organizations/{son_la.pk}/units",
            {"name": "Văn phòng"},
        ).status_code
        == 201
    )
    page = pages(world.son_la_officer).post(f"/orgs/{son_la.pk}/units/new/", {"name": "Văn Phòng"})
    answer = post(
        api(world.son_la_officer), f"/api/v1/organizations/{son_la.pk}/units", {"name": "Văn Phòng"}
    )
    assert page.status_code == answer.status_code == 409
    assert form_words(page) and answer.json()["detail"] == form_words(page)
    assert Organization.objects.filter(parent=son_la).count() == 1


def test_certificates_on_a4_need_no_body(api: Any, world: World, made: Proposals) -> None:
    decision = decided(world, made)
    url = f"{year_url(world)}/decisions/{decision.pk}/certificates"
    started = api(world.supervisor).post(url)
    assert started.status_code == 202, started.json()
    assert Job.objects.get(pk=started.json()["id"]).params["paper"] == "a4"


def test_a_sub_unit_sent_twice_with_its_idempotency_key_is_created_once(
    api: Any, world: World
) -> None:
    client = api(world.son_la_officer)
    url = f"/api/v1/organizations/{world.orgs['son_la'].pk}/units"
    body = json.dumps({"name": "Phòng Đăng ký kinh doanh"})
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="u-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="u-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Organization.objects.filter(parent=world.orgs["son_la"]).count() == 1


def test_evidence_sent_twice_with_its_idempotency_key_is_attached_once(
    api: Any, world: World, made: Proposals
) -> None:
    client = api(world.lai_chau_officer)
    url = evidence_url(world, made)
    first = client.post(url, {"file": upload("a.pdf")}, HTTP_IDEMPOTENCY_KEY="e-1")
    again = client.post(url, {"file": upload("a.pdf")}, HTTP_IDEMPOTENCY_KEY="e-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert EvidenceFile.objects.count() == 1


# --- a unit's history (the operations that share their code with a person's) --------------


def unit_award(code: str) -> dict[str, Any]:
    return {
        "award": code,
        "year": 2015,
        "decision_number": "15/QĐ-UBND",
        "decision_date": "2016-01-20",
        "issuer_name": "UBND tỉnh Sơn La",
    }


def test_the_supervisor_writes_a_units_award_and_rating(api: Any, world: World) -> None:
    ensure_catalogue()
    son_la = world.orgs["son_la"]
    client = api(world.supervisor)
    award = post(client, f"/api/v1/units/{son_la.pk}/awards", unit_award("tt_ldtt"))
    assert award.status_code == 201, award.json()
    assert AwardRecord.objects.get(pk=award.json()["id"]).organization_id == son_la.pk
    rating = post(client, f"/api/v1/units/{son_la.pk}/ratings", {"year": 2015, "rating": "htxsnv"})
    assert rating.status_code == 201, rating.json()
    assert TaskRating.objects.get(pk=rating.json()["id"]).organization_id == son_la.pk
    assert AuditEntry.objects.filter(actor=world.supervisor, action__startswith="award").exists()
    # An individual's title is not a collective's: the form of the unit's page refuses it.
    individual = post(client, f"/api/v1/units/{son_la.pk}/awards", unit_award("cstdcs"))
    assert individual.status_code == 400
    assert individual.json()["detail"].startswith("Yêu cầu không hợp lệ: award_type: ")


def test_only_who_keeps_the_history_writes_a_units(api: Any, world: World) -> None:
    ensure_catalogue()
    son_la = world.orgs["son_la"]
    officer = api(world.son_la_officer)
    assert (
        post(officer, f"/api/v1/units/{son_la.pk}/awards", unit_award("tt_ldtt")).status_code == 403
    )
    assert (
        post(
            officer, f"/api/v1/units/{son_la.pk}/ratings", {"year": 2015, "rating": "htxsnv"}
        ).status_code
        == 403
    )
    supervisor = api(world.supervisor)
    assert (
        post(
            supervisor, "/api/v1/units/999999/ratings", {"year": 2015, "rating": "htxsnv"}
        ).status_code
        == 404
    )
    assert post(supervisor, "/api/v1/people/999999/awards", unit_award("cstdcs")).status_code == 404
    assert not AwardRecord.objects.exists() and not TaskRating.objects.exists()


def test_an_empty_or_missing_file_is_refused_alike(
    api: Any, pages: Any, world: World, made: Proposals
) -> None:
    pk = made.nominations[0].pk
    page = pages(world.lai_chau_officer).post(
        f"/awards/c/{world.cluster.slug}/{world.year.year}/nominations/{pk}/evidence/",
        {"upload": upload("trong.pdf", b"")},
    )
    empty = api(world.lai_chau_officer).post(
        evidence_url(world, made), {"file": upload("trong.pdf", b"")}
    )
    missing = api(world.lai_chau_officer).post(evidence_url(world, made))
    assert page.status_code == empty.status_code == missing.status_code == 400
    said = form_words(page, "evidence_form")
    assert said and empty.json()["detail"] == f"Yêu cầu không hợp lệ: upload: {said}"
    assert missing.json()["detail"].startswith("Yêu cầu không hợp lệ: upload: ")
    assert not EvidenceFile.objects.exists()


def test_a_recorded_decision_reaches_the_event_feed_of_whoever_may_see_it(
    api: Any, world: World, made: Proposals
) -> None:
    decided(world, made)
    url = "/api/v1/events?kind=decision.recorded"
    [event] = api(world.lai_chau_officer).get(url).json()["events"]
    assert event["object_type"] == "awards.nomination"
    assert event["object_id"] == str(made.nominations[0].pk)
    assert api(world.outsider).get(url).json()["events"] == []
