"""Writes on users and tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sputnik.core.audit import audit_record
from sputnik.core.models import ApiToken, User


@transaction.atomic
def token_create(*, actor: User | None, user: User, name: str = "") -> str:
    """Create a bearer token for `user` and return it; only its digest is kept."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=ApiToken.digest_of(raw)
    )
    audit_record(
        actor=actor,
        action="create",
        instance=token,
        after={"user": user.pk, "name": name, "prefix": token.prefix},
        summary=f"API token for {user.username}",
    )
    return raw


def token_authenticate(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    # Tokens are URL-safe ASCII; anything else (a lone surrogate cannot even be hashed) is not one.
    if not raw or len(raw) > 200 or not raw.isascii():
        return None
    token = (
        ApiToken.objects.select_related("user", "user__centre")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> None:
    """Deactivate a user: sessions and tokens stop working at once.

    Django's ModelBackend refuses inactive users on every request, so existing
    sessions end on the next request; we also delete them and revoke tokens so
    nothing lingers if the user is re-activated later.
    """
    from django.contrib.sessions.models import Session

    before = {"is_active": user.is_active}
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    user_key = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_key:
            session.delete()
    audit_record(
        actor=actor,
        action="update",
        instance=user,
        before=before,
        after={"is_active": False},
        summary=f"deactivated {user.username}",
    )


SYSTEM_USERNAME = "sputnik-system"


def system_actor() -> User:
    """The actor for work no person did: web-form submissions, public pages, scheduled jobs.

    Services always take an actor, so their access checks and audit stay one code path;
    this one is an administrator without a centre and without a usable password, so
    nobody can sign in as it and the audit trail names it plainly.
    """
    from sputnik.core.roles import Role

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, role=Role.ADMIN, first_name="Sputnik")
        user.last_name = "(system)"
        user.set_unusable_password()
        user.save()
    return user
