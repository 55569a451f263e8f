"""REST endpoints for persons, companies, relations, assets and lookup.

Handlers stay thin: they parse, fetch the record through a visibility-scoped selector
(so a hidden record is a 404 exactly like a missing one), call one service and return
a schema. Centre and owner change only through /persons/{id}/transfer.

Layout: schemas.py (request and response shapes), serialize.py (records to dicts),
persons.py, relations_assets.py, company_roles.py and companies.py (the endpoints), all on the one
`router` from _router.py.
"""

from __future__ import annotations

from sputnik.parties.api._router import router

# Registration order is route order (URL matching and the OpenAPI document): keep it.
# isort: off
from sputnik.parties.api import persons  # noqa: F401
from sputnik.parties.api import relations_assets  # noqa: F401
from sputnik.parties.api import company_roles  # noqa: F401
from sputnik.parties.api import companies  # noqa: F401
from sputnik.parties.api import consents  # noqa: F401
from sputnik.parties.api import exports  # noqa: F401
from sputnik.parties.api import distribution  # noqa: F401

# isort: on

__all__ = ["router"]
