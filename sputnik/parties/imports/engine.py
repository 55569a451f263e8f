"""The passes over a batch's file: the check (a dry run) and the run, chunk by chunk.

Each chunk is one transaction that also moves the batch's cursor and heartbeat, guarded
by the worker's claim token: a crash loses at most the chunk in flight, and the next
claim resumes after the last committed row. Nothing is held per row across chunks but
the hashes of the keys already seen (for duplicates inside the file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sputnik.core.audit import jsonable
from sputnik.core.events import publish
from sputnik.core.models import AuditEntry, User
from sputnik.core.normalize import search_key
from sputnik.core.roles import Scope
from sputnik.parties.imports.audit import audit_batch_records, update_entry, write_entries
from sputnik.parties.imports.bulk import bulk_set
from sputnik.parties.imports.matching import Candidate, Matches, find_matches
from sputnik.parties.imports.reading import FileInfo, Rows, _formula_cells, iter_rows
from sputnik.parties.imports.rows import CleanRow, RowCleaner
from sputnik.parties.imports.writer import (
    ChunkWriter,
    PreparedChunk,
    db_date,
    db_datetime,
    next_ids,
)
from sputnik.parties.models import Company, ContactPoint, ImportBatch, Person, Source
from sputnik.parties.models.imports import ImportRowError, ImportUpdate

log = logging.getLogger(__name__)

CHUNK_ROWS = 10_000
MAX_STORED_ERRORS = 100_000
MAX_STORED_NOTES = 20_000

# Outcomes counted per row.
CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped_duplicate"
IN_FILE = "duplicate_in_file"
OWNED_ELSEWHERE = "owned_elsewhere"
ALREADY = "already_imported"
INVALID = "invalid"

# Fields an update may change (centre and owner move only by transfer).
UPDATABLE = {
    "person": (
        "external_id",
        "last_name",
        "first_name",
        "middle_name",
        "stage",
        "birthday",
        "family_status",
        "job_title",
        "wishes",
        "is_vip",
        "source_campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ),
    "company": (
        "external_id",
        "name",
        "inn",
        "industry",
        "website",
        "source_campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ),
}


class LostClaim(Exception):
    """Another worker owns the batch now (ours was considered dead): stop, write nothing."""


class BadRowsAbort(Exception):
    """A bad row under "write nothing if any row is bad"."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def stored_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.file_path


def file_info(batch: ImportBatch) -> FileInfo:
    info = FileInfo(
        format=batch.file_format,
        headers=list(batch.headers),
        sample=[],
        encoding=batch.encoding,
        delimiter=batch.delimiter,
        sheet=batch.sheet,
    )
    if batch.file_format == "xlsx":
        count, refs, cells = _formula_cells(stored_path(batch), batch.sheet)
        info.formula_count, info.formula_refs, info.formula_cells = count, refs, cells
    return info


def default_placement(actor: User, centre_id: int | None) -> tuple[int | None, int | None]:
    """Where a new record goes without a centre/owner column: as person_create places it."""
    centre = centre_id or actor.centre_id
    owner: int | None = None
    if actor.scope == Scope.OWN or (actor.centre_id and actor.centre_id == centre):
        owner = actor.pk
    return centre, owner


def _chunks(
    rows: Iterator[tuple[int, list[Any]]], size: int
) -> Iterator[list[tuple[int, list[Any]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# A cleaned chunk: its rows, the number of its last row, and (read ahead) its matches.
Cleaned = tuple[list[CleanRow], int, Matches | None]


@dataclass
class Planned:
    """A chunk with every decision made and its new records ready to write: all the work
    that needs no write, done on the reading thread while the previous chunk is written."""

    cleaned: list[CleanRow]
    last_row: int
    decisions: list[Decision]
    created_ids: list[int]
    new_records: PreparedChunk | None


@dataclass
class Decision:
    row: CleanRow
    outcome: str
    match: Candidate | None = None
    by: str = ""
    first_row: int = 0


class Pass:
    """One pass over the file. `write=False` is the check: the same decisions, no writes."""

    def __init__(
        self,
        batch: ImportBatch,
        *,
        write: bool,
        token: str,
        chunk_rows: int = CHUNK_ROWS,
        progress: Callable[[ImportBatch], None] | None = None,
    ) -> None:
        self.batch = batch
        self.write = write
        self.token = token
        self.chunk_rows = chunk_rows
        self.progress = progress
        self.actor: User = batch.created_by
        self.entity = batch.entity
        self.info = file_info(batch)
        self.cleaner = RowCleaner(
            entity=batch.entity,
            headers=self.info.headers,
            mapping=batch.mapping,
            actor=self.actor,
            formula_cells=self.info.formula_cells,
        )
        self.default_centre, self.default_owner = default_placement(self.actor, batch.centre_id)
        # Records created by earlier imports of this very file: a re-run skips them,
        # whatever the duplicate policy, so importing the same file twice changes nothing.
        self.same_file = set(
            ImportBatch.objects.filter(
                file_sha256=batch.file_sha256,
                entity=batch.entity,
                status__in=[ImportBatch.Status.DONE, ImportBatch.Status.RUNNING],
            )
            .exclude(pk=batch.pk)
            .values_list("pk", flat=True)
        )
        self.seen: dict[int, int] = {}
        resuming = write and batch.cursor > 0
        source = batch.counts if write else batch.validation
        self.counts: Counter[str] = Counter(source if resuming else {})
        self.stored_errors = self.counts.get("_stored_errors", 0)
        self.stored_notes = self.counts.get("_stored_notes", 0)
        self.model: type[Person] | type[Company] = Person if self.entity == "person" else Company
        # Seconds per phase, for the benchmark's breakdown (logged at debug level).
        self.timing: defaultdict[str, float] = defaultdict(float)

    # --- the loop ----------------------------------------------------------------------

    def execute(self) -> Counter[str]:
        start = self.batch.cursor if self.write else 1
        if start <= 1:
            start = 1
            # A fresh pass reports afresh (a check restarts from the top after a crash).
            ImportRowError.objects.filter(batch=self.batch).delete()
        rows = iter_rows(stored_path(self.batch), self.info, after=start)
        started = time.perf_counter()
        try:
            if self._may_pipeline():
                self._pipelined(rows)
            else:
                try:
                    for chunk in _chunks(rows, self.chunk_rows):
                        self._store(self._plan(self._clean(chunk)))
                finally:
                    rows.close()
        finally:
            self.timing["total"] = time.perf_counter() - started
            log.info("import %s timing %s", self.batch.pk, dict(self.timing))
        return self.counts

    def _may_pipeline(self) -> bool:
        # Outside a transaction only: inside one (tests), nothing may run beside it.
        return connection.vendor == "postgresql" and not connection.in_atomic_block

    def _pipelined(self, rows: Rows) -> None:
        """Read, clean, match, decide and prepare the next chunk while the database writes
        this one.

        Why: on PostgreSQL most of a chunk's time is the server maintaining the tables'
        indexes, while Python waits; doing all the Python work (reading, cleaning,
        deciding, building the COPY text) in a second thread overlaps the two, the way psycopg's own queued COPY writer
        overlaps sending with generating. The database work stays in this thread, on its
        connection, under the batch's claim.
        """
        ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def produce() -> None:
            try:
                for chunk in _chunks(rows, self.chunk_rows):
                    # The lookup of existing records, the decisions and the new records'
                    # ids and COPY text are made here too, on this thread's own connection:
                    # the lookup reads committed rows only, and repeats inside the file are
                    # caught by the `seen` keys, which only this thread touches.
                    item = ("chunk", self._plan(self._clean(chunk)))
                    while not stop.is_set():
                        try:
                            ready.put(item, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                ready.put(("end", None))
            except BaseException as exc:  # handed to the writing thread, raised there
                ready.put(("error", exc))
            finally:
                rows.close()
                connection.close()  # this thread's own connection

        reader = threading.Thread(
            target=produce, name=f"import-{self.batch.pk}-reader", daemon=True
        )
        reader.start()
        try:
            while True:
                kind, payload = ready.get()
                if kind == "end":
                    break
                if kind == "error":
                    raise payload
                self._store(payload)
        finally:
            stop.set()
            while reader.is_alive():
                with contextlib.suppress(queue.Empty):
                    ready.get(timeout=0.2)
            reader.join()

    def _clean(self, chunk: list[tuple[int, list[Any]]]) -> Cleaned:
        """Pure Python, no database."""
        started = time.thread_time()
        clean = self.cleaner.clean
        cleaned = [clean(number, values) for number, values in chunk]
        self.timing["clean_cpu"] += time.thread_time() - started
        return cleaned, chunk[-1][0], None

    def _plan(self, cleaned_chunk: Cleaned) -> Planned:
        """Decide every row of the chunk and prepare its new records; writes nothing."""
        cleaned, last_row, matches = cleaned_chunk
        good = [r for r in cleaned if r.ok]
        t0 = time.perf_counter()
        if matches is None:
            matches = self._matches(good)
        t1 = time.perf_counter()
        decisions = [self._decide(row, matches) for row in good]
        t2 = time.perf_counter()
        self.timing["match"] += t1 - t0
        self.timing["decide"] += t2 - t1
        created_ids: list[int] = []
        new_records = None
        if self.write and connection.vendor == "postgresql":
            # Sequences hand out ids outside any transaction; SQLite's come from MAX(id)
            # and need the chunk's write lock, so there they are taken in _store.
            created_ids, new_records = self._prepare_create(
                [d for d in decisions if d.outcome == CREATED]
            )
        self.timing["prepare"] += time.perf_counter() - t2
        return Planned(cleaned, last_row, decisions, created_ids, new_records)

    def _store(self, planned: Planned) -> None:
        cleaned, last_row, decisions = planned.cleaned, planned.last_row, planned.decisions
        bad = [r for r in cleaned if not r.ok]
        if bad and self.write and self.batch.on_error == ImportBatch.OnError.WRITE_NOTHING:
            raise BadRowsAbort(len(bad))
        created_ids, new_records = planned.created_ids, planned.new_records
        t2 = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Safe to lose on a server crash: the chunk and the batch's cursor are in
                # the same transaction, so a lost commit is simply resumed.
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
            self._claim_step(last_row)
            if self.write and new_records is None:
                created_ids, new_records = self._prepare_create(
                    [d for d in decisions if d.outcome == CREATED]
                )
            if new_records is not None:
                # Ids only grow, so every record of the batch has one at least this: undo
                # walks the primary key from here instead of scanning the table for it.
                self.counts.setdefault("_first_id", min(created_ids))
                _records, contacts = new_records.write()
                self.counts["contacts_created"] += contacts
            self.timing["create"] += time.perf_counter() - t2
            if created_ids:
                t3 = time.perf_counter()
                audit_batch_records(
                    batch=self.batch,
                    action="create",
                    first_id=min(created_ids),
                    last_id=max(created_ids),
                    actor_id=self.actor.pk,
                )
                self.timing["audit"] += time.perf_counter() - t3
            self._update([d for d in decisions if d.outcome == UPDATED])
            for d in decisions:
                self.counts[d.outcome] += 1
            self.counts["rows"] += len(cleaned)
            self.counts[INVALID] += len(bad)
            self._store_problems(bad, decisions)
            self.counts["_stored_errors"] = self.stored_errors
            self.counts["_stored_notes"] = self.stored_notes
            self._save_progress(last_row)
            if created_ids:
                publish(
                    "import.records_created",
                    entity=self.entity,
                    batch_id=self.batch.pk,
                    ids=created_ids,
                    actor_id=self.actor.pk,
                )
        if self.progress:
            self.progress(self.batch)

    # --- decisions -------------------------------------------------------------------------

    def _matches(self, rows: list[CleanRow]) -> Matches:
        ext, inns, phones, emails = [], [], [], []
        for r in rows:
            if r.fields.get("external_id"):
                ext.append(r.fields["external_id"])
            if r.fields.get("inn"):
                inns.append(r.fields["inn"])
            phones += r.phones
            emails += r.emails
        return find_matches(
            entity=self.entity, external_ids=ext, inns=inns, phones=phones, emails=emails
        )

    def _decide(self, row: CleanRow, matches: Matches) -> Decision:
        keys = row.keys(self.entity)
        hashes = [hash(k) for k in keys]
        for h in hashes:
            first = self.seen.get(h)
            if first is not None:
                return Decision(row, IN_FILE, first_row=first)
        for h in hashes:
            self.seen[h] = row.number
        found = matches.first(keys)
        if found is None:
            return Decision(row, CREATED)
        match, by = found
        if match.import_batch_id == self.batch.pk:
            return Decision(row, IN_FILE, match, by)  # a row of an earlier chunk, resumed
        if match.import_batch_id in self.same_file:
            return Decision(row, ALREADY, match, by)
        policy = self.batch.duplicates
        if policy == ImportBatch.Duplicates.CREATE:
            return Decision(row, CREATED)
        if not match.visible_to(self.actor):
            return Decision(row, OWNED_ELSEWHERE, match, by)
        if policy == ImportBatch.Duplicates.SKIP:
            return Decision(row, SKIPPED, match, by)
        return Decision(row, UPDATED, match, by)  # may turn into UNCHANGED once compared

    # --- writing ------------------------------------------------------------------------

    def _claim_step(self, last_row: int) -> None:
        if not self.token:
            return
        held = ImportBatch.objects.filter(pk=self.batch.pk, claim_token=self.token).update(
            heartbeat_at=timezone.now()
        )
        if not held:
            raise LostClaim(self.batch.pk)

    def _save_progress(self, last_row: int) -> None:
        self.batch.cursor = last_row
        self.batch.heartbeat_at = timezone.now()
        fields = ["cursor", "heartbeat_at"]
        if self.write:
            self.batch.counts = dict(self.counts)
            fields.append("counts")
        else:
            self.batch.validation = dict(self.counts)
            fields.append("validation")
        self.batch.save(update_fields=fields)

    def _prepare_create(self, decisions: list[Decision]) -> tuple[list[int], PreparedChunk | None]:
        """Ids reserved (sequences are not transactional: an id of a chunk that is never
        written is only a gap) and the new records built, in file order."""
        if not decisions:
            return [], None
        writer = ChunkWriter(self.entity)
        ids = next_ids(self.model, len(decisions))
        now = db_datetime(timezone.now())
        actor_id = self.actor.pk
        batch_id = self.batch.pk
        person = self.entity == "person"
        add = writer.add
        for pk, d in zip(ids, decisions, strict=True):
            f = d.row.fields
            get = f.get
            centre_id, owner_id = self._placement(d.row)
            custom = json.dumps(d.row.custom, ensure_ascii=False) if d.row.custom else "{}"
            # In the order of writer.PERSON_COLUMNS / COMPANY_COLUMNS.
            head = (
                pk,
                centre_id,
                owner_id,
                Source.IMPORT.value,
                custom,
                get("external_id", ""),
                batch_id,
            )
            record: tuple[Any, ...]
            if person:
                last, first = get("last_name", ""), get("first_name", "")
                middle = get("middle_name", "")
                record = (
                    *head,
                    search_key(last, first, middle),
                    now,
                    now,
                    actor_id,
                    last,
                    first,
                    middle,
                    get("stage") or "prospect",
                    db_date(get("birthday")),
                    get("family_status", ""),
                    get("job_title", ""),
                    get("wishes", ""),
                    bool(get("is_vip", False)),
                    get("source_campaign", ""),
                    get("utm_source", ""),
                    get("utm_medium", ""),
                    get("utm_campaign", ""),
                )
            else:
                record = (
                    *head,
                    search_key(f["name"]),
                    now,
                    now,
                    actor_id,
                    f["name"],
                    get("inn", ""),
                    get("industry", ""),
                    get("website", ""),
                    get("source_campaign", ""),
                    get("utm_source", ""),
                    get("utm_medium", ""),
                    get("utm_campaign", ""),
                )
            add(record, d.row.phones, d.row.emails)
        return ids, writer.prepare()

    def _placement(self, row: CleanRow) -> tuple[int | None, int | None]:
        if row.centre_id is None and not row.owner_set:
            return self.default_centre, self.default_owner
        centre = row.centre_id
        if centre is None and row.owner_set and row.owner_id is not None:
            owner_centre = (
                User.objects.filter(pk=row.owner_id).values_list("centre_id", flat=True).first()
            )
            centre = owner_centre or self.default_centre
        centre = centre or self.default_centre
        if row.owner_set:
            return centre, row.owner_id
        return centre, (self.default_owner if centre == self.default_centre else None)

    def _update(self, decisions: list[Decision]) -> None:
        """Compare with the stored record; write (and journal) only real changes."""
        if not decisions:
            return
        ids = [d.match.pk for d in decisions if d.match]
        qs = self.model.objects.filter(pk__in=ids)
        if self.write:
            qs = qs.select_for_update()
        current = {obj.pk: obj for obj in qs}
        contacts: dict[int, set[tuple[str, str]]] = {}
        owner_column = "person_id" if self.entity == "person" else "company_id"
        for owner_id, kind, value in ContactPoint.objects.filter(
            **{f"{owner_column}__in": ids}
        ).values_list(owner_column, "kind", "value"):
            contacts.setdefault(owner_id, set()).add((kind, value))
        allowed = UPDATABLE[self.entity]
        changed: list[Any] = []
        journal: list[ImportUpdate] = []
        entries: list[AuditEntry] = []
        new_points: list[list[ContactPoint]] = []
        for d in decisions:
            obj = current.get(d.match.pk) if d.match else None
            if obj is None:
                d.outcome = SKIPPED
                continue
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for name in allowed:
                if name in d.row.fields and d.row.fields[name] not in ("", None):
                    new = d.row.fields[name]
                    old = getattr(obj, name)
                    if old != new:
                        before[name], after[name] = old, new
            if d.row.custom:
                merged = {**(obj.custom or {}), **d.row.custom}
                if merged != (obj.custom or {}):
                    before["custom"], after["custom"] = obj.custom, merged
            have = contacts.get(obj.pk, set())
            new_contacts = [("phone", p) for p in d.row.phones if ("phone", p) not in have]
            new_contacts += [("email", e) for e in d.row.emails if ("email", e) not in have]
            if not before and not new_contacts:
                d.outcome = UNCHANGED
                continue
            if not self.write:
                continue
            for name, value in after.items():
                setattr(obj, name, value)
            obj.search_name = (
                search_key(obj.last_name, obj.first_name, obj.middle_name)
                if isinstance(obj, Person)
                else search_key(obj.name)
            )
            obj.updated_at = timezone.now()
            added = [
                ContactPoint(
                    **{owner_column: obj.pk},
                    kind=kind,
                    value=value,
                    is_primary=not any(k == kind for k, _v in have),
                )
                for kind, value in new_contacts
            ]
            new_points.append(added)
            journal.append(
                ImportUpdate(
                    batch=self.batch,
                    row_number=d.row.number,
                    person_id=obj.pk if isinstance(obj, Person) else None,
                    company_id=obj.pk if isinstance(obj, Company) else None,
                    before=jsonable(before),
                    after=jsonable(after),
                )
            )
            entries.append(
                update_entry(
                    batch=self.batch,
                    actor_id=self.actor.pk,
                    record=obj,
                    before={**before, "contacts": []} if new_contacts else before,
                    after={**after, "contacts": [f"{k}:{v}" for k, v in new_contacts]}
                    if new_contacts
                    else after,
                )
            )
            changed.append(obj)
        if changed:
            # One insert per table for the chunk: the contacts first (their ids go into
            # the journal, so undo removes exactly them), then the journal and the trail.
            created = ContactPoint.objects.bulk_create(
                [c for group in new_points for c in group], batch_size=2000
            )
            self.counts["contacts_created"] += len(created)
            for row, group in zip(journal, new_points, strict=True):
                row.added_contact_ids = [c.pk for c in group]
            ImportUpdate.objects.bulk_create(journal, batch_size=2000)
            write_entries(entries)
            # Only the columns some row changed (all seventeen, through bulk_update, were
            # two thirds of an update import's time).
            fields = sorted({name for row in journal for name in row.after})
            bulk_set(self.model, changed, [*fields, "search_name", "updated_at"])
            # One event for the chunk (`person.updated` for each, in bulk): a subscriber
            # per row was the other half of an update import's time (name keys).
            person = self.entity == "person"
            publish(
                "persons.updated" if person else "companies.updated",
                **{"person_ids" if person else "company_ids": [obj.pk for obj in changed]},
                actor_id=self.actor.pk,
            )

    # --- the report ----------------------------------------------------------------------

    def _store_problems(self, bad: list[CleanRow], decisions: list[Decision]) -> None:
        batch = self.batch
        errors: list[ImportRowError] = []
        for row in bad:
            for column, code, params in row.errors:
                if self.stored_errors >= MAX_STORED_ERRORS:
                    self.counts["errors_not_listed"] += 1
                    continue
                self.stored_errors += 1
                errors.append(
                    ImportRowError(
                        batch=batch,
                        row_number=row.number,
                        column=column[:200],
                        code=code,
                        params=jsonable(params),
                    )
                )
        notes: list[ImportRowError] = []
        for d in decisions:
            items: list[tuple[str, str, dict[str, Any]]] = list(d.row.notes)
            if d.outcome == IN_FILE:
                code = "duplicate_in_file" if d.first_row else "duplicate_in_file_earlier"
                items.append(("", code, {"row": d.first_row} if d.first_row else {}))
            elif d.outcome in (SKIPPED, ALREADY):
                items.append(("", "duplicate_skipped", {"by": d.by}))
            elif d.outcome == OWNED_ELSEWHERE:
                items.append(("", "owned_elsewhere", {"by": d.by}))
            for column, code, params in items:
                if self.stored_notes >= MAX_STORED_NOTES:
                    break
                self.stored_notes += 1
                notes.append(
                    ImportRowError(
                        batch=batch,
                        row_number=d.row.number,
                        column=column[:200],
                        code=code,
                        params=jsonable(params),
                        is_error=False,
                    )
                )
        if errors or notes:
            ImportRowError.objects.bulk_create(errors + notes, batch_size=2000)
