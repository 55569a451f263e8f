"""The configurator: which option combinations of a product are valid, and what they cost.

A product's option data is loaded once per request into a `ProductSpec` (six small
indexed queries: applicable price lists, the product's list prices, groups, options,
option prices, rules), then every check is plain Python over that snapshot, so the UI
can ask "what if I picked X?" for every option without touching the database again.
Loading is the expensive part on a busy machine (bench/sales_pricing.py), so a loaded
spec is kept per process until the catalogue changes (spec_cache.py): one read of the
catalogue version instead of six.

Rules:
- a group's selection rule: exactly one / at most one / any;
- `A requires B`: A chosen → B chosen;
- `A excludes B`: not both (symmetric).
`configuration_validate` names each broken rule in the active language;
`configuration_price` refuses an invalid configuration (ValidationError) and prices a
valid one. The UI only moves between valid configurations (`configuration_choose`) and
disables options whose choice would break a rule, with the reason (`option_states`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record
from sputnik.core.models import Centre, User
from sputnik.sales.models import (
    Option,
    OptionGroup,
    OptionPrice,
    OptionRule,
    PriceListItem,
    Product,
    SavedConfiguration,
)
from sputnik.sales.selectors.catalogue import ListRef, applicable_price_lists, pick_price
from sputnik.sales.services import spec_cache

MAX_CODES = 200
MAX_CODE_LENGTH = 50
MAX_QUANTITY = 999


@dataclass(frozen=True)
class OptionSpec:
    id: int
    code: str
    name: str
    group: str  # group code
    price: Decimal
    price_list_id: int | None
    description: str
    swatch: str
    image: str  # a static path or an uploaded file name ("" for none)
    image_is_file: bool


@dataclass(frozen=True)
class GroupSpec:
    id: int
    code: str
    name: str
    selection: str
    options: tuple[str, ...]

    @property
    def single(self) -> bool:
        return self.selection != OptionGroup.Selection.ANY


@dataclass(frozen=True)
class ProductSpec:
    product_id: int
    sku: str
    name: str
    is_active: bool
    base_price: Decimal
    currency: str
    price_list_id: int | None
    price_list_name: str
    centre_id: int | None
    at: dt.date
    groups: tuple[GroupSpec, ...]
    options: dict[str, OptionSpec]
    requires: dict[str, tuple[str, ...]]
    excludes: dict[str, frozenset[str]]
    group_by_code: dict[str, GroupSpec] = field(default_factory=dict)
    # Display position of each option code (group, then option position).
    rank: dict[str, int] = field(default_factory=dict)

    def order(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Codes in display order (group, then option position); unknown codes dropped."""
        rank = self.rank
        return tuple(sorted({c for c in codes if c in rank}, key=rank.__getitem__))


@dataclass(frozen=True)
class RuleError:
    rule: str  # unknown_option | product_unavailable | exactly_one | at_most_one | requires | excludes
    message: str
    options: tuple[str, ...] = ()
    group: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "options": list(self.options),
            "group": self.group,
        }


@dataclass(frozen=True)
class PriceLine:
    kind: str  # "product" | "option"
    code: str  # SKU or option code
    name: str
    group: str
    amount: Decimal
    price_list_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "group": self.group,
            "amount": str(self.amount),
            "price_list_id": self.price_list_id,
        }


@dataclass(frozen=True)
class ConfigurationResult:
    valid: bool
    errors: tuple[RuleError, ...]
    product_id: int
    sku: str
    product_name: str
    option_codes: tuple[str, ...]
    lines: tuple[PriceLine, ...]
    unit_price: Decimal
    quantity: int
    total: Decimal
    currency: str
    price_list_id: int | None
    centre_id: int | None
    at: dt.date

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: what a deal line or a saved configuration keeps."""
        return {
            "valid": self.valid,
            "errors": [e.as_dict() for e in self.errors],
            "product_id": self.product_id,
            "sku": self.sku,
            "product_name": self.product_name,
            "option_codes": list(self.option_codes),
            "lines": [line.as_dict() for line in self.lines],
            "unit_price": str(self.unit_price),
            "quantity": self.quantity,
            "total": str(self.total),
            "currency": self.currency,
            "price_list_id": self.price_list_id,
            "centre_id": self.centre_id,
            "at": self.at.isoformat(),
        }

    @property
    def description(self) -> str:
        """One line for a deal line or a quote: the model and the chosen options."""
        names = [line.name for line in self.lines if line.kind == "option"]
        return " · ".join([self.product_name, *names])


@dataclass(frozen=True)
class OptionState:
    selected: bool
    available: bool
    reason: str = ""


# --- loading -----------------------------------------------------------------------------


def product_spec(
    product: Product, *, centre: Centre | int | None = None, at: dt.date | None = None
) -> ProductSpec:
    """Everything needed to check and price configurations of `product` on a date:
    from the per-process cache when the catalogue has not changed (see spec_cache)."""
    day = at or timezone.localdate()
    centre_id = centre if isinstance(centre, int) or centre is None else centre.pk
    if not spec_cache.enabled:
        return _load_spec(product, centre_id=centre_id, day=day)
    key = (product.pk, product.updated_at, centre_id, day, spec_cache.catalogue_version())
    cached = spec_cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    return spec_cache.put(key, _load_spec(product, centre_id=centre_id, day=day))


def _load_spec(product: Product, *, centre_id: int | None, day: dt.date) -> ProductSpec:
    lists = applicable_price_lists(centre=centre_id, at=day)
    list_ids = [ref.id for ref in lists]

    product_candidates: dict[int, Decimal] = {}
    if list_ids:
        product_candidates = dict(
            PriceListItem.objects.filter(
                product_id=product.pk, price_list_id__in=list_ids
            ).values_list("price_list_id", "price")
        )
    picked = pick_price(product_candidates, lists)
    base_ref: ListRef | None = None
    if picked is None:
        base_price, currency = product.base_price, product.currency
    else:
        base_price, base_ref = picked
        currency = base_ref.currency

    group_rows = list(
        OptionGroup.objects.filter(product_id=product.pk)
        .order_by("position", "id")
        .values_list("id", "code", "name", "selection")
    )
    option_rows = list(
        Option.objects.filter(product_id=product.pk, is_active=True)
        .order_by("position", "id")
        .values_list(
            "id",
            "code",
            "name",
            "group_id",
            "price_delta",
            "description",
            "swatch",
            "static_path",
            "image",
        )
    )
    option_prices: dict[int, dict[int, Decimal]] = {}
    if list_ids and option_rows:
        for option_id, in_list, list_price in OptionPrice.objects.filter(
            option__product_id=product.pk, price_list_id__in=list_ids
        ).values_list("option_id", "price_list_id", "price"):
            option_prices.setdefault(option_id, {})[in_list] = list_price
    rule_rows = list(
        OptionRule.objects.filter(product_id=product.pk).values_list(
            "option_id", "kind", "target_id"
        )
    )

    group_code = {gid: code for gid, code, _n, _s in group_rows}
    options: dict[str, OptionSpec] = {}
    code_of: dict[int, str] = {}
    per_group: dict[int, list[str]] = {gid: [] for gid, *_rest in group_rows}
    for oid, code, name, gid, delta, description, swatch, static_path, image in option_rows:
        if gid not in group_code:
            continue
        # Only lists in the configuration's currency may price an option.
        opt_pick = pick_price(option_prices.get(oid, {}), lists, currency=currency)
        price = delta if opt_pick is None else opt_pick[0]
        list_id = None if opt_pick is None else opt_pick[1].id
        options[code] = OptionSpec(
            id=oid,
            code=code,
            name=name,
            group=group_code[gid],
            price=price,
            price_list_id=list_id,
            description=description,
            swatch=swatch,
            image=static_path or (image or ""),
            image_is_file=not static_path and bool(image),
        )
        code_of[oid] = code
        per_group[gid].append(code)
    groups = tuple(
        GroupSpec(id=gid, code=code, name=name, selection=selection, options=tuple(per_group[gid]))
        for gid, code, name, selection in group_rows
    )
    requires: dict[str, list[str]] = {}
    excludes: dict[str, set[str]] = {}
    for option_id, kind, target_id in rule_rows:
        a, b = code_of.get(option_id), code_of.get(target_id)
        if a is None or b is None:
            continue  # a rule about an inactive option never binds
        if kind == OptionRule.Kind.REQUIRES:
            requires.setdefault(a, []).append(b)
        else:
            excludes.setdefault(a, set()).add(b)
            excludes.setdefault(b, set()).add(a)
    return ProductSpec(
        product_id=product.pk,
        sku=product.sku,
        name=product.name,
        is_active=product.is_active,
        base_price=base_price,
        currency=currency,
        price_list_id=base_ref.id if base_ref else None,
        price_list_name=base_ref.name if base_ref else "",
        centre_id=centre_id,
        at=day,
        groups=groups,
        options=options,
        requires={k: tuple(v) for k, v in requires.items()},
        excludes={k: frozenset(v) for k, v in excludes.items()},
        group_by_code={g.code: g for g in groups},
        rank={c: i for i, c in enumerate(c for g in groups for c in g.options)},
    )


# --- checking ----------------------------------------------------------------------------


def clean_codes(option_codes: Any) -> list[str]:
    """The submitted codes as a list of strings, or a ValidationError on `option_codes`."""
    if option_codes is None:
        return []
    if isinstance(option_codes, str) or not isinstance(option_codes, Iterable):
        raise ValidationError({"option_codes": [_("Send the option codes as a list.")]})
    codes = list(option_codes)
    if len(codes) > MAX_CODES:
        raise ValidationError({"option_codes": [_("At most %(n)d options.") % {"n": MAX_CODES}]})
    cleaned: list[str] = []
    for code in codes:
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
            raise ValidationError({"option_codes": [_("Each option code is a short text.")]})
        cleaned.append(code.strip())
    return cleaned


def _name(spec: ProductSpec, code: str) -> str:
    option = spec.options.get(code)
    return option.name if option else code


# A violation before it is put into words: (rule, options, group). The UI asks "what if"
# for every option on every click, so finding violations stays cheap (set operations
# over the ~10 chosen options) and only the ones shown get a translated message.
Violation = tuple[str, tuple[str, ...], str]


def violations(spec: ProductSpec, codes: Iterable[str]) -> list[Violation]:
    """Every rule the selection breaks, in display order; empty means valid."""
    found: list[Violation] = []
    unknown: list[str] = []
    selected: set[str] = set()
    for code in codes:
        if code in spec.options:
            selected.add(code)
        elif code not in unknown:
            unknown.append(code)
    found.extend(("unknown_option", (code,), "") for code in unknown)
    if not spec.is_active:
        found.append(("product_unavailable", (), ""))
    options = spec.options
    ordered = sorted(selected, key=spec.rank.__getitem__)
    per_group: dict[str, list[str]] = {}
    for code in ordered:
        per_group.setdefault(options[code].group, []).append(code)
    for group in spec.groups:
        picked = per_group.get(group.code, ())
        if not picked:
            if group.selection == OptionGroup.Selection.EXACTLY_ONE and group.options:
                found.append(("exactly_one", (), group.code))
        elif len(picked) > 1 and group.single:
            found.append((group.selection, tuple(picked), group.code))
    reported: set[frozenset[str]] = set()
    requires, excludes = spec.requires, spec.excludes
    for code in ordered:
        for target in requires.get(code, ()):
            if target not in selected:
                found.append(("requires", (code, target), options[code].group))
        clash = excludes.get(code)
        if clash and not clash.isdisjoint(selected):
            for other in sorted(clash & selected, key=spec.rank.__getitem__):
                pair = frozenset((code, other))
                if pair not in reported:
                    reported.add(pair)
                    found.append(("excludes", (code, other), options[code].group))
    return found


def describe(spec: ProductSpec, violation: Violation) -> RuleError:
    """A violation in the active language, naming the options and group it concerns."""
    rule, codes, group_code = violation
    if rule == "unknown_option":
        message = _("There is no option “%(code)s” for %(product)s.") % {
            "code": codes[0],
            "product": spec.name,
        }
    elif rule == "product_unavailable":
        message = _("This product is not available.")
    elif rule == "exactly_one" and not codes:
        message = _("Choose one option in “%(group)s”.") % {
            "group": spec.group_by_code[group_code].name
        }
    elif rule in ("exactly_one", "at_most_one"):
        message = _("Only one option can be chosen in “%(group)s”: %(options)s.") % {
            "group": spec.group_by_code[group_code].name,
            "options": ", ".join(_name(spec, c) for c in codes),
        }
    elif rule == "requires":
        message = _("“%(option)s” requires “%(target)s”.") % {
            "option": _name(spec, codes[0]),
            "target": _name(spec, codes[1]),
        }
    else:
        message = _("“%(option)s” cannot be combined with “%(target)s”.") % {
            "option": _name(spec, codes[0]),
            "target": _name(spec, codes[1]),
        }
    return RuleError(rule, message, codes, group_code)


def check(spec: ProductSpec, codes: Iterable[str]) -> list[RuleError]:
    """Every rule the selection breaks, each named in the active language."""
    return [describe(spec, v) for v in violations(spec, codes)]


def price_lines(spec: ProductSpec, codes: Iterable[str]) -> list[PriceLine]:
    lines = [PriceLine("product", spec.sku, spec.name, "", spec.base_price, spec.price_list_id)]
    for code in spec.order(codes):
        option = spec.options[code]
        group = spec.group_by_code[option.group]
        lines.append(
            PriceLine("option", code, option.name, group.name, option.price, option.price_list_id)
        )
    return lines


def evaluate(
    spec: ProductSpec, option_codes: Iterable[str], quantity: int = 1
) -> ConfigurationResult:
    codes = list(option_codes)
    errors = check(spec, codes)
    known = spec.order(codes)
    lines = price_lines(spec, known)
    unit = sum((line.amount for line in lines), Decimal("0"))
    return ConfigurationResult(
        valid=not errors,
        errors=tuple(errors),
        product_id=spec.product_id,
        sku=spec.sku,
        product_name=spec.name,
        option_codes=known,
        lines=tuple(lines),
        unit_price=unit,
        quantity=quantity,
        total=unit * quantity,
        currency=spec.currency,
        price_list_id=spec.price_list_id,
        centre_id=spec.centre_id,
        at=spec.at,
    )


def _clean_quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({"quantity": [_("Enter a whole number.")]})
    if quantity < 1:
        raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": [_("At most %(n)d.") % {"n": MAX_QUANTITY}]})
    return quantity


def configuration_validate(
    *,
    product: Product,
    option_codes: Sequence[str],
    centre: Centre | int | None = None,
    at: dt.date | None = None,
    quantity: int = 1,
) -> ConfigurationResult:
    """Check a configuration and price what is known; `valid` is False with each broken
    rule named in the active language. Malformed input (not a list, negative quantity)
    is a ValidationError."""
    codes = clean_codes(option_codes)
    quantity = _clean_quantity(quantity)
    return evaluate(product_spec(product, centre=centre, at=at), codes, quantity)


def configuration_price(
    *,
    product: Product,
    option_codes: Sequence[str],
    centre: Centre | int | None = None,
    at: dt.date | None = None,
    quantity: int = 1,
) -> ConfigurationResult:
    """The price of a valid configuration; an invalid one is a ValidationError naming
    each broken rule under `option_codes`."""
    result = configuration_validate(
        product=product, option_codes=option_codes, centre=centre, at=at, quantity=quantity
    )
    if not result.valid:
        raise ValidationError({"option_codes": [e.message for e in result.errors]})
    return result


# --- moving between valid configurations (the UI) ---------------------------------------


def _drop_unsupported(spec: ProductSpec, selected: set[str]) -> None:
    """Remove, transitively, choices whose required option is no longer chosen."""
    changed = True
    while changed:
        changed = False
        for code in list(selected):
            if any(t not in selected for t in spec.requires.get(code, ())):
                group = spec.group_by_code[spec.options[code].group]
                if group.selection != OptionGroup.Selection.EXACTLY_ONE:
                    selected.discard(code)
                    changed = True


def _put(spec: ProductSpec, selected: set[str], code: str) -> None:
    group = spec.group_by_code[spec.options[code].group]
    if group.single:
        selected.difference_update(group.options)
    selected.add(code)


def configuration_choose(spec: ProductSpec, codes: Iterable[str], code: str) -> tuple[str, ...]:
    """The selection after the visitor clicks `code`: it replaces the group's choice in a
    single-choice group, toggles in an any-number group (deselecting an at-most-one
    choice too), brings its required options along, and drops choices that lose an
    option they require. The result may be invalid (an exclusion); callers check it."""
    selected = {c for c in codes if c in spec.options}
    if code not in spec.options:
        return spec.order(selected)
    group = spec.group_by_code[spec.options[code].group]
    if code in selected:
        if group.selection != OptionGroup.Selection.EXACTLY_ONE:
            selected.discard(code)
            _drop_unsupported(spec, selected)
        return spec.order(selected)
    _put(spec, selected, code)
    queue = [code]
    brought: set[str] = {code}
    while queue:
        current = queue.pop()
        for target in spec.requires.get(current, ()):
            if target not in selected and target not in brought:
                brought.add(target)
                _put(spec, selected, target)
                queue.append(target)
    _drop_unsupported(spec, selected)
    return spec.order(selected)


def configuration_default(spec: ProductSpec) -> tuple[str, ...]:
    """A valid starting point: the first option of each exactly-one group that keeps the
    configuration free of conflicts (the cheapest trim, the base engine, …)."""
    selected: tuple[str, ...] = ()
    for group in spec.groups:
        if group.selection != OptionGroup.Selection.EXACTLY_ONE:
            continue
        if any(c in selected for c in group.options):
            continue
        for code in group.options:
            candidate = configuration_choose(spec, selected, code)
            if not any(v[0] in ("excludes", "requires") for v in violations(spec, candidate)):
                selected = candidate
                break
    return selected


def option_states(spec: ProductSpec, codes: Iterable[str]) -> dict[str, OptionState]:
    """For each option: chosen, and whether clicking it leads to a valid configuration;
    if not, why (the rule it would break), in the active language."""
    current = spec.order(codes)
    present = set(violations(spec, current))
    states: dict[str, OptionState] = {}
    for code in spec.options:
        if code in current:
            states[code] = OptionState(selected=True, available=True)
            continue
        candidate = configuration_choose(spec, current, code)
        new = [v for v in violations(spec, candidate) if v not in present]
        if new:
            states[code] = OptionState(False, False, _reason(spec, code, describe(spec, new[0])))
        else:
            states[code] = OptionState(False, True, "")
    return states


def _reason(spec: ProductSpec, code: str, error: RuleError) -> str:
    """Why `code` is disabled, said from its side when the rule is an exclusion."""
    if error.rule == "excludes" and code in error.options:
        other = next(c for c in error.options if c != code)
        return _("Not available with “%(option)s”.") % {"option": _name(spec, other)}
    return error.message


# --- saving ------------------------------------------------------------------------------


def _reference() -> str:
    # Unguessable enough to show a visitor, short enough to read over the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "C-" + "".join(secrets.choice(alphabet) for _ in range(8))


@transaction.atomic
def configuration_save(
    *,
    actor: User | None,
    result: ConfigurationResult,
    source: str,
    person_id: int | None = None,
    deal_id: int | None = None,
) -> SavedConfiguration:
    """Keep a valid, priced configuration as it was priced (for a deal line or a request)."""
    if not result.valid:
        raise ValidationError({"option_codes": [e.message for e in result.errors]})
    if source not in SavedConfiguration.Source.values:
        raise ValidationError({"source": [_("Choose a valid option.")]})
    saved = SavedConfiguration.objects.create(
        reference=_reference(),
        product_id=result.product_id,
        option_codes=list(result.option_codes),
        centre_id=result.centre_id,
        price_list_id=result.price_list_id,
        breakdown=result.as_dict(),
        total=result.total,
        currency=result.currency,
        source=source,
        person_id=person_id,
        deal_id=deal_id,
        created_by=actor if actor is not None and actor.pk else None,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=saved,
        after={
            "reference": saved.reference,
            "product": result.product_id,
            "option_codes": list(result.option_codes),
            "total": result.total,
            "deal_id": deal_id,
        },
        person_id=person_id,
        summary=f"Configuration {saved.reference}: {result.description}"[:300],
    )
    return saved


@transaction.atomic
def configuration_link(
    *, actor: User | None, saved: SavedConfiguration, person_id: int | None, deal_id: int | None
) -> SavedConfiguration:
    """Attach a saved configuration to the prospect and deal it produced."""
    before = {"person_id": saved.person_id, "deal_id": saved.deal_id}
    saved.person_id = person_id
    saved.deal_id = deal_id
    saved.save(update_fields=["person_id", "deal_id"])
    audit_record(
        actor=actor,
        action="update",
        instance=saved,
        before=before,
        after={"person_id": person_id, "deal_id": deal_id},
        person_id=person_id,
    )
    return saved
