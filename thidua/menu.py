"""The main menu: every page a person may use that is not a year's own, in one place.

The year's pages are reached from the year (its dashboard's links); this menu holds the
rest — the person's work and clusters (the home page), the award catalogue, award history,
the national summary, their API tokens, the administration. Like `urls.py` it composes the
areas: it names their pages by URL name and asks `user.has_perm` (the rules of
`thidua.access`) who may open them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from thidua.audit.stamp import StampedCache


@dataclass(frozen=True)
class Entry:
    label: str
    url: str


# (URL name, permission or None for every signed-in person, label); in the menu's order.
PAGES: list[tuple[str, str | None, Any]] = [
    ("awards:catalogue", None, gettext_lazy("Award catalogue")),
    ("awards:people", "awards.manage_history", gettext_lazy("Award history")),
    ("awards:national", "conference.national_report", gettext_lazy("National summary")),
    ("api_tokens", None, gettext_lazy("API tokens")),
    ("dossier:received", "dossier.receive", gettext_lazy("Dossiers received")),
    ("signing:verify", None, gettext_lazy("Verify a signed PDF")),
    ("signing:identities", "signing.manage_identities", gettext_lazy("Signing identities")),
]

# The supervisor's standing and the administrator's flag are attributed data:
# the menu is kept per person and language until the audit trail moves on.
_menus: StampedCache[list[Entry]] = StampedCache(size=512)


def entries(user: Any) -> list[Entry]:
    """The menu of `user` (signed in)."""
    return _menus.get((user.pk, get_language()), lambda: _read(user))


def _read(user: Any) -> list[Entry]:
    found = [Entry(_("Your work and clusters"), reverse("home"))]
    for name, permission, label in PAGES:
        if permission is None or user.has_perm(permission):
            found.append(Entry(str(label), reverse(name)))
    if user.is_staff:
        found.append(Entry(_("Administration"), reverse("admin:index")))
    return found


def main_menu(request: HttpRequest) -> dict[str, object]:
    """Context processor: `main_menu`, the entries of the signed-in person (none otherwise)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_menu": []}
    return {"main_menu": entries(user)}
