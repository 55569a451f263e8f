"""Writes on the catalogue: categories, products, price lists and their items, option
groups, options and rules. Every write needs the CONFIGURE right (the catalogue is the
network's, not a centre's); each is one transaction with an audit entry.

`product_define` builds a whole configurable product from a plain definition (the demo
catalogue, the benchmark and the tests use it), checking the same rules the admin does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.models import Centre, User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import (
    Category,
    Option,
    OptionGroup,
    OptionPrice,
    OptionRule,
    PriceList,
    PriceListItem,
    Product,
    ProductImage,
)
from sputnik.sales.services import spec_cache

MAX_PRICE = Decimal("999999999999.99")


def _require_editor(actor: User | None) -> User:
    if actor is None or not actor.has_right(Right.CONFIGURE):
        raise AccessDenied(Right.CONFIGURE)
    return actor


def _money(
    errors: dict[str, list[str]], field: str, value: Any, *, allow_negative: bool = False
) -> Decimal:
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount, e.g. 1500000.00."))
        return Decimal("0")
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("Enter an amount, e.g. 1500000.00."))
        return Decimal("0")
    if amount < 0 and not allow_negative:
        errors.setdefault(field, []).append(_("The price cannot be negative."))
    if abs(amount) > MAX_PRICE:
        errors.setdefault(field, []).append(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


def _text(
    errors: dict[str, list[str]], field: str, value: Any, max_length: int, required: bool = True
) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        errors.setdefault(field, []).append(_("The text contains a NUL character."))
    if required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    if len(text) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return text


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- categories and products -------------------------------------------------------------


@transaction.atomic
def category_create(
    *, actor: User | None, name: str, slug: str, parent: Category | None = None, position: int = 0
) -> Category:
    actor = _require_editor(actor)
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", name, 200)
    slug = _text(errors, "slug", slug, 100)
    if slug and Category.objects.filter(slug=slug).exists():
        errors.setdefault("slug", []).append(_("A category with this code exists."))
    _raise(errors)
    category = Category.objects.create(name=name, slug=slug, parent=parent, position=position)
    audit_record(
        actor=actor,
        action="create",
        instance=category,
        after=snapshot(category),
        summary=f"Category {name}",
    )
    return category


PRODUCT_FIELDS = (
    "sku",
    "name",
    "description",
    "kind",
    "category",
    "base_price",
    "currency",
    "is_active",
    "is_public",
    "position",
)


def _product_data(
    errors: dict[str, list[str]], data: Mapping[str, Any], instance: Product | None
) -> dict[str, Any]:
    unknown = set(data) - set(PRODUCT_FIELDS)
    for name in sorted(unknown):
        errors.setdefault(name, []).append(_("This field is not allowed here."))
    clean: dict[str, Any] = {}
    if instance is None or "sku" in data:
        clean["sku"] = _text(errors, "sku", data.get("sku"), 64)
        if (
            clean["sku"]
            and Product.objects.filter(sku=clean["sku"])
            .exclude(pk=instance.pk if instance is not None else 0)
            .exists()
        ):
            errors.setdefault("sku", []).append(_("A product with this SKU exists."))
    if instance is None or "name" in data:
        clean["name"] = _text(errors, "name", data.get("name"), 200)
    if "description" in data:
        clean["description"] = _text(
            errors, "description", data.get("description"), 20000, required=False
        )
    if instance is None or "kind" in data:
        kind = str(data.get("kind") or Product.Kind.VEHICLE)
        if kind not in Product.Kind.values:
            errors.setdefault("kind", []).append(_("Choose a valid option."))
        clean["kind"] = kind
    if "category" in data:
        category = data.get("category")
        if category is not None and not isinstance(category, Category):
            category = (
                Category.objects.filter(pk=category).first() if str(category).isdigit() else None
            )
            if category is None:
                errors.setdefault("category", []).append(_("Choose a valid option."))
        clean["category"] = category
    if instance is None or "base_price" in data:
        clean["base_price"] = _money(errors, "base_price", data.get("base_price", "0"))
    if "currency" in data:
        currency = str(data.get("currency") or "").upper()
        if len(currency) != 3 or not currency.isalpha():
            errors.setdefault("currency", []).append(_("Enter a three-letter currency code."))
        clean["currency"] = currency
    for flag in ("is_active", "is_public"):
        if flag in data:
            clean[flag] = bool(data[flag])
    if "position" in data:
        try:
            clean["position"] = max(0, int(data["position"]))
        except (TypeError, ValueError):
            errors.setdefault("position", []).append(_("Enter a whole number."))
    return clean


@transaction.atomic
def product_create(*, actor: User | None, data: Mapping[str, Any]) -> Product:
    actor = _require_editor(actor)
    errors: dict[str, list[str]] = {}
    clean = _product_data(errors, data, None)
    _raise(errors)
    product = Product.objects.create(**clean)
    audit_record(
        actor=actor,
        action="create",
        instance=product,
        after=snapshot(product),
        summary=f"Product {product.sku}",
    )
    return product


@transaction.atomic
def product_update(*, actor: User | None, product: Product, data: Mapping[str, Any]) -> Product:
    actor = _require_editor(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    errors: dict[str, list[str]] = {}
    clean = _product_data(errors, data, product)
    _raise(errors)
    before = snapshot(product)
    for name, value in clean.items():
        setattr(product, name, value)
    product.save()
    audit_record(
        actor=actor,
        action="update",
        instance=product,
        before=before,
        after=snapshot(product),
        summary=f"Product {product.sku}",
    )
    return product


IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


@transaction.atomic
def product_image_add(
    *,
    actor: User | None,
    product: Product,
    upload: Any = None,
    static_path: str = "",
    alt: str = "",
    position: int = 0,
) -> ProductImage:
    """A picture for a product: an uploaded JPEG/PNG/WebP (checked by Pillow, not by its
    name; served through a view) or a static file shipped with the app."""
    actor = _require_editor(actor)
    errors: dict[str, list[str]] = {}
    alt = _text(errors, "alt", alt, 200, required=False)
    static_path = _text(errors, "static_path", static_path, 300, required=False)
    if bool(upload) == bool(static_path):
        errors.setdefault("upload", []).append(_("Upload a picture or name a static file."))
    if static_path and (
        ".." in static_path or static_path.startswith("/") or not finders.find(static_path)
    ):
        errors.setdefault("static_path", []).append(_("Name a file under the static folder."))
    if upload is not None and not errors:
        _check_picture(errors, upload)
    _raise(errors)
    image = ProductImage(product=product, static_path=static_path, alt=alt, position=position)
    if upload is not None:
        image.file = upload
    image.save()
    audit_record(
        actor=actor,
        action="create",
        instance=image,
        after={
            "product": product.pk,
            "file": image.file.name or "",
            "static_path": static_path,
            "alt": alt,
        },
        summary=f"Picture of {product.sku}",
    )
    return image


def _check_picture(errors: dict[str, list[str]], upload: Any) -> None:
    from PIL import Image, UnidentifiedImageError

    if getattr(upload, "size", 0) > MAX_IMAGE_BYTES:
        errors.setdefault("upload", []).append(_("The picture is larger than 5 MB."))
        return
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            kind = Image.MIME.get(picture.format or "", "")
            picture.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        errors.setdefault("upload", []).append(_("The file is not a picture we can show."))
        return
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        errors.setdefault("upload", []).append(_("Upload a JPEG, PNG or WebP picture."))


# --- price lists -------------------------------------------------------------------------


@transaction.atomic
def price_list_create(
    *,
    actor: User | None,
    name: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    centre: Centre | None = None,
    currency: str = "RUB",
    priority: int = 0,
) -> PriceList:
    actor = _require_editor(actor)
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", name, 200)
    if valid_to is not None and valid_to < valid_from:
        errors.setdefault("valid_to", []).append(_("The end cannot be before the start."))
    _raise(errors)
    price_list = PriceList.objects.create(
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        centre=centre,
        currency=currency,
        priority=priority,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=price_list,
        after=snapshot(price_list),
        summary=f"Price list {name}",
    )
    return price_list


@transaction.atomic
def price_list_prices_set(
    *,
    actor: User | None,
    price_list: PriceList,
    products: Mapping[Product | int, Any] | None = None,
    options: Mapping[Option | int, Any] | None = None,
) -> None:
    """Set (insert or replace) product and option prices in a list, all or nothing."""
    actor = _require_editor(actor)
    errors: dict[str, list[str]] = {}
    product_prices = {
        (p if isinstance(p, int) else p.pk): _money(
            errors, f"products.{p if isinstance(p, int) else p.pk}", v
        )
        for p, v in (products or {}).items()
    }
    option_prices = {
        (o if isinstance(o, int) else o.pk): _money(
            errors, f"options.{o if isinstance(o, int) else o.pk}", v, allow_negative=True
        )
        for o, v in (options or {}).items()
    }
    _raise(errors)
    for product_id, price in product_prices.items():
        PriceListItem.objects.update_or_create(
            price_list=price_list, product_id=product_id, defaults={"price": price}
        )
    for option_id, price in option_prices.items():
        OptionPrice.objects.update_or_create(
            price_list=price_list, option_id=option_id, defaults={"price": price}
        )
    audit_record(
        actor=actor,
        action="update",
        instance=price_list,
        before={},
        after={
            "products": {str(k): v for k, v in product_prices.items()},
            "options": {str(k): v for k, v in option_prices.items()},
        },
        summary=f"Prices in {price_list.name}",
    )


# --- options and rules -------------------------------------------------------------------


def rule_errors(option: Option, kind: str, target: Option) -> list[str]:
    """Why a rule cannot be stored (shared by the service and the admin form)."""
    errors: list[str] = []
    if kind not in OptionRule.Kind.values:
        errors.append(_("Choose a valid option."))
    if option.pk == target.pk:
        errors.append(_("An option cannot refer to itself."))
    if option.product_id != target.product_id:
        errors.append(_("Both options must belong to the same product."))
    if kind == OptionRule.Kind.REQUIRES and option.group_id == target.group_id:
        group = option.group
        if group.selection != OptionGroup.Selection.ANY:
            errors.append(
                _("An option cannot require another option of its own single-choice group.")
            )
    opposite = (
        OptionRule.Kind.EXCLUDES if kind == OptionRule.Kind.REQUIRES else OptionRule.Kind.REQUIRES
    )
    if (
        option.pk
        and target.pk
        and OptionRule.objects.filter(kind=opposite)
        .filter(Q(option=option, target=target) | Q(option=target, target=option))
        .exists()
    ):
        errors.append(_("This contradicts an existing rule between the same options."))
    return errors


@transaction.atomic
def option_rule_create(
    *, actor: User | None, option: Option, kind: str, target: Option
) -> OptionRule:
    actor = _require_editor(actor)
    messages = rule_errors(option, kind, target)
    if OptionRule.objects.filter(option=option, kind=kind, target=target).exists():
        messages.append(_("This rule exists."))
    if messages:
        raise ValidationError({"target": messages})
    rule = OptionRule.objects.create(
        product_id=option.product_id, option=option, kind=kind, target=target
    )
    audit_record(
        actor=actor,
        action="create",
        instance=rule,
        after=snapshot(rule),
        summary=f"Rule {option.code} {kind} {target.code}",
    )
    return rule


@transaction.atomic
def product_define(*, actor: User | None, definition: Mapping[str, Any]) -> Product:
    """Create a product with its option groups, options and rules in one go.

    definition = {"sku", "name", "base_price", ["description", "kind", "category",
    "currency", "is_public", "position"], "groups": [{"code", "name", "selection",
    "options": [{"code", "name", "price", ["description", "swatch", "static_path"]}]}],
    "rules": [(option_code, "requires"|"excludes", target_code)]}
    """
    actor = _require_editor(actor)
    product = product_create(
        actor=actor, data={k: v for k, v in definition.items() if k in PRODUCT_FIELDS}
    )
    errors: dict[str, list[str]] = {}
    options: dict[str, Option] = {}
    for g_index, group_def in enumerate(definition.get("groups", ())):
        selection = group_def.get("selection", OptionGroup.Selection.EXACTLY_ONE)
        if selection not in OptionGroup.Selection.values:
            errors.setdefault(f"groups.{g_index}.selection", []).append(_("Choose a valid option."))
            continue
        group = OptionGroup.objects.create(
            product=product,
            code=group_def["code"],
            name=group_def["name"],
            selection=selection,
            position=g_index,
        )
        batch: list[Option] = []
        for o_index, option_def in enumerate(group_def.get("options", ())):
            code = str(option_def["code"])
            if code in options:
                errors.setdefault(f"groups.{g_index}.options.{o_index}.code", []).append(
                    _("This code is used twice.")
                )
                continue
            option = Option(
                group=group,
                product=product,
                code=code,
                name=option_def["name"],
                description=option_def.get("description", ""),
                price_delta=_money(
                    errors,
                    f"groups.{g_index}.options.{o_index}.price",
                    option_def.get("price", "0"),
                    allow_negative=True,
                ),
                swatch=option_def.get("swatch", ""),
                static_path=option_def.get("static_path", ""),
                position=o_index,
            )
            options[code] = option
            batch.append(option)
        Option.objects.bulk_create(batch)
    rules: list[OptionRule] = []
    for r_index, (source, kind, target) in enumerate(definition.get("rules", ())):
        if source not in options or target not in options:
            errors.setdefault(f"rules.{r_index}", []).append(_("The rule names an unknown option."))
            continue
        problems = rule_errors(options[source], kind, options[target])
        pair = {(source, target), (target, source)}
        if any((s, t) in pair and k != kind for s, k, t in definition.get("rules", ())):
            problems.append(_("This contradicts an existing rule between the same options."))
        if problems:
            errors.setdefault(f"rules.{r_index}", []).extend(problems)
            continue
        rules.append(
            OptionRule(product=product, option=options[source], kind=kind, target=options[target])
        )
    _raise(errors)
    OptionRule.objects.bulk_create(rules, ignore_conflicts=True)
    spec_cache.catalogue_changed()  # bulk writes send no signals
    return product


def product_define_many(
    *, actor: User | None, definitions: Sequence[Mapping[str, Any]]
) -> list[Product]:
    return [product_define(actor=actor, definition=d) for d in definitions]
