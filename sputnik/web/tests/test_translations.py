"""The Russian catalogue is complete, keeps every placeholder, is compiled, and is what users see.

The .po reader below is deliberately tiny (polib is not a project dependency): it understands
msgctxt, msgid, msgid_plural, msgstr, msgstr[N], continuation lines, flags and obsolete entries,
which is all `makemessages` writes.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sputnik.conftest import make_user
from sputnik.core.roles import Role

LOCALE = Path(settings.LOCALE_PATHS[0])
RU_PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
RU_MO = LOCALE / "ru" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

RU_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header as a dict, and the non-obsolete entries in file order."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # ("msgid" | "msgctxt" | "msgid_plural" | "msgstr", n)

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    def append(text: str) -> None:
        assert current is not None and target is not None
        kind, index = target
        if kind == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, kind, (getattr(current, kind) or "") + text)

    pending_flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue  # obsolete
        if line.startswith("#,"):
            if current is not None and target and target[0] == "msgstr":
                finish()
            pending_flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            append(ast.literal_eval(line))
            continue
        if keyword in ("msgctxt", "msgid") and (
            current is None or (target is not None and target[0] == "msgstr")
        ):
            finish()
            current = Entry(flags=pending_flags, line=number)
            pending_flags = set()
        assert current is not None, f"{path}:{number}: text outside an entry"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
            current.msgstr.setdefault(target[1], "")
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr.setdefault(0, "")
        elif keyword in ("msgid", "msgctxt", "msgid_plural"):
            target = (keyword, 0)
            setattr(current, keyword, "")
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
        append(ast.literal_eval(rest))
    finish()

    assert entries and entries[0].msgid == "", f"{path}: no header entry"
    header_entry = entries.pop(0)
    assert "fuzzy" not in header_entry.flags, f"{path}: the header is marked fuzzy"
    header = {}
    for header_line in header_entry.msgstr[0].splitlines():
        name, _colon, value = header_line.partition(":")
        header[name.strip()] = value.strip()
    return header, entries


# %(name)s, %(n)d, %s, %d, %%; {name}; <tag ...> and </tag>.
PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")
BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.]*\}(?!\})")
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^>]*>")


def placeholders(text: str) -> list[str]:
    found = PERCENT.findall(text) + BRACE.findall(text)
    found += [re.sub(r"\s+", " ", tag) for tag in TAG.findall(text)]
    return sorted(found)


def describe(entry: Entry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"line {entry.line}: {entry.msgid!r}{context}"


@pytest.fixture(scope="module")
def ru_catalogue() -> tuple[dict[str, str], list[Entry]]:
    return read_po(RU_PO)


def test_the_reader_understands_the_po_format(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgctxt "ctx"\nmsgid "Found: %(n)s"\nmsgstr ""\n'
        '"Найдено: "\n"%(n)s"\n\n'
        'msgid "one file"\nmsgid_plural "%(n)d files"\nmsgstr[0] "%(n)d файл"\n'
        'msgstr[1] "%(n)d файла"\nmsgstr[2] "%(n)d файлов"\n\n'
        '#~ msgid "gone"\n#~ msgstr "ушло"\n',
        encoding="utf-8",
    )
    header, entries = read_po(sample)
    assert header == {"Language": "ru"}
    first = entries[0]
    assert (first.msgctxt, first.msgid, first.msgstr[0]) == (
        "ctx",
        "Found: %(n)s",
        "Найдено: %(n)s",
    )
    assert entries[0].flags == {"python-format"}
    assert entries[1].msgid_plural == "%(n)d files" and len(entries[1].msgstr) == 3
    assert len(entries) == 2
    assert placeholders("<b>%(name)s</b> {count} 100%%") == sorted(
        ["<b>", "</b>", "%(name)s", "{count}", "%%"]
    )


def test_the_russian_header_declares_russian_and_three_plural_forms(ru_catalogue):
    header, _entries = ru_catalogue
    assert header["Language"] == "ru"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == RU_PLURAL_FORMS


def test_every_russian_entry_is_translated_and_none_is_fuzzy(ru_catalogue):
    _header, entries = ru_catalogue
    assert len(entries) > 300, "the catalogue looks truncated; run `make messages`"
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    untranslated = []
    for entry in entries:
        forms = 3 if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)) or not all(entry.msgstr.values()):
            untranslated.append(describe(entry))
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_every_russian_translation_keeps_the_placeholders_and_tags(ru_catalogue):
    _header, entries = ru_catalogue
    broken = []
    for entry in entries:
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if (entry.msgid_plural and index > 0) else entry.msgid
            expected = placeholders(source)
            # A singular Russian form may spell the number out, but never invent a placeholder.
            got = placeholders(text)
            if entry.msgid_plural is not None:
                ok = set(got) <= set(placeholders(entry.msgid) + placeholders(entry.msgid_plural))
            else:
                ok = got == expected
            if not ok:
                broken.append(f"{describe(entry)} [{index}]: {expected} → {got} in {text!r}")
    assert not broken, "placeholder mismatches:\n" + "\n".join(broken)


def test_the_translations_do_not_leave_english_behind(ru_catalogue):
    """A msgstr with no Cyrillic must be a name, code or abbreviation kept on purpose."""
    kept_as_is = {
        *("Sputnik", "Sputnik CRM", "E-mail", "e-mail", "SMS", "VIP", "English"),
        *("CRM", "API", "PDF", "CSV (Windows-1251)"),
        "%(message)s",  # a message composed elsewhere, already in the user's language
    }
    _header, entries = ru_catalogue
    latin = [
        describe(e)
        for e in entries
        if e.msgstr.get(0)
        and not re.search("[а-яё]", e.msgstr[0], re.IGNORECASE)
        and e.msgstr[0] not in kept_as_is
    ]
    assert not latin, "translations without Cyrillic:\n" + "\n".join(latin)


def test_the_compiled_catalogues_match_the_sources(ru_catalogue):
    """The .mo files are committed, so they must be rebuilt whenever the .po changes."""
    _header, entries = ru_catalogue
    with RU_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if entry.msgid_plural is not None:
            for n, index in ((1, 0), (3, 1), (5, 2)):
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if (entry.msgctxt)
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                if got != entry.msgstr[index]:
                    stale.append(describe(entry))
            continue
        got = (
            compiled.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt
            else compiled.gettext(entry.msgid)
        )
        if got != entry.msgstr[0]:
            stale.append(describe(entry))
    assert not stale, "django.mo is stale; run compilemessages:\n" + "\n".join(stale)
    assert EN_PO.exists() and EN_MO.exists()
    en_header, _en_entries = read_po(EN_PO)
    assert en_header["Language"] == "en"
    with EN_MO.open("rb") as handle:
        gettext.GNUTranslations(handle)  # parses


@pytest.mark.django_db
def test_a_russian_user_sees_the_interface_in_russian(client, centre_a):
    user = make_user("ivan", Role.SALES_MANAGER, centre_a, language="ru")
    client.force_login(user)
    html = client.get(reverse("parties:person_list")).content.decode()
    assert '<html lang="ru">' in html
    assert "Клиенты" in html
    assert "Новый клиент" in html
    assert "Найти" in html
    assert ">Persons<" not in html and "New person" not in html


@pytest.mark.django_db
def test_an_english_user_sees_the_interface_in_english(client, centre_a):
    user = make_user("john", Role.SALES_MANAGER, centre_a, language="en")
    client.force_login(user)
    html = client.get(reverse("parties:person_list")).content.decode()
    assert '<html lang="en">' in html
    assert "Persons" in html and "New person" in html
    assert "Клиенты" not in html and "Новый клиент" not in html


@pytest.mark.django_db
def test_the_person_card_speaks_russian(client, person, owner):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    html = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    for text in ("Лента событий", "История изменений", "Этап", "Автомобили", "Ответственный"):
        assert text in html, text


@pytest.mark.django_db
def test_the_login_page_is_russian_by_default_and_english_on_request(client):
    russian = client.get(reverse("login")).content.decode()
    assert "Вход в Sputnik CRM" in russian and "Пароль" in russian and "Войти" in russian
    assert "Password" not in russian

    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in to Sputnik CRM" in english and "Password" in english
    assert "Пароль" not in english
