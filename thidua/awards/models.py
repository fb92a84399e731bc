"""The awards' rules (the catalogue's versions), nominations and their evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thidua.award_history.models import AwardRecord, AwardType, one_nominee
from thidua.cycle.models import EmulationYear
from thidua.lib import clock
from thidua.orgs.models import Organization, Person

from . import rule_data, rules
from .problems import describe_data_error


class AwardRule(models.Model):
    """One version of an award's eligibility rule, in force from a date until the next one."""

    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="rules")
    effective_from = models.DateField(_("in force from"))
    requirements = models.JSONField(_("requirements"), default=list)
    legal_source = models.CharField(_("legal source"), max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=[(s.value, s.value) for s in rules.RuleStatus]
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        ordering = ["award_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["award_type", "effective_from"], name="one_rule_version_per_award_per_day"
            ),
            models.CheckConstraint(
                name="award_rule_status_known",
                condition=Q(status__in=[s.value for s in rules.RuleStatus]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} ({self.effective_from})"

    def clean(self) -> None:
        codes = AwardType.objects.values_list("code", flat=True)
        try:
            rule_data.requirements_from_data(self.requirements, awards=codes)
        except rule_data.RuleDataError as error:
            raise ValidationError({"requirements": describe_data_error(error)}) from None

    def as_version(self, code: str) -> rules.RuleVersion:
        return rules.RuleVersion(
            award=code,
            effective_from=self.effective_from,
            requirements=rule_data.requirements_from_data(self.requirements),
            status=rules.RuleStatus(self.status),
        )


class Nomination(models.Model):
    """A unit's proposal to grant an award to one of its people or collectives for a year."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("awards", "Draft")
        SUBMITTED = "submitted", _("Submitted by the unit")
        COMPILED = "compiled", _("In the cluster's proposal")
        APPROVED = "approved", pgettext_lazy("awards", "Approved")
        RETURNED = "returned", pgettext_lazy("awards", "Returned")
        DECIDED = "decided", pgettext_lazy("awards", "Decided")

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="nominations_made"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )
    collective = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations_received",
    )
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="nominations")
    summary = models.TextField(_("achievement summary"))
    clean_record = models.BooleanField(
        _("free of discipline and open complaints"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    search_key = models.CharField(max_length=255, db_index=True, editable=False)
    record = models.OneToOneField(
        AwardRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="nomination"
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["year", "unit", "award_type__rank", "pk"]
        constraints = [
            one_nominee("nomination", "person", "collective"),
            models.UniqueConstraint(
                fields=["year", "award_type", "person"],
                condition=Q(person__isnull=False),
                name="one_nomination_per_person_award_year",
            ),
            models.UniqueConstraint(
                fields=["year", "award_type", "collective"],
                condition=Q(collective__isnull=False),
                name="one_nomination_per_collective_award_year",
            ),
            models.CheckConstraint(
                name="returned_nomination_has_a_reason",
                condition=~Q(status="returned") | ~Q(return_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} — {self.award_type}"

    @property
    def nominee_name(self) -> str:
        nominee = self.person or self.collective
        return str(nominee)


class EvidenceFile(models.Model):
    """A file attached to a nomination as evidence of the achievements."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to="awards/evidence/%Y/")
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name
