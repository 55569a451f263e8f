"""Normalisation of contact data: one spelling per phone, e-mail and VIN."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_PHONE_CHARS = re.compile(r"^[\d\s()+\-./]*$")


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of a phone typed in any common spelling.

    "8 (912) 345-67-89", "+7 912 345 67 89" and "9123456789" all give "+79123456789".
    Raises ValidationError with a translated message for anything that is not a number.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="phone_empty")
    if len(text) > 40 or not _PHONE_CHARS.match(text):
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": text[:40]}, code="phone_invalid"
        )
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    digits = re.sub(r"\D", "", text)
    candidate = text
    if region == "RU" and not text.startswith("+"):
        # Russian habits: a trunk "8" before a ten-digit number, or the bare ten digits.
        if len(digits) == 11 and digits[0] in "78":
            candidate = "+7" + digits[1:]
        elif len(digits) == 10:
            candidate = "+7" + digits
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": text}, code="phone_invalid"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number.") % {"value": text}, code="phone_invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """Display form: Russian numbers as +7 912 345-67-89, others internationally."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter an e-mail address."), code="email_empty")
    try:
        validate_email(text)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not an e-mail address.") % {"value": text[:100]},
            code="email_invalid",
        ) from exc
    local, _sep, domain = text.rpartition("@")
    # Case-insensitive as people use it: the whole address is folded.
    return f"{local}@{domain}".casefold()


def try_normalize_email(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except ValidationError:
        return None


_VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(raw: str) -> str:
    """Upper-case 17-character VIN whose 9th character is its ISO 3779 check digit."""
    vin = re.sub(r"[\s-]", "", raw or "").upper()
    if len(vin) != 17:
        raise ValidationError(_("A VIN has 17 characters."), code="vin_length")
    if any(c not in _VIN_ALPHABET for c in vin):
        raise ValidationError(
            _("A VIN uses digits and Latin letters except I, O and Q."), code="vin_chars"
        )
    if vin[8] != vin_check_digit(vin):
        raise ValidationError(_("The VIN's check digit does not match."), code="vin_check")
    return vin


def search_key(*parts: str | None) -> str:
    """Case-folded, ё-folded text used for name search on every database engine.

    SQLite folds case for ASCII only, so names are stored folded and queried folded.
    """
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text.casefold().replace("ё", "е")
