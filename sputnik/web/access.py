"""How views turn selector misses and service refusals into HTTP answers.

A record the user may not see is a 404, exactly like a missing id; a visible record
the user may not change is a 403. Views fetch the record through a visible selector
first, so a service's AccessDenied afterwards means "missing right" unless the
record vanished from the actor's scope in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied

T = TypeVar("T")


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required` (typed as our User)."""
    return request.user  # type: ignore[return-value]


def visible_or_404(selector: Callable[..., T], **kwargs: Any) -> T:
    try:
        return selector(**kwargs)
    except (ObjectDoesNotExist, AccessDenied) as exc:
        raise Http404 from exc


@contextmanager
def service_errors() -> Iterator[None]:
    """Map AccessDenied from a service: not visible → 404, otherwise → 403."""
    try:
        yield
    except AccessDenied as exc:
        if exc.args and exc.args[0] == "not visible":
            raise Http404 from exc
        raise PermissionDenied from exc


def require_right(user: User, right: Right) -> None:
    if not user.has_right(right):
        raise PermissionDenied
