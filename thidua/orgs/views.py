"""An organisation's page: what it is, what it continues, and what continues it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from thidua.cycle.models import Membership

from .models import Organization, Succession


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Agencies and their reorganisations are public administrative facts; the clusters they
    # were in are shown only where the user may open the year.
    org = get_object_or_404(Organization.objects.select_related("parent"), pk=pk)
    links = list(Succession.objects.select_related("predecessor", "successor"))
    chain = _lineage_rows(org, links)
    memberships = [
        m
        for m in Membership.objects.filter(organization=org).select_related(
            "year__cluster__supervisor"
        )
        if request.user.has_perm("cycle.view_year", m.year)
    ]
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "before": chain["before"],
            "after": chain["after"],
            "memberships": memberships,
        },
    )


def _lineage_rows(org: Organization, links: list[Succession]) -> dict[str, list[Succession]]:
    """The successions leading into `org` and out of it, followed through every step."""
    before: list[Succession] = []
    frontier = {org.pk}
    seen = set(frontier)
    while frontier:
        step = [s for s in links if s.successor_id in frontier]
        before.extend(step)
        frontier = {s.predecessor_id for s in step} - seen
        seen |= frontier
    after: list[Succession] = []
    frontier = {org.pk}
    seen = set(frontier)
    while frontier:
        step = [s for s in links if s.predecessor_id in frontier]
        after.extend(step)
        frontier = {s.successor_id for s in step} - seen
        seen |= frontier
    return {
        "before": sorted(before, key=lambda s: s.effective, reverse=True),
        "after": sorted(after, key=lambda s: s.effective),
    }
