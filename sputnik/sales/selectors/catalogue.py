"""Reads of the catalogue, and the price a centre sees on a date.

The catalogue is organisation data, not customer data: any signed-in, active user reads
it (an anonymous visitor reads only what the public configurator shows, through
`public_products`). Inactive products are shown only to users who may edit the catalogue.

Price resolution, per product and per option: among the active price lists that apply on
the date (valid_from ≤ date ≤ valid_to) and belong to the centre or to the whole network,
the first list that has a price wins, ranked centre's own before network, then higher
priority, then the later start, then the newer list. Without any, the product's base
price (an option's own price) applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sputnik.core.models import Centre, User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import (
    Category,
    OptionGroup,
    PriceList,
    PriceListItem,
    Product,
)


@dataclass(frozen=True)
class ListRef:
    """An applicable price list, with the key it ranks by (larger wins)."""

    id: int
    name: str
    currency: str
    rank: tuple[int, int, dt.date, int]


@dataclass(frozen=True)
class ResolvedPrice:
    amount: Decimal
    currency: str
    price_list_id: int | None  # None: the product's base price
    price_list_name: str


def _reader(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied("not visible")
    return actor


def may_edit_catalogue(actor: User | None) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.has_right(Right.CONFIGURE))


def centre_id_of(centre: Centre | int | None) -> int | None:
    if centre is None:
        return None
    return centre if isinstance(centre, int) else centre.pk


def applicable_price_lists(
    *, centre: Centre | int | None, at: dt.date | None = None
) -> list[ListRef]:
    """The lists that apply to a centre on a date, best first (one query)."""
    day = at or timezone.localdate()
    centre_id = centre_id_of(centre)
    where = Q(centre__isnull=True)
    if centre_id is not None:
        where |= Q(centre_id=centre_id)
    rows = PriceList.objects.filter(
        where,
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        is_active=True,
        valid_from__lte=day,
    ).values_list("id", "name", "currency", "centre_id", "priority", "valid_from")
    refs = [
        ListRef(
            id=pk,
            name=name,
            currency=currency,
            rank=(1 if list_centre is not None else 0, priority, valid_from, pk),
        )
        for pk, name, currency, list_centre, priority, valid_from in rows
    ]
    refs.sort(key=lambda ref: ref.rank, reverse=True)
    return refs


def pick_price(
    candidates: dict[int, Decimal], lists: list[ListRef], *, currency: str | None = None
) -> tuple[Decimal, ListRef] | None:
    """The price from the best-ranked list that has one (in `currency` when given)."""
    for ref in lists:
        if ref.id in candidates and (currency is None or ref.currency == currency):
            return candidates[ref.id], ref
    return None


def product_prices(
    products: Iterable[Product], *, centre: Centre | int | None, at: dt.date | None = None
) -> dict[int, ResolvedPrice]:
    """Today's (or `at`'s) price of each product for a centre: two queries for any number."""
    products = list(products)
    lists = applicable_price_lists(centre=centre, at=at)
    by_product: dict[int, dict[int, Decimal]] = {}
    if lists and products:
        items = PriceListItem.objects.filter(
            product_id__in=[p.pk for p in products], price_list_id__in=[r.id for r in lists]
        ).values_list("product_id", "price_list_id", "price")
        for product_id, list_id, price in items:
            by_product.setdefault(product_id, {})[list_id] = price
    result: dict[int, ResolvedPrice] = {}
    for product in products:
        picked = pick_price(by_product.get(product.pk, {}), lists)
        if picked is None:
            result[product.pk] = ResolvedPrice(product.base_price, product.currency, None, "")
        else:
            amount, ref = picked
            result[product.pk] = ResolvedPrice(amount, ref.currency, ref.id, ref.name)
    return result


# --- catalogue browsing ------------------------------------------------------------------


def category_list(*, actor: User | None) -> QuerySet[Category]:
    actor = _reader(actor)
    qs = Category.objects.select_related("parent")
    if not may_edit_catalogue(actor):
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "name", "id")


def product_list(
    *,
    actor: User | None,
    q: str = "",
    category_id: int | None = None,
    kind: str = "",
    include_inactive: bool = False,
) -> QuerySet[Product]:
    actor = _reader(actor)
    qs = Product.objects.select_related("category")
    if not (include_inactive and may_edit_catalogue(actor)):
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(sku__icontains=q))
    if category_id:
        qs = qs.filter(category_id=category_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("position", "name", "id")


def product_get(*, actor: User | None, product_id: int) -> Product:
    """A product the actor may read; an inactive one only for catalogue editors (else 404)."""
    actor = _reader(actor)
    qs = Product.objects.select_related("category")
    if not may_edit_catalogue(actor):
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("images").get(pk=product_id)


def configurable_products(*, actor: User | None, limit: int = 30) -> list[Product]:
    """Active products that have options to configure, in catalogue order (one query):
    what the deal page's "Configure" offers."""
    from django.db.models import Exists, OuterRef

    _reader(actor)
    return list(
        Product.objects.filter(is_active=True)
        .filter(Exists(OptionGroup.objects.filter(product=OuterRef("pk"))))
        .only("id", "name", "sku")
        .order_by("position", "name", "id")[:limit]
    )


def product_option_groups(*, product: Product) -> list[OptionGroup]:
    """Groups with their active options, in display order (two queries)."""
    from django.db.models import Prefetch

    from sputnik.sales.models import Option

    return list(
        OptionGroup.objects.filter(product=product)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "options", queryset=Option.objects.filter(is_active=True).order_by("position", "id")
            )
        )
    )


def price_list_list(
    *, actor: User | None, centre_id: int | None = None, at: dt.date | None = None
) -> QuerySet[PriceList]:
    actor = _reader(actor)
    qs = PriceList.objects.select_related("centre")
    if centre_id is not None:
        qs = qs.filter(Q(centre_id=centre_id) | Q(centre__isnull=True))
    if at is not None:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=at), valid_from__lte=at)
    return qs.order_by("-priority", "-valid_from", "id")


def price_list_get(*, actor: User | None, price_list_id: int) -> PriceList:
    _reader(actor)
    return PriceList.objects.select_related("centre").get(pk=price_list_id)


# --- the public configurator (anonymous) ------------------------------------------------


def public_products() -> QuerySet[Product]:
    """What the public page offers: active products marked public. Nothing customer-related."""
    return (
        Product.objects.filter(is_active=True, is_public=True)
        .select_related("category")
        .prefetch_related("images")
        .order_by("position", "name", "id")
    )


def public_product(*, sku: str) -> Product:
    return public_products().get(sku=sku)


def image_source(image: Any) -> str:
    """The URL-ish source of a ProductImage/Option picture for templates."""
    return getattr(image, "static_path", "") or ""
