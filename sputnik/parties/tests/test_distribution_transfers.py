"""One centre at a time: refused takes name the holder, transfers go through the holding
centre's head, and every step is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sputnik.conftest import make_user
from sputnik.core.models import AuditEntry
from sputnik.core.roles import Role
from sputnik.core.services import system_actor
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    OwnershipConflict,
    Person,
    ProspectAssignment,
    TransferRequest,
)
from sputnik.parties.services import person_create
from sputnik.parties.services.distribution import (
    OwnershipConflictError,
    ownership_check,
    prospect_take,
    transfer_request_approve,
    transfer_request_cancel,
    transfer_request_create,
    transfer_request_reject,
)

pytestmark = pytest.mark.django_db


def test_another_centres_take_is_refused_naming_the_centre_and_manager_and_kept(
    person, outsider, owner, centre_a
):
    with pytest.raises(OwnershipConflictError) as caught:
        prospect_take(actor=outsider, person_id=person.pk)
    message = caught.value.message
    assert centre_a.name in message and owner.display_name in message
    # Organisation data only: nothing of the customer.
    assert person.last_name not in message and "912" not in message
    person.refresh_from_db()
    assert (person.centre_id, person.owner_id) == (centre_a.pk, owner.pk)
    conflict = OwnershipConflict.objects.get()
    assert (conflict.person_id, conflict.owner_centre_id, conflict.attempted_by_id) == (
        person.pk,
        centre_a.pk,
        outsider.pk,
    )
    assert conflict.action == OwnershipConflict.Action.TAKE


def test_inviting_another_centres_customer_is_refused_but_network_desks_may(
    person, outsider, operator, centre_a
):
    with pytest.raises(OwnershipConflictError, match=centre_a.name):
        ownership_check(actor=outsider, person_id=person.pk, action="invite")
    ownership_check(actor=operator, person_id=person.pk, action="invite")  # no error
    assert OwnershipConflict.objects.filter(action="invite").count() == 1


def test_a_missing_person_is_the_not_visible_refusal(outsider):
    with pytest.raises(AccessDenied, match="not visible"):
        prospect_take(actor=outsider, person_id=987654)
    with pytest.raises(AccessDenied, match="not visible"):
        transfer_request_create(actor=outsider, person_id=987654, reason="Клиент наш")


def test_a_prospect_waiting_in_the_call_centre_queue_can_be_taken_by_any_centre(
    outsider, call_centre, centre_b
):
    waiting = person_create(
        actor=system_actor(), data={"last_name": "Очередь", "centre_id": call_centre.pk}
    )
    result = prospect_take(actor=outsider, person_id=waiting.pk)
    waiting.refresh_from_db()
    assert (waiting.centre_id, waiting.owner_id) == (centre_b.pk, outsider.pk)
    assert result.method == ProspectAssignment.Method.TAKE
    assert AuditEntry.objects.filter(subject_person_id=waiting.pk, action="transfer").exists()
    # Now it is held: a second taker of another centre is refused with outsider's name.
    colleague_elsewhere = make_user("third", Role.SALES_MANAGER, call_centre)
    with pytest.raises(OwnershipConflictError, match=outsider.display_name):
        prospect_take(actor=colleague_elsewhere, person_id=waiting.pk)


@pytest.fixture
def request_b(person, outsider) -> TransferRequest:
    return transfer_request_create(
        actor=outsider, person_id=person.pk, reason="Клиент живёт в Екатеринбурге"
    )


def test_a_transfer_request_records_who_asks_for_what_and_waits(request_b, person, outsider):
    assert request_b.status == TransferRequest.Status.PENDING
    assert (request_b.from_centre_id, request_b.to_centre_id) == (
        person.centre_id,
        outsider.centre_id,
    )
    assert request_b.from_owner_id == person.owner_id
    assert AuditEntry.objects.filter(entity="parties.transferrequest", action="create").exists()


def test_a_second_request_from_the_same_centre_is_refused_with_a_message(
    request_b, person, outsider
):
    with pytest.raises(ValidationError) as caught:
        transfer_request_create(actor=outsider, person_id=person.pk, reason="Ещё раз")
    assert "person_id" in caught.value.message_dict
    assert TransferRequest.objects.count() == 1


def test_a_request_without_a_reason_or_for_ones_own_centre_is_refused(person, outsider, colleague):
    with pytest.raises(ValidationError) as caught:
        transfer_request_create(actor=outsider, person_id=person.pk, reason="   ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        transfer_request_create(actor=colleague, person_id=person.pk, reason="Мой")
    assert "person_id" in caught.value.message_dict
    assert not TransferRequest.objects.exists()


def test_the_holding_centres_head_approves_and_the_person_moves_to_the_requester(
    request_b, person, head, outsider, centre_b
):
    transfer_request_approve(actor=head, request_id=request_b.pk, note="Согласовано")
    person.refresh_from_db()
    request_b.refresh_from_db()
    assert (person.centre_id, person.owner_id) == (centre_b.pk, outsider.pk)
    assert request_b.status == TransferRequest.Status.APPROVED
    assert (request_b.decided_by_id, request_b.decision_note) == (head.pk, "Согласовано")
    assert request_b.decided_at is not None
    # person_transfer's own audit entry, and the decision's
    assert AuditEntry.objects.filter(
        subject_person_id=person.pk, action="transfer", actor=head
    ).exists()
    assert AuditEntry.objects.filter(
        entity="parties.transferrequest", entity_id=request_b.pk, action="update"
    ).exists()
    current = ProspectAssignment.objects.get(person=person, is_current=True)
    assert (current.centre_id, current.method) == (centre_b.pk, ProspectAssignment.Method.TRANSFER)


def test_the_head_may_reject_and_the_person_stays(request_b, person, head, centre_a):
    transfer_request_reject(actor=head, request_id=request_b.pk, note="Клиент наш")
    person.refresh_from_db()
    request_b.refresh_from_db()
    assert person.centre_id == centre_a.pk
    assert request_b.status == TransferRequest.Status.REJECTED


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("other_head", "transfer.decide"),  # the requesting centre's head sees it, no more
        ("colleague", "not visible"),  # does not see the request at all
        ("outsider", "transfer.decide"),  # sees their own request, may not decide it
        ("advisor", "not visible"),
        ("executive", "transfer.decide"),  # reads every request, decides none
    ],
)
def test_only_the_holding_centres_head_decides(request_b, person, persona, refusal, request):
    actor = request.getfixturevalue(persona)
    for decide in (transfer_request_approve, transfer_request_reject):
        with pytest.raises(AccessDenied) as caught:
            decide(actor=actor, request_id=request_b.pk)
        assert caught.value.args[0] == refusal
    request_b.refresh_from_db()
    person.refresh_from_db()
    assert request_b.status == TransferRequest.Status.PENDING
    assert person.centre_id == request_b.from_centre_id


def test_a_decided_request_cannot_be_decided_again(request_b, head):
    transfer_request_reject(actor=head, request_id=request_b.pk)
    with pytest.raises(ValidationError):
        transfer_request_approve(actor=head, request_id=request_b.pk)


def test_a_request_made_stale_by_another_transfer_is_refused(
    request_b, person, head, centre_b, call_centre
):
    from sputnik.parties.services import person_transfer

    person_transfer(actor=head, person=person, centre_id=call_centre.pk)
    admin = system_actor()
    with pytest.raises(ValidationError, match="out of date"):
        transfer_request_approve(actor=admin, request_id=request_b.pk)
    assert Person.objects.get(pk=person.pk).centre_id == call_centre.pk


def test_the_requester_may_withdraw_a_pending_request(request_b, outsider, head):
    transfer_request_cancel(actor=outsider, request_id=request_b.pk)
    request_b.refresh_from_db()
    assert request_b.status == TransferRequest.Status.CANCELLED
    with pytest.raises(AccessDenied):
        transfer_request_cancel(actor=head, request_id=request_b.pk)


def test_a_colleague_of_the_same_centre_is_told_to_ask_the_head_not_to_transfer(
    person, colleague, owner
):
    with pytest.raises(ValidationError) as caught:
        prospect_take(actor=colleague, person_id=person.pk)
    assert owner.display_name in caught.value.message_dict["person_id"][0]
    assert not OwnershipConflict.objects.exists()  # not a conflict between centres
