"""The timeline tab over HTMX: notes, calls, paging, and inert user text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.activities.models import Interaction
from sputnik.activities.services import note_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def test_a_quick_note_posted_over_htmx_returns_just_the_new_entry(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("activities:note_create", args=[person.pk]),
        {"body": "Перезвонить в пятницу"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Перезвонить в пятницу" in html
    assert html.lstrip().startswith("<article")
    assert Interaction.objects.filter(person_id=person.pk, kind="note").count() == 1


def test_the_timeline_form_prepends_new_entries_to_the_list(client, person, owner):
    client.force_login(owner)
    html = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert 'id="timeline-entries"' in html
    assert 'hx-target="#timeline-entries" hx-swap="afterbegin"' in html


def test_notes_with_markup_render_inert_in_the_fragment_and_on_the_timeline(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("activities:note_create", args=[person.pk]), {"body": f"{SCRIPT} {IMG}"}, **HTMX
    )
    timeline = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX)
    for html in (response.content.decode(), timeline.content.decode()):
        assert SCRIPT not in html and IMG not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_names_and_wishes_with_markup_render_inert_on_the_card_and_the_list(client, owner):
    from sputnik.parties.services import person_create

    person = person_create(
        actor=owner, data={"last_name": IMG, "first_name": SCRIPT, "wishes": SCRIPT + IMG}
    )
    note_create(actor=owner, person_id=person.pk, body=IMG)
    client.force_login(owner)
    pages = [
        client.get(reverse("parties:person_detail", args=[person.pk])),
        client.get(reverse("parties:person_list")),
        client.get(reverse("parties:person_history", args=[person.pk]), **HTMX),
        client.get(reverse("parties:person_autocomplete"), {"q": "img"}, **HTMX),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in html and IMG not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_empty_note_shows_the_error_in_the_form_and_saves_nothing(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("activities:note_create", args=[person.pk]), {"body": "   "}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#note-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert "Write the note first." in response.content.decode()
    assert not Interaction.objects.filter(kind="note").exists()


def test_a_call_is_logged_with_direction_outcome_duration_and_notes(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("activities:call_log", args=[person.pk]),
        {"direction": "out", "outcome": "answered", "duration": "5:30", "notes": "Ждёт КП"},
        **HTMX,
    )
    assert response.status_code == 200
    call = Interaction.objects.get(person_id=person.pk, kind="call")
    assert (call.direction, call.outcome, call.duration_seconds, call.body) == (
        "out",
        "answered",
        330,
        "Ждёт КП",
    )
    html = response.content.decode()
    assert "Outbound" in html and "Answered" in html and "5:30" in html


def test_a_bad_call_duration_is_shown_at_its_field(client, person, owner):
    client.force_login(owner)
    response = client.post(
        reverse("activities:call_log", args=[person.pk]),
        {"direction": "out", "outcome": "answered", "duration": "long"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#call-form"
    assert "Enter minutes, or minutes:seconds (5:30)." in response.content.decode()
    assert not Interaction.objects.filter(kind="call").exists()


def test_without_htmx_a_note_redirects_back_to_the_card(client, person, owner):
    client.force_login(owner)
    response = client.post(reverse("activities:note_create", args=[person.pk]), {"body": "Ок"})
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:person_detail", args=[person.pk])


def test_the_timeline_pages_with_load_more(client, person, owner):
    for i in range(35):
        note_create(actor=owner, person_id=person.pk, body=f"заметка-{i:02d}")
    client.force_login(owner)
    first = client.get(reverse("activities:timeline", args=[person.pk]), **HTMX).content.decode()
    assert "заметка-34" in first and "заметка-04" not in first
    assert "Load more" in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    more = client.get(
        reverse("activities:timeline", args=[person.pk]) + "?cursor=" + cursor, **HTMX
    ).content.decode()
    assert "заметка-00" in more and "заметка-34" not in more
    assert "Load more" not in more
    assert 'id="timeline-entries"' not in more
