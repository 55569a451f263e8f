"""Demo deals: a realistic number of deals (one per five customers, at most 2,000) across
the four pipelines, made and moved through the sales services by each customer's own
manager, so every deal has its stage history, audit and timeline entries; some are won
(a few handed over, with a trade-in appraised), some lost with a reason.

The services stamp everything "now"; the demo then spreads each deal's life over the
past months (created, each stage entered and left, closed) so the board's "days in
stage", the deal page and the sales analytics have a history to show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sputnik.core.models import User
from sputnik.core.roles import Role

PIPELINE_SHARE = ["new-cars"] * 11 + ["used-cars"] * 4 + ["service"] * 3 + ["accessories"] * 2
EXTRAS = [("Коврики салона", "6500"), ("Защита картера", "14000"), ("Фаркоп", "22000"),
          ("Зимние шины, комплект", "48000"), ("КАСКО, 1 год", "95000"), ("ТО-1", "18000")]  # fmt: skip
CARS = [("Lada Niva Travel", "1450000"), ("Lada Vesta SW Cross", "1650000"),
        ("Haval Jolion", "2300000"), ("UAZ Pickup", "2050000")]  # fmt: skip


def _actor_for(person: Any, heads: dict[int, User]) -> User | None:
    if person.owner is not None and person.owner.is_active:
        return person.owner  # type: ignore[no-any-return]
    return heads.get(person.centre_id)


def _backdate(deal: Any, age_days: int, rng: random.Random) -> None:
    """Spread a deal's life over the past `age_days`: stays, closing and timeline."""
    from sputnik.activities.models import Interaction
    from sputnik.sales.models import Deal, DealStageChange

    now = timezone.now()
    created = now - dt.timedelta(days=age_days, hours=rng.randint(0, 10))
    stays = list(DealStageChange.objects.filter(deal=deal).order_by("entered_at", "id"))
    span = (now - created) * (0.3 + 0.6 * rng.random())
    times = [created + span * i / max(len(stays) - 1, 1) for i in range(len(stays))]
    for i, stay in enumerate(stays):
        stay.entered_at = times[i]
        stay.left_at = times[i + 1] if i + 1 < len(stays) else None
    DealStageChange.objects.bulk_update(stays, ["entered_at", "left_at"])
    last = times[-1]
    closed = deal.status != "open"
    Deal.objects.filter(pk=deal.pk).update(
        created_at=created,
        updated_at=last,
        stage_entered_at=last,
        closed_at=last if closed else None,
        rank=-last.timestamp(),
        expected_close=(created + dt.timedelta(days=rng.randint(20, 90))).date(),
    )
    entries = list(Interaction.objects.filter(data__deal_id=deal.pk).order_by("id"))
    for i, entry in enumerate(entries):
        entry.occurred_at = times[min(i, len(times) - 1)]
    Interaction.objects.bulk_update(entries, ["occurred_at"])


def seed_deals(*, persons: int, seed: int = 42, report: Callable[[str], None] = print) -> int:
    from sputnik.parties.models import Asset, Person
    from sputnik.sales.models import LostReason, Pipeline, Product, StageKind
    from sputnik.sales.services.deals import (
        deal_create,
        deal_line_add,
        deal_lose,
        deal_move,
        deal_win,
    )
    from sputnik.sales.services.tradein import tradein_complete, tradein_set

    rng = random.Random(seed + 404)
    wanted = min(max(persons // 5, 30), 2000)
    pipelines = {p.slug: p for p in Pipeline.objects.filter(is_active=True)}
    if not pipelines:
        return 0
    stages = {slug: list(p.stages.order_by("position")) for slug, p in pipelines.items()}
    reasons = list(LostReason.objects.filter(is_active=True))
    vehicles = list(Product.objects.filter(kind=Product.Kind.VEHICLE, is_active=True)[:6])
    heads = {
        u.centre_id: u
        for u in User.objects.filter(role=Role.CENTRE_HEAD, is_active=True)
        if u.centre_id
    }
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[: wanted * 4])
    chosen = sorted(rng.sample(ids, min(wanted, len(ids))))
    people = Person.objects.select_related("owner").in_bulk(chosen)
    with_car = set(
        Asset.objects.filter(person_id__in=chosen, disposed_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    made = won = lost = handed = 0
    for pk in chosen:
        person = people[pk]
        actor = _actor_for(person, heads)
        if actor is None:
            continue
        slug = rng.choice(PIPELINE_SHARE)
        if slug not in pipelines:
            continue
        opens = [s for s in stages[slug] if s.kind == StageKind.OPEN]
        with transaction.atomic():
            product = rng.choice(vehicles) if vehicles and slug == "new-cars" else None
            car, price = rng.choice(CARS)
            title = product.name if product else (car if slug in ("new-cars", "used-cars") else "")
            lines: list[dict[str, Any]] = []
            if slug in ("new-cars", "used-cars"):
                lines.append(
                    {"product_id": product.pk}
                    if product
                    else {"description": car, "unit_price": price}
                )
            for name, extra in rng.sample(EXTRAS, rng.randint(0, 2)):
                lines.append({"description": name, "unit_price": extra})
            deal = deal_create(
                actor=actor,
                data={
                    "person_id": person.pk,
                    "pipeline_id": pipelines[slug].pk,
                    "title": title or "",
                    "amount": price if not lines else None,
                    "source": rng.choice(["showroom", "call", "web_form", "referral", "repeat"]),
                    "lines": lines,
                },
            )
            if slug == "used-cars" and person.pk in with_car:
                car_asset = Asset.objects.filter(person=person, disposed_at__isnull=True).first()
                tradein_set(
                    actor=actor,
                    deal=deal,
                    data={
                        "asset_id": car_asset.pk,  # type: ignore[union-attr]
                        "appraised_value": rng.randrange(300_000, 1_200_000, 10_000),
                        "notes": "Осмотр без замечаний",
                    },
                )
            outcome = rng.choices(["open", "won", "lost"], [5, 3, 2])[0]
            reached = rng.randrange(len(opens))
            try:
                for stage in opens[1 : reached + 1]:
                    if stage.requires_lines and not deal.lines.exists():
                        deal_line_add(
                            actor=actor,
                            deal=deal,
                            data={"description": "Услуга", "unit_price": price},
                        )
                    deal_move(actor=actor, deal=deal, stage=stage)
                if outcome == "won":
                    if not deal.lines.exists():
                        deal_line_add(
                            actor=actor, deal=deal, data={"description": car, "unit_price": price}
                        )
                    deal_win(actor=actor, deal=deal)
                    won += 1
                    if rng.random() < 0.3:
                        tradein_complete(actor=actor, deal=deal)
                        handed += 1
                elif outcome == "lost" and reasons:
                    deal_lose(actor=actor, deal=deal, reason=rng.choice(reasons).pk, note="")
                    lost += 1
            except Exception as exc:  # a rule the random walk did not meet: keep it open
                from django.core.exceptions import ValidationError

                if not isinstance(exc, ValidationError):
                    raise
            deal.refresh_from_db()
            _backdate(
                deal, rng.randint(1, 200) if deal.status != "open" else rng.randint(0, 90), rng
            )
            made += 1
    report(f"deals: {made:,} ({won:,} won, {handed:,} handed over, {lost:,} lost)")
    return made
