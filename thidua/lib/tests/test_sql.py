"""JoinedText: one string per group, on whichever engine the suite runs on."""

import gc

import pytest
from django.contrib.auth.models import Permission
from django.db.models import F

from thidua.lib.batch import collector_paused
from thidua.lib.sql import JoinedText

pytestmark = pytest.mark.django_db


def test_each_groups_values_come_back_joined_in_one_row() -> None:
    joined = dict(
        Permission.objects.order_by()
        .values("content_type_id")
        .annotate(codenames=JoinedText("codename"))
        .values_list("content_type_id", "codenames")
    )
    expected: dict[int, set[str]] = {}
    for content_type, codename in Permission.objects.values_list("content_type_id", "codename"):
        expected.setdefault(content_type, set()).add(codename)
    assert {k: set(v.split(",")) for k, v in joined.items()} == expected


def test_numbers_are_joined_as_text_with_the_separator_given() -> None:
    joined = (
        Permission.objects.filter(content_type__app_label="auth")
        .order_by()
        .values("content_type__app_label")
        .annotate(ids=JoinedText(F("id") * 10, separator=";"))
        .values_list("ids", flat=True)
        .get()
    )
    ids = Permission.objects.filter(content_type__app_label="auth").values_list("id", flat=True)
    assert sorted(int(x) for x in joined.split(";")) == sorted(i * 10 for i in ids)


def test_distinct_values_are_joined_once() -> None:
    joined = (
        Permission.objects.filter(content_type__app_label="auth")
        .order_by()
        .values("content_type__app_label")
        .annotate(types=JoinedText("content_type_id", distinct=True))
        .values_list("types", flat=True)
        .get()
    )
    types = joined.split(",")
    assert len(types) == len(set(types)) > 1


@pytest.mark.parametrize("separator", ["", ";;", "'", "%"])
def test_a_separator_must_be_one_plain_character(separator: str) -> None:
    with pytest.raises(ValueError):
        JoinedText("codename", separator=separator)


def test_distinct_values_are_joined_with_commas_only() -> None:
    with pytest.raises(ValueError):
        JoinedText("codename", separator=";", distinct=True)


def test_the_collector_is_paused_inside_a_batch_and_resumes_after(db: None) -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_paused_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
