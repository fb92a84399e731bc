"""Accounts: passwords hashed with Argon2, repeated failures lock the login, deploy checks pass."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client
from pytest_django import Settings

from thidua.orgs.models import User
from thidua.settings import base
from thidua.testing.personas import World

ROOT = Path(__file__).resolve().parents[3]


def test_passwords_are_hashed_with_argon2_outside_the_tests(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # the tests use a fast hasher
    hashed = make_password("demo-pass-2016")
    assert identify_hasher(hashed).algorithm == "argon2"
    assert hashed.startswith("argon2$argon2id$")


def test_five_failed_logins_lock_the_username_even_with_the_right_password(
    client: Client, world: World
) -> None:
    login = {"username": world.lai_chau_officer.username, "password": "wrong"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/login/", login, REMOTE_ADDR="10.0.0.7").status_code == 200
    assert client.post("/accounts/login/", login, REMOTE_ADDR="10.0.0.7").status_code == 429
    right = login | {"password": "demo-pass-2016"}
    locked = client.post("/accounts/login/", right, REMOTE_ADDR="10.0.0.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Colleagues behind the same office address are not locked out with it.
    other = {"username": world.lai_chau_leader.username, "password": "demo-pass-2016"}
    assert client.post("/accounts/login/", other, REMOTE_ADDR="10.0.0.7").status_code == 302


def test_an_inactive_account_opens_nothing(client: Client, world: World) -> None:
    User.objects.filter(pk=world.lai_chau_officer.pk).update(is_active=False)
    client.force_login(world.lai_chau_officer)
    assert client.get(world.url).status_code == 302
