"""Creating, editing, transferring and deleting persons through the web forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.core.models import AuditEntry, CustomFieldDefinition
from sputnik.parties.models import Asset, ContactPoint, ImportantDate, Interest, Person, Relation

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(**extra):
    data = {
        "last_name": "Петров",
        "first_name": "Алексей",
        "stage": "prospect",
        "source": "showroom",
        "phone_0": "",
        "email_0": "",
    }
    data.update(extra)
    return data


def test_a_person_created_with_a_phone_typed_the_russian_way_is_found_by_the_international_one(
    client, owner
):
    client.force_login(owner)
    response = client.post(reverse("parties:person_create"), _form(phone_0="8 (912) 345-67-89"))
    person = Person.objects.get(last_name="Петров")
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:person_detail", args=[person.pk])
    assert person.contacts.get(kind="phone").value == "+79123456789"
    assert person.owner == owner and person.centre == owner.centre

    found = client.get(reverse("parties:person_list"), {"q": "+7 912 345 67 89"})
    assert "Петров Алексей" in found.content.decode()
    assert "+7 912 345-67-89" in found.content.decode()


def test_the_form_saves_several_contacts_interests_tags_and_custom_fields(client, owner):
    Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing")
    CustomFieldDefinition.objects.create(
        entity="person",
        key="shoe_size",
        label_ru="Размер обуви",
        label_en="Shoe size",
        type="integer",
    )
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_create"),
        _form(
            phone_0="+7 912 000-00-01",
            phone_1="9120000002",
            email_0="A@Example.ru",
            email_1="b@example.ru",
            handle_kind_0="messenger",
            handle_label_0="Telegram",
            handle_0="@petrov",
            interests=["fishing"],
            tags="vip-club, дача",
            cf_shoe_size="43",
            birthday="1980-05-17",
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get(last_name="Петров")
    assert sorted(person.contacts.filter(kind="phone").values_list("value", flat=True)) == [
        "+79120000001",
        "+79120000002",
    ]
    assert person.contacts.filter(kind="email").count() == 2
    assert person.contacts.get(kind="messenger").label == "Telegram"
    assert [i.slug for i in person.interests.all()] == ["fishing"]
    assert sorted(t.name for t in person.tags.all()) == ["vip-club", "дача"]
    assert person.custom == {"shoe_size": 43}

    card = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert "Shoe size" in card and "43" in card
    assert "17.05.1980" in card or "05/17/1980" in card


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone_1", "12345", "is not a valid phone number"),
        ("phone_0", "call me", "is not a phone number"),
        ("email_0", "not-an-email", "is not an e-mail address"),
        ("last_name", "", "Enter a last name or a first name."),
    ],
)
def test_bad_input_shows_the_error_at_its_field_and_saves_nothing(
    client, owner, field, value, message
):
    client.force_login(owner)
    data = _form(**{field: value})
    if field == "last_name":
        data["first_name"] = ""
    response = client.post(reverse("parties:person_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "invalid-feedback" in html
    assert not Person.objects.exists()
    assert not ContactPoint.objects.exists()


def test_a_bad_custom_field_value_is_shown_at_that_field(client, owner):
    CustomFieldDefinition.objects.create(
        entity="person",
        key="shoe_size",
        label_ru="Размер обуви",
        label_en="Shoe size",
        type="integer",
    )
    client.force_login(owner)
    response = client.post(reverse("parties:person_create"), _form(cf_shoe_size="forty"))
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
    assert not Person.objects.exists()


def test_validation_messages_follow_the_users_language(client, owner):
    owner.language = "ru"
    owner.save()
    client.force_login(owner)
    response = client.post(reverse("parties:person_create"), _form(last_name="", first_name=""))
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_garbage_in_every_field_never_gives_a_500(client, owner):
    client.force_login(owner)
    junk = "\x00<>'\"%;)(&+" * 30
    data = {
        name: junk
        for name in [
            "last_name",
            "first_name",
            "stage",
            "birthday",
            "family_status",
            "employer",
            "interests",
            "tags",
            "source",
            "phone_0",
            "email_0",
            "handle_kind_0",
            "handle_0",
            "phone_99",
            "centre",
            "owner",
        ]
    }
    response = client.post(reverse("parties:person_create"), data)
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_editing_changes_the_profile_but_never_the_centre_or_owner(client, person, owner, centre_b):
    client.force_login(owner)
    edit_url = reverse("parties:person_edit", args=[person.pk])
    form = client.get(edit_url).content.decode()
    assert "+7 912 345-67-89" in form and "sergey.ivanov@example.ru" in form
    response = client.post(
        edit_url,
        _form(
            last_name="Иванов",
            first_name="Сергей",
            phone_0="+7 912 345-67-89",
            phone_1="+7 999 111-22-33",
            email_0="sergey.ivanov@example.ru",
            job_title="Инженер",
            centre=str(centre_b.pk),
            owner="",
        ),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Инженер"
    assert person.contacts.filter(kind="phone").count() == 2
    assert person.centre == owner.centre and person.owner == owner
    assert AuditEntry.objects.filter(subject_person_id=person.pk, action="update").exists()


def test_history_tab_shows_who_changed_which_field_before_and_after(client, person, owner):
    client.force_login(owner)
    client.post(
        reverse("parties:person_edit", args=[person.pk]),
        _form(
            last_name="Иванов",
            first_name="Сергей",
            job_title="Инженер",
            phone_0="+79123456789",
            email_0="sergey.ivanov@example.ru",
        ),
    )
    html = client.get(reverse("parties:person_history", args=[person.pk]), **HTMX).content.decode()
    assert "Owner" in html  # the actor's display name
    assert "job title" in html and "Инженер" in html
    assert "<html" not in html  # a fragment


def test_transfer_needs_the_right_and_moves_the_person(client, person, owner, head, centre_b):
    url = reverse("parties:person_transfer", args=[person.pk])
    client.force_login(owner)
    assert client.get(url).status_code == 403
    assert client.post(url, {"centre": centre_b.pk}).status_code == 403
    person.refresh_from_db()
    assert person.centre != centre_b

    client.force_login(head)
    assert client.get(url).status_code == 200
    response = client.post(url, {"centre": centre_b.pk, "owner": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.centre == centre_b and person.owner is None


def test_transfer_to_a_user_of_another_centre_is_refused_at_the_owner_field(
    client, person, head, centre_b, colleague
):
    client.force_login(head)
    response = client.post(
        reverse("parties:person_transfer", args=[person.pk]),
        {"centre": centre_b.pk, "owner": colleague.pk},
    )
    assert response.status_code == 200
    assert "Choose an active user of this centre." in response.content.decode()


def test_delete_needs_the_right(client, person, owner, head):
    url = reverse("parties:person_delete", args=[person.pk])
    client.force_login(owner)
    assert client.post(url).status_code == 403
    client.force_login(head)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_stage_change_from_the_card(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_stage", args=[person.pk]), {"stage": "customer", "reason": "Купил"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == "customer"
    bad = client.post(reverse("parties:person_stage", args=[person.pk]), {"stage": "nonsense"})
    assert bad.status_code == 302
    person.refresh_from_db()
    assert person.stage == "customer"


def test_an_invalid_vin_is_shown_at_the_vin_field_and_no_vehicle_is_saved(client, person, owner):
    client.force_login(owner)
    url = reverse("parties:person_asset_add", args=[person.pk])
    for vin, message in [
        ("ABC", "A VIN has 17 characters."),
        ("1HGCM82633A00435O", "A VIN uses digits and Latin letters except I, O and Q."),
        ("1HGCM82634A004352", "The VIN&#x27;s check digit does not match."),
    ]:
        response = client.post(
            url, {"kind": "vehicle", "make": "Lada", "model": "Vesta", "vin": vin}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Asset.objects.exists()


def test_a_vehicle_is_added_over_htmx_and_shown_with_its_warranty_badge(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_asset_add", args=[person.pk]),
        {
            "kind": "vehicle",
            "make": "Lada",
            "model": "Vesta",
            "year": "2021",
            "vin": "1HGCM82633A004352",
            "purchase_date": "2021-03-01",
            "warranty_end": "2022-03-01",
            "mileage_km": "45000",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("parties:person_detail", args=[person.pk])
    card = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert "1HGCM82633A004352" in card
    assert "warranty expired" in card
    assert "01.03.2021" in card or "03/01/2021" in card


def test_relation_date_and_address_forms_save_through_the_services(client, person, owner):
    from sputnik.parties.services import person_create

    friend = person_create(actor=owner, data={"last_name": "Сидоров", "first_name": "Олег"})
    client.force_login(owner)
    suggestions = client.get(
        reverse("parties:person_autocomplete"),
        {"other_name": "Сидоров", "exclude": person.pk},
        **HTMX,
    ).content.decode()
    assert f'data-pick-value="{friend.pk}"' in suggestions
    assert (
        client.post(
            reverse("parties:person_relation_add", args=[person.pk]),
            {"other": friend.pk, "other_name": "Сидоров Олег", "kind": "friend"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("parties:person_date_add", args=[person.pk]),
            {"label": "Годовщина свадьбы", "date": "2010-06-12", "yearly": "on"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("parties:person_address_add", args=[person.pk]),
            {"kind": "home", "city": "Москва", "street": "Тверская, 1"},
        ).status_code
        == 302
    )
    assert Relation.objects.filter(person=person, other=friend, kind="friend").exists()
    assert ImportantDate.objects.filter(person=person, label="Годовщина свадьбы").exists()
    card = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert "Сидоров Олег" in card and "Годовщина свадьбы" in card and "Тверская, 1" in card
    # The friend's card shows the relation from the other side.
    other_card = client.get(reverse("parties:person_detail", args=[friend.pk])).content.decode()
    assert "Иванов Сергей" in other_card


def test_an_empty_date_form_shows_errors_in_place_over_htmx(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_date_add", args=[person.pk]), {"label": "", "date": ""}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "<html" not in html
    assert not ImportantDate.objects.exists()
