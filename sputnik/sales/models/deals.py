"""Sales models: deals."""

from __future__ import annotations
