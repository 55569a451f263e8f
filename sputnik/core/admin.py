from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import ApiToken, AuditEntry, Centre, CustomFieldDefinition, User
from sputnik.core.services import user_deactivate


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "city", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "city"]


@admin.action(description=_("Deactivate (end sessions and tokens)"))
def deactivate_users(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    for user in queryset:
        user_deactivate(actor=request.user, user=user)  # type: ignore[arg-type]
    messages.success(request, _("Users deactivated."))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "centre", "is_active"]
    list_filter = ["role", "centre", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Sputnik"), {"fields": ("role", "centre", "language", "phone")}),
    )
    actions = [deactivate_users]


@admin.register(CustomFieldDefinition)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["entity", "key", "label_ru", "label_en", "type", "required", "filterable"]
    list_filter = ["entity", "type"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "entity", "entity_id", "summary"]
    list_filter = ["action", "entity"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
