"""Signed proposal dossiers: those a cluster sent, and those a supervisor received.

The receiving side keeps its own copy of everything (names as the package states them, the
files themselves), so a dossier imported into another installation, where the sender's rows do
not exist, reads the same as one imported next to them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thidua.awards.models import Nomination
from thidua.cycle.models import EmulationYear
from thidua.lib import clock
from thidua.orgs.models import Organization

from .problems import ROLE_LABELS


class SentDossier(models.Model):
    """A year's proposal as the cluster's secretariat exported it, signed."""

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("dossier", "Sent")
        RETURNED = "returned", pgettext_lazy("dossier", "Returned")

    dossier_id = models.CharField(_("dossier number"), max_length=40, unique=True)
    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    receiver_name = models.CharField(_("receiver"), max_length=255)
    package = models.FileField(_("package"), upload_to="dossier/sent/%Y/")
    package_sha256 = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict)
    nominations = models.ManyToManyField(Nomination, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    reply_reason = models.TextField(_("reason for returning"), blank=True)
    reply_signer = models.CharField(max_length=255, blank=True)
    reply_imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sent dossier")
        verbose_name_plural = _("sent dossiers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id}"


class ReceivedDossier(models.Model):
    """A package a supervising department imported, verified whole before it was kept."""

    class Status(models.TextChoices):
        REVIEW = "review", _("Under review")
        RETURNED = "returned", pgettext_lazy("dossier", "Returned")

    dossier_id = models.CharField(_("dossier number"), max_length=40, unique=True)
    receiver = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sender_name = models.CharField(_("sender"), max_length=255)
    leader_name = models.CharField(_("signed by"), max_length=255)
    cluster_name = models.CharField(_("cluster"), max_length=255)
    cluster_slug = models.CharField(max_length=100)
    year = models.PositiveIntegerField(_("year"))
    sent_at = models.CharField(_("sent at"), max_length=40)
    package = models.FileField(_("package"), upload_to="dossier/received/%Y/")
    package_sha256 = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict)
    verification = models.JSONField(_("verification"), default=list)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    local_year = models.ForeignKey(
        EmulationYear, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REVIEW
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    reply = models.FileField(_("reply"), upload_to="dossier/replies/%Y/", blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("received dossier")
        verbose_name_plural = _("received dossiers")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="returned_dossier_has_a_reason",
                condition=~Q(status="returned") | ~Q(return_reason=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster_name} {self.year}"

    @property
    def signature_count(self) -> int:
        return sum(len(item.get("signatures", [])) for item in self.verification)


class ReceivedNomination(models.Model):
    """A nomination for review, as the package states it."""

    class Status(models.TextChoices):
        REVIEW = "review", _("Under review")
        RETURNED = "returned", pgettext_lazy("dossier", "Returned")

    dossier = models.ForeignKey(
        ReceivedDossier, on_delete=models.PROTECT, related_name="nominations"
    )
    ref = models.CharField(max_length=40)
    nominee_name = models.CharField(_("nominee"), max_length=255)
    collective = models.BooleanField(default=False)
    unit_name = models.CharField(_("unit"), max_length=255)
    award_code = models.CharField(max_length=40)
    award_name = models.CharField(_("award"), max_length=255)
    summary = models.TextField(_("achievement summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REVIEW
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # The cluster's own nomination, when the package comes from this same installation.
    nomination = models.ForeignKey(
        Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("nomination received")
        verbose_name_plural = _("nominations received")
        ordering = ["dossier", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "ref"], name="one_received_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} — {self.award_name}"


class ReceivedFile(models.Model):
    """One file of a received package, checked against the manifest and kept."""

    dossier = models.ForeignKey(ReceivedDossier, on_delete=models.PROTECT, related_name="files")
    nomination = models.ForeignKey(
        ReceivedNomination,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    path = models.CharField(max_length=255)
    role = models.CharField(max_length=20)
    title = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="dossier/files/%Y/")

    class Meta:
        ordering = ["dossier", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "path"], name="one_received_path"),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))
