"""The timeline pages newest first, 30 at a time, at a cost independent of its length."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sputnik.activities.models import Interaction
from sputnik.activities.selectors import timeline_page
from sputnik.parties.models import Person
from sputnik.parties.services import person_create


def fill(person: Person, n: int, *, actor=None) -> None:
    """n entries, several sharing one timestamp (ties on the sort key)."""
    start = timezone.now() - dt.timedelta(days=30)
    Interaction.objects.bulk_create(
        Interaction(
            person_id=person.pk,
            centre_id=person.centre_id,
            actor=actor,
            kind=Interaction.Kind.NOTE if i % 2 else Interaction.Kind.CALL,
            body=f"запись {i}",
            occurred_at=start + dt.timedelta(minutes=i // 3),
        )
        for i in range(n)
    )


def walk(actor, person, **kwargs) -> list[list[Interaction]]:
    pages, cursor = [], None
    while True:
        page = timeline_page(actor=actor, person=person, cursor=cursor, **kwargs)
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_a_long_timeline_pages_thirty_at_a_time_newest_first(person, owner):
    fill(person, 1000, actor=owner)
    pages = walk(owner, person)
    assert [len(p) for p in pages] == [30] * 33 + [10]
    flat = [i for p in pages for i in p]
    assert len({i.pk for i in flat}) == 1000
    keys = [(i.occurred_at, i.pk) for i in flat]
    assert keys == sorted(keys, reverse=True)


def test_the_timeline_holds_only_the_persons_entries(person, owner):
    other = person_create(actor=owner, data={"last_name": "Другой"})
    fill(person, 5)
    fill(other, 7)
    assert {i.person_id for i in timeline_page(actor=owner, person=person).items} == {person.pk}
    assert len(timeline_page(actor=owner, person=other).items) == 7


def test_the_timeline_can_be_filtered_by_kind_ignoring_unknown_kinds(person, owner):
    fill(person, 40)
    pages = walk(owner, person, kinds=["note", "password"])
    flat = [i for p in pages for i in p]
    assert len(flat) == 20 and {i.kind for i in flat} == {"note"}


def test_the_timeline_of_a_hidden_person_is_not_shown(person, outsider):
    fill(person, 3)
    with pytest.raises(Person.DoesNotExist):
        timeline_page(actor=outsider, person=person)


def test_an_absurd_page_size_is_bounded(person, owner):
    fill(person, 250)
    assert len(timeline_page(actor=owner, person=person, size=10_000).items) == 200
    assert len(timeline_page(actor=owner, person=person, size=0).items) == 1


def queries_for_a_page(actor, person, cursor=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = timeline_page(actor=actor, person=person, cursor=cursor)
        [i.actor for i in page.items]  # the actor is shown on every entry
    return len(ctx.captured_queries)


def test_a_page_costs_the_same_number_of_queries_for_10_or_1000_entries(
    person, owner, head, django_assert_num_queries
):
    short = person_create(actor=owner, data={"last_name": "Короткий"})
    fill(short, 10, actor=owner)
    fill(person, 1000, actor=head)
    expected = queries_for_a_page(owner, short)
    assert expected <= 3
    with django_assert_num_queries(expected):
        page = timeline_page(actor=owner, person=person)
        assert len(page.items) == 30
        [i.actor for i in page.items]
    # a page deep in the history costs the same
    cursor = None
    for _ in range(20):
        cursor = timeline_page(actor=owner, person=person, cursor=cursor).next_cursor
    assert queries_for_a_page(owner, person, cursor) == expected
