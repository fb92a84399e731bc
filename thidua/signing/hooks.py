"""Signing on the year's dashboard: a link to the year's "Ký số" page for those who sign."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from thidua.cycle import hooks
from thidua.cycle.models import EmulationYear


def year_links(year: EmulationYear, user: Any) -> list[hooks.Link]:
    if not user.has_perm("signing.sign_year", year):
        return []
    url = reverse("signing:year", kwargs={"slug": year.cluster.slug, "year": year.year})
    return [hooks.Link(_("Digital signing"), url)]


def register() -> None:
    hooks.register(year_links=year_links)
