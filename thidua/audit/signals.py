"""Refuse deleting anything the audit trail speaks of: archive it instead."""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .record import has_history

PROTECTED_LABELS = {
    "orgs.organization",
    "orgs.cluster",
    "orgs.user",
    "orgs.succession",
    "cycle.emulationyear",
    "cycle.membership",
    "cycle.movement",
    "cycle.pledge",
    "cycle.pledgearticle",
    "cycle.signature",
}


@receiver(pre_delete)
def refuse_deleting_history(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender._meta.label_lower in PROTECTED_LABELS and has_history(instance):
        raise ProtectedError(
            _("%(object)s has a history and cannot be deleted; archive it instead.")
            % {"object": instance},
            {instance},
        )
