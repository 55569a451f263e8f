"""Company endpoints."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Status

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    PageOut,
    PageSize,
    Str200,
    actor_of,
)
from sputnik.parties import selectors, services
from sputnik.parties.api._router import router
from sputnik.parties.api.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    _data,
)
from sputnik.parties.api.serialize import (
    company_detail,
)

# --- companies --------------------------------------------------------------------------


@router.get(
    "/companies",
    response={200: PageOut[CompanyOut], **ERRORS},
    summary="List companies",
    operation_id="sputnik_parties_api_list_companies",
)
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


@router.post(
    "/companies",
    response={201: CompanyOut, **ERRORS},
    summary="Create a company",
    operation_id="sputnik_parties_api_create_company",
)
def create_company(request: HttpRequest, payload: CompanyIn) -> Status[Any]:
    actor = actor_of(request)
    company = services.company_create(actor=actor, data=_data(payload))
    return Status(201, company_detail(selectors.company_card(actor=actor, company_id=company.pk)))


@router.get(
    "/companies/{company_id}",
    response={200: CompanyOut, **ERRORS},
    summary="A company",
    operation_id="sputnik_parties_api_get_company",
)
def get_company(request: HttpRequest, company_id: Id) -> dict[str, Any]:
    return company_detail(selectors.company_card(actor=actor_of(request), company_id=company_id))


@router.patch(
    "/companies/{company_id}",
    response={200: CompanyOut, **ERRORS},
    summary="Change a company",
    operation_id="sputnik_parties_api_update_company",
)
def update_company(request: HttpRequest, company_id: Id, payload: CompanyPatch) -> dict[str, Any]:
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    services.company_update(actor=actor, company=company, data=_data(payload))
    return company_detail(selectors.company_card(actor=actor, company_id=company_id))


@router.delete(
    "/companies/{company_id}",
    response={204: None, **ERRORS},
    summary="Delete a company",
    operation_id="sputnik_parties_api_delete_company",
)
def delete_company(request: HttpRequest, company_id: Id) -> Status[Any]:
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    services.company_delete(actor=actor, company=company)
    return Status(204, None)
