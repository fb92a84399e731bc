"""The administrator's pages: accounts, organisations, clusters. Nothing with history is deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from thidua.audit.record import record, snapshot

from .models import Cluster, Organization, Succession, User


class AuditedAdmin(admin.ModelAdmin):
    """Every save is attributed in the audit trail; deleting is replaced by archiving."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'change' if change else 'create'}"
        after = snapshot(obj)
        after.pop("password", None)
        if before:
            before.pop("password", None)
        record(action, obj, actor=request.user, before=before, after=after)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "province", "valid_from", "valid_to", "archived"]
    list_filter = ["kind", "archived"]
    search_fields = ["name", "short_name", "province"]


@admin.register(Succession)
class SuccessionAdmin(AuditedAdmin):
    list_display = ["predecessor", "successor", "kind", "effective"]
    list_filter = ["kind"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ["name", "slug", "supervisor", "archived"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class ThiduaUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "full_name", "organization", "position", "is_active"]
    list_filter = ["position", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "organization__name"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Unit"), {"fields": ["full_name", "job_title", "organization", "position"]}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        (_("Unit"), {"fields": ["full_name", "job_title", "organization", "position"]}),
    )
