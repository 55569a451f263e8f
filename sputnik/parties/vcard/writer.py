"""Persons as vCard 4.0 (RFC 6350): UTF-8, CRLF, lines folded at 75 octets."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator

from sputnik.parties.exports.columns import Record
from sputnik.parties.models import Address

# Stable UIDs: the same person exported twice is the same contact on the phone.
_UID_NAMESPACE = uuid.UUID("5f1d7c1e-8a43-4c55-9a57-2b1f3e2f8c11")
_ADR_TYPES: dict[str, str] = {Address.Kind.HOME: ";TYPE=home", Address.Kind.WORK: ";TYPE=work"}


def escape(text: str) -> str:
    """TEXT value escaping (RFC 6350 §3.4): backslash, comma, semicolon, newline."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.2)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def person_vcard(record: Record) -> str:
    v = record.values
    full_name = " ".join(p for p in (v["last_name"], v["first_name"], v["middle_name"]) if p)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//Sputnik CRM//RU",
        f"UID:urn:uuid:{uuid.uuid5(_UID_NAMESPACE, str(v['id']))}",
        f"FN:{escape(full_name)}",
        f"N:{escape(v['last_name'])};{escape(v['first_name'])};{escape(v['middle_name'])};;",
    ]
    for i, phone in enumerate(record.phones):
        pref = ";PREF=1" if i == 0 else ""
        lines.append(f"TEL;VALUE=uri;TYPE=voice{pref}:tel:{phone}")
    for i, email in enumerate(record.emails):
        pref = ";PREF=1" if i == 0 else ""
        lines.append(f"EMAIL{pref}:{escape(email)}")
    if v.get("birthday"):
        lines.append(f"BDAY:{_date(v['birthday'])}")
    if v.get("employer"):
        lines.append(f"ORG:{escape(v['employer'])}")
    if v.get("job_title"):
        lines.append(f"TITLE:{escape(v['job_title'])}")
    for address in record.addresses:
        components = ["", "", address.street, address.city, address.region, address.postcode, ""]
        lines.append(
            f"ADR{_ADR_TYPES.get(address.kind, '')}:" + ";".join(escape(c) for c in components)
        )
    if v.get("wishes"):
        lines.append(f"NOTE:{escape(v['wishes'])}")
    if v.get("updated_at"):
        lines.append(f"REV:{v['updated_at'].astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def vcard_stream(
    chunks: Iterable[list[Record]], *, on_rows: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    for chunk in chunks:
        yield "".join(person_vcard(record) for record in chunk).encode("utf-8")
        if on_rows is not None:
            on_rows(len(chunk))
