"""Errors that services raise and views/API translate."""

from __future__ import annotations


class AccessDenied(Exception):
    """The actor may not do this; shown as 404 where the record is not visible."""
