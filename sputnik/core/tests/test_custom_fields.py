"""Administrator-defined fields: typed, validated, only known keys, filterable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sputnik.core.custom_fields import clean_custom, clean_value, custom_filter
from sputnik.core.models import CustomFieldDefinition as Def
from sputnik.parties.models import Person
from sputnik.parties.selectors import PersonFilters, person_list
from sputnik.parties.services import person_create, person_update


def define(
    key: str,
    type_: str,
    *,
    entity: str = "person",
    required: bool = False,
    choices: list[str] | None = None,
    filterable: bool = True,
) -> Def:
    return Def.objects.create(
        entity=entity,
        key=key,
        label_ru=key,
        label_en=key,
        type=type_,
        required=required,
        choices=choices or [],
        filterable=filterable,
    )


@pytest.mark.parametrize(
    ("type_", "raw", "stored"),
    [
        (Def.Type.TEXT, "  привет  ", "привет"),
        (Def.Type.TEXT, "<script>alert(1)</script>", "<script>alert(1)</script>"),
        (Def.Type.INTEGER, "1 000", 1000),
        (Def.Type.INTEGER, 42, 42),
        (Def.Type.INTEGER, 3.0, 3),
        (Def.Type.DECIMAL, "12,5", "12.5"),
        (Def.Type.DECIMAL, 7, "7"),
        (Def.Type.DATE, "31.12.2024", "2024-12-31"),
        (Def.Type.DATE, "2024-12-31", "2024-12-31"),
        (Def.Type.DATE, dt.date(2024, 1, 2), "2024-01-02"),
        (Def.Type.BOOLEAN, "да", True),
        (Def.Type.BOOLEAN, "no", False),
        (Def.Type.BOOLEAN, True, True),
        (Def.Type.CHOICE, "red", "red"),
    ],
)
def test_a_valid_value_of_each_type_is_stored_in_its_json_form(db, type_, raw, stored):
    defn = define("f", type_, choices=["red", "green"])
    assert clean_value(defn, raw) == stored


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        (Def.Type.TEXT, "x" * 1001),
        (Def.Type.INTEGER, "двенадцать"),
        (Def.Type.INTEGER, "1.5"),
        (Def.Type.INTEGER, 1.5),
        (Def.Type.INTEGER, True),
        (Def.Type.INTEGER, str(10**16)),
        (Def.Type.DECIMAL, "NaN"),
        (Def.Type.DECIMAL, "Infinity"),
        (Def.Type.DECIMAL, "1e20"),
        (Def.Type.DECIMAL, "abc"),
        (Def.Type.DECIMAL, False),
        (Def.Type.DATE, "31/12/2024"),
        (Def.Type.DATE, "2024-02-30"),
        (Def.Type.DATE, "yesterday"),
        (Def.Type.BOOLEAN, "maybe"),
        (Def.Type.CHOICE, "blue"),
        (Def.Type.CHOICE, "RED"),
    ],
)
def test_an_invalid_value_of_each_type_is_refused_with_a_message(db, type_, raw):
    defn = define("f", type_, choices=["red", "green"])
    with pytest.raises(ValidationError) as info:
        clean_value(defn, raw)
    assert info.value.messages and all(m.strip() for m in info.value.messages)


def test_a_choice_error_names_the_allowed_values(db):
    defn = define("colour", Def.Type.CHOICE, choices=["red", "green"])
    with pytest.raises(ValidationError) as info:
        clean_value(defn, "blue")
    assert "red" in info.value.messages[0] and "green" in info.value.messages[0]


def test_a_required_field_left_empty_is_an_error_keyed_by_the_field(db):
    define("budget", Def.Type.INTEGER, required=True)
    for empty in ({}, {"budget": ""}, {"budget": "   "}, {"budget": None}):
        with pytest.raises(ValidationError) as info:
            clean_custom("person", empty)
        assert "custom.budget" in info.value.message_dict


def test_an_optional_field_left_empty_is_not_stored(db):
    define("note", Def.Type.TEXT)
    assert clean_custom("person", {"note": ""}) == {}


def test_an_unknown_key_is_refused(db):
    define("budget", Def.Type.INTEGER)
    with pytest.raises(ValidationError) as info:
        clean_custom("person", {"budget": "5", "is_staff": True})
    assert list(info.value.message_dict) == ["custom.is_staff"]


def test_a_company_field_is_unknown_on_a_person(db):
    define("fleet_size", Def.Type.INTEGER, entity="company")
    with pytest.raises(ValidationError) as info:
        clean_custom("person", {"fleet_size": "5"})
    assert "custom.fleet_size" in info.value.message_dict
    assert clean_custom("company", {"fleet_size": "5"}) == {"fleet_size": 5}


@pytest.mark.parametrize("not_a_mapping", [["budget"], "budget=5", 5])
def test_custom_values_that_are_not_a_mapping_are_refused(db, not_a_mapping):
    define("budget", Def.Type.INTEGER)
    with pytest.raises(ValidationError):
        clean_custom("person", not_a_mapping)


def test_an_update_keeps_values_it_does_not_mention(db):
    define("budget", Def.Type.INTEGER, required=True)
    define("colour", Def.Type.CHOICE, choices=["red", "green"])
    current = {"budget": 5, "colour": "red"}
    assert clean_custom("person", {"colour": "green"}, current=current) == {
        "budget": 5,
        "colour": "green",
    }
    assert clean_custom("person", {"colour": ""}, current=current) == {"budget": 5}
    assert current == {"budget": 5, "colour": "red"}


def test_a_filter_on_an_unknown_or_unfilterable_key_is_ignored(db):
    define("secret", Def.Type.TEXT, filterable=False)
    assert custom_filter("person", "secret", "x").children == []
    assert custom_filter("person", "password", "x").children == []


def test_a_filter_with_an_invalid_value_matches_nothing(db):
    define("budget", Def.Type.INTEGER)
    assert not Person.objects.filter(custom_filter("person", "budget", "many")).exists()


@pytest.fixture
def typed_fields(db):
    define("budget", Def.Type.INTEGER)
    define("colour", Def.Type.CHOICE, choices=["red", "green"])
    define("trade_in", Def.Type.BOOLEAN)
    define("visit", Def.Type.DATE)


def _names(page) -> list[str]:
    return sorted(p.last_name for p in page.items)


def test_person_list_filters_by_custom_fields_of_each_type(typed_fields, owner):
    person_create(
        actor=owner,
        data={
            "last_name": "Красный",
            "custom": {
                "budget": "3 000 000",
                "colour": "red",
                "trade_in": "да",
                "visit": "01.02.2024",
            },
        },
    )
    person_create(
        actor=owner,
        data={
            "last_name": "Зелёный",
            "custom": {"budget": "2000000", "colour": "green", "trade_in": "нет"},
        },
    )
    person_create(actor=owner, data={"last_name": "Пустой"})

    def listed(params: dict[str, str]) -> list[str]:
        return _names(person_list(actor=owner, filters=PersonFilters.from_params(params)))

    assert listed({"cf_colour": "red"}) == ["Красный"]
    assert listed({"cf_colour": "green"}) == ["Зелёный"]
    assert listed({"cf_budget": "3000000"}) == ["Красный"]
    assert listed({"cf_trade_in": "yes"}) == ["Красный"]
    assert listed({"cf_trade_in": "false"}) == ["Зелёный"]
    assert listed({"cf_visit": "2024-02-01"}) == ["Красный"]
    assert listed({"cf_colour": "blue"}) == []
    assert listed({"cf_budget": "lots"}) == []
    assert listed({"cf_unknown": "x"}) == ["Зелёный", "Красный", "Пустой"]


def test_person_list_custom_filter_sees_only_visible_persons(typed_fields, owner, colleague):
    person_create(actor=owner, data={"last_name": "Мой", "custom": {"colour": "red"}})
    person_create(actor=colleague, data={"last_name": "Чужой", "custom": {"colour": "red"}})
    page = person_list(actor=owner, filters=PersonFilters(custom={"colour": "red"}))
    assert _names(page) == ["Мой"]


def test_person_create_refuses_bad_custom_values_and_writes_nothing(typed_fields, owner):
    with pytest.raises(ValidationError) as info:
        person_create(
            actor=owner,
            data={"last_name": "Икс", "custom": {"budget": "many", "colour": "blue", "nope": 1}},
        )
    assert {"custom.budget", "custom.colour", "custom.nope"} <= set(info.value.message_dict)
    assert not Person.objects.exists()


def test_person_update_validates_custom_values_and_keeps_others(typed_fields, owner):
    person = person_create(
        actor=owner, data={"last_name": "Икс", "custom": {"budget": "5", "colour": "red"}}
    )
    person_update(actor=owner, person=person, data={"custom": {"colour": "green"}})
    person.refresh_from_db()
    assert person.custom == {"budget": 5, "colour": "green"}
    with pytest.raises(ValidationError):
        person_update(actor=owner, person=person, data={"custom": {"colour": "blue"}})
    person.refresh_from_db()
    assert person.custom == {"budget": 5, "colour": "green"}
