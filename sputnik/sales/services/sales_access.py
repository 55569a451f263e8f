"""The right that lets a user change quotes and orders: the same one that changes deals.

Quotes and orders hang off a deal, so whoever may work a visible deal may quote it and
take its order; read-only roles (marketing, executives) may not.
"""

from __future__ import annotations

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied


def sales_edit_right() -> Right:
    return getattr(Right, "DEAL_EDIT", Right.PARTY_EDIT)


def may_edit_sales(actor: User | None) -> bool:
    return bool(
        actor is not None and actor.is_authenticated and actor.has_right(sales_edit_right())
    )


def require_sales_edit(actor: User | None) -> None:
    if not may_edit_sales(actor):
        raise AccessDenied(sales_edit_right())
