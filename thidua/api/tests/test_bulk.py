"""Batches: all or nothing, each refused item named; bodies over the limit refused before
they are read; the Excel import as a job whose progress the API reports."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from openpyxl import Workbook
from schemathesis import GenerationMode
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from thidua.api.actions import do_create_token
from thidua.audit.models import AuditEntry
from thidua.audit.verify import check_data
from thidua.award_history.importing import COLUMNS
from thidua.award_history.models import AwardRecord, Initiative, TaskRating
from thidua.awards.catalogue import ensure_catalogue
from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear, Phase
from thidua.jobs.models import Job
from thidua.jobs.tasks import discard_input, run_job
from thidua.notifications.models import Subscription
from thidua.orgs.models import Organization, Person, PersonPosition
from thidua.testing.personas import World, build_world
from thidua.wsgi import application

pytestmark = pytest.mark.django_db

URL = "/api/v1/bulk/award-history"


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def history(world: World) -> dict[str, Any]:
    lai_chau = world.orgs["lai_chau"].pk
    return {
        "people": [
            {"ref": "an", "full_name": "Nguyễn Văn An", "birth_year": 1980, "gender": "male",
             "unit_id": lai_chau, "position": "Chuyên viên", "since": "2010-01-01"},
            {"ref": "binh", "full_name": "Trần Thị Bình", "birth_year": 1985, "gender": "female",
             "unit_id": lai_chau},
        ],
        "positions": [
            {"person_ref": "binh", "unit_id": lai_chau, "position": "Phó Giám đốc",
             "since": "2018-05-01"},
        ],
        "records": [
            {"person_ref": "an", "award": "ldtt", "year": 2014, "decision_number": "12/QĐ-SKHĐT",
             "decision_date": "2015-01-10", "issuer": "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"},
            {"person_ref": "an", "award": "cstdcs", "year": 2015,
             "decision_number": "15/QĐ-SKHĐT", "decision_date": "2016-01-12",
             "issuer": "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"},
            {"organization_id": lai_chau, "award": "tt_ldxs", "year": 2015,
             "decision_number": "88/QĐ-UBND", "decision_date": "2016-02-01",
             "issuer": "Ủy ban nhân dân tỉnh Lai Châu"},
        ],
        "ratings": [
            {"person_ref": "an", "year": 2015, "rating": "htxsnv"},
            {"organization_id": lai_chau, "year": 2015, "rating": "htxsnv"},
        ],
        "initiatives": [
            {"person_ref": "an", "title": "Số hóa hồ sơ thi đua", "level": "grassroots",
             "year": 2015},
        ],
    }  # fmt: skip


def nothing_written() -> None:
    assert not Person.objects.exists()
    assert not AwardRecord.objects.exists()
    assert not TaskRating.objects.exists()
    assert not Initiative.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="person.").exists()


def test_a_years_history_lands_whole_through_the_actions(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = post(client, URL, history(world))
    assert response.status_code == 201, response.content
    done = response.json()
    assert [len(done[k]) for k in ("people", "positions", "records", "ratings")] == [2, 1, 3, 2]
    an = Person.objects.get(pk=done["people"][0])
    assert an.full_name == "Nguyễn Văn An"
    assert sorted(an.award_records.values_list("award_type__code", flat=True)) == [
        "cstdcs",
        "ldtt",
    ]
    assert an.award_records.get(year=2014).unit_name == "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    assert PersonPosition.objects.filter(title="Phó Giám đốc").count() == 1
    # Each item audited by its own action, attributed to the supervisor.
    written = AuditEntry.objects.filter(pk__gt=before, actor=world.supervisor)
    assert sorted(written.values_list("action", flat=True)) == sorted(
        ["person.create"] * 2
        + ["person.position"]
        + ["award_record.create"] * 3
        + ["task_rating.set"] * 2
        + ["initiative.create"]
    )


def test_every_refused_item_is_named_and_nothing_is_written(api: Any, world: World) -> None:
    ensure_catalogue()
    body = history(world)
    body["people"][1]["birth_year"] = 2099  # not a plausible year of birth
    body["records"][1]["decision_date"] = "2014-12-31"  # before the year it grants
    body["records"][2]["award"] = "khong-co"
    body["ratings"].append({"person_ref": "an", "year": 2015, "rating": "htnv"})  # twice
    body["initiatives"][0]["person_ref"] = "chi"
    response = post(api(world.supervisor), URL, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["detail"] == "6 mục bị từ chối; không dữ liệu nào được ghi."
    where = [(e["section"], e["index"], e["field"], e["status"]) for e in answer["errors"]]
    assert where == [
        ("people", 1, "birth_year", 400),
        ("positions", 0, "person_ref", 400),  # her post, since she is refused
        ("records", 1, "decision_date", 400),
        ("records", 2, "award", 404),
        ("ratings", 2, "replace", 409),
        ("initiatives", 0, "person_ref", 400),
    ]
    messages = [e["message"] for e in answer["errors"]]
    assert messages[:2] == [
        "Năm sinh 2099 không hợp lý.",
        "Người mang ref binh trong lô đã bị từ chối (xem ở trên).",
    ]
    assert messages[3] == "Không có danh hiệu, hình thức khen thưởng nào mang mã khong-co."
    nothing_written()


def test_only_who_keeps_the_history_may_send_it(api: Any, world: World) -> None:
    ensure_catalogue()
    response = post(api(world.lai_chau_officer), URL, history(world))
    assert response.status_code == 403
    nothing_written()


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(
    api: Any, world: World, settings: Any
) -> None:
    settings.THIDUA_API_BULK_MAX_MB = 1
    client = api(world.supervisor)
    big = {"people": [{"full_name": "x" * 100, "unit_id": 1}] * 12_000}
    response = post(client, URL, big)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Yêu cầu lớn hơn 1 MB, mức tối đa một lô được gửi; hãy chia nhỏ lô."
    }
    nothing_written()


def test_a_body_over_the_limit_with_an_idempotency_key_is_refused_with_413_too(
    api: Any, world: World, settings: Any
) -> None:
    settings.THIDUA_API_BULK_MAX_MB = 1
    big = json.dumps({"people": [{"full_name": "x" * 100, "unit_id": 1}] * 12_000})
    response = api(world.supervisor).post(
        URL, big, content_type="application/json", HTTP_IDEMPOTENCY_KEY="lo-lon"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Yêu cầu lớn hơn 1 MB, mức tối đa một lô được gửi; hãy chia nhỏ lô."
    }
    nothing_written()


def test_a_batch_past_djangos_ordinary_limit_is_read_with_its_idempotency_key(
    api: Any, world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # a batch of a few kB is past it
    ensure_catalogue()
    body = json.dumps(history(world))
    assert len(body) > 1024
    client = api(world.supervisor)
    first = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())


def test_more_items_than_the_limit_are_refused(api: Any, world: World, settings: Any) -> None:
    settings.THIDUA_API_BULK_MAX_ITEMS = 3
    response = post(api(world.supervisor), URL, history(world))
    assert response.status_code == 400
    assert response.json()["detail"] == "Lô có 9 mục; mỗi lần chỉ nhận tối đa 3 mục."
    nothing_written()


def test_a_malformed_item_is_named_by_its_place(api: Any, world: World) -> None:
    body = history(world)
    body["records"][2]["year"] = "hai nghìn"
    response = post(api(world.supervisor), URL, body)
    assert response.status_code == 422
    assert "body.records.2.year: phải là số nguyên." in response.json()["detail"]


def test_one_bad_item_after_hundreds_written_refuses_the_batch(api: Any, world: World) -> None:
    """Two hundred people written (their audit entries, their seals over more than one block
    of each table), then one refused: all of it is undone and the seals still hold."""
    unit = world.orgs["lai_chau"].pk
    people = [
        {"full_name": f"Cán bộ số {i}", "birth_year": 1960 + i % 40, "unit_id": unit}
        for i in range(200)
    ]
    people[176]["birth_year"] = 2090  # not born yet
    response = post(api(world.supervisor), URL, {"people": people})
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(176, "birth_year")]
    nothing_written()
    assert check_data().findings == []


def test_ten_thousand_items_are_each_checked_by_their_action(api: Any, world: World) -> None:
    """A batch of the most items taken is read whole and each item goes to its action; one
    good item among them is not kept. (Each other item is refused at the action's first
    check, so the batch is quick to play; many writes undone is the test above.)"""
    unit = world.orgs["lai_chau"].pk
    people = [{"full_name": " ", "unit_id": unit} for _ in range(10_000)]
    people[9_876] = {"full_name": "Cán bộ số 9876", "birth_year": 1980, "unit_id": unit}
    response = post(api(world.supervisor), URL, {"people": people})
    assert response.status_code == 400
    answer = response.json()
    assert answer["detail"] == "9.999 mục bị từ chối; không dữ liệu nào được ghi."
    assert len(answer["errors"]) == 1_000  # the first thousand, as the schema says
    assert [e["index"] for e in answer["errors"]] == list(range(1_000))
    assert {(e["field"], e["message"]) for e in answer["errors"]} == {
        ("full_name", "Vui lòng nhập họ và tên.")
    }
    nothing_written()


# --- a collective's members ----------------------------------------------------------------


def members_url(world: World, org: Organization) -> str:
    return (
        f"/api/v1/clusters/{world.cluster.slug}/years/{world.year.year}"
        f"/collectives/{org.pk}/members"
    )


def test_a_unit_officer_registers_its_collectives_members(api: Any, world: World) -> None:
    office = Organization.objects.create(
        name="Văn phòng Sở", kind=world.orgs["lai_chau"].kind, parent=world.orgs["lai_chau"]
    )
    body = {
        "members": [
            {"full_name": "Lò Văn Cường", "birth_year": 1990, "position": "Chánh Văn phòng"},
            {"full_name": "Hoàng Thị Dung", "birth_year": 1992},
        ]
    }
    response = post(api(world.lai_chau_officer), members_url(world, office), body)
    assert response.status_code == 201, response.content
    assert PersonPosition.objects.filter(organization=office).count() == 2
    other = post(api(world.cao_bang_officer), members_url(world, office), body)
    assert other.status_code == 403
    outsider = post(api(world.outsider), members_url(world, office), body)
    assert outsider.status_code == 404
    assert PersonPosition.objects.filter(organization=office).count() == 2


def test_a_refused_member_undoes_the_others(api: Any, world: World) -> None:
    body = {
        "members": [
            {"full_name": "Lò Văn Cường", "birth_year": 1990},
            {"full_name": "  ", "birth_year": 1992},
            {"person_id": 999_999},
        ]
    }
    response = post(api(world.lai_chau_officer), members_url(world, world.orgs["lai_chau"]), body)
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (1, "full_name"),
        (2, "person_id"),
    ]
    assert not Person.objects.exists()


# --- the import as a job ---------------------------------------------------------------------


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def line(name: str, year: int) -> list[Any]:
    unit = "Sở Kế hoạch và Đầu tư tỉnh Lai Châu"
    return [name, 1980, "Nam", unit, "Lao động tiên tiến", year, "12/QĐ-SKHĐT",
            dt.date(year + 1, 1, 10), unit]  # fmt: skip


def upload(client: Any, content: bytes) -> Any:
    file = io.BytesIO(content)
    file.name = "lich-su.xlsx"
    return client.post("/api/v1/jobs/history-import", {"file": file})


def test_the_import_runs_as_a_job_whose_progress_the_api_reports(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    started = upload(client, workbook([line("Nguyễn Văn An", 2014), line("Lê Văn Bảo", 2015)]))
    assert started.status_code == 202, started.content.decode()
    job_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    assert api(world.son_la_officer).get(f"/api/v1/jobs/{job_id}").status_code == 404
    run_job.call(job_id)
    client = api(world.supervisor)  # the test client carries one token at a time
    done = client.get(f"/api/v1/jobs/{job_id}")
    assert done.json()["status"] == "done" and done.json()["percent"] == 100
    assert done.json()["message"] == "Đã nhập 2 bản ghi khen thưởng."
    assert AwardRecord.objects.count() == 2
    cached = client.get(f"/api/v1/jobs/{job_id}", HTTP_IF_NONE_MATCH=done.headers["ETag"])
    assert cached.status_code == 304


def test_a_refused_file_reports_each_problem_and_writes_nothing(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    bad = line("Nguyễn Văn An", 2014)
    bad[5] = "năm ngoái"
    job_id = upload(client, workbook([line("Lê Văn Bảo", 2015), bad])).json()["id"]
    run_job.call(job_id)
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "failed" and job["message"] == "Không có dữ liệu nào được nhập."
    assert len(job["problems"]) == 1 and "Dòng 3" in job["problems"][0]
    assert not AwardRecord.objects.exists()
    assert Job.objects.get(pk=job_id).status == "failed"


def test_only_who_keeps_the_history_may_start_the_import(api: Any, world: World) -> None:
    response = upload(api(world.lai_chau_officer), workbook([line("Nguyễn Văn An", 2014)]))
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- the same batch twice, and the runnable example ------------------------------------------


def test_a_retried_batch_with_its_idempotency_key_writes_once(api: Any, world: World) -> None:
    ensure_catalogue()
    client = api(world.supervisor)
    body = json.dumps(history(world))
    first = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 2 and AwardRecord.objects.count() == 3


EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "province_sync.py"


@pytest.mark.django_db(transaction=True)
def test_the_province_sync_example_runs_against_a_live_server(live_server: Any) -> None:
    world = build_world()
    ensure_catalogue()
    EmulationYear.objects.filter(pk=world.year.pk).update(phase=Phase.PROPOSALS)
    keys = {
        name: do_create_token(name="province-sync", acting_user=user)[1]
        for name, user in (
            ("HISTORY", world.supervisor),
            ("OFFICER", world.lai_chau_officer),
            ("LEADER", world.lai_chau_leader),
        )
    }
    env = {
        **os.environ,
        "THIDUA_URL": live_server.url,
        **{f"THIDUA_{name}_TOKEN": key for name, key in keys.items()},
    }
    unit = world.orgs["lai_chau"].pk
    command = [
        sys.executable, str(EXAMPLE), "--cluster", world.cluster.slug, "--year", "2016",
        "--unit", str(unit),
    ]  # fmt: skip
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)
    assert outcome["records"] == 3
    verdicts = outcome["verdicts"]
    assert sorted((v["nominee"], v["award"], v["status"]) for v in verdicts) == [
        ("Nguyễn Thị Hoa", "cstdcs", "submitted"),
        ("Vàng A Sử", "ldtt", "submitted"),
    ]
    assert all(v["verdict"] in ("eligible", "not_eligible", "needs_review") for v in verdicts)
    assert all(v["reasons"] for v in verdicts)
    # Run again (a retry after a time-out): the same answers, nothing written twice.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == outcome
    assert Person.objects.count() == 2
    assert Nomination.objects.filter(unit_id=unit).count() == 2


# --- schemathesis: create, then read what was created ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_created_webhooks_and_jobs_are_read_back_as_the_schema_links_say() -> None:
    """Schemathesis follows the schema's links (a created webhook to its reading, stopping
    and deliveries; a started job to its progress) and checks every answer against it."""
    world = build_world()
    _token, key = do_create_token(name="fuzz", acting_user=world.supervisor)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        operation_id_regex=r"^thidua_api_(events_(subscribe|subscription|unsubscribe|deliveries)"
        r"|bulk_(start_history_import|job))$"
    )
    # A schema-valid address may still be refused with 400, as test_schema counts it: a port
    # other than 80 and 443, a name leading to an internal address (docs/api-sync.md).
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
        {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]}
    )

    seen: list[tuple[str, int]] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            seen.append((f"{case.method} {case.operation.path}", response.status_code))

        def teardown(self) -> None:
            # Each scenario starts from the same world: what one created is gone.
            super().teardown()
            Subscription.objects.all().delete()
            for job in Job.objects.all():
                discard_input(job)
                job.delete()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def before_call(self, case: Any) -> None:
            # A fuzzed address names a random port or host, which the server refuses (400:
            # docs/api-sync.md); the valid subscriptions name a receiver it may reach, so
            # that the links from what they create are followed.
            meta = case.meta
            positive = meta is not None and meta.generation.mode is GenerationMode.POSITIVE
            subscribing = case.method == "POST" and case.operation.path == "/api/v1/webhooks"
            if positive and subscribing and isinstance(case.body, dict):
                case.body["url"] = "https://receiver.example.org/thidua"

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # A cursor is opaque and signed: one the server did not give is refused (400),
            # however well it fits the schema's string. An empty file part is no file to
            # Django's parser (422 "file is required").
            body = case.body if isinstance(case.body, dict) else {}
            forged = bool((case.query or {}).get("after")) or body.get("file") in (b"", "")
            case.validate_response(
                response,
                additional_checks=additional_checks,
                # Wrong tokens are the permission matrix's and test_schema's to try.
                excluded_checks=[ignored_auth, *([positive_data_acceptance] if forged else [])],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    # The links were followed: a webhook created, then read (200) through its id.
    assert ("GET /api/v1/webhooks/{subscription_id}", 200) in seen
    assert ("GET /api/v1/jobs/{job_id}", 200) in seen
