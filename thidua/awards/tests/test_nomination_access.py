"""A nomination drafted through its page: the membership read once, each permission decided once."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rules.permissions import ObjectPermissionBackend

from thidua.awards.models import Nomination
from thidua.orgs.models import User


def test_drafting_reads_the_membership_once_and_decides_each_permission_once(
    as_user: Callable[[User], Client],
    proposals: Any,
    lai_chau_person: Any,
    award: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = f"/awards/c/{proposals.cluster.slug}/2016/"
    client = as_user(proposals.lai_chau_officer)
    client.get(base + "nominations/new/")  # the process's kept year, as a server has it
    decided: Counter[str] = Counter()
    real = ObjectPermissionBackend.has_perm

    def counting(self: Any, user: Any, perm: Any, *args: Any, **kwargs: Any) -> Any:
        decided[perm] += 1
        return real(self, user, perm, *args, **kwargs)

    monkeypatch.setattr(ObjectPermissionBackend, "has_perm", counting)
    data = {"person": lai_chau_person.pk, "award_type": award("ldtt").pk, "summary": "Tốt."}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(base + "nominations/new/", data)
    assert response.status_code == 302
    assert Nomination.objects.count() == 1
    # The unit's membership row (the roles are read apart, as ids and roles only).
    rows = [q for q in queries.captured_queries if 'SELECT "cycle_membership"."id"' in q["sql"]]
    assert len(rows) == 1
    assert decided == {"cycle.view_year": 1, "awards.view": 1, "awards.draft": 1}
