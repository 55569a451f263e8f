"""Demo lead forms: a test-drive form for the network's site with a few submissions.

Built and submitted through the services (after distribution's rules are seeded), so the
form's page, the new prospects' cards, their consents, tasks and timelines show the whole
path of a web lead: honeypot spam included.
"""

from __future__ import annotations

from collections.abc import Callable

from sputnik.core.models import User
from sputnik.core.roles import Role

DEMO_SITE = "https://dealer.example"

LEADS = [
    (
        {
            "first_name": "Ольга",
            "last_name": "Смирнова",
            "phone": "+7 916 555-44-33",
            "email": "olga.smirnova@example.ru",
            "city": "Москва",
            "interest": "pickups",
            "comment": "Когда можно на тест-драйв нового пикапа?",
        },
        {"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "pickup-launch"},
        "/pickup",
    ),
    (
        {
            "first_name": "Игорь",
            "phone": "8 (921) 300-20-10",
            "city": "Санкт-Петербург",
            "comment": "Интересует трейд-ин",
        },
        {"utm_source": "vk", "utm_medium": "social"},
        "/trade-in",
    ),
    (
        {"first_name": "Alexander", "last_name": "Brown", "email": "a.brown@example.com"},
        {},
        "/en/contact",
    ),
]


def seed_webforms(report: Callable[[str], None] = print) -> None:
    from sputnik.core.services import system_actor
    from sputnik.marketing.models import LeadForm
    from sputnik.marketing.services import (
        leadform_create,
        submission_accept,
        submission_record_spam,
    )
    from sputnik.parties.models import Interest

    if LeadForm.objects.exists():
        return
    author = (
        User.objects.filter(role=Role.MARKETING_MANAGER, is_active=True).order_by("pk").first()
        or system_actor()
    )
    interests = list(
        Interest.objects.filter(
            slug__in=["pickups", "crossovers", "off-road", "fishing", "hunting"]
        ).values_list("slug", flat=True)
    )
    form = leadform_create(
        actor=author,
        data={
            "name": "Тест-драйв — сайт сети",
            "fields": [
                {"key": "first_name", "required": True},
                {"key": "last_name", "required": False},
                {"key": "phone", "required": False},
                {"key": "email", "required": False},
                {"key": "city", "required": False},
                {"key": "interest", "required": False},
                {"key": "contact_time", "required": False},
                {"key": "comment", "required": False},
            ],
            "consents": [
                {"purpose": "personal_data", "channel": "any", "required": True},
                {"purpose": "marketing", "channel": "sms", "required": False},
                {"purpose": "marketing", "channel": "email", "required": False},
            ],
            "consent_text_ru": (
                "Я даю согласие ООО «Спутник Авто» на обработку моих персональных данных "
                "(имя, телефон, e-mail, город) для связи по моей заявке. Согласие действует "
                "до его отзыва; отозвать его можно письмом на privacy@dealer.example."
            ),
            "consent_text_en": (
                "I consent to Sputnik Auto LLC processing my personal data (name, phone, "
                "e-mail, city) to answer my request, until I withdraw it by writing to "
                "privacy@dealer.example."
            ),
            "thank_you_ru": "Спасибо! Менеджер свяжется с вами в течение часа.",
            "thank_you_en": "Thank you! A manager will contact you within an hour.",
            "allowed_origins": [DEMO_SITE],
            "product_hint": "пикап",
            "interest_choices": interests,
        },
    )
    consents = [("personal_data", "any"), ("marketing", "sms")]
    for answers, utm, path in LEADS:
        submission_accept(
            form=form,
            payload=answers,
            consents=consents,
            meta={
                "ip_address": "203.0.113.10",
                "user_agent": "Mozilla/5.0 (demo)",
                "origin": DEMO_SITE,
                "referrer": DEMO_SITE + path,
                "utm": utm,
                "language": "en" if path.startswith("/en") else "ru",
            },
        )
    submission_record_spam(
        form=form,
        payload={"first_name": "Cheap", "website": "http://spam.example"},
        meta={"ip_address": "198.51.100.66", "user_agent": "curl/8", "origin": DEMO_SITE},
    )
    report(f"Lead form «{form.name}»: {len(LEADS)} leads taken in, one spam post dropped.")
