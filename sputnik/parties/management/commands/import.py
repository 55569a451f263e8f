"""`sputnik import persons FILE [--mapping M.json] [--dry-run]` (and `companies`).

The same path as the screens: the file is stored and read, mapped (suggested from the
headers, or from a JSON mapping), then checked or run by the same worker code, in this
process, with progress on the terminal.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sputnik.core.models import Centre, User
from sputnik.parties.imports import fields as import_fields
from sputnik.parties.imports import services
from sputnik.parties.imports.messages import render
from sputnik.parties.imports.report import error_report_lines, outcome_counts
from sputnik.parties.imports.upload import store_path
from sputnik.parties.imports.work import work
from sputnik.parties.models import ImportBatch

ENTITIES = {"persons": "person", "companies": "company"}


class Command(BaseCommand):
    help = "Import persons or companies from a CSV or XLSX file."
    # The system checks import every URLconf and API schema: seconds of start-up that an
    # import of a file does not need (`sputnik check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=sorted(ENTITIES))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            type=Path,
            help='JSON: {"column header": "field"}, or {"columns": {…}, "duplicates": …}',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument("--user", help="Import as this user (default: the system user).")
        parser.add_argument("--centre", help="Centre (name or id) for new records.")
        parser.add_argument("--duplicates", choices=ImportBatch.Duplicates.values, default=None)
        parser.add_argument(
            "--on-error",
            choices=["skip", "abort"],
            default=None,
            help="skip: import the good rows (default); abort: write nothing if any row is bad.",
        )
        parser.add_argument("--encoding", default="")
        parser.add_argument("--delimiter", default="")
        parser.add_argument("--chunk", type=int, default=None, help="Rows per transaction.")
        parser.add_argument("--errors", type=Path, help="Write the error report (CSV) here.")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = ENTITIES[options["entity"]]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = self._actor(options["user"])
        centre_id = self._centre(options["centre"])
        mapping_doc: dict[str, Any] = {}
        if options["mapping"]:
            try:
                mapping_doc = json.loads(options["mapping"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the mapping: {exc}") from exc
        columns = mapping_doc.get("columns", mapping_doc) if isinstance(mapping_doc, dict) else {}
        duplicates = options["duplicates"] or mapping_doc.get("duplicates") or "skip"
        on_error = options["on_error"] or mapping_doc.get("on_error") or "skip"
        on_error = "write_nothing" if on_error in ("abort", "write_nothing") else "skip_rows"

        started = time.perf_counter()
        stored = store_path(path)
        try:
            batch = services.import_upload(
                actor=actor,
                stored=stored,
                entity=entity,
                centre_id=centre_id,
                encoding=options["encoding"] or None,
                delimiter=options["delimiter"] or None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        mapping = (
            import_fields.mapping_from_saved(
                batch.headers,
                {import_fields.fold_header(k): v for k, v in columns.items()},
                entity,
            )
            if columns
            else dict(batch.mapping)
        )
        self._say(f"{batch.file_format}, {batch.encoding or '-'}, separator {batch.delimiter!r}")
        for index, key in sorted(mapping.items(), key=lambda kv: int(kv[0])):
            self._say(f"  {batch.headers[int(index)]!r:30} → {key}")
        try:
            batch = services.import_configure(
                actor=actor,
                batch=batch,
                mapping=mapping,
                duplicates=duplicates,
                on_error=on_error,
            )
            if options["dry_run"] or on_error == "write_nothing":
                services.import_check(actor=actor, batch=batch, enqueue=False)
                batch = (
                    work(batch.pk, chunk_rows=options["chunk"], progress=self._progress) or batch
                )
                self._progress_end()
            if not options["dry_run"] and batch.status in (
                ImportBatch.Status.READY,
                ImportBatch.Status.VALIDATED,
            ):
                services.import_start(actor=actor, batch=batch, enqueue=False)
                batch = (
                    work(batch.pk, chunk_rows=options["chunk"], progress=self._progress) or batch
                )
                self._progress_end()
        except ValidationError as exc:
            batch.refresh_from_db()
            self._report(batch, time.perf_counter() - started, options)
            raise CommandError("; ".join(exc.messages)) from exc
        batch.refresh_from_db()
        self._report(batch, time.perf_counter() - started, options)
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(render(batch.failure.get("code", ""), batch.failure.get("params")))

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}")
            return user
        from sputnik.core.services import system_actor

        return system_actor()

    def _centre(self, value: str | None) -> int | None:
        if not value:
            return None
        centre = (
            Centre.objects.filter(pk=int(value)).first()
            if value.isdigit()
            else Centre.objects.filter(name=value).first()
        )
        if centre is None:
            raise CommandError(f"No centre {value!r}")
        return centre.pk

    def _say(self, text: str) -> None:
        if not self._json:
            self.stdout.write(text)

    _json = False
    _last = 0.0

    def execute(self, *args: Any, **options: Any) -> Any:
        self._json = bool(options.get("json"))
        return super().execute(*args, **options)

    def _progress(self, batch: ImportBatch) -> None:
        now = time.perf_counter()
        if self._json or now - self._last < 1.0:
            return
        self._last = now
        sys.stderr.write(f"\r  {batch.get_status_display()}: row {batch.cursor:,}")
        sys.stderr.flush()

    def _progress_end(self) -> None:
        if not self._json:
            sys.stderr.write("\n")

    def _report(self, batch: ImportBatch, seconds: float, options: dict[str, Any]) -> None:
        counts = batch.counts if batch.counts else batch.validation
        if options["errors"]:
            with open(options["errors"], "w", encoding="utf-8", newline="") as fh:
                for line in error_report_lines(batch):
                    fh.write(line)
        if self._json:
            public = {k: v for k, v in counts.items() if not k.startswith("_")}
            self.stdout.write(
                json.dumps(
                    {
                        "batch": batch.pk,
                        "status": batch.status,
                        "seconds": round(seconds, 3),
                        "counts": public,
                        "failure": batch.failure,
                    }
                )
            )
            return
        self.stdout.write(f"Import #{batch.pk}: {batch.get_status_display()} in {seconds:.1f} s")
        for label, n in outcome_counts(batch):
            self.stdout.write(f"  {label}: {n:,}")
        if batch.failure:
            self.stdout.write(render(batch.failure.get("code", ""), batch.failure.get("params")))
