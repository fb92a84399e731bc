"""API tokens expire, have a scope and remember their last use; each refusal says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from thidua.api.actions import do_create_token
from thidua.api.models import ApiToken
from thidua.errors import ActionRefused
from thidua.testing.personas import World

ME = "/api/v1/me"


def _year(world: Any) -> str:
    return f"/api/v1/clusters/{world.cluster.slug}/years/{world.year.year}"


def _with(client: Any, key: str) -> Any:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_a_new_token_lives_the_administrators_default_and_no_more_than_the_maximum(
    world: World,
) -> None:
    with override_settings(THIDUA_API_TOKEN_DAYS=30, THIDUA_API_TOKEN_MAX_DAYS=60):
        token, _key = do_create_token(name="a", acting_user=world.lai_chau_officer)
        assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
        longest, _key = do_create_token(name="b", days=60, acting_user=world.lai_chau_officer)
        assert longest.expires_at - longest.created_at == dt.timedelta(days=60)
        with pytest.raises(ActionRefused, match="1 đến 60 ngày"):
            do_create_token(name="c", days=61, acting_user=world.lai_chau_officer)
        with pytest.raises(ActionRefused):
            do_create_token(name="d", days=0, acting_user=world.lai_chau_officer)


def test_an_expired_token_is_refused_saying_when_it_expired(client: Client, world: World) -> None:
    token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    assert _with(client, key).get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    answer = client.get(ME)
    assert answer.status_code == 401
    assert "hết hạn" in answer.json()["detail"]
    english = client.get(ME, HTTP_COOKIE="django_language=en")
    assert english.json()["detail"].startswith("This API token expired on ")


def test_a_forged_or_revoked_token_is_refused_with_its_reason(client: Client, world: World) -> None:
    _token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    answer = _with(client, forged).get(ME)
    assert answer.status_code == 401
    assert "không hợp lệ" in answer.json()["detail"]
    ApiToken.objects.filter(user=world.lai_chau_officer).update(revoked_at=timezone.now())
    answer = _with(client, key).get(ME)
    assert answer.status_code == 401 and "thu hồi" in answer.json()["detail"]


def test_a_read_token_reads_and_is_refused_every_write(client: Client, world: World) -> None:
    world.to_pledge_phase()
    _token, key = do_create_token(
        name="đọc", scope=ApiToken.Scope.READ, acting_user=world.son_la_officer
    )
    reader = _with(client, key)
    assert reader.get(_year(world)).status_code == 200
    for path, body in (("phase", {"target": "in_progress"}), ("pledge/signatures", {})):
        answer = reader.post(f"{_year(world)}/{path}", body, content_type="application/json")
        assert answer.status_code == 403, path
        assert "chỉ được đọc" in answer.json()["detail"]
    world.year.refresh_from_db()
    assert world.year.phase == "pledge"


def test_a_write_token_writes(client: Client, world: World) -> None:
    pledge = world.to_pledge_phase()
    world.sign_all(pledge)
    _token, key = do_create_token(
        name="ghi", scope=ApiToken.Scope.WRITE, acting_user=world.son_la_officer
    )
    answer = _with(client, key).post(
        f"{_year(world)}/phase", {"target": "in_progress"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.json()


def test_the_last_use_is_written_at_most_once_a_minute(
    client: Client, world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    token, key = do_create_token(name="script", acting_user=world.lai_chau_officer)
    reader = _with(client, key)
    reader.get(ME)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    reader.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    reader.get(ME)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


def test_the_tokens_page_shows_scope_expiry_and_last_use(client: Client, world: World) -> None:
    client.force_login(world.lai_chau_officer)
    page = client.post("/account/tokens/", {"name": "báo cáo", "scope": "read", "days": "7"})
    assert page.status_code == 200
    token = world.lai_chau_officer.api_tokens.get()
    assert token.scope == "read"
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    _with(client, page.context["new_key"]).get(ME)
    client.defaults.pop("HTTP_AUTHORIZATION")
    shown = client.get("/account/tokens/").content.decode()
    token.refresh_from_db()
    assert token.last_used_at is not None
    for moment in (token.expires_at, token.last_used_at):
        assert timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") in shown
    assert "chỉ đọc" in shown
    refused = client.post("/account/tokens/", {"name": "dài", "days": "100000"})
    assert refused.status_code == 400 and not refused.context["new_key"]
    assert "365" in refused.content.decode()
