"""Editing the catalogue in the admin: products with images, option groups and rules;
option groups with their options; price lists with product and option prices.

Only staff holding the CONFIGURE right change anything here (the catalogue is the
network's); each saved top-level object gets an audit entry like a service write.
Rules are checked with the same `rule_errors` the service uses.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.roles import Right
from sputnik.sales.models import (
    Category,
    Option,
    OptionGroup,
    OptionPrice,
    OptionRule,
    PriceList,
    PriceListItem,
    Product,
    ProductImage,
    SavedConfiguration,
)
from sputnik.sales.services.catalogue import rule_errors


def _snapshot(obj: Any) -> dict[str, Any]:
    """The audit snapshot with pictures as their stored names (a file is not JSON)."""
    return {
        k: getattr(v, "name", v) if isinstance(v, FieldFile) else v
        for k, v in snapshot(obj).items()
    }


def _editor(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_staff and user.has_right(Right.CONFIGURE))  # type: ignore[union-attr]


class CatalogueAdmin(admin.ModelAdmin):
    """Staff read; catalogue editors (CONFIGURE) change; every save is audited."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_authenticated and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editor(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_authenticated and request.user.is_staff)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="update" if change else "create",
            instance=obj,
            before=before,
            after=_snapshot(obj),
            summary=f"{obj._meta.verbose_name}: {obj} (admin)",
        )


class EditorInline:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editor(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_authenticated and request.user.is_staff)


@admin.register(Category)
class CategoryAdmin(CatalogueAdmin):
    list_display = ("name", "slug", "parent", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class ProductImageInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = ProductImage
    extra = 0
    fields = ("file", "static_path", "alt", "position")


class OptionGroupInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = OptionGroup
    extra = 0
    fields = ("code", "name", "selection", "position")
    show_change_link = True


class OptionRuleForm(forms.ModelForm):
    class Meta:
        model = OptionRule
        fields = ("option", "kind", "target")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        option, kind, target = data.get("option"), data.get("kind"), data.get("target")
        if option is not None and target is not None and kind:
            for message in rule_errors(option, kind, target):
                self.add_error("target", message)
        return data


class OptionRuleInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = OptionRule
    form = OptionRuleForm
    extra = 0
    fields = ("option", "kind", "target")
    autocomplete_fields = ("option", "target")


@admin.register(Product)
class ProductAdmin(CatalogueAdmin):
    list_display = (
        "sku",
        "name",
        "kind",
        "category",
        "base_price",
        "currency",
        "is_active",
        "is_public",
    )
    list_filter = ("kind", "category", "is_active", "is_public")
    search_fields = ("sku", "name")
    list_select_related = ("category",)
    inlines = (ProductImageInline, OptionGroupInline, OptionRuleInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, OptionRule):
                instance.product = form.instance
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class OptionInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = Option
    extra = 0
    fields = (
        "code",
        "name",
        "price_delta",
        "swatch",
        "image",
        "static_path",
        "position",
        "is_active",
    )


@admin.register(OptionGroup)
class OptionGroupAdmin(CatalogueAdmin):
    list_display = ("name", "code", "product", "selection", "position")
    list_filter = ("selection",)
    search_fields = ("name", "code", "product__name", "product__sku")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    inlines = (OptionInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # An option's product is its group's (denormalised for the unique code per product).
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Option):
                instance.product_id = form.instance.product_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Option)
class OptionAdmin(CatalogueAdmin):
    list_display = ("name", "code", "group", "product", "price_delta", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "product__sku", "product__name")
    list_select_related = ("group", "product")
    exclude = ("product",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.product_id = obj.group.product_id
        super().save_model(request, obj, form, change)


class PriceListItemInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = PriceListItem
    extra = 0
    autocomplete_fields = ("product",)


class OptionPriceInline(EditorInline, admin.TabularInline):  # type: ignore[misc]
    model = OptionPrice
    extra = 0
    autocomplete_fields = ("option",)


@admin.register(PriceList)
class PriceListAdmin(CatalogueAdmin):
    list_display = ("name", "centre", "valid_from", "valid_to", "priority", "currency", "is_active")
    list_filter = ("is_active", "centre", "currency")
    search_fields = ("name",)
    list_select_related = ("centre",)
    date_hierarchy = "valid_from"
    inlines = (PriceListItemInline, OptionPriceInline)


@admin.register(SavedConfiguration)
class SavedConfigurationAdmin(admin.ModelAdmin):
    """Read-only: a saved configuration is a record of what was priced."""

    list_display = ("reference", "product", "total", "currency", "source", "deal_id", "created_at")
    list_filter = ("source",)
    search_fields = ("reference",)
    list_select_related = ("product",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SavedConfiguration._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SavedConfiguration]:
        return super().get_queryset(request)
