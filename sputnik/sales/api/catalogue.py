"""Catalogue and configurations: categories, products (with today's price for the
caller's centre), price lists, and validating / pricing a configuration.

The catalogue is organisation data: any authenticated caller reads it; an inactive
product is a 404 except for catalogue editors. `POST /configurations/validate` answers
200 with `valid` false and each broken rule named; `POST /configurations/price` answers
422 naming the broken rules under `option_codes` for an invalid configuration.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Ref,
    Str50,
    Str100,
    actor_of,
)
from sputnik.core.paging import keyset_page
from sputnik.sales.models import PriceList, Product
from sputnik.sales.selectors import catalogue as selectors
from sputnik.sales.services.configurator import (
    ConfigurationResult,
    configuration_price,
    configuration_validate,
    product_spec,
)

router = Router(tags=["catalogue and configurations"])
OP = "sputnik_sales_api_"

Quantity = Annotated[int, Field(ge=1, le=999)]


# --- schemas ----------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None
    position: int


class PriceOut(Schema):
    amount: Decimal
    currency: str
    price_list: Ref | None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    kind: str
    category: Ref | None
    base_price: Decimal
    currency: str
    is_active: bool
    price: PriceOut


class OptionOut(Schema):
    code: str
    name: str
    description: str
    price: Decimal
    swatch: str


class OptionGroupOut(Schema):
    code: str
    name: str
    selection: str
    options: list[OptionOut]


class RuleOut(Schema):
    option: str
    kind: str
    target: str


class ProductDetailOut(ProductOut):
    description: str
    option_groups: list[OptionGroupOut]
    rules: list[RuleOut]


class PriceListItemOut(Schema):
    product_id: int
    sku: str
    price: Decimal


class PriceListOut(Schema):
    id: int
    name: str
    centre: Ref | None
    valid_from: dt.date
    valid_to: dt.date | None
    currency: str
    priority: int
    is_active: bool


class PriceListDetailOut(PriceListOut):
    items: list[PriceListItemOut]


class ConfigurationIn(InSchema):
    product_id: Id
    option_codes: Annotated[list[Str50], Field(max_length=200)] = []
    centre_id: Id | None = None
    at: dt.date | None = None
    quantity: Quantity = 1


class RuleErrorOut(Schema):
    rule: str
    message: str
    options: list[str]
    group: str


class PriceLineOut(Schema):
    kind: str
    code: str
    name: str
    group: str
    amount: Decimal
    price_list_id: int | None


class ConfigurationOut(Schema):
    valid: bool
    errors: list[RuleErrorOut]
    product_id: int
    sku: str
    option_codes: list[str]
    lines: list[PriceLineOut]
    unit_price: Decimal
    quantity: int
    total: Decimal
    currency: str
    price_list_id: int | None
    centre_id: int | None
    at: dt.date


class ProductListQuery(Schema):
    q: Str100 = ""
    category_id: Id | None = None
    kind: Product.Kind | None = None
    cursor: CursorStr | None = None
    limit: PageSize = 50


# --- serialisers ------------------------------------------------------------------------


def _product_out(product: Product, price: selectors.ResolvedPrice) -> dict[str, Any]:
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "kind": product.kind,
        "category": {"id": product.category.pk, "name": product.category.name}
        if product.category
        else None,
        "base_price": product.base_price,
        "currency": product.currency,
        "is_active": product.is_active,
        "price": {
            "amount": price.amount,
            "currency": price.currency,
            "price_list": {"id": price.price_list_id, "name": price.price_list_name}
            if price.price_list_id
            else None,
        },
    }


def _price_list_out(price_list: PriceList) -> dict[str, Any]:
    return {
        "id": price_list.pk,
        "name": price_list.name,
        "centre": {"id": price_list.centre.pk, "name": price_list.centre.name}
        if price_list.centre
        else None,
        "valid_from": price_list.valid_from,
        "valid_to": price_list.valid_to,
        "currency": price_list.currency,
        "priority": price_list.priority,
        "is_active": price_list.is_active,
    }


def _configuration_out(result: ConfigurationResult) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "errors": [e.as_dict() for e in result.errors],
        "product_id": result.product_id,
        "sku": result.sku,
        "option_codes": list(result.option_codes),
        "lines": [
            {
                "kind": line.kind,
                "code": line.code,
                "name": line.name,
                "group": line.group,
                "amount": line.amount,
                "price_list_id": line.price_list_id,
            }
            for line in result.lines
        ],
        "unit_price": result.unit_price,
        "quantity": result.quantity,
        "total": result.total,
        "currency": result.currency,
        "price_list_id": result.price_list_id,
        "centre_id": result.centre_id,
        "at": result.at,
    }


# --- endpoints --------------------------------------------------------------------------


@router.get(
    "/catalogue/categories",
    response={200: list[CategoryOut], **ERRORS},
    summary="Product categories",
    operation_id=OP + "list_categories",
)
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "slug": c.slug,
            "parent_id": c.parent_id,
            "position": c.position,
        }
        for c in selectors.category_list(actor=actor_of(request))
    ]


@router.get(
    "/catalogue/products",
    response={200: PageOut[ProductOut], **ERRORS},
    summary="Products with today's price for the caller's centre",
    operation_id=OP + "list_products",
)
def list_products(request: HttpRequest, params: Query[ProductListQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    qs = selectors.product_list(
        actor=actor, q=params.q.strip(), category_id=params.category_id, kind=params.kind or ""
    )
    page = keyset_page(qs, order=("sku", "id"), cursor=params.cursor, size=params.limit)
    prices = selectors.product_prices(page.items, centre=actor.centre_id)
    return {
        "items": [_product_out(p, prices[p.pk]) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/catalogue/products/{product_id}",
    response={200: ProductDetailOut, **ERRORS},
    summary="A product with its option groups, rules and today's prices",
    operation_id=OP + "get_product",
)
def get_product(request: HttpRequest, product_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    product = selectors.product_get(actor=actor, product_id=product_id)
    spec = product_spec(product, centre=actor.centre_id)
    price = selectors.ResolvedPrice(
        spec.base_price, spec.currency, spec.price_list_id, spec.price_list_name
    )
    rules = [
        {"option": a, "kind": "requires", "target": b}
        for a, targets in spec.requires.items()
        for b in targets
    ]
    seen: set[frozenset[str]] = set()
    for a, others in spec.excludes.items():
        for b in sorted(others):
            if frozenset((a, b)) not in seen:
                seen.add(frozenset((a, b)))
                rules.append({"option": a, "kind": "excludes", "target": b})
    return {
        **_product_out(product, price),
        "description": product.description,
        "option_groups": [
            {
                "code": g.code,
                "name": g.name,
                "selection": g.selection,
                "options": [
                    {
                        "code": spec.options[c].code,
                        "name": spec.options[c].name,
                        "description": spec.options[c].description,
                        "price": spec.options[c].price,
                        "swatch": spec.options[c].swatch,
                    }
                    for c in g.options
                ],
            }
            for g in spec.groups
        ],
        "rules": rules,
    }


@router.get(
    "/catalogue/price-lists",
    response={200: PageOut[PriceListOut], **ERRORS},
    summary="Price lists (optionally those in force for a centre on a date)",
    operation_id=OP + "list_price_lists",
)
def list_price_lists(
    request: HttpRequest,
    centre_id: Id | None = None,
    at: dt.date | None = None,
    cursor: CursorStr | None = None,
    limit: PageSize = 50,
) -> dict[str, Any]:
    qs = selectors.price_list_list(actor=actor_of(request), centre_id=centre_id, at=at)
    page = keyset_page(qs, order=("-valid_from", "-id"), cursor=cursor, size=limit)
    return {"items": [_price_list_out(p) for p in page.items], "next_cursor": page.next_cursor}


MAX_ITEMS_SHOWN = 2000


@router.get(
    "/catalogue/price-lists/{price_list_id}",
    response={200: PriceListDetailOut, **ERRORS},
    summary="A price list with its product prices",
    operation_id=OP + "get_price_list",
)
def get_price_list(request: HttpRequest, price_list_id: Id) -> dict[str, Any]:
    price_list = selectors.price_list_get(actor=actor_of(request), price_list_id=price_list_id)
    items = price_list.items.select_related("product").order_by("product__sku")[:MAX_ITEMS_SHOWN]
    return {
        **_price_list_out(price_list),
        "items": [
            {"product_id": i.product_id, "sku": i.product.sku, "price": i.price} for i in items
        ],
    }


def _configured_product(
    request: HttpRequest, payload: ConfigurationIn
) -> tuple[Product, int | None]:
    actor = actor_of(request)
    product = selectors.product_get(actor=actor, product_id=payload.product_id)
    centre_id = payload.centre_id if payload.centre_id is not None else actor.centre_id
    return product, centre_id


@router.post(
    "/configurations/validate",
    response={200: ConfigurationOut, **ERRORS},
    summary="Check a configuration: valid or not, each broken rule named, and the price",
    operation_id=OP + "validate_configuration",
)
def validate_configuration(request: HttpRequest, payload: ConfigurationIn) -> dict[str, Any]:
    product, centre_id = _configured_product(request, payload)
    result = configuration_validate(
        product=product,
        option_codes=payload.option_codes,
        centre=centre_id,
        at=payload.at,
        quantity=payload.quantity,
    )
    return _configuration_out(result)


@router.post(
    "/configurations/price",
    response={200: ConfigurationOut, **ERRORS},
    summary="Price a valid configuration (422 naming the broken rules otherwise)",
    operation_id=OP + "price_configuration",
)
def price_configuration(request: HttpRequest, payload: ConfigurationIn) -> dict[str, Any]:
    product, centre_id = _configured_product(request, payload)
    result = configuration_price(
        product=product,
        option_codes=payload.option_codes,
        centre=centre_id,
        at=payload.at,
        quantity=payload.quantity,
    )
    return _configuration_out(result)
