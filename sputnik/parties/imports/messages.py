"""Every message an import can report, by code.

Problems are stored as a code and parameters (ImportRowError, ImportBatch.failure) and
translated when shown, so the error report comes out in the language of whoever reads it.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    # --- the file as a whole -------------------------------------------------------
    "file_too_large": _(
        "The file is larger than %(limit)s MB. Split it into smaller files, or ask an "
        "administrator to run the import on the server with `sputnik import`."
    ),
    "file_empty": _("The file is empty."),
    "file_type": _(
        "This is not a CSV or XLSX file. Save the table as CSV (UTF-8 or Windows-1251) "
        "or as an Excel workbook (.xlsx)."
    ),
    "file_xls": _("Old Excel files (.xls) are not supported. Save the table as .xlsx or CSV."),
    "file_macros": _("Workbooks with macros (.xlsm) are refused. Save the table as .xlsx or CSV."),
    "file_zip_bomb": _("The workbook unpacks to an unreasonable size and was refused."),
    "file_binary": _(
        "The file is not text in an encoding we can read (it contains binary data). Save "
        "it as CSV in UTF-8 or Windows-1251."
    ),
    "file_encoding": _(
        "The file stops being valid %(encoding)s at row %(row)s. Choose the file's "
        "encoding on the mapping page, or save it again as CSV in UTF-8."
    ),
    "file_broken_csv": _(
        "The file cannot be read past row %(row)s: %(detail)s. Check the quotes in that row."
    ),
    "file_no_header": _("The first row must name the columns; it is empty."),
    "file_too_many_rows": _("The file has more than %(limit)s rows; split it into smaller files."),
    "file_unreadable_xlsx": _("The workbook cannot be read: %(detail)s"),
    "file_changed": _("The stored file changed after it was uploaded; upload it again."),
    "missing_required": _("Map a column to %(fields)s: it is required."),
    "no_columns_mapped": _("Map at least one column."),
    "column_mapped_twice": _("“%(field)s” is mapped from more than one column."),
    "placement_not_allowed": _(
        "Your role may not place records in other centres or with other owners; "
        "leave the “%(field)s” column unmapped."
    ),
    "bad_rows_write_nothing": _(
        "%(count)s rows have errors and you chose to write nothing if any row is bad. "
        "Nothing was written."
    ),
    "interrupted": _(
        "The import was interrupted too often and was rolled back; nothing of it remains."
    ),
    "no_centre": _(
        "Your account belongs to no centre; map a centre column or ask an administrator."
    ),
    # --- formula cells ---------------------------------------------------------
    "formula_cells": _(
        "%(count)s cells hold formulas (first: %(cells)s). Their last saved values were "
        "imported; formulas are never recalculated."
    ),
    # --- rows and cells ----------------------------------------------------------
    "row_too_long": _("The row has %(found)s values but the header has %(expected)s columns."),
    "required": _("This field is required."),
    "name_required": _("Enter a last name or a first name."),
    "too_long": _("At most %(n)s characters."),
    "phone_invalid": _("“%(value)s” is not a phone number."),
    "email_invalid": _("“%(value)s” is not an e-mail address."),
    "date_invalid": _("“%(value)s” is not a date (use DD.MM.YYYY)."),
    "date_future": _("The date cannot be in the future."),
    "date_unrealistic": _("“%(value)s” is not a realistic date."),
    "choice_invalid": _("“%(value)s” is not one of: %(choices)s."),
    "bool_invalid": _("“%(value)s” is not yes or no."),
    "inn_invalid": _("“%(value)s” is not a valid INN."),
    "url_invalid": _("“%(value)s” is not a web address."),
    "centre_unknown": _("There is no active centre “%(value)s”."),
    "owner_unknown": _("There is no active user “%(value)s” in this centre."),
    "custom_invalid": _("%(message)s"),
    "formula_value": _("The cell holds a formula; its saved value “%(value)s” was used."),
    # --- outcomes reported per row (notes, not errors) ---------------------------
    "duplicate_in_file": _("The same record as row %(row)s of this file; skipped."),
    "duplicate_in_file_earlier": _("The same record as an earlier row of this file; skipped."),
    "duplicate_skipped": _("Matches an existing record by %(by)s; skipped."),
    "owned_elsewhere": _(
        "Matches a record you may not see or change by %(by)s; skipped (owned elsewhere)."
    ),
}

MATCHED_BY: dict[str, Promise] = {
    "external_id": _("external id"),
    "phone": _("phone"),
    "email": _("e-mail"),
    "inn": _("INN"),
}


def render(code: str, params: dict[str, Any] | None = None) -> str:
    """The message for `code` in the active language, with its parameters filled in."""
    params = dict(params or {})
    if "by" in params:
        params["by"] = str(MATCHED_BY.get(str(params["by"]), params["by"]))
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
