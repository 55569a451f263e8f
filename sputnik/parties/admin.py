from django.contrib import admin

from sputnik.parties.models import Consent, Interest, Tag


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_ru", "name_en", "is_active"]
    search_fields = ["slug", "name_ru", "name_en"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents are evidence: shown, never edited here (withdraw through the service)."""

    list_display = ["person", "purpose", "channel", "source", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "channel", "source"]
    raw_id_fields = ["person"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Consent._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


# Distribution's rules, hours and records (V3), registered by its own module.
from sputnik.parties.distribution import admin as _distribution_admin  # noqa: E402, F401
