"""`sputnik token create USERNAME` prints a bearer token that authenticates its user."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sputnik.core.models import ApiToken, AuditEntry
from sputnik.core.services import token_authenticate, token_create, user_deactivate


def create_via_command(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out)
    return out.getvalue().strip()


def test_the_printed_token_authenticates_its_user(owner):
    raw = create_via_command("owner")
    assert raw.startswith("spk_")
    assert token_authenticate(raw) == owner


def test_only_the_digest_of_a_token_is_stored(owner):
    raw = create_via_command("owner")
    token = ApiToken.objects.get(user=owner)
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in {token.digest, token.prefix, token.name}
    assert token.prefix == raw[:12]


def test_creating_a_token_is_audited_without_the_secret(owner):
    raw = create_via_command("owner")
    entry = AuditEntry.objects.get(entity="core.apitoken")
    assert entry.action == AuditEntry.Action.CREATE
    assert raw not in str(entry.after) and raw not in entry.summary


def test_authentication_records_when_a_token_was_last_used(owner):
    raw = token_create(actor=None, user=owner)
    assert ApiToken.objects.get().last_used_at is None
    token_authenticate(raw)
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_does_not_authenticate(owner):
    raw = create_via_command("owner")
    ApiToken.objects.filter(user=owner).update(revoked_at=timezone.now())
    assert token_authenticate(raw) is None


def test_a_token_of_a_deactivated_user_does_not_authenticate(owner, admin_user):
    raw = create_via_command("owner")
    user_deactivate(actor=admin_user, user=owner)
    assert token_authenticate(raw) is None
    assert ApiToken.objects.get(user=owner).revoked_at is not None


def test_a_token_does_not_authenticate_a_user_deactivated_directly(owner):
    raw = create_via_command("owner")
    owner.is_active = False
    owner.save()
    assert token_authenticate(raw) is None


@pytest.mark.parametrize("raw", ["", "spk_", "spk_" + "x" * 43, "x" * 10_000, "Bearer spk_x"])
def test_a_wrong_empty_or_oversized_token_does_not_authenticate(owner, raw):
    create_via_command("owner")
    assert token_authenticate(raw) is None


def test_a_tampered_token_does_not_authenticate(owner):
    raw = create_via_command("owner")
    assert token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        create_via_command("nobody")
    assert not ApiToken.objects.exists()


def test_the_command_refuses_an_inactive_user(owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(CommandError):
        create_via_command("owner")
    assert not ApiToken.objects.exists()


def test_each_call_gives_a_different_token(owner):
    first, second = create_via_command("owner"), create_via_command("owner")
    assert first != second
    assert token_authenticate(first) == token_authenticate(second) == owner


@pytest.mark.parametrize("raw", ["\ud800abc", "спк_токен", "spk_\x00"])
def test_a_non_ascii_token_does_not_authenticate_and_does_not_fail(owner, raw):
    assert token_authenticate(raw) is None
