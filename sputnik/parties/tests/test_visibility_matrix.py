"""Every persona sees `person` (owned by `owner` in centre A) exactly as the matrix says.

A person the actor may not see behaves like a missing one: DoesNotExist on reads, absent
from lists, searches, lookups and counts, AccessDenied on writes with the row unchanged.
"""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from sputnik.activities.models import Interaction
from sputnik.activities.services import call_log, note_create
from sputnik.conftest import VISIBILITY_MATRIX, make_user
from sputnik.core.models import AuditEntry
from sputnik.core.roles import Role
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Asset, ContactPoint, Person, Relation, StageChange
from sputnik.parties.selectors import (
    PersonFilters,
    person_card,
    person_count_estimate,
    person_get,
    person_list,
    person_lookup,
)
from sputnik.parties.services import (
    asset_create,
    person_change_stage,
    person_create,
    person_delete,
    person_transfer,
    person_update,
    relation_create,
)

MATRIX = pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
HIDDEN = [p for p, sees in VISIBILITY_MATRIX if not sees]
READ_ONLY = ["marketer", "executive"]
WRITERS = [p for p, sees in VISIBILITY_MATRIX if sees and p not in READ_ONLY]


def row(person: Person) -> dict:
    fresh = Person.objects.get(pk=person.pk)
    data = model_to_dict(fresh, exclude=["interests", "tags"])
    data["contacts"] = sorted(
        ContactPoint.objects.filter(person=fresh).values_list("kind", "value")
    )
    return data


def side_effects() -> tuple[int, ...]:
    return (
        AuditEntry.objects.count(),
        Interaction.objects.count(),
        StageChange.objects.count(),
        Asset.objects.count(),
        Relation.objects.count(),
    )


@pytest.fixture
def actor(request, persona):
    return request.getfixturevalue(persona)


# --- reads ---------------------------------------------------------------------------


@MATRIX
def test_person_get_shows_the_person_only_to_those_who_may_see_it(person, actor, sees):
    if sees:
        assert person_get(actor=actor, person_id=person.pk) == person
    else:
        with pytest.raises(Person.DoesNotExist):
            person_get(actor=actor, person_id=person.pk)


@MATRIX
def test_a_hidden_person_is_indistinguishable_from_a_missing_one(person, actor, sees):
    missing = person.pk + 10_000
    with pytest.raises(Person.DoesNotExist) as for_missing:
        person_get(actor=actor, person_id=missing)
    if not sees:
        with pytest.raises(Person.DoesNotExist) as for_hidden:
            person_get(actor=actor, person_id=person.pk)
        assert type(for_hidden.value) is type(for_missing.value)
        assert str(for_hidden.value) == str(for_missing.value)


@MATRIX
def test_person_card_shows_the_person_only_to_those_who_may_see_it(person, actor, sees):
    if sees:
        assert person_card(actor=actor, person_id=person.pk) == person
    else:
        with pytest.raises(Person.DoesNotExist):
            person_card(actor=actor, person_id=person.pk)


@MATRIX
@pytest.mark.parametrize(
    "q",
    [
        "",
        "Иванов",
        "иванов серг",
        "89123456789",
        "+7 912 345-67-89",
        "sergey.ivanov@example.ru",
        "SERGEY.IVANOV@EXAMPLE.RU",
    ],
)
def test_person_list_holds_the_person_only_for_those_who_may_see_it(person, actor, sees, q):
    page = person_list(actor=actor, filters=PersonFilters(q=q))
    assert ([p.pk for p in page.items] == [person.pk]) is sees
    if not sees:
        assert page.items == []


@MATRIX
def test_person_list_filtered_by_the_hidden_centre_or_owner_stays_empty(person, actor, sees):
    for filters in (
        PersonFilters(centre_id=person.centre_id),
        PersonFilters(owner_id=person.owner_id),
        PersonFilters(stage=person.stage),
    ):
        page = person_list(actor=actor, filters=filters)
        assert bool(page.items) is sees


@MATRIX
@pytest.mark.parametrize("phone", ["8 (912) 345-67-89", "+79123456789", "9123456789"])
def test_lookup_by_phone_finds_the_person_only_for_those_who_may_see_it(person, actor, sees, phone):
    assert ([p.pk for p in person_lookup(actor=actor, phone=phone)] == [person.pk]) is sees


@MATRIX
@pytest.mark.parametrize("email", ["sergey.ivanov@example.ru", " Sergey.Ivanov@EXAMPLE.ru"])
def test_lookup_by_e_mail_finds_the_person_only_for_those_who_may_see_it(
    person, actor, sees, email
):
    assert ([p.pk for p in person_lookup(actor=actor, email=email)] == [person.pk]) is sees


@MATRIX
@pytest.mark.parametrize("q", ["", "Иванов", "89123456789", "sergey.ivanov@example.ru"])
def test_count_estimate_counts_the_person_only_for_those_who_may_see_it(person, actor, sees, q):
    assert person_count_estimate(actor=actor, filters=PersonFilters(q=q)) == (1 if sees else 0)


# --- writes by those who cannot see ---------------------------------------------------


@pytest.mark.parametrize("persona", HIDDEN)
def test_a_hidden_person_cannot_be_updated_and_stays_unchanged(person, actor):
    before, effects = row(person), side_effects()
    with pytest.raises(AccessDenied):
        person_update(
            actor=actor,
            person=person,
            data={"last_name": "Взломанный", "phones": ["+79990000000"], "stage": "lost"},
        )
    assert row(person) == before and side_effects() == effects


@pytest.mark.parametrize("persona", HIDDEN)
def test_a_hidden_persons_stage_cannot_be_changed(person, actor):
    before, effects = row(person), side_effects()
    with pytest.raises(AccessDenied):
        person_change_stage(actor=actor, person=person, stage="lost", reason="x")
    assert row(person) == before and side_effects() == effects


@pytest.mark.parametrize("persona", HIDDEN)
def test_no_asset_can_be_added_to_a_hidden_person(person, actor):
    effects = side_effects()
    with pytest.raises(AccessDenied):
        asset_create(actor=actor, person=person, data={"make": "Lada", "model": "Vesta"})
    assert side_effects() == effects


@pytest.mark.parametrize("persona", HIDDEN)
def test_no_note_or_call_can_be_logged_on_a_hidden_person(person, actor):
    effects = side_effects()
    with pytest.raises(AccessDenied):
        note_create(actor=actor, person_id=person.pk, body="подсмотрено")
    with pytest.raises(AccessDenied):
        call_log(actor=actor, person_id=person.pk, direction="out", outcome="answered")
    assert side_effects() == effects


@pytest.mark.parametrize("persona", ["outsider", "other_head"])
def test_a_relation_to_a_hidden_person_is_refused_in_both_directions(person, actor, centre_b):
    mine = person_create(actor=actor, data={"last_name": "Свой"})
    effects = side_effects()
    with pytest.raises(AccessDenied):
        relation_create(actor=actor, person=mine, other=person, kind="friend")
    with pytest.raises(AccessDenied):
        relation_create(actor=actor, person=person, other=mine, kind="friend")
    assert side_effects() == effects


def test_a_sales_manager_cannot_link_to_a_colleagues_person(person, colleague):
    theirs = person_create(actor=colleague, data={"last_name": "Коллегин"})
    with pytest.raises(AccessDenied):
        relation_create(actor=colleague, person=theirs, other=person, kind="spouse")
    assert not Relation.objects.exists()


@pytest.mark.parametrize("persona", WRITERS)
def test_those_who_see_and_may_edit_can_write(person, actor):
    person_update(actor=actor, person=person, data={"job_title": "Инженер"})
    asset_create(actor=actor, person=person, data={"make": "Lada", "model": "Vesta"})
    note_create(actor=actor, person_id=person.pk, body="Звонил")
    assert Person.objects.get(pk=person.pk).job_title == "Инженер"
    assert Asset.objects.filter(person=person).count() == 1


# --- read-only roles --------------------------------------------------------------------


@pytest.mark.parametrize("persona", READ_ONLY)
def test_read_only_roles_see_but_cannot_create_or_edit(person, actor):
    before, effects, count = row(person), side_effects(), Person.objects.count()
    assert person_get(actor=actor, person_id=person.pk) == person
    attempts = [
        lambda: person_create(actor=actor, data={"last_name": "Новый"}),
        lambda: person_update(actor=actor, person=person, data={"last_name": "Новый"}),
        lambda: person_change_stage(actor=actor, person=person, stage="customer"),
        lambda: asset_create(actor=actor, person=person, data={"make": "A", "model": "B"}),
        lambda: note_create(actor=actor, person_id=person.pk, body="x"),
        lambda: call_log(actor=actor, person_id=person.pk, direction="in", outcome="answered"),
        lambda: person_transfer(actor=actor, person=person, centre_id=person.centre_id),
        lambda: person_delete(actor=actor, person=person),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDenied):
            attempt()
    assert row(person) == before and side_effects() == effects
    assert Person.objects.count() == count


# --- transfer ---------------------------------------------------------------------------


@MATRIX
def test_only_the_head_of_the_persons_centre_and_the_admin_may_transfer(
    person, actor, persona, sees, centre_b
):
    may = persona in ("head", "admin_user")
    assert sees or not may
    before = row(person)
    if may:
        person_transfer(actor=actor, person=person, centre_id=centre_b.pk)
        moved = Person.objects.get(pk=person.pk)
        assert moved.centre_id == centre_b.pk and moved.owner_id is None
        assert AuditEntry.objects.filter(action="transfer", entity_id=person.pk).count() == 1
    else:
        with pytest.raises(AccessDenied):
            person_transfer(actor=actor, person=person, centre_id=centre_b.pk)
        assert row(person) == before
        assert not AuditEntry.objects.filter(action="transfer").exists()


def test_the_head_of_another_centre_cannot_take_a_person_into_their_centre(
    person, other_head, centre_b
):
    before = row(person)
    with pytest.raises(AccessDenied):
        person_transfer(
            actor=other_head, person=person, centre_id=centre_b.pk, owner_id=other_head.pk
        )
    assert row(person) == before


# --- users without a centre --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CENTRE_HEAD, Role.SERVICE_ADVISOR])
def test_a_centre_scoped_user_without_a_centre_sees_nothing(person, role):
    homeless = make_user("homeless", role, None)
    assert not Person.objects.visible_to(homeless).exists()
    assert person_list(actor=homeless, filters=PersonFilters()).items == []
    assert person_lookup(actor=homeless, phone="89123456789") == []
    assert person_count_estimate(actor=homeless, filters=PersonFilters()) == 0
    with pytest.raises(Person.DoesNotExist):
        person_get(actor=homeless, person_id=person.pk)
    with pytest.raises(AccessDenied):
        person_update(actor=homeless, person=person, data={"last_name": "X"})


def test_an_inactive_user_sees_nothing(person, owner):
    owner.is_active = False
    owner.save()
    assert person_list(actor=owner, filters=PersonFilters()).items == []
    with pytest.raises(Person.DoesNotExist):
        person_get(actor=owner, person_id=person.pk)
