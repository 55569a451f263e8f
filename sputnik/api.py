"""The REST API under /api/v1 (django-ninja). Routers live in each app's api.py.

OpenAPI at /api/v1/openapi.json; interactive docs at /api/v1/docs. The docs page is
ninja's Swagger template, which loads Swagger UI and its initialiser from our own
static files ("ninja" is an installed app), so it needs no CDN and no inline script
under the site's `script-src 'self'` policy.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from sputnik.activities.api import router as activities_router
from sputnik.core.api import AUTH, install
from sputnik.core.api import router as core_router
from sputnik.documents.api import router as documents_router
from sputnik.marketing.api import router as marketing_router
from sputnik.parties.api import router as parties_router
from sputnik.sales.api import router as sales_router

api = NinjaAPI(
    title="Sputnik CRM API",
    version="1",
    description=(
        "Authenticate with `Authorization: Bearer spk_…` (POST /api/v1/auth/token) or a "
        "browser session plus the X-CSRFToken header for unsafe methods. A record you may "
        "not see is 404, like a missing one; a missing right on a visible record is 403. "
        'Validation errors are 422: `{"detail": [{"loc": [...], "msg": "...", '
        '"type": "..."}]}`. Lists page by cursor: `{"items": [...], "next_cursor": ...}`.'
    ),
    urls_namespace="api",
    auth=AUTH,
    docs=Swagger(),
    docs_url="/docs",
)
install(api)
api.add_router("", core_router)
api.add_router("", parties_router)
api.add_router("", activities_router)
api.add_router("", documents_router)
api.add_router("", sales_router)
api.add_router("", marketing_router)
