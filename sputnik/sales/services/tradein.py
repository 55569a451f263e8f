"""Trade-in (S5): the customer's current vehicle offered in part-exchange on a deal, its
appraisal, and what happens on delivery.

Delivery is the moment the customer receives what the deal sold: on a won deal, the
"handed over" action on the deal page, or the orders flow calling `tradein_complete`
when an order is delivered. Then, in one transaction through the parties services:
the traded vehicle leaves the customer's assets (kept as history, disposed), and each
vehicle the deal sold — a line with a VIN or a vehicle product — is added to them.
Completing twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.parties import services as party_services
from sputnik.parties.models import Asset
from sputnik.parties.selectors import asset_get
from sputnik.sales.models import Deal, DealLine, StageKind, TradeIn
from sputnik.sales.services.deals import (
    MAX_AMOUNT,
    Errors,
    _add,
    _as_pk,
    _date,
    _decimal,
    _lock_visible,
    _raise,
    _require_edit,
    _text,
)

TRADE_IN_FIELDS = [
    "asset",
    "vehicle_label",
    "appraised_value",
    "appraised_on",
    "appraiser",
    "notes",
]


def _audit(
    actor: User, action: str, trade_in: TradeIn, deal: Deal, before: dict[str, Any] | None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=trade_in,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after=snapshot(trade_in, [*TRADE_IN_FIELDS, "deal", "completed_at", "new_asset"])
        if action != "delete"
        else None,
        summary=f"{deal.title}: {trade_in.vehicle_label}",
    )


@transaction.atomic
def tradein_set(*, actor: User, deal: Deal, data: Mapping[str, Any]) -> TradeIn:
    """Attach or change the deal's trade-in: keys asset_id (a current vehicle of the
    deal's person), appraised_value, appraised_on, notes — only the keys present change.
    Recording an appraisal makes the actor its appraiser unless `appraiser_id` names a
    user of the deal's centre."""
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    if deal.status == StageKind.LOST or deal.delivered_at is not None:
        raise ValidationError({"__all__": [_("The deal is closed and can no longer be changed.")]})
    trade_in = TradeIn.objects.filter(deal=deal).first()
    if trade_in is not None and trade_in.completed_at is not None:
        raise ValidationError({"__all__": [_("The trade-in is completed.")]})
    errors: Errors = {}
    changes: dict[str, Any] = {}
    if "asset_id" in data or trade_in is None:
        asset = _vehicle_of(errors, actor, deal, data.get("asset_id"))
        if asset is not None:
            changes["asset"] = asset
            changes["vehicle_label"] = _label(asset)[:200]
    appraisal_changed = False
    if "appraised_value" in data:
        changes["appraised_value"] = _decimal(
            errors,
            "appraised_value",
            data["appraised_value"],
            minimum=Decimal(0),
            maximum=MAX_AMOUNT,
            low_message=_("The value cannot be negative."),
        )
        appraisal_changed = True
    if "appraised_on" in data:
        when = _date(errors, "appraised_on", data["appraised_on"])
        if when is not None and when > timezone.localdate():
            _add(errors, "appraised_on", _("The date cannot be in the future."))
        changes["appraised_on"] = when
        appraisal_changed = True
    if "notes" in data:
        changes["notes"] = _text(errors, "notes", data["notes"], 5000)
    if appraisal_changed:
        appraiser = actor
        if data.get("appraiser_id") not in (None, ""):
            appraiser = (
                User.objects.filter(
                    pk=_as_pk(data["appraiser_id"]) or 0, is_active=True, centre_id=deal.centre_id
                ).first()
                or actor
            )
            if appraiser.pk != _as_pk(data["appraiser_id"]):
                _add(errors, "appraiser_id", _("Choose an active user of this centre."))
        changes["appraiser"] = appraiser
        has_date = changes.get("appraised_on") or (trade_in is not None and trade_in.appraised_on)
        if changes.get("appraised_value") is not None and not has_date:
            changes["appraised_on"] = timezone.localdate()
    _raise(errors)
    created = trade_in is None
    before = None if created else snapshot(trade_in, TRADE_IN_FIELDS)  # type: ignore[arg-type]
    if trade_in is None:
        trade_in = TradeIn(deal=deal)
    for name, value in changes.items():
        setattr(trade_in, name, value)
    trade_in.save()
    _audit(actor, "create" if created else "update", trade_in, deal, before)
    return trade_in


def _vehicle_of(errors: Errors, actor: User, deal: Deal, value: Any) -> Asset | None:
    """A current (not disposed) vehicle of the deal's person that the actor sees."""
    pk = _as_pk(value)
    if deal.person_id is None:
        _add(errors, "asset_id", _("A trade-in needs a deal with a person."))
        return None
    if pk is None:
        _add(errors, "asset_id", _("Choose the customer's vehicle."))
        return None
    try:
        asset = asset_get(actor=actor, asset_id=pk)
    except Asset.DoesNotExist:
        asset = None
    if asset is None or asset.person_id != deal.person_id or asset.disposed_at is not None:
        _add(errors, "asset_id", _("Choose the customer's vehicle."))
        return None
    return asset  # type: ignore[no-any-return]


def _label(asset: Asset) -> str:
    parts = [str(asset), asset.vin or asset.plate]
    return ", ".join(p for p in parts if p)


@transaction.atomic
def tradein_remove(*, actor: User, deal: Deal) -> None:
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    trade_in = TradeIn.objects.filter(deal=deal).first()
    if trade_in is None:
        return
    if trade_in.completed_at is not None:
        raise ValidationError({"__all__": [_("The trade-in is completed.")]})
    _audit(actor, "delete", trade_in, deal, snapshot(trade_in, [*TRADE_IN_FIELDS, "deal"]))
    trade_in.delete()


def _split_make_model(text: str) -> tuple[str, str]:
    words = text.split()
    if len(words) < 2:
        return (text or "—")[:100], (text or "—")[:100]
    return words[0][:100], " ".join(words[1:])[:100]


def _delivered_vehicles(deal: Deal) -> list[dict[str, Any]]:
    """The vehicles a deal sold, as asset data: lines with a VIN or a vehicle product."""
    from sputnik.sales.models import Product

    vehicles = []
    for line in (
        DealLine.objects.filter(deal=deal).select_related("product").order_by("position", "id")
    ):
        config = line.configuration if isinstance(line.configuration, dict) else {}
        vin = line.vin or str(config.get("vin") or "")
        is_vehicle = bool(vin) or (
            line.product is not None and line.product.kind == Product.Kind.VEHICLE
        )
        if not is_vehicle:
            continue
        name = line.product.name if line.product is not None else line.description
        make, model = _split_make_model(name)
        year = config.get("year")
        vehicles.append(
            {
                "make": str(config.get("make") or make)[:100],
                "model": str(config.get("model") or model)[:100],
                "year": year if isinstance(year, int) else None,
                "vin": vin,
                "purchase_date": timezone.localdate(),
            }
        )
    return vehicles


@transaction.atomic
def tradein_complete(*, actor: User, deal: Deal, delivered_on: dt.date | None = None) -> Deal:
    """Delivery of a won deal: the traded vehicle leaves the customer's assets and the
    vehicles the deal sold join them. Idempotent: a delivered deal is returned as is."""
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    if deal.delivered_at is not None:
        return deal
    if deal.status != StageKind.WON:
        raise ValidationError({"__all__": [_("Only a won deal can be handed over.")]})
    trade_in = TradeIn.objects.select_related("asset").filter(deal=deal).first()
    person = deal.person
    vehicles = _delivered_vehicles(deal) if person is not None else []
    if trade_in is not None and trade_in.asset is not None and trade_in.asset.disposed_at is None:
        party_services.asset_dispose(
            actor=actor,
            asset=trade_in.asset,
            on=delivered_on,
            note=_("traded in on deal %(title)s") % {"title": deal.title},
        )
    new_assets: list[Asset] = []
    for i, vehicle in enumerate(vehicles):
        try:
            new_assets.append(party_services.asset_create(actor=actor, person=person, data=vehicle))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ValidationError(
                {f"lines.{i}.{key}": msgs for key, msgs in exc.message_dict.items()}
            ) from exc
    now = timezone.now()
    before = {"delivered_at": None}
    deal.delivered_at = now
    deal.save(update_fields=["delivered_at"])
    if trade_in is not None:
        trade_before = snapshot(trade_in, ["completed_at", "new_asset"])
        trade_in.completed_at = now
        trade_in.new_asset = new_assets[0] if new_assets else None
        trade_in.save(update_fields=["completed_at", "new_asset"])
        _audit(actor, "update", trade_in, deal, trade_before)
    audit_record(
        actor=actor,
        action="update",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after={"delivered_at": now},
        summary=deal.title,
    )
    publish(
        "deal.delivered",
        deal_id=deal.pk,
        person_id=deal.person_id,
        company_id=deal.company_id,
        centre_id=deal.centre_id,
        actor_id=actor.pk,
        title=deal.title,
        traded_asset_id=trade_in.asset_id if trade_in is not None else None,
        new_asset_ids=[a.pk for a in new_assets],
    )
    return deal
