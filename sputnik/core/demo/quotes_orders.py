"""Demo quotes and orders: a few customers of the network with a deal, a quote (one of
them revised to version 2), an accepted quote turned into an order on its way, and a
status link printed for the customer's page. Everything goes through the services, so
numbers, PDFs, timelines, outbox events and audit look exactly as in real use.
Runs after the bulk load and the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.urls import reverse

from sputnik.core.models import User
from sputnik.core.roles import Role


def _actor_for(person) -> User | None:  # type: ignore[no-untyped-def]
    if person.owner is not None and person.owner.is_active:
        return person.owner
    return User.objects.filter(
        role=Role.CENTRE_HEAD, centre_id=person.centre_id, is_active=True
    ).first()


@transaction.atomic
def seed_quotes_orders(
    *, phones: list[str], report: Callable[[str], None] = print, base_url: str = ""
) -> str | None:
    """Quote and order for the story customers (by phone) and a few more; returns the
    status page URL of the order in transit (or None when nothing could be seeded)."""
    from sputnik.parties.models import ContactPoint, Person
    from sputnik.sales.models import Product
    from sputnik.sales.services.deals import deal_create
    from sputnik.sales.services.orders import (
        order_change_status,
        order_create_from_quote,
        order_link_issue,
        status_link_token,
    )
    from sputnik.sales.services.quotes import quote_accept, quote_create, quote_revise, quote_send

    vehicles = list(Product.objects.filter(kind=Product.Kind.VEHICLE, is_active=True)[:3])
    extras = list(Product.objects.filter(is_active=True).exclude(kind=Product.Kind.VEHICLE)[:2])
    if not vehicles:
        report("Quotes and orders: no vehicles in the catalogue; skipped.")
        return None
    person_ids = list(
        ContactPoint.objects.filter(
            kind="phone", value__in=phones, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    # Two more customers with an owner, so each story stage has an example.
    person_ids += list(
        Person.objects.filter(owner__isnull=False, stage="customer")
        .exclude(pk__in=person_ids)
        .order_by("id")
        .values_list("pk", flat=True)[:2]
    )
    status_url = None
    for i, person in enumerate(Person.objects.filter(pk__in=person_ids).select_related("owner")):
        actor = _actor_for(person)
        if actor is None:
            continue
        vehicle = vehicles[i % len(vehicles)]
        lines = [
            {
                "product_id": vehicle.pk,
                "description": vehicle.name,
                "unit_price": vehicle.base_price,
                "discount_pct": 2 if i % 2 else 0,
            }
        ]
        lines += [
            {"product_id": p.pk, "description": p.name, "unit_price": p.base_price} for p in extras
        ]
        deal = deal_create(
            actor=actor,
            data={
                "person_id": person.pk,
                "title": f"{vehicle.name}: {person.last_name}",
                "source": "showroom",
                "lines": lines,
            },
        )
        quote = quote_create(
            actor=actor, deal=deal, language="ru", notes="Срок поставки — 4–6 недель."
        )
        if i % 3 == 1:
            quote_send(actor=actor, quote=quote)
            quote_revise(actor=actor, quote=quote, data={"notes": "Скидка 2% и коврики в подарок."})
            report(f"  quote {quote.number} (revised to version 2) for {person.display_name}")
            continue
        quote_send(actor=actor, quote=quote)
        quote_accept(actor=actor, quote=quote)
        order = order_create_from_quote(actor=actor, quote=quote, language="ru")
        for step in ("confirmed", "in_transit")[: 1 + (i % 2 == 0)]:
            order = order_change_status(actor=actor, order=order, to=step, note="Демо")
        link = order_link_issue(actor=actor, order=order)
        url = base_url + reverse("sales:order_status_page", args=[status_link_token(link)])
        report(f"  order {order.number} ({order.status.name_ru}) for {person.display_name}: {url}")
        status_url = status_url or url
    return status_url
