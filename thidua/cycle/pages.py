"""What every page of a year hands its template: the year and its cluster, then its own."""

from __future__ import annotations

from typing import Any

from .models import EmulationYear


def year_context(year: EmulationYear, **extra: Any) -> dict[str, Any]:
    """The context of a page about `year`: `year`, `cluster`, then the page's own names."""
    return {"year": year, "cluster": year.cluster, **extra}
