"""The indicators part of the demo year: the secretariat defines, each unit reports.

The provinces' figures are ILLUSTRATIVE (see data/demo-2016.json): the source gives only
the cluster's totals, and the figures are chosen so the aggregates state facts F7-F11.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from importlib import resources
from typing import Any

from openpyxl import load_workbook

from thidua.cycle.models import Membership
from thidua.lib.numbers import parse_number

from . import actions, excel, rules


def load_data() -> dict[str, Any]:
    text = resources.files("thidua.indicators").joinpath("data/demo-2016.json").read_text("utf-8")
    return dict(json.loads(text))


def _decimal(text: str | None) -> Decimal | None:
    return parse_number(text) if text is not None else None


def in_progress(demo: Any) -> None:
    """The secretariat defines the indicators; each unit's officer reports its values."""
    data = load_data()
    for order, spec in enumerate(data["indicators"], 1):
        actions.do_save_indicator(
            demo.year,
            actions.IndicatorSpec(
                code=spec["code"],
                name=spec["name"],
                unit=spec["unit"],
                decimals=spec["decimals"],
                method=spec["method"],
                denominator_code=spec.get("denominator", ""),
                weight_code=spec.get("weight", ""),
                min_value=_decimal(spec.get("min_value")),
                max_value=_decimal(spec.get("max_value")),
                order=order,
            ),
            acting_user=demo.secretariat,
        )
    memberships = {
        m.organization_id: m
        for m in Membership.objects.filter(year=demo.year).select_related("organization", "year")
    }
    for key, values in data["values"].items():
        membership = memberships[demo.departments[key].pk]
        officer = demo.officers[key]
        if key in data["by_workbook"]:
            _upload(membership, values, officer)
        else:
            entries = {code: rules.Entry(parse_number(text)) for code, text in values.items()}
            actions.do_report_values(membership, entries=entries, acting_user=officer)
    actions.do_set_results_template(
        demo.year, text=data["results_template"], acting_user=demo.secretariat
    )


def _upload(membership: Membership, values: dict[str, str], officer: Any) -> None:
    """Download the unit's workbook, type the figures in as a user would, upload it."""
    content = excel.build(
        unit_name=membership.organization.name,
        year=membership.year.year,
        rows=actions.workbook_rows(membership),
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book[excel.SHEET]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(row, excel.CODE_COL).value
        if code in values:
            sheet.cell(row, excel.VALUE_COL).value = float(parse_number(values[code]))
    filled = io.BytesIO()
    book.save(filled)
    actions.do_import_workbook(
        membership,
        content=filled.getvalue(),
        filename="chi-tieu-2016.xlsx",
        acting_user=officer,
    )
