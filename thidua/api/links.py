"""The schema's OpenAPI `links`: from each operation that creates an object to where it is read.

A client (and schemathesis's stateful run) follows a link from a create's answer to the read
of what it made, with the new id put in the read's address. The links are derived here, in one
place, from the schema the routers generate:

- by a rule: a `POST` answering 201 or 202 with an object that has an `id` links to each `GET`
  whose path is the create's path, then the new object's own parameter, then anything without
  another parameter (`POST …/polls` → `GET …/polls/{poll_id}` and `…/polls/{poll_id}/results`);
- by `IRREGULAR`, for the creates read elsewhere (a job at `/jobs/{job_id}`, a person in the
  year's history) or named otherwise (a year by its number).

The parameters the create and the read share are taken from the create's request.
`thidua/api/tests/test_schema_links.py` checks that every link names an existing operation and
its parameters, and follows the links statefully.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ninja import NinjaAPI

PREFIX = "thidua_api_"
CREATED = ("201", "202")
PARAMETER = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Link:
    """A link from `source`'s answer to `target`, its parameters as runtime expressions."""

    source: str  # operation ids, without PREFIX
    target: str
    parameters: dict[str, str]
    status: str = "201"


def _new(name: str, field: str = "id") -> dict[str, str]:
    return {name: f"$response.body#/{field}"}


def _same(*names: str) -> dict[str, str]:
    return {name: f"$request.path.{name}" for name in names}


PERSON_READ = "awards_person_history"
UNIT_READ = "awards_unit_history"
JOB_READ = "bulk_job"
DOCUMENT_READ = "signing_signed_document_file"

IRREGULAR = [
    # A person is read in a year's award history, the supervisor's (who registers at /people;
    # the year is the client's). A unit's officer registering one in the year may not read it.
    Link("records_person_new", PERSON_READ, _new("person_id")),
    # A person's or unit's record (award, rating...) is read in the owner's history.
    *(
        Link(f"records_person_{kind}", PERSON_READ, _same("person_id"))
        for kind in ("award", "initiative", "position", "rating")
    ),
    *(Link(f"records_unit_{kind}", UNIT_READ, _same("org_id")) for kind in ("award", "rating")),
    Link("records_sub_unit_new", "api_organization", _new("org_id")),
    Link("setup_year_open_year", "api_year", {**_same("slug"), **_new("year", "year")}),
    # Every job, whoever starts it, is read at /jobs/{job_id}.
    *(
        Link(source, JOB_READ, _new("job_id"), status="202")
        for source in (
            "bulk_start_history_import",
            "awards_national",
            "awards_certificates_job",
            "awards_job_retry",
            "dossier_export",
        )
    ),
    Link("dossier_sign_proposal", DOCUMENT_READ, _new("document_id")),
    Link("signing_sign_year_document", DOCUMENT_READ, _new("document_id")),
    # An identity has no read of its own: the list shows it.
    Link("signing_identity_add", "signing_identities", {}),
]


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    name: str  # operation id, without PREFIX
    spec: dict[str, Any]

    @property
    def path_parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)


def operations(schema: dict[str, Any]) -> Iterator[Operation]:
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            name = spec["operationId"].removeprefix(PREFIX)
            yield Operation(path, method, name, spec)


def _response(operation: Operation, status: str) -> dict[str, Any] | None:
    """The operation's answer with `status` (ninja keys its own by int, `openapi_extra` by str)."""
    responses = operation.spec["responses"]
    found: dict[str, Any] | None = responses.get(status, responses.get(int(status)))
    return found


def _answer(schema: dict[str, Any], operation: Operation, status: str) -> dict[str, Any]:
    """The JSON schema of the operation's answer with `status`, its reference followed."""
    content = (_response(operation, status) or {}).get("content", {})
    answer: dict[str, Any] = content.get("application/json", {}).get("schema", {})
    if "$ref" in answer:
        answer = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
    return answer


def by_rule(schema: dict[str, Any]) -> Iterator[Link]:
    reads = [op for op in operations(schema) if op.method == "get"]
    for create in operations(schema):
        if create.method != "post":
            continue
        for status in CREATED:
            if "id" not in _answer(schema, create, status).get("properties", {}):
                continue
            for read in reads:
                new = _new_parameter(create.path, read.path)
                if new is not None:
                    shared = _same(*create.path_parameters)
                    yield Link(create.name, read.name, {**shared, **_new(new)}, status)


def _new_parameter(create: str, read: str) -> str | None:
    """The one parameter `read`'s path adds right after `create`'s, if it adds one and no other."""
    rest = read.removeprefix(create + "/")
    if rest == read or not rest.startswith("{"):
        return None
    added = PARAMETER.findall(rest)
    return added[0] if len(added) == 1 else None


def all_links(schema: dict[str, Any]) -> list[Link]:
    return [*by_rule(schema), *IRREGULAR]


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Put each link under its create's answer in `schema` (changed in place, and returned)."""
    by_name = {op.name: op for op in operations(schema)}
    for link in all_links(schema):
        # One naming an operation gone is left out here (the schema is still served) and
        # fails `test_every_link_names_existing_operations_and_parameters`.
        if link.source not in by_name or link.target not in by_name:
            continue
        create, read = by_name[link.source], by_name[link.target]
        answer = _response(create, link.status)
        if answer is None:
            continue
        # A router may have written this one itself (jobs, webhooks): it is kept, not doubled.
        known = answer.setdefault("links", {})
        if any(given.get("operationId") == read.spec["operationId"] for given in known.values()):
            continue
        known[link.target] = {
            "operationId": read.spec["operationId"],
            "parameters": {f"path.{name}": value for name, value in link.parameters.items()},
            "description": f"Read what was made: {read.method.upper()} {read.path}",
        }
    return schema


def install_links(api: NinjaAPI) -> None:
    """Serve and export `api`'s schema with its links (`get_openapi_schema` gives both)."""
    generate: Callable[..., Any] = api.get_openapi_schema

    def with_links(**kwargs: Any) -> Any:
        return add_links(generate(**kwargs))

    api.get_openapi_schema = with_links  # type: ignore[method-assign]
