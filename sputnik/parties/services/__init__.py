"""Writes on persons, companies and what hangs off them.

Each service: one transaction, the access check, validation with messages per field,
an audit entry and domain events. Views and the API call these and nothing lower.

Layout: _common.py (shared cleaning, contacts, tags, interests, placement, locks),
persons.py, children.py (assets, relations, company roles, dates, addresses) and
companies.py. Import services from this package, not from the modules.
"""

from __future__ import annotations

# Asset stays reachable as services.Asset (a test patches services.Asset.objects).
from sputnik.parties.models import Asset
from sputnik.parties.services.children import (
    address_create,
    asset_create,
    asset_delete,
    asset_dispose,
    asset_update,
    company_role_create,
    company_role_delete,
    important_date_create,
    relation_create,
    relation_delete,
)
from sputnik.parties.services.companies import (
    COMPANY_FIELDS,
    company_create,
    company_delete,
    company_update,
    validate_inn,
)
from sputnik.parties.services.consents import consent_give, consent_withdraw
from sputnik.parties.services.persons import (
    PERSON_FIELDS,
    person_change_stage,
    person_create,
    person_delete,
    person_transfer,
    person_update,
)

__all__ = [
    "COMPANY_FIELDS",
    "PERSON_FIELDS",
    "Asset",
    "address_create",
    "asset_create",
    "asset_delete",
    "asset_dispose",
    "asset_update",
    "company_create",
    "company_delete",
    "company_role_create",
    "company_role_delete",
    "company_update",
    "consent_give",
    "consent_withdraw",
    "important_date_create",
    "person_change_stage",
    "person_create",
    "person_delete",
    "person_transfer",
    "person_update",
    "relation_create",
    "relation_delete",
    "validate_inn",
]
