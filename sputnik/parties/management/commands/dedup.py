from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sputnik.parties.dedup.job import run_dedup, start_run


class Command(BaseCommand):
    # A batch job: the URL and template checks it would run first cost seconds, not safety.
    requires_system_checks: list[str] = []

    help = (
        "Find duplicate persons: `sputnik dedup` runs the batch finder now and stores the "
        "clusters for the review queue (Persons → Duplicates); --queue hands it to Huey."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="store_true", help="run in the background")
        parser.add_argument(
            "--no-name-index", action="store_true", help="skip filling missing name keys"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run, created = start_run(actor=None)
        if not created:
            self.stdout.write(f"Run #{run.pk} is already {run.status}.")
            return
        if options["queue"]:
            from sputnik.parties.dedup.tasks import dedup_run_task

            dedup_run_task(run.pk)
            self.stdout.write(f"Run #{run.pk} queued.")
            return
        run = run_dedup(run=run, index_missing_names=not options["no_name_index"])
        self.stdout.write(json.dumps(run.stats, indent=2))
