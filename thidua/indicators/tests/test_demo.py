"""The demo's 2016 indicator values aggregate to the reference facts F7-F11."""

from typing import Any

import pytest

from thidua.cycle.models import EmulationYear
from thidua.indicators.models import IndicatorValue
from thidua.indicators.reads import results_paragraph


@pytest.fixture
def demo_year(demo_module: None, db: None) -> Any:
    return EmulationYear.objects.get(cluster__slug="mien-nui-bien-gioi-phia-bac", year=2016)


def test_demo_results_paragraph_states_f7_to_f11(demo_year: Any) -> None:
    paragraph = results_paragraph(demo_year)
    assert "Tốc độ tăng GRDP bình quân của các tỉnh khoảng 8,5%" in paragraph  # F7
    assert "tổng sản phẩm trên địa bàn gần 158 nghìn tỷ đồng" in paragraph  # F8
    assert "tổng vốn đầu tư toàn xã hội gần 96 nghìn tỷ đồng" in paragraph  # F9
    assert "812/921 xã có đường ô tô đến trung tâm xã" in paragraph  # F10
    assert "tổng thu ngân sách trên địa bàn 7 tỉnh đạt khoảng 27 nghìn tỷ đồng" in paragraph  # F11


def test_every_unit_reported_its_own_values_some_by_workbook(demo_year: Any) -> None:
    values = IndicatorValue.objects.filter(indicator__year=demo_year).select_related("entered_by")
    assert values.count() == 7 * 6
    assert all(v.entered_by.organization_id == v.organization_id for v in values)
    assert values.filter(source=IndicatorValue.Source.EXCEL).count() == 2 * 6
