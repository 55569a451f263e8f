"""The demo loader builds a believable, valid network on the test database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sputnik.activities.models import Interaction
from sputnik.core.models import Centre, CustomFieldDefinition, User
from sputnik.core.normalize import normalize_phone, normalize_vin, search_key
from sputnik.core.roles import Role
from sputnik.parties.models import Asset, ContactPoint, Person, Relation, StageChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("demo", persons=200, no_serve=True, stdout=out)
    return out.getvalue()


def test_demo_creates_five_centres_with_region_and_city(demo: str) -> None:
    centres = list(Centre.objects.all())
    assert len(centres) == 5
    assert {c.kind for c in centres} == {"showroom", "service", "call_centre", "head_office"}
    assert all(c.region and c.city for c in centres)


def test_demo_creates_users_of_every_role_and_an_administrator(demo: str) -> None:
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="sales1").check_password("demo12345")
    assert User.objects.count() >= 35


def test_demo_prints_the_password_and_logins_per_role(demo: str) -> None:
    assert "demo12345" in demo
    for login in ("admin", "head1", "sales1", "operator1", "marketing1", "service1", "exec1"):
        assert login in demo


def test_demo_persons_have_valid_phones_and_a_search_name(demo: str) -> None:
    # the 200 generated, plus the few leads the demo's stories take in through services
    # (web-form submissions, distributed prospects)
    assert 200 <= Person.objects.count() <= 220
    phones = list(ContactPoint.objects.filter(kind="phone").values_list("value", flat=True))
    assert len(phones) >= 200
    assert all(normalize_phone(p) == p and p.startswith("+79") for p in phones)
    for person in Person.objects.all():
        assert person.search_name == search_key(
            person.last_name, person.first_name, person.middle_name
        )
    emails = ContactPoint.objects.filter(kind="email").values_list("value", flat=True)
    assert all(e == e.lower() and "@" in e for e in emails)


def test_demo_vehicles_have_valid_vins(demo: str) -> None:
    # a car handed over without a known VIN is kept with a blank one (Asset.vin is optional)
    vins = list(Asset.objects.exclude(vin="").values_list("vin", flat=True))
    assert vins
    assert all(normalize_vin(v) == v for v in vins)


def test_demo_fills_the_timeline_stage_history_and_relations(demo: str) -> None:
    kinds = set(Interaction.objects.values_list("kind", flat=True))
    assert {"note", "call", "stage_change"} <= kinds
    assert Interaction.objects.count() > 1000  # two persons carry 1,000 entries each
    assert StageChange.objects.exists()
    assert Relation.objects.exists()
    assert CustomFieldDefinition.objects.filter(entity="person").count() >= 3


def test_demo_tells_the_story_of_a_pickup_prospect_and_a_fishing_customer(demo: str) -> None:
    prospect = Person.objects.get(search_name="кузнецов андрей викторович")
    assert prospect.stage == "prospect"
    assert prospect.centre.name == "Автоцентр Юг"
    assert prospect.interests.filter(slug="pickups").exists()
    customer = Person.objects.get(search_name="смирнов олег петрович")
    assert set(customer.interests.values_list("slug", flat=True)) >= {"fishing", "hunting"}
    # the Prado bought three years ago (the demo's orders may hand over a newer car too)
    vehicle = customer.assets.order_by("id").first()
    assert vehicle is not None
    assert vehicle.purchase_date is not None
    assert 2.9 < (timezone.localdate() - vehicle.purchase_date).days / 365.25 < 3.1
    assert vehicle.model == "Land Cruiser Prado"


def test_demo_refuses_a_database_with_data_unless_reset(demo: str) -> None:
    with pytest.raises(CommandError, match="already holds data"):
        call_command("demo", persons=10, no_serve=True, stdout=StringIO())
    call_command("demo", persons=10, no_serve=True, reset=True, stdout=StringIO())
    assert 10 <= Person.objects.count() <= 30  # plus the story leads taken in through services
    assert Centre.objects.count() == 5


def test_demo_story_customers_have_an_audited_history(demo: str) -> None:
    from sputnik.core.models import AuditEntry
    from sputnik.parties.models import ContactPoint

    for phone in ("+79167452381", "+79184567312"):
        person_id = ContactPoint.objects.get(kind="phone", value=phone).person_id
        entry = AuditEntry.objects.filter(subject_person_id=person_id, action="update").first()
        assert entry is not None and entry.actor is not None
