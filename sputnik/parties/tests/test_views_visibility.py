"""The visibility matrix through the web UI: pages, fragments, search, autocomplete."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sputnik.activities.models import Interaction
from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.parties.models import Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _as(client, request, persona: str):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_person_card_is_200_for_those_who_see_it_and_404_for_everyone_else(
    client, request, person, persona, sees
):
    _as(client, request, persona)
    response = client.get(reverse("parties:person_detail", args=[person.pk]))
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_person_list_contains_the_person_only_for_those_who_see_it(
    client, request, person, persona, sees
):
    _as(client, request, persona)
    response = client.get(reverse("parties:person_list"))
    assert response.status_code == 200
    assert ("Иванов Сергей" in response.content.decode()) is sees


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_search_by_any_spelling_of_the_phone_finds_the_person_only_for_those_who_see_it(
    client, request, person, persona, sees
):
    _as(client, request, persona)
    response = client.get(reverse("parties:person_list"), {"q": "+7 912 345 67 89"}, **HTMX)
    assert response.status_code == 200
    assert ("Иванов Сергей" in response.content.decode()) is sees


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_timeline_and_history_fragments_are_404_for_outsiders(
    client, request, person, persona, sees
):
    _as(client, request, persona)
    timeline = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX)
    history = client.get(reverse("parties:person_history", args=[person.pk]), **HTMX)
    assert timeline.status_code == (200 if sees else 404)
    assert history.status_code == (200 if sees else 404)


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_autocomplete_suggests_only_visible_persons(client, request, person, persona, sees):
    _as(client, request, persona)
    response = client.get(reverse("parties:person_autocomplete"), {"q": "Иванов"}, **HTMX)
    assert response.status_code == 200
    assert ("Иванов Сергей" in response.content.decode()) is sees


def test_an_outsider_gets_the_same_404_for_a_hidden_record_as_for_a_missing_id(
    client, person, outsider
):
    client.force_login(outsider)
    hidden = client.get(reverse("parties:person_detail", args=[person.pk]))
    missing = client.get(reverse("parties:person_detail", args=[person.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404

    def without_tokens(content: bytes) -> str:
        text = re.sub(
            r'(csrf-token" content|csrfmiddlewaretoken" value)="[^"]*"', "", content.decode()
        )
        return re.sub(r"/persons/\d+/", "/persons/ID/", text)

    assert without_tokens(hidden.content) == without_tokens(missing.content)


@pytest.mark.parametrize(
    "name",
    [
        "person_edit",
        "person_transfer",
        "person_delete",
        "person_relation_add",
        "person_asset_add",
        "person_date_add",
        "person_address_add",
    ],
)
def test_every_person_form_is_404_for_an_outsider(client, person, other_head, name):
    client.force_login(other_head)  # has edit, delete and transfer rights, in centre B
    url = reverse(f"parties:{name}", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, **HTMX).status_code == 404
    assert client.post(url, {"last_name": "X", "centre": "1"}).status_code == 404


def test_outsiders_cannot_write_notes_calls_or_stage_changes_and_nothing_is_saved(
    client, person, outsider
):
    client.force_login(outsider)
    note = client.post(reverse("activities:note_create", args=[person.pk]), {"body": "x"}, **HTMX)
    call = client.post(
        reverse("activities:call_log", args=[person.pk]),
        {"direction": "in", "outcome": "answered"},
        **HTMX,
    )
    stage = client.post(reverse("parties:person_stage", args=[person.pk]), {"stage": "lost"})
    delete = client.post(reverse("parties:person_delete", args=[person.pk]))
    assert note.status_code == call.status_code == stage.status_code == delete.status_code == 404
    assert not Interaction.objects.filter(person_id=person.pk, kind__in=["note", "call"]).exists()
    person.refresh_from_db()
    assert person.stage == "prospect"


def test_a_reader_without_rights_gets_403_on_a_record_they_see_and_nothing_changes(
    client, person, marketer
):
    client.force_login(marketer)  # sees everything, may change nothing
    assert client.get(reverse("parties:person_edit", args=[person.pk])).status_code == 403
    response = client.post(
        reverse("activities:note_create", args=[person.pk]), {"body": "hello"}, **HTMX
    )
    assert response.status_code == 403
    assert client.post(reverse("parties:person_delete", args=[person.pk])).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()
    assert not Interaction.objects.filter(person_id=person.pk, kind="note").exists()


def test_an_absurdly_long_id_is_a_404_not_a_500(client, owner):
    client.force_login(owner)
    assert client.get("/persons/99999999999999999999999999/").status_code == 404
    assert client.get("/persons/999999999999999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, person):
    response = client.get(reverse("parties:person_detail", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_relation_to_a_hidden_person_is_refused_and_not_saved(client, person, owner, outsider):
    from sputnik.parties.services import person_create

    hidden = person_create(actor=outsider, data={"last_name": "Скрытый", "first_name": "Б"})
    client.force_login(owner)
    response = client.post(
        reverse("parties:person_relation_add", args=[person.pk]),
        {"other": hidden.pk, "kind": "friend"},
    )
    assert response.status_code == 200
    assert "Choose a person from the suggestions." in response.content.decode()
    assert not person.relations_from.exists()


def test_card_does_not_name_a_related_person_the_viewer_cannot_see(
    client, person, owner, head, outsider
):
    """The head of centre A links two records; a sales manager sees only their own."""
    from sputnik.parties.services import person_create, relation_create

    spouse = person_create(actor=head, data={"last_name": "Иванова", "first_name": "Мария"})
    relation_create(actor=head, person=person, other=spouse, kind="spouse")
    client.force_login(head)
    assert (
        "Иванова Мария"
        in client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    )
    client.force_login(owner)
    assert (
        "Иванова Мария"
        not in client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    )
