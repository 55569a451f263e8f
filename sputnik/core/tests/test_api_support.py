"""Helpers the API tests share (no tests of its own)."""

from __future__ import annotations

from django.test import Client

from sputnik.core.models import User
from sputnik.core.services import token_create

API = "/api/v1"


def token_for(user: User) -> str:
    return token_create(actor=user, user=user, name="test")


def client_for(user: User) -> Client:
    """A client that authenticates every request with a fresh bearer token of `user`."""
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def field_messages(response, *path) -> list[str]:
    """The 422 messages whose location ends with `path` (after "body" or "query")."""
    return [e["msg"] for e in response.json()["detail"] if tuple(e["loc"][1:]) == tuple(path)]
