"""The members' values as an Excel workbook: members × indicators, with the cluster's figures.

Unlike the unit's workbook (excel.py, an exchange format read back on upload), this one is
only for reading and follows the interface language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear
from thidua.lib import xlsx

from . import reads, rules
from .models import Indicator


def _title(indicator: Indicator) -> str:
    if indicator.unit:
        return _("%(name)s (%(unit)s)") % {"name": indicator.name, "unit": indicator.unit}
    return indicator.name


def matrix_workbook(year: EmulationYear) -> bytes:
    """One row per member, one column per indicator, then how and to what the cluster adds up."""
    data = reads.load(year)
    columns = [
        xlsx.Column(_("Unit"), 40),
        *(xlsx.Column(_title(i), 18, xlsx.number_format(i.decimals)) for i in data.indicators),
    ]
    rows: list[list[Any]] = [
        [m.organization.name, *(data.value(m.organization_id, i) for i in data.indicators)]
        for m in data.members
    ]
    rows.append([_("Combined by"), *(i.get_method_display() for i in data.indicators)])
    cluster_row: list[Any] = [xlsx.Styled(_("Cluster figure"), bold=True)]
    for indicator in data.indicators:
        result = reads.compute(data, indicator)
        # A ratio's figure is a share of the denominators: 812/921 is 88,2%.
        share = result.method is rules.Method.RATIO
        cluster_row.append(xlsx.Styled(result.value, xlsx.PERCENT if share else None, bold=True))
    rows.append(cluster_row)
    book = xlsx.new_book()
    xlsx.add_sheet(
        book,
        _("Members' values"),
        columns,
        rows,
        caption=[
            year.cluster.name,
            _("Members' values in %(year)s") % {"year": year.year},
        ],
    )
    return xlsx.to_bytes(book)
