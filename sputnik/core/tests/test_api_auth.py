"""API authentication: bearer tokens, sessions with CSRF, token issuing with lockout."""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from sputnik.core.models import ApiToken
from sputnik.core.services import user_deactivate
from sputnik.core.tests.test_api_support import API, client_for, token_for
from sputnik.parties.models import Person


def test_a_request_without_credentials_is_401_with_a_bearer_challenge(db):
    response = Client().get(f"{API}/users/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_bearer_token_authenticates_its_user(owner):
    response = client_for(owner).get(f"{API}/users/me")
    assert response.status_code == 200
    assert response.json()["username"] == "owner"
    assert "party.create" in response.json()["rights"]


@pytest.mark.parametrize(
    "header", ["Bearer spk_wrong", "Bearer ", "Token spk_x", "Bearer " + "x" * 500]
)
def test_a_wrong_or_malformed_token_is_401(owner, header):
    token_for(owner)
    response = Client(headers={"Authorization": header}).get(f"{API}/users/me")
    assert response.status_code == 401


def test_a_revoked_token_is_401(owner):
    from django.utils import timezone

    raw = token_for(owner)
    ApiToken.objects.filter(user=owner).update(revoked_at=timezone.now())
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/users/me")
    assert response.status_code == 401


def test_a_deactivated_users_token_stops_working_at_once(owner, admin_user):
    raw = token_for(owner)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"{API}/users/me").status_code == 200
    user_deactivate(actor=admin_user, user=owner)
    assert client.get(f"{API}/users/me").status_code == 401


def test_a_token_of_a_user_made_inactive_directly_is_401_too(owner):
    raw = token_for(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/users/me")
    assert response.status_code == 401


def test_a_session_authenticates_reads(owner):
    client = Client()
    client.force_login(owner)
    assert client.get(f"{API}/users/me").json()["username"] == "owner"


def test_a_deactivated_users_session_stops_working_at_once(owner, admin_user):
    client = Client()
    client.force_login(owner)
    user_deactivate(actor=admin_user, user=owner)
    assert client.get(f"{API}/users/me").status_code == 401


def test_a_session_write_without_csrf_token_is_refused_and_writes_nothing(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(
        f"{API}/persons", {"last_name": "Без-CSRF"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Person.objects.filter(last_name="Без-CSRF").exists()


def test_a_session_write_with_the_csrf_header_succeeds(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token  # what a page of the site would have set
    response = client.post(
        f"{API}/persons",
        {"last_name": "С-CSRF"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    assert Person.objects.filter(last_name="С-CSRF", owner=owner).exists()


def test_a_bearer_token_write_needs_no_csrf_token(owner):
    raw = token_for(owner)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        f"{API}/persons", {"last_name": "Токенов"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_messages_come_in_the_users_language(owner):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    response = client_for(owner).get(f"{API}/persons/1")
    assert response.status_code == 404
    assert response["Content-Language"] == "ru"


# --- POST /auth/token ------------------------------------------------------------------


def _token(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        f"{API}/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_username_and_password_give_a_working_token(owner):
    client = Client()
    response = _token(client, "owner", "pass-owner")
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("spk_")
    assert ApiToken.objects.filter(user=owner, digest=ApiToken.digest_of(token)).exists()
    me = Client(headers={"Authorization": f"Bearer {token}"}).get(f"{API}/users/me")
    assert me.json()["id"] == owner.pk


def test_a_wrong_password_is_401_and_gives_no_token(owner):
    response = _token(Client(), "owner", "wrong")
    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=owner).exists()


def test_an_inactive_user_gets_no_token(owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert _token(Client(), "owner", "pass-owner").status_code == 401


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(
    owner, colleague
):
    client = Client()
    statuses = [_token(client, "owner", f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [401] * 4
    assert statuses[4] == 429
    locked = _token(client, "owner", "pass-owner")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "Try again later" in locked.json()["detail"]
    assert not ApiToken.objects.filter(user=owner).exists()
    # One address cannot lock everyone out: another user from the same address still works…
    assert _token(client, "colleague", "pass-colleague").status_code == 201
    # …and the same user from another address too.
    assert _token(client, "owner", "pass-owner", ip="10.0.0.2").status_code == 201


def test_token_request_refuses_unknown_fields(owner):
    response = Client().post(
        f"{API}/auth/token",
        {"username": "owner", "password": "pass-owner", "is_staff": True},
        content_type="application/json",
    )
    assert response.status_code == 422


# --- /users ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin_user", True),
        ("executive", True),
        ("head", False),
        ("owner", False),
        ("operator", False),
        ("marketer", False),
    ],
)
def test_only_user_list_roles_may_list_users(request, persona, allowed, owner):
    response = client_for(request.getfixturevalue(persona)).get(f"{API}/users")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        usernames = [u["username"] for u in response.json()["items"]]
        assert "owner" in usernames
        assert all("password" not in u for u in response.json()["items"])
