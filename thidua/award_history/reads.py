"""Award history read for the pages: people registered under a name, possible duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch

from thidua.lib.text import fold, normalize
from thidua.orgs.models import Person, PersonPosition


def people_like(full_name: str, *, exclude: int | None = None) -> list[Person]:
    """People already registered under the same name (any Unicode form or tone placement)."""
    found = (
        Person.objects.filter(name_key=fold(normalize(full_name)), merged_into__isnull=True)
        .prefetch_related(
            Prefetch("positions", queryset=PersonPosition.objects.select_related("organization"))
        )
        .order_by("birth_year", "pk")
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return list(found)


def possible_duplicates(people: Iterable[Person]) -> list[tuple[Person, Person]]:
    """Pairs that may be one person: same folded name and birth year, or same name and unit."""
    by_key: dict[tuple[str, Any], list[Person]] = {}
    for person in people:
        if person.merged_into_id is not None:
            continue
        units = {p.organization_id for p in person.positions.all()}
        keys = {(person.name_key, ("born", person.birth_year))} if person.birth_year else set()
        keys |= {(person.name_key, ("unit", unit)) for unit in units}
        for key in keys:
            by_key.setdefault(key, []).append(person)
    pairs: dict[tuple[int, int], tuple[Person, Person]] = {}
    for group in by_key.values():
        group = sorted(group, key=lambda p: p.pk)
        for later in group[1:]:
            pairs[(group[0].pk, later.pk)] = (group[0], later)
    return [pairs[k] for k in sorted(pairs)]
