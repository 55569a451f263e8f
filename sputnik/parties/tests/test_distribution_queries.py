"""List pages of distribution and tasks cost the same number of queries for 3 rows or 30."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.activities.services import task_create
from sputnik.conftest import make_user
from sputnik.core.roles import Role
from sputnik.core.services import system_actor
from sputnik.parties.models import DistributionRule
from sputnik.parties.services import person_create
from sputnik.parties.services.distribution import prospect_distribute, transfer_request_create

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def grows(add: Callable[[int], None], client: Client, url: str) -> tuple[int, int]:
    add(3)
    few = queries(client, url)
    add(27)
    return few, queries(client, url)


def test_the_leads_page_does_not_query_per_lead(head, centre_a):
    DistributionRule.objects.create(name="А", centre=centre_a)
    for n in range(2):
        make_user(f"m{n}", Role.SALES_MANAGER, centre_a)

    def add(n: int) -> None:
        for _ in range(n):
            p = person_create(
                actor=system_actor(), data={"last_name": "Лид", "centre_id": centre_a.pk}
            )
            prospect_distribute(actor=system_actor(), person=p)

    client = Client()
    client.force_login(head)
    few, many = grows(add, client, reverse("parties:distribution_leads"))
    assert few == many


def test_the_transfer_inbox_does_not_query_per_request(head, centre_a, centre_b):
    askers = [make_user(f"b{n}", Role.SALES_MANAGER, centre_b) for n in range(30)]
    used = iter(askers)

    def add(n: int) -> None:
        for _ in range(n):
            p = person_create(
                actor=system_actor(), data={"last_name": "Клиент", "centre_id": centre_a.pk}
            )
            transfer_request_create(actor=next(used), person_id=p.pk, reason="Наш")

    client = Client()
    client.force_login(head)
    few, many = grows(add, client, reverse("parties:transfer_inbox"))
    assert few == many


def test_my_tasks_does_not_query_per_task(owner, person):
    def add(n: int) -> None:
        for i in range(n):
            task_create(actor=owner, assignee=owner, title=f"Дело {i}", person_id=person.pk)

    client = Client()
    client.force_login(owner)
    few, many = grows(add, client, reverse("activities:my_tasks"))
    assert few == many
