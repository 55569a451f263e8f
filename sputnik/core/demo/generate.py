"""Row generation for the demo network: plain tuples in the column order of `load.COLUMNS`.

No ORM objects and no services per row: a million persons with their contacts,
vehicles and ten million timeline entries are generated in about a minute of CPU.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sputnik.core.demo import vocab
from sputnik.core.demo.pools import Name, NamePools, PhoneSequence, TimeFormat, make_vin
from sputnik.core.normalize import search_key

Row = tuple[Any, ...]
DAY = 86400.0
YEAR = 365.25 * DAY

STAGES = ("prospect", "customer", "repeat", "lost")
STAGE_WEIGHTS = (0.45, 0.30, 0.12, 0.13)
SOURCES = ("showroom", "call", "web_form", "event", "referral", "import", "other")
SOURCE_WEIGHTS = (0.30, 0.20, 0.25, 0.06, 0.07, 0.08, 0.04)
FAMILY = ("", "single", "married", "partner", "divorced", "widowed")
FAMILY_WEIGHTS = (0.30, 0.18, 0.38, 0.06, 0.06, 0.02)
OUTCOMES = ("answered", "no_answer", "busy", "voicemail", "callback", "wrong_number")
OUTCOME_WEIGHTS = (0.62, 0.16, 0.06, 0.06, 0.09, 0.01)


@dataclass
class Network:
    """Ids of what the ORM created first: centres, staff and vocabularies."""

    centre_ids: list[int]  # in vocab.CENTRES order
    owners: dict[int, list[int]]  # centre id -> users who own its customers
    actors: dict[int, list[int]]  # centre id -> users who write its timeline
    interest_ids: dict[str, int]
    tag_ids: dict[str, int]


@dataclass
class Chunk:
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())


class _Picker:
    """Weighted choice with one random() and a bisect (random.choices is 3x slower here)."""

    def __init__(self, values: tuple[Any, ...] | list[Any], weights: tuple[float, ...]) -> None:
        total = sum(weights)
        self.values = list(values)
        self.cumulative = [w / total for w in accumulate(weights)]

    def __call__(self, r: float) -> Any:
        return self.values[min(bisect(self.cumulative, r), len(self.values) - 1)]


class DemoGenerator:
    def __init__(
        self,
        *,
        seed: int,
        network: Network,
        time_suffix: str,
        interactions_per_person: float,
        heavy_person_ids: set[int],
        heavy_entries: int = 1000,
        id_start: dict[str, int] | None = None,
        now: float | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.pools = NamePools.build(seed)
        self.phones = PhoneSequence(random.Random(seed + 7))
        self.net = network
        self.fmt = TimeFormat(time_suffix)
        self.mean = max(interactions_per_person, 0.0)
        self.heavy = heavy_person_ids
        self.heavy_entries = heavy_entries
        self.now = now if now is not None else time.time()
        self.next_id: dict[str, int] = defaultdict(int, id_start or {})
        self.pick_centre = _Picker(
            list(range(len(vocab.CENTRES))), tuple(c.share for c in vocab.CENTRES)
        )
        self.pick_stage = _Picker(STAGES, STAGE_WEIGHTS)
        self.pick_source = _Picker(SOURCES, SOURCE_WEIGHTS)
        self.pick_family = _Picker(FAMILY, FAMILY_WEIGHTS)
        self.pick_outcome = _Picker(OUTCOMES, OUTCOME_WEIGHTS)
        self.company_ids: list[int] = []
        self.interest_ids = list(network.interest_ids.values())
        self.tag_ids = list(network.tag_ids.values())
        self.cars = [f"{make} {model}" for make, model, *_ in vocab.CARS]
        self.notes = [
            (subject, body.format(car=car))
            for subject, body in vocab.NOTE_TEXTS
            for car in self.cars
        ]
        self.call_notes = [text.format(car=car) for text in vocab.CALL_TEXTS for car in self.cars]
        self.customs = self._custom_pool()
        self._pending_spouse: int | None = None

    # --- helpers -----------------------------------------------------------
    def _id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def _custom_pool(self) -> list[str]:
        rng = random.Random(11)
        pool = ["{}"] * 40
        for _ in range(160):
            data: dict[str, Any] = {}
            if rng.random() < 0.6:
                data["preferred_contact_time"] = rng.choice(["утро", "день", "вечер", "выходные"])
            if rng.random() < 0.5:
                data["budget"] = str(rng.randrange(8, 80) * 50000)
            if rng.random() < 0.7:
                data["has_driving_licence"] = rng.random() < 0.93
            pool.append(json.dumps(data, ensure_ascii=False))
        return pool

    def _email(self, name: Name) -> str:
        r = self.rng.random
        domain = vocab.EMAIL_DOMAINS[int(r() * len(vocab.EMAIL_DOMAINS))]
        return f"{name.email_local}{int(r() * 10000)}@{domain}"

    def _plate(self, spec: vocab.CentreSpec) -> str:
        r = self.rng.random
        letters = vocab.PLATE_LETTERS
        n = len(letters)
        return (
            f"{letters[int(r() * n)]}{int(r() * 900) + 100}{letters[int(r() * n)]}"
            f"{letters[int(r() * n)]}{spec.plate_regions[int(r() * len(spec.plate_regions))]}"
        )

    # --- companies ---------------------------------------------------------
    def companies(self, count: int) -> Chunk:
        chunk = Chunk()
        r = self.rng.random
        ts = self.fmt.ts
        names = self.pools.company_names
        for i in range(count):
            cid = self._id("company")
            self.company_ids.append(cid)
            ci = self.pick_centre(r() * 0.74)  # showrooms hold the corporate accounts
            centre_id = self.net.centre_ids[ci]
            owners = self.net.owners[centre_id]
            name = names[i % len(names)]
            if i >= len(names):
                name = f"{name} ({vocab.CENTRES[ci].city}, {i // len(names) + 1})"
            created = self.now - r() * 6 * YEAR
            chunk.rows["company"].append(
                (
                    cid,
                    centre_id,
                    owners[int(r() * len(owners))] if owners else None,
                    "import" if r() < 0.5 else "call",
                    "",
                    "",
                    "",
                    "",
                    json.dumps({"fleet_size": int(r() * 120) + 2}),
                    search_key(name),
                    ts(created),
                    ts(created),
                    None,
                    name,
                    _inn(self.rng),
                    vocab.INDUSTRIES[int(r() * 8)],
                    "",
                )
            )
            chunk.rows["contact"].append(
                (self._id("contact"), None, cid, "phone", self.phones.next(), "офис", True)
            )
            chunk.rows["contact"].append(
                (
                    self._id("contact"),
                    None,
                    cid,
                    "email",
                    f"info{cid}@{_domain(name, cid)}",
                    "",
                    True,
                )
            )
        return chunk

    # --- persons -----------------------------------------------------------
    def persons(self, count: int, *, story: bool = False) -> Chunk:
        chunk = Chunk()
        if story:
            self._story(chunk)
            count = max(count - 2, 0)
        for _ in range(count):
            self._person(chunk)
        return chunk

    def _person(
        self,
        chunk: Chunk,
        *,
        centre_index: int | None = None,
        name: Name | None = None,
        stage: str | None = None,
        interests: list[str] | None = None,
        phone: str | None = None,
        wishes: str | None = None,
        car: tuple[Any, ...] | None = None,
        bought_years_ago: float | None = None,
        owner_id: int | None = None,
    ) -> int:
        r = self.rng.random
        fmt = self.fmt
        rows = chunk.rows
        pid = self._id("person")
        ci = self.pick_centre(r()) if centre_index is None else centre_index
        spec = vocab.CENTRES[ci]
        centre_id = self.net.centre_ids[ci]
        owners = self.net.owners[centre_id]
        owner = owner_id
        if owner is None and owners and r() < 0.93:
            owner = owners[int(r() * len(owners))]
        if name is None:
            pool = self.pools.english if r() < 0.08 else self.pools.russian
            name = pool[int(r() * len(pool))]
        stage = stage or self.pick_stage(r())
        source = self.pick_source(r())
        utm_source = utm_medium = utm_campaign = campaign = ""
        if source == "web_form" or (source == "other" and r() < 0.3):
            utm_source = vocab.UTM_SOURCES[int(r() * len(vocab.UTM_SOURCES))]
            utm_medium = vocab.UTM_MEDIUMS[int(r() * len(vocab.UTM_MEDIUMS))]
            utm_campaign = vocab.UTM_CAMPAIGNS[int(r() * len(vocab.UTM_CAMPAIGNS))]
        elif source == "event":
            campaign = vocab.CAMPAIGNS[int(r() * len(vocab.CAMPAIGNS))]
        # More customers arrived recently than six years ago.
        created = self.now - (r() ** 1.6) * 6 * YEAR - 3600
        if bought_years_ago is not None:
            created = min(created, self.now - (bought_years_ago + 0.3) * YEAR)
        family = self.pick_family(r())
        birthday = fmt.date(self.now - (18 + r() * 55) * YEAR) if r() < 0.8 else None
        employer = None
        if self.company_ids and r() < 0.06:
            employer = self.company_ids[int(r() * len(self.company_ids))]
            rows["company_role"].append(
                (self._id("company_role"), pid, employer, vocab.COMPANY_ROLES[int(r() * 6)])
            )
        job = vocab.JOB_TITLES[int(r() * len(vocab.JOB_TITLES))] if r() < 0.4 else ""
        if wishes is None:
            wishes = vocab.WISHES[int(r() * len(vocab.WISHES))] if r() < 0.25 else ""
        rows["person"].append(
            (
                pid,
                centre_id,
                owner,
                source,
                campaign,
                utm_source,
                utm_medium,
                utm_campaign,
                self.customs[int(r() * len(self.customs))],
                name.search,
                fmt.ts(created),
                fmt.ts(created + r() * (self.now - created)),
                owner,
                name.last,
                name.first,
                name.middle,
                stage,
                birthday,
                family,
                job,
                employer,
                wishes,
                r() < 0.02,
            )
        )

        # contacts: 1-3 phones, e-mail for most
        n_phones = 1 if phone else (1 if r() < 0.7 else (2 if r() < 0.73 else 3))
        for k in range(n_phones):
            value = phone if (phone and k == 0) else self.phones.next()
            rows["contact"].append(
                (
                    self._id("contact"),
                    pid,
                    None,
                    "phone",
                    value,
                    ("мобильный", "рабочий", "домашний")[k],
                    k == 0,
                )
            )
        if r() < 0.6:
            rows["contact"].append(
                (self._id("contact"), pid, None, "email", self._email(name), "", True)
            )
        if r() < 0.15:
            rows["contact"].append(
                (
                    self._id("contact"),
                    pid,
                    None,
                    "messenger",
                    "@" + name.email_local.replace(".", "_"),
                    "Telegram",
                    False,
                )
            )
        if r() < 0.3:
            rows["address"].append(
                (
                    self._id("address"),
                    pid,
                    None,
                    "home",
                    "",
                    spec.region,
                    spec.city,
                    f"ул. Ленина, д. {int(r() * 120) + 1}, кв. {int(r() * 200) + 1}",
                )
            )
        if r() < 0.2:
            rows["important_date"].append(
                (
                    self._id("important_date"),
                    pid,
                    vocab.IMPORTANT_DATES[int(r() * len(vocab.IMPORTANT_DATES))],
                    fmt.date(self.now - r() * 20 * YEAR),
                    True,
                )
            )

        # interests and tags
        if interests is None:
            chosen = set()
            for _ in range(int(r() * 3.2)):
                chosen.add(self.interest_ids[int(r() * len(self.interest_ids))])
        else:
            chosen = {self.net.interest_ids[slug] for slug in interests}
        for interest_id in chosen:
            rows["person_interest"].append((self._id("person_interest"), pid, interest_id))
        if r() < 0.35:
            for tag_id in {
                self.tag_ids[int(r() * len(self.tag_ids))] for _ in range(1 + int(r() * 2))
            }:
                rows["person_tag"].append((self._id("person_tag"), pid, tag_id))

        # relations: married persons pair up with the next married one; some were referred
        if family == "married" and r() < 0.4:
            if self._pending_spouse is None:
                self._pending_spouse = pid
            else:
                rows["relation"].append(
                    (self._id("relation"), self._pending_spouse, pid, "spouse", "", fmt.ts(created))
                )
                self._pending_spouse = None
        if source == "referral" and pid > 1:
            referrer = max(1, int(r() * (pid - 1)) + 1)
            if referrer != pid:
                rows["relation"].append(
                    (self._id("relation"), pid, referrer, "referred_by", "", fmt.ts(created))
                )

        # vehicles of customers, stage history and the timeline
        stage_moments = self._stage_history(
            rows,
            pid,
            stage,
            created,
            owner,
            centre_id,
            None if bought_years_ago is None else self.now - bought_years_ago * YEAR,
        )
        if stage in ("customer", "repeat"):
            self._vehicle(rows, pid, spec, stage_moments[-1], car)
            if stage == "repeat":
                self._vehicle(
                    rows,
                    pid,
                    spec,
                    stage_moments[0] - r() * 3 * YEAR,
                    None,
                    disposed=stage_moments[-1],
                )
        self._timeline(rows, pid, centre_id, owner, created)
        return pid

    def _stage_history(
        self,
        rows: dict[str, list[Row]],
        pid: int,
        stage: str,
        created: float,
        owner: int | None,
        centre_id: int,
        last_moment: float | None = None,
    ) -> list[float]:
        if stage == "prospect":
            return [created]
        r = self.rng.random
        steps = {"customer": ["customer"], "lost": ["lost"], "repeat": ["customer", "repeat"]}[
            stage
        ]
        moments = []
        previous = "prospect"
        t = created
        for i, to_stage in enumerate(steps):
            t = t + r() * (self.now - t) * 0.6
            if last_moment is not None and i == len(steps) - 1:
                t = last_moment
            moments.append(t)
            at = self.fmt.ts(t)
            rows["stage_change"].append(
                (self._id("stage_change"), pid, previous, to_stage, at, owner, "")
            )
            rows["interaction"].append(
                (
                    self._id("interaction"),
                    pid,
                    None,
                    centre_id,
                    "stage_change",
                    at,
                    owner,
                    "",
                    "",
                    "",
                    "",
                    None,
                    f'{{"from": "{previous}", "to": "{to_stage}"}}',
                    at,
                )
            )
            previous = to_stage
        return moments

    def _vehicle(
        self,
        rows: dict[str, list[Row]],
        pid: int,
        spec: vocab.CentreSpec,
        bought: float,
        car: tuple[Any, ...] | None,
        disposed: float | None = None,
    ) -> None:
        r = self.rng.random
        make, model, wmi, vds, _pickup = car or vocab.CARS[int(r() * len(vocab.CARS))]
        bought_date = dt.date.fromtimestamp(bought)
        year = max(2010, min(bought_date.year - (0 if r() < 0.8 else int(r() * 4)), 2026))
        aid = self._id("asset")
        years_owned = (self.now - bought) / YEAR
        rows["asset"].append(
            (
                aid,
                pid,
                "vehicle",
                make,
                model,
                year,
                make_vin(wmi, vds, year, aid),
                self._plate(spec),
                self.fmt.date(bought),
                self.fmt.date(bought + 3 * YEAR),
                int(years_owned * (8000 + r() * 22000)),
                self.fmt.date(bought + r() * (self.now - bought)) if years_owned > 1 else None,
                self.fmt.date(disposed) if disposed else None,
            )
        )

    def _timeline(
        self,
        rows: dict[str, list[Row]],
        pid: int,
        centre_id: int,
        owner: int | None,
        created: float,
    ) -> None:
        r = self.rng.random
        ts = self.fmt.ts
        count = self.heavy_entries if pid in self.heavy else int(r() * (2 * self.mean + 1))
        if not count:
            return
        actors = self.net.actors[centre_id]
        span = self.now - created
        out = rows["interaction"]
        notes, call_notes = self.notes, self.call_notes
        n_notes, n_calls = len(notes), len(call_notes)
        for _ in range(count):
            actor = owner if (owner and r() < 0.7) else actors[int(r() * len(actors))]
            at = ts(created + r() * span)
            if r() < 0.5:
                subject, body = notes[int(r() * n_notes)]
                out.append(
                    (
                        self._id("interaction"),
                        pid,
                        None,
                        centre_id,
                        "note",
                        at,
                        actor,
                        subject,
                        body,
                        "",
                        "",
                        None,
                        "{}",
                        at,
                    )
                )
            else:
                outcome = self.pick_outcome(r())
                inbound = r() < 0.45
                out.append(
                    (
                        self._id("interaction"),
                        pid,
                        None,
                        centre_id,
                        "call",
                        at,
                        actor,
                        "Входящий звонок" if inbound else "Исходящий звонок",
                        call_notes[int(r() * n_calls)] if outcome == "answered" else "",
                        "in" if inbound else "out",
                        outcome,
                        int(20 + r() * 600) if outcome == "answered" else 0,
                        "{}",
                        at,
                    )
                )

    # --- the demo story ----------------------------------------------------
    def _story(self, chunk: Chunk) -> None:
        """Two customers the demo walk-through opens (see the command's summary)."""
        south = next(i for i, c in enumerate(vocab.CENTRES) if c.key == "south")
        north = next(i for i, c in enumerate(vocab.CENTRES) if c.key == "north")
        prospect = Name(
            "Кузнецов",
            "Андрей",
            "Викторович",
            True,
            search_key("Кузнецов", "Андрей", "Викторович"),
            "andrey.kuznetsov",
        )
        self._person(
            chunk,
            centre_index=south,
            name=prospect,
            stage="prospect",
            interests=["pickups", "off-road", "hunting"],
            phone=STORY_PROSPECT_PHONE,
            wishes="Ищет пикап для охоты и бездорожья: Toyota Hilux или Haval Poer, "
            "бюджет до 4 млн, готов к трейд-ину",
        )
        customer = Name(
            "Смирнов",
            "Олег",
            "Петрович",
            True,
            search_key("Смирнов", "Олег", "Петрович"),
            "oleg.smirnov",
        )
        prado = next(c for c in vocab.CARS if c[1] == "Land Cruiser Prado")
        self._person(
            chunk,
            centre_index=north,
            name=customer,
            stage="customer",
            interests=["fishing", "hunting", "travel"],
            phone=STORY_CUSTOMER_PHONE,
            wishes="Каждое лето ездит на рыбалку в Карелию; думает о прицепе для лодки",
            car=prado,
            bought_years_ago=3.0,
        )


STORY_PROSPECT_PHONE = "+79184567312"
STORY_CUSTOMER_PHONE = "+79167452381"


def _inn(rng: random.Random) -> str:
    """A 10-digit legal-entity INN with a valid check digit."""
    digits = [rng.randrange(10) for _ in range(9)]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def _domain(name: str, cid: int) -> str:
    from sputnik.core.demo.pools import translit

    core = translit(name.split("«")[-1].split("»")[0]) or f"company{cid}"
    return f"{core[:30].strip('-') or 'company'}.ru"
