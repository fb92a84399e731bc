"""Where the other areas add to an organisation's page, without orgs knowing them.

Each app registers its functions in its AppConfig.ready(); the page shows what they render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Organization

# (request, organisation) -> a rendered part of the page, or "" when there is nothing to show.
OrganizationSection = Callable[["HttpRequest", "Organization"], str]

organization_sections: list[OrganizationSection] = []
