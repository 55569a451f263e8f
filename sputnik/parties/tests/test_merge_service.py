"""person_merge: everything moves to the survivor, both are audited, consents merge
conservatively, and bad input (self, hidden, stale, cross-centre, rights) is refused with
nothing half-written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sputnik.activities.models import Interaction
from sputnik.activities.services import note_create
from sputnik.core.events import subscribe
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Address,
    Asset,
    CompanyRole,
    Consent,
    ContactPoint,
    ImportantDate,
    Person,
    Relation,
    StageChange,
)
from sputnik.parties.selectors import may_contact
from sputnik.parties.services import (
    address_create,
    asset_create,
    company_create,
    company_role_create,
    consent_give,
    consent_withdraw,
    important_date_create,
    person_create,
    person_update,
    relation_create,
)
from sputnik.parties.services.merge import merge_fingerprint, person_merge


@pytest.fixture
def twin(owner):
    """A second record of the `person` fixture's customer, typed in Latin with a slip."""
    return person_create(
        actor=owner,
        data={
            "last_name": "Ivanof",
            "first_name": "Sergei",
            "birthday": "1980-02-03",
            "phones": ["+7 912 345 67 89", "+7 903 000 11 22"],
            "emails": ["s.ivanov@work.example"],
            "tags": ["vip-event"],
            "custom": {},
        },
    )


def test_merge_moves_every_linked_record_and_deletes_the_merged_person(owner, person, twin):
    friend = person_create(actor=owner, data={"last_name": "Друг", "first_name": "Пётр"})
    relation_create(actor=owner, person=twin, other=friend, kind="friend")
    relation_create(actor=owner, person=twin, other=person, kind="family")  # becomes self
    relation_create(actor=owner, person=person, other=friend, kind="colleague")
    asset_create(actor=owner, person=twin, data={"make": "Lada", "model": "Niva"})
    address_create(actor=owner, person=twin, data={"city": "Тула", "street": "Ленина, 1"})
    important_date_create(actor=owner, person=twin, label="Свадьба", date="2010-06-12")
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    company_role_create(actor=owner, person=twin, company=company, title="Директор")
    note = note_create(actor=owner, person_id=twin.pk, body="Звонил по поводу ТО")
    twin_id = twin.pk

    kept = person_merge(actor=owner, survivor=person, merged=twin, choices={"birthday": "merged"})

    assert kept.pk == person.pk
    assert not Person.objects.filter(pk=twin_id).exists()
    assert str(kept.birthday) == "1980-02-03"
    assert kept.last_name == "Иванов"  # the survivor's value by default
    phones = sorted(
        ContactPoint.objects.filter(person=kept, kind="phone").values_list("value", flat=True)
    )
    assert phones == ["+79030001122", "+79123456789"]  # the shared phone once
    assert ContactPoint.objects.filter(person=kept, kind="phone", is_primary=True).count() == 1
    assert set(
        ContactPoint.objects.filter(person=kept, kind="email").values_list("value", flat=True)
    ) == {
        "sergey.ivanov@example.ru",
        "s.ivanov@work.example",
    }
    assert Asset.objects.filter(person=kept, make="Lada").exists()
    assert Address.objects.filter(person=kept, city="Тула").exists()
    assert ImportantDate.objects.filter(person=kept, label="Свадьба").exists()
    assert CompanyRole.objects.filter(person=kept, company=company).exists()
    assert sorted(Relation.objects.filter(person=kept).values_list("other_id", "kind")) == sorted(
        [(friend.pk, "friend"), (friend.pk, "colleague")]
    )
    assert not Relation.objects.filter(person=kept, other=kept).exists()
    assert StageChange.objects.filter(person=kept).count() == 2
    assert list(kept.tags.values_list("name", flat=True)) == ["vip-event"]
    moved = Interaction.objects.get(pk=note.pk)
    assert moved.person_id == kept.pk and moved.centre_id == kept.centre_id


def test_merge_is_audited_on_both_records_with_the_before_values(owner, person, twin):
    twin_id = twin.pk
    person_merge(actor=owner, survivor=person, merged=twin, choices={"first_name": "merged"})
    entry = AuditEntry.objects.filter(subject_person_id=person.pk).order_by("-id").first()
    assert entry.action == "update" and entry.actor_id == owner.pk
    assert entry.before["first_name"] == "Сергей"
    assert entry.after["first_name"] == "Sergei"
    assert entry.after["merged_person_id"] == twin_id
    assert entry.after["merged_person"]["last_name"] == "Ivanof"
    gone = AuditEntry.objects.get(subject_person_id=twin_id, action="delete")
    assert gone.after == {"merged_into_person_id": person.pk}
    assert gone.before["last_name"] == "Ivanof"


def test_a_withdrawal_on_either_record_wins(owner, person, twin):
    consent_give(
        actor=owner,
        person=person,
        purpose="marketing",
        channel="sms",
        wording_version="v1",
        source="other",
    )
    consent_give(
        actor=owner,
        person=twin,
        purpose="marketing",
        channel="sms",
        wording_version="v1",
        source="other",
    )
    consent_withdraw(actor=owner, person=twin, purpose="marketing", channel="sms")
    consent_give(
        actor=owner,
        person=twin,
        purpose="service",
        channel="email",
        wording_version="v1",
        source="other",
    )
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")

    person_merge(actor=owner, survivor=person, merged=twin)

    assert not may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    assert may_contact(person_id=person.pk, channel="email", purpose="service")
    assert Consent.objects.filter(person=person).count() == 3  # the evidence is kept


def test_a_withdrawal_for_any_channel_withdraws_every_channel_of_the_purpose(owner, person, twin):
    consent_give(
        actor=owner,
        person=person,
        purpose="marketing",
        channel="email",
        wording_version="v1",
        source="other",
    )
    consent_give(
        actor=owner,
        person=twin,
        purpose="marketing",
        channel="any",
        wording_version="v1",
        source="other",
    )
    consent_withdraw(actor=owner, person=twin, purpose="marketing", channel="any")
    person_merge(actor=owner, survivor=person, merged=twin)
    assert not may_contact(person_id=person.pk, channel="email", purpose="marketing")


def test_a_person_cannot_be_merged_with_themselves(owner, person):
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=owner, survivor=person, merged=person)
    assert "merged" in exc.value.message_dict
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_hidden_record_is_not_visible_and_nothing_changes(
    outsider, colleague, person, other_head
):
    theirs = person_create(actor=outsider, data={"last_name": "Иванов", "first_name": "Сергей"})
    for actor in (outsider, other_head):
        with pytest.raises(AccessDenied, match="not visible"):
            person_merge(actor=actor, survivor=theirs, merged=person)
    mine = person_create(actor=colleague, data={"last_name": "Иванов", "first_name": "Сергей"})
    with pytest.raises(AccessDenied, match="not visible"):
        person_merge(actor=colleague, survivor=mine, merged=person)  # owned by someone else
    assert Person.objects.filter(pk__in=[person.pk, theirs.pk, mine.pk]).count() == 3


def test_read_only_roles_may_not_merge(executive, marketer, person, twin):
    for actor in (executive, marketer):
        with pytest.raises(AccessDenied):
            person_merge(actor=actor, survivor=person, merged=twin)
    assert Person.objects.filter(pk=twin.pk).exists()


def test_only_a_role_seeing_every_centre_with_the_transfer_right_merges_across_centres(
    operator, admin_user, person, outsider
):
    theirs = person_create(actor=outsider, data={"last_name": "Ivanov", "first_name": "Sergey"})
    with pytest.raises(AccessDenied):
        person_merge(actor=operator, survivor=person, merged=theirs)
    assert Person.objects.filter(pk=theirs.pk).exists()
    person_merge(actor=admin_user, survivor=person, merged=theirs)
    assert not Person.objects.filter(pk=theirs.pk).exists()


def test_a_centre_head_merges_within_the_centre(head, person, twin):
    person_merge(actor=head, survivor=twin, merged=person)
    assert (
        Person.objects.filter(pk=twin.pk).exists()
        and not Person.objects.filter(pk=person.pk).exists()
    )


def test_a_stale_screen_is_refused_with_a_clear_message(owner, person, twin):
    prints = {person.pk: merge_fingerprint(person), twin.pk: merge_fingerprint(twin)}
    person_update(actor=owner, person=twin, data={"job_title": "Инженер"})
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        person_merge(actor=owner, survivor=person, merged=twin, fingerprints=prints)
    assert "changed by someone else" in " ".join(exc.value.messages)
    assert Person.objects.filter(pk=twin.pk).exists()


def test_an_unknown_choice_is_a_field_error_and_nothing_moves(owner, person, twin):
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=owner, survivor=person, merged=twin, choices={"centre_id": "merged"})
    assert "centre_id" in exc.value.message_dict
    assert ContactPoint.objects.filter(person=twin).count() == 3


def test_a_failing_subscriber_rolls_the_whole_merge_back(owner, person, twin):
    calls = []

    @subscribe("person.merged")
    def broken(**payload):
        calls.append(payload)
        if payload.get("merged_id") == twin.pk:
            raise RuntimeError("sales could not move deals")

    try:
        with pytest.raises(RuntimeError):
            person_merge(actor=owner, survivor=person, merged=twin)
    finally:
        from sputnik.core import events

        events._handlers["person.merged"] = [
            h for h in events._handlers["person.merged"] if h[0] is not broken
        ]
    assert calls and calls[0]["survivor_id"] == person.pk and calls[0]["actor"] == owner
    assert Person.objects.filter(pk=twin.pk).exists()
    assert ContactPoint.objects.filter(person=twin).count() == 3
