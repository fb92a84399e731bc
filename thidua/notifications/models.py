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


# --- events out: the feed and the webhooks ------------------------------------------------------


class EventKind(models.TextChoices):
    """What the event feed and the webhooks carry: what the inbox tells of, and a poll closed."""

    PHASE_OPENED = "phase.opened", _("A phase of the year opens")
    POLL_OPENED = "poll.opened", _("A poll opens")
    POLL_CLOSED = "poll.closed", _("A poll closes")
    NOMINATION_RETURNED = "nomination.returned", _("A nomination is returned")
    DECISION_RECORDED = "decision.recorded", _("A decision is recorded")


class FeedEvent(models.Model):
    """One event of the feed (`GET /api/v1/events`), written in its action's transaction.

    Its `data` is what any reader allowed to see the year may know: never a unit's ballot.
    """

    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    entry = models.OneToOneField(
        "audit.AuditEntry",
        verbose_name=_("audit entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.ForeignKey(
        "cycle.EmulationYear", verbose_name=_("year"), on_delete=models.PROTECT, related_name="+"
    )
    cluster = models.ForeignKey(
        "orgs.Cluster",
        verbose_name=_("emulation cluster"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    data = models.JSONField(_("data"), default=dict)
    at = models.DateTimeField(_("at"))
    # When the feed got it (as the action wrote it): the feed's Last-Modified.
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.data.get('object', '')}"


class Subscription(models.Model):
    """A program's address that is sent the events of the kinds it chose, signed with its own
    secret; it hears only of what its owner may see."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("secret"), max_length=64)
    kinds = models.JSONField(_("kinds"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one subscription, and how sending it went (retried with a growing
    pause, a bounded number of times; the administrator may send it again)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("webhook subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        FeedEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_once_per_event"
            ),
            models.CheckConstraint(
                name="webhook_delivered_has_a_time",
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription.url}: {self.event}"
