"""Where administrators define distribution: rules, working hours, queue and escalation
times. Assignments, escalations, requests and conflicts are records: shown, not edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.parties.models import (
    CentreDistributionSettings,
    DistributionRule,
    DistributionSettings,
    Escalation,
    OwnershipConflict,
    ProspectAssignment,
    TransferRequest,
    WorkingHours,
)


@admin.register(DistributionRule)
class DistributionRuleAdmin(admin.ModelAdmin):
    list_display = ["priority", "name", "centre", "strategy", "on_duty_only", "is_active"]
    list_display_links = ["name"]
    list_editable = ["priority", "is_active"]
    list_filter = ["is_active", "strategy", "on_duty_only", "centre"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "priority", "is_active"]}),
        (_("Conditions"), {"fields": ["regions", "cities", "interests", "products"]}),
        (_("Placement"), {"fields": ["centre", "strategy", "on_duty_only"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["centre", "user", "weekday", "starts", "ends"]
    list_filter = ["centre", "weekday"]
    raw_id_fields = ["user"]


@admin.register(DistributionSettings)
class DistributionSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "fallback_centre",
        "unassigned_after_minutes",
        "uncontacted_after_minutes",
        "escalation_enabled",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DistributionSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CentreDistributionSettings)
class CentreDistributionSettingsAdmin(admin.ModelAdmin):
    list_display = ["centre", "time_zone", "unassigned_after_minutes", "uncontacted_after_minutes"]


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProspectAssignment)
class ProspectAssignmentAdmin(_ReadOnly):
    list_display = ["person", "centre", "owner", "rule", "method", "assigned_at", "is_current"]
    list_filter = ["method", "is_current", "centre"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "centre", "owner", "rule"]


@admin.register(Escalation)
class EscalationAdmin(_ReadOnly):
    list_display = ["person", "centre", "reason", "head", "created_at", "resolved_at"]
    list_filter = ["reason", "centre"]
    list_select_related = ["person", "centre", "head"]


@admin.register(TransferRequest)
class TransferRequestAdmin(_ReadOnly):
    list_display = ["person", "from_centre", "to_centre", "requested_by", "status", "created_at"]
    list_filter = ["status", "from_centre", "to_centre"]
    list_select_related = ["person", "from_centre", "to_centre", "requested_by"]


@admin.register(OwnershipConflict)
class OwnershipConflictAdmin(_ReadOnly):
    list_display = ["person", "owner_centre", "attempted_centre", "attempted_by", "action", "at"]
    list_filter = ["action", "owner_centre", "attempted_centre"]
    list_select_related = ["person", "owner_centre", "attempted_centre", "attempted_by"]
