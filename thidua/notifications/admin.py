"""The administrator reads the notifications and the e-mails (a failed one says why), and has a
failed e-mail tried again; reads the event feed, the webhooks and what each was sent, and has
webhooks sent again; nothing is changed here by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from thidua.access import SignedInRequest

from . import actions
from .models import Delivery, FeedEvent, Notification, Subscription, WebhookDelivery
from .tasks import schedule, schedule_webhooks


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ["kind", "text", "created_at"]
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "address", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at",
        "last_error",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["recipient"]
    search_fields = ["address", "recipient__username", "recipient__full_name"]
    inlines = [NotificationInline]
    actions = ["try_again"]

    @admin.action(description=_("Try the failed e-mails chosen again"))
    def try_again(self, request: SignedInRequest, queryset: QuerySet[Delivery]) -> None:
        failed = list(queryset.filter(status=Delivery.Status.FAILED))
        for delivery in failed:
            actions.do_retry_delivery(delivery, acting_user=request.user)
        if failed:
            schedule()
        self.message_user(
            request,
            ngettext(
                "%(count)s e-mail will be tried again.",
                "%(count)s e-mails will be tried again.",
                len(failed),
            )
            % {"count": len(failed)},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["recipient", "kind", "text", "created_at", "read_at", "delivery"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "recipient__full_name", "text"]
    list_select_related = ["recipient", "delivery"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["url", "owner", "kinds", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    exclude = ["secret"]


@admin.register(FeedEvent)
class FeedEventAdmin(ReadOnly):
    list_display = ["pk", "kind", "cluster", "year", "object_type", "object_id", "at"]
    list_filter = ["kind"]
    list_select_related = ["cluster", "year"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    """Each webhook sent: its status, attempts and last error; the administrator sends the
    chosen ones again (after the receiver is fixed, or when it lost them)."""

    list_display = [
        "pk", "subscription", "event", "status", "attempts", "last_status", "next_attempt_at",
        "delivered_at", "last_error",
    ]  # fmt: skip
    list_filter = ["status", "event__kind"]
    list_select_related = ["subscription", "event"]
    search_fields = ["subscription__url", "last_error"]
    actions = ["send_again"]

    @admin.action(description=_("Send the chosen webhooks again"))
    def send_again(self, request: SignedInRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        again = [
            d
            for d in queryset.select_related("subscription")
            if actions.do_replay_webhook(d, acting_user=request.user).status
            == WebhookDelivery.Status.PENDING
        ]
        if again:
            schedule_webhooks()
        self.message_user(
            request,
            ngettext(
                "%(count)s webhook will be sent again.",
                "%(count)s webhooks will be sent again.",
                len(again),
            )
            % {"count": len(again)},
            messages.SUCCESS,
        )
