"""vCard: persons out as vCard 4.0 (RFC 6350), and cards in (3.0, 4.0, phones' 2.1).

writer.py  person records → vCard 4.0 text (hand-written: it is a few lines of format,
           and it runs for a million persons in one export; tests read it with vobject)
reader.py  a file → parsed cards or per-card errors (vobject does the parsing)
importer.py the import service: persons through person_create, duplicates skipped
"""

from __future__ import annotations

from sputnik.parties.vcard.importer import CardOutcome, VCardImportReport, vcard_import
from sputnik.parties.vcard.reader import MAX_VCARD_BYTES, ParsedCard, VCardFileError, read_vcards
from sputnik.parties.vcard.writer import person_vcard, vcard_stream

__all__ = [
    "MAX_VCARD_BYTES",
    "CardOutcome",
    "ParsedCard",
    "VCardFileError",
    "VCardImportReport",
    "person_vcard",
    "read_vcards",
    "vcard_import",
    "vcard_stream",
]
