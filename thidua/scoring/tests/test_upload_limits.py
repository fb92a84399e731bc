"""Self-assessment evidence: over its limit, or on a full disk, nothing is attached or stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from thidua.lib.tests import full_disk
from thidua.lib.uploads import MB
from thidua.orgs.models import User
from thidua.scoring.demo import SAMPLE_PDF
from thidua.scoring.models import Evidence
from thidua.testing.personas import World

from .conftest import leaves


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(root: Any) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _post(as_user: Any, world: Any, content: bytes) -> Any:
    url = f"{world.url}scoring/units/{world.orgs['lai_chau'].pk}/evidence/"
    upload = SimpleUploadedFile("minh-chung.pdf", content, "application/pdf")
    item = leaves(world)["I.1"]
    return as_user(world.lai_chau_officer).post(
        url, {"criterion": item.pk, "file": upload}, follow=True
    )


def test_evidence_over_the_default_limit_is_refused_naming_it(
    as_user: Callable[[User], Client], self_assessing: World, media: Any
) -> None:
    response = _post(as_user, self_assessing, SAMPLE_PDF + b"0" * (10 * MB))
    assert "Tệp “minh-chung.pdf” lớn hơn 10 MB, vượt quá dung lượng cho phép tải lên." in (
        response.content.decode()
    )
    assert not Evidence.objects.exists()
    assert stored(media) == []


def test_evidence_at_its_limit_is_attached_and_over_it_is_not(
    as_user: Callable[[User], Client], self_assessing: World, media: Any, settings: Settings
) -> None:
    content = SAMPLE_PDF + b"0" * 2048
    limits = settings.THIDUA_UPLOAD_LIMITS
    settings.THIDUA_UPLOAD_LIMITS = {**limits, "scoring_evidence": len(content) - 1}
    refused = _post(as_user, self_assessing, content)
    assert "vượt quá dung lượng cho phép tải lên" in refused.content.decode()
    assert not Evidence.objects.exists()
    assert stored(media) == []

    settings.THIDUA_UPLOAD_LIMITS = {**limits, "scoring_evidence": len(content)}
    attached = _post(as_user, self_assessing, content)
    assert "vượt quá" not in attached.content.decode()
    evidence = Evidence.objects.get()
    assert stored(media) == [evidence.file.name]


def test_a_full_disk_while_evidence_is_stored_attaches_nothing(
    as_user: Callable[[User], Client],
    self_assessing: World,
    media: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full_disk.while_storing(monkeypatch)
    response = _post(as_user, self_assessing, SAMPLE_PDF)
    assert "Máy chủ đã hết chỗ lưu trữ nên chưa lưu được tệp" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored(media) == []
