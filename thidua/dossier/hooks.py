"""What the dossier adds to a year: the link to its page, and the words of its actions for the
year's history."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.cycle import hooks
from thidua.cycle.hooks import Link
from thidua.cycle.models import EmulationYear

ACTIONS = {
    "dossier.send": gettext_lazy("sent the signed proposal dossier"),
    "dossier.refuse": gettext_lazy("refused a dossier package"),
    "dossier.receive": gettext_lazy("received the signed proposal dossier"),
    "dossier.return": gettext_lazy("returned the proposal dossier"),
    "dossier.reply_read": gettext_lazy("read the supervisor's reply to the dossier"),
    "dossier.export_refused": gettext_lazy("was refused the export of the dossier"),
}


def year_links(year: EmulationYear, user: Any) -> list[Link]:
    if not user.has_perm("dossier.view", year):
        return []
    return [
        Link(
            _("Signed proposal dossier"),
            reverse("dossier:year", args=[year.cluster.slug, year.year]),
        )
    ]


def register() -> None:
    """Plug the dossier into the year (called from DossierConfig.ready)."""
    from .export_job import register as register_export

    hooks.register(year_links=year_links)
    hooks.describe_actions(gettext_lazy("Signed proposal dossiers"), ACTIONS)
    register_export()
