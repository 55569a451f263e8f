"""Relation and asset endpoints under a person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from sputnik.core.api import (
    ERRORS,
    Id,
    actor_of,
)
from sputnik.parties import selectors, services
from sputnik.parties.api._router import router
from sputnik.parties.api.schemas import (
    AssetIn,
    AssetOut,
    AssetPatch,
    RelationIn,
    RelationOut,
    _data,
)
from sputnik.parties.api.serialize import (
    asset_out,
)
from sputnik.parties.models import (
    Person,
    Relation,
)

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
    operation_id="sputnik_parties_api_list_relations",
)
def list_relations(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return [_relation_out(*row) for row in selectors.person_relations(actor=actor, person=person)]


@router.post(
    "/persons/{person_id}/relations",
    response={201: RelationOut, **ERRORS},
    summary="Relate a person to another",
    operation_id="sputnik_parties_api_create_relation",
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


@router.delete(
    "/relations/{relation_id}",
    response={204: None, **ERRORS},
    summary="Unrelate",
    operation_id="sputnik_parties_api_delete_relation",
)
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
    operation_id="sputnik_parties_api_list_assets",
)
def list_assets(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return [asset_out(a) for a in selectors.person_assets(actor=actor, person=person)]


@router.post(
    "/persons/{person_id}/assets",
    response={201: AssetOut, **ERRORS},
    summary="Add an asset to a person",
    operation_id="sputnik_parties_api_create_asset",
)
def create_asset(request: HttpRequest, person_id: Id, payload: AssetIn) -> Status[Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    asset = services.asset_create(actor=actor, person=person, data=_data(payload))
    return Status(201, asset_out(asset))


@router.get(
    "/assets/{asset_id}",
    response={200: AssetOut, **ERRORS},
    summary="An asset",
    operation_id="sputnik_parties_api_get_asset",
)
def get_asset(request: HttpRequest, asset_id: Id) -> dict[str, Any]:
    return asset_out(selectors.asset_get(actor=actor_of(request), asset_id=asset_id))


@router.patch(
    "/assets/{asset_id}",
    response={200: AssetOut, **ERRORS},
    summary="Change an asset",
    operation_id="sputnik_parties_api_update_asset",
)
def update_asset(request: HttpRequest, asset_id: Id, payload: AssetPatch) -> dict[str, Any]:
    actor = actor_of(request)
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    return asset_out(services.asset_update(actor=actor, asset=asset, data=_data(payload)))


@router.delete(
    "/assets/{asset_id}",
    response={204: None, **ERRORS},
    summary="Delete an asset",
    operation_id="sputnik_parties_api_delete_asset",
)
def delete_asset(request: HttpRequest, asset_id: Id) -> Status[Any]:
    actor = actor_of(request)
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    services.asset_delete(actor=actor, asset=asset)
    return Status(204, None)
