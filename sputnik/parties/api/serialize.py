"""Records to response dicts, in the shapes of schemas.py."""

from __future__ import annotations

from typing import Any

from sputnik.core.api import (
    user_ref,
)
from sputnik.core.models import AuditEntry
from sputnik.core.normalize import format_phone
from sputnik.parties.models import (
    Asset,
    Company,
    ContactPoint,
    Person,
)
from sputnik.parties.selectors import LookupHit


def _contact(c: ContactPoint) -> dict[str, Any]:
    display = format_phone(c.value) if c.kind == ContactPoint.Kind.PHONE else c.value
    return {"value": c.value, "display": display, "label": c.label, "is_primary": c.is_primary}


def _contacts(owner: Person | Company) -> dict[str, list[dict[str, Any]]]:
    """Split prefetched contacts by kind, primary first."""
    result: dict[str, list[dict[str, Any]]] = {"phones": [], "emails": [], "handles": []}
    rows = sorted(owner.contacts.all(), key=lambda c: (not c.is_primary, c.pk))
    for c in rows:
        if c.kind == ContactPoint.Kind.PHONE:
            result["phones"].append(_contact(c))
        elif c.kind == ContactPoint.Kind.EMAIL:
            result["emails"].append(_contact(c))
        else:
            result["handles"].append({"kind": c.kind, "value": c.value, "label": c.label})
    return result


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": str(obj)}


def lookup_hit_out(hit: LookupHit) -> dict[str, Any]:
    """The same shape as `person_summary`, from the lookup's read model."""
    contacts: dict[str, list[dict[str, Any]]] = {"phones": [], "emails": []}
    for c in sorted(hit.contacts, key=lambda c: not c.is_primary):
        if c.kind in (ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL):
            display = format_phone(c.value) if c.kind == ContactPoint.Kind.PHONE else c.value
            contacts["phones" if c.kind == ContactPoint.Kind.PHONE else "emails"].append(
                {"value": c.value, "display": display, "label": c.label, "is_primary": c.is_primary}
            )
    return {
        "id": hit.pk,
        "display_name": hit.display_name,
        "last_name": hit.last_name,
        "first_name": hit.first_name,
        "middle_name": hit.middle_name,
        "stage": hit.stage,
        "is_vip": hit.is_vip,
        "centre": {"id": hit.centre_id, "name": hit.centre_name},
        "owner": None
        if hit.owner_id is None
        else {"id": hit.owner_id, "display_name": hit.owner_full_name},
        **contacts,
        "created_at": hit.created_at,
        "updated_at": hit.updated_at,
    }


def person_summary(p: Person) -> dict[str, Any]:
    contacts = _contacts(p)
    return {
        "id": p.pk,
        "display_name": p.display_name,
        "last_name": p.last_name,
        "first_name": p.first_name,
        "middle_name": p.middle_name,
        "stage": p.stage,
        "is_vip": p.is_vip,
        "centre": _ref(p.centre),
        "owner": user_ref(p.owner),
        "phones": contacts["phones"],
        "emails": contacts["emails"],
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def person_detail(p: Person) -> dict[str, Any]:
    contacts = _contacts(p)
    return {
        **person_summary(p),
        "birthday": p.birthday,
        "family_status": p.family_status,
        "job_title": p.job_title,
        "employer": _ref(p.employer),
        "wishes": p.wishes,
        "source": p.source,
        "source_campaign": p.source_campaign,
        "utm_source": p.utm_source,
        "utm_medium": p.utm_medium,
        "utm_campaign": p.utm_campaign,
        "handles": contacts["handles"],
        "interests": sorted(i.slug for i in p.interests.all()),
        "tags": sorted(t.name for t in p.tags.all()),
        "custom": p.custom or {},
    }


def company_detail(c: Company) -> dict[str, Any]:
    contacts = _contacts(c)
    return {
        "id": c.pk,
        "name": c.name,
        "inn": c.inn,
        "industry": c.industry,
        "website": c.website,
        "source": c.source,
        "source_campaign": c.source_campaign,
        "utm_source": c.utm_source,
        "utm_medium": c.utm_medium,
        "utm_campaign": c.utm_campaign,
        "centre": _ref(c.centre),
        "owner": user_ref(c.owner),
        "phones": contacts["phones"],
        "emails": contacts["emails"],
        "custom": c.custom or {},
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def asset_out(a: Asset) -> dict[str, Any]:
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "kind": a.kind,
        "make": a.make,
        "model": a.model,
        "year": a.year,
        "vin": a.vin,
        "plate": a.plate,
        "purchase_date": a.purchase_date,
        "warranty_end": a.warranty_end,
        "mileage_km": a.mileage_km,
        "last_service_date": a.last_service_date,
        "disposed_at": a.disposed_at,
    }


def history_out(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "actor": user_ref(e.actor),
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "summary": e.summary,
        "changes": [{"field": k, "before": b, "after": a} for k, b, a in e.changes()],
    }
