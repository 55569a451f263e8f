"""Document numbers per centre, kind and year, without gaps or duplicates.

`next_number` must run inside the transaction that stores the document: it locks the
centre's counter row (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers
anyway), so two concurrent quotes of one centre wait for each other, and a rolled-back
quote gives its number back. A year's first document creates the row with a conflict-
ignoring insert, so two first quotes racing for the row do not fail.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from sputnik.core.models import Centre
from sputnik.sales.models import NumberPrefix, NumberSequence

_LETTERS = re.compile(r"[^A-Za-zА-Яа-яЁё]")

# How each kind reads: quotes "МСК-2026-00042", orders "ЗК-МСК-2026-00042" (заказ клиента;
# the letters lead so a "З" is never read as a "3" beside digits).
_FORMATS = {
    NumberSequence.Kind.QUOTE: "{prefix}-{year}-{n:05d}",
    NumberSequence.Kind.ORDER: "ЗК-{prefix}-{year}-{n:05d}",
}


def centre_prefix(centre: Centre) -> str:
    """The centre's prefix; on first use three letters of its city (or name), made unique."""
    existing = NumberPrefix.objects.filter(centre=centre).values_list("prefix", flat=True).first()
    if existing:
        return existing
    letters = _LETTERS.sub("", centre.city or "") or _LETTERS.sub("", centre.name or "") or "C"
    base = letters[:3].upper()
    candidates = [base, f"{base}{centre.pk}"]
    for candidate in candidates:
        try:
            with transaction.atomic():
                NumberPrefix.objects.create(centre=centre, prefix=candidate)
            return candidate
        except IntegrityError:
            # Taken by another centre, or this centre's row was created concurrently.
            mine = NumberPrefix.objects.filter(centre=centre).values_list("prefix", flat=True)
            if mine.first():
                return str(mine.first())
    raise IntegrityError("no free number prefix")  # pragma: no cover - base+pk is unique


def next_number(*, centre: Centre, kind: str) -> str:
    """Take the next number of `kind` for `centre` this year (call inside the document's transaction)."""
    assert transaction.get_connection().in_atomic_block, "numbers are taken inside a transaction"
    year = timezone.localdate().year
    prefix = centre_prefix(centre)
    NumberSequence.objects.bulk_create(
        [NumberSequence(centre=centre, kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(centre=centre, kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return _FORMATS[NumberSequence.Kind(kind)].format(prefix=prefix, year=year, n=sequence.last)
