"""The duplicate check on entry: the one function the form, the API and imports call.

`probable_duplicates(actor=..., data=...)` takes what is about to be saved (the same
mapping `person_create` takes) and returns the existing persons it probably duplicates:
exact phone or e-mail matches, and names that match through typos, transliteration and
swapped first/last names (found through the PersonNameKey index, then judged by the same
rule as the batch run).

Visibility: a person the actor may see comes with name, centre and link. A person the
actor may not see is never named; only an exact phone or e-mail match is reported, as
"this phone belongs to a customer outside your access" — the actor typed the number, and
a prospect belongs to one centre at a time, so they must learn it is taken, not by whom.
A name-only likeness with a hidden person is not reported at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sputnik.core.models import User
from sputnik.core.normalize import try_normalize_email, try_normalize_phone
from sputnik.parties.dedup.keys import entry_keys
from sputnik.parties.dedup.match import NAME_ONLY_SHOW, NameRec, judge, name_likeness
from sputnik.parties.models import ContactPoint, Person, PersonNameKey

# How strongly a candidate suggests a duplicate.
LIKELY = "likely"  # the batch rule would link them: same contact or birth date and name
SAME_CONTACT = "contact"  # the phone or e-mail is already someone else's (a family member?)
SIMILAR_NAME = "name"  # a similar name only: worth a look, not a reason to refuse
BLOCKING_LEVELS = frozenset({LIKELY, SAME_CONTACT})
MAX_NAME_CANDIDATES = 300
MAX_RESULTS = 10


@dataclass
class Candidate:
    """A probable duplicate. For a hidden person, only `level`, `matched` and `hidden`."""

    level: str
    score: int
    matched: list[str] = field(default_factory=list)  # "phone:+7…", "email:…", "name", …
    hidden: bool = False
    person_id: int | None = None
    display_name: str = ""
    centre_name: str = ""
    owner_name: str = ""
    birthday: Any = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    @property
    def blocks(self) -> bool:
        return self.level in BLOCKING_LEVELS


def _values(items: Iterable[Any] | None) -> list[str]:
    out = []
    for item in items or []:
        value = item.get("value") if isinstance(item, Mapping) else item
        if value:
            out.append(str(value))
    return out


def _typed_contacts(data: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    phones = {p for p in map(try_normalize_phone, _values(data.get("phones"))) if p}
    emails = {e for e in map(try_normalize_email, _values(data.get("emails"))) if e}
    return phones, emails


def exact_contact_matches(
    *, phones: Iterable[str] = (), emails: Iterable[str] = ()
) -> dict[tuple[str, str], list[int]]:
    """{(kind, normalised value): [person ids]} for phones/e-mails already on file.

    Unscoped, for bulk callers (imports) that apply their own visibility; values must be
    normalised already. One query per 1,000 values.
    """
    wanted = [(ContactPoint.Kind.PHONE, p) for p in phones] + [
        (ContactPoint.Kind.EMAIL, e) for e in emails
    ]
    found: dict[tuple[str, str], list[int]] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        asked = set(chunk)
        values = {v for _k, v in chunk}
        rows = ContactPoint.objects.filter(
            value__in=values,
            kind__in={k for k, _v in chunk},
            person__isnull=False,
        ).values_list("kind", "value", "person_id")
        for kind, value, pk in rows:
            if (kind, value) in asked:
                found.setdefault((kind, value), []).append(pk)
    return found


def probable_duplicates(*, actor: User, data: Mapping[str, Any]) -> list[Candidate]:
    """Existing persons that `data` (a person about to be created) probably duplicates.

    `data` is the mapping person_create takes (last_name, first_name, middle_name,
    birthday, phones, emails; phones/e-mails as strings or {"value": …}); an optional
    `exclude_id` leaves out the person being edited. Best first, at most 10 visible ones
    plus one line per hidden matching contact.
    """
    from sputnik.parties.models import scope_filter

    last = str(data.get("last_name") or "")
    first = str(data.get("first_name") or "")
    middle = str(data.get("middle_name") or "")
    birthday = data.get("birthday")
    typed = NameRec.build(last, first, middle, birthday.isoformat() if birthday else "")
    phones, emails = _typed_contacts(data)
    exclude = data.get("exclude_id")

    contact_hits: dict[int, set[str]] = {}
    for (kind, value), pks in exact_contact_matches(phones=phones, emails=emails).items():
        for pk in pks:
            contact_hits.setdefault(pk, set()).add(f"{kind}:{value}")
    keys = entry_keys(last, first, middle)
    name_ids: set[int] = set()
    # Whole-name keys ("a:") first: a common name's four-letter key ("p:ivan|serg") holds
    # thousands of persons in a big base, the whole-name keys far fewer.
    for wanted in (
        sorted(k for k in keys if not k.startswith("p:")),
        sorted(k for k in keys if k.startswith("p:")),
    ):
        room = MAX_NAME_CANDIDATES - len(name_ids)
        if wanted and room > 0:
            name_ids |= set(
                PersonNameKey.objects.filter(key__in=wanted)
                .exclude(person_id__in=name_ids)
                .values_list("person_id", flat=True)
                .distinct()[:room]
            )
    ids = (set(contact_hits) | name_ids) - {exclude}
    if not ids or scope_filter(actor) is None:
        return []
    persons = {
        p.pk: p
        for p in Person.objects.filter(pk__in=ids)
        .select_related("centre", "owner")
        .prefetch_related("contacts")
    }
    visible = set(Person.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))

    results: list[Candidate] = []
    hidden_contacts: set[str] = set()
    for pk, person in persons.items():
        rec = NameRec.build(
            person.last_name,
            person.first_name,
            person.middle_name,
            person.birthday.isoformat() if person.birthday else "",
        )
        matched = sorted(contact_hits.get(pk, ()))
        shared_phone = any(m.startswith("phone:") for m in matched)
        shared_email = any(m.startswith("email:") for m in matched)
        score, reasons = judge(typed, rec, shared_phone=shared_phone, shared_email=shared_email)
        if score:
            level = LIKELY
        elif matched:
            level, score = SAME_CONTACT, 50
        else:
            likeness = name_likeness(typed, rec) if (typed.last or typed.first) else 0
            if likeness < NAME_ONLY_SHOW:
                continue
            level, score = SIMILAR_NAME, likeness // 2
        if pk not in visible:
            # Only what the actor typed is confirmed: the contact is taken. Never the name.
            hidden_contacts.update(matched)
            continue
        contacts = list(person.contacts.all())
        results.append(
            Candidate(
                level=level,
                score=score,
                matched=matched + [r for r in reasons if r not in ("phone", "email")],
                person_id=pk,
                display_name=person.display_name,
                centre_name=person.centre.name,
                owner_name=person.owner.display_name if person.owner else "",
                birthday=person.birthday,
                phones=[c.display for c in contacts if c.kind == ContactPoint.Kind.PHONE],
                emails=[c.value for c in contacts if c.kind == ContactPoint.Kind.EMAIL],
            )
        )
    order = {LIKELY: 0, SAME_CONTACT: 1, SIMILAR_NAME: 2}
    results.sort(key=lambda c: (order[c.level], -c.score, c.person_id or 0))
    results = results[:MAX_RESULTS]
    for contact in sorted(hidden_contacts):
        results.append(Candidate(level=SAME_CONTACT, score=50, matched=[contact], hidden=True))
    return results
