"""Hand-over of a delivered order: the trade-in completes and the new vehicle joins the
customer's assets (S5). Runs inside order_change_status's transaction, so a refusal here
(e.g. the VIN already belongs to someone's current vehicle) leaves the order undelivered.
"""

from __future__ import annotations

from django.utils import timezone

from sputnik.core.models import User
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Person
from sputnik.sales.models import Order, OrderLine, TradeIn


def vehicle_make_model(name: str) -> tuple[str, str]:
    """A catalogue vehicle is named "<make> <model…>" ("Lada Niva Travel", "Haval Jolion")."""
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else "—"), (words[0] if words else "—")
    return words[0], " ".join(words[1:])[:100]


def _vehicle_line(order: Order) -> OrderLine | None:
    return order.lines.filter(is_vehicle=True).order_by("position", "id").first()


def _add_vehicle(actor: User, order: Order, line: OrderLine) -> int | None:
    from sputnik.core.services import system_actor
    from sputnik.parties.services import asset_create

    if order.person_id is None:
        return None
    person = Person.objects.filter(pk=order.person_id).first()
    if person is None:
        return None
    make, model = vehicle_make_model(line.name)
    data = {
        "make": make,
        "model": model,
        "vin": order.vehicle_vin,
        "year": timezone.localdate().year,
        "purchase_date": timezone.localdate(),
    }
    try:
        asset = asset_create(actor=actor, person=person, data=data)
    except AccessDenied:
        # The deal's manager may see the deal but not the customer's card (another
        # owner's customer); the hand-over still belongs on the card, recorded as the system.
        asset = asset_create(actor=system_actor(), person=person, data=data)
    return int(asset.pk)


def _complete_trade_in(actor: User, order: Order) -> int | None:
    """The deal carries a trade-in: the deals app completes it (the traded vehicle leaves
    the assets, the deal's vehicles join them); a deal still open is won first, under its
    pipeline's rules. The order's VIN goes onto the new vehicle if the deal had none."""
    from sputnik.parties.services import asset_update
    from sputnik.sales.models import Deal, StageKind
    from sputnik.sales.services import deals as deal_services
    from sputnik.sales.services.tradein import tradein_complete

    deal = Deal.objects.get(pk=order.deal_id)
    if deal.status == StageKind.OPEN:
        deal = deal_services.deal_win(actor=actor, deal=deal)
    tradein_complete(actor=actor, deal=deal)
    trade_in = TradeIn.objects.select_related("new_asset").get(deal_id=order.deal_id)
    asset = trade_in.new_asset
    if asset is None:
        return None
    if order.vehicle_vin and not asset.vin:
        asset_update(actor=actor, asset=asset, data={"vin": order.vehicle_vin})
    return int(asset.pk)


def hand_over(*, actor: User, order: Order) -> int | None:
    """Complete the deal's trade-in and add the delivered vehicle; the new asset's id."""
    if TradeIn.objects.filter(deal_id=order.deal_id, completed_at__isnull=True).exists():
        return _complete_trade_in(actor, order)
    line = _vehicle_line(order)
    if line is None:
        return None
    return _add_vehicle(actor, order, line)
