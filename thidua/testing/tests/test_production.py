"""The production settings: they refuse to start half-configured, and what they serve works.

The settings are imported in a child process (they read the environment once, at import);
the whole deployment, gunicorn and the worker included, is played by scripts/deploy_check.py.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

REQUIRED = ("THIDUA_SECRET_KEY", "DATABASE_URL", "THIDUA_VAR_DIR", "THIDUA_ALLOWED_HOSTS")


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    """A complete production environment over a SQLite file in `tmp_path`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("THIDUA_", "DJANGO_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="thidua.settings.production",
        THIDUA_SECRET_KEY="a-long-random-value-for-this-test-only-" + "x" * 30,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        THIDUA_VAR_DIR=str(tmp_path),
        THIDUA_ALLOWED_HOSTS="thidua.example.gov.vn",
        THIDUA_CSRF_TRUSTED_ORIGINS="https://thidua.example.gov.vn",
    )
    env.update(changes)
    return {key: value for key, value in env.items() if value != ""}


def thidua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "thidua", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("variable", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(
    tmp_path: Path, variable: Any
) -> None:
    result = thidua(production_env(tmp_path, **{variable: ""}), "check")
    assert result.returncode != 0
    assert "the settings are incomplete" in result.stderr
    assert variable in result.stderr
    # Never a silent fallback: no SQLite file appears where the database was not named.
    assert not (tmp_path / "thidua.sqlite3").exists()


def test_production_refuses_a_data_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = thidua(production_env(tmp_path, THIDUA_VAR_DIR=str(tmp_path / "nowhere")), "check")
    assert result.returncode != 0
    assert "THIDUA_VAR_DIR" in result.stderr and "existing folder" in result.stderr


@pytest.mark.parametrize("redirect", ["1", "0"])
def test_check_deploy_passes_without_warnings_in_each_documented_configuration(
    tmp_path: Path, redirect: str
) -> None:
    env = production_env(tmp_path, THIDUA_SSL_REDIRECT=redirect)
    result = thidua(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_load_demo_refuses_under_production_settings(tmp_path: Path) -> None:
    # The settings refuse before the database is opened: no migrated database is needed (a
    # migrate in a child process made this the slowest test), and none is created.
    result = thidua(production_env(tmp_path), "load_demo")
    assert result.returncode != 0
    assert "published password" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


@override_settings(THIDUA_DEMO_ALLOWED=False)
def test_load_demo_refuses_where_the_settings_do_not_allow_it(db: None) -> None:
    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo", stdout=io.StringIO())


def test_collectstatic_with_hashed_names_serves_the_pages(tmp_path: Path, db: None) -> None:
    """What production serves: every vendored file collects, and pages name the hashed copies."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path / "static", STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = (tmp_path / "static" / "staticfiles.json").read_text("utf-8")
        assert "vendor/pico/pico.min.css" in manifest
        assert "vendor/chartjs/chart.umd.min.js" in manifest
        page = Client().get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/pico/pico.min.css" not in html  # the hashed name instead
    assert "/static/vendor/pico/pico.min." in html


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unhandled_error_is_mailed_to_the_admins_over_smtp(tmp_path: Path) -> None:
    """A real SMTP server (Python's own debugging server) receives the error mail."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "smtpd",
            "-n",
            "-c",
            "DebuggingServer",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env = production_env(
            tmp_path,
            THIDUA_ADMINS="Quản trị <quantri@example.gov.vn>",
            THIDUA_EMAIL_HOST="127.0.0.1",
            THIDUA_EMAIL_PORT=str(port),
        )
        script = (
            "import django, logging; django.setup(); "
            "logging.getLogger('django.request').error('Internal Server Error: /x', "
            "extra={'status_code': 500})"
        )
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        # The same error, as one JSON line on the standard error.
        assert '"level": "ERROR"' in result.stderr and '"status_code": 500' in result.stderr
    finally:
        time.sleep(0.5)
        server.terminate()
        received = server.communicate(timeout=10)[0]
    assert "quantri@example.gov.vn" in received
    assert "[thidua] ERROR: Internal Server Error: /x" in received


def test_an_unreachable_database_is_said_in_one_message(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = production_env(tmp_path, DATABASE_URL=f"postgres://thidua:pw@127.0.0.1:{port}/thidua")
    result = thidua(env, "migrate", "--no-input")
    assert result.returncode == 1
    assert "the database cannot be used" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
