"""What a person is told (a notification), the e-mails that carry it, and what each wants mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The kinds of notification; each person chooses which of them come by e-mail."""

    PHASE = "phase", _("A phase of the year opens")
    DEADLINE = "deadline", _("A deadline nears or has passed")
    RETURNED = "returned", _("Something of my unit is returned")
    POLL = "poll", _("A poll opens")
    DECISION = "decision", _("A decision is recorded")


class Delivery(models.Model):
    """One e-mail to one person, listing one or more notifications, and how sending it went.

    Pending until the mail server takes it (sent); an attempt the server refuses is tried again
    later, a bounded number of times, and then the e-mail is failed. One nobody should get any
    more (the person left the unit or was deactivated) is cancelled.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: no longer concerns the person")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
    )
    address = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The real time of the next attempt (not the domain's clock: it paces the mail server).
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="delivery_sent_has_a_time",
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.subject}"


class Notification(models.Model):
    """One thing one person is told, once: the text is written, in Vietnamese, when it happens."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The unit through which the person was told: one who leaves it is told no more of it.
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("unit of the recipient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The event, named so that it is told to each person once (an audit entry, a deadline's stage).
    key = models.CharField(_("event"), max_length=100)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    year = models.ForeignKey(
        "cycle.EmulationYear",
        verbose_name=_("year"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cluster = models.ForeignKey(
        "orgs.Cluster",
        verbose_name=_("emulation cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Still to be put in an e-mail (or dropped, if the person does not want it by e-mail).
    email_due = models.BooleanField(_("e-mail due"), default=True)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="told_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["email_due"], name="notification_email_due", condition=Q(email_due=True)
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Preference(models.Model):
    """Whether one person wants one kind of notification by e-mail (without a row: yes).

    Every notification is listed in the application whatever is chosen here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()}: {self.email}"
