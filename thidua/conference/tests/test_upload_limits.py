"""A Word template over its limit is refused with the limit named; the standard one stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from thidua.conference import documents
from thidua.conference.models import DocumentTemplate
from thidua.lib.uploads import MB
from thidua.orgs.models import User
from thidua.testing.personas import World


def _url(world: Any) -> Any:
    return f"{world.url}conference/documents/"


def _post(client: Any, world: Any, data: bytes) -> Any:
    upload = SimpleUploadedFile("mau.docx", data)
    return client.post(_url(world), {"kind": "minutes", "file": upload})


def test_a_template_over_the_default_limit_is_refused_naming_it(
    as_user: Callable[[User], Client], at_conference: World
) -> None:
    world = at_conference
    response = _post(as_user(world.son_la_officer), world, b"PK" + b"0" * (5 * MB))
    assert response.status_code == 400
    assert "Tệp “mau.docx” lớn hơn 5 MB, vượt quá dung lượng cho phép tải lên." in (
        response.content.decode()
    )
    assert not DocumentTemplate.objects.exists()


def test_a_template_at_its_limit_is_used_and_over_it_is_not(
    as_user: Callable[[User], Client], at_conference: World, settings: Settings
) -> None:
    world = at_conference
    client = as_user(world.son_la_officer)
    data = documents.starter_template()
    limits = settings.THIDUA_UPLOAD_LIMITS
    settings.THIDUA_UPLOAD_LIMITS = {**limits, "template": len(data) - 1}
    refused = _post(client, world, data)
    assert refused.status_code == 400
    assert "vượt quá dung lượng cho phép tải lên" in refused.content.decode()
    assert not DocumentTemplate.objects.exists()

    settings.THIDUA_UPLOAD_LIMITS = {**limits, "template": len(data)}
    assert _post(client, world, data).status_code == 302
    assert DocumentTemplate.objects.get().filename == "mau.docx"
