"""Request and response shapes for the party endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from sputnik.core.api import (
    Id,
    InSchema,
    Ref,
    Str20,
    Str50,
    Str100,
    Str200,
    Str300,
    Str1000,
    Str5000,
    UserRef,
)
from sputnik.parties.models import (
    Asset,
    FamilyStatus,
    Relation,
    Source,
    Stage,
)

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
