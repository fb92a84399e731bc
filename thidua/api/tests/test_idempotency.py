"""A write sent again with the same Idempotency-Key is answered as the first time, and acts once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from thidua.api.actions import do_create_token
from thidua.api.gateway import REPLAYED
from thidua.api.models import IdempotentRequest
from thidua.audit.models import AuditEntry
from thidua.orgs.models import Person
from thidua.testing.personas import World, build_world

PEOPLE = "/api/v1/people"


def _body(world: Any, name: str = "Hoàng Văn Thụ", **more: Any) -> str:
    return json.dumps(
        {"full_name": name, "unit": world.orgs["lai_chau"].pk, "confirm_new": True, **more}
    )


def _post(client: Any, body: str, key: str | None, url: str = PEOPLE) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_a_retry_replays_the_first_answer_without_acting_again(api: Any, world: World) -> None:
    client = api(world.supervisor)
    first = _post(client, _body(world), "person-1")
    assert first.status_code == 201
    assert REPLAYED not in first.headers
    again = _post(client, _body(world), "person-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers[REPLAYED] == "true"
    assert Person.objects.filter(full_name="Hoàng Văn Thụ").count() == 1
    assert AuditEntry.objects.filter(action="person.create").count() == 1


def test_without_a_key_each_request_acts(api: Any, world: World) -> None:
    client = api(world.supervisor)
    assert _post(client, _body(world), None).status_code == 201
    assert _post(client, _body(world), None).status_code == 201
    assert Person.objects.filter(full_name="Hoàng Văn Thụ").count() == 2
    assert not IdempotentRequest.objects.exists()


def test_the_same_key_with_another_body_is_refused(api: Any, world: World) -> None:
    client = api(world.supervisor)
    assert _post(client, _body(world), "k").status_code == 201
    other = _post(client, _body(world, name="Lê Văn Tám"), "k")
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "Khoá Idempotency-Key này đã được dùng cho một yêu cầu khác (địa chỉ hoặc nội dung "
        "khác); hãy dùng khoá mới cho yêu cầu mới."
    )
    assert not Person.objects.filter(full_name="Lê Văn Tám").exists()
    elsewhere = _post(client, _body(world), "k", url=f"{PEOPLE}/merges")
    assert elsewhere.status_code == 422


def test_a_refusal_is_replayed_too(api: Any, world: World) -> None:
    """A refused write is an answer: the retry gets the same refusal, not a second try."""
    client = api(world.lai_chau_officer)  # may not keep the history: 403
    first = _post(client, _body(world), "x")
    assert first.status_code == 403
    again = _post(client, _body(world), "x")
    assert (again.status_code, again.json()) == (403, first.json())
    assert again.headers[REPLAYED] == "true"


def test_keys_belong_to_their_owner(api: Any, world: World) -> None:
    _post(api(world.supervisor), _body(world), "shared")
    admin = api(world.admin)
    assert _post(admin, _body(world), "shared").status_code == 201
    assert Person.objects.filter(full_name="Hoàng Văn Thụ").count() == 2


def test_an_expired_key_counts_as_new(api: Any, world: World, settings: Settings) -> None:
    settings.THIDUA_API_IDEMPOTENCY_HOURS = 24
    client = api(world.supervisor)
    assert _post(client, _body(world), "old").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = _post(client, _body(world), "old")
    assert again.status_code == 201
    assert REPLAYED not in again.headers
    assert Person.objects.filter(full_name="Hoàng Văn Thụ").count() == 2
    assert IdempotentRequest.objects.count() == 1


def test_a_request_still_running_is_not_run_twice(api: Any, world: World) -> None:
    """The key is claimed before the action runs: a second request meanwhile is refused."""
    client = api(world.supervisor)
    from thidua.api.gateway import fingerprint

    request = client.post(PEOPLE, _body(world), content_type="application/json").wsgi_request
    IdempotentRequest.objects.create(
        user=world.supervisor,
        key="busy",
        fingerprint=fingerprint(request),
        created_at=timezone.now(),
    )
    before = Person.objects.count()
    answer = _post(client, _body(world), "busy")
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "Một yêu cầu với khoá Idempotency-Key này vẫn đang được xử lý; hãy thử lại sau."
    )
    assert Person.objects.count() == before


def test_a_key_too_long_is_refused(api: Any, world: World) -> None:
    answer = _post(api(world.supervisor), _body(world), "k" * 256)
    assert answer.status_code == 422
    assert not Person.objects.filter(full_name="Hoàng Văn Thụ").exists()


def test_reading_ignores_the_key(api: Any, world: World) -> None:
    client = api(world.supervisor)
    answer = client.get("/api/v1/me", HTTP_IDEMPOTENCY_KEY="r")
    assert answer.status_code == 200
    assert not IdempotentRequest.objects.exists()


def test_an_answer_in_english_is_replayed_as_it_was(api: Any, world: World) -> None:
    client = api(world.supervisor)
    first = client.post(
        PEOPLE,
        _body(world),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="en",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    changed = client.post(
        PEOPLE,
        _body(world, name="Khác"),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="en",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert first.status_code == 201
    assert changed.json()["detail"].startswith("This Idempotency-Key was already used")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_act_once() -> None:
    """Four requests with one key at the same moment, each on its own connection as four web
    requests would be: one person is registered, and every answer is that one or a refusal to
    run it twice (on PostgreSQL the claim's unique row decides; SQLite serialises writes)."""
    world = build_world()
    _token, key = do_create_token(name="retry", acting_user=world.supervisor)
    body = _body(world, name="Võ Thị Sáu")
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict[str, Any]]] = []

    def send() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
            barrier.wait(timeout=10)
            answer = _post(client, body, "together")
            answers.append((answer.status_code, answer.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Person.objects.filter(full_name="Võ Thị Sáu").count() == 1
    created = [a for status, a in answers if status == 201]
    assert created and all(a == created[0] for a in created)
    assert {status for status, _a in answers} <= {201, 409}
    assert len(answers) == 4


def test_every_operation_is_served_through_the_gateway() -> None:
    """Every write takes a key because every address of the API goes through
    `gateway.serve` (language, idempotency, the body's limit), those added later included."""
    from django.urls import URLPattern, URLResolver

    from thidua.api import gateway
    from thidua.api.api import api as ninja_api
    from thidua.api.urls import urlpatterns

    served = gateway.serve(lambda request: request).__code__

    def patterns(found: Any) -> Any:
        for pattern in found:
            if isinstance(pattern, URLResolver):
                yield from patterns(pattern.url_patterns)
            else:
                assert isinstance(pattern, URLPattern)
                yield pattern

    [api_v1] = [p for p in urlpatterns if str(p.pattern) == "api/v1/"]
    views = list(patterns([api_v1]))
    # Each path of the schema (its writes among them) is one of these addresses.
    assert len(views) >= len(ninja_api.get_openapi_schema()["paths"]) > 60
    assert views and all(view.callback.__code__ is served for view in views)
