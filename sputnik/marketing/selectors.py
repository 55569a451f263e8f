"""Reads of lead forms and their submissions, scoped by the acting user.

Forms are the company's configuration and any signed-in user may see that they exist.
Submissions carry customer data: users with FORM_MANAGE (marketing, administrators) see
every one; everybody else sees only those whose person they may see, so a sales
manager finds the submissions of their own leads and nothing of other centres'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from sputnik.core.models import User
from sputnik.core.paging import Page, keyset_page
from sputnik.core.roles import Right
from sputnik.marketing.models import FormSubmission, LeadForm
from sputnik.parties.models import Person


def may_manage_forms(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and actor.has_right(Right.FORM_MANAGE)


def visible_submissions(actor: User) -> QuerySet[FormSubmission]:
    qs = FormSubmission.objects.all()
    if may_manage_forms(actor):
        return qs
    if not actor.has_right(Right.PARTY_VIEW):
        return qs.none()
    return qs.filter(person_id__in=Person.objects.visible_to(actor).values("pk"))


@dataclass(frozen=True)
class FormRow:
    form: LeadForm
    total: int
    processed: int
    spam: int
    failed: int


def _counts() -> dict[str, Count]:
    s = FormSubmission.Status
    return {
        "n_total": Count("pk"),
        "n_processed": Count("pk", filter=Q(status=s.PROCESSED)),
        "n_spam": Count("pk", filter=Q(status=s.SPAM)),
        "n_failed": Count("pk", filter=Q(status__in=[s.FAILED, s.INVALID])),
    }


def leadform_list(*, actor: User) -> list[FormRow]:
    """Every form with the counts of the submissions the actor may see (one query each)."""
    forms = list(LeadForm.objects.select_related("target_centre").order_by("name", "id"))
    per_form: dict[int, dict[str, Any]] = {
        row["form_id"]: dict(row)
        for row in visible_submissions(actor).values("form_id").annotate(**_counts()).order_by()
    }
    rows = []
    for form in forms:
        c = per_form.get(form.pk, {})
        rows.append(
            FormRow(
                form=form,
                total=c.get("n_total", 0),
                processed=c.get("n_processed", 0),
                spam=c.get("n_spam", 0),
                failed=c.get("n_failed", 0),
            )
        )
    return rows


def leadform_get(*, actor: User, form_id: int) -> LeadForm:
    """A form by id, or LeadForm.DoesNotExist (a 404)."""
    if actor is None or not actor.is_authenticated:
        raise LeadForm.DoesNotExist
    return LeadForm.objects.select_related("target_centre").get(pk=form_id)


def leadform_public(*, public_key: str) -> LeadForm:
    """An active form by its public key, or LeadForm.DoesNotExist (a 404 for visitors)."""
    key = str(public_key or "")[:40]
    return LeadForm.objects.get(public_key=key, is_active=True)


def submission_counts(*, actor: User, form: LeadForm) -> FormRow:
    c = visible_submissions(actor).filter(form=form).aggregate(**_counts())
    return FormRow(
        form=form,
        total=c["n_total"] or 0,
        processed=c["n_processed"] or 0,
        spam=c["n_spam"] or 0,
        failed=c["n_failed"] or 0,
    )


def submission_list(
    *,
    actor: User,
    form: LeadForm,
    status: str = "",
    cursor: str | None = None,
    size: int = 50,
) -> Page[FormSubmission]:
    qs = visible_submissions(actor).filter(form=form)
    if status == FormSubmission.Status.FAILED:
        qs = qs.filter(status__in=[FormSubmission.Status.FAILED, FormSubmission.Status.INVALID])
    elif status in FormSubmission.Status.values:
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, size=min(max(size, 1), 200))


def person_submissions(*, actor: User, person: Person, limit: int = 10) -> list[FormSubmission]:
    """The latest submissions of a person the caller already fetched as visible."""
    return list(
        visible_submissions(actor)
        .filter(person_id=person.pk)
        .select_related("form")
        .order_by("-created_at", "-id")[:limit]
    )


def persons_by_id(*, actor: User, ids: set[int]) -> dict[int, Person]:
    """The visible persons among `ids` (for linking a page of submissions), one query."""
    if not ids:
        return {}
    return {p.pk: p for p in Person.objects.visible_to(actor).filter(pk__in=ids)}
