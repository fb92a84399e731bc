"""Tests for thidua.lib.uploads: limits named in words, nothing kept past the largest limit."""

from __future__ import annotations

import errno
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import Settings

from thidua.errors import ActionRefused
from thidua.lib import uploads
from thidua.lib.uploads import KB, MB, format_size

from . import full_disk

LIMITS = {"small": 100 * KB, "large": 300 * KB}


@pytest.fixture
def limits(settings: Settings, tmp_path: Path) -> Any:
    settings.THIDUA_UPLOAD_LIMITS = LIMITS
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file goes through the spooling handler
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (20 * MB, "20 MB"),
        (MB, "1 MB"),
        (MB + MB // 2, "1,5 MB"),
        (MB + MB // 20, "1 MB"),  # 1.05: rounded down, never shown larger than it is
        (1536 * MB, "1.536 MB"),
        (512 * KB, "512 KB"),
        (KB, "1 KB"),
        (KB + 300, "1,2 KB"),
        (1000, "1.000 byte"),
        (0, "0 byte"),
    ],
)
def test_a_size_is_written_the_vietnamese_way(size: Any, text: str) -> None:
    assert format_size(size) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_a_size_is_never_shown_larger_than_it_is(size: Any) -> None:
    figure, unit = format_size(size).split(" ")
    scale = {"MB": MB, "KB": KB, "byte": 1}[unit]
    assert Decimal(figure.replace(".", "").replace(",", ".")) * scale <= size


def test_the_message_names_the_file_and_the_limit() -> None:
    assert uploads.too_large_message("lich-su.xlsx", 20 * MB) == (
        "Tệp “lich-su.xlsx” lớn hơn 20 MB, vượt quá dung lượng cho phép tải lên."
    )


class Form(forms.Form):
    file = uploads.UploadField(kind="small")


def parsed(client_file: bytes, name: str = "tep.pdf", **extra: Any) -> Any:
    request = RequestFactory().post("/", {"file": SimpleUploadedFile(name, client_file), **extra})
    return request, request.FILES, request.POST


def test_a_file_at_the_limit_is_kept_and_passes(limits: Any) -> None:
    _request, files, _post = parsed(b"x" * LIMITS["small"])
    form = Form({}, files)
    assert form.is_valid()
    assert form.cleaned_data["file"].read() == b"x" * LIMITS["small"]


def test_a_file_over_its_kinds_limit_is_refused_by_the_field(limits: Any) -> None:
    _request, files, _post = parsed(b"x" * (LIMITS["small"] + 1))
    form = Form({}, files)
    assert not form.is_valid()
    assert form.errors["file"] == [
        "Tệp “tep.pdf” lớn hơn 100 KB, vượt quá dung lượng cho phép tải lên."
    ]


def test_past_the_largest_limit_nothing_is_kept_and_the_rest_of_the_form_still_arrives(
    limits: Any,
) -> None:
    _request, files, post = parsed(b"x" * (LIMITS["large"] * 3), note="sau tệp")
    refused = files["file"]
    assert isinstance(refused, uploads.RefusedUpload)
    assert refused.size == LIMITS["large"] * 3
    assert post["note"] == "sau tệp"
    assert list(limits.iterdir()) == []  # the spooled part is gone already
    with pytest.raises(ValueError):
        refused.read()
    form = Form({}, files)
    assert not form.is_valid()
    assert "lớn hơn 100 KB" in form.errors["file"][0]


def test_a_full_temporary_disk_refuses_the_file_with_a_clear_message(
    limits: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_disk.while_spooling(monkeypatch, room=10 * KB)
    _request, files, _post = parsed(b"x" * (50 * KB))
    refused = files["file"]
    assert refused.refusal == uploads.NO_ROOM
    assert list(limits.iterdir()) == []
    form = Form({}, files)
    assert not form.is_valid()
    assert form.errors["file"] == [uploads.no_room_message()]
    assert "hết chỗ" in form.errors["file"][0]


def test_a_full_disk_while_an_action_stores_becomes_a_refusal() -> None:
    with pytest.raises(ActionRefused) as refused, uploads.storing():
        raise OSError(errno.ENOSPC, "No space left on device")
    assert refused.value.kind == uploads.NO_ROOM
    with pytest.raises(PermissionError), uploads.storing():
        raise PermissionError(errno.EACCES, "Permission denied")  # not ours to explain


def test_storage_removes_the_file_a_full_disk_cut_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = uploads.FileSystemStorage(location=tmp_path)
    full_disk.while_storing(monkeypatch)
    with pytest.raises(OSError):
        storage.save("a/tep.pdf", ContentFile(b"x" * 1000))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    assert storage.save("a/tep.pdf", ContentFile(b"x")) == "a/tep.pdf"  # and it works again
