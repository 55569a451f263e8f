"""Editing and deleting a note or call in place on the timeline (HTMX)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sputnik.activities.models import Interaction
from sputnik.activities.services import call_log, note_create
from sputnik.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
INLINE = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.fixture
def note(person, owner):
    return note_create(actor=owner, person_id=person.pk, body="Хочет кроссовер")


@pytest.fixture
def call(person, owner):
    return call_log(
        actor=owner, person_id=person.pk, direction="out", outcome="answered", duration_seconds=330
    )


def _url(name: str, person, entry) -> str:
    return reverse(f"activities:{name}", args=[person.pk, entry.pk])


def _row(entry):
    return Interaction.objects.filter(pk=entry.pk).values().first()


def test_the_author_sees_edit_and_delete_on_their_note_with_a_confirmation(
    client, owner, person, note
):
    client.force_login(owner)
    html = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert _url("interaction_edit", person, note) in html
    assert _url("interaction_delete", person, note) in html
    assert "hx-confirm=" in html
    assert not INLINE.search(html)


def test_a_reader_who_may_not_change_the_note_sees_no_buttons(client, advisor, person, note):
    client.force_login(advisor)
    html = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert "Хочет кроссовер" in html
    assert _url("interaction_edit", person, note) not in html
    assert _url("interaction_delete", person, note) not in html


def test_stage_changes_have_no_buttons_even_for_an_administrator(client, admin_user, owner, person):
    from sputnik.parties.services import person_change_stage

    person_change_stage(actor=owner, person=person, stage="customer")
    entry = Interaction.objects.get(person_id=person.pk, kind="stage_change")
    client.force_login(admin_user)
    html = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert _url("interaction_edit", person, entry) not in html
    assert client.get(_url("interaction_edit", person, entry), **HTMX).status_code == 403
    assert client.post(_url("interaction_delete", person, entry), **HTMX).status_code == 403
    assert Interaction.objects.filter(pk=entry.pk).exists()


def test_the_edit_form_swaps_in_place_of_the_entry_without_inline_code(client, owner, person, call):
    client.force_login(owner)
    response = client.get(_url("interaction_edit", person, call), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form")
    assert f'id="entry-{call.pk}"' in html
    assert 'hx-target="this" hx-swap="outerHTML"' in html
    assert 'value="5:30"' in html  # the duration as the quick form takes it
    assert _url("interaction_entry", person, call) in html  # Cancel swaps the entry back
    assert not INLINE.search(html)
    entry_html = client.get(_url("interaction_entry", person, call), **HTMX).content.decode()
    assert entry_html.lstrip().startswith("<article")
    assert not INLINE.search(entry_html)


def test_saving_a_note_over_htmx_returns_the_updated_entry_and_audits(client, owner, person, note):
    client.force_login(owner)
    response = client.post(_url("interaction_edit", person, note), {"body": "Хочет седан"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<article") and "Хочет седан" in html
    assert not INLINE.search(html)
    assert Interaction.objects.get(pk=note.pk).body == "Хочет седан"
    audit = AuditEntry.objects.get(entity="activities.interaction", action="update")
    assert (audit.before, audit.after) == ({"body": "Хочет кроссовер"}, {"body": "Хочет седан"})


def test_saving_a_call_keeps_its_fields(client, owner, person, call):
    client.force_login(owner)
    response = client.post(
        _url("interaction_edit", person, call),
        {
            "direction": "in",
            "outcome": "busy",
            "duration": "1:05",
            "notes": "занято",
            "occurred_at": "2026-01-10T10:30",
        },
        **HTMX,
    )
    assert response.status_code == 200
    call.refresh_from_db()
    assert (call.direction, call.outcome, call.duration_seconds, call.body) == (
        "in",
        "busy",
        65,
        "занято",
    )
    assert call.occurred_at.date().isoformat() == "2026-01-10"


def test_an_empty_note_shows_the_error_in_the_edit_form_and_changes_nothing(
    client, owner, person, note
):
    client.force_login(owner)
    before = _row(note)
    response = client.post(_url("interaction_edit", person, note), {"body": "  "}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form") and "Write the note first." in html
    assert _row(note) == before


def test_a_future_call_time_shows_the_error_on_its_field(client, owner, person, call):
    client.force_login(owner)
    before = _row(call)
    response = client.post(
        _url("interaction_edit", person, call),
        {"direction": "out", "outcome": "answered", "occurred_at": "2099-01-01T10:00"},
        **HTMX,
    )
    assert "The time cannot be in the future." in response.content.decode()
    assert _row(call) == before


def test_deleting_over_htmx_removes_the_entry_and_audits(client, owner, person, note):
    client.force_login(owner)
    response = client.post(_url("interaction_delete", person, note), **HTMX)
    assert response.status_code == 200
    assert response.content == b""
    assert not Interaction.objects.filter(pk=note.pk).exists()
    assert AuditEntry.objects.filter(
        entity="activities.interaction", action="delete", subject_person_id=person.pk
    ).exists()


def test_deleting_without_htmx_returns_to_the_card(client, owner, person, note):
    client.force_login(owner)
    response = client.post(_url("interaction_delete", person, note))
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:person_detail", args=[person.pk])
    assert not Interaction.objects.filter(pk=note.pk).exists()


def test_a_centre_head_edits_a_colleagues_note(client, head, person, note):
    client.force_login(head)
    client.post(_url("interaction_edit", person, note), {"body": "поправил"}, **HTMX)
    assert Interaction.objects.get(pk=note.pk).body == "поправил"


def test_a_visible_person_but_someone_elses_note_is_403_and_unchanged(
    client, advisor, person, note
):
    client.force_login(advisor)
    before = _row(note)
    assert client.get(_url("interaction_edit", person, note), **HTMX).status_code == 403
    assert client.post(_url("interaction_edit", person, note), {"body": "x"}).status_code == 403
    assert client.post(_url("interaction_delete", person, note)).status_code == 403
    assert _row(note) == before


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_a_hidden_persons_note_is_404_like_a_missing_one_and_unchanged(
    client, persona, person, note, request
):
    client.force_login(request.getfixturevalue(persona))
    before = _row(note)
    for name in ("interaction_entry", "interaction_edit"):
        assert client.get(_url(name, person, note), **HTMX).status_code == 404
    assert client.post(_url("interaction_edit", person, note), {"body": "x"}).status_code == 404
    assert client.post(_url("interaction_delete", person, note)).status_code == 404
    assert _row(note) == before


def test_an_entry_asked_for_under_another_person_is_404(client, owner, person, note):
    from sputnik.parties.services import person_create

    other = person_create(actor=owner, data={"last_name": "Петров", "first_name": "Пётр"})
    client.force_login(owner)
    assert client.get(_url("interaction_edit", other, note), **HTMX).status_code == 404
    assert client.post(_url("interaction_delete", other, note)).status_code == 404
    assert Interaction.objects.filter(pk=note.pk).exists()


def test_edit_buttons_add_no_queries_per_entry(
    client, head, owner, advisor, person, django_assert_max_num_queries
):
    for i in range(15):
        note_create(actor=owner, person_id=person.pk, body=f"o{i}")
        note_create(actor=advisor, person_id=person.pk, body=f"a{i}")
    client.force_login(head)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert html.count("bi-pencil") == 30  # every entry got its buttons
