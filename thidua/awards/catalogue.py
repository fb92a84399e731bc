"""The catalogue that migration 0002 loads, loadable again into a database that lost it.

A database emptied table by table (a test that flushes, a restore of a partial dump) keeps
its schema but not the rows the migration wrote; `ensure_catalogue` puts them back, once.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from django.db import transaction

from thidua.award_history.models import AwardType

from .models import AwardRule


def catalogue() -> dict[str, Any]:
    path = resources.files("thidua.awards").joinpath("migrations/catalogue_0002.json")
    return dict(json.loads(path.read_text("utf-8")))


@transaction.atomic
def ensure_catalogue() -> bool:
    """Load the catalogue when no award type exists; True when it was loaded."""
    if AwardType.objects.exists():
        return False
    for spec in catalogue()["awards"]:
        award = AwardType.objects.create(
            code=spec["code"],
            name=spec["name"],
            category=spec["category"],
            level=spec["level"],
            nominee_kind=spec["nominee_kind"],
            rank=spec["rank"],
        )
        AwardRule.objects.bulk_create(
            AwardRule(award_type=award, **version) for version in spec["versions"]
        )
    return True
