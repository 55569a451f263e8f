"""Pools of generated values, built once per load and combined at random per row.

Faker is slow (tens of microseconds a call), so it is called a few thousand times to
fill the pools and never per row. Timestamps are formatted from day and second
caches for the same reason: a million-row load formats tens of millions of them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

from sputnik.core.demo.vocab import VIN_ALPHABET, VIN_YEAR_CODES
from sputnik.core.normalize import search_key, vin_check_digit

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def translit(text: str) -> str:
    out = "".join(_TRANSLIT.get(c, c) for c in text.casefold())
    return "".join(c for c in out if c.isascii() and (c.isalnum() or c in "-"))


@dataclass(frozen=True)
class Name:
    last: str
    first: str
    middle: str
    male: bool
    search: str  # search_key(last, first, middle)
    email_local: str


@dataclass
class NamePools:
    russian: list[Name]
    english: list[Name]
    company_names: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, seed: int, size: int = 4000) -> NamePools:
        """`size` distinct-ish name combinations per language, from Faker's vocabularies."""
        ru = Faker("ru_RU")
        en = Faker("en_US")
        ru.seed_instance(seed)
        en.seed_instance(seed + 1)
        rng = random.Random(seed)
        male_last = [ru.last_name_male() for _ in range(size // 4)]
        female_last = [ru.last_name_female() for _ in range(size // 4)]
        male_first = [ru.first_name_male() for _ in range(size // 8)]
        female_first = [ru.first_name_female() for _ in range(size // 8)]
        male_middle = [ru.middle_name_male() for _ in range(size // 8)]
        female_middle = [ru.middle_name_female() for _ in range(size // 8)]
        russian = []
        for i in range(size):
            male = i % 2 == 0
            last = rng.choice(male_last if male else female_last)
            first = rng.choice(male_first if male else female_first)
            middle = rng.choice(male_middle if male else female_middle)
            russian.append(
                Name(
                    last,
                    first,
                    middle,
                    male,
                    search_key(last, first, middle),
                    f"{translit(first)}.{translit(last)}",
                )
            )
        english = []
        for i in range(size // 2):
            male = i % 2 == 0
            first = en.first_name_male() if male else en.first_name_female()
            last = en.last_name()
            english.append(
                Name(
                    last,
                    first,
                    "",
                    male,
                    search_key(last, first, ""),
                    f"{translit(first)}.{translit(last)}",
                )
            )
        companies = sorted({ru.company() for _ in range(600)})
        return cls(russian=russian, english=english, company_names=companies)


def valid_mobile_prefixes(rng: random.Random) -> list[str]:
    """Three-digit 9xx codes for which `phonenumbers` accepts every sampled number."""
    prefixes = []
    for code in range(900, 1000):
        if all(
            phonenumbers.is_valid_number(phonenumbers.parse(f"+7{code}{rng.randrange(10**7):07d}"))
            for _ in range(12)
        ):
            prefixes.append(str(code))
    return prefixes


class PhoneSequence:
    """Unique, random-looking Russian mobile numbers: a bijection of a counter.

    Number k maps to (k * A + B) mod M over M = prefixes × 10^7 with A coprime to M,
    so no two calls return the same number and nothing needs remembering.
    """

    def __init__(self, rng: random.Random, start: int = 0) -> None:
        self.prefixes = valid_mobile_prefixes(rng)
        self.modulus = len(self.prefixes) * 10**7
        multiplier = rng.randrange(10**8, 10**9) | 1
        while _gcd(multiplier, self.modulus) != 1:
            multiplier += 2
        self.multiplier = multiplier
        self.offset = rng.randrange(self.modulus)
        self.counter = start

    def next(self) -> str:
        self.counter += 1
        k = (self.counter * self.multiplier + self.offset) % self.modulus
        prefix, rest = divmod(k, 10**7)
        return f"+7{self.prefixes[prefix]}{rest:07d}"


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def make_vin(wmi: str, vds: str, year: int, asset_id: int) -> str:
    """A 17-character VIN with a valid ISO 3779 check digit, unique per asset id."""
    plant = VIN_ALPHABET[(asset_id // 10**6) % len(VIN_ALPHABET)]
    body = f"{wmi}{vds}0{VIN_YEAR_CODES.get(year, 'A')}{plant}{asset_id % 10**6:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


class TimeFormat:
    """Text timestamps in the form each engine stores: UTC, '+00' on PostgreSQL.

    Django's SQLite backend stores aware datetimes as naive UTC text, so rows written
    here compare and sort exactly like rows written through the ORM.
    """

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self._days: dict[int, str] = {}
        self._seconds = [
            f" {h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]

    def ts(self, epoch: float) -> str:
        seconds = int(epoch)
        day, second = divmod(seconds, 86400)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
        return text + self._seconds[second]

    def date(self, epoch: float) -> str:
        day = int(epoch) // 86400
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
        return text
