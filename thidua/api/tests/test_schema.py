"""The committed OpenAPI schema is the served one, and the API keeps to it under fuzzing."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker
from schemathesis import GenerationMode
from schemathesis.config import PositiveDataAcceptanceConfig

from thidua.api.actions import do_create_token
from thidua.api.management.commands.export_openapi import schema_json
from thidua.api.tests.conftest import build_data
from thidua.testing.personas import build_world
from thidua.voting.models import Poll
from thidua.wsgi import application

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text("utf-8") == schema_json(), (
        "Run `thidua export_openapi docs/openapi.json` and commit it."
    )


# The world's own path parameters, filled in by the fixture before any case is drawn.
KNOWN: dict[str, list[Any]] = {}


@pytest.fixture(scope="module")
def world_key(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Any]:
    """A year with data in every area and the secretariat's token, committed for the WSGI app.

    Built once for every operation (building it per operation would take most of the run),
    and emptied at the end, as a transactional test does. Each operation's test runs in a
    transaction rolled back after it (its `django_db` mark), so the cases of one operation
    do not change what the next one finds.
    """
    # Only the test database: this fixture writes and flushes outside any test's transaction.
    assert "test" in str(connection.settings_dict["NAME"])
    try:
        with django_db_blocker.unblock():
            world = build_world()
            made = build_data(world)
            _token, key = do_create_token(name="fuzz", acting_user=world.son_la_officer)
            KNOWN.update(
                slug=[world.cluster.slug],
                year=[world.year.year],
                org_id=[org.pk for org in world.orgs.values()],
                poll_id=list(Poll.objects.values_list("pk", flat=True)),
                nomination_id=[n.pk for n in made.nominations],
                person_id=[made.person.pk],
            )
        yield key
    finally:
        KNOWN.clear()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def member_key(world_key: Any) -> Iterator[Any]:
    """The key, with connections kept open across requests, as Django's test client keeps them
    (closing one would end the test's transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield world_key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# A schema-valid write may still be refused with 400, as the page refuses it: the page's form or
# the rules find what a schema cannot say (a person who is not one of the unit's, a threshold
# above 1/1, an award not granted to that kind of nominee). 400 is that answer (docs/api.md),
# so it counts as handled for valid data; 422 (the schema's own refusal) and 5xx still fail.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
    {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]}
)


@schema.hook
def flatmap_case(context: Any, case: Any) -> Any:
    """Half the valid cases address the world's own objects, so the endpoints answer with data
    and not only 404; the rest, and every invalid case, keep their fuzzed values."""
    positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    if not (positive and case.path_parameters):
        return st.just(case)
    known = st.fixed_dictionaries(
        {
            name: st.sampled_from(KNOWN[name]) if name in KNOWN else st.just(value)
            for name, value in case.path_parameters.items()
        }
    )

    def aimed(parameters: dict[str, Any]) -> Any:
        case.path_parameters = parameters
        return case

    return st.one_of(st.just(case), known.map(aimed))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_schema(case: Any, member_key: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {member_key}"})
