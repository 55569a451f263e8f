"""What a column can be imported into, and the mapping suggested from the file's headers.

Headers are matched in Russian and English after folding case, "ё", punctuation and
spaces, first exactly against known spellings, then by a known word inside the header
("Телефон мобильный", "E-mail (рабочий)"). Custom fields defined by an administrator
are targets too, matched by their Russian and English labels and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sputnik.core.custom_fields import definitions


@dataclass(frozen=True)
class Target:
    key: str
    label: Promise | str
    kind: str  # text | name | full_name | phone | email | date | choice | bool | …
    max_length: int = 0
    repeatable: bool = False  # several columns may feed it (phones, e-mails)
    placement: bool = False  # centre / owner: only roles that route work may map it
    synonyms: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # a header containing one of these words


COMMON_HEAD = (
    Target(
        "external_id",
        _("External id"),
        "text",
        100,
        synonyms=(
            "id",
            "external id",
            "external_id",
            "код",
            "код клиента",
            "код контрагента",
            "внешний id",
            "внешний код",
            "идентификатор",
            "guid",
            "uid",
            "customer id",
            "client id",
        ),
    ),
)
CONTACTS = (
    Target(
        "phone",
        _("Phone"),
        "phone",
        repeatable=True,
        synonyms=(
            "phone",
            "tel",
            "telephone",
            "mobile",
            "cell",
            "телефон",
            "тел",
            "моб",
            "сотовый",
        ),
        words=("телефон", "phone", "мобильный", "mobile", "тел"),
    ),
    Target(
        "email",
        _("E-mail"),
        "email",
        repeatable=True,
        synonyms=("email", "e mail", "mail", "почта", "эл почта", "электронная почта", "емейл"),
        words=("email", "почта", "mail"),
    ),
)
COMMON_TAIL = (
    Target(
        "source_campaign",
        _("Campaign"),
        "text",
        200,
        synonyms=("campaign", "кампания", "рекламная кампания", "акция"),
    ),
    Target("utm_source", "utm_source", "text", 200, synonyms=("utm source", "utm_source")),
    Target("utm_medium", "utm_medium", "text", 200, synonyms=("utm medium", "utm_medium")),
    Target("utm_campaign", "utm_campaign", "text", 200, synonyms=("utm campaign", "utm_campaign")),
    Target(
        "centre",
        _("Centre"),
        "centre",
        placement=True,
        synonyms=("centre", "center", "центр", "салон", "филиал", "дилерский центр", "branch"),
    ),
    Target(
        "owner",
        _("Owner (user name)"),
        "owner",
        placement=True,
        synonyms=("owner", "manager", "менеджер", "ответственный", "владелец", "responsible"),
    ),
)

PERSON_TARGETS = (
    *COMMON_HEAD,
    Target(
        "last_name",
        _("Last name"),
        "name",
        100,
        synonyms=("last name", "lastname", "surname", "family name", "фамилия"),
    ),
    Target(
        "first_name",
        _("First name"),
        "name",
        100,
        synonyms=("first name", "firstname", "given name", "name", "имя"),
    ),
    Target(
        "middle_name",
        _("Middle name"),
        "name",
        100,
        synonyms=("middle name", "patronymic", "second name", "отчество"),
    ),
    Target(
        "full_name",
        _("Full name (last first middle)"),
        "full_name",
        synonyms=(
            "фио",
            "ф и о",
            "full name",
            "fullname",
            "клиент",
            "контакт",
            "contact",
            "customer",
            "client",
            "покупатель",
        ),
    ),
    *CONTACTS,
    Target(
        "birthday",
        _("Birthday"),
        "date",
        synonyms=(
            "birthday",
            "birth date",
            "date of birth",
            "dob",
            "дата рождения",
            "день рождения",
            "др",
        ),
    ),
    Target("stage", _("Stage"), "stage", synonyms=("stage", "стадия", "статус", "status", "этап")),
    Target(
        "family_status",
        _("Family status"),
        "family_status",
        synonyms=("family status", "marital status", "семейное положение"),
    ),
    Target(
        "job_title",
        _("Job title"),
        "text",
        200,
        synonyms=("job title", "position", "title", "должность"),
    ),
    Target(
        "wishes",
        _("Wishes and plans"),
        "text",
        5000,
        synonyms=(
            "wishes",
            "notes",
            "comment",
            "comments",
            "пожелания",
            "комментарий",
            "примечание",
        ),
    ),
    Target("is_vip", _("VIP"), "bool", synonyms=("vip", "вип", "важный клиент")),
    *COMMON_TAIL,
)

COMPANY_TARGETS = (
    *COMMON_HEAD,
    Target(
        "name",
        _("Name"),
        "text",
        300,
        synonyms=(
            "name",
            "company",
            "company name",
            "organisation",
            "organization",
            "название",
            "наименование",
            "компания",
            "организация",
            "контрагент",
        ),
    ),
    Target("inn", _("INN"), "inn", synonyms=("inn", "инн", "tax id", "tin")),
    Target(
        "industry",
        _("Industry"),
        "text",
        200,
        synonyms=("industry", "отрасль", "сфера деятельности"),
    ),
    Target("website", _("Website"), "url", synonyms=("website", "site", "web", "url", "сайт")),
    *CONTACTS,
    *COMMON_TAIL,
)

REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # at least one of each group must be mapped
    "person": (("last_name", "first_name", "full_name"),),
    "company": (("name",),),
}


def targets(entity: str) -> dict[str, Target]:
    """Built-in targets plus the administrator's custom fields, by key."""
    base = PERSON_TARGETS if entity == "person" else COMPANY_TARGETS
    result = {t.key: t for t in base}
    for defn in definitions(entity):
        key = f"custom.{defn.key}"
        result[key] = Target(
            key,
            defn.label,
            "custom",
            synonyms=(defn.key, defn.label_ru, defn.label_en),
        )
    return result


def fold_header(text: str) -> str:
    text = str(text).casefold().replace("ё", "е")
    text = re.sub(r"[\W_]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def suggest_mapping(headers: list[str], entity: str) -> dict[str, str]:
    """{column index as text: target key} for the headers that look like a known field."""
    known = targets(entity)
    exact: dict[str, str] = {}
    for target in known.values():
        for synonym in target.synonyms:
            exact.setdefault(fold_header(synonym), target.key)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    folded = [fold_header(h) for h in headers]
    for i, head in enumerate(folded):
        key = exact.get(head)
        if key and (key not in used or known[key].repeatable):
            mapping[str(i)] = key
            used.add(key)
    for i, head in enumerate(folded):
        if str(i) in mapping or not head:
            continue
        words = set(head.split())
        for target in known.values():
            if target.key in used and not target.repeatable:
                continue
            if any((w in words) or (" " in w and w in head) for w in target.words):
                mapping[str(i)] = target.key
                used.add(target.key)
                break
    return mapping


def mapping_from_saved(headers: list[str], columns: dict[str, str], entity: str) -> dict[str, str]:
    """Apply a saved mapping ({folded header: target}) to this file's headers."""
    known = targets(entity)
    mapping = {}
    for i, header in enumerate(headers):
        key = columns.get(fold_header(header))
        if key in known:
            mapping[str(i)] = key
    return mapping


def saved_columns(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The reusable form of a mapping: keyed by folded header, not by position."""
    result = {}
    for index, key in mapping.items():
        if index.isdigit() and int(index) < len(headers) and key:
            result[fold_header(headers[int(index)])] = key
    return result
