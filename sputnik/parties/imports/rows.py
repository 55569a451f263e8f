"""One file row → the values a record would be stored with, or the row's problems.

A RowCleaner is built once per pass from the mapping: one small function per mapped
column, so a million rows cost a loop over their cells and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sputnik.core import custom_fields
from sputnik.core.models import Centre, User
from sputnik.core.roles import Right, Scope
from sputnik.parties.imports import values as v
from sputnik.parties.imports.fields import REQUIRED, Target, fold_header, targets


@dataclass
class CleanRow:
    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    centre_id: int | None = None
    owner_id: int | None = None
    owner_set: bool = False
    # (column header, code, params)
    errors: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    notes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def keys(self, entity: str) -> list[tuple[str, str]]:
        """What identifies the record, in matching order: external id, INN, phones, e-mails."""
        keys: list[tuple[str, str]] = []
        if self.fields.get("external_id"):
            keys.append(("external_id", self.fields["external_id"]))
        if entity == "company" and self.fields.get("inn"):
            keys.append(("inn", self.fields["inn"]))
        keys += [("phone", p) for p in self.phones]
        keys += [("email", e) for e in self.emails]
        return keys


Handler = Callable[[CleanRow, Any], None]


def may_place(actor: User) -> bool:
    """Only roles that route work may choose another centre or owner (as in person_create)."""
    return actor.has_right(Right.PARTY_TRANSFER) or actor.scope == Scope.ALL


class Placement:
    """Centres and users by the names a file may use, loaded once per pass."""

    def __init__(self) -> None:
        self.centres: dict[str, int] = {}
        for c in Centre.objects.filter(is_active=True):
            self.centres[fold_header(c.name)] = c.pk
            self.centres[str(c.pk)] = c.pk
        self.users: dict[str, tuple[int, int | None]] = {}
        for u in User.objects.filter(is_active=True).only("pk", "username", "centre_id", "email"):
            self.users[u.username.casefold()] = (u.pk, u.centre_id)
            if u.email:
                self.users.setdefault(u.email.casefold(), (u.pk, u.centre_id))


class RowCleaner:
    def __init__(
        self,
        *,
        entity: str,
        headers: list[str],
        mapping: dict[str, str],
        actor: User,
        formula_cells: set[tuple[int, int]] | None = None,
    ) -> None:
        self.entity = entity
        self.headers = headers
        self.actor = actor
        known = targets(entity)
        self.columns: list[tuple[int, str, Handler]] = []
        self.placement: Placement | None = None
        self.custom_defs = {d.key: d for d in custom_fields.definitions(entity)}
        for index_text, key in sorted(mapping.items(), key=lambda kv: int(kv[0])):
            target = known.get(key)
            if target is None or not index_text.isdigit():
                continue
            index = int(index_text)
            header = headers[index] if index < len(headers) else f"#{index + 1}"
            self.columns.append((index, header, self._handler(target)))
        if any(known[k].placement for k in mapping.values() if k in known):
            self.placement = Placement()  # loaded here: cleaning itself never queries
        self.width = len(headers)
        self.formula_cells = formula_cells or set()
        self.formula_columns = {i for i, _h, _f in self.columns}

    # --- per column ---------------------------------------------------------------------

    def _handler(self, target: Target) -> Handler:
        key, kind = target.key, target.kind
        if kind == "name":

            def name(row: CleanRow, value: Any) -> None:
                row.fields[key] = v.clean_name(value, target.max_length)

            return name
        if kind == "full_name":

            def full_name(row: CleanRow, value: Any) -> None:
                last, first, middle = v.split_full_name(value)
                # Separate name columns win over the full name.
                row.fields.setdefault("last_name", last)
                row.fields.setdefault("first_name", first)
                row.fields.setdefault("middle_name", middle)

            return full_name
        if kind == "text":

            def text(row: CleanRow, value: Any) -> None:
                row.fields[key] = v.clean_text(value, target.max_length)

            return text
        if kind == "phone":

            def phone(row: CleanRow, value: Any) -> None:
                for p in v.split_phones(value):
                    if p not in row.phones:
                        row.phones.append(p)

            return phone
        if kind == "email":

            def email(row: CleanRow, value: Any) -> None:
                for e in v.split_emails(value):
                    if e not in row.emails:
                        row.emails.append(e)

            return email
        simple: dict[str, Callable[[Any], Any]] = {
            "date": v.clean_birthday,
            "stage": v.clean_stage,
            "family_status": v.clean_family_status,
            "bool": v.clean_bool,
            "inn": v.clean_inn,
            "url": v.clean_url,
        }
        if kind in simple:
            parse = simple[kind]

            def parsed(row: CleanRow, value: Any) -> None:
                result = parse(value)
                if result not in (None, ""):
                    row.fields[key] = result

            return parsed
        if kind == "centre":
            return self._centre
        if kind == "owner":
            return self._owner
        if kind == "custom":
            defn = self.custom_defs[key.removeprefix("custom.")]

            def custom(row: CleanRow, value: Any) -> None:
                try:
                    cleaned = custom_fields.clean_value(defn, value)
                except ValidationError as exc:
                    raise v.CellError("custom_invalid", message="; ".join(exc.messages)) from exc
                if cleaned is not None:
                    row.custom[defn.key] = cleaned

            return custom
        raise ValueError(f"no handler for {kind}")

    def _centre(self, row: CleanRow, value: Any) -> None:
        text = v.as_text(value)
        if not text:
            return
        if self.placement is None:
            self.placement = Placement()
        centre_id = self.placement.centres.get(fold_header(text)) or self.placement.centres.get(
            text
        )
        if centre_id is None:
            raise v.CellError("centre_unknown", value=text[:100])
        row.centre_id = centre_id

    def _owner(self, row: CleanRow, value: Any) -> None:
        text = v.as_text(value)
        if not text:
            return
        if self.placement is None:
            self.placement = Placement()
        found = self.placement.users.get(text.casefold())
        if found is None:
            raise v.CellError("owner_unknown", value=text[:100])
        row.owner_id = found[0]
        row.owner_set = True
        row.fields["_owner_centre"] = found[1]

    # --- per row -----------------------------------------------------------------------

    def clean(self, number: int, values: list[Any]) -> CleanRow:
        row = CleanRow(number=number)
        width = len(values)
        if width > self.width and any(v.as_text(x) for x in values[self.width :]):
            row.errors.append(("", "row_too_long", {"found": width, "expected": self.width}))
            return row
        for index, header, handle in self.columns:
            value = values[index] if index < width else None
            if value is None or value == "":
                continue
            try:
                handle(row, value)
            except v.CellError as exc:
                row.errors.append((header, exc.code, exc.params))
                continue
            if self.formula_cells and (number, index) in self.formula_cells:
                row.notes.append((header, "formula_value", {"value": v.as_text(value)[:100]}))
        owner_centre = row.fields.pop("_owner_centre", None)
        if (
            row.owner_set
            and row.centre_id is not None
            and owner_centre not in (None, row.centre_id)
        ):
            row.errors.append(("", "owner_unknown", {"value": str(row.owner_id)}))
        if self.entity == "person":
            named = row.fields.get("last_name") or row.fields.get("first_name")
            if not named and not any(code == "too_long" for _h, code, _p in row.errors):
                row.errors.append(("", "name_required", {}))
        elif not row.fields.get("name"):
            row.errors.append(("", "required", {}))
        return row


def check_mapping(
    *, entity: str, headers: list[str], mapping: dict[str, str], actor: User, duplicates: str
) -> list[tuple[str, dict[str, Any]]]:
    """Problems with the mapping as a whole: (code, params). Empty: the mapping can run."""
    problems: list[tuple[str, dict[str, Any]]] = []
    known = targets(entity)
    used = [key for key in mapping.values() if key]
    if not used:
        return [("no_columns_mapped", {})]
    for key in set(used):
        target = known.get(key)
        if target is None:
            continue
        if used.count(key) > 1 and not target.repeatable:
            problems.append(("column_mapped_twice", {"field": str(target.label)}))
        if target.placement and not may_place(actor):
            problems.append(("placement_not_allowed", {"field": str(target.label)}))
    for group in REQUIRED[entity]:
        if not any(key in used for key in group):
            labels = " / ".join(str(known[k].label) for k in group)
            problems.append(("missing_required", {"fields": labels}))
    if duplicates == "update" and not actor.has_right(Right.PARTY_EDIT):
        problems.append(("placement_not_allowed", {"field": _("Update the existing record")}))
    return problems
