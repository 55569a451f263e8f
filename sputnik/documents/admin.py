from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from sputnik.documents.models import Document, DocumentTemplate, Export
from sputnik.documents.pdf import TemplateError, render_pdf

# What a template is test-rendered with before it is saved, so a broken template is
# refused in the admin instead of failing in the showroom.
SAMPLE_CONTEXT: dict[str, Any] = {
    "person": {
        "full_name": "Иванов Сергей Петрович",
        "short_name": "Иванов С. П.",
        "last_name": "Иванов",
        "first_name": "Сергей",
        "middle_name": "Петрович",
        "phone": "+7 912 345-67-89",
        "email": "ivanov@example.ru",
        "address": "101000, Москва, ул. Мясницкая, д. 1, кв. 2",
        "birthday": "02.01.1980",
    },
    "company": {"name": "Спутник", "centre": "Спутник Москва", "city": "Москва"},
    "purposes": [
        {"key": "personal_data", "label": "Обработка персональных данных"},
        {"key": "marketing", "label": "Маркетинг"},
    ],
    "channels": [{"key": "email", "label": "E-mail"}, {"key": "sms", "label": "SMS"}],
    "date": "01.01.2026",
    "wording_version": "2026-01",
}


class DocumentTemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["key", "language", "title", "version", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 120})}

    def clean_body(self) -> str:
        body = str(self.cleaned_data.get("body") or "")
        try:
            render_pdf(body, SAMPLE_CONTEXT)
        except TemplateError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return body


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = DocumentTemplateForm
    list_display = ["key", "language", "title", "version", "updated_at", "updated_by"]
    list_filter = ["key", "language"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Evidence: listed for support, never edited or downloaded here (no public URL)."""

    list_display = ["name", "kind", "person", "company", "content_type", "size", "uploaded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["person", "company"]
    exclude = ["file", "consents"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Document._meta.fields if f.name != "file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """Who exported which list with which filter: read only."""

    list_display = ["started_at", "actor", "entity", "format", "rows", "status", "via"]
    list_filter = ["entity", "format", "status"]
    exclude = ["file"]  # no public URL; the requester downloads it from the status page

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Export._meta.fields if f.name != "file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
