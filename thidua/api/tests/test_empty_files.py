"""An upload without its file, or with an empty one, is refused as its page refuses it: 400
with the page form's words, not the schema's 422 "field required"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.api.tests.conftest import year_url
from thidua.orgs.models import User
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def _uploads(world: World) -> list[tuple[User, str, str, dict[str, str]]]:
    year = year_url(world)
    return [
        (world.supervisor, "/api/v1/jobs/history-import", "file", {}),
        (world.supervisor, "/api/v1/dossiers/received", "package", {}),
        (world.lai_chau_officer, "/api/v1/signing/verify", "file", {}),
        (world.son_la_officer, f"{year}/dossier/reply", "package", {}),
        (world.son_la_officer, f"{year}/conference/templates", "file", {"kind": "report"}),
    ]


@pytest.mark.parametrize("sent", ["empty", "missing"])
def test_an_empty_or_missing_file_is_refused_with_the_forms_words(
    api: Callable[[User], Any], world: World, sent: str
) -> None:
    for user, url, field, fields in _uploads(world):
        body: dict[str, Any] = dict(fields)
        if sent == "empty":
            body[field] = SimpleUploadedFile("tep.bin", b"")
        response = api(user).post(url, body)
        assert response.status_code == 400, (url, response.content.decode())
        detail = response.json()["detail"]
        assert detail and "required" not in detail.lower(), (url, detail)


def test_a_form_larger_than_a_batch_reaches_its_operations_own_limit(
    api: Callable[[User], Any], world: World, settings: Any
) -> None:
    """A batch's limit bounds a JSON body; a form (a dossier's package may be 100 MB) is held
    to its upload kind's limit by the operation, retried with its key or not."""
    settings.THIDUA_API_BULK_MAX_MB = 1
    client = api(world.lai_chau_officer)
    two_mb = SimpleUploadedFile("lon.pdf", b"x" * (2 * 1024 * 1024))
    response = client.post("/api/v1/signing/verify", {"file": two_mb}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400, response.content.decode()  # not a PDF: the form's words
    assert "PDF" in response.json()["detail"]
    settings.THIDUA_UPLOAD_LIMITS = {**settings.THIDUA_UPLOAD_LIMITS, "signed_pdf": 1024 * 1024}
    two_mb.seek(0)
    response = client.post("/api/v1/signing/verify", {"file": two_mb}, HTTP_IDEMPOTENCY_KEY="k2")
    assert response.status_code == 400
    assert "1 MB" in response.json()["detail"]
