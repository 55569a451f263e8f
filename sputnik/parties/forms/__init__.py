"""Web forms for persons and companies.

The forms collect input and shape it for the services; the services validate it
(phones, e-mails, VINs, custom fields) and their per-field errors are mapped back
onto these fields, so one set of messages serves the web UI and the API.

Layout: base.py (contact rows, custom fields, placement: what both party forms share),
persons.py, companies.py and parts.py (relations, assets, dates, addresses).
"""

from __future__ import annotations

from sputnik.parties.forms.base import (
    DEFAULT_ROWS,
    MAX_ROWS,
    DateInput,
    PartyFormBase,
    custom_form_field,
    custom_initial,
)
from sputnik.parties.forms.companies import CompanyFilterForm, CompanyForm
from sputnik.parties.forms.parts import (
    AddressForm,
    AssetForm,
    CompanyRoleForm,
    ImportantDateForm,
    RelationForm,
)
from sputnik.parties.forms.persons import (
    PERSON_ERROR_MAP,
    PersonFilterForm,
    PersonForm,
    StageForm,
    TransferForm,
)

__all__ = [
    "DEFAULT_ROWS",
    "MAX_ROWS",
    "PERSON_ERROR_MAP",
    "AddressForm",
    "AssetForm",
    "CompanyFilterForm",
    "CompanyForm",
    "CompanyRoleForm",
    "DateInput",
    "ImportantDateForm",
    "PartyFormBase",
    "PersonFilterForm",
    "PersonForm",
    "RelationForm",
    "StageForm",
    "TransferForm",
    "custom_form_field",
    "custom_initial",
]
