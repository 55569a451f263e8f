"""prospect_capture: the lead-intake service web forms (and the configurator) call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sputnik.activities.models import Task
from sputnik.core.models import AuditEntry
from sputnik.core.services import system_actor
from sputnik.parties.models import Consent, ContactPoint, DistributionRule, Person, Source
from sputnik.parties.services.intake import ConsentRequest, prospect_capture

pytestmark = pytest.mark.django_db

PD = ConsentRequest(purpose="personal_data", channel="any", wording_version="form7.v3")


def capture(**kwargs):
    base = {"actor": system_actor(), "source": Source.WEB_FORM}
    return prospect_capture(**{**base, **kwargs})


def test_a_new_lead_becomes_a_prospect_with_consent_evidence_and_utm(centre_a, interests):
    result = capture(
        first_name="Анна",
        last_name="Петрова",
        phone="8 (903) 111-22-33",
        email="Anna.Petrova@Example.RU",
        utm={"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "pickup-2026"},
        referrer="https://dealer.example/pickup?utm_source=yandex",
        consents=[
            PD,
            ConsentRequest(purpose="marketing", channel="sms", wording_version="form7.v3"),
        ],
        evidence="web form #7 submission #41, wording v3, IP 203.0.113.5",
        ip_address="203.0.113.5",
        interest_codes=["pickup", "no-such-interest"],
        city="Москва",
    )
    person = result.person
    assert result.created is True
    assert (person.first_name, person.last_name, person.source) == ("Анна", "Петрова", "web_form")
    assert (person.utm_source, person.utm_medium, person.utm_campaign) == (
        "yandex",
        "cpc",
        "pickup-2026",
    )
    assert sorted(person.contacts.values_list("kind", "value")) == [
        ("email", "anna.petrova@example.ru"),
        ("phone", "+79031112233"),
    ]
    assert list(person.interests.values_list("slug", flat=True)) == ["pickup"]
    assert person.addresses.get().city == "Москва"
    consents = {(c.purpose, c.channel): c for c in Consent.objects.filter(person=person)}
    assert set(consents) == {("personal_data", "any"), ("marketing", "sms")}
    grant = consents[("personal_data", "any")]
    assert grant.source == Consent.Source.WEB_FORM
    assert grant.wording_version == "form7.v3"
    assert grant.evidence == "web form #7 submission #41, wording v3, IP 203.0.113.5"
    assert grant.ip_address == "203.0.113.5"
    assert AuditEntry.objects.filter(subject_person_id=person.pk, action="create").exists()


def test_a_lead_with_another_spelling_of_a_known_phone_is_the_known_person(person):
    before = Person.objects.count()
    result = capture(first_name="Сергей", phone="+7 912 345 67 89", consents=[PD])
    assert result.created is False
    assert result.person.pk == person.pk
    assert Person.objects.count() == before
    assert Consent.objects.filter(person=person, purpose="personal_data").count() == 1


def test_a_known_e_mail_in_other_case_matches_and_the_new_phone_is_added(person):
    result = capture(first_name="Сергей", email="SERGEY.IVANOV@example.ru", phone="89035550011")
    assert result.person.pk == person.pk
    phones = set(person.contacts.filter(kind="phone").values_list("value", flat=True))
    assert phones == {"+79123456789", "+79035550011"}
    # First touch stays: the person came from elsewhere before the form.
    person.refresh_from_db()
    assert person.source != Source.WEB_FORM


def test_a_family_member_on_a_shared_phone_is_not_taken_for_its_owner(person):
    result = capture(first_name="Мария", last_name="Иванова", phone="8 912 345 67 89")
    assert result.created is True
    assert result.person.pk != person.pk
    assert ContactPoint.objects.filter(value="+79123456789", kind="phone").count() == 2


def test_bad_input_names_each_field_and_writes_nothing(centre_a):
    persons, consents, audits = (
        Person.objects.count(),
        Consent.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        capture(first_name="  ", phone="call me maybe", email="not-an-email", consents=[PD])
    errors = caught.value.message_dict
    assert set(errors) >= {"first_name", "phone", "email"}
    with pytest.raises(ValidationError) as caught:
        capture(first_name="Иван")
    assert "phone" in caught.value.message_dict
    assert (Person.objects.count(), Consent.objects.count(), AuditEntry.objects.count()) == (
        persons,
        consents,
        audits,
    )


def test_a_new_lead_is_distributed_by_the_rules_and_its_manager_gets_a_task(
    centre_a, centre_b, outsider, interests
):
    rule = DistributionRule.objects.create(
        name="Пикапы — Екатеринбург", interests=["pickup"], centre=centre_b, priority=1
    )
    result = capture(
        first_name="Олег",
        phone="+7 343 222-33-44",
        interest_codes=["pickup"],
        comment="Хочу тест-драйв в субботу",
        utm={"utm_source": "vk"},
        centre_id=centre_a.pk,
    )
    person = Person.objects.get(pk=result.person.pk)
    assert (person.centre_id, person.owner_id) == (centre_b.pk, outsider.pk)
    assert result.assignment.rule == rule
    task = Task.objects.get(person_id=person.pk)
    assert task == result.task
    assert task.assignee == outsider
    assert task.kind == "follow_up"
    assert task.due_at is not None
    assert "Хочу тест-драйв в субботу" in task.description
    assert "utm_source=vk" in task.description


def test_a_known_customer_stays_with_their_manager_who_gets_the_task(person, owner, centre_b):
    DistributionRule.objects.create(name="Всё в Б", centre=centre_b, priority=1)
    result = capture(first_name="Сергей", phone="89123456789", comment="Перезвоните")
    person.refresh_from_db()
    assert (person.centre_id, person.owner_id) == (owner.centre_id, owner.pk)
    assert result.task.assignee == owner
    assert result.task.person_id == person.pk


def test_a_lead_no_manager_takes_is_queued_and_the_centre_head_gets_the_task(
    centre_a, head, interests
):
    result = capture(first_name="Пётр", phone="+7 999 123-45-67")
    person = Person.objects.get(pk=result.person.pk)
    assert person.owner_id is None
    assert person.centre_id == centre_a.pk  # the only centre is the queue
    assert result.task is not None and result.task.assignee == head
