"""Demo distribution and tasks: rules, working hours, a few fresh leads placed by the rules,
an escalated lead, a pending transfer request, a refused take and everyday tasks.

Everything goes through the services, so the cards' History and Timeline tabs, the heads'
inboxes, the leads page and the report all show it. Runs after the bulk load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from sputnik.core.models import Centre, User
from sputnik.core.roles import Role


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _centre(name: str) -> Centre | None:
    return Centre.objects.filter(name=name).first()


@transaction.atomic
def seed_distribution(report: Callable[[str], None] = print) -> None:
    from sputnik.activities.services import task_create
    from sputnik.core.services import system_actor
    from sputnik.parties.distribution.escalation import escalate_overdue
    from sputnik.parties.models import (
        CentreDistributionSettings,
        DistributionRule,
        DistributionSettings,
        Person,
        ProspectAssignment,
        WorkingHours,
    )
    from sputnik.parties.services import person_create
    from sputnik.parties.services.distribution import (
        OwnershipConflictError,
        prospect_distribute,
        prospect_take,
        transfer_request_create,
    )

    north, south = _centre("Автоцентр Север"), _centre("Автоцентр Юг")
    calls = _centre("Колл-центр")
    if north is None or south is None or calls is None:
        report("distribution demo skipped: the demo centres are not there")
        return
    settings = DistributionSettings.current()
    settings.fallback_centre = calls
    settings.save()
    for centre in (north, south):
        CentreDistributionSettings.objects.get_or_create(
            centre=centre, defaults={"time_zone": "Europe/Moscow"}
        )
    for weekday in range(7):
        starts, ends = (dt.time(10), dt.time(18)) if weekday == 6 else (dt.time(9), dt.time(21))
        WorkingHours.objects.create(centre=north, weekday=weekday, starts=starts, ends=ends)
    rules = [
        DistributionRule(
            name="Краснодарский край → Автоцентр Юг",
            priority=10,
            regions=["Краснодарский край"],
            centre=south,
            strategy=DistributionRule.Strategy.ROUND_ROBIN,
        ),
        DistributionRule(
            name="Пикапы и off-road → Север, наименее загруженный",
            priority=20,
            interests=["pickups", "off-road", "fishing", "hunting"],
            products=["hilux", "l200", "navara", "пикап"],
            centre=north,
            strategy=DistributionRule.Strategy.LEAST_LOADED,
        ),
        DistributionRule(
            name="Москва в часы работы салона → Север",
            priority=30,
            cities=["Москва"],
            centre=north,
            on_duty_only=True,
        ),
        DistributionRule(
            name="Салон в регионе клиента",
            priority=40,
            regions=["Москва", "Московская область", "Краснодарский край"],
            strategy=DistributionRule.Strategy.LEAST_LOADED,
        ),
    ]
    DistributionRule.objects.bulk_create(rules)

    system = system_actor()
    leads = [
        ("Белова", "Ирина", "+79181234501", "Краснодарский край", "Краснодар", (), ""),
        ("Гордеев", "Степан", "+79161234502", "Москва", "Москва", ("pickups",), "Toyota Hilux"),
        ("Лаптев", "Олег", "+79141234503", "Приморский край", "Владивосток", (), ""),
        ("Сорокина", "Дарья", "+79261234504", "Москва", "Москва", (), "Camry"),
    ]
    placed: list[Person] = []
    for last, first, phone, region, city, interests, product in leads:
        person = person_create(
            actor=system,
            data={
                "last_name": last,
                "first_name": first,
                "phones": [phone],
                "centre_id": calls.pk,
                "source": "web_form",
            },
        )
        result = prospect_distribute(
            actor=system,
            person=person,
            interest_codes=interests,
            product_hint=product,
            region=region,
            city=city,
        )
        placed.append(person)
        owner = result.owner.username if result.owner else "no manager"
        report(f"  lead {last} {first} → {result.centre.name} ({owner})")
    # The Vladivostok lead waited three hours in the call centre's queue: escalated.
    waiting = ProspectAssignment.objects.filter(person=placed[2], is_current=True)
    waiting.update(assigned_at=timezone.now() - dt.timedelta(hours=3))
    run = escalate_overdue()
    report(f"  escalation run: {run.escalated} escalated")

    # A north manager tries to take the south's story prospect and asks for a transfer.
    from sputnik.core.demo.generate import STORY_PROSPECT_PHONE
    from sputnik.parties.models import ContactPoint

    asker = _user("sales1")
    contact = ContactPoint.objects.filter(kind="phone", value=STORY_PROSPECT_PHONE).first()
    if asker is not None and contact is not None and contact.person_id is not None:
        try:
            prospect_take(actor=asker, person_id=contact.person_id)
        except OwnershipConflictError as exc:
            report(f"  refused take: {exc.message}")
        transfer_request_create(
            actor=asker,
            person_id=contact.person_id,
            reason="Клиент переехал в Москву и ездит к нам на тест-драйвы.",
        )
        report("  transfer request from sales1 waits for the south's head")

    # Everyday tasks for the first north manager about their own customers.
    manager = _user("sales1")
    if manager is not None:
        now = timezone.now()
        own = list(Person.objects.filter(owner=manager).order_by("pk")[:3])
        plans = [
            ("Перезвонить по кредиту", "call", now - dt.timedelta(hours=5)),
            ("Пригласить на тест-драйв", "test_drive", now + dt.timedelta(hours=3)),
            ("Отправить коммерческое предложение", "follow_up", now + dt.timedelta(days=2)),
        ]
        for person, (title, kind, due) in zip(own, plans, strict=False):
            task_create(
                actor=manager,
                assignee=manager,
                title=title,
                person_id=person.pk,
                kind=kind,
                due_at=due,
            )
        head = User.objects.filter(role=Role.CENTRE_HEAD, centre=north).first()
        if head is not None:
            task_create(
                actor=head, assignee=manager, title="Сдать отчёт по лидам за неделю", kind="other"
            )
        report(f"  tasks for {manager.username}: {len(own) + 1}")
