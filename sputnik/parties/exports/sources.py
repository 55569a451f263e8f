"""What an export reads: the list's visibility-scoped queryset and its record chunks.

The same for a download streamed in the request and for a job built in the background
(where the filter comes back from the Export row as plain data).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.documents.models import Export
from sputnik.parties import selectors
from sputnik.parties.exports.columns import (
    COMPANY_COLUMNS,
    PERSON_COLUMNS,
    Column,
    Record,
    company_records,
    person_records,
)
from sputnik.parties.selectors import PersonFilters


@dataclass
class ExportSource:
    queryset: QuerySet[Any]
    columns: list[Column]
    chunks: Iterator[list[Record]]
    sheet_name: str


def person_filters(data: dict[str, Any]) -> PersonFilters:
    """PersonFilters from their logged form; unknown keys are ignored."""
    known = {f for f in PersonFilters.__dataclass_fields__}
    return PersonFilters(**{k: v for k, v in data.items() if k in known})


def export_source(
    *, actor: User, entity: str, fmt: str, filters: dict[str, Any], chunk_size: int
) -> ExportSource:
    if entity == Export.Entity.COMPANIES:
        qs: QuerySet[Any] = selectors.filtered_companies(
            actor=actor, q=str(filters.get("q") or ""), centre_id=filters.get("centre_id")
        )
        return ExportSource(
            qs, COMPANY_COLUMNS, company_records(qs, chunk_size=chunk_size), _("Companies")
        )
    qs = selectors.filtered_persons(actor=actor, filters=person_filters(filters))
    vcard = fmt == Export.Format.VCARD

    def employers(ids: set[int]) -> dict[int, str]:
        # Only companies the actor may see: a hidden employer's name is another centre's data.
        return dict(selectors.visible_companies(actor).filter(pk__in=ids).values_list("pk", "name"))

    chunks = person_records(
        qs,
        chunk_size=chunk_size,
        with_addresses=vcard,
        visible_employers=employers if vcard else None,
    )
    return ExportSource(qs, PERSON_COLUMNS, chunks, _("Persons"))
