"""The distribution pages and API: card panel, take, transfer request from a lookup hit,
the heads' decisions, the report by persona and its CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from sputnik.core.services import token_create
from sputnik.parties.models import (
    DistributionRule,
    OwnershipConflict,
    Person,
    ProspectAssignment,
    TransferRequest,
)
from sputnik.parties.services.distribution import transfer_request_create

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    return Client(headers={"authorization": f"Bearer {token_create(actor=None, user=user)}"})


def test_the_card_panel_shows_the_holder_and_lets_the_head_assign(person, head, owner):
    response = signed_in(head).get(reverse("parties:distribution_card", args=[person.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert person.centre.name in body and owner.display_name in body
    assert reverse("parties:distribution_assign", args=[person.pk]) in body


def test_the_card_includes_the_panel_with_one_lazy_line(person, owner):
    body = signed_in(owner).get(reverse("parties:person_detail", args=[person.pk])).content
    assert reverse("parties:distribution_card", args=[person.pk]).encode() in body


def test_an_outsider_taking_an_owned_prospect_is_told_who_holds_it_and_sent_to_ask(
    person, outsider, owner, centre_a
):
    client = signed_in(outsider)
    response = client.post(reverse("parties:distribution_take"), {"person": person.pk}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("parties:transfer_request_create"))
    assert centre_a.name in body and owner.display_name in body
    # The request page names the holder, never the customer.
    assert person.last_name not in body and "912" not in body
    assert OwnershipConflict.objects.count() == 1
    person.refresh_from_db()
    assert person.owner_id == owner.pk


def test_a_transfer_request_from_the_lookup_hit_reaches_the_holding_head(
    person, outsider, head, centre_a
):
    client = signed_in(outsider)
    lookup = client.get(reverse("parties:distribution_lookup"), {"q": "+7 912 345-67-89"})
    text = lookup.content.decode()
    assert centre_a.name in text and person.last_name not in text
    url = reverse("parties:transfer_request_create")
    assert f"{url}?person={person.pk}" in text
    response = client.post(url, {"person": person.pk, "reason": "Живёт у нас"})
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    inbox = signed_in(head).get(reverse("parties:transfer_inbox")).content.decode()
    assert person.display_name in inbox  # the head sees the customer
    assert reverse("parties:transfer_request_approve", args=[transfer.pk]) in inbox


def test_the_request_page_for_a_missing_person_is_404(outsider):
    response = signed_in(outsider).get(reverse("parties:transfer_request_create") + "?person=98765")
    assert response.status_code == 404


def test_a_request_without_a_reason_is_shown_again_with_the_message(person, outsider):
    url = reverse("parties:transfer_request_create")
    response = signed_in(outsider).post(url, {"person": person.pk, "reason": ""})
    assert response.status_code == 200
    assert not TransferRequest.objects.exists()


@pytest.fixture
def transfer(person, outsider):
    return transfer_request_create(actor=outsider, person_id=person.pk, reason="Живёт у нас")


def test_the_holding_head_approves_on_the_web_and_the_person_moves(
    transfer, person, head, centre_b
):
    url = reverse("parties:transfer_request_approve", args=[transfer.pk])
    response = signed_in(head).post(url, {"note": "Да"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.centre_id == centre_b.pk


@pytest.mark.parametrize(
    ("persona", "status"),
    [("colleague", 404), ("advisor", 404), ("other_head", 403), ("outsider", 403)],
)
def test_others_cannot_decide_on_the_web(transfer, person, persona, status, request):
    client = signed_in(request.getfixturevalue(persona))
    for name in ("parties:transfer_request_approve", "parties:transfer_request_reject"):
        assert client.post(reverse(name, args=[transfer.pk])).status_code == status
    transfer.refresh_from_db()
    assert transfer.status == TransferRequest.Status.PENDING


def test_the_api_refuses_a_take_with_409_naming_the_holder(person, outsider, centre_a, owner):
    response = api(outsider).post(
        "/api/v1/prospects/take", json.dumps({"person_id": person.pk}), "application/json"
    )
    assert response.status_code == 409
    data = response.json()
    assert data["centre"]["name"] == centre_a.name
    assert data["owner"]["display_name"] == owner.display_name
    assert person.last_name not in response.content.decode()


def test_the_api_creates_and_decides_transfer_requests(person, outsider, head, other_head):
    created = api(outsider).post(
        "/api/v1/transfer-requests",
        json.dumps({"person_id": person.pk, "reason": "Живёт у нас"}),
        "application/json",
    )
    assert created.status_code == 201
    out = created.json()
    assert out["person_name"] is None  # the asker does not see the customer yet
    url = f"/api/v1/transfer-requests/{out['id']}/approve"
    refused = api(other_head).post(url, "{}", "application/json")
    assert refused.status_code == 403
    approved = api(head).post(url, json.dumps({"note": "ok"}), "application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    person.refresh_from_db()
    assert person.owner_id == outsider.pk


def test_the_api_refuses_an_unknown_field_and_a_missing_person(outsider):
    client = api(outsider)
    body = {"person_id": 98765, "reason": "x", "centre_id": 1}
    assert (
        client.post("/api/v1/transfer-requests", json.dumps(body), "application/json").status_code
        == 422
    )
    body.pop("centre_id")
    assert (
        client.post("/api/v1/transfer-requests", json.dumps(body), "application/json").status_code
        == 404
    )


# --- the report -------------------------------------------------------------------------


@pytest.fixture
def history(person, outsider, head, operator, centre_b):
    """One refused take by centre B, one approved transfer A → B."""
    from sputnik.parties.services.distribution import (
        OwnershipConflictError,
        prospect_take,
        transfer_request_approve,
    )

    with pytest.raises(OwnershipConflictError):
        prospect_take(actor=outsider, person_id=person.pk)
    transfer = transfer_request_create(actor=outsider, person_id=person.pk, reason="=HYPERLINK(1)")
    transfer_request_approve(actor=head, request_id=transfer.pk)
    return transfer


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("head", 200),
        ("other_head", 200),
        ("executive", 200),
        ("admin_user", 200),
        ("owner", 403),
        ("operator", 403),
        ("marketer", 403),
    ],
)
def test_the_report_is_for_heads_executives_and_administrators(history, persona, status, request):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("parties:distribution_report")).status_code == status
    assert client.get(reverse("parties:distribution_report_csv")).status_code == status


def test_a_head_sees_only_rows_of_their_centre(history, head, centre_a, centre_b, call_centre):
    from sputnik.conftest import make_user

    third = make_user("third", "sales_manager", call_centre)
    other = Person.objects.create(last_name="Другой", centre=centre_b, owner=None)
    from sputnik.parties.services.distribution import OwnershipConflictError, ownership_check

    with pytest.raises(OwnershipConflictError):
        ownership_check(actor=third, person_id=other.pk, action="invite")
    body = signed_in(head).get(reverse("parties:distribution_report")).content.decode()
    assert centre_a.name in body and call_centre.name not in body


def test_the_csv_counts_by_centre_and_neutralises_formulas(history, executive, centre_a, centre_b):
    response = signed_in(executive).get(reverse("parties:distribution_report_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    by_centre = {r[0]: r for r in rows if r and r[0] in (centre_a.name, centre_b.name)}
    # centre A: 1 refused attempt on its customers, 1 transfer asked of it and approved
    assert by_centre[centre_a.name][1:9] == ["1", "0", "0", "0", "1", "1", "0", "0"]
    # centre B: 1 refused attempt of its own, 1 transfer asked and received
    assert by_centre[centre_b.name][1:9] == ["0", "1", "1", "1", "0", "0", "0", "0"]
    reasons = [r[-1] for r in rows if r and "HYPERLINK" in r[-1]]
    assert reasons == ["'=HYPERLINK(1)"]


def test_the_leads_page_filters_escalated_leads(person, head, centre_a):
    from sputnik.core.services import system_actor
    from sputnik.parties.services import person_create
    from sputnik.parties.services.distribution import prospect_distribute

    DistributionRule.objects.create(
        name="Очередь", centre=centre_a, strategy=DistributionRule.Strategy.CENTRE_QUEUE
    )
    lead = person_create(
        actor=system_actor(), data={"last_name": "Ждущий", "centre_id": centre_a.pk}
    )
    prospect_distribute(actor=system_actor(), person=lead)
    assignment = ProspectAssignment.objects.get(person=lead)
    from sputnik.parties.models import Escalation

    Escalation.objects.create(
        assignment=assignment, person=lead, centre=centre_a, reason="unassigned", head=head
    )
    client = signed_in(head)
    escalated = client.get(reverse("parties:distribution_leads"), {"state": "escalated"})
    assert "Ждущий" in escalated.content.decode()
    unassigned = client.get(reverse("parties:distribution_leads"), {"state": "uncontacted"})
    assert "Ждущий" not in unassigned.content.decode()


def test_administrators_define_rules_in_the_admin_and_heads_read_the_summary(
    admin_user, head, owner, centre_a
):
    admin = signed_in(admin_user)
    for url in (
        reverse("admin:parties_distributionrule_changelist"),
        reverse("admin:parties_distributionrule_add"),
        reverse("admin:parties_workinghours_add"),
        reverse("admin:parties_distributionsettings_changelist"),
        reverse("admin:parties_transferrequest_changelist"),
    ):
        assert admin.get(url).status_code == 200, url
    response = admin.post(
        reverse("admin:parties_distributionrule_add"),
        {
            "name": "Москва",
            "priority": 5,
            "is_active": "on",
            "regions": "[]",
            "cities": '["Москва"]',
            "interests": "[]",
            "products": "[]",
            "centre": centre_a.pk,
            "strategy": "round_robin",
        },
    )
    assert response.status_code == 302
    assert DistributionRule.objects.get().cities == ["Москва"]
    summary = signed_in(head).get(reverse("parties:distribution_rules"))
    assert summary.status_code == 200 and "Москва" in summary.content.decode()
    assert signed_in(owner).get(reverse("parties:distribution_rules")).status_code == 403


def test_a_rule_without_a_centre_needs_a_territory(admin_user):
    response = signed_in(admin_user).post(
        reverse("admin:parties_distributionrule_add"),
        {
            "name": "Где угодно",
            "priority": 5,
            "regions": "[]",
            "cities": "[]",
            "interests": "[]",
            "products": "[]",
            "strategy": "round_robin",
        },
    )
    assert response.status_code == 200  # the form again, with the message
    assert not DistributionRule.objects.exists()
