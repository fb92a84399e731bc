"""Every action a page can perform has an API operation, or a stated reason why not.

The pages' write URLs are found, as the permission matrix finds its URLs, by walking the
resolver: a view writes when it takes POST only (`require_POST`) or reads the method to act on
a POST, itself or in a helper of its module it calls. Each must be in one of the tables below:

    API          the operation (its OpenAPI operationId, without `thidua_api_`) that performs
                 the same action, with the same permission, form and `do_*` action;
    NOT_FOR_API  no operation, for the reason given;
    NOT_YET      no operation yet: a debt, listed so that it is visible (and reported).

A new page that writes and is in none of them fails the test, as does a table entry that
names no page, an operation the API does not have, or a debt the API has paid meanwhile.

A second test sends the same refused requests to a page and to the API: the message and the
status must be the same.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver

from thidua.api.api import api
from thidua.api.tests.conftest import jump, make_poll, year_url
from thidua.cycle.models import EmulationYear, Phase
from thidua.testing.personas import World
from thidua.voting.models import Poll

# The page's URL name -> the API's operation.
API = {
    # The year: opening it, its setup, phases, deadlines and the pledge.
    "cluster_detail": "setup_year_open_year",
    "move_phase": "api_move_phase",
    "set_deadline": "setup_year_set_deadline",
    "movement_edit": "setup_year_set_movement",
    "pledge_edit": "setup_year_set_pledge",
    "pledge": "api_sign_pledge",
    # Indicators.
    "indicators:unit": "indicators_report_values",
    "indicators:upload": "indicators_upload_workbook",
    "indicators:add": "indicators_add_indicator",
    "indicators:edit": "indicators_edit_indicator",
    "indicators:copy": "indicators_copy_previous",
    "indicators:remind": "indicators_remind",
    "indicators:results": "indicators_set_results_paragraph",
    # Scoring.
    "scoring:assessment": "scoring_save_scores",
    "scoring:submit": "scoring_submit_scores",
    "scoring:review": "scoring_save_review",
    "scoring:cross_check": "scoring_assign_reviewers",
    "scoring:dispute_raise": "scoring_raise_dispute",
    "scoring:dispute_settle": "scoring_settle_dispute",
    "scoring:table_create": "scoring_table_create",
    "scoring:criterion_add": "scoring_criterion_add",
    "scoring:criterion_edit": "scoring_criterion_edit",
    "scoring:criterion_remove": "scoring_criterion_remove",
    "scoring:criterion_move": "scoring_criterion_move",
    "scoring:bands_set": "scoring_bands_set",
    "scoring:evidence_upload": "scoring_evidence_upload",
    # Voting.
    "voting:poll_create": "voting_poll_create",
    "voting:poll_edit": "voting_poll_update",
    "voting:vote": "voting_cast_ballot",
    "voting:open": "voting_poll_open",
    "voting:close": "voting_poll_close",
    "voting:runoff": "voting_poll_runoff",
    "voting:paper_count": "voting_paper_count",
    "voting:confirm_count": "voting_paper_count_confirm",
    # The conference and its report.
    "conference:detail": "conference_set_conference",
    "conference:attendee_add": "conference_attendee_add",
    "conference:attendee_remove": "conference_attendee_remove",
    "conference:report": "conference_comment",
    "conference:report_generate": "conference_generate",
    "conference:report_revise": "conference_revise",
    "conference:report_finalise": "conference_finalise",
    # The conference's Word templates and the cluster's news.
    "conference:documents": "conference_template_upload",
    "conference:template_reset": "conference_template_reset",
    "conference:article_new": "conference_article_new",
    "conference:article_edit": "conference_article_edit",
    "conference:article_draft": "conference_article_draft",
    "conference:article_publish": "conference_article_publish",
    # Award history.
    "awards:person_new": "records_person_new",
    "awards:year_person_new": "records_year_person_new",
    "awards:person_add": "records_person_award",  # and _rating, _initiative, _position
    "awards:unit_add": "records_unit_award",  # and records_unit_rating
    "awards:duplicates": "records_merge_people",
    "awards:history_import": "bulk_start_history_import",
    # The sheets' imports: the same items as a JSON batch, all or nothing.
    "awards:ratings_import": "bulk_bulk_history",
    "awards:initiatives_import": "bulk_bulk_history",
    "awards:members_import": "bulk_bulk_members",
    # Nominations and decisions.
    "awards:nomination_new": "awards_nomination_new",
    "awards:nomination_update": "awards_nomination_update",
    "awards:nomination_submit": "awards_nomination_submit",
    "awards:nomination_approve": "awards_nomination_approve",
    "awards:nomination_return": "awards_nomination_return",
    "awards:compile": "awards_compile_proposal",
    "awards:decision": "awards_record_decision",
    "awards:nomination_evidence": "awards_nomination_evidence",
    "awards:certificates_job": "awards_certificates_job",
    # The catalogue, the national work as jobs, a job tried again, a unit's sub-units.
    "awards:rule_new": "awards_rule_new",
    "awards:national": "awards_national",
    "awards:jobs:retry": "awards_job_retry",
    "sub_unit_new": "records_sub_unit_new",
    # The inbox.
    "notifications:read": "inbox_mark_read",
    "notifications:read_all": "inbox_mark_all_read",
    "notifications:preferences": "inbox_set_preferences",
    # Signing: identities, verification, the year's documents.
    "signing:identities": "signing_identity_add",
    "signing:identity_change": "signing_identity_change",
    "signing:verify": "signing_verify",
    "signing:year": "signing_sign_year_document",
    # The signed dossier: the cluster's side, then the supervisor's.
    "dossier:sign": "dossier_sign_proposal",
    "dossier:export": "dossier_export",
    "dossier:reply": "dossier_read_reply",
    "dossier:received": "dossier_receive",
    "dossier:return": "dossier_return_dossier",
}

# The operations a page URL with several forms maps to besides the one named above.
ALSO = {
    "awards:person_add": [
        "records_person_rating",
        "records_person_initiative",
        "records_person_position",
    ],
    "awards:unit_add": ["records_unit_rating"],
}

NOT_FOR_API = {
    "login": "Signing in to the pages; a program authenticates with a personal token instead.",
    "logout": "Signing out of the pages; a token is revoked on the tokens page.",
    "set_language": "The pages' language switch; an API client sends Accept-Language.",
    "admin:": "Django's administration site, for the administrator in a browser only.",
    "api_tokens": "Tokens are made by their owner signed in on the page: a token, which a "
    "program holds and may leak, must not be able to make more tokens.",
    "api_token_revoke": "As making a token: done by its owner signed in on the page.",
    "awards:person": "The history page itself: each of its forms posts to awards:person_add "
    "(mapped); a post without a form's name is answered 404.",
    "awards:unit_history": "As awards:person, for a unit: its forms post to awards:unit_add.",
}

# Page actions without an API operation yet (issue 20): listed so the debt stays visible.
NOT_YET: dict[str, str] = {}


# --- the pages' write URLs ---------------------------------------------------------------


def _named(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _named(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.callback


@cache
def _module_tree(module: ModuleType) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(module)))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _takes_post(node: ast.FunctionDef) -> bool:
    """`require_POST`, or `request.method == "POST"` somewhere in the function."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Name) and decorator.id == "require_POST":
            return True
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Compare)
            and isinstance(inner.left, ast.Attribute)
            and inner.left.attr == "method"
            and any(isinstance(c, ast.Constant) and c.value == "POST" for c in inner.comparators)
        ):
            return True
    return False


def _writes(module: ModuleType, name: str, seen: set[str]) -> bool:
    """Whether the module's function `name` takes POST, itself or through a helper it calls."""
    functions = _module_tree(module)
    node = functions.get(name)
    if node is None or name in seen:
        return False
    seen.add(name)
    if _takes_post(node):
        return True
    called = {
        c.func.id
        for c in ast.walk(node)
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
    }
    return any(_writes(module, callee, seen) for callee in called if callee in functions)


def page_write_urls() -> set[str]:
    found = set()
    for name, callback in _named(get_resolver()):
        if name.startswith("api:"):
            continue
        view = inspect.unwrap(callback)
        module = inspect.getmodule(view)
        if module is None or not module.__name__.startswith("thidua."):
            # Django's own views (sign-in, the language switch, the admin) take POST.
            view_class = getattr(callback, "view_class", None)
            if view_class is None or hasattr(view_class, "post"):
                found.add(name)
            continue
        if _writes(module, view.__name__, set()):
            found.add(name)
    return found


def api_writes() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        operation["operationId"].removeprefix("thidua_api_")
        for methods in schema["paths"].values()
        for method, operation in methods.items()
        if method in {"post", "put", "patch", "delete"}
    }


def _listed(name: str) -> str | None:
    for table_name, table in (("API", API), ("NOT_FOR_API", NOT_FOR_API), ("NOT_YET", NOT_YET)):
        if name in table or any(key.endswith(":") and name.startswith(key) for key in table):
            return table_name
    return None


def test_the_walk_finds_the_known_writing_pages() -> None:
    """The walk itself: views that write through a helper (the poll's form page, a person's
    history) and views that take POST alone are found; read-only pages are not."""
    found = page_write_urls()
    assert {"voting:poll_create", "awards:person_add", "move_phase", "pledge"} <= found
    assert not {"voting:results", "awards:proposal_list", "year_history"} & found


def test_every_page_action_has_an_api_operation_or_a_reason() -> None:
    unlisted = sorted(name for name in page_write_urls() if _listed(name) is None)
    assert not unlisted, (
        "These pages write, but the API has no operation for them: add one and map it in API, "
        f"or say in NOT_FOR_API why a program must not do it: {unlisted}"
    )


def test_the_tables_name_real_pages_and_real_operations() -> None:
    pages = page_write_urls()
    operations = api_writes()
    named = set(API) | set(NOT_YET) | {k for k in NOT_FOR_API if not k.endswith(":")}
    assert not sorted(named - pages), "Entries for pages that do not write (or do not exist)."
    mapped = set(API.values()) | {op for ops in ALSO.values() for op in ops}
    assert not sorted(mapped - operations), "Mapped to operations the API does not have."
    assert not set(API) & set(NOT_YET), "A page is both mapped and a debt."


# --- the same refusal from a page and from the API -----------------------------------------


def _page_message(response: Any) -> str:
    """The refusal a page showed: its flashed error, or the re-rendered form's errors."""
    flashed = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if flashed:
        return " ".join(flashed)
    form = (response.context or {}).get("form")
    return " ".join(str(e) for errors in form.errors.values() for e in errors) if form else ""


@pytest.fixture
def pages(client: Any) -> Any:
    def as_user(user: Any) -> Any:
        client.force_login(user)
        return client

    return as_user


def test_moving_the_phase_too_early_is_refused_alike(pages: Any, api: Any, world: World) -> None:
    """The same refused phase move (the pledge is not written yet), from the page and the API."""
    base = f"/c/{world.cluster.slug}/{world.year.year}"
    page = pages(world.son_la_officer).post(
        f"{base}/phase/", {"target": Phase.PLEDGE, "confirm": "on"}, follow=True
    )
    said = _page_message(page)
    answer = api(world.son_la_officer).post(
        f"{year_url(world)}/phase",
        json.dumps({"target": Phase.PLEDGE}),
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert said and answer.json()["detail"] == said
    assert EmulationYear.objects.get(pk=world.year.pk).phase == Phase.SETUP


def test_an_invalid_form_is_refused_alike(pages: Any, api: Any, world: World) -> None:
    """A pledge without articles: the page's form and the API refuse it with the same words
    and status 400."""
    url = f"/c/{world.cluster.slug}/{world.year.year}/pledge/edit/"
    page = pages(world.son_la_officer).post(url, {"title": "Giao ước", "articles": "  "})
    assert page.status_code == 400
    page_words = " ".join(str(e) for e in page.context["form"].errors["articles"])
    answer = api(world.son_la_officer).post(
        f"{year_url(world)}/pledge",
        json.dumps({"title": "Giao ước", "articles": ["  "]}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == f"Yêu cầu không hợp lệ: articles: {page_words}"


def test_an_unknown_nomination_is_not_found_alike(pages: Any, api: Any, world: World) -> None:
    jump(world, Phase.PROPOSALS)
    answer = api(world.lai_chau_leader).post(f"{year_url(world)}/nominations/999999/submit")
    page = pages(world.lai_chau_leader).post(
        f"/awards/c/{world.cluster.slug}/{world.year.year}/nominations/999999/submit/"
    )
    assert answer.status_code == page.status_code == 404


def test_a_poll_closed_before_it_opened_is_refused_alike(
    pages: Any, api: Any, world: World
) -> None:
    jump(world, Phase.VOTING)
    poll = make_poll(world)
    base = f"/c/{world.cluster.slug}/{world.year.year}/voting/{poll.pk}"
    page = pages(world.son_la_officer).post(f"{base}/close/", {"confirm": "on"}, follow=True)
    said = _page_message(page)
    answer = api(world.son_la_officer).post(f"{year_url(world)}/polls/{poll.pk}/close")
    assert answer.status_code == 409
    assert said and answer.json()["detail"] == said
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.DRAFT


def test_a_leader_may_not_prepare_a_poll_on_either(pages: Any, api: Any, world: World) -> None:
    """The permission is the pages': a unit's leader is refused with 403 by both."""
    jump(world, Phase.VOTING)
    page = pages(world.lai_chau_leader).post(
        f"/c/{world.cluster.slug}/{world.year.year}/voting/new/", {"title": "x"}
    )
    answer = api(world.lai_chau_leader).post(
        f"{year_url(world)}/polls",
        json.dumps({"title": "x", "purpose": "flag", "method": "online",
                    "threshold_base": "cast", "tie_rule": "runoff", "disclosure": "full"}),
        content_type="application/json",
    )  # fmt: skip
    assert page.status_code == answer.status_code == 403
    assert not Poll.objects.filter(title="x").exists()
