from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sputnik.core.demo import vocab
from sputnik.core.demo.deals import seed_deals
from sputnik.core.demo.distribution import seed_distribution
from sputnik.core.demo.generate import STORY_CUSTOMER_PHONE, STORY_PROSPECT_PHONE
from sputnik.core.demo.load import DemoError, LoadStats, existing_data, load_demo, wipe
from sputnik.core.demo.quotes_orders import seed_quotes_orders
from sputnik.core.normalize import format_phone
from sputnik.core.roles import Role
from sputnik.marketing.demo import seed_webforms


class Command(BaseCommand):
    help = (
        "Load a believable dealer network (centres, staff of every role, customers, vehicles "
        "and their timeline) and serve it. Refuses to touch a database holding data unless "
        "--reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=2000)
        parser.add_argument(
            "--interactions",
            type=int,
            default=None,
            help="Timeline entries in total (default: 6 per person).",
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty every CRM table first (TRUNCATE on PostgreSQL).",
        )
        parser.add_argument("--no-serve", action="store_true", dest="no_serve")
        parser.add_argument("--password", default=vocab.DEMO_PASSWORD)
        parser.add_argument(
            "--chunk", type=int, default=20_000, help="Persons per transaction / progress line."
        )
        parser.add_argument(
            "--heavy", type=int, default=2, help="Persons given 1,000 timeline entries each."
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        persons = options["persons"]
        if persons < 1:
            raise CommandError("--persons must be at least 1")
        found = existing_data()
        if found and not options["reset"]:
            summary = ", ".join(
                f"{n:,}{'+' if n == 1000 and k == 'persons' else ''} {k}" for k, n in found.items()
            )
            raise CommandError(
                f"The database already holds data ({summary}). Nothing was changed.\n"
                "Run `sputnik demo --reset …` to empty the CRM tables and load the demo "
                "again, or `sputnik serve` to serve what is there."
            )
        if options["reset"] and found:
            self.stdout.write("Emptying the CRM tables…")
            wipe()
        engine = connection.vendor
        self.stdout.write(
            f"Loading the demo network into {engine}: {persons:,} persons, seed {options['seed']}"
        )
        try:
            stats = load_demo(
                persons=persons,
                interactions=options["interactions"],
                seed=options["seed"],
                password=options["password"],
                chunk_size=max(options["chunk"], 100),
                heavy_persons=max(options["heavy"], 0),
                report=self.stdout.write,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        _story_history()
        seed_distribution(report=self.stdout.write)
        seed_deals(persons=persons, seed=options["seed"], report=self.stdout.write)
        seed_webforms(report=self.stdout.write)
        seed_quotes_orders(
            phones=[STORY_CUSTOMER_PHONE, STORY_PROSPECT_PHONE],
            report=self.stdout.write,
            base_url=f"http://{options['host']}:{options['port']}",
        )
        self._summary(stats, options)
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _summary(self, stats: LoadStats, options: dict[str, Any]) -> None:
        out = self.stdout.write
        total = sum(stats.rows.values())
        out("")
        out(
            self.style.SUCCESS(
                f"Loaded {stats.persons:,} persons, {stats.interactions:,} timeline entries and "
                f"{total:,} rows in all in {stats.seconds:.1f} s "
                f"({stats.persons / max(stats.seconds, 1e-9):,.0f} persons/s)."
            )
        )
        for key, n in sorted(stats.rows.items()):
            out(f"  {key:<16} {n:>12,}")
        out("")
        url = f"http://{options['host']}:{options['port']}"
        out(
            f"Open {url} and sign in with any login below; the password is "
            f"{self.style.WARNING(options['password'])}"
        )
        out("")
        labels = dict(Role.choices)
        width = max(len(s.centre) for s in stats.staff)
        out(f"  {'login':<22} {'role':<22} {'centre':<{width}}  name")
        by_key: dict[tuple[str, str], list[str]] = {}
        names: dict[tuple[str, str], str] = {}
        for s in stats.staff:
            by_key.setdefault((s.role, s.centre), []).append(s.username)
            names.setdefault((s.role, s.centre), s.name)
        for (role, centre), usernames in by_key.items():
            logins = usernames[0] if len(usernames) == 1 else f"{usernames[0]}…{usernames[-1]}"
            out(
                f"  {logins:<22} {labels.get(role, role)!s:<22} {centre:<{width}}  "
                f"{names[(role, centre)] if len(usernames) == 1 else ''}"
            )
        out("")
        out("The demo story:")
        out(
            f"  • a prospect of «Автоцентр Юг» looking for a pickup: search «Кузнецов Андрей» "
            f"or {format_phone(STORY_PROSPECT_PHONE)} ({_who_sees(STORY_PROSPECT_PHONE)})"
        )
        out(
            f"  • a customer who loves fishing and hunting, Prado bought 3 years ago: "
            f"«Смирнов Олег» or {format_phone(STORY_CUSTOMER_PHONE)} "
            f"({_who_sees(STORY_CUSTOMER_PHONE)})"
        )
        if stats.heavy_person_ids:
            out(
                f"  • persons with 1,000 timeline entries: ids "
                f"{', '.join(map(str, stats.heavy_person_ids))}"
            )


def _story_history() -> None:
    """Give the story customers a few everyday edits made through the services.

    The bulk loader writes rows directly (no audit, by design: it is a data load), so
    these edits are what the card's History tab shows in the demo.
    """
    from sputnik.core.models import User
    from sputnik.parties.models import ContactPoint, Person
    from sputnik.parties.services import person_update

    for phone, data in (
        (STORY_CUSTOMER_PHONE, {"job_title": "Инженер-геодезист", "is_vip": True}),
        (STORY_PROSPECT_PHONE, {"wishes": "Ждёт новый пикап; просил позвонить, когда привезут."}),
    ):
        contact = ContactPoint.objects.filter(kind="phone", value=phone).first()
        person = Person.objects.filter(pk=getattr(contact, "person_id", None) or 0).first()
        if person is None:
            continue
        actor = (
            person.owner
            or User.objects.filter(
                role=Role.CENTRE_HEAD, centre_id=person.centre_id, is_active=True
            ).first()
        )
        if actor is not None:
            person_update(actor=actor, person=person, data=data)


def _who_sees(phone: str) -> str:
    from sputnik.parties.models import ContactPoint

    contact = (
        ContactPoint.objects.filter(kind="phone", value=phone, person__isnull=False)
        .select_related("person__owner", "person__centre")
        .order_by("id")
        .first()
    )
    if contact is None or contact.person is None:
        return "not loaded"
    person = contact.person
    head = (
        person.centre.users.filter(role=Role.CENTRE_HEAD)
        .order_by("id")
        .values_list("username", flat=True)
        .first()
    )
    owner = person.owner.username if person.owner else "no owner"
    return f"owner {owner}, centre head {head}, any operator or executive"
