"""The one router every party endpoint module registers on; sputnik/api.py mounts it.

Each route spells out its operation id (sputnik_parties_api_<name>): ninja's default is
derived from the module path, and the OpenAPI document must not change with the layout.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["persons and companies"])
