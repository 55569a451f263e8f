"""Fixtures for lead forms: a form built by the marketer, and the web-test helpers."""

from __future__ import annotations

import pytest

from sputnik.web.tests.browser import browser_page  # noqa: F401  (fixture for browser tests)

SITE = "https://dealer.example"


@pytest.fixture
def interests(db):
    from sputnik.parties.models import Interest

    return [
        Interest.objects.create(slug="pickup", name_ru="Пикапы", name_en="Pickups"),
        Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing"),
    ]


@pytest.fixture
def lead_form(marketer, centre_a, interests):
    from sputnik.marketing.services import leadform_create

    return leadform_create(
        actor=marketer,
        data={
            "name": "Тест-драйв пикапа",
            "fields": [
                {"key": "first_name", "required": True, "label_ru": "", "label_en": ""},
                {"key": "last_name", "required": False, "label_ru": "", "label_en": ""},
                {"key": "phone", "required": False, "label_ru": "", "label_en": ""},
                {"key": "email", "required": False, "label_ru": "", "label_en": ""},
                {"key": "city", "required": False, "label_ru": "", "label_en": ""},
                {"key": "interest", "required": False, "label_ru": "", "label_en": ""},
                {"key": "contact_time", "required": False, "label_ru": "", "label_en": ""},
                {"key": "comment", "required": False, "label_ru": "", "label_en": ""},
            ],
            "consents": [
                {"purpose": "personal_data", "channel": "any", "required": True},
                {"purpose": "marketing", "channel": "sms", "required": False},
            ],
            "consent_text_ru": "Я согласен на обработку персональных данных.",
            "consent_text_en": "I agree to the processing of my personal data.",
            "thank_you_ru": "Спасибо! Мы перезвоним.",
            "thank_you_en": "Thank you! We will call you back.",
            "allowed_origins": [SITE],
            "target_centre_id": centre_a.pk,
            "product_hint": "пикап",
            "interest_choices": ["pickup", "fishing"],
        },
    )
