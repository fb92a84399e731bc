"""Login throttling behind the reverse proxy: each client is locked out from its own address,
and a forged X-Forwarded-For neither frees an attacker nor locks anyone else out."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from pytest_django import Settings

from thidua.testing.personas import PASSWORD, World

LOGIN = "/accounts/login/"
NGINX = "127.0.0.1"
ALICE = "203.0.113.5"  # the officer, at her office
MALLORY = "198.51.100.7"  # someone who knows her username


@pytest.fixture
def behind_nginx(settings: Settings) -> None:
    settings.THIDUA_TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]


def attempt(username: str, password: str, **meta: str) -> int:
    """One login from a fresh browser; the status code (302 in, 200 refused, 429 locked)."""
    # WSGI environ keys; typed Any so that mypy need not fear one of them is post()'s `follow`.
    environ: dict[str, Any] = dict(meta)
    data = {"username": username, "password": password}
    return Client().post(LOGIN, data, **environ).status_code


def through_nginx(client_address: str, forged: str = "") -> dict[str, str]:
    """What nginx passes on: its own address as the peer, the client's appended to the header."""
    header = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": header}


def lock_out(username: str, **meta: str) -> None:
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(username, "wrong", **meta) == 200
    assert attempt(username, "wrong", **meta) == 429


def test_failures_from_one_client_behind_nginx_do_not_lock_out_another(
    world: World, behind_nginx: Any
) -> None:
    username = world.lai_chau_officer.username
    lock_out(username, **through_nginx(MALLORY))
    assert attempt(username, PASSWORD, **through_nginx(MALLORY)) == 429
    assert attempt(username, PASSWORD, **through_nginx(ALICE)) == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {MALLORY}


def test_a_forged_header_through_nginx_is_read_past_to_the_address_nginx_saw(
    world: World, behind_nginx: Any
) -> None:
    username = world.lai_chau_officer.username
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(username, "wrong", **through_nginx(MALLORY, forged=f"10.0.0.{number}"))
    assert attempt(username, PASSWORD, **through_nginx(MALLORY, forged=ALICE)) == 429
    assert attempt(username, PASSWORD, **through_nginx(ALICE)) == 302


def test_a_forged_header_from_an_untrusted_address_escapes_nothing_and_locks_no_one(
    world: World, behind_nginx: Any
) -> None:
    username = world.lai_chau_officer.username
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        forged = {"REMOTE_ADDR": MALLORY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{number}"}
        attempt(username, "wrong", **forged)
    locked = attempt(username, PASSWORD, REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=ALICE)
    assert locked == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {MALLORY}
    assert attempt(username, PASSWORD, **through_nginx(ALICE)) == 302


def test_without_trusted_proxies_the_header_is_never_believed(world: World) -> None:
    username = world.lai_chau_officer.username
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(username, "wrong", REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert attempt(username, PASSWORD, REMOTE_ADDR=MALLORY) == 429
    assert attempt(username, PASSWORD, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=MALLORY) == 302
