"""The API answers in the language the client asks for (Accept-Language), Vietnamese by default."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from thidua.api.tests.conftest import year_url
from thidua.cycle.models import Phase
from thidua.testing.personas import World

ENGLISH = ["en", "en-US,en;q=0.9", "fr-FR, en;q=0.5"]


def test_401_in_vietnamese_by_default(client: Client, world: World) -> None:
    answer = client.get("/api/v1/clusters")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Cần một mã truy cập API hợp lệ."}
    assert answer.headers["Content-Language"] == "vi"


@pytest.mark.parametrize("asked", ENGLISH)
def test_401_in_english_when_asked(client: Client, world: World, asked: Any) -> None:
    answer = client.get("/api/v1/clusters", HTTP_ACCEPT_LANGUAGE=asked)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "A valid API token is required."}
    assert answer.headers["Content-Language"] == "en"


def test_an_unknown_token_in_both(client: Client, world: World) -> None:
    vi = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer thd_nope")
    en = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer thd_nope", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.status_code == en.status_code == 401
    assert vi.json()["detail"].startswith("Mã truy cập API này không hợp lệ")
    assert en.json()["detail"].startswith("This API token is not valid")


def test_a_language_the_site_does_not_speak_gets_vietnamese(client: Client, world: World) -> None:
    answer = client.get("/api/v1/clusters", HTTP_ACCEPT_LANGUAGE="fr-FR, de;q=0.5")
    assert answer.json() == {"detail": "Cần một mã truy cập API hợp lệ."}


def test_404_in_both(api: Any, world: World) -> None:
    client = api(world.outsider)
    url = f"/api/v1/clusters/{world.cluster.slug}"
    assert client.get(url).json() == {"detail": "Không tìm thấy, hoặc bạn không có quyền xem."}
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert english.json() == {"detail": "Not found, or not yours to see."}


def test_422_of_the_validator_in_both(api: Any, world: World) -> None:
    client = api(world.son_la_officer)
    url = f"{year_url(world)}/phase"
    body = json.dumps({"target": "nowhere"})
    vi = client.post(url, body, content_type="application/json")
    en = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.status_code == en.status_code == 422
    assert vi.json()["detail"].startswith(
        "Yêu cầu không hợp lệ: body.target: phải là một trong các giá trị:"
    )
    assert en.json()["detail"].startswith("The request is not valid: body.target: must be one of:")


def test_403_and_409_in_both(api: Any, world: World) -> None:
    officer = api(world.lai_chau_officer)
    url = f"{year_url(world)}/phase"
    body = json.dumps({"target": Phase.PLEDGE})
    refused = officer.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "You may not do this."}
    secretariat = api(world.son_la_officer)
    vi = secretariat.post(url, body, content_type="application/json")
    en = secretariat.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.status_code == en.status_code == 409
    assert vi.json()["detail"] != en.json()["detail"]
    assert "movement" in en.json()["detail"].lower() or "pledge" in en.json()["detail"].lower()


def test_a_form_refusal_in_both(api: Any, world: World) -> None:
    """The pages' forms' own words (Django's too) follow the client's language."""
    client = api(world.son_la_officer)
    url = f"{year_url(world)}/deadlines"
    body = json.dumps({"phase": "nowhere"})
    vi = client.post(url, body, content_type="application/json")
    en = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.status_code == en.status_code == 400
    assert vi.json()["detail"].startswith("Yêu cầu không hợp lệ: phase: ")
    assert en.json()["detail"].startswith("The request is not valid: phase: Select a valid choice.")


def test_the_language_does_not_leak_into_the_next_request(client: Client, world: World) -> None:
    client.get("/api/v1/clusters", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/api/v1/clusters").json() == {"detail": "Cần một mã truy cập API hợp lệ."}
