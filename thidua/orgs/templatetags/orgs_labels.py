"""Naming an organisation in a page so that two of the same name can be told apart."""

from __future__ import annotations

from django import template

from thidua.orgs.forms import label_for_choice
from thidua.orgs.models import Organization

register = template.Library()


@register.filter
def told_apart(org: Organization) -> str:
    """The organisation's name with its period, when it has one (`label_for_choice`)."""
    return label_for_choice(org)
