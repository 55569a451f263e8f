"""Documents' reactions to other apps' domain events.

A merge of two person records (parties' ``person.merged``, see
sputnik/parties/services/merge.py for the contract) gives the merged record's files to
the survivor inside the merge's transaction, so the merge commits or rolls back whole.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sputnik.core.audit import audit_record
from sputnik.core.events import subscribe
from sputnik.core.models import User
from sputnik.documents.models import Document


@transaction.atomic
def documents_move_to_person(*, actor: User | None, from_person_id: int, to_person_id: int) -> int:
    """Give every document of one person to another; each move is audited on the survivor.

    The stored file stays where it is (content-addressed, and reached only through the
    person it belongs to), and the grants a signed form proves moved with the merge, so
    only the owner changes. Returns how many moved; nothing to move is not an error.
    """
    documents = list(
        Document.objects.select_for_update().filter(person_id=from_person_id).order_by("pk")
    )
    if not documents:
        return 0
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(person_id=to_person_id)
    for document in documents:
        audit_record(
            actor=actor,
            action="update",
            instance=document,
            person_id=to_person_id,
            before={"person": from_person_id},
            after={"person": to_person_id},
            summary=document.name,
        )
    return len(documents)


@subscribe("person.merged")
def on_person_merged(*, survivor_id: int, merged_id: int, actor: Any = None, **_: Any) -> None:
    documents_move_to_person(actor=actor, from_person_id=merged_id, to_person_id=survivor_id)
