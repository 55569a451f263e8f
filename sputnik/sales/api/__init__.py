"""REST endpoints of the sales app: one `router` (mounted by sputnik/api.py) with a
sub-router per area. Each operation spells out its id (sputnik_sales_api_<name>).

Deals (deals.py): pipelines and stages (read), lost reasons, deals CRUD, move / win /
lose / transfer, lines, stage history, trade-in and hand-over, a person's deals.
"""

from __future__ import annotations

from ninja import Router

from sputnik.sales.api.catalogue import router as catalogue_router
from sputnik.sales.api.deals import router as deals_router
from sputnik.sales.api.orders import router as orders_router
from sputnik.sales.api.quotes import router as quotes_router

router = Router()
router.add_router("", deals_router)
router.add_router(
    "", catalogue_router
)  # catalogue.py: categories, products, price lists, configurations
router.add_router("", quotes_router)  # quotes.py: quotes from deals, versions, status, PDF
router.add_router("", orders_router)  # orders.py: orders, status workflow and history, status link

__all__ = ["router"]
