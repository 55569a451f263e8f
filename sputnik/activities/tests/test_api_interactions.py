"""/api/v1/interactions/{id}: read, change and delete one note or call."""

from __future__ import annotations

import pytest

from sputnik.activities.models import Interaction
from sputnik.activities.services import call_log, note_create
from sputnik.core.models import AuditEntry
from sputnik.core.tests.test_api_support import API, client_for, field_messages

JSON = "application/json"


@pytest.fixture
def note(person, owner):
    return note_create(actor=owner, person_id=person.pk, body="Хочет кроссовер")


@pytest.fixture
def call(person, owner):
    return call_log(actor=owner, person_id=person.pk, direction="in", outcome="answered")


def _row(entry):
    return Interaction.objects.filter(pk=entry.pk).values().first()


@pytest.mark.django_db
def test_the_author_reads_and_changes_their_note(owner, note):
    client = client_for(owner)
    got = client.get(f"{API}/interactions/{note.pk}")
    assert got.status_code == 200
    assert got.json()["can_change"] is True
    response = client.patch(
        f"{API}/interactions/{note.pk}", {"body": "Хочет седан"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["body"] == "Хочет седан"
    assert Interaction.objects.get(pk=note.pk).body == "Хочет седан"
    assert AuditEntry.objects.filter(
        entity="activities.interaction", entity_id=note.pk, action="update"
    ).exists()


@pytest.mark.django_db
def test_a_call_is_corrected_with_its_own_fields(owner, call):
    response = client_for(owner).patch(
        f"{API}/interactions/{call.pk}",
        {"outcome": "busy", "duration_seconds": 30, "notes": "занято"},
        content_type=JSON,
    )
    assert response.status_code == 200
    call.refresh_from_db()
    assert (call.outcome, call.duration_seconds, call.body) == ("busy", 30, "занято")


@pytest.mark.django_db
def test_a_centre_head_edits_and_deletes(head, note):
    client = client_for(head)
    assert (
        client.patch(f"{API}/interactions/{note.pk}", {"body": "ok"}, content_type=JSON).status_code
        == 200
    )
    assert client.delete(f"{API}/interactions/{note.pk}").status_code == 204
    assert not Interaction.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_someone_who_sees_the_person_but_did_not_write_it_gets_403_and_nothing_changes(
    advisor, note
):
    client = client_for(advisor)
    before = _row(note)
    assert client.get(f"{API}/interactions/{note.pk}").json()["can_change"] is False
    assert (
        client.patch(f"{API}/interactions/{note.pk}", {"body": "x"}, content_type=JSON).status_code
        == 403
    )
    assert client.delete(f"{API}/interactions/{note.pk}").status_code == 403
    assert _row(note) == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_someone_who_does_not_see_the_person_gets_the_missing_id_answer(persona, note, request):
    client = client_for(request.getfixturevalue(persona))
    before = _row(note)
    for url in (f"{API}/interactions/{note.pk}", f"{API}/interactions/987654321"):
        assert client.get(url).status_code == 404
        assert client.patch(url, {"body": "x"}, content_type=JSON).status_code == 404
        assert client.delete(url).status_code == 404
    assert _row(note) == before
    assert not AuditEntry.objects.exclude(action="create").exists()


@pytest.mark.django_db
def test_a_stage_change_entry_is_403_to_change(owner, person):
    from sputnik.parties.services import person_change_stage

    person_change_stage(actor=owner, person=person, stage="customer")
    entry = Interaction.objects.get(person_id=person.pk, kind="stage_change")
    before = _row(entry)
    client = client_for(owner)
    assert client.get(f"{API}/interactions/{entry.pk}").json()["can_change"] is False
    assert (
        client.patch(f"{API}/interactions/{entry.pk}", {"body": "x"}, content_type=JSON).status_code
        == 403
    )
    assert client.delete(f"{API}/interactions/{entry.pk}").status_code == 403
    assert _row(entry) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"body": "  "}, ("body",)),
        ({"direction": "in"}, ("direction",)),
        ({"colour": "red"}, ("colour",)),  # extra="forbid"
    ],
)
def test_a_bad_note_change_is_422_on_the_field_and_nothing_changes(owner, note, body, path):
    before = _row(note)
    response = client_for(owner).patch(f"{API}/interactions/{note.pk}", body, content_type=JSON)
    assert response.status_code == 422
    assert field_messages(response, *path)
    assert _row(note) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"outcome": "nope"}, ("outcome",)),
        ({"duration_seconds": -1}, ("duration_seconds",)),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, ("occurred_at",)),
        ({"occurred_at": None}, ("occurred_at",)),
    ],
)
def test_a_bad_call_change_is_422_on_the_field_and_nothing_changes(owner, call, body, path):
    before = _row(call)
    response = client_for(owner).patch(f"{API}/interactions/{call.pk}", body, content_type=JSON)
    assert response.status_code == 422
    assert field_messages(response, *path)
    assert _row(call) == before


@pytest.mark.django_db
def test_the_timeline_says_which_entries_the_reader_may_change(owner, advisor, note, person):
    from sputnik.parties.services import person_change_stage

    person_change_stage(actor=owner, person=person, stage="customer")
    mine = client_for(owner).get(f"{API}/persons/{person.pk}/timeline").json()["items"]
    assert {(i["kind"], i["can_change"]) for i in mine} == {
        ("note", True),
        ("stage_change", False),
    }
    theirs = client_for(advisor).get(f"{API}/persons/{person.pk}/timeline").json()["items"]
    assert not any(i["can_change"] for i in theirs)
