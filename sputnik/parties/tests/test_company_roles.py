"""A person's roles at companies: added and removed on the card and over the API,
audited, and never at (or revealing) a company the actor does not see."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sputnik.core.models import AuditEntry
from sputnik.core.tests.test_api_support import API, client_for, field_messages
from sputnik.parties.models import CompanyRole
from sputnik.parties.services import company_create, company_role_create, company_role_delete

pytestmark = pytest.mark.django_db

JSON = "application/json"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def company(owner):
    return company_create(actor=owner, data={"name": "ООО Ромашка"})


@pytest.fixture
def hidden_company(outsider):
    return company_create(actor=outsider, data={"name": "ООО Секрет"})


@pytest.fixture
def role(owner, person, company):
    return company_role_create(actor=owner, person=person, company=company, title="Директор")


def _roles() -> list:
    return list(CompanyRole.objects.order_by("pk").values())


# --- services ---------------------------------------------------------------------------


def test_adding_a_role_is_audited_on_the_person(owner, person, company):
    role = company_role_create(actor=owner, person=person, company=company, title=" Директор ")
    assert role.title == "Директор"
    assert AuditEntry.objects.filter(
        entity="parties.companyrole",
        entity_id=role.pk,
        action="create",
        subject_person_id=person.pk,
    ).exists()


def test_removing_a_role_is_audited_with_what_it_was(owner, person, role):
    company_role_delete(actor=owner, role=role)
    assert not CompanyRole.objects.exists()
    audit = AuditEntry.objects.get(entity="parties.companyrole", action="delete")
    assert audit.subject_person_id == person.pk
    assert audit.before["title"] == "Директор"


def test_a_hidden_company_is_refused_exactly_like_a_missing_one(owner, person, hidden_company):
    messages = []
    for company in (hidden_company, 987654321):
        with pytest.raises(ValidationError) as exc:
            company_role_create(actor=owner, person=person, company=company, title="Директор")
        messages.append(exc.value.message_dict)
    assert messages[0] == messages[1]
    assert "company_id" in messages[0]
    assert not CompanyRole.objects.exists()


def test_the_same_role_twice_is_a_field_error(owner, person, company, role):
    with pytest.raises(ValidationError) as exc:
        company_role_create(actor=owner, person=person, company=company, title="Директор")
    assert "title" in exc.value.message_dict
    assert CompanyRole.objects.count() == 1


# --- the card ---------------------------------------------------------------------------


def test_the_card_offers_adding_and_removing_roles(client, owner, person, role):
    client.force_login(owner)
    html = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert reverse("parties:person_company_role_add", args=[person.pk]) in html
    assert reverse("parties:person_company_role_delete", args=[person.pk, role.pk]) in html
    assert "ООО Ромашка" in html


def test_the_add_form_uses_the_company_autocomplete(client, owner, person, company):
    client.force_login(owner)
    response = client.get(reverse("parties:person_company_role_add", args=[person.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("parties:company_autocomplete") in html
    assert "data-autocomplete-value" in html
    assert "<script" not in html and " style=" not in html
    suggestions = client.get(
        reverse("parties:company_autocomplete"), {"company_name": "Ромаш"}, **HTMX
    ).content.decode()
    assert f'data-pick-value="{company.pk}"' in suggestions


def test_a_role_is_added_through_the_card_form(client, owner, person, company):
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_company_role_add", args=[person.pk]),
        {"company": company.pk, "company_name": company.name, "title": "Главбух"},
    )
    assert response.status_code == 302
    assert CompanyRole.objects.filter(person=person, company=company, title="Главбух").exists()


def test_a_hidden_company_in_the_card_form_is_the_missing_company_error(
    client, owner, person, hidden_company
):
    client.force_login(owner)
    url = reverse("parties:person_company_role_add", args=[person.pk])
    errors = []
    for company_id in (hidden_company.pk, 987654321):
        response = client.post(
            url, {"company": company_id, "company_name": "x", "title": "Директор"}, **HTMX
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "ООО Секрет" not in html
        errors.append(re.findall(r"invalid-feedback[^>]*>([^<]*)<", html))
    assert errors[0] == errors[1] == ["Choose a company from the suggestions."]
    assert not CompanyRole.objects.exists()


def test_a_role_is_removed_through_the_card(client, owner, person, role):
    client.force_login(owner)
    response = client.post(reverse("parties:person_company_role_delete", args=[person.pk, role.pk]))
    assert response.status_code == 302
    assert not CompanyRole.objects.exists()


def test_an_outsider_can_neither_add_nor_remove_and_nothing_changes(
    client, outsider, person, company, role
):
    client.force_login(outsider)
    before = _roles()
    add = reverse("parties:person_company_role_add", args=[person.pk])
    assert client.get(add).status_code == 404
    assert client.post(add, {"company": company.pk, "title": "x"}).status_code == 404
    delete = reverse("parties:person_company_role_delete", args=[person.pk, role.pk])
    assert client.post(delete).status_code == 404
    assert _roles() == before


def test_a_read_only_role_is_refused_on_a_visible_person(client, marketer, person, role):
    client.force_login(marketer)
    url = reverse("parties:person_company_role_delete", args=[person.pk, role.pk])
    assert client.post(url).status_code == 403
    assert CompanyRole.objects.filter(pk=role.pk).exists()


# --- the API ----------------------------------------------------------------------------


def test_roles_are_listed_added_and_removed_over_the_api(owner, person, company):
    client = client_for(owner)
    url = f"{API}/persons/{person.pk}/company-roles"
    created = client.post(url, {"company_id": company.pk, "title": "Директор"}, content_type=JSON)
    assert created.status_code == 201
    body = created.json()
    assert body["company"] == {"id": company.pk, "name": "ООО Ромашка"}
    assert [r["id"] for r in client.get(url).json()] == [body["id"]]
    assert client.delete(f"{API}/company-roles/{body['id']}").status_code == 204
    assert client.get(url).json() == []
    assert not CompanyRole.objects.exists()


def test_a_hidden_company_over_the_api_is_422_like_a_missing_one(owner, person, hidden_company):
    client = client_for(owner)
    url = f"{API}/persons/{person.pk}/company-roles"
    answers = [
        client.post(url, {"company_id": cid, "title": "Директор"}, content_type=JSON)
        for cid in (hidden_company.pk, 987654321)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert field_messages(answers[0], "company_id")
    assert not CompanyRole.objects.exists()


def test_bad_input_is_422_per_field(owner, person, company):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/company-roles",
        {"company_id": company.pk, "title": "  ", "extra": 1},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert field_messages(response, "extra")
    assert not CompanyRole.objects.exists()


def test_roles_at_hidden_companies_are_left_out_and_cannot_be_removed(
    owner, admin_user, person, hidden_company
):
    role = company_role_create(
        actor=admin_user, person=person, company=hidden_company, title="Водитель"
    )
    client = client_for(owner)
    assert client.get(f"{API}/persons/{person.pk}/company-roles").json() == []
    assert client.delete(f"{API}/company-roles/{role.pk}").status_code == 404
    assert CompanyRole.objects.filter(pk=role.pk).exists()


def test_an_outsider_gets_404_for_the_persons_roles_and_nothing_changes(outsider, person, role):
    client = client_for(outsider)
    before = _roles()
    assert client.get(f"{API}/persons/{person.pk}/company-roles").status_code == 404
    assert client.delete(f"{API}/company-roles/{role.pk}").status_code == 404
    assert _roles() == before
