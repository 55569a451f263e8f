"""Signing in, the lockout page, logging out and switching the interface language."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switching_the_language_is_saved_on_the_user_and_changes_the_interface(client, owner):
    client.force_login(owner)
    english = client.get(reverse("parties:person_list"))
    assert '<html lang="en">' in english.content.decode()

    response = client.post(
        reverse("web:set_language"), {"language": "ru", "next": reverse("parties:person_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:person_list")
    owner.refresh_from_db()
    assert owner.language == "ru"

    russian = client.get(reverse("parties:person_list"))
    assert '<html lang="ru">' in russian.content.decode()
    assert russian["Content-Language"] == "ru"


def test_the_language_switch_ignores_unknown_languages_and_foreign_redirects(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("web:set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    owner.refresh_from_db()
    assert owner.language == "en"


def test_the_language_switch_needs_post(client, owner):
    client.force_login(owner)
    assert client.get(reverse("web:set_language"), {"language": "ru"}).status_code == 405


def test_a_user_signs_in_and_lands_on_the_persons_list(client, owner):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "owner", "password": "pass-owner"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse(
        "parties:person_list"
    )


def test_logout_is_a_post_from_the_user_menu(client, owner):
    client.force_login(owner)
    html = client.get(reverse("parties:person_list")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("parties:person_list")).status_code == 302


def test_repeated_wrong_passwords_show_the_translated_lockout_page(client, owner):
    for _ in range(5):
        client.post(reverse("login"), {"username": "owner", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "owner", "password": "pass-owner"})
    assert response.status_code == 429
    html = response.content.decode()
    # No one is signed in, so the page speaks the default language, Russian.
    assert "Слишком много неудачных попыток входа" in html
    assert "<script>" not in html


def test_the_admin_link_is_shown_to_staff_only(client, owner, admin_user):
    client.force_login(owner)
    assert reverse("admin:index") not in client.get(reverse("parties:person_list")).content.decode()
    client.force_login(admin_user)
    assert reverse("admin:index") in client.get(reverse("parties:person_list")).content.decode()


def test_messages_appear_as_alerts_after_an_action(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_stage", args=[person.pk]), {"stage": "customer"}, follow=True
    )
    assert "alert-success" in response.content.decode()
    assert "Stage changed." in response.content.decode()
