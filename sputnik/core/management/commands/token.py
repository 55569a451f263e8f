from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sputnik.core.models import User
from sputnik.core.services import token_create


class Command(BaseCommand):
    help = "Manage API tokens: `sputnik token create USERNAME` prints a new bearer token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {options['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is not active")
        self.stdout.write(token_create(actor=None, user=user, name=options["name"]))
