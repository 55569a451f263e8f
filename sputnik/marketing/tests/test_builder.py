"""The lead-form builder: who may build, what a form holds, and what it refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sputnik.core.models import AuditEntry
from sputnik.marketing.models import ConsentWording, LeadForm
from sputnik.marketing.services import leadform_create, leadform_update
from sputnik.parties.errors import AccessDenied

pytestmark = pytest.mark.django_db


def builder_post(**overrides):
    """A builder submission as the page posts it: settings, field rows, consent grid."""
    data = {
        "name": "Заявка на тест-драйв",
        "is_active": "on",
        "language": "",
        "consent_text_ru": "Согласен на обработку персональных данных.",
        "consent_text_en": "I agree to the processing of my personal data.",
        "thank_you_ru": "Спасибо!",
        "thank_you_en": "Thank you!",
        "allowed_origins": "https://Dealer.example/\nhttps://promo.dealer.example:8443",
        "product_hint": "пикап",
        "field__first_name__include": "on",
        "field__first_name__required": "on",
        "field__first_name__order": "1",
        "field__phone__include": "on",
        "field__phone__required": "on",
        "field__phone__order": "2",
        "field__phone__label_ru": "Ваш телефон",
        "field__phone__label_en": "Your phone",
        "field__city__include": "on",
        "field__city__order": "3",
        "field__contact_time__include": "on",
        "field__contact_time__order": "4",
        "consent__personal_data__any": "required",
        "consent__marketing__sms": "optional",
        "consent__advertising__email": "optional",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_marketer_builds_a_form_on_the_builder_page(client, marketer, centre_a):
    client.force_login(marketer)
    page = client.get(reverse("marketing:form_create"))
    assert page.status_code == 200
    assert b'id="lead-form-builder"' in page.content
    response = client.post(
        reverse("marketing:form_create"), builder_post(target_centre=str(centre_a.pk))
    )
    form = LeadForm.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:form_detail", kwargs={"form_id": form.pk})
    assert form.name == "Заявка на тест-драйв"
    assert form.is_active and form.target_centre == centre_a and form.product_hint == "пикап"
    assert [f["key"] for f in form.fields] == ["first_name", "phone", "city", "contact_time"]
    phone = form.field("phone")
    assert phone == {
        "key": "phone",
        "required": True,
        "label_ru": "Ваш телефон",
        "label_en": "Your phone",
    }
    assert form.field("city")["required"] is False
    assert sorted((c["purpose"], c["channel"], c["required"]) for c in form.consents) == [
        ("advertising", "email", False),
        ("marketing", "sms", False),
        ("personal_data", "any", True),
    ]
    assert form.allowed_origins == ["https://dealer.example", "https://promo.dealer.example:8443"]
    assert form.consent_version == 1
    assert ConsentWording.objects.get(form=form).text_ru.startswith("Согласен")
    assert AuditEntry.objects.filter(entity="marketing.leadform", entity_id=form.pk).exists()
    assert len(form.public_key) >= 20


def test_the_field_order_follows_the_order_column(client, admin_user):
    client.force_login(admin_user)
    client.post(
        reverse("marketing:form_create"),
        builder_post(field__city__order="0", field__phone__order="9"),
    )
    assert [f["key"] for f in LeadForm.objects.get().fields] == [
        "city",
        "first_name",
        "contact_time",
        "phone",
    ]


def test_changing_the_consent_wording_makes_a_new_version_and_keeps_the_old(
    client, marketer, lead_form
):
    client.force_login(marketer)
    url = reverse("marketing:form_edit", kwargs={"form_id": lead_form.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Тест-драйв пикапа" in page.content.decode()
    # Saving without touching the wording keeps its version.
    client.post(url, builder_post(name="Переименована"))
    lead_form.refresh_from_db()
    first_version = lead_form.consent_version
    client.post(url, builder_post(name="Переименована"))
    lead_form.refresh_from_db()
    assert lead_form.consent_version == first_version
    client.post(url, builder_post(consent_text_ru="Новая редакция согласия, v2."))
    lead_form.refresh_from_db()
    assert lead_form.consent_version == first_version + 1
    assert lead_form.wording_version == f"form{lead_form.pk}.v{first_version + 1}"
    versions = dict(ConsentWording.objects.filter(form=lead_form).values_list("version", "text_ru"))
    assert versions[first_version + 1] == "Новая редакция согласия, v2."
    assert len(versions) == first_version + 1


@pytest.mark.parametrize("persona", ["owner", "head", "operator", "executive"])
def test_users_without_the_form_right_cannot_build_or_edit(client, request, persona, lead_form):
    client.force_login(request.getfixturevalue(persona))
    before = list(LeadForm.objects.values())
    assert client.get(reverse("marketing:form_create")).status_code == 403
    assert client.post(reverse("marketing:form_create"), builder_post()).status_code == 403
    edit = reverse("marketing:form_edit", kwargs={"form_id": lead_form.pk})
    assert client.post(edit, builder_post(name="Взлом")).status_code == 403
    assert list(LeadForm.objects.values()) == before
    with pytest.raises(AccessDenied):
        leadform_update(actor=request.getfixturevalue(persona), form=lead_form, data={"name": "x"})


def test_bad_builder_input_gets_a_message_per_problem_and_saves_nothing(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:form_create"),
        builder_post(
            name="",
            allowed_origins="https://*.dealer.example\njavascript:alert(1)\nhttps://ok.example/path",
            consent__personal_data__any="",
            field__phone__include=None,
            consent_text_ru="",
            consent_text_en="",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "is not a site address like https://dealer.ru" in page
    assert "Ask for consent to the processing of personal data, as required." in page
    assert "Ask for a phone or an e-mail address." in page
    assert "Write the consent wording the visitor agrees to." in page
    assert not LeadForm.objects.exists()


def test_the_service_refuses_a_form_without_the_first_name_or_with_an_optional_only_contact(
    marketer,
):
    with pytest.raises(ValidationError) as caught:
        leadform_create(
            actor=marketer,
            data={
                "name": "x",
                "consent_text_ru": "Согласен",
                "fields": [
                    {"key": "email", "required": False},
                    {"key": "nickname", "required": True},
                ],
            },
        )
    messages = caught.value.message_dict["fields"]
    assert "The first name must be asked, as required." in messages
    assert "The only contact field asked must be required." in messages
    assert "Unknown field: nickname." in messages
    assert not LeadForm.objects.exists()


def test_the_form_list_shows_every_form_and_only_managers_get_the_new_button(
    client, marketer, owner, lead_form
):
    client.force_login(marketer)
    page = client.get(reverse("marketing:form_list")).content.decode()
    assert "Тест-драйв пикапа" in page and 'id="new-lead-form"' in page
    client.force_login(owner)
    page = client.get(reverse("marketing:form_list")).content.decode()
    assert "Тест-драйв пикапа" in page and 'id="new-lead-form"' not in page
