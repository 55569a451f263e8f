"""API plumbing shared by every router, and the core endpoints (tokens, users).

Conventions every router follows:

- Authentication: a per-user bearer token (`Authorization: Bearer spk_…`) or the
  browser's Django session; a session needs a CSRF token for unsafe methods.
- A record the user may not see answers 404, exactly like a missing id; a visible
  record the user lacks the right to change answers 403.
- Validation errors answer 422 with one entry per field:
  `{"detail": [{"loc": ["body", "phones", 0], "msg": "…", "type": "…"}]}`, the same
  shape for schema errors and for the services' checks.
- Lists page by an opaque cursor: `{"items": […], "next_cursor": "…" | null}`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict, StringConstraints

from sputnik.core.models import User
from sputnik.core.paging import Page, keyset_page
from sputnik.core.roles import Right
from sputnik.core.services import token_authenticate, token_create
from sputnik.parties.errors import AccessDenied

# The largest id the databases store (signed 64-bit); larger ids are a 422, not an overflow.
MAX_ID = 2**63 - 1
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


# --- input types ------------------------------------------------------------------------


def _storable(value: str) -> str:
    """Refuse text no database stores: NUL characters and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError(_("The text contains a NUL character."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("The text contains invalid characters.")) from exc
    return value


def _realistic_datetime(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2100:
        raise ValueError(_("Enter a realistic date."))
    return value


Str20 = Annotated[str, StringConstraints(max_length=20), AfterValidator(_storable)]
Str50 = Annotated[str, StringConstraints(max_length=50), AfterValidator(_storable)]
Str100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
Str200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
Str300 = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable)]
Str1000 = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_storable)]
Str5000 = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_storable)]
Str20000 = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_storable)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DateTime = Annotated[dt.datetime, AfterValidator(_realistic_datetime)]
CursorStr = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_storable)]
PageSize = Annotated[int, Field(ge=1, le=200)]


class InSchema(Schema):
    """Request bodies are allowlists: an unknown field is a 422, never silently stored."""

    model_config = ConfigDict(extra="forbid")


# --- output schemas ---------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    display_name: str


T = TypeVar("T")


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "display_name": user.display_name}


ERRORS: dict[int | str, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
"""Responses every authenticated operation may give, for the OpenAPI document
(400 is a body that is not JSON at all)."""


# --- authentication ---------------------------------------------------------------------


def _settle_form_body(request: HttpRequest) -> None:
    """Parse request.POST once, so a malformed multipart body is an empty form later.

    The API reads JSON, but axes (logging a failure) and the CSRF check read the form;
    Django marks a body that fails to parse as empty after the first error.
    """
    with contextlib.suppress(MultiPartParserError, TooManyFilesSent, RequestDataTooBig):
        request.POST  # noqa: B018


def _use_language(request: HttpRequest, user: User) -> None:
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer spk_…`; a token of an inactive user is refused."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token.strip())
        if user is None:
            return None
        request.user = user
        _use_language(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session, with the CSRF check for unsafe methods.

    Unlike ninja's `django_auth`, the CSRF check runs only for a signed-in session, so an
    anonymous request gets 401 (not 403) and a bearer-token request never needs CSRF.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method in SAFE_METHODS:
            return user  # type: ignore[return-value]
        _settle_form_body(request)
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user  # type: ignore[return-value]


AUTH = [TokenAuth(), SessionAuth()]


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


# --- errors -----------------------------------------------------------------------------

_PYDANTIC_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("This field is not allowed here."),
    "string_too_long": lambda ctx: _("At most %(n)d characters.") % {"n": ctx.get("max_length", 0)},
    "too_long": lambda ctx: _("At most %(n)d items.") % {"n": ctx.get("max_length", 0)},
    "string_type": lambda ctx: _("Enter text."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "less_than_equal": lambda ctx: _("The number is too large."),
    "greater_than_equal": lambda ctx: _("The number is too small."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": lambda ctx: _("Enter a valid date and time."),
    "datetime_from_date_parsing": lambda ctx: _("Enter a valid date and time."),
    "datetime_type": lambda ctx: _("Enter a valid date and time."),
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "literal_error": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    ),
    "list_type": lambda ctx: _("Enter a list."),
    "dict_type": lambda ctx: _("Enter an object."),
    "model_attributes_type": lambda ctx: _("Enter an object."),
}


def _pydantic_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = list(error.get("loc", ()))
    # ninja nests the body under the parameter's name; the client never sees that name.
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
        del loc[1]
    kind = str(error.get("type", "value_error"))
    translate = _PYDANTIC_MESSAGES.get(kind)
    if translate is not None:
        msg = translate(error.get("ctx") or {})
    elif kind == "value_error" and error.get("ctx", {}).get("error"):
        msg = str(error["ctx"]["error"])  # our own validators' translated message
    else:
        msg = str(error.get("msg", _("Invalid value.")))
    return {"loc": [p if isinstance(p, int) else str(p) for p in loc], "msg": msg, "type": kind}


def field_errors(exc: DjangoValidationError, prefix: str = "body") -> list[dict[str, Any]]:
    """Services' `{field: [messages]}` as 422 entries; "phones.0" becomes ["body", "phones", 0]."""
    if not hasattr(exc, "error_dict"):
        return [{"loc": [prefix], "msg": str(m), "type": "value_error"} for m in exc.messages]
    result: list[dict[str, Any]] = []
    for field, messages in exc.message_dict.items():
        loc: list[str | int] = [prefix]
        for part in field.split("."):
            loc.append(int(part) if part.isdigit() else part)
        result.extend({"loc": loc, "msg": str(m), "type": "value_error"} for m in messages)
    return result


def install(api: NinjaAPI) -> None:
    """Register the error mapping on the API instance."""

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def access_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        # Services say "not visible" when the record is outside the actor's scope: that is
        # a 404, identical to a missing id. Anything else is a missing right on a record
        # the actor can see.
        if exc.args and exc.args[0] == "not visible":
            return not_found(request, exc)
        return api.create_response(
            request, {"detail": _("You do not have the right to do this.")}, status=403
        )

    def django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    def ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request, {"detail": [_pydantic_error(e) for e in exc.errors]}, status=422
        )

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": _("Authentication required: send a bearer token or sign in.")},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AccessDenied, access_denied)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(NinjaValidationError, ninja_validation)
    api.add_exception_handler(AuthenticationError, unauthenticated)


# --- tokens and users -------------------------------------------------------------------

router = Router(tags=["auth and users"])


class TokenIn(InSchema):
    username: Str200
    password: Str200
    name: Str100 = ""


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    first_name: str
    last_name: str
    email: str
    role: str
    centre: Ref | None
    language: str
    is_active: bool


class MeOut(UserOut):
    scope: str
    rights: list[str]


class TokenOut(Schema):
    token: str
    user: UserOut


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "centre": {"id": user.centre.pk, "name": user.centre.name} if user.centre else None,
        "language": user.language,
        "is_active": user.is_active,
    }


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Issue a bearer token for a username and password",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Failures count towards a lockout per username and client address (django-axes)."""
    _settle_form_body(request)
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # We answer in JSON ourselves; otherwise AxesMiddleware would swap in its HTML page.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            return Status(429, {"detail": _("Too many failed sign-in attempts. Try again later.")})
        return Status(401, {"detail": _("Wrong username or password.")})
    assert isinstance(user, User)
    _use_language(request, user)
    raw = token_create(actor=user, user=user, name=payload.name or "API")
    return Status(201, {"token": raw, "user": user_out(user)})


def _users_visible(actor: User) -> QuerySet[User]:
    if not actor.has_right(Right.USER_LIST):
        raise AccessDenied(Right.USER_LIST)
    return User.objects.select_related("centre")


@router.get("/users", response={200: PageOut[UserOut], **ERRORS}, summary="List users")
def list_users(
    request: HttpRequest, cursor: CursorStr | None = None, limit: PageSize = 50
) -> dict[str, Any]:
    """Administrators and roles with the user-list right only; everyone else gets 403."""
    qs = _users_visible(actor_of(request))
    page: Page[User] = keyset_page(qs, order=("username", "id"), cursor=cursor, size=limit)
    return {"items": [user_out(u) for u in page.items], "next_cursor": page.next_cursor}


@router.get("/users/me", response={200: MeOut, **ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor_of(request)
    rights = sorted(r.value for r in Right if user.has_right(r))
    return {**user_out(user), "scope": str(user.scope), "rights": rights}
