"""The committed OpenAPI schema is the served one, and the API keeps to it under fuzzing."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from thidua.api.actions import do_create_token
from thidua.api.management.commands.export_openapi import schema_json
from thidua.testing.personas import build_world
from thidua.wsgi import application

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_schema_is_current():
    assert COMMITTED.read_text("utf-8") == schema_json(), (
        "Run `thidua export_openapi docs/openapi.json` and commit it."
    )


@pytest.fixture
def member_key(transactional_db):
    """A cluster in its pledge phase and the secretariat's token, committed for the WSGI app."""
    world = build_world()
    world.to_pledge_phase()
    _token, key = do_create_token(name="fuzz", acting_user=world.son_la_officer)
    return key


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_schema(case, member_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {member_key}"})
