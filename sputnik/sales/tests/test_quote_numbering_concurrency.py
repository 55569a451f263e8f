"""Quote numbers under concurrency: eight sessions quoting the same centre at once get
eight consecutive numbers, no duplicates and no gaps, and a rolled-back quote gives its
number back. The counter row is locked with SELECT … FOR UPDATE, so this runs on
PostgreSQL (on SQLite writers are serialised by the engine and the test is skipped)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from sputnik.sales.models import Quote
from sputnik.sales.services.quotes import quote_create
from sputnik.sales.tests import quotes_support

catalogue = quotes_support.catalogue

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_quotes_of_one_centre_get_consecutive_numbers(owner, person, catalogue):
    # One deal per session, so only the centre's counter row orders them (not a deal lock).
    deals = [
        quotes_support.make_deal(person, owner, catalogue, title=f"Сделка {i}") for i in range(8)
    ]
    start = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            start.wait()
            if i == 3:
                # Takes a number, then fails: its number must come back, leaving no gap.
                with transaction.atomic():
                    quote_create(actor=owner, deal=deals[i])
                    raise Boom
            numbers.append(quote_create(actor=owner, deal=deals[i]).number)
        except Boom:
            pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    year = timezone.localdate().year
    assert sorted(numbers) == [f"МОС-{year}-{n:05d}" for n in range(1, 8)]
    assert Quote.objects.count() == 7
