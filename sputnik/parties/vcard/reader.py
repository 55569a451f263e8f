"""Reading vCard files from phones, mail programs and other CRMs.

Accepts vCard 2.1 (old phones: QUOTED-PRINTABLE with soft line breaks, CHARSET=…),
3.0 and 4.0, many cards per file, folded lines, UTF-8 (with or without BOM) or
Windows-1251. vobject parses each card; this module splits the file into cards first so
that one broken card is reported by its number and the others are still read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import vobject
from django.utils.translation import gettext as _

MAX_VCARD_BYTES = 5 * 1024 * 1024
MAX_CARDS = 5000

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)
_QP = re.compile(r"ENCODING=QUOTED-PRINTABLE|;QUOTED-PRINTABLE[;:]", re.IGNORECASE)
_PATRONYMIC = re.compile(r"(вич|вна|ична|оглы|кызы)$", re.IGNORECASE)


class VCardFileError(ValueError):
    """The file as a whole cannot be read (not a vCard, too large, unknown encoding)."""


@dataclass
class ParsedCard:
    """One card's content as plain values, or the errors that kept it from being read."""

    number: int
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    birthday: dt.date | None = None
    job_title: str = ""
    note: str = ""
    addresses: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise VCardFileError(
            _("The file's encoding is not recognised; save it as UTF-8 and try again.")
        ) from exc


def _join_soft_breaks(lines: list[str]) -> list[str]:
    """QUOTED-PRINTABLE values end a line with "=" to continue on the next one (vCard 2.1);
    vobject expects them joined."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        head = line.split(":", 1)[0]
        if _QP.search(head + ":"):
            while line.endswith("=") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i]
        out.append(line)
        i += 1
    return out


_SINGLE_TEXT = re.compile(r"^((?:[\w-]+\.)?(?:NOTE|FN|TITLE|ROLE))([;:])", re.IGNORECASE)
_BARE_COMMA = re.compile(r"(?<!\\),")


def _escape_bare_commas(line: str) -> str:
    """NOTE, FN, TITLE hold one text each, but phones and mail programs often leave their
    commas unescaped, and vobject would cut the value at the first one: escape them."""
    if not _SINGLE_TEXT.match(line) or _QP.search(line.split(":", 1)[0] + ":"):
        return line
    head, sep, value = line.partition(":")
    return head + sep + _BARE_COMMA.sub("\\,", value)


def _unfold(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and out:
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


def _split_cards(text: str) -> list[list[str]]:
    lines = _join_soft_breaks(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = [_escape_bare_commas(line) for line in _unfold(lines)]
    cards: list[list[str]] = []
    current: list[str] | None = None
    depth = 0
    for line in lines:
        if _BEGIN.match(line):
            depth += 1
            if current is None:
                current = []
        if current is not None:
            current.append(line)
        if _END.match(line) and current is not None:
            depth -= 1
            if depth <= 0:
                cards.append(current)
                current, depth = None, 0
    if current:  # a card without END: report it rather than drop it silently
        cards.append(current)
    return cards


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    return str(value or "").strip()


def _birthday(raw: str) -> dt.date | None:
    """A full date in the forms cards use; a date without a year ("--0102") is dropped."""
    raw = raw.strip().split("T", 1)[0]
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _names_from_fn(full: str) -> tuple[str, str, str]:
    words = full.split()
    if len(words) == 1:
        return "", words[0], ""
    if len(words) == 2:
        return words[1], words[0], ""  # phones write "Given Family"
    if len(words) >= 3 and _PATRONYMIC.search(words[2]):
        return words[0], words[1], " ".join(words[2:])  # Russian "Фамилия Имя Отчество"
    return words[-1], words[0], " ".join(words[1:-1])


def _card(number: int, lines: list[str]) -> ParsedCard:
    card = ParsedCard(number=number)
    if not _END.match(lines[-1]):
        card.errors.append(_("The card has no END:VCARD line."))
        return card
    try:
        component = vobject.readOne("\r\n".join(lines) + "\r\n", ignoreUnreadable=True)
    except Exception as exc:  # vobject raises ParseError, ValueError, UnicodeError…
        card.errors.append(_("The card cannot be read: %(reason)s") % {"reason": str(exc)[:200]})
        return card
    contents = component.contents
    if "n" in contents:
        name = contents["n"][0].value
        card.last_name = _text(getattr(name, "family", ""))
        card.first_name = _text(getattr(name, "given", ""))
        card.middle_name = _text(getattr(name, "additional", ""))
    if not (card.last_name or card.first_name) and "fn" in contents:
        card.last_name, card.first_name, card.middle_name = _names_from_fn(
            _text(contents["fn"][0].value)
        )
    for line in contents.get("tel", []):
        value = _text(line.value)
        if value.lower().startswith("tel:"):
            value = value[4:].split(";", 1)[0]
        if value:
            card.phones.append(value)
    card.emails = [_text(line.value) for line in contents.get("email", []) if _text(line.value)]
    if "bday" in contents:
        raw = _text(contents["bday"][0].value)
        card.birthday = _birthday(raw)
    if "title" in contents:
        card.job_title = _text(contents["title"][0].value)
    if "note" in contents:
        card.note = "\n".join(_text(line.value) for line in contents["note"])
    for line in contents.get("adr", []):
        adr = line.value
        types = {t.lower() for t in line.params.get("TYPE", [])} | {
            t.lower() for t in getattr(line, "singletonparams", [])
        }
        card.addresses.append(
            {
                "kind": "work" if "work" in types else "home",
                "street": _text(getattr(adr, "street", "")),
                "city": _text(getattr(adr, "city", "")),
                "region": _text(getattr(adr, "region", "")),
                "postcode": _text(getattr(adr, "code", "")),
            }
        )
    if not (card.last_name or card.first_name):
        card.errors.append(_("The card has no name (N or FN)."))
    return card


def read_vcards(data: bytes) -> list[ParsedCard]:
    """Every card in the file, each parsed or carrying its errors; VCardFileError when
    the file itself is not a vCard file."""
    if len(data) > MAX_VCARD_BYTES:
        raise VCardFileError(
            _("The file is too large; the limit is %(limit)d MB.")
            % {"limit": MAX_VCARD_BYTES // 1024 // 1024}
        )
    if b"\x00" in data[:4096]:
        raise VCardFileError(_("This is not a vCard file (it looks like a binary file)."))
    text = _decode(data)
    blocks = _split_cards(text)
    if not blocks:
        raise VCardFileError(
            _("This is not a vCard file: it has no BEGIN:VCARD … END:VCARD block.")
        )
    if len(blocks) > MAX_CARDS:
        raise VCardFileError(
            _("The file holds %(n)d cards; at most %(max)d can be imported at once.")
            % {"n": len(blocks), "max": MAX_CARDS}
        )
    return [_card(i, lines) for i, lines in enumerate(blocks, start=1)]
