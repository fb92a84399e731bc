"""The REST API under /api/v1: the same objects, actions and permissions as the pages.

Every endpoint looks its object up through `thidua.access` (404 for what the user may not
see, 403 for what the user may not do) and changes state only through the areas' actions.
This module holds the API, its error handling and the organisations and clusters; each area
has its own router: indicators.py, scoring.py, voting.py (polls) and awards.py.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from thidua import access
from thidua.access import SignedInRequest
from thidua.audit.models import AuditEntry
from thidua.cycle import actions as cycle_actions
from thidua.cycle import history as cycle_history
from thidua.cycle import reads as cycle_reads
from thidua.cycle.forms import HistoryFilterForm
from thidua.cycle.models import Movement, Pledge
from thidua.errors import ActionRefused, Refusal
from thidua.lib.text import sort_key
from thidua.orgs.models import Organization, Succession

from . import (
    awards,
    bulk,
    conference,
    dossier,
    errors,
    events,
    inbox,
    indicators,
    paging,
    records,
    schemas,
    scoring,
    setup_year,
    signing,
    voting,
)
from .auth import TokenAuth, TokenRefused
from .forms import bound, cleaned
from .links import install_links
from .schemas import ERRORS, Id, Slug

api = NinjaAPI(
    title="thidua",
    version="1",
    description="Emulation and commendation work of Vietnam's public sector.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def _error(
    request: SignedInRequest, message: str, status: int, details: list[str] | None = None
) -> HttpResponse:
    answer: dict[str, Any] = {"detail": message}
    if details:
        answer["details"] = details
    return api.create_response(request, answer, status=status)


@api.exception_handler(Http404)
def not_found(request: SignedInRequest, exc: Exception) -> HttpResponse:
    return _error(request, errors.not_found(), 404)


@api.exception_handler(PermissionDenied)
def forbidden(request: SignedInRequest, exc: Exception) -> HttpResponse:
    return _error(request, errors.forbidden(), 403)


@api.exception_handler(ActionRefused)
def refused(request: SignedInRequest, exc: ActionRefused) -> HttpResponse:
    """The status of the refusal's kind, the one a page answers with for the same refusal;
    its details (each bad row, say) follow, as the page lists them under the message."""
    return _error(request, exc.message, exc.status, exc.details)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: SignedInRequest, exc: Exception) -> HttpResponse:
    return _error(request, errors.unauthenticated(), 401)


@api.exception_handler(TokenRefused)
def token_refused(request: SignedInRequest, exc: TokenRefused) -> HttpResponse:
    """An unknown, revoked or expired token (401), or a read-only one asked to write (403)."""
    return _error(request, exc.message, exc.status_code)


@api.exception_handler(HttpError)
def http_error(request: SignedInRequest, exc: HttpError) -> HttpResponse:
    return _error(request, errors.of_status(exc.status_code, exc.message), exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: SignedInRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, errors.invalid(exc.errors), 422)


core = Router(tags=["organisations and clusters"])


@core.get("/me", response={200: schemas.Me, **ERRORS})
def me(request: SignedInRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organization_id": user.organization_id,
        "organization": user.organization.name if user.organization else None,
        "position": user.position,
    }


@core.get("/organizations/{org_id}", response={200: schemas.OrganizationDetail, **ERRORS})
def organization(request: SignedInRequest, org_id: Id) -> dict[str, Any]:
    try:
        org = Organization.objects.get(pk=org_id)
    except Organization.DoesNotExist:
        raise Http404 from None

    def link(s: Succession) -> dict[str, Any]:
        return {
            "predecessor_id": s.predecessor_id,
            "predecessor": s.predecessor.name,
            "successor_id": s.successor_id,
            "successor": s.successor.name,
            "kind": s.kind,
            "effective": s.effective,
        }

    links = Succession.objects.select_related("predecessor", "successor")
    return {
        **{f: getattr(org, f) for f in ("id", "name", "short_name", "kind", "province")},
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
        "continues": [link(s) for s in links.filter(successor=org)],
        "continued_by": [link(s) for s in links.filter(predecessor=org)],
    }


@core.get("/clusters", response={200: list[schemas.Cluster], 304: None, **ERRORS})
def clusters(request: SignedInRequest, response: HttpResponse) -> Any:
    """The clusters the user may open, by name, all at once: clusters are few and seldom
    made, so the list has no cursor; its `ETag` lets a mirror ask again cheaply."""
    found = access.clusters_visible_to(request.user).select_related("supervisor")
    return paging.conditional(request, response, [_cluster(c) for c in found])


def _cluster(cluster: Any) -> dict[str, Any]:
    return {
        "slug": cluster.slug,
        "name": cluster.name,
        "supervisor_id": cluster.supervisor_id,
        "supervisor": cluster.supervisor.name,
    }


@core.get("/clusters/{slug}", response={200: schemas.ClusterDetail, **ERRORS})
def cluster(request: SignedInRequest, slug: Slug) -> dict[str, Any]:
    found = access.get_cluster_for(request.user, slug)
    years = [
        {"year": y.year, "phase": y.phase}
        for y in found.years.order_by("-year")
        if request.user.has_perm("cycle.view_year", y)
    ]
    return {**_cluster(found), "years": years}


@core.get("/clusters/{slug}/years/{year}", response={200: schemas.Year, **ERRORS})
def year(request: SignedInRequest, slug: Slug, year: int) -> dict[str, Any]:
    emulation_year = access.get_year_for(request.user, slug, year)
    return _year(emulation_year)


def _year(emulation_year: Any) -> dict[str, Any]:
    pledge = Pledge.objects.filter(year=emulation_year).first()
    signed = set(pledge.signatures.values_list("organization_id", flat=True)) if pledge else set()
    memberships = sorted(
        emulation_year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    movement = Movement.objects.filter(year=emulation_year).first()
    return {
        "cluster": emulation_year.cluster.slug,
        "year": emulation_year.year,
        "phase": emulation_year.phase,
        "members": [
            {
                "organization_id": m.organization_id,
                "name": m.organization.name,
                "role": m.role,
                "signed_pledge": m.organization_id in signed,
            }
            for m in memberships
        ],
        "movement": (
            {
                "title": movement.title,
                "launched_on": movement.launched_on,
                "goals": movement.goals,
                "targets": movement.targets,
            }
            if movement
            else None
        ),
    }


@core.post(
    "/clusters/{slug}/years/{year}/phase",
    response={200: schemas.Year, 409: schemas.Error, **ERRORS},
)
def move_phase(request: SignedInRequest, slug: Slug, year: int, body: schemas.PhaseChange) -> Any:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.change_phase")
    moved = cycle_actions.do_move_phase(
        emulation_year, target=body.target, acting_user=request.user
    )
    return _year(moved)


@core.post(
    "/clusters/{slug}/years/{year}/pledge/signatures",
    response={201: schemas.Signature, 409: schemas.Error, **ERRORS},
)
def sign_pledge(request: SignedInRequest, slug: Slug, year: int) -> Any:
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.sign_pledge")
    pledge = Pledge.objects.filter(year=emulation_year).first()
    if pledge is None:
        raise ActionRefused(_("The pledge has not been written yet."), kind=Refusal.NOTHING)
    user: Any = request.user
    signature = cycle_actions.do_sign_pledge(pledge, unit=user.organization, acting_user=user)
    return Status(
        201,
        {
            "organization_id": signature.organization_id,
            "unit": signature.organization.name,
            "signer": signature.signer_name,
            "signed_at": signature.signed_at,
        },
    )


@core.get(
    "/clusters/{slug}/years/{year}/history", response={200: schemas.AuditPage, 304: None, **ERRORS}
)
def history(
    request: SignedInRequest,
    response: HttpResponse,
    slug: Slug,
    year: int,
    filters: Query[schemas.HistoryFilters],
) -> Any:
    """The year's history, narrowed as the history page narrows it (area, unit, period).

    Without `page`: oldest first, a page after the cursor `after`, for a mirror that keeps
    the last `next` and asks again later. With `page`: numbered pages, newest first, as the
    history page shows them (and as this list answered before it had a cursor).
    """
    emulation_year = access.get_year_for(request.user, slug, year, "cycle.view_history")
    if filters.page is not None and filters.after:
        raise ActionRefused(
            _("query.page: a page number and a cursor do not go together; send one of them."),
            kind=Refusal.INVALID,
        )
    # As the history page: no vote one by one (see `thidua.cycle.views.year_history`).
    entries = AuditEntry.objects.filter(year=emulation_year).exclude(action="poll.vote")
    units = [
        (row["membership"].organization_id, row["membership"].organization.display_name)
        for row in cycle_reads.year_figures(emulation_year).rows
    ]
    narrowing = cleaned(
        bound(
            HistoryFilterForm,
            filters.model_dump(include={"area", "unit", "since", "until"}),
            areas=cycle_history.areas(),
            units=units,
        )
    )
    entries = cycle_history.filtered(entries, **narrowing)
    count = entries.count()
    rows: list[AuditEntry]
    if filters.page is not None:
        current = Paginator(entries.order_by("-id"), filters.limit).get_page(filters.page)
        rows = list(current)
        numbered: dict[str, int | None] = {
            "page": current.number,
            "pages": current.paginator.num_pages,
        }
        next_cursor, more = None, current.has_next()
    else:
        rows, next_cursor, more = paging.page(
            entries,
            after=filters.after,
            filters={"year": emulation_year.pk, **narrowing},
            limit=filters.limit,
        )
        numbered = {"page": None, "pages": None}
    body = {
        "count": count,
        **numbered,
        "entries": [
            {
                "id": e.pk,
                "at": e.at,
                "actor": e.actor_name,
                "action": e.action,
                "object": e.object_repr,
                "before": e.before,
                "after": e.after,
            }
            for e in rows
        ],
        "next": next_cursor,
        "more": more,
    }
    # An entry is written once and never changed: the newest one shown dates the page.
    return paging.conditional(
        request, response, body, last_modified=paging.latest([e.at for e in rows])
    )


api.add_router("/", core)
api.add_router("/", indicators.router)
api.add_router("/", scoring.router)
api.add_router("/", voting.router)
api.add_router("/", awards.router)
api.add_router("/", records.router)
api.add_router("/", setup_year.router)
api.add_router("/", conference.router)
api.add_router("/", bulk.router)
api.add_router("/", events.router)
api.add_router("/", inbox.router)
api.add_router("/", signing.router)
api.add_router("/", dossier.router)

# After the routers: the schema gains the links from each create to its read (links.py).
install_links(api)
