"""The duplicate check over the API: POST /persons/duplicates, and the 409 on create.

Creating a person (POST /persons) whose phone or e-mail is already on file, or whose
name and birth date/contact match an existing person, answers 409 with the candidates
instead of creating a duplicate; repeat the request with `?allow_duplicate=true` to
create it anyway. Similar names alone do not block (two people may share a name); they
are listed by POST /persons/duplicates. Candidates the caller may not see come without
name or id: only the contact they sent is confirmed as taken (`hidden: true`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from sputnik.core.api import ERRORS, InSchema, Str100, actor_of
from sputnik.parties.api._router import router
from sputnik.parties.api.schemas import Contacts, _data
from sputnik.parties.dedup.entry import Candidate, probable_duplicates


class DuplicateCheckIn(InSchema):
    last_name: Str100 = ""
    first_name: Str100 = ""
    middle_name: Str100 = ""
    birthday: dt.date | None = None
    phones: Contacts | None = None
    emails: Contacts | None = None


class CandidatePersonOut(Schema):
    id: int
    display_name: str
    centre: str
    owner: str
    birthday: dt.date | None
    phones: list[str]
    emails: list[str]


class DuplicateCandidateOut(Schema):
    level: Literal["likely", "contact", "name"] = Field(
        description="likely: probably the same person; contact: the phone or e-mail is "
        "already someone's; name: a similar name only"
    )
    score: int = Field(description="0–100")
    matched: list[str] = Field(description='What matched: "phone:+7…", "email:…", "birthday"…')
    hidden: bool = Field(description="A person you may not see: no name or id is given")
    person: CandidatePersonOut | None


class DuplicateConflictOut(Schema):
    detail: str
    candidates: list[DuplicateCandidateOut]


def candidate_out(c: Candidate) -> dict[str, Any]:
    person = None
    if not c.hidden:
        person = {
            "id": c.person_id,
            "display_name": c.display_name,
            "centre": c.centre_name,
            "owner": c.owner_name,
            "birthday": c.birthday,
            "phones": c.phones,
            "emails": c.emails,
        }
    return {
        "level": c.level,
        "score": c.score,
        "matched": c.matched,
        "hidden": c.hidden,
        "person": person,
    }


def duplicate_conflict(actor: Any, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The 409 body when `data` would create a probable duplicate, else None."""
    candidates = probable_duplicates(actor=actor, data=data)
    if not any(c.blocks for c in candidates):
        return None
    return {
        "detail": "Probable duplicates exist; repeat with allow_duplicate=true to create anyway.",
        "candidates": [candidate_out(c) for c in candidates],
    }


@router.post(
    "/persons/duplicates",
    response={200: list[DuplicateCandidateOut], **ERRORS},
    summary="Find probable duplicates of a person before creating it",
    operation_id="sputnik_parties_api_find_duplicates",
)
def find_duplicates(request: HttpRequest, payload: DuplicateCheckIn) -> list[dict[str, Any]]:
    """Exact phone/e-mail matches and fuzzy name matches (typos, Cyrillic↔Latin
    transliteration, swapped first/last names), best first. Persons you may not see are
    reported only when the phone or e-mail you sent is theirs, without name or id."""
    data = _data(payload)
    return [candidate_out(c) for c in probable_duplicates(actor=actor_of(request), data=data)]


__all__ = ["DuplicateConflictOut", "duplicate_conflict", "find_duplicates"]
