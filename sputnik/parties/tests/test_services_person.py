"""person_create / update / change_stage / delete: validation, placement, stage history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sputnik.activities.models import Interaction
from sputnik.activities.services import call_log, note_create
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Company, ContactPoint, Interest, Person, StageChange, Tag
from sputnik.parties.services import (
    company_create,
    person_change_stage,
    person_create,
    person_delete,
    person_update,
)


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Person, ContactPoint, AuditEntry, StageChange, Interaction, Tag)
    }


def phones(person: Person) -> list[str]:
    return sorted(person.contacts.filter(kind="phone").values_list("value", flat=True))


def test_phones_in_different_spellings_are_stored_once_in_e164(owner):
    person = person_create(
        actor=owner,
        data={
            "last_name": "Смирнов",
            "phones": [
                "8 (912) 345-67-89",
                "+7 912 345 67 89",
                "9123456789",
                "8-912-345-67-89",
                "+7 (495) 123-45-67",
            ],
        },
    )
    assert phones(person) == ["+74951234567", "+79123456789"]
    primary = person.contacts.get(kind="phone", is_primary=True)
    assert primary.value == "+79123456789"


def test_e_mails_are_stored_folded_and_once(owner):
    person = person_create(
        actor=owner,
        data={
            "last_name": "Смирнов",
            "emails": [
                "Ivan@Example.RU",
                "ivan@example.ru",
                {"value": "IVAN@EXAMPLE.RU", "label": "work"},
            ],
        },
    )
    assert list(person.contacts.filter(kind="email").values_list("value", flat=True)) == [
        "ivan@example.ru"
    ]


def test_a_bad_phone_and_e_mail_give_per_field_errors_and_write_nothing(owner):
    before = counts()
    with pytest.raises(ValidationError) as info:
        person_create(
            actor=owner,
            data={
                "last_name": "Смирнов",
                "phones": ["+79123456789", "позвоните мне"],
                "emails": ["not-an-address", "ok@example.ru"],
                "tags": ["новый"],
            },
        )
    errors = info.value.message_dict
    assert set(errors) == {"phones.1", "emails.0"}
    assert all(messages and all(m.strip() for m in messages) for messages in errors.values())
    assert counts() == before


def test_several_errors_are_reported_together(owner):
    with pytest.raises(ValidationError) as info:
        person_create(
            actor=owner,
            data={
                "first_name": "",
                "last_name": "",
                "stage": "vip",
                "birthday": "31.02.1990",
                "phones": ["abc"],
                "source": "tv",
                "last_name_x": "ignored",
            },
        )
    assert {"last_name", "stage", "birthday", "phones.0", "source"} <= set(info.value.message_dict)
    assert not Person.objects.exists()


def test_names_with_markup_are_stored_as_plain_text(owner):
    person = person_create(
        actor=owner,
        data={
            "last_name": "<script>alert(1)</script>",
            "first_name": "<img src=x onerror=alert(1)>",
            "wishes": "javascript:alert(1)",
        },
    )
    person.refresh_from_db()
    assert person.last_name == "<script>alert(1)</script>"
    assert person.first_name == "<img src=x onerror=alert(1)>"
    assert person.wishes == "javascript:alert(1)"


def test_control_characters_are_removed_from_names(owner):
    person = person_create(
        actor=owner, data={"last_name": "Ива\x00нов\x1b", "first_name": " Пётр "}
    )
    assert (person.last_name, person.first_name) == ("Иванов", "Пётр")
    assert person.search_name == "иванов петр"


def test_an_over_long_name_is_refused(owner):
    with pytest.raises(ValidationError) as info:
        person_create(actor=owner, data={"last_name": "Я" * 101})
    assert "last_name" in info.value.message_dict
    assert not Person.objects.exists()


def test_a_future_birthday_is_refused(owner):
    with pytest.raises(ValidationError) as info:
        person_create(actor=owner, data={"last_name": "Юный", "birthday": "2999-01-01"})
    assert "birthday" in info.value.message_dict


def test_a_sales_manager_creates_in_their_centre_as_owner_whatever_they_pass(
    owner, centre_b, outsider
):
    person = person_create(
        actor=owner, data={"last_name": "Петров", "centre_id": centre_b.pk, "owner_id": outsider.pk}
    )
    assert person.centre_id == owner.centre_id and person.owner_id == owner.pk
    assert person.created_by_id == owner.pk


def test_an_operator_may_place_a_new_person_in_a_centre_and_owner(operator, centre_a, owner):
    person = person_create(
        actor=operator,
        data={"last_name": "Звонивший", "centre_id": centre_a.pk, "owner_id": owner.pk},
    )
    assert person.centre_id == centre_a.pk and person.owner_id == owner.pk


def test_an_owner_from_another_centre_is_refused(operator, centre_a, outsider):
    with pytest.raises(ValidationError) as info:
        person_create(
            actor=operator,
            data={"last_name": "Звонивший", "centre_id": centre_a.pk, "owner_id": outsider.pk},
        )
    assert "owner_id" in info.value.message_dict
    assert not Person.objects.exists()


def test_a_new_person_starts_its_stage_history(owner):
    person = person_create(actor=owner, data={"last_name": "Новиков", "stage": "customer"})
    change = StageChange.objects.get(person=person)
    assert (change.from_stage, change.to_stage, change.actor) == ("", "customer", owner)


def test_interests_and_tags_are_attached_and_unknown_interests_refused(owner):
    Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing")
    person = person_create(
        actor=owner,
        data={"last_name": "Рыбаков", "interests": ["fishing"], "tags": ["VIP", "vip", "Семья"]},
    )
    assert [i.slug for i in person.interests.all()] == ["fishing"]
    assert sorted(t.name for t in person.tags.all()) == ["VIP", "Семья"]
    with pytest.raises(ValidationError) as info:
        person_create(actor=owner, data={"last_name": "Охотников", "interests": ["hunting"]})
    assert "interests" in info.value.message_dict


@pytest.mark.parametrize("junk", ["abc", "²", "1.5", "-1"])
def test_a_junk_interest_id_is_a_validation_error(owner, junk):
    with pytest.raises(ValidationError):
        person_create(actor=owner, data={"last_name": "Икс", "interests": [junk]})


@pytest.mark.parametrize("junk", ["abc", "²", [1]])
def test_a_junk_employer_is_a_validation_error(owner, junk):
    with pytest.raises(ValidationError) as info:
        person_create(actor=owner, data={"last_name": "Икс", "employer_id": junk})
    assert "employer_id" in info.value.message_dict


def test_an_employer_the_actor_cannot_see_is_refused(owner, outsider):
    hidden = company_create(actor=outsider, data={"name": "ООО Чужая"})
    with pytest.raises(ValidationError) as info:
        person_create(actor=owner, data={"last_name": "Икс", "employer_id": hidden.pk})
    assert "employer_id" in info.value.message_dict
    mine = company_create(actor=owner, data={"name": "ООО Своя"})
    person = person_create(actor=owner, data={"last_name": "Икс", "employer_id": mine.pk})
    assert person.employer_id == mine.pk
    with pytest.raises(ValidationError):
        person_update(actor=owner, person=person, data={"employer_id": hidden.pk})
    assert Person.objects.get(pk=person.pk).employer_id == mine.pk
    assert Company.objects.count() == 2


# --- update --------------------------------------------------------------------------


def test_update_changes_the_given_fields_only(person, owner):
    person_update(actor=owner, person=person, data={"job_title": "Директор"})
    person.refresh_from_db()
    assert person.job_title == "Директор" and person.last_name == "Иванов"
    assert phones(person) == ["+79123456789"]


def test_update_cannot_change_centre_owner_or_bookkeeping(person, owner, outsider, centre_b):
    created_at, created_by = person.created_at, person.created_by_id
    person_update(
        actor=owner,
        person=person,
        data={
            "centre_id": centre_b.pk,
            "centre": centre_b,
            "owner_id": outsider.pk,
            "owner": outsider,
            "created_by_id": outsider.pk,
            "created_at": "2000-01-01",
            "id": 999,
            "search_name": "x",
            "last_name": "Иванова",
        },
    )
    person.refresh_from_db()
    assert person.centre_id == owner.centre_id and person.owner_id == owner.pk
    assert person.created_by_id == created_by and person.created_at == created_at
    assert person.search_name == "иванова сергей петрович"
    assert Person.objects.filter(pk=999).exists() is False


def test_update_replaces_contacts_when_given(person, owner):
    person_update(actor=owner, person=person, data={"phones": ["+7 495 123-45-67"]})
    person.refresh_from_db()
    assert phones(person) == ["+74951234567"]
    assert person.contacts.get(kind="phone").is_primary
    # the e-mails were not part of the update and stay
    assert list(person.contacts.filter(kind="email").values_list("value", flat=True)) == [
        "sergey.ivanov@example.ru"
    ]


def test_an_empty_list_removes_that_kind_of_contact_only(person, owner):
    person_update(actor=owner, person=person, data={"emails": []})
    person.refresh_from_db()
    assert phones(person) == ["+79123456789"]
    assert not person.contacts.filter(kind="email").exists()


def test_an_invalid_update_leaves_the_person_unchanged(person, owner):
    before = counts()
    with pytest.raises(ValidationError) as info:
        person_update(
            actor=owner,
            person=person,
            data={"last_name": "Новый", "phones": ["+7 495 123-45-67", "мусор"]},
        )
    assert "phones.1" in info.value.message_dict
    person.refresh_from_db()
    assert person.last_name == "Иванов" and phones(person) == ["+79123456789"]
    assert counts() == before


def test_update_cannot_blank_both_names(person, owner):
    with pytest.raises(ValidationError):
        person_update(actor=owner, person=person, data={"last_name": "", "first_name": " "})
    person.refresh_from_db()
    assert person.last_name == "Иванов"


# --- stage ---------------------------------------------------------------------------


def test_a_stage_change_writes_history_and_a_timeline_entry(person, owner):
    person_change_stage(actor=owner, person=person, stage="customer", reason="Купил Vesta")
    person.refresh_from_db()
    assert person.stage == "customer"
    change = StageChange.objects.filter(person=person).first()
    assert (change.from_stage, change.to_stage, change.reason, change.actor) == (
        "prospect",
        "customer",
        "Купил Vesta",
        owner,
    )
    entry = Interaction.objects.get(person_id=person.pk)
    assert entry.kind == Interaction.Kind.STAGE_CHANGE
    assert entry.data == {"from": "prospect", "to": "customer"}
    assert entry.body == "Купил Vesta" and entry.actor == owner
    assert entry.centre_id == person.centre_id


def test_a_stage_change_through_update_also_reaches_the_timeline(person, owner):
    person_update(actor=owner, person=person, data={"stage": "lost"})
    assert Interaction.objects.filter(person_id=person.pk, kind="stage_change").count() == 1
    assert StageChange.objects.filter(person=person, to_stage="lost").exists()


def test_changing_to_the_same_stage_records_nothing(person, owner):
    before = counts()
    person_change_stage(actor=owner, person=person, stage="prospect")
    assert counts() == before


def test_an_unknown_stage_is_refused_and_nothing_is_written(person, owner):
    before = counts()
    with pytest.raises(ValidationError) as info:
        person_change_stage(actor=owner, person=person, stage="vip")
    assert "stage" in info.value.message_dict
    person.refresh_from_db()
    assert person.stage == "prospect" and counts() == before


# --- delete --------------------------------------------------------------------------


def test_deleting_a_person_removes_them_and_their_timeline(person, owner, head):
    note_create(actor=owner, person_id=person.pk, body="Заметка")
    call_log(actor=owner, person_id=person.pk, direction="out", outcome="answered")
    person_change_stage(actor=owner, person=person, stage="customer")
    other = person_create(actor=owner, data={"last_name": "Другой"})
    note_create(actor=owner, person_id=other.pk, body="Остаётся")

    person_delete(actor=head, person=person)

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not ContactPoint.objects.filter(person_id=person.pk).exists()
    assert not Interaction.objects.filter(person_id=person.pk).exists()
    assert Interaction.objects.filter(person_id=other.pk).count() == 1
    entry = AuditEntry.objects.get(action="delete", entity="parties.person")
    assert entry.actor == head and entry.before["last_name"] == "Иванов"


def test_a_sales_manager_cannot_delete_even_their_own_person(person, owner):
    with pytest.raises(AccessDenied):
        person_delete(actor=owner, person=person)
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_deleted_centre_head_cannot_delete(person, head):
    head.is_active = False
    head.save()
    with pytest.raises(AccessDenied):
        person_delete(actor=head, person=person)
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("junk", ["abc", "²", "1; DROP TABLE", [1], 10**30])
def test_a_junk_centre_or_owner_id_is_a_validation_error(operator, junk):
    with pytest.raises(ValidationError) as info:
        person_create(actor=operator, data={"last_name": "Икс", "centre_id": junk})
    assert "centre_id" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        person_create(actor=operator, data={"last_name": "Икс", "owner_id": junk})
    assert "owner_id" in info.value.message_dict
    assert not Person.objects.exists()


def test_an_unchanged_employer_the_editor_cannot_see_may_be_resubmitted(
    owner, head, outsider, operator
):
    hidden_from_owner = company_create(actor=outsider, data={"name": "ООО Чужая"})
    person = person_create(
        actor=operator,
        data={
            "last_name": "Икс",
            "centre_id": owner.centre_id,
            "owner_id": owner.pk,
            "employer_id": hidden_from_owner.pk,
        },
    )
    person_update(
        actor=owner,
        person=person,
        data={"employer_id": str(hidden_from_owner.pk), "job_title": "Водитель"},
    )
    person.refresh_from_db()
    assert person.employer_id == hidden_from_owner.pk and person.job_title == "Водитель"


@pytest.mark.parametrize(
    ("raw", "vip"),
    [
        ("false", False),
        ("0", False),
        ("нет", False),
        ("", False),
        ("on", True),
        ("true", True),
        (True, True),
        (False, False),
        (0, False),
    ],
)
def test_is_vip_understands_form_and_json_values(person, owner, raw, vip):
    person_update(actor=owner, person=person, data={"is_vip": not vip})
    person_update(actor=owner, person=person, data={"is_vip": raw})
    assert Person.objects.get(pk=person.pk).is_vip is vip


def test_a_nul_character_in_a_name_or_custom_text_is_dropped(owner):
    from sputnik.core.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(
        entity="person", key="note", label_ru="n", label_en="n", type="text"
    )
    person = person_create(
        actor=owner, data={"last_name": "Ив\x00анов", "custom": {"note": "a\x00b"}}
    )
    person.refresh_from_db()
    assert person.last_name == "Иванов" and person.custom == {"note": "ab"}
