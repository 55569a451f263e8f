"""The REST API under /api/v1 (django-ninja). Routers live in each app's api.py."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Sputnik CRM API", version="1", urls_namespace="api")
