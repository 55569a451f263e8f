"""Person reads: search by any spelling, filters from query strings, bounded query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sputnik.core.normalize import vin_check_digit
from sputnik.parties.models import Interest, Person, Relation
from sputnik.parties.selectors import (
    PersonFilters,
    person_card,
    person_count_estimate,
    person_list,
    person_lookup,
    relations_of,
)
from sputnik.parties.services import (
    address_create,
    asset_create,
    company_create,
    company_role_create,
    important_date_create,
    person_create,
    relation_create,
)


def names(page) -> list[str]:
    return [p.last_name for p in page.items]


@pytest.fixture
def people(owner):
    Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing")
    return {
        "semenov": person_create(
            actor=owner,
            data={
                "last_name": "Семёнов",
                "first_name": "Артём",
                "phones": ["+7 903 111-22-33"],
                "emails": ["artem@example.ru"],
                "tags": ["VIP"],
                "interests": ["fishing"],
                "source": "web_form",
                "stage": "customer",
            },
        ),
        "semenova": person_create(
            actor=owner,
            data={"last_name": "Семенова", "first_name": "Ольга", "phones": ["+7 903 444-55-66"]},
        ),
        "petrov": person_create(
            actor=owner,
            data={"last_name": "Петров", "first_name": "Пётр", "emails": ["petr_100%@example.ru"]},
        ),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("семенов", ["Семенова", "Семёнов"]),
        ("СЕМЁНОВ артём", ["Семёнов"]),
        ("артем", ["Семёнов"]),
        ("ольга семенова", ["Семенова"]),
        ("8 903 111 22 33", ["Семёнов"]),
        ("+79031112233", ["Семёнов"]),
        ("(903) 444-55-66", ["Семенова"]),
        ("ARTEM@EXAMPLE.RU", ["Семёнов"]),
        ("petr_100%@example.ru", ["Петров"]),
        ("%", []),
        ("_", []),
        ("8 999 000 00 00", []),
        ("nobody@example.ru", []),
        ("@", []),
        ("'; DROP TABLE parties_person; --", []),
    ],
)
def test_search_finds_by_any_spelling_of_name_phone_or_e_mail(people, owner, q, expected):
    page = person_list(actor=owner, filters=PersonFilters(q=q))
    assert sorted(names(page)) == sorted(expected)
    assert person_count_estimate(actor=owner, filters=PersonFilters(q=q)) == len(expected)


def test_filters_from_a_query_string_combine(people, owner):
    def listed(qs: str) -> list[str]:
        filters = PersonFilters.from_params(QueryDict(qs), actor=owner)
        return sorted(names(person_list(actor=owner, filters=filters)))

    assert listed("stage=customer") == ["Семёнов"]
    assert listed("tag=VIP") == ["Семёнов"]
    assert listed("interest=fishing") == ["Семёнов"]
    assert listed("source=web_form") == ["Семёнов"]
    assert listed("owner=me&q=петров") == ["Петров"]
    assert listed(f"centre={owner.centre_id}") == ["Петров", "Семенова", "Семёнов"]


@pytest.mark.parametrize(
    "qs",
    [
        "stage=vip",
        "source=tv",
        "centre=abc",
        "centre=²",
        "owner=٣",
        "centre=" + "9" * 40,
        "owner=-1",
        "cf_=1",
        "cf_" + "x" * 100 + "=1",
        "sort=;",
        "q=" + "я" * 5000,
    ],
)
def test_unknown_or_junk_filter_values_are_ignored_not_errors(people, owner, qs):
    filters = PersonFilters.from_params(QueryDict(qs), actor=owner)
    page = person_list(actor=owner, filters=filters)
    assert isinstance(page.items, list)


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["q", "stage", "centre", "owner", "tag", "interest", "source", "cf_budget", "cf_x"]
        ),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_fuzzed_filters_never_raise(people, owner, params):
    filters = PersonFilters.from_params(params, actor=owner)
    person_list(actor=owner, filters=filters)
    person_count_estimate(actor=owner, filters=filters)


@pytest.mark.parametrize(
    ("phone", "email"),
    [("абв", ""), ("", "not-an-address"), ("", ""), ("x" * 1000, ""), ("", "@@")],
)
def test_lookup_with_junk_finds_nobody(people, owner, phone, email):
    assert person_lookup(actor=owner, phone=phone, email=email) == []


def test_person_list_of_50_rows_with_contacts_uses_a_bounded_number_of_queries(
    owner, django_assert_max_num_queries
):
    for i in range(60):
        person_create(
            actor=owner,
            data={
                "last_name": f"Клиент{i:02}",
                "phones": [f"+7 903 000-{i:02}-00", f"+7 903 111-{i:02}-11"],
                "emails": [f"c{i}@example.ru"],
            },
        )
    with django_assert_max_num_queries(4):  # persons, centres, owners, contacts
        page = person_list(actor=owner, filters=PersonFilters(), size=50)
        shown = [
            (
                p.display_name,
                p.centre.name,
                p.owner.username if p.owner else "",
                [c.value for c in p.contacts.all()],
            )
            for p in page.items
        ]
    assert len(shown) == 50 and all(len(contacts) == 3 for *_, contacts in shown)


def test_person_card_uses_a_bounded_number_of_queries_however_much_it_holds(
    person, owner, django_assert_max_num_queries
):
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    company_role_create(actor=owner, person=person, company=company, title="Директор")
    for i in range(8):
        other = person_create(actor=owner, data={"last_name": f"Родня{i}"})
        relation_create(actor=owner, person=person, other=other, kind="family")
        relation_create(actor=owner, person=other, other=person, kind="referred_by")
        draft = f"XTA2109905{i:07}"
        vin = draft[:8] + vin_check_digit(draft) + draft[9:]
        asset_create(
            actor=owner, person=person, data={"make": "Lada", "model": f"М{i}", "vin": vin}
        )
        address_create(actor=owner, person=person, data={"city": f"Город {i}"})
        important_date_create(
            actor=owner, person=person, label=f"Дата {i}", date=dt.date(2020, 1, i + 1)
        )
    from sputnik.parties.services import person_update

    person_update(
        actor=owner,
        person=person,
        data={
            "phones": [f"+7 912 000-00-{i:02}" for i in range(10)],
            "emails": [f"ivanov{i}@example.ru" for i in range(5)],
            "tags": ["a", "b", "c"],
            "stage": "customer",
        },
    )

    with django_assert_max_num_queries(12):
        card = person_card(actor=owner, person_id=person.pk)
        seen = (
            card.centre.name,
            card.owner.username,
            card.employer,
            [c.value for c in card.contacts.all()],
            list(card.addresses.all()),
            list(card.interests.all()),
            [t.name for t in card.tags.all()],
            list(card.important_dates.all()),
            [str(a) for a in card.assets.all()],
            [r.company.name for r in card.company_roles.all()],
            [(label, other.display_name) for label, _r, other in relations_of(card)],
            list(card.stage_changes.all()),
        )
    assert len(seen[3]) == 15 and len(seen[8]) == 8 and len(seen[10]) == 16
    assert Relation.objects.count() == 16


def test_an_empty_list_is_fine(owner):
    assert person_list(actor=owner, filters=PersonFilters()).items == []
    assert person_count_estimate(actor=owner, filters=PersonFilters()) == 0


def test_the_count_estimate_is_exact_below_its_cap(owner, centre_a):
    Person.objects.bulk_create(
        Person(last_name=f"П{i}", centre=centre_a, owner=owner) for i in range(30)
    )
    assert person_count_estimate(actor=owner, filters=PersonFilters()) == 30


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Сем\x00"},
        {"q": "\x00"},
        {"tag": "VIP\x00"},
        {"interest": "fish\x00"},
        {"cf_note": "a\x00b"},
    ],
)
def test_a_nul_character_in_a_filter_is_harmless_on_every_engine(people, owner, params):
    from sputnik.core.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(
        entity="person", key="note", label_ru="n", label_en="n", type="text"
    )
    filters = PersonFilters.from_params(params, actor=owner)
    person_list(actor=owner, filters=filters)
    assert person_count_estimate(actor=owner, filters=filters) is not None


def test_a_nul_character_in_a_company_search_is_harmless(owner):
    from sputnik.parties.selectors import company_list

    assert company_list(actor=owner, q="ООО\x00").items == []


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created"])
def test_paging_through_search_results_returns_every_match_once_in_order(owner, sort):
    for i in range(75):
        person_create(actor=owner, data={"last_name": f"Иванов{i % 7}", "first_name": f"Пётр{i}"})
        person_create(actor=owner, data={"last_name": f"Сидоров{i}", "first_name": "Олег"})
    seen: list = []
    cursor = None
    while True:
        page = person_list(
            actor=owner, filters=PersonFilters(q="иванов"), sort=sort, cursor=cursor, size=20
        )
        seen.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 75 == len({p.pk for p in seen})
    key = (lambda p: (p.search_name, p.pk)) if "name" in sort else (lambda p: (p.created_at, p.pk))
    assert seen == sorted(seen, key=key, reverse=sort.startswith("-"))
