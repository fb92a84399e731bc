"""Load a year's indicators and values in a few queries and state the cluster's figures.

The figures are always computed from the members' values by `rules.aggregate`; nothing
here is stored. `results_paragraph(year)` is the paragraph the summary report reuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from thidua.cycle.models import EmulationYear, Membership, Phase
from thidua.lib.numbers import format_number, format_percent
from thidua.lib.text import sort_key

from . import rules
from .models import Indicator, IndicatorValue, Reminder, ResultsTemplate
from .problems import describe_aggregate_problem

# Members report their values in these phases; later the values are what the cluster reviews.
REPORTING_PHASES = (Phase.IN_PROGRESS, Phase.SELF_ASSESSMENT)
# The secretariat defines the indicators until the members start self-assessment.
DEFINING_PHASES = (Phase.SETUP, Phase.PLEDGE, Phase.IN_PROGRESS)


@dataclass
class YearData:
    """One year's members, indicators and values, loaded in three queries."""

    year: EmulationYear
    members: list[Membership]
    indicators: list[Indicator]
    values: dict[tuple[int, int], IndicatorValue]  # (organization id, indicator id)

    def value(self, org_id: int, indicator: Indicator) -> Decimal | None:
        found = self.values.get((org_id, indicator.pk))
        return found.value if found is not None else None

    def column(self, indicator: Indicator) -> dict[int, Decimal | None]:
        return {m.organization_id: self.value(m.organization_id, indicator) for m in self.members}

    def gaps(self) -> dict[int, list[Indicator]]:
        """Indicators each member has not reported, by organization id."""
        cells = {
            (org, ind): value.value
            for (org, ind), value in self.values.items()
            if value.value is not None
        }
        ids = rules.matrix_gaps(
            [m.organization_id for m in self.members], [i.pk for i in self.indicators], cells
        )
        by_id = {i.pk: i for i in self.indicators}
        return {org: [by_id[pk] for pk in pks] for org, pks in ids.items()}


def load(year: EmulationYear) -> YearData:
    members = sorted(
        year.memberships.select_related("organization"),
        key=lambda m: sort_key(m.organization.name),
    )
    indicators = list(
        Indicator.objects.filter(year=year).select_related(
            "weight_indicator", "denominator_indicator"
        )
    )
    values = {
        (v.organization_id, v.indicator_id): v
        for v in IndicatorValue.objects.filter(indicator__year=year)
    }
    return YearData(year, members, indicators, values)


def previous_year(year: EmulationYear) -> EmulationYear | None:
    """The cluster's year before this one, if thidua has it."""
    return (
        EmulationYear.objects.filter(cluster_id=year.cluster_id, year__lt=year.year)
        .order_by("-year")
        .first()
    )


def compute(data: YearData, indicator: Indicator) -> rules.Aggregate[int]:
    """The cluster figure of one indicator from the members' values."""
    method = rules.Method(indicator.method)
    values = data.column(indicator)
    if method is rules.Method.WEIGHTED_MEAN:
        assert indicator.weight_indicator is not None
        return rules.aggregate(method, values, weights=data.column(indicator.weight_indicator))
    if method is rules.Method.RATIO:
        assert indicator.denominator_indicator is not None
        return rules.aggregate(
            method, values, denominators=data.column(indicator.denominator_indicator)
        )
    return rules.aggregate(method, values)


@dataclass
class Figure:
    """One indicator's cluster figure as the aggregates page shows it."""

    indicator: Indicator
    result: rules.Aggregate[int]
    statement: str | None
    rate: str | None  # a ratio's share, "88,2%"
    missing: list[str]
    problems: list[str]
    chart: dict[str, object]
    previous_statement: str | None = None
    change: str | None = None
    rows: list[tuple[str, str | None]] = field(default_factory=list)


def state(indicator: Indicator, result: rules.Aggregate[int]) -> str | None:
    return rules.state_aggregate(result, unit=indicator.unit, decimals=indicator.decimals)


def _rate(result: rules.Aggregate[int]) -> str | None:
    if result.method is not rules.Method.RATIO or result.value is None:
        return None
    return format_percent(result.value * 100, 1)


def _change(indicator: Indicator, change: rules.Change) -> str | None:
    """Year-on-year change: points for shares and percentages, percent for the rest."""
    if change.absolute is None:
        return None
    kind = rules.unit_kind(indicator.unit)
    if indicator.method == Indicator.Method.RATIO or kind is rules.UnitKind.PERCENT:
        points = change.absolute * (100 if indicator.method == Indicator.Method.RATIO else 1)
        sign = "+" if points > 0 else ""
        return _("%(change)s percentage points") % {"change": sign + format_number(points, 1)}
    if change.relative is None:
        return None
    sign = "+" if change.relative > 0 else ""
    return sign + format_percent(change.relative * 100, 1)


def figures(data: YearData, previous: YearData | None = None) -> list[Figure]:
    """Every indicator's figure, with last year's where the same code was reported."""
    names = {m.organization_id: m.organization.display_name for m in data.members}
    earlier = {i.code: i for i in previous.indicators} if previous is not None else {}
    result_list = []
    for indicator in data.indicators:
        result = compute(data, indicator)
        column = data.column(indicator)
        figure = Figure(
            indicator=indicator,
            result=result,
            statement=state(indicator, result),
            rate=_rate(result),
            missing=[names[org] for org in result.missing],
            problems=[
                describe_aggregate_problem(p, names)
                for p in result.problems
                if p.code is not rules.ProblemCode.NO_DATA
            ],
            chart={
                "code": indicator.code,
                "label": f"{indicator.name} ({indicator.unit})"
                if indicator.unit
                else indicator.name,
                "labels": [names[m.organization_id] for m in data.members],
                "values": [
                    float(v) if (v := column[m.organization_id]) is not None else None
                    for m in data.members
                ],
            },
            rows=[
                (
                    names[m.organization_id],
                    rules.state_value(value, unit=indicator.unit, decimals=indicator.decimals)
                    if (value := column[m.organization_id]) is not None
                    else None,
                )
                for m in data.members
            ],
        )
        before = earlier.get(indicator.code)
        if previous is not None and before is not None:
            previous_result = compute(previous, before)
            figure.previous_statement = state(before, previous_result)
            figure.change = _change(indicator, rules.compare_years(result, previous_result))
        result_list.append(figure)
    return result_list


def latest_reminders(year: EmulationYear) -> dict[int, Reminder]:
    """The last reminder sent to each member unit, by organization id."""
    latest: dict[int, Reminder] = {}
    for reminder in Reminder.objects.filter(year=year).select_related("reminded_by"):
        known = latest.get(reminder.organization_id)
        if known is None or reminder.reminded_at > known.reminded_at:
            latest[reminder.organization_id] = reminder
    return latest


# --- the results paragraph --------------------------------------------------------


def default_template(year: EmulationYear, indicators: list[Indicator]) -> str:
    """A first wording the secretariat can edit: every indicator with its figure."""
    if not indicators:
        return _("The indicators of %(year)s have not been defined yet.") % {"year": year.year}
    items = "; ".join(f"{i.name} {{{i.code}}}" for i in indicators)
    return _("In %(year)s the members of the cluster achieved: %(items)s.") % {
        "year": "{NAM}",
        "items": items,
    }


def template_text(year: EmulationYear, indicators: list[Indicator]) -> str:
    """The secretariat's wording, or the default one until it writes its own."""
    stored = ResultsTemplate.objects.filter(year=year).first()
    return stored.text if stored is not None else default_template(year, indicators)


def statements(data: YearData) -> dict[str, str]:
    """What each placeholder stands for in the results paragraph."""
    no_data = _("(no data yet)")
    values = {
        indicator.code: state(indicator, compute(data, indicator)) or no_data
        for indicator in data.indicators
    }
    values["NAM"] = str(data.year.year)
    values["SO_THANH_VIEN"] = str(len(data.members))
    return values


def render_paragraph(text: str, data: YearData) -> str:
    """The template with every placeholder stated; unknown ones are left as written."""
    known = statements(data)
    if rules.template_problems(text, known):
        # Only a template saved before an indicator was renamed can get here.
        known = {**known, **{p: "{" + p + "}" for p in _unknown(text, known)}}
    return rules.fill_template(text, known)


def _unknown(text: str, known: dict[str, str]) -> list[str]:
    return [
        problem.text.strip("{}")
        for problem in rules.template_problems(text, known)
        if problem.code == "unknown_placeholder"
    ]


def results_paragraph(year: EmulationYear) -> str:
    """The paragraph of the summary report that states the cluster's results."""
    data = load(year)
    return render_paragraph(template_text(year, data.indicators), data)


@dataclass(frozen=True)
class Previous:
    """An indicator's value last year for a unit: the unit's own, or the one it continues."""

    value: Decimal
    decimals: int
    from_name: str | None = None  # the unit it continues, when the value was reported by it


def previous_values(
    year: EmulationYear, org_ids: list[int]
) -> tuple[EmulationYear | None, dict[tuple[int, str], Previous]]:
    """Last year's value of each indicator (matched by code, as the year's opening carries
    them over) for each of these units, by (organization id, code).

    A unit that continues another since last year (a rename, a merger) is given the value
    of the one it continues when it reported none itself and exactly one predecessor did.
    Three queries.
    """
    from thidua.orgs import rules as org_rules
    from thidua.orgs.models import Organization, Succession

    before = previous_year(year)
    if before is None or not org_ids:
        return before, {}
    edges = list(Succession.objects.values_list("predecessor_id", "successor_id"))
    lineage = {org: org_rules.predecessors(org, edges) for org in org_ids}
    wanted = set(org_ids).union(*lineage.values())
    reported: dict[tuple[int, str], tuple[Decimal, int]] = {
        (org, code): (value, decimals)  # type: ignore[misc]  # values are not null here
        for org, code, value, decimals in IndicatorValue.objects.filter(
            indicator__year=before, organization_id__in=wanted, value__isnull=False
        ).values_list("organization_id", "indicator__code", "value", "indicator__decimals")
    }
    names = {
        pk: short or name
        for pk, short, name in Organization.objects.filter(
            pk__in=wanted - set(org_ids)
        ).values_list("pk", "short_name", "name")
    }
    found: dict[tuple[int, str], Previous] = {}
    codes = {code for _org, code in reported}
    for org in org_ids:
        for code in codes:
            own = reported.get((org, code))
            if own is not None:
                found[(org, code)] = Previous(own[0], own[1])
                continue
            earlier = [p for p in lineage[org] if (p, code) in reported]
            if len(earlier) == 1:
                value, decimals = reported[(earlier[0], code)]
                found[(org, code)] = Previous(value, decimals, names.get(earlier[0]))
    return before, found
