"""Keyset paging walks every row exactly once, in order, ties included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from sputnik.core.normalize import search_key
from sputnik.core.paging import keyset_page
from sputnik.parties.models import Person
from sputnik.parties.selectors import PERSON_SORTS, PersonFilters, person_list

SURNAMES = [
    "Иванов",
    "Петров",
    "Сидоров",
    "Ёлкин",
    "Елкин",
    "Абрамов",
    "Яковлев",
    "Zimin",
    "adams",
    "Борисов",
]


@pytest.fixture
def many_persons(owner, centre_a):
    """230 persons with many equal names and equal creation times."""
    base = timezone.now() - dt.timedelta(days=1)
    rows = []
    for i in range(230):
        last = SURNAMES[i % len(SURNAMES)]
        first = "Анна" if i % 3 else "Олег"
        rows.append(
            Person(
                last_name=last,
                first_name=first,
                centre=centre_a,
                owner=owner,
                search_name=search_key(last, first),
                # groups of seven share one timestamp: ties on the sort key
                created_at=base + dt.timedelta(seconds=i // 7),
            )
        )
    Person.objects.bulk_create(rows)
    return Person.objects.filter(owner=owner)


def walk(actor, sort: str, size: int) -> tuple[list[int], int]:
    ids: list[int] = []
    pages = 0
    cursor = None
    while True:
        page = person_list(
            actor=actor, filters=PersonFilters(), sort=sort, cursor=cursor, size=size
        )
        pages += 1
        assert len(page.items) <= size
        ids += [p.pk for p in page.items]
        if page.next_cursor is None:
            return ids, pages
        cursor = page.next_cursor
        assert pages < 1000


@pytest.mark.parametrize("sort", sorted(PERSON_SORTS))
@pytest.mark.parametrize("size", [1, 7, 50, 200])
def test_walking_all_pages_returns_every_row_once_in_order(many_persons, owner, sort, size):
    if size == 1 and sort not in ("name", "-created"):
        pytest.skip("one-row pages: two sorts are enough")
    field, tie = PERSON_SORTS[sort]
    expected = list(many_persons.order_by(field, tie).values_list("pk", flat=True))
    ids, pages = walk(owner, sort, size)
    assert len(ids) == len(set(ids)) == 230
    assert ids == expected
    assert pages == -(-230 // size)


def test_sorting_by_name_puts_equal_names_in_id_order(many_persons, owner):
    ids, _pages = walk(owner, "name", 50)
    persons = Person.objects.in_bulk(ids)
    keys = [(persons[i].search_name, i) for i in ids]
    assert keys == sorted(keys)


def test_descending_is_the_reverse_of_ascending(many_persons, owner):
    up, _ = walk(owner, "name", 50)
    down, _ = walk(owner, "-name", 50)
    assert down == up[::-1]


def test_an_unknown_sort_falls_back_to_name(many_persons, owner):
    assert walk(owner, "password", 50)[0] == walk(owner, "name", 50)[0]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "a:b:c",
        "x" * 5000,
        signing.dumps(["Иванов", 1], salt="another.salt"),
    ],
)
def test_a_tampered_cursor_starts_over(many_persons, owner, cursor):
    first = person_list(actor=owner, filters=PersonFilters(), size=20)
    page = person_list(actor=owner, filters=PersonFilters(), cursor=cursor, size=20)
    assert [p.pk for p in page.items] == [p.pk for p in first.items]


def test_a_cursor_whose_signature_was_edited_starts_over(many_persons, owner):
    first = person_list(actor=owner, filters=PersonFilters(), size=20)
    cursor = first.next_cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    page = person_list(actor=owner, filters=PersonFilters(), cursor=tampered, size=20)
    assert [p.pk for p in page.items] == [p.pk for p in first.items]


@pytest.mark.parametrize(
    ("from_sort", "to_sort"), [("name", "created"), ("created", "name"), ("-created", "-name")]
)
def test_a_cursor_of_another_sort_starts_over_rather_than_failing(
    many_persons, owner, from_sort, to_sort
):
    cursor = person_list(actor=owner, filters=PersonFilters(), sort=from_sort, size=20).next_cursor
    fresh = person_list(actor=owner, filters=PersonFilters(), sort=to_sort, size=20)
    page = person_list(actor=owner, filters=PersonFilters(), sort=to_sort, cursor=cursor, size=20)
    assert [p.pk for p in page.items] == [p.pk for p in fresh.items]


def test_a_page_size_of_zero_or_less_does_not_fail(many_persons):
    qs = Person.objects.all()
    for size in (0, -5):
        page = keyset_page(qs, order=("search_name", "id"), cursor=None, size=size)
        assert len(page.items) <= 1


def test_the_last_page_has_no_next_cursor(many_persons):
    page = keyset_page(Person.objects.all(), order=("id", "id"), cursor=None, size=230)
    assert len(page.items) == 230 and page.next_cursor is None
