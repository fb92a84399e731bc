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
