"""The cluster's year: its members, head and deputy, phase, movement and pledge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thidua.orgs.models import Cluster, Organization


class Phase(models.TextChoices):
    """The year cycle of DESIGN.md, in order."""

    SETUP = "setup", _("Setup")
    PLEDGE = "pledge", _("Pledge")
    IN_PROGRESS = "in_progress", _("In progress")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    CROSS_CHECK = "cross_check", _("Cross-check")
    CONFERENCE = "conference", _("Review conference")
    VOTING = "voting", _("Voting")
    PROPOSALS = "proposals", _("Proposals")
    CLOSED = "closed", _("Closed")


class EmulationYear(models.Model):
    """One cluster's cycle for one calendar year (năm thi đua)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.SETUP)
    phase_changed_at = models.DateTimeField(_("phase changed at"), null=True, blank=True)
    members: models.ManyToManyField[Organization, Membership] = models.ManyToManyField(
        Organization, through="Membership", related_name="emulation_years"
    )

    class Meta:
        verbose_name = _("emulation year")
        verbose_name_plural = _("emulation years")
        ordering = ["cluster", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="one_year_per_cluster_year"),
            models.CheckConstraint(
                name="year_within_range", condition=Q(year__gte=1945) & Q(year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED


class Membership(models.Model):
    """An organisation in a cluster for a year, and whether it is head or deputy that year."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        HEAD = "head", _("Cluster head")
        DEPUTY = "deputy", _("Cluster deputy")

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "organization"], name="one_membership_per_unit_per_year"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(role="head"), name="one_head_per_year"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(role="deputy"), name="one_deputy_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class Movement(models.Model):
    """The emulation movement launched for the year (phong trào thi đua)."""

    year = models.OneToOneField(EmulationYear, on_delete=models.PROTECT, related_name="movement")
    title = models.CharField(_("title"), max_length=500)
    launched_on = models.DateField(_("launch date"))
    goals = models.TextField(_("goals"))
    targets = models.TextField(_("targets"), blank=True)

    class Meta:
        verbose_name = _("emulation movement")
        verbose_name_plural = _("emulation movements")

    def __str__(self) -> str:
        return self.title


class Pledge(models.Model):
    """The emulation pledge the members sign for the year (giao ước thi đua)."""

    year = models.OneToOneField(EmulationYear, on_delete=models.PROTECT, related_name="pledge")
    title = models.CharField(_("title"), max_length=500)
    preamble = models.TextField(_("preamble"), blank=True)

    class Meta:
        verbose_name = _("emulation pledge")
        verbose_name_plural = _("emulation pledges")

    def __str__(self) -> str:
        return self.title


class PledgeArticle(models.Model):
    """One numbered commitment of the pledge."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("pledge article")
        verbose_name_plural = _("pledge articles")
        ordering = ["pledge", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "number"], name="one_article_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Signature(models.Model):
    """A member unit's signature of the pledge, by its leader; kept as signed."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="signatures")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pledge_signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledge_signatures"
    )
    signer_name = models.CharField(_("signer"), max_length=150)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["pledge", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organization"], name="one_signature_per_unit_per_pledge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.signer_name}"


class Deadline(models.Model):
    """The day by which the members must finish what a phase asks of them (the secretariat's)."""

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="deadlines")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["year", "phase"], name="one_deadline_per_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.get_phase_display()}: {self.due_on:%d/%m/%Y}"
