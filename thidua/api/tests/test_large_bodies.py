"""A body of 100 MB sent to the API: refused by its declared length before it is read, 413
with a precise message in the API's JSON (never the pages' HTML 400), and nothing written;
with an idempotency key or without."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.notifications.models import Subscription
from thidua.orgs.models import Person
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024
BATCH_WORDS = "Yêu cầu lớn hơn 20 MB, mức tối đa một lô được gửi; hãy chia nhỏ lô."


def _subscription(size: int) -> bytes:
    head = b'{"url": "https://he-thong.example/nhan", "kinds": ["poll.opened"], "note": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


@pytest.mark.parametrize("key", [None, "lo-100mb"])
def test_a_100_mb_body_is_refused_with_413_before_it_is_read(
    api: Any, world: World, key: str | None
) -> None:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    ordinary = api(world.lai_chau_officer).post(
        "/api/v1/webhooks", _subscription(HUNDRED_MB), content_type="application/json", **extra
    )
    assert (ordinary.status_code, ordinary.json()) == (413, {"detail": BATCH_WORDS})
    body = b'{"people": [' + b" " * (HUNDRED_MB - 14) + b"]}"
    batch = api(world.supervisor).post(
        "/api/v1/bulk/award-history", body, content_type="application/json", **extra
    )
    assert (batch.status_code, batch.json()) == (413, {"detail": BATCH_WORDS})
    assert not Subscription.objects.exists()
    assert not Person.objects.filter(full_name="x").exists()


def test_an_ordinary_write_past_djangos_limit_is_413_in_the_apis_words(
    api: Any, world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = api(world.lai_chau_officer)
    response = client.post(
        "/api/v1/webhooks", _subscription(2 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Yêu cầu lớn hơn 1 MB, mức tối đa thao tác này nhận."}
    english = client.post(
        "/api/v1/webhooks",
        _subscription(2 * 1024 * 1024),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json() == {
        "detail": "The request is larger than 1 MB, the most this operation takes."
    }
    assert not Subscription.objects.exists()
