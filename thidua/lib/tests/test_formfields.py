"""Dates are typed and shown day first, whatever the browser's language."""

import datetime as dt

from django import forms
from django.utils import translation

from thidua.lib.formfields import DayField


class Form(forms.Form):
    day = DayField(label="Ngày")


def test_a_date_is_typed_day_first_and_the_iso_form_still_reads() -> None:
    for typed in ("18/03/2016", "18-03-2016", "18.03.2016", "2016-03-18", "8/3/2016"):
        form = Form({"day": typed})
        assert form.is_valid(), typed
        assert form.cleaned_data["day"] == (
            dt.date(2016, 3, 8) if typed == "8/3/2016" else dt.date(2016, 3, 18)
        )


def test_the_american_order_is_refused_in_vietnamese_with_an_example() -> None:
    with translation.override("vi"):
        form = Form({"day": "03/18/2016"})
        assert not form.is_valid()
        assert form.errors["day"] == ["Nhập ngày theo thứ tự ngày/tháng/năm, ví dụ 18/03/2016."]


def test_the_box_shows_the_date_day_first_and_is_not_the_browsers_date_picker() -> None:
    with translation.override("vi"):
        html = str(Form(initial={"day": dt.date(2016, 3, 18)})["day"])
    assert 'value="18/03/2016"' in html
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'placeholder="ngày/tháng/năm"' in html
