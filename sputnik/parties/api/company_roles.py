"""A person's roles at companies: list, add, remove.

A role at a company the actor does not see is left out of the list and cannot be
removed (404); adding one at a hidden company is the same 422 as a missing company.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status

from sputnik.core.api import ERRORS, Id, InSchema, Ref, Str200, actor_of
from sputnik.parties import selectors, services
from sputnik.parties.api._router import router
from sputnik.parties.models import CompanyRole


class CompanyRoleIn(InSchema):
    company_id: Id
    title: Str200


class CompanyRoleOut(Schema):
    id: int
    title: str
    company: Ref


def _role_out(role: CompanyRole) -> dict[str, Any]:
    return {
        "id": role.pk,
        "title": role.title,
        "company": {"id": role.company.pk, "name": role.company.name},
    }


@router.get(
    "/persons/{person_id}/company-roles",
    response={200: list[CompanyRoleOut], **ERRORS},
    summary="A person's roles at companies",
    operation_id="sputnik_parties_api_list_company_roles",
)
def list_company_roles(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    return [_role_out(r) for r in selectors.person_company_roles(actor=actor, person=person)]


@router.post(
    "/persons/{person_id}/company-roles",
    response={201: CompanyRoleOut, **ERRORS},
    summary="Give a person a role at a company",
    operation_id="sputnik_parties_api_create_company_role",
)
def create_company_role(request: HttpRequest, person_id: Id, payload: CompanyRoleIn) -> Status[Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    role = services.company_role_create(
        actor=actor, person=person, company=payload.company_id, title=payload.title
    )
    return Status(201, _role_out(role))


@router.delete(
    "/company-roles/{company_role_id}",
    response={204: None, **ERRORS},
    summary="Remove a person's role at a company",
    operation_id="sputnik_parties_api_delete_company_role",
)
def delete_company_role(request: HttpRequest, company_role_id: Id) -> Status[Any]:
    actor = actor_of(request)
    role = selectors.company_role_get(actor=actor, company_role_id=company_role_id)
    services.company_role_delete(actor=actor, role=role)
    return Status(204, None)
