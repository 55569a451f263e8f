"""Name keys that survive Cyrillic↔Latin transliteration, spelling habits and gender forms.

`skeleton("Сергей")`, `skeleton("Sergey")`, `skeleton("Sergei")` and `skeleton("Sergej")`
are all "sergei": every name is brought to one Latin spelling and the letters that
transliteration schemes (GOST, passport, BGN, German, French habits) spell differently are
folded together. Typos are left to the fuzzy scorer; the skeleton only removes the
differences that are not mistakes.

Hand-written rather than a transliteration library: the libraries render one standard
scheme (Cyrillic → Latin), while matching needs the reverse direction too and the
folding of the schemes into each other; and the key is computed for a million names per
batch run, so it is a single table-driven pass with a cache.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    # Ukrainian and Belarusian letters met in Russian customer bases
    "і": "i",
    "ї": "i",
    "є": "e",
    "ґ": "g",
    "ў": "u",
}
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)

# Latin spellings of the same Russian sounds, longest first; applied after the Cyrillic map
# so both scripts meet in one spelling.
_LATIN_FOLDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in (
        (r"shch|sch|tsch", "sh"),
        (r"kh", "h"),
        (r"tch", "ch"),
        (r"tz|ts", "c"),
        (r"ph", "f"),
        (r"ck|q", "k"),
        (r"x", "ks"),
        (r"w", "v"),
        (r"zh|dj", "zh"),
        (r"^ye|^jo|^yo", "e"),  # Yevgeny/Evgeny, Yolkin/Elkin
        (r"(?<=[aeiou])y(?=[aeiou])", "i"),
        (r"y|j", "i"),
        (r"(?<=[^aeiou ])io", "e"),  # Fyodor/Fiodor → fedor as Фёдор, Artyom → artem
        (r"ie\b", "i"),  # Dmitrie(v) endings are rare; "Vasilie" is Vasily
        (r"i+", "i"),  # Dmitriy → dmitrii → dmitri
        (r"(?<=[oe])f+\b", "v"),  # Ivanoff, Ivanof, Smirnoff
        (r"([a-z])\1+", r"\1"),  # Khabibullin / Habibulin
    )
]
_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def skeleton(text: str) -> str:
    """One folded Latin spelling of a name (words kept, punctuation dropped)."""
    folded = (text or "").casefold().translate(_CYRILLIC_TABLE)
    if not folded.isascii():
        # Latin letters with diacritics (Sergéj, Jürgen) lose them; other scripts drop out.
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    folded = _NON_LETTERS.sub(" ", folded.replace("-", " "))
    for pattern, replacement in _LATIN_FOLDS:
        folded = pattern.sub(replacement, folded)
    return _SPACES.sub(" ", folded).strip()


# Grammatical gender, read from endings: a husband and wife share a surname and often a
# phone, and "Александр"/"Александра" are one letter apart, so gender is a veto.
_FEMALE_MIDDLE = re.compile(r"(vna|chna|kizi|kyzy)$")
_MALE_MIDDLE = re.compile(r"(vich|ich|oglu|uly)$")
_FEMALE_LAST = re.compile(r"(ova|eva|ina|ina|aia|kaia|ska|cka|iia)$")
_MALE_LAST = re.compile(r"(ov|ev|in|ii|kii|oi|ski|ck)$")
_MALE_FIRST_IN_A = frozenset(
    {"nikita", "ilia", "foma", "kuzma", "sava", "luka", "danila", "gavrila", "mina", "lev"}
)
_FEMALE_FIRST = re.compile(r"(a|ia)$")


@lru_cache(maxsize=200_000)
def gender_of(last: str, first: str, middle: str) -> int:
    """+1 male, -1 female, 0 unknown, from skeleton forms of the three name parts."""
    if middle:
        if _FEMALE_MIDDLE.search(middle):
            return -1
        if _MALE_MIDDLE.search(middle):
            return 1
    if first:
        if first in _MALE_FIRST_IN_A:
            return 1
        if _FEMALE_FIRST.search(first) and len(first) > 2:
            return -1
    if last:
        if _FEMALE_LAST.search(last):
            return -1
        if _MALE_LAST.search(last):
            return 1
    return 0


def name_parts(last: str, first: str, middle: str) -> tuple[str, str, str]:
    """Skeletons of the three name parts (a name typed all in one field is split)."""
    sl, sf, sm = skeleton(last), skeleton(first), skeleton(middle)
    if sl and not sf and " " in sl:
        sl, _sep, sf = sl.partition(" ")
    return sl, sf, sm


def entry_keys(last: str, first: str, middle: str = "") -> set[str]:
    """Index keys under which a name is found again on entry (PersonNameKey rows).

    "p:" the four-letter beginnings of both names, in sorted order (survives swapped
    first/last names and any slip after the fourth letter); "a:" one whole name with the
    other's initial (survives a slip early in the other name).
    """
    sl, sf, _sm = name_parts(last, first, middle)
    sl, sf = sl.replace(" ", "")[:40], sf.replace(" ", "")[:40]
    if sl and sf:
        low, high = sorted((sl[:4], sf[:4]))
        return {f"p:{low}|{high}", f"a:{sl}|{sf[:1]}", f"a:{sf}|{sl[:1]}"}
    only = sl or sf
    return {f"o:{only}"} if only else set()


# Common Russian first names. Two different names from this list are two people, not a
# typo: a slip rarely turns one real name into another ("Мария"/"Марина", "Майя"/"Мария",
# "Валерий"/"Валентин"), and same-birthday namesakes differ exactly so.
COMMON_FIRST_NAMES = frozenset(
    skeleton(name)
    for name in [
        "Александр",
        "Алексей",
        "Анатолий",
        "Андрей",
        "Антон",
        "Аркадий",
        "Арсений",
        "Артём",
        "Артур",
        "Богдан",
        "Борис",
        "Вадим",
        "Валентин",
        "Валерий",
        "Василий",
        "Виктор",
        "Виталий",
        "Владимир",
        "Владислав",
        "Всеволод",
        "Вячеслав",
        "Геннадий",
        "Георгий",
        "Герман",
        "Глеб",
        "Григорий",
        "Даниил",
        "Денис",
        "Дмитрий",
        "Евгений",
        "Егор",
        "Захар",
        "Иван",
        "Игорь",
        "Илья",
        "Кирилл",
        "Константин",
        "Лев",
        "Леонид",
        "Макар",
        "Максим",
        "Марк",
        "Матвей",
        "Михаил",
        "Никита",
        "Николай",
        "Олег",
        "Павел",
        "Пётр",
        "Платон",
        "Роман",
        "Руслан",
        "Святослав",
        "Семён",
        "Сергей",
        "Станислав",
        "Степан",
        "Тимофей",
        "Тимур",
        "Фёдор",
        "Филипп",
        "Эдуард",
        "Юрий",
        "Яков",
        "Ярослав",
        "Агата",
        "Алевтина",
        "Александра",
        "Алина",
        "Алиса",
        "Алла",
        "Алёна",
        "Анастасия",
        "Ангелина",
        "Анна",
        "Антонина",
        "Валентина",
        "Валерия",
        "Варвара",
        "Василиса",
        "Вера",
        "Вероника",
        "Виктория",
        "Галина",
        "Дарья",
        "Диана",
        "Ева",
        "Евгения",
        "Екатерина",
        "Елена",
        "Елизавета",
        "Жанна",
        "Зинаида",
        "Зоя",
        "Инна",
        "Ирина",
        "Кира",
        "Кристина",
        "Ксения",
        "Лариса",
        "Лидия",
        "Любовь",
        "Людмила",
        "Майя",
        "Маргарита",
        "Марина",
        "Мария",
        "Милана",
        "Надежда",
        "Наталья",
        "Нина",
        "Оксана",
        "Ольга",
        "Полина",
        "Раиса",
        "Регина",
        "Светлана",
        "София",
        "Софья",
        "Таисия",
        "Тамара",
        "Татьяна",
        "Ульяна",
        "Эвелина",
        "Элина",
        "Юлия",
        "Яна",
    ]
)


def patronymic_stem(middle: str) -> str:
    """The father's name inside a skeleton patronymic: "sergevich" → "serge"."""
    for end in ("ovich", "evich", "ovna", "evna", "ichna", "ich", "vich", "vna"):
        if middle.endswith(end) and len(middle) > len(end) + 1:
            return middle[: -len(end)]
    return middle
