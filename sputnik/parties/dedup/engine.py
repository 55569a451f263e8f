"""The batch duplicate finder in memory: blocking, pairwise judging, clustering.

Blocking keeps the work near-linear: only records that share a phone, an e-mail or a birth
date are compared (a million persons give a few million candidate pairs instead of 5·10¹¹).
Pairs from contact blocks are judged first with their full evidence; pairs from birth-date
blocks that were not already judged follow. Accepted pairs are joined into clusters by
union-find. Nothing here touches the database: `job.py` loads and stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sputnik.parties.dedup.match import (
    MIDDLE_AGREE,
    NameRec,
    birthday_relation,
    judge,
    middle_agreement,
)

# A phone or e-mail shared by more records than this is a switchboard, a placeholder or a
# dealer's own number typed into the customer's field: it is no evidence of identity, and
# its block would cost n² comparisons.
MAX_CONTACT_BLOCK = 50
# Birth-date blocks are larger by nature (~35 persons a day per million); a date shared by
# far more (1900-01-01, 1970-01-01) is a placeholder.
MAX_BIRTHDAY_BLOCK = 400

Progress = Callable[[str, float], None]


@dataclass
class Population:
    """Records by position: ids[i] is the person id of recs[i]."""

    ids: list[int] = field(default_factory=list)
    recs: list[NameRec] = field(default_factory=list)
    centres: list[int] = field(default_factory=list)
    phones: dict[str, list[int]] = field(default_factory=dict)
    emails: dict[str, list[int]] = field(default_factory=dict)

    def add(self, pk: int, rec: NameRec, centre: int) -> int:
        self.ids.append(pk)
        self.recs.append(rec)
        self.centres.append(centre)
        return len(self.ids) - 1

    def add_contacts(self, index: dict[int, int], rows: Iterable[tuple[int, str, str]]) -> None:
        """(person id, kind, value) rows; persons not in `index` are ignored."""
        for pk, kind, value in rows:
            i = index.get(pk)
            if i is None:
                continue
            target = self.phones if kind == "phone" else self.emails
            target.setdefault(value, []).append(i)


@dataclass
class Found:
    pairs: list[tuple[int, int, int, str]]  # (index a, index b, score, reasons)
    stats: dict[str, int]


def _name_key(rec: NameRec) -> tuple[str, str]:
    return (rec.last, rec.first) if rec.last <= rec.first else (rec.first, rec.last)


def _block_pairs(members: Sequence[int]) -> Iterable[tuple[int, int]]:
    ordered = sorted(set(members))
    for x, a in enumerate(ordered):
        for b in ordered[x + 1 :]:
            yield a, b


def find_pairs(
    pop: Population,
    *,
    dismissed: set[tuple[int, int]] | None = None,
    progress: Progress | None = None,
) -> Found:
    """Judge every candidate pair the blocks propose; return the accepted ones."""
    dismissed = dismissed or set()
    ids, recs = pop.ids, pop.recs
    n = len(ids)
    stats = {"persons": n, "contact_pairs": 0, "birthday_pairs": 0, "skipped_blocks": 0}
    report = progress or (lambda step, share: None)

    # 1. Contact blocks: pair → which contacts it shares.
    shared: dict[int, int] = {}  # a * n + b → bit 1 phone, bit 2 e-mail
    for bit, groups in ((1, pop.phones), (2, pop.emails)):
        for members in groups.values():
            if len(members) < 2:
                continue
            if len(members) > MAX_CONTACT_BLOCK:
                stats["skipped_blocks"] += 1
                continue
            for a, b in _block_pairs(members):
                key = a * n + b
                shared[key] = shared.get(key, 0) | bit
    stats["contact_pairs"] = len(shared)
    report("contacts", 0.2)

    accepted: list[tuple[int, int, int, str]] = []

    def consider(a: int, b: int, flags: int, chance: float = 0.0) -> None:
        pa, pb = ids[a], ids[b]
        if (pa, pb) in dismissed or (pb, pa) in dismissed:
            return
        score, reasons = judge(
            recs[a],
            recs[b],
            shared_phone=bool(flags & 1),
            shared_email=bool(flags & 2),
            coincidence=chance,
        )
        if score:
            accepted.append((a, b, score, ",".join(reasons)))

    for key, flags in shared.items():
        consider(key // n, key % n, flags)
    report("contacts judged", 0.35)

    # 2. Birth-date blocks, split by grammatical gender (a man and a woman are never one
    # customer); unknown gender is compared with both.
    by_day: dict[tuple[str, int], list[int]] = {}
    for i, rec in enumerate(recs):
        if rec.birthday:
            by_day.setdefault((rec.birthday, rec.gender), []).append(i)
    days = {d for d, _g in by_day}
    # How common each name is (word order ignored), for the chance that two strangers of
    # that name share a birth date.
    names = Counter(_name_key(rec) for rec in recs if rec.birthday)
    # Adults' birth dates spread over some 20,000 days; a small base has seen fewer of them.
    spread = max(20_000, len(days))

    def coincidence(a: int, b: int) -> float:
        return max(names[_name_key(recs[a])], names[_name_key(recs[b])]) / spread

    done = 0
    for day in days:
        unknown = by_day.get((day, 0), [])
        for gender in (1, -1):
            members = by_day.get((day, gender), [])
            block = members + unknown if gender == 1 else members
            if len(block) < 2:
                continue
            if len(block) > MAX_BIRTHDAY_BLOCK:
                stats["skipped_blocks"] += 1
                continue
            for a, b in _block_pairs(block):
                stats["birthday_pairs"] += 1
                if a * n + b in shared:
                    continue
                consider(a, b, 0, coincidence(a, b))
        # Unknown-gender records among themselves were compared in the male pass.
        done += 1
        if done % 2000 == 0:
            report("birth dates", 0.35 + 0.6 * done / max(1, len(days)))
    stats["accepted_pairs"] = len(accepted)
    report("judged", 0.95)
    return Found(accepted, stats)


def clusters_of(
    recs: Sequence[NameRec], pairs: Iterable[tuple[int, int, int, str]]
) -> list[list[int]]:
    """Clusters from accepted pairs: union-find that refuses contradictory unions.

    Plain connected components chain people together: "Елена Дмитриевна" and "Елена
    Сергеевна" are never one person, yet both may match a third record without a
    patronymic. Pairs are joined best score first, and two components join only when no
    patronymic, birth date or gender of one contradicts the other's.
    """
    parent: dict[int, int] = {}
    traits: dict[int, tuple[set[str], set[str], int]] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def traits_of(r: int) -> tuple[set[str], set[str], int]:
        if r not in traits:
            rec = recs[r]
            traits[r] = (
                {rec.middle} if rec.middle else set(),
                {rec.birthday} if rec.birthday else set(),
                rec.gender,
            )
        return traits[r]

    def compatible(x: tuple[set[str], set[str], int], y: tuple[set[str], set[str], int]) -> bool:
        if x[2] and y[2] and x[2] != y[2]:
            return False
        if any(middle_agreement(m, n) < MIDDLE_AGREE for m in x[0] for n in y[0] if m != n):
            return False
        return all(birthday_relation(d, e) >= 0 for d in x[1] for e in y[1] if d != e)

    for a, b, _score, _reasons in sorted(pairs, key=lambda p: -p[2]):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        ta, tb = traits_of(ra), traits_of(rb)
        if not compatible(ta, tb):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        traits[keep] = (ta[0] | tb[0], ta[1] | tb[1], ta[2] or tb[2])
        traits.pop(gone, None)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def cluster_pairs(clusters: Iterable[list[int]], ids: Sequence[int]) -> set[tuple[int, int]]:
    """Every (smaller id, larger id) pair within the clusters: what a cluster asserts."""
    out: set[tuple[int, int]] = set()
    for members in clusters:
        pks = sorted(ids[i] for i in members)
        for x, a in enumerate(pks):
            for b in pks[x + 1 :]:
                out.add((a, b))
    return out
