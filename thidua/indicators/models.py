"""The year's indicators (chỉ tiêu), the values members report, reminders and the results text."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import EmulationYear
from thidua.orgs.models import Organization

from . import rules


class Indicator(models.Model):
    """A measured result the members report each year and the cluster combines."""

    class Method(models.TextChoices):
        SUM = rules.Method.SUM.value, _("Sum")
        MEAN = rules.Method.MEAN.value, _("Mean")
        WEIGHTED_MEAN = rules.Method.WEIGHTED_MEAN.value, _("Mean weighted by another indicator")
        RATIO = rules.Method.RATIO.value, _("Ratio of two sums")
        MIN = rules.Method.MIN.value, _("Minimum")
        MAX = rules.Method.MAX.value, _("Maximum")

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    method = models.CharField(_("combined by"), max_length=20, choices=Method.choices)
    # WEIGHTED_MEAN: each member's value of this indicator is its weight (e.g. population).
    weight_indicator = models.ForeignKey(
        "self",
        verbose_name=_("weighted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="weighted_indicators",
    )
    # RATIO: this indicator's values are the numerators (communes with a road), the other
    # indicator's values the denominators (all communes), so the cluster states "812/921".
    denominator_indicator = models.ForeignKey(
        "self",
        verbose_name=_("out of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratio_indicators",
    )
    min_value = models.DecimalField(
        _("smallest allowed value"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest allowed value"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["year", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"], name="one_indicator_per_code_per_year"
            ),
            models.CheckConstraint(
                name="indicator_decimals_at_most_six", condition=Q(decimals__lte=6)
            ),
            models.CheckConstraint(name="indicator_code_not_empty", condition=~Q(code="")),
            models.CheckConstraint(
                name="indicator_weight_iff_weighted_mean",
                condition=(Q(method="weighted_mean") & Q(weight_indicator__isnull=False))
                | (~Q(method="weighted_mean") & Q(weight_indicator__isnull=True)),
            ),
            models.CheckConstraint(
                name="indicator_denominator_iff_ratio",
                condition=(Q(method="ratio") & Q(denominator_indicator__isnull=False))
                | (~Q(method="ratio") & Q(denominator_indicator__isnull=True)),
            ),
            models.CheckConstraint(
                name="indicator_min_not_above_max",
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class IndicatorValue(models.Model):
    """One member's reported value of one indicator; empty once withdrawn (kept for history)."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        EXCEL = "excel", _("Excel workbook")

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="indicator_values"
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6, null=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indicator_values"
    )
    entered_at = models.DateTimeField(_("entered at"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organization"], name="one_value_per_indicator_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} — {self.organization}: {self.value}"


class Reminder(models.Model):
    """The secretariat reminded a member unit that it still has indicators to report."""

    year = models.ForeignKey(
        EmulationYear, on_delete=models.PROTECT, related_name="indicator_reminders"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="indicator_reminders"
    )
    reminded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indicator_reminders"
    )
    reminded_at = models.DateTimeField(_("reminded at"))
    missing = models.JSONField(_("indicators missing"), default=list)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["year", "-reminded_at"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.reminded_at:%Y-%m-%d}"


class ResultsTemplate(models.Model):
    """The secretariat's wording of the results paragraph, with placeholders like {GRDP}."""

    year = models.OneToOneField(
        EmulationYear, on_delete=models.PROTECT, related_name="results_template"
    )
    text = models.TextField(_("template"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("results paragraph template")
        verbose_name_plural = _("results paragraph templates")

    def __str__(self) -> str:
        return f"{self.year}"
