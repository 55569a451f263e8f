"""Admin of the order workflow (statuses, their order and allowed next steps) and
read-only views of quotes, orders, their history, status links and the event outbox.

The workflow is company configuration; quotes and orders change only through their
services (numbering, audit, events), so the admin shows them and never edits them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sputnik.sales.models import NumberPrefix, Order, OrderEvent, OrderStatus, Quote


@admin.register(OrderStatus)
class OrderStatusAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en", "position", "is_initial", "meaning", "is_active"]
    list_editable = ["position", "is_active"]
    filter_horizontal = ["allowed_next"]
    ordering = ["position", "id"]


@admin.register(NumberPrefix)
class NumberPrefixAdmin(admin.ModelAdmin):
    list_display = ["centre", "prefix"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(_ReadOnly):
    list_display = ["number", "version", "status", "centre", "gross_total", "valid_until"]
    list_filter = ["status", "centre"]
    search_fields = ["number"]
    show_full_result_count = False


@admin.register(Order)
class OrderAdmin(_ReadOnly):
    list_display = ["number", "status", "centre", "gross_total", "expected_date", "created_at"]
    list_filter = ["status", "centre"]
    search_fields = ["number"]
    show_full_result_count = False


@admin.register(OrderEvent)
class OrderEventAdmin(_ReadOnly):
    list_display = ["key", "name", "order", "created_at", "processed_at"]
    list_filter = ["name"]
    show_full_result_count = False
