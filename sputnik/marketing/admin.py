"""Lead forms in the Django admin: read-only views, and a way to re-run failed submissions.

Forms are built on the CRM's builder page, whose service versions the consent wording;
editing them here would bypass that, so the admin only shows them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sputnik.marketing.models import ConsentWording, FormSubmission, LeadForm
from sputnik.marketing.services import submission_process


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LeadForm)
class LeadFormAdmin(ReadOnlyAdmin):
    list_display = ("name", "is_active", "target_centre", "consent_version", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(ConsentWording)
class ConsentWordingAdmin(ReadOnlyAdmin):
    list_display = ("form", "version", "created_at", "created_by")
    list_select_related = ("form", "created_by")


@admin.register(FormSubmission)
class FormSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "form", "status", "person_id", "ip_address", "created_at")
    list_filter = ("status", "form")
    list_select_related = ("form",)
    show_full_result_count = False  # no COUNT(*) over millions of submissions per page
    actions = ["process_again"]

    @admin.action(description=_("Process failed submissions again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[FormSubmission]) -> None:
        ids = list(
            queryset.filter(status=FormSubmission.Status.FAILED).values_list("pk", flat=True)[:500]
        )
        done = sum(
            submission_process(submission_id=pk).status == FormSubmission.Status.PROCESSED
            for pk in ids
        )
        self.message_user(
            request,
            ngettext(
                "%(done)d of %(n)d submission processed.",
                "%(done)d of %(n)d submissions processed.",
                len(ids),
            )
            % {"done": done, "n": len(ids)},
            messages.SUCCESS if done == len(ids) else messages.WARNING,
        )
