"""REST endpoints for persons, companies, relations, assets and lookup.

Handlers stay thin: they parse, fetch the record through a visibility-scoped selector
(so a hidden record is a 404 exactly like a missing one), call one service and return
a schema. Centre and owner change only through /persons/{id}/transfer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Ref,
    Str20,
    Str50,
    Str100,
    Str200,
    Str300,
    Str1000,
    Str5000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.core.models import AuditEntry
from sputnik.core.normalize import format_phone
from sputnik.parties import selectors, services
from sputnik.parties.models import (
    Asset,
    Company,
    ContactPoint,
    FamilyStatus,
    Person,
    Relation,
    Source,
    Stage,
)

router = Router(tags=["persons and companies"])

MAX_ITEMS = 20

# --- input schemas ----------------------------------------------------------------------


class ContactIn(InSchema):
    value: Str300
    label: Str50 = ""
    is_primary: bool = False


class HandleIn(InSchema):
    kind: Literal["messenger", "social"] = "messenger"
    value: Str300
    label: Str50 = ""


CustomKey = Annotated[str, StringConstraints(max_length=50, pattern=r"^[A-Za-z0-9_-]+$")]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
CustomValue = Str1000 | int | FiniteFloat | bool | None
CustomIn = dict[CustomKey, CustomValue]
Contacts = Annotated[list[Str300 | ContactIn], Field(max_length=MAX_ITEMS)]
Handles = Annotated[list[HandleIn], Field(max_length=MAX_ITEMS)]
Words = Annotated[list[Str50], Field(max_length=50)]


class _PartyFields(InSchema):
    source_campaign: Str200 | None = None
    utm_source: Str200 | None = None
    utm_medium: Str200 | None = None
    utm_campaign: Str200 | None = None
    phones: Contacts | None = None
    emails: Contacts | None = None
    custom: CustomIn | None = None


class PersonPatch(_PartyFields):
    """Every field is optional; only the fields sent change. Centre and owner are not
    fields here: a request naming them (or any unknown field) is refused with 422."""

    last_name: Str100 | None = None
    first_name: Str100 | None = None
    middle_name: Str100 | None = None
    stage: Stage | None = None
    birthday: dt.date | None = None
    family_status: FamilyStatus | None = None
    job_title: Str200 | None = None
    employer_id: Id | None = None
    wishes: Str5000 | None = None
    is_vip: bool | None = None
    source: Source | None = None
    handles: Handles | None = None
    interests: Words | None = None
    tags: Words | None = None


class PersonIn(PersonPatch):
    """A new person. Roles that route work may place it in another centre or with another
    owner; for everyone else it lands in their own centre."""

    centre_id: Id | None = None
    owner_id: Id | None = None


class CompanyPatch(_PartyFields):
    name: Str300 | None = None
    inn: Str20 | None = None
    industry: Str200 | None = None
    website: Str200 | None = None
    source: Source | None = None


class CompanyIn(CompanyPatch):
    name: Str300
    centre_id: Id | None = None
    owner_id: Id | None = None


class StageIn(InSchema):
    stage: Stage
    reason: Str300 = ""


class TransferIn(InSchema):
    centre_id: Id
    owner_id: Id | None = None


class RelationIn(InSchema):
    other_id: Id
    kind: Relation.Kind
    note: Str200 = ""


Year = Annotated[int, Field(ge=-(2**31), le=2**31)]
Mileage = Annotated[int, Field(ge=-(2**31), le=2**31)]


class AssetPatch(InSchema):
    kind: Asset.Kind | None = None
    make: Str100 | None = None
    model: Str100 | None = None
    year: Year | None = None
    vin: Str50 | None = None
    plate: Str20 | None = None
    purchase_date: dt.date | None = None
    warranty_end: dt.date | None = None
    mileage_km: Mileage | None = None
    last_service_date: dt.date | None = None


class AssetIn(AssetPatch):
    make: Str100
    model: Str100


def _data(payload: InSchema) -> dict[str, Any]:
    """The fields the client sent, as plain values for the services."""
    data = payload.model_dump(exclude_unset=True)
    for key in ("phones", "emails"):
        if data.get(key) is not None:
            data[key] = [item if isinstance(item, dict) else {"value": item} for item in data[key]]
    return data


# --- output schemas ---------------------------------------------------------------------


class ContactOut(Schema):
    value: str = Field(description="E.164 for phones, folded address for e-mails")
    display: str
    label: str
    is_primary: bool


class HandleOut(Schema):
    kind: str
    value: str
    label: str


class PersonRef(Schema):
    id: int
    display_name: str


class PersonSummaryOut(Schema):
    id: int
    display_name: str
    last_name: str
    first_name: str
    middle_name: str
    stage: str
    is_vip: bool
    centre: Ref
    owner: UserRef | None
    phones: list[ContactOut]
    emails: list[ContactOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonOut(PersonSummaryOut):
    birthday: dt.date | None
    family_status: str
    job_title: str
    employer: Ref | None
    wishes: str
    source: str
    source_campaign: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    handles: list[HandleOut]
    interests: list[str]
    tags: list[str]
    custom: dict[str, Any]


class CompanyOut(Schema):
    id: int
    name: str
    inn: str
    industry: str
    website: str
    source: str
    source_campaign: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    centre: Ref
    owner: UserRef | None
    phones: list[ContactOut]
    emails: list[ContactOut]
    custom: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class RelationOut(Schema):
    id: int
    kind: str
    label: str
    note: str
    other: PersonRef


class AssetOut(Schema):
    id: int
    person_id: int
    kind: str
    make: str
    model: str
    year: int | None
    vin: str
    plate: str
    purchase_date: dt.date | None
    warranty_end: dt.date | None
    mileage_km: int | None
    last_service_date: dt.date | None
    disposed_at: dt.date | None


class ChangeOut(Schema):
    field: str
    before: Any = None
    after: Any = None


class HistoryOut(Schema):
    id: int
    at: dt.datetime
    actor: UserRef | None
    action: str
    entity: str
    entity_id: int
    summary: str
    changes: list[ChangeOut]


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


# --- persons ----------------------------------------------------------------------------


class PersonListQuery(Schema):
    q: Str200 = Field("", description="A name, any spelling of a phone, or an e-mail")
    stage: Stage | None = None
    centre: Id | None = None
    owner: Annotated[str, StringConstraints(pattern=r"^(me|[1-9][0-9]{0,17})$")] | None = Field(
        None, description='A user id, or "me"'
    )
    tag: Str50 = ""
    interest: Str50 = ""
    source: Source | None = None
    sort: Literal["name", "-name", "created", "-created"] = "name"
    cursor: CursorStr | None = None
    limit: PageSize = 50


@router.get(
    "/persons",
    response={200: PageOut[PersonSummaryOut], **ERRORS},
    summary="List persons",
)
def list_persons(request: HttpRequest, params: Query[PersonListQuery]) -> dict[str, Any]:
    """Persons the user may see. Administrator-defined fields filter as `cf_<key>=value`."""
    actor = actor_of(request)
    custom: dict[str, str] = {}
    for key in request.GET:
        value = str(request.GET.get(key, ""))
        if key.startswith("cf_") and len(key) < 60 and value.strip() and "\x00" not in value:
            custom[key[3:]] = value
    owner_id = None
    if params.owner == "me":
        owner_id = actor.pk
    elif params.owner:
        owner_id = int(params.owner)
    filters = selectors.PersonFilters(
        q=params.q.strip(),
        stage=params.stage or "",
        centre_id=params.centre,
        owner_id=owner_id,
        tag=params.tag.strip(),
        interest=params.interest.strip(),
        source=params.source or "",
        custom=custom,
    )
    page = selectors.person_list(
        actor=actor, filters=filters, sort=params.sort, cursor=params.cursor, size=params.limit
    )
    return {"items": [person_summary(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/persons", response={201: PersonOut, **ERRORS}, summary="Create a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Any]:
    actor = actor_of(request)
    person = services.person_create(actor=actor, data=_data(payload))
    return Status(201, person_detail(selectors.person_card(actor=actor, person_id=person.pk)))


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="A person")
def get_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    return person_detail(selectors.person_card(actor=actor_of(request), person_id=person_id))


@router.patch(
    "/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person"
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_update(actor=actor, person=person, data=_data(payload))
    return person_detail(selectors.person_card(actor=actor, person_id=person_id))


@router.delete("/persons/{person_id}", response={204: None, **ERRORS}, summary="Delete a person")
def delete_person(request: HttpRequest, person_id: Id) -> Status[Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_delete(actor=actor, person=person)
    return Status(204, None)


@router.post(
    "/persons/{person_id}/stage",
    response={200: PersonOut, **ERRORS},
    summary="Move a person to another lifecycle stage",
)
def change_stage(request: HttpRequest, person_id: Id, payload: StageIn) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_change_stage(
        actor=actor, person=person, stage=payload.stage, reason=payload.reason
    )
    return person_detail(selectors.person_card(actor=actor, person_id=person_id))


@router.post(
    "/persons/{person_id}/transfer",
    response={200: PersonOut, **ERRORS},
    summary="Move a person to another centre and/or owner",
)
def transfer_person(request: HttpRequest, person_id: Id, payload: TransferIn) -> dict[str, Any]:
    """The only way to change a record's centre or owner; needs the transfer right."""
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    person = services.person_transfer(
        actor=actor, person=person, centre_id=payload.centre_id, owner_id=payload.owner_id
    )
    # The record may now be out of the actor's sight, so answer from the moved row itself.
    return person_detail(person)


@router.get(
    "/persons/{person_id}/history",
    response={200: PageOut[HistoryOut], **ERRORS},
    summary="The audit trail of a person",
)
def person_history(
    request: HttpRequest, person_id: Id, cursor: CursorStr | None = None, limit: PageSize = 50
) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    page = selectors.person_history(actor=actor, person=person, cursor=cursor, size=limit)
    return {"items": [history_out(e) for e in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/lookup",
    response={200: list[PersonSummaryOut], **ERRORS},
    summary="Find persons by phone or e-mail",
)
def lookup(request: HttpRequest, phone: Str100 = "", email: Str300 = "") -> list[dict[str, Any]]:
    """Any spelling of a phone works: "8 (912) 345-67-89", "+7 912 345 67 89", "9123456789".
    Only persons the user may see are returned (at most 20)."""
    people = selectors.person_lookup(actor=actor_of(request), phone=phone, email=email)
    return [person_summary(p) for p in people]


# --- relations --------------------------------------------------------------------------


def _relation_out(label: str, rel: Relation, other: Person) -> dict[str, Any]:
    return {
        "id": rel.pk,
        "kind": rel.kind,
        "label": label,
        "note": rel.note,
        "other": {"id": other.pk, "display_name": other.display_name},
    }


@router.get(
    "/persons/{person_id}/relations",
    response={200: list[RelationOut], **ERRORS},
    summary="A person's relations",
)
def list_relations(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return [_relation_out(*row) for row in selectors.person_relations(actor=actor, person=person)]


@router.post(
    "/persons/{person_id}/relations",
    response={201: RelationOut, **ERRORS},
    summary="Relate a person to another",
)
def create_relation(request: HttpRequest, person_id: Id, payload: RelationIn) -> Status[Any]:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    try:
        other = selectors.person_get(actor=actor, person_id=payload.other_id)
    except Person.DoesNotExist as exc:
        # The same answer for a hidden and a missing person.
        raise ValidationError({"other_id": [_("Choose a valid person.")]}) from exc
    rel = services.relation_create(
        actor=actor, person=person, other=other, kind=payload.kind, note=payload.note
    )
    return Status(201, _relation_out(rel.get_kind_display(), rel, other))


@router.delete("/relations/{relation_id}", response={204: None, **ERRORS}, summary="Unrelate")
def delete_relation(request: HttpRequest, relation_id: Id) -> Status[Any]:
    actor = actor_of(request)
    relation = selectors.relation_get(actor=actor, relation_id=relation_id)
    services.relation_delete(actor=actor, relation=relation)
    return Status(204, None)


# --- assets -----------------------------------------------------------------------------


@router.get(
    "/persons/{person_id}/assets",
    response={200: list[AssetOut], **ERRORS},
    summary="A person's vehicles and other assets",
)
def list_assets(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return [asset_out(a) for a in selectors.person_assets(actor=actor, person=person)]


@router.post(
    "/persons/{person_id}/assets",
    response={201: AssetOut, **ERRORS},
    summary="Add an asset to a person",
)
def create_asset(request: HttpRequest, person_id: Id, payload: AssetIn) -> Status[Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    asset = services.asset_create(actor=actor, person=person, data=_data(payload))
    return Status(201, asset_out(asset))


@router.get("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, summary="An asset")
def get_asset(request: HttpRequest, asset_id: Id) -> dict[str, Any]:
    return asset_out(selectors.asset_get(actor=actor_of(request), asset_id=asset_id))


@router.patch("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, summary="Change an asset")
def update_asset(request: HttpRequest, asset_id: Id, payload: AssetPatch) -> dict[str, Any]:
    actor = actor_of(request)
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    return asset_out(services.asset_update(actor=actor, asset=asset, data=_data(payload)))


@router.delete("/assets/{asset_id}", response={204: None, **ERRORS}, summary="Delete an asset")
def delete_asset(request: HttpRequest, asset_id: Id) -> Status[Any]:
    actor = actor_of(request)
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    services.asset_delete(actor=actor, asset=asset)
    return Status(204, None)


# --- companies --------------------------------------------------------------------------


@router.get("/companies", response={200: PageOut[CompanyOut], **ERRORS}, summary="List companies")
def list_companies(
    request: HttpRequest,
    q: Str200 = "",
    centre: Id | None = None,
    sort: Literal["name", "-name", "created", "-created"] = "name",
    cursor: CursorStr | None = None,
    limit: PageSize = 50,
) -> dict[str, Any]:
    page = selectors.company_list(
        actor=actor_of(request), q=q, centre_id=centre, sort=sort, cursor=cursor, size=limit
    )
    return {"items": [company_detail(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/companies", response={201: CompanyOut, **ERRORS}, summary="Create a company")
def create_company(request: HttpRequest, payload: CompanyIn) -> Status[Any]:
    actor = actor_of(request)
    company = services.company_create(actor=actor, data=_data(payload))
    return Status(201, company_detail(selectors.company_card(actor=actor, company_id=company.pk)))


@router.get("/companies/{company_id}", response={200: CompanyOut, **ERRORS}, summary="A company")
def get_company(request: HttpRequest, company_id: Id) -> dict[str, Any]:
    return company_detail(selectors.company_card(actor=actor_of(request), company_id=company_id))


@router.patch(
    "/companies/{company_id}", response={200: CompanyOut, **ERRORS}, summary="Change a company"
)
def update_company(request: HttpRequest, company_id: Id, payload: CompanyPatch) -> dict[str, Any]:
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    services.company_update(actor=actor, company=company, data=_data(payload))
    return company_detail(selectors.company_card(actor=actor, company_id=company_id))


@router.delete(
    "/companies/{company_id}", response={204: None, **ERRORS}, summary="Delete a company"
)
def delete_company(request: HttpRequest, company_id: Id) -> Status[Any]:
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    services.company_delete(actor=actor, company=company)
    return Status(204, None)
