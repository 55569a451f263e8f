"""Deactivating a user ends their sessions and tokens at once."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from sputnik.core.models import AuditEntry, User
from sputnik.core.services import token_authenticate, token_create, user_deactivate

PAGE = "/accounts/password_change/"  # any login-required page


def test_a_deactivated_users_session_stops_authenticating(owner, admin_user):
    client = Client()
    client.force_login(owner)
    assert client.get(PAGE).status_code == 200

    user_deactivate(actor=admin_user, user=owner)

    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not response.wsgi_request.user.is_authenticated


def test_deactivation_deletes_the_users_sessions_only(owner, colleague, admin_user):
    mine, theirs = Client(), Client()
    mine.force_login(owner)
    theirs.force_login(colleague)
    assert Session.objects.count() == 2

    user_deactivate(actor=admin_user, user=owner)

    assert Session.objects.count() == 1
    assert theirs.get(PAGE).status_code == 200


def test_a_session_does_not_come_back_when_the_user_is_reactivated(owner, admin_user):
    client = Client()
    client.force_login(owner)
    user_deactivate(actor=admin_user, user=owner)
    User.objects.filter(pk=owner.pk).update(is_active=True)
    assert client.get(PAGE).status_code == 302


def test_deactivation_revokes_every_token_of_the_user(owner, colleague, admin_user):
    tokens = [token_create(actor=admin_user, user=owner) for _ in range(2)]
    other = token_create(actor=admin_user, user=colleague)

    user_deactivate(actor=admin_user, user=owner)

    assert all(token_authenticate(t) is None for t in tokens)
    assert owner.api_tokens.filter(revoked_at__isnull=True).count() == 0
    assert token_authenticate(other) == colleague
    # revoked tokens stay dead even if the account is re-activated
    User.objects.filter(pk=owner.pk).update(is_active=True)
    assert all(token_authenticate(t) is None for t in tokens)


def test_deactivation_is_audited_with_the_actor(owner, admin_user):
    user_deactivate(actor=admin_user, user=owner)
    owner.refresh_from_db()
    assert owner.is_active is False
    entry = AuditEntry.objects.get(entity="core.user", entity_id=owner.pk)
    assert entry.actor == admin_user
    assert entry.before == {"is_active": True} and entry.after == {"is_active": False}


def test_a_deactivated_user_loses_all_visibility(owner, person):
    from sputnik.parties.models import Person

    user_deactivate(actor=None, user=owner)
    owner.refresh_from_db()
    assert not Person.objects.visible_to(owner).exists()
