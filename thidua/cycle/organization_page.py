"""What the cycle adds to an organisation's page (orgs' hook): the years it was a member of."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from thidua.orgs.models import Organization

from .models import Membership


def memberships_section(request: HttpRequest, org: Organization) -> str:
    """The clusters and roles of `org`, in the years this user may open; "" if none."""
    memberships = [
        m
        for m in Membership.objects.filter(organization=org).select_related(
            "year__cluster__supervisor"
        )
        if request.user.has_perm("cycle.view_year", m.year)
    ]
    if not memberships:
        return ""
    return render_to_string(
        "cycle/_organization_memberships.html", {"memberships": memberships}, request=request
    )
