"""A labelled synthetic population for measuring the duplicate finder.

Each generated record carries the id of the real-world customer ("entity") it stands for;
records with one entity id are true duplicates. Variation is the kind a dealer network's
base really has: Cyrillic and Latin spellings of one name by different schemes, typos,
first and last name swapped, a missing patronymic or birth date, a phone typed in another
spelling or replaced, e-mail case. The trap is families: a spouse or a child shares the
surname, the home phone and often the e-mail, and is NOT a duplicate (a son may even
share his father's first name, but not his patronymic or birth date).

Deterministic for a seed, so tests and the benchmark measure the same population.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

MALE_FIRST = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Максим",
    "Евгений",
    "Иван",
    "Михаил",
    "Артём",
    "Николай",
    "Владимир",
    "Павел",
    "Роман",
    "Денис",
    "Игорь",
    "Олег",
    "Виктор",
    "Юрий",
    "Константин",
    "Антон",
    "Илья",
    "Никита",
    "Кирилл",
    "Василий",
    "Григорий",
    "Фёдор",
    "Тимур",
    "Степан",
    "Леонид",
    "Вадим",
    "Руслан",
    "Егор",
    "Ярослав",
    "Борис",
    "Геннадий",
    "Виталий",
    "Станислав",
    "Пётр",
    "Анатолий",
    "Валерий",
    "Глеб",
    "Матвей",
    "Арсений",
    "Захар",
]
FEMALE_FIRST = [
    "Елена",
    "Ольга",
    "Наталья",
    "Екатерина",
    "Анна",
    "Татьяна",
    "Мария",
    "Ирина",
    "Светлана",
    "Юлия",
    "Анастасия",
    "Марина",
    "Дарья",
    "Ксения",
    "Людмила",
    "Алина",
    "Виктория",
    "Евгения",
    "Валентина",
    "Галина",
    "Надежда",
    "Полина",
    "Вероника",
    "Алёна",
    "Кристина",
    "Софья",
    "Диана",
    "Любовь",
    "Маргарита",
    "Вера",
    "Лариса",
    "Жанна",
    "Яна",
    "Майя",
    "Александра",
    "Оксана",
    "Василиса",
    "Элина",
    "Зоя",
    "Регина",
]
# Male surname forms; the female form is derived (Иванов → Иванова, Чайковский → Чайковская).
SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Ерёмин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
    "Князев",
    "Цветков",
    "Левин",
    "Митрофанов",
    "Воронов",
    "Аксёнов",
    "Софронов",
    "Мальцев",
    "Логинов",
    "Горшков",
    "Савин",
    "Краснов",
    "Майоров",
    "Демидов",
    "Елисеев",
    "Рыбаков",
    "Сафонов",
    "Плотников",
    "Дьяконов",
    "Шубин",
    "Хабибуллин",
    "Цой",
    "Ким",
    "Шевченко",
    "Бондаренко",
    "Ткаченко",
    "Чайковский",
    "Вишневский",
    "Ковальский",
    "Зайцевский",
    "Щукин",
    "Хохлов",
    "Шестаков",
    "Юсупов",
    "Закиров",
    "Гарипов",
    "Алиев",
    "Мамедов",
    "Кравченко",
    "Литвинов",
    "Рябов",
]


def female_surname(male: str) -> str:
    for end, fem in (("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ёв", "ёва")):
        if male.endswith(end):
            return male[: -len(end)] + fem
    for end, fem in (("ев", "ева"), ("ин", "ина")):
        if male.endswith(end):
            return male[: -len(end)] + fem
    return male  # Цой, Ким, Шевченко: one form for both


def patronymic(father: str, female: bool) -> str:
    special = {
        "Илья": "Ильи",
        "Никита": "Никит",
        "Пётр": "Петр",
        "Лев": "Льв",
        "Павел": "Павл",
    }
    stem = special.get(father, father)
    if stem.endswith("й") or stem.endswith("ь"):
        base = stem[:-1] + ("евна" if female else "евич")
    elif stem.endswith("а") or stem.endswith("и"):
        base = stem[:-1] + ("ична" if female else "ич")
    else:
        base = stem + ("овна" if female else "ович")
    return base.replace("ё", "е")


# Letter by letter, the spellings schemes and people actually use.
_TRANSLIT: dict[str, tuple[str, ...]] = {
    "а": ("a",),
    "б": ("b",),
    "в": ("v", "v", "v", "w"),
    "г": ("g",),
    "д": ("d",),
    "е": ("e",),
    "ё": ("e", "yo", "io"),
    "ж": ("zh", "zh", "j"),
    "з": ("z",),
    "и": ("i",),
    "й": ("y", "i", "j", "y"),
    "к": ("k",),
    "л": ("l",),
    "м": ("m",),
    "н": ("n",),
    "о": ("o",),
    "п": ("p",),
    "р": ("r",),
    "с": ("s",),
    "т": ("t",),
    "у": ("u",),
    "ф": ("f",),
    "х": ("kh", "kh", "h"),
    "ц": ("ts", "ts", "tz", "c"),
    "ч": ("ch",),
    "ш": ("sh",),
    "щ": ("shch", "sch", "sh"),
    "ъ": ("", "ie"),
    "ы": ("y", "y", "i"),
    "ь": ("", "", "'"),
    "э": ("e",),
    "ю": ("yu", "iu", "ju"),
    "я": ("ya", "ia", "ja"),
}


def transliterate(rng: random.Random, text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        options = _TRANSLIT.get(low)
        if options is None:
            out.append(ch)
            continue
        piece = rng.choice(options)
        if low == "е" and i == 0 and rng.random() < 0.4:
            piece = "ye"
        out.append(piece.capitalize() if ch.isupper() else piece)
    result = "".join(out)
    if result.endswith("ov") and rng.random() < 0.1:
        result = result[:-1] + rng.choice(("ff", "f"))
    if result.endswith("iy") and rng.random() < 0.5:
        result = result[:-2] + rng.choice(("y", "i"))
    return result


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip, rarely in the first letter (people check that one)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text))
    letters = "абвгдеиклмнопрстуя" if not text.isascii() else "abdeiklmnoprstuv"
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(letters) + text[i:]
    if kind == 2:
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(letters)


def phone_spelling(rng: random.Random, digits10: str) -> str:
    """One of the ways people type a Russian mobile number."""
    a, b, c, d = digits10[:3], digits10[3:6], digits10[6:8], digits10[8:]
    return rng.choice(
        (
            f"+7{digits10}",
            f"8 ({a}) {b}-{c}-{d}",
            f"+7 {a} {b} {c} {d}",
            f"8{digits10}",
            f"{digits10}",
            f"+7 ({a}) {b}-{c}{d}",
            f"8-{a}-{b}-{c}-{d}",
        )
    )


@dataclass(slots=True)
class SyntheticPerson:
    entity: int
    last_name: str
    first_name: str
    middle_name: str
    birthday: dt.date | None
    phone: str  # as typed
    phone_digits: str  # the ten national digits, "" for none
    email: str
    centre: int


_MAILS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru")


_CUMULATIVE: dict[int, list[float]] = {}


def _weighted(rng: random.Random, pool: list[str]) -> str:
    """Zipf-like choice (weight 1/(rank + 8)): the top surname is ~3% of people, the top
    first name ~10%, as in Russian name statistics; common names make large blocks."""
    weights = _CUMULATIVE.get(len(pool))
    if weights is None:
        total, weights = 0.0, []
        for rank in range(len(pool)):
            total += 1 / (rank + 8)
            weights.append(total)
        _CUMULATIVE[len(pool)] = weights
    return rng.choices(pool, cum_weights=weights)[0]


def generate(
    n: int, *, seed: int = 8, centres: int = 10, duplicate_rate: float = 0.12
) -> Iterator[SyntheticPerson]:
    """About `n` labelled records: originals, their family members and their duplicates."""
    rng = random.Random(seed)
    produced = 0
    entity = 0
    used_phones: set[str] = set()

    def new_phone() -> str:
        while True:
            digits = "9" + "".join(rng.choices("0123456789", k=9))
            if digits not in used_phones:
                used_phones.add(digits)
                return digits

    def email_for(first: str, last: str, year: int | None) -> str:
        base = transliterate(rng, last).lower().replace("'", "")
        if rng.random() < 0.5:
            base = transliterate(rng, first).lower().replace("'", "")[:1] + "." + base
        suffix = str(year % 100) if year and rng.random() < 0.5 else str(rng.randrange(1, 999))
        return f"{base}{suffix}@{rng.choice(_MAILS)}"

    def birthday(lo: int, hi: int) -> dt.date:
        return dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))

    while produced < n:
        entity += 1
        female = rng.random() < 0.45
        male_last = _weighted(rng, SURNAMES)
        last = female_surname(male_last) if female else male_last
        first = _weighted(rng, FEMALE_FIRST if female else MALE_FIRST)
        father = _weighted(rng, MALE_FIRST)
        middle = patronymic(father, female) if rng.random() < 0.7 else ""
        born = birthday(1950, 2004) if rng.random() < 0.75 else None
        phone = new_phone() if rng.random() < 0.88 else ""
        email = email_for(first, last, born.year if born else None) if rng.random() < 0.5 else ""
        centre = rng.randrange(1, centres + 1)
        original = SyntheticPerson(
            entity,
            last,
            first,
            middle,
            born,
            phone_spelling(rng, phone) if phone else "",
            phone,
            email,
            centre,
        )
        yield original
        produced += 1

        # Family on the same phone: spouse, and sometimes a child named after the father.
        if phone and rng.random() < 0.12:
            entity += 1
            spouse_female = not female
            spouse_last = female_surname(male_last) if spouse_female else male_last
            spouse_first = _weighted(rng, FEMALE_FIRST if spouse_female else MALE_FIRST)
            yield SyntheticPerson(
                entity,
                spouse_last,
                spouse_first,
                patronymic(_weighted(rng, MALE_FIRST), spouse_female) if rng.random() < 0.7 else "",
                birthday(1950, 2004) if rng.random() < 0.75 else None,
                phone_spelling(rng, phone),
                phone,
                email if email and rng.random() < 0.4 else "",
                centre,
            )
            produced += 1
            if not female and rng.random() < 0.35:
                entity += 1
                son_first = first if rng.random() < 0.3 else _weighted(rng, MALE_FIRST)
                yield SyntheticPerson(
                    entity,
                    last,
                    son_first,
                    patronymic(first, False),
                    birthday(1975, 2006),
                    phone_spelling(rng, phone),
                    phone,
                    "",
                    centre,
                )
                produced += 1

        # Duplicates of this customer, entered again elsewhere or later.
        copies = 0
        if rng.random() < duplicate_rate:
            copies = 2 if rng.random() < 0.15 else 1
        for _ in range(copies):
            dup_last, dup_first, dup_middle = last, first, middle
            if rng.random() < 0.3:
                dup_last = transliterate(rng, dup_last)
                dup_first = transliterate(rng, dup_first)
                dup_middle = transliterate(rng, dup_middle) if rng.random() < 0.5 else ""
            if rng.random() < 0.25:
                if rng.random() < 0.5:
                    dup_last = typo(rng, dup_last)
                else:
                    dup_first = typo(rng, dup_first)
            if rng.random() < 0.1:
                dup_last, dup_first = dup_first, dup_last
            if rng.random() < 0.4:
                dup_middle = ""
            dup_born = born
            roll = rng.random()
            if roll < 0.25:
                dup_born = None
            elif roll < 0.28 and born is not None:
                dup_born = born.replace(day=min(28, born.day % 27 + 1))
            dup_phone = phone
            roll = rng.random()
            if roll < 0.12:
                dup_phone = new_phone()
            elif roll < 0.27:
                dup_phone = ""
            dup_email = email
            if email:
                roll = rng.random()
                if roll < 0.35:
                    dup_email = ""
                elif roll < 0.55:
                    dup_email = email.upper() if rng.random() < 0.5 else email.capitalize()
            # A re-entry nearly always carries something that identifies the customer: the
            # phone they call from, their e-mail or their birth date from a document. A few
            # (3%) come with a name only, and no rule can find those: they bound recall.
            if (
                not (dup_phone and dup_phone == phone)
                and not (dup_email and dup_email.casefold() == email.casefold())
                and not (dup_born and dup_born == born)
                and rng.random() < 0.97
            ):
                keep = [k for k, v in (("phone", phone), ("email", email), ("born", born)) if v]
                choice = rng.choice(keep) if keep else ""
                if choice == "phone":
                    dup_phone = phone
                elif choice == "email":
                    dup_email = email
                elif choice == "born":
                    dup_born = born
            yield SyntheticPerson(
                original.entity,
                dup_last,
                dup_first,
                dup_middle,
                dup_born,
                phone_spelling(rng, dup_phone) if dup_phone else "",
                dup_phone,
                dup_email,
                rng.randrange(1, centres + 1) if rng.random() < 0.3 else centre,
            )
            produced += 1


def true_pairs(records: list[SyntheticPerson], ids: list[int]) -> set[tuple[int, int]]:
    """Every pair of ids (smaller first) whose records stand for one customer."""
    by_entity: dict[int, list[int]] = {}
    for record, pk in zip(records, ids, strict=True):
        by_entity.setdefault(record.entity, []).append(pk)
    pairs: set[tuple[int, int]] = set()
    for members in by_entity.values():
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs
