"""The distribution rules: territory, interest, product, round-robin, least-loaded,
working hours, priority and the active flag, and the queue when nothing matches."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sputnik.conftest import make_user
from sputnik.core.models import AuditEntry, Centre
from sputnik.core.roles import Role
from sputnik.core.services import system_actor
from sputnik.parties.models import (
    CentreDistributionSettings,
    DistributionRule,
    DistributionSettings,
    Interest,
    Person,
    ProspectAssignment,
    WorkingHours,
)
from sputnik.parties.services import person_create
from sputnik.parties.services.distribution import Assignment, prospect_distribute

pytestmark = pytest.mark.django_db
MSK = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture
def network(centre_a, centre_b, call_centre):
    """Centre A (Moscow) with two managers, centre B (Yekaterinburg) with one, a call centre."""
    return {
        "a1": make_user("a1", Role.SALES_MANAGER, centre_a),
        "a2": make_user("a2", Role.SALES_MANAGER, centre_a),
        "b1": make_user("b1", Role.SALES_MANAGER, centre_b),
        "op": make_user("op", Role.OPERATOR, call_centre),
        "head_a": make_user("heada", Role.CENTRE_HEAD, centre_a),
    }


def new_prospect(centre: Centre, **data) -> Person:
    # As the web-form intake does: the system actor, a centre, no manager yet.
    return person_create(
        actor=system_actor(),
        data={"last_name": "Лидов", "first_name": "Лид", "centre_id": centre.pk, **data},
    )


def distribute(person: Person, **kwargs) -> Assignment:
    return prospect_distribute(actor=system_actor(), person=person, **kwargs)


def test_a_territory_rule_places_a_prospect_from_its_city_with_a_manager_of_the_centre(
    network, centre_a, centre_b, call_centre
):
    DistributionRule.objects.create(
        name="Урал", priority=10, cities=["Екатеринбург"], centre=centre_b
    )
    person = new_prospect(call_centre)
    result = distribute(person, region="Свердловская область", city="екатеринбург")
    person.refresh_from_db()
    assert (result.centre, result.owner) == (centre_b, network["b1"])
    assert (person.centre_id, person.owner_id) == (centre_b.pk, network["b1"].pk)
    assert result.rule is not None and result.rule.name == "Урал"


def test_a_territory_rule_without_a_centre_finds_the_showroom_in_the_prospects_region(
    network, centre_a, centre_b, call_centre
):
    DistributionRule.objects.create(name="По региону", regions=["Свердловская область"])
    result = distribute(new_prospect(call_centre), region="Свердловская Область")
    assert result.centre == centre_b


def test_an_interest_rule_matches_the_prospects_interest_codes_or_recorded_interests(
    network, centre_a, centre_b, call_centre
):
    Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing")
    DistributionRule.objects.create(
        name="Рыбаки", priority=5, interests=["fishing"], centre=centre_b
    )
    assert distribute(new_prospect(call_centre), interest_codes=["hunting"]).rule is None
    assert distribute(new_prospect(call_centre), interest_codes=["fishing"]).centre == centre_b
    # An interest already on the person counts without being passed.
    recorded = new_prospect(call_centre, interests=["fishing"])
    assert distribute(recorded).centre == centre_b


def test_a_product_rule_matches_a_word_of_the_product_hint(network, centre_a, call_centre):
    DistributionRule.objects.create(name="Пикапы", products=["hilux", "L200"], centre=centre_a)
    assert distribute(new_prospect(call_centre), product_hint="Toyota HILUX 2.8").centre == centre_a
    assert distribute(new_prospect(call_centre), product_hint="Camry").rule is None


def test_no_matching_rule_leaves_the_prospect_unassigned_where_it_waits_or_in_the_queue(
    network, centre_a, centre_b, call_centre
):
    DistributionRule.objects.create(name="Урал", cities=["Екатеринбург"], centre=centre_b)
    # No queue configured: it stays where the intake put it (e.g. a web form's centre).
    result = distribute(new_prospect(centre_a), city="Владивосток")
    assert (result.centre, result.owner, result.rule) == (centre_a, None, None)
    assert result.method == ProspectAssignment.Method.FALLBACK
    settings = DistributionSettings.current()
    settings.fallback_centre = call_centre
    settings.save()
    person = new_prospect(centre_a)
    result = distribute(person, city="Владивосток")
    person.refresh_from_db()
    assert (result.centre, result.owner) == (call_centre, None)
    assert (person.centre_id, person.owner_id) == (call_centre.pk, None)


def test_rules_are_tried_by_priority_and_inactive_rules_are_skipped(
    network, centre_a, centre_b, call_centre
):
    DistributionRule.objects.create(name="B", priority=20, cities=["Москва"], centre=centre_b)
    first = DistributionRule.objects.create(
        name="A", priority=10, cities=["Москва"], centre=centre_a
    )
    assert distribute(new_prospect(call_centre), city="Москва").centre == centre_a
    first.is_active = False
    first.save()
    assert distribute(new_prospect(call_centre), city="Москва").centre == centre_b


def test_round_robin_gives_each_manager_a_turn_in_order(network, centre_a, call_centre):
    DistributionRule.objects.create(name="Все в А", centre=centre_a)
    owners = [distribute(new_prospect(call_centre)).owner for _ in range(5)]
    a1, a2 = network["a1"], network["a2"]
    assert owners == [a1, a2, a1, a2, a1]


def test_least_loaded_picks_the_manager_with_fewest_open_prospects_and_tasks(
    network, centre_a, call_centre
):
    from sputnik.activities.services import task_create

    DistributionRule.objects.create(
        name="Наименее загруженный",
        centre=centre_a,
        strategy=DistributionRule.Strategy.LEAST_LOADED,
    )
    a1, a2 = network["a1"], network["a2"]
    person_create(actor=a1, data={"last_name": "Свой"})  # a1 owns one open prospect
    assert distribute(new_prospect(call_centre)).owner == a2
    # Now both hold one prospect; two open tasks make a1 busier still... and a2 busier.
    for n in range(2):
        task_create(actor=a2, assignee=a2, title=f"Дело {n}")
    assert distribute(new_prospect(call_centre)).owner == a1


def test_a_centre_queue_rule_places_the_prospect_with_no_manager(network, centre_a, call_centre):
    DistributionRule.objects.create(
        name="Очередь А", centre=centre_a, strategy=DistributionRule.Strategy.CENTRE_QUEUE
    )
    result = distribute(new_prospect(call_centre))
    assert (result.centre, result.owner) == (centre_a, None)


def test_working_hours_rule_skips_a_closed_centre_and_managers_off_duty(
    network, centre_a, centre_b, call_centre, monkeypatch
):
    DistributionRule.objects.create(
        name="А в рабочее время", priority=1, centre=centre_a, on_duty_only=True
    )
    DistributionRule.objects.create(name="Иначе Б", priority=2, centre=centre_b)
    monday = dt.date(2026, 11, 23)
    assert monday.weekday() == 0
    WorkingHours.objects.create(centre=centre_a, weekday=0, starts=dt.time(9), ends=dt.time(20))
    # a2 works mornings only
    WorkingHours.objects.create(
        centre=centre_a, user=network["a2"], weekday=0, starts=dt.time(9), ends=dt.time(12)
    )

    def at(hour: int) -> None:
        moment = dt.datetime.combine(monday, dt.time(hour), tzinfo=MSK)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    at(22)  # the centre is closed: the next rule
    assert distribute(new_prospect(call_centre)).centre == centre_b
    at(15)  # open, but only a1 is on duty
    owners = {distribute(new_prospect(call_centre)).owner for _ in range(3)}
    assert owners == {network["a1"]}
    at(10)  # both on duty: round-robin over both
    owners = {distribute(new_prospect(call_centre)).owner for _ in range(2)}
    assert owners == {network["a1"], network["a2"]}


def test_working_hours_are_read_in_the_centres_own_time_zone(
    network, centre_a, centre_b, call_centre, monkeypatch
):
    CentreDistributionSettings.objects.create(centre=centre_b, time_zone="Asia/Yekaterinburg")
    DistributionRule.objects.create(name="Б", priority=1, centre=centre_b, on_duty_only=True)
    WorkingHours.objects.create(centre=centre_b, weekday=0, starts=dt.time(9), ends=dt.time(18))
    # 17:30 in Moscow is 19:30 in Yekaterinburg: closed there, so it waits unassigned.
    moment = dt.datetime(2026, 11, 23, 17, 30, tzinfo=MSK)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    assert distribute(new_prospect(call_centre)).centre == call_centre
    moment = dt.datetime(2026, 11, 23, 15, 30, tzinfo=MSK)  # 17:30 there: open
    assert distribute(new_prospect(call_centre)).centre == centre_b


def test_distribution_is_audited_as_a_transfer_and_recorded_as_the_one_current_assignment(
    network, centre_a, call_centre
):
    rule = DistributionRule.objects.create(name="Все в А", centre=centre_a)
    person = new_prospect(call_centre)
    result = distribute(person)
    entry = AuditEntry.objects.filter(subject_person_id=person.pk, action="transfer").get()
    assert entry.before == {"centre": call_centre.pk, "owner": None}
    assert entry.after == {"centre": centre_a.pk, "owner": result.owner.pk}
    assert rule.name in entry.summary
    current = ProspectAssignment.objects.get(person=person, is_current=True)
    assert (current.centre, current.owner, current.rule) == (centre_a, result.owner, rule)
    assert current.assigned_at is not None


def test_a_person_who_already_has_a_manager_is_kept_where_they_are(
    network, person, centre_b, centre_a
):
    DistributionRule.objects.create(name="Всё в Б", centre=centre_b)
    result = distribute(person)
    person.refresh_from_db()
    assert result.kept and result.centre == centre_a and person.centre_id == centre_a.pk


def test_a_sales_manager_may_not_run_the_distribution(network, centre_a, call_centre):
    from sputnik.parties.errors import AccessDenied

    person = person_create(actor=network["a1"], data={"last_name": "Свой"})
    with pytest.raises(AccessDenied):
        prospect_distribute(actor=network["a1"], person=person)


@pytest.mark.django_db(transaction=True)
def test_round_robin_stays_fair_when_prospects_arrive_at_the_same_moment(
    network, centre_a, call_centre
):
    """Four workers distribute 24 prospects at once: the pointer row lock serialises the
    turns, so the two managers get 12 each (on SQLite writers serialise anyway)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (SQLite in-memory is one connection)")
    DistributionRule.objects.create(name="Все в А", centre=centre_a)
    people = [new_prospect(call_centre) for _ in range(24)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(chunk: list[Person]) -> None:
        try:
            barrier.wait()
            for p in chunk:
                distribute(p)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(people[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    counts = {
        u: Person.objects.filter(pk__in=[p.pk for p in people], owner=u).count()
        for u in (network["a1"], network["a2"])
    }
    assert counts == {network["a1"]: 12, network["a2"]: 12}
