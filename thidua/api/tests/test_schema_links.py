"""The schema's links name what exists, and a client following them reads what it created.

Schemathesis runs the API as a state machine over the links (`thidua/api/links.py`): a create,
then the read its answer links to with the new id, as the secretariat's officer, on the year
the schema test fuzzes. Every answer must keep to the schema and none may be a 5xx; an object
made (2xx) must be readable (200) by whoever made it, through the link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis import GenerationMode
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from thidua.api import links
from thidua.api.actions import do_create_token
from thidua.api.management.commands.export_openapi import schema_json
from thidua.api.tests.conftest import build_data
from thidua.testing.personas import build_world
from thidua.voting.models import Poll
from thidua.wsgi import application

PARAMETER = re.compile(r"{([^}]+)}")


def served() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_json())
    return schema


def each_link(schema: dict[str, Any]) -> Iterator[tuple[str, str, str, str, dict[str, Any]]]:
    """(source's path, method, status, name, link) for every link in the schema."""
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                for name, link in answer.get("links", {}).items():
                    yield path, method, status, name, link


def test_every_link_names_existing_operations_and_parameters() -> None:
    schema = served()
    by_id = {
        op["operationId"]: (path, op)
        for path, ops in schema["paths"].items()
        for op in ops.values()
    }
    problems = []
    found = 0
    for path, method, status, name, link in each_link(schema):
        found += 1
        where = f"{method.upper()} {path} {status} → {name}"
        if link.get("operationId") not in by_id:
            problems.append(f"{where}: no operation {link.get('operationId')!r}")
            continue
        target_path, _target = by_id[link["operationId"]]
        source = schema["paths"][path][method]
        answer = source["responses"][status]["content"]["application/json"]["schema"]
        if "$ref" in answer:
            answer = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
        for parameter, expression in link.get("parameters", {}).items():
            named = parameter.removeprefix("path.")
            if named not in PARAMETER.findall(target_path):
                problems.append(f"{where}: {target_path} has no parameter {named!r}")
            if expression.startswith("$request.path."):
                if expression.removeprefix("$request.path.") not in PARAMETER.findall(path):
                    problems.append(f"{where}: {path} has no parameter for {expression}")
            elif expression.startswith("$response.body#/"):
                field = expression.removeprefix("$response.body#/")
                if field not in answer.get("properties", {}):
                    problems.append(f"{where}: the answer has no {field!r} for {expression}")
            else:
                problems.append(f"{where}: {expression} is neither the request's nor the answer's")
    assert not problems, "\n".join(problems)
    # Each link of the table is in the schema: a source or target renamed drops it.
    written = {
        (link.get("operationId"), by_id_source)
        for path, method, _status, _name, link in each_link(schema)
        for by_id_source in [schema["paths"][path][method]["operationId"]]
    }
    for irregular in links.IRREGULAR:
        pair = (links.PREFIX + irregular.target, links.PREFIX + irregular.source)
        assert pair in written, f"{irregular.source} → {irregular.target} is not in the schema"
    assert found >= 25


def test_a_create_links_to_the_read_of_its_new_object() -> None:
    schema = served()
    nominations = "/api/v1/clusters/{slug}/years/{year}/nominations"
    answer = schema["paths"][nominations]["post"]["responses"]["201"]
    assert answer["links"]["awards_nomination_detail"] == {
        "operationId": "thidua_api_awards_nomination_detail",
        "parameters": {
            "path.slug": "$request.path.slug",
            "path.year": "$request.path.year",
            "path.nomination_id": "$response.body#/id",
        },
        "description": f"Read what was made: GET {nominations}/{{nomination_id}}",
    }
    polls = schema["paths"]["/api/v1/clusters/{slug}/years/{year}/polls"]["post"]
    assert set(polls["responses"]["201"]["links"]) == {"voting_poll_detail", "voting_results"}
    # A read is not a create, nor is a write answering 200 (a poll opened).
    opened = "/api/v1/clusters/{slug}/years/{year}/polls/{poll_id}/open"
    assert "links" not in schema["paths"][opened]["post"]["responses"]["200"]


# --- following the links -------------------------------------------------------------------

# The world's own ids, put where a link gave none (see `Workflow.step`): in a path, and in a
# create's body (a unit, a person, an award). Random ones only find 404 and 400.
KNOWN: dict[str, list[Any]] = {}
# At most 240 requests in 30 scenarios: 12-14 s on SQLite and PostgreSQL on a quiet machine,
# 30 s on a busy one (the world built besides).
STEPS = 8
SCENARIOS = 30

# The creates the secretariat's officer is always refused (403: the supervisor's, the
# administrator's, a leader's) would only spend the steps; test_schema tries them.
NOT_THE_OFFICERS = (
    r"^thidua_api_(records_(person_new|person_(award|initiative|position|rating)|unit_\w+)"
    r"|awards_(national|certificates_job)|dossier_(sign_proposal|receive)"
    r"|signing_identity_add|bulk_start_history_import)$"
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).exclude(
    operation_id_regex=NOT_THE_OFFICERS
)
# Only the schema's own links: the inferred ones are schemathesis's guesses, not the contract.
schema.config.phases.stateful.inference.algorithms = []
# As in test_schema: the page's form may refuse a schema-valid write with 400 (docs/api.md).
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
    {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]}
)


def _known(name: str, case: Any) -> Any:
    values = KNOWN[name]
    return values[sum(map(ord, case.id)) % len(values)]


def _aim(step: Any) -> None:
    """Give the world's ids to what the link did not give (positive cases only)."""
    case = step.case
    linked = {name for _location, name in step.applied_parameters}
    for name in case.path_parameters or {}:
        if name in KNOWN and name not in linked:
            case.path_parameters[name] = _known(name, case)
    if step.transition is None and isinstance(case.body, dict):
        for name in case.body:
            if f"body.{name}" in KNOWN:
                case.body[name] = _known(f"body.{name}", case)


def _made_by_link(step: Any) -> str | None:
    """The parameter `step`'s read (a GET) took from a create's answer, if the link gave it
    and it ends the read's path (`…/polls/{poll_id}`, not `…/polls/{poll_id}/results`)."""
    if step.transition is None or step.case.method.upper() != "GET":
        return None
    linked = {name for _location, name in step.applied_parameters}
    last = step.case.operation.path.rstrip("/").rsplit("/", 1)[-1]
    for name, extracted in step.transition.parameters.get("path_parameters", {}).items():
        from_answer = str(extracted.definition).startswith("$response.body")
        if from_answer and name in linked and last == f"{{{name}}}":
            return str(name)
    return None


def _empty_file(case: Any) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    return case.media_type == "multipart/form-data" and any(
        value in (b"", "") for value in body.values()
    )


@pytest.mark.django_db
def test_what_a_client_creates_it_reads_back_through_the_links() -> None:
    world = build_world()
    made = build_data(world)
    _token, key = do_create_token(name="links", acting_user=world.son_la_officer)
    KNOWN.update(
        {
            "slug": [world.cluster.slug],
            "year": [world.year.year],
            "org_id": [world.orgs["son_la"].pk],
            "poll_id": list(Poll.objects.values_list("pk", flat=True)),
            "nomination_id": [n.pk for n in made.nominations],
            "person_id": [made.person.pk],
            "body.unit": [world.orgs["son_la"].pk],
            "body.person": [made.person.pk],
            "body.award": ["ldtt", "cstdcs"],
        }
    )
    read_back: list[str] = []
    unreadable: list[str] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from the same year: what one made is rolled back after it.
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self) -> None:
            super().teardown()
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def step(self, input: Any) -> Any:
            meta = input.case.meta
            positive = meta is not None and meta.generation.mode is GenerationMode.POSITIVE
            if positive:
                _aim(input)
            output = super().step(input)
            made = _made_by_link(input) if positive else None
            if made is not None:
                answer = output.response
                line = f"{input.case.operation.label} {input.case.path_parameters}"
                if answer.status_code != 200:
                    unreadable.append(f"{line} → {answer.status_code}: {answer.text[:300]}")
                    return output
                shown = answer.json()
                if isinstance(shown, dict) and "id" in shown:
                    # The read shows the object the link named, not another one.
                    named = input.case.path_parameters[made]
                    assert str(shown["id"]) == str(named), f"{line} shows {shown['id']}"
                read_back.append(line)
            return output

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # Wrong tokens are the permission matrix's and test_schema's to try. An empty file
            # part is no file to Django's parser: 422 "required", however well it fits the
            # schema's binary string (as test_bulk finds).
            excluded = [ignored_auth, *([positive_data_acceptance] if _empty_file(case) else [])]
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    # The WSGI app answers inside this test's transaction: keep its connection open.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        Workflow.run(
            settings=hypothesis.settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                derandomize=True,
            )
        )
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
        KNOWN.clear()
    assert not unreadable, "\n".join(unreadable)
    assert read_back, "no create was followed to the read of what it made"
