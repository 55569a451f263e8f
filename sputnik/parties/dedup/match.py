"""The pairwise rule: are two person records one customer?

A pair needs evidence beyond the name (a shared phone, a shared e-mail or the same birth
date) and names that agree once transliteration, typos and swapped first/last names are
allowed for; a conflicting birth date, patronymic or grammatical gender vetoes it. Shared
family phones are the trap: spouses and children share surname and phone, so a phone alone
never links two different first names.

The thresholds were tuned on a held-out half of the labelled synthetic set
(`dedup.synthetic`); `tests/test_dedup_matching.py` measures precision and recall on the
other half.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from sputnik.parties.dedup.keys import (
    COMMON_FIRST_NAMES,
    gender_of,
    name_parts,
    patronymic_stem,
)

# Minimum first-name / last-name similarity (0–100) by the evidence the pair shares.
EMAIL_FIRST, EMAIL_LAST = 80, 70
PHONE_FIRST, PHONE_LAST = 85, 75
BIRTHDAY_FIRST, BIRTHDAY_LAST = 88, 85
# Two patronymics below this similarity are two fathers.
MIDDLE_AGREE = 75
# Names alone (no shared contact, no birth date) are shown on entry from this score.
NAME_ONLY_SHOW = 80


@dataclass(frozen=True, slots=True)
class NameRec:
    """The comparable part of a person: skeleton names, gender, ISO birth date or ""."""

    last: str
    first: str
    middle: str
    gender: int
    birthday: str

    @classmethod
    def build(cls, last: str, first: str, middle: str, birthday: object) -> NameRec:
        sl, sf, sm = name_parts(last or "", first or "", middle or "")
        return cls(sl, sf, sm, gender_of(sl, sf, sm), str(birthday) if birthday else "")


def birthday_relation(a: str, b: str) -> int:
    """1 same date, 0 unknown or a one-digit slip (typo, day/month swapped), -1 different."""
    if not a or not b:
        return 0
    if a == b:
        return 1
    if Levenshtein.distance(a, b) <= 1:
        return 0
    # 1985-04-12 typed as 1985-12-04
    if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return 0
    return -1


def middle_agreement(a: str, b: str) -> float:
    """Similarity of two patronymics by their fathers' names: "Егорович" and "Олегович"
    share "-ович" and would look 78% alike as whole words."""
    return ratio(patronymic_stem(a), patronymic_stem(b))


def two_known_names(a: str, b: str) -> bool:
    """Two different real first names: two people, whatever their edit distance."""
    return a != b and a in COMMON_FIRST_NAMES and b in COMMON_FIRST_NAMES


def _father_and_son(a: NameRec, b: NameRec) -> bool:
    """One first name, and one record's patronymic is made from it: "Николай" and
    "Николай Николаевич" on one home phone are a father and his son."""
    if a.first != b.first or len(a.first) < 3 or bool(a.middle) == bool(b.middle):
        return False
    middle = a.middle or b.middle
    return middle.startswith(a.first[:-1])


def name_scores(a: NameRec, b: NameRec) -> tuple[float, float, bool]:
    """(last similarity, first similarity, swapped) in the orientation that fits best."""
    if not a.first or not b.first:
        # One name part only: compare the whole names, word order ignored.
        whole_a = " ".join(sorted(f"{a.last} {a.first}".split()))
        whole_b = " ".join(sorted(f"{b.last} {b.first}".split()))
        s = ratio(whole_a, whole_b)
        return s, s, False
    direct_l, direct_f = ratio(a.last, b.last), ratio(a.first, b.first)
    if direct_l >= 90 and direct_f >= 90:
        return direct_l, direct_f, False
    swap_l, swap_f = ratio(a.last, b.first), ratio(a.first, b.last)
    if min(swap_l, swap_f) > min(direct_l, direct_f):
        return swap_l, swap_f, True
    return direct_l, direct_f, False


# A birth date alone links two records only when strangers sharing the name and the date
# are not to be expected: with n persons of that name spread over d birth dates, n / d
# namesakes share any one date (term-frequency adjustment, as Splink does).
MAX_BIRTHDAY_COINCIDENCE = 0.05


def judge(
    a: NameRec,
    b: NameRec,
    *,
    shared_phone: bool,
    shared_email: bool,
    coincidence: float = 0.0,
) -> tuple[int, list[str]]:
    """Score 0–100 (0: not the same customer) and the reasons that support it.

    `coincidence`: how many namesakes of these two share a birth date by chance in the
    population searched (0 when unknown, as on entry).
    """
    if a.gender and b.gender and a.gender != b.gender:
        return 0, []
    born = birthday_relation(a.birthday, b.birthday)
    if born < 0:
        return 0, []
    if a.middle and b.middle and middle_agreement(a.middle, b.middle) < MIDDLE_AGREE:
        return 0, []
    last, first, swapped = name_scores(a, b)
    if two_known_names(a.first, b.last if swapped else b.first):
        return 0, []
    reasons: list[str] = []
    ok = False
    if a.middle and b.middle and middle_agreement(a.middle, b.middle) >= 90:
        # One father's name agreed on: a slip in a short first name ("Еленг") is forgiven.
        first = min(100.0, first + 10)
        reasons.append("middle")
    if shared_email and first >= EMAIL_FIRST and last >= EMAIL_LAST:
        ok = True
        reasons.append("email")
    family_phone = born <= 0 and not shared_email and _father_and_son(a, b)
    if shared_phone and first >= PHONE_FIRST and last >= PHONE_LAST and not family_phone:
        ok = True
        reasons.append("phone")
    if born > 0:
        rare_enough = coincidence < MAX_BIRTHDAY_COINCIDENCE or "middle" in reasons
        if first >= BIRTHDAY_FIRST and last >= BIRTHDAY_LAST and (ok or rare_enough):
            ok = True
        if ok:
            reasons.append("birthday")
    if not ok:
        return 0, []
    if swapped:
        reasons.append("swapped")
    reasons.append("name")
    score = 0.5 * (first + last) - 8 + 4 * len(reasons)
    return max(1, min(100, round(score))), reasons


def name_likeness(a: NameRec, b: NameRec) -> int:
    """How alike two names are (0–100) with no other evidence; vetoes still apply."""
    if a.gender and b.gender and a.gender != b.gender:
        return 0
    if birthday_relation(a.birthday, b.birthday) < 0:
        return 0
    if a.middle and b.middle and middle_agreement(a.middle, b.middle) < MIDDLE_AGREE:
        return 0
    last, first, swapped = name_scores(a, b)
    if two_known_names(a.first, b.last if swapped else b.first):
        return 0
    return round(min(last, first))
