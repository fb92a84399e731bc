"""The administrator reads the notifications and the e-mails (a failed one says why), and has a
failed e-mail tried again; nothing is changed here by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Delivery, Notification
from .tasks import schedule


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
    def try_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
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
