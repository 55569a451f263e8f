"""Admin for the deals side of sales: pipelines with their stages (ordered, with default
probabilities and entry rules) and the lost-reason list. Deals themselves are read-only
here: they change through the services (audit, events, stage history)."""

from __future__ import annotations

from django.contrib import admin

from sputnik.sales.models import Deal, LostReason, Pipeline, PipelineStage


class StageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0
    ordering = ["position", "id"]
    fields = [
        "position",
        "name_ru",
        "name_en",
        "kind",
        "probability",
        "requires_lines",
        "requires_amount",
        "requires_expected_close",
        "requires_trade_in_appraisal",
    ]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_en", "kind", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [StageInline]

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # A pipeline with deals is history; switch it off instead (PROTECT would refuse).
        return obj is None or not obj.deals.exists()


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "pipeline",
        "stage",
        "status",
        "centre",
        "owner",
        "amount",
        "created_at",
    ]
    list_filter = ["pipeline", "status", "centre"]
    list_select_related = ["pipeline", "stage", "centre", "owner"]
    raw_id_fields = ["person", "company"]
    show_full_result_count = False  # no COUNT(*) over a million deals

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Deal._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
