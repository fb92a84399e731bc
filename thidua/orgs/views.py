"""An organisation's page: what it is, what it continues, and what continues it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from thidua import access
from thidua.access import SignedInRequest
from thidua.errors import run_form_action

from . import actions, hooks, rules
from .forms import SubUnitForm
from .models import Organization, Succession


@login_required
def organization_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    # Agencies and their reorganisations are public administrative facts; what the other
    # areas add (the clusters it was in, for those who may open the year) is theirs to decide.
    org = get_object_or_404(Organization.objects.select_related("parent"), pk=pk)
    chain = _lineage_rows(org, list(Succession.objects.select_related("predecessor", "successor")))
    sections = [section(request, org) for section in hooks.organization_sections]
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "before": chain["before"],
            "after": chain["after"],
            "sections": [section for section in sections if section],
            "children": org.children.order_by("name"),
            "can_add_unit": org.valid_to is None
            and request.user.has_perm("orgs.manage_units", org),
        },
    )


@login_required
def sub_unit_new(request: SignedInRequest, pk: int) -> HttpResponse:
    """Whoever manages a unit creates its sub-units (divisions, offices) here."""
    parent = get_object_or_404(Organization, pk=pk)
    access.require(request.user, "orgs.manage_units", parent)
    form = SubUnitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_form_action(
            form,
            lambda: actions.do_create_sub_unit(
                parent, acting_user=request.user, **form.cleaned_data
            ),
        )
        if outcome.done and outcome.result is not None:
            messages.success(
                request, _("The sub-unit %(name)s is created.") % {"name": outcome.result.name}
            )
            return redirect("organization_detail", pk=parent.pk)
        status = outcome.status
    return render(
        request, "orgs/sub_unit_form.html", {"form": form, "parent": parent}, status=status
    )


def _lineage_rows(org: Organization, links: list[Succession]) -> dict[str, list[Succession]]:
    """The successions leading into `org` and out of it, followed through every step."""
    edges = [(s.predecessor_id, s.successor_id) for s in links]
    continued = {org.pk} | rules.predecessors(org.pk, edges)
    continuing = {org.pk} | rules.successors(org.pk, edges)
    return {
        "before": sorted(
            (s for s in links if s.successor_id in continued),
            key=lambda s: s.effective,
            reverse=True,
        ),
        "after": sorted(
            (s for s in links if s.predecessor_id in continuing), key=lambda s: s.effective
        ),
    }
