"""Models for the parties app's distribution area (issue 3). Imported at the end of models/__init__."""

from __future__ import annotations
