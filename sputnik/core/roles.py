"""Roles, their rights and their record-level scope, stated in code (not data).

A role's scope decides which customer records its users see:
OWN (records they own), CENTRE (records of their centre), ALL (the whole network).
Rights are capabilities checked by services before any write.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_MANAGER = "sales_manager", _("Sales manager")
    MARKETING_MANAGER = "marketing_manager", _("Marketing manager")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    OPERATOR = "operator", _("Call-centre operator")
    CENTRE_HEAD = "centre_head", _("Centre head")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")


class Scope(StrEnum):
    OWN = "own"
    CENTRE = "centre"
    ALL = "all"


class Right(StrEnum):
    PARTY_VIEW = "party.view"
    PARTY_CREATE = "party.create"
    PARTY_EDIT = "party.edit"
    PARTY_DELETE = "party.delete"
    PARTY_TRANSFER = "party.transfer"  # change a record's centre or owner
    INTERACTION_LOG = "interaction.log"
    USER_LIST = "user.list"
    CONFIGURE = "configure"  # centres, users, custom fields, vocabularies
    FORM_MANAGE = "form.manage"  # build and publish lead forms for the company's sites


# Who sees what. The call centre serves callers of every centre, so operators
# see all; central marketing segments the whole base but cannot edit it.
ROLE_SCOPE: dict[str, Scope] = {
    Role.SALES_MANAGER: Scope.OWN,
    Role.SERVICE_ADVISOR: Scope.CENTRE,
    Role.CENTRE_HEAD: Scope.CENTRE,
    Role.OPERATOR: Scope.ALL,
    Role.MARKETING_MANAGER: Scope.ALL,
    Role.EXECUTIVE: Scope.ALL,
    Role.ADMIN: Scope.ALL,
}

_EVERYDAY = {
    Right.PARTY_VIEW,
    Right.PARTY_CREATE,
    Right.PARTY_EDIT,
    Right.INTERACTION_LOG,
}

ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.SALES_MANAGER: frozenset(_EVERYDAY),
    Role.SERVICE_ADVISOR: frozenset(_EVERYDAY),
    Role.OPERATOR: frozenset(_EVERYDAY),
    Role.MARKETING_MANAGER: frozenset({Right.PARTY_VIEW, Right.FORM_MANAGE}),
    Role.CENTRE_HEAD: frozenset(_EVERYDAY | {Right.PARTY_DELETE, Right.PARTY_TRANSFER}),
    Role.EXECUTIVE: frozenset({Right.PARTY_VIEW, Right.USER_LIST}),
    Role.ADMIN: frozenset(set(Right)),
}


def scope_of(role: str) -> Scope:
    return ROLE_SCOPE.get(role, Scope.OWN)


def rights_of(role: str) -> frozenset[Right]:
    return ROLE_RIGHTS.get(role, frozenset())
