"""Sales models: quotes."""

from __future__ import annotations
