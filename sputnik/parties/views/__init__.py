"""Pages and HTMX fragments for persons and companies.

Thin by design: parse the request, call one selector or service, render. A record the
actor may not see is a 404 (full page and fragment alike); a missing right on a visible
record is a 403. Service ValidationErrors land on the form fields they name.

Layout: _common.py (request helpers), persons.py, person_parts.py (relations, assets,
dates, addresses on the card) and companies.py; urls.py reaches them through here.
"""

from __future__ import annotations

from sputnik.parties.views.companies import (
    COMPANY_ERROR_MAP,
    company_autocomplete,
    company_create,
    company_delete,
    company_detail,
    company_edit,
    company_history,
    company_list,
)
from sputnik.parties.views.person_parts import (
    person_address_add,
    person_asset_add,
    person_asset_delete,
    person_company_role_add,
    person_company_role_delete,
    person_date_add,
    person_relation_add,
    person_relation_delete,
)
from sputnik.parties.views.persons import (
    person_autocomplete,
    person_create,
    person_delete,
    person_detail,
    person_edit,
    person_history,
    person_list,
    person_stage,
    person_transfer,
)

__all__ = [
    "COMPANY_ERROR_MAP",
    "company_autocomplete",
    "company_create",
    "company_delete",
    "company_detail",
    "company_edit",
    "company_history",
    "company_list",
    "person_address_add",
    "person_asset_add",
    "person_asset_delete",
    "person_autocomplete",
    "person_company_role_add",
    "person_company_role_delete",
    "person_create",
    "person_date_add",
    "person_delete",
    "person_detail",
    "person_edit",
    "person_history",
    "person_list",
    "person_relation_add",
    "person_relation_delete",
    "person_stage",
    "person_transfer",
]
