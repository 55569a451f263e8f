from django.contrib import admin

from sputnik.parties.models import Interest, Tag


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_ru", "name_en", "is_active"]
    search_fields = ["slug", "name_ru", "name_en"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
