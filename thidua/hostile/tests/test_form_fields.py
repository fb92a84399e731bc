"""Every field of every form of thidua, found by walking the areas' forms modules: a NUL
character, a number that is not finite and an over-long line are refused the same way, in
Vietnamese; invisible and control characters are dropped from every text box but a
secret's. A new form is checked as soon as it exists; none has to be listed.

Forms build some fields when they are made (a field per indicator or criterion); those are the
areas' number fields (`VietnameseNumberField`, `DecimalField`), checked here through the classes
the base fields use.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.utils import translation

import thidua
from thidua.lib.formfields import TextField

NOT_FINITE = ["NaN", "nan", "inf", "-Infinity", "1e999", "-1e999", "∞"]
NUL_MESSAGE = "Không được dùng ký tự rỗng (NUL) trong nội dung."


def form_fields() -> list[tuple[str, forms.Field]]:
    """(Form.field, field) for every declared field of every form class of thidua's areas."""
    found = []
    for module_info in pkgutil.iter_modules(thidua.__path__):
        try:
            module = importlib.import_module(f"thidua.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                declared: dict[str, forms.Field] = getattr(cls, "base_fields", {})
                for field_name, field in declared.items():
                    found.append((f"{module.__name__}.{name}.{field_name}", field))
    return found


FIELDS = form_fields()
TEXT = [(n, f) for n, f in FIELDS if type(f) is forms.CharField or isinstance(f, forms.CharField)]
NUMBERS = [
    (n, f)
    for n, f in FIELDS
    if isinstance(f, forms.DecimalField | forms.FloatField | forms.IntegerField)
    or "Number" in type(f).__name__
]


def test_the_walk_finds_the_forms() -> None:
    names = {name for name, _field in FIELDS}
    assert "thidua.cycle.forms.MovementForm.title" in names
    assert len(TEXT) > 40 and len(NUMBERS) > 10


def refusal(field: forms.Field, value: str) -> list[str] | None:
    with translation.override("vi"):
        try:
            field.clean(value)
        except forms.ValidationError as error:
            return list(error.messages)
    return None


@pytest.mark.parametrize(("name", "field"), TEXT, ids=[n for n, _f in TEXT])
def test_a_nul_is_refused_in_vietnamese_by_every_text_field(name: str, field: Any) -> None:
    messages = refusal(field, "Phong trào\x00thi đua")
    assert messages, f"{name} takes a NUL"
    assert NUL_MESSAGE in messages or any("không phải là" in m for m in messages), messages


@pytest.mark.parametrize(("name", "field"), TEXT, ids=[n for n, _f in TEXT])
def test_a_line_has_a_limit_in_every_one_line_text_field(name: str, field: Any) -> None:
    """A one-line box names a thing (a title, a name, a number): it has a length limit, and
    10,000 characters are refused in Vietnamese. A text area is bounded by the request's size
    limit (test_a_request_body_beyond_the_limit_is_refused_before_anything_is_read)."""
    if isinstance(field.widget, forms.Textarea | forms.HiddenInput | forms.PasswordInput):
        return
    if "Number" in type(field).__name__:
        return  # a number typed as text: its own test below
    assert field.max_length is not None, f"{name}: a one-line text field without max_length"
    messages = refusal(field, "Nguyễn " * 1429)
    assert messages and any("tối đa" in m for m in messages), messages


@pytest.mark.parametrize(("name", "field"), NUMBERS, ids=[n for n, _f in NUMBERS])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_number_that_is_not_finite_is_refused_in_vietnamese(
    name: str, field: Any, value: str
) -> None:
    messages = refusal(field, value)
    assert messages, f"{name} takes {value!r}"
    assert not [m for m in messages if m.isascii()], messages


@pytest.mark.parametrize(("name", "field"), TEXT, ids=[n for n, _f in TEXT])
def test_every_text_box_drops_invisible_and_control_characters(name: str, field: Any) -> None:
    """A right-to-left override prints a name backwards, a control character breaks the Word
    document that prints it: every text box drops them and keeps its lines. Only a secret (a
    PIN, a password) is taken exactly as typed."""
    if isinstance(field.widget, forms.PasswordInput):
        assert not isinstance(field, TextField), f"{name}: a secret must be kept as typed"
        return
    if isinstance(field.widget, forms.HiddenInput) or "Number" in type(field).__name__:
        return  # a form's own token, or a number typed as text: parsed, never printed as typed
    assert isinstance(field, TextField), f"{name}: a text box that is not a TextField"
    if isinstance(field.widget, forms.Textarea):
        typed, kept = "Lê\u202e Văn\x01\r\nAn\x0b\tB\u200b", "Lê Văn\r\nAn \tB"
    else:
        typed, kept = "Lê\u202e Văn\x08\x1b An\u200b", "Lê Văn An"
    with translation.override("vi"):
        try:
            assert field.clean(typed) == kept
        except forms.ValidationError as refused:  # a choice or a pattern the sample is not
            assert not [m for m in refused.messages if m.isascii()], refused.messages
