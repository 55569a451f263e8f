"""Who sees which submissions (and counts): managers all, others those of persons they see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.services import token_create
from sputnik.marketing import selectors
from sputnik.marketing.models import FormSubmission
from sputnik.parties.services import person_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submissions(lead_form, person):
    """One submission of `person` (centre A, owner), one spam, one of a queued prospect."""
    from sputnik.core.models import Centre
    from sputnik.parties.models import Person

    queue = Centre.objects.create(
        name="Очередь", kind="call_centre", region="Москва", city="Москва"
    )
    stranger = Person.objects.create(first_name="Чужой", last_name="Лид", centre=queue)
    return {
        "own": FormSubmission.objects.create(
            form=lead_form,
            status="processed",
            person_id=person.pk,
            payload={"first_name": "Сергей", "phone": "+79123456789"},
        ),
        "spam": FormSubmission.objects.create(
            form=lead_form, status="spam", is_spam=True, payload={"first_name": "Spambot-7731"}
        ),
        "queued": FormSubmission.objects.create(
            form=lead_form,
            status="processed",
            person_id=stranger.pk,
            payload={"first_name": "Чужой", "phone": "+79990001122"},
        ),
    }


MANAGERS = {"marketer", "admin_user"}


@pytest.mark.parametrize(("persona", "sees_person"), VISIBILITY_MATRIX)
def test_each_persona_sees_the_submissions_of_the_persons_it_sees(
    request, persona, sees_person, submissions, lead_form, client
):
    actor = request.getfixturevalue(persona)
    visible = {s.pk for s in selectors.submission_list(actor=actor, form=lead_form).items}
    if persona in MANAGERS:
        expected = {s.pk for s in submissions.values()}
    else:
        # The queued stranger is in a call centre: only network-wide roles see them.
        expected = {submissions["own"].pk} if sees_person else set()
        if persona in {"operator", "executive"}:
            expected.add(submissions["queued"].pk)
    assert visible == expected
    counts = selectors.submission_counts(actor=actor, form=lead_form)
    assert counts.total == len(expected)
    listed = {row.form.pk: row.total for row in selectors.leadform_list(actor=actor)}
    assert listed[lead_form.pk] == len(expected)

    client.force_login(actor)
    page = client.get(reverse("marketing:form_detail", kwargs={"form_id": lead_form.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert ("+79123456789" in text) is (submissions["own"].pk in expected)
    assert ("+79990001122" in text) is (submissions["queued"].pk in expected)
    assert ("Spambot-7731" in text) is (persona in MANAGERS)
    # Snippets and edit links are for form managers only.
    assert ('id="snippets"' in text) is (persona in MANAGERS)

    token = token_create(actor=None, user=actor)
    api = client.get(
        f"/api/v1/lead-forms/{lead_form.pk}/submissions",
        headers={"authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200
    assert {item["id"] for item in api.json()["items"]} == expected


def test_the_form_page_costs_a_bounded_number_of_queries(client, marketer, lead_form, person):
    for i in range(30):
        FormSubmission.objects.create(
            form=lead_form, status="processed", person_id=person.pk, payload={"n": str(i)}
        )
    client.force_login(marketer)
    url = reverse("marketing:form_detail", kwargs={"form_id": lead_form.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        FormSubmission.objects.create(form=lead_form, status="spam", payload={"n": str(i)})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(few) <= 12


def test_erasing_a_person_leaves_their_submissions_without_personal_answers(
    submissions, person, head
):
    person_delete(actor=head, person=person)
    own = FormSubmission.objects.get(pk=submissions["own"].pk)
    assert own.person_id is None
    assert own.payload == {} and own.ip_address is None and own.referrer == ""
    assert own.status == "processed"  # the count of what happened stays


def test_the_api_lists_forms_with_scoped_counts_and_answers_404_for_a_missing_form(
    client, owner, marketer, lead_form, submissions
):
    for user, total in ((marketer, 3), (owner, 1)):
        token = token_create(actor=None, user=user)
        headers = {"authorization": f"Bearer {token}"}
        forms = client.get("/api/v1/lead-forms", headers=headers).json()
        assert [(f["id"], f["counts"]["total"]) for f in forms] == [(lead_form.pk, total)]
        one = client.get(f"/api/v1/lead-forms/{lead_form.pk}", headers=headers).json()
        assert one["public_key"] == lead_form.public_key
        assert one["allowed_origins"] == ["https://dealer.example"]
        assert client.get("/api/v1/lead-forms/987654", headers=headers).status_code == 404
    token = token_create(actor=None, user=marketer)
    spam = client.get(
        f"/api/v1/lead-forms/{lead_form.pk}/submissions?status=spam",
        headers={"authorization": f"Bearer {token}"},
    ).json()
    assert [s["id"] for s in spam["items"]] == [submissions["spam"].pk]
    assert client.get("/api/v1/lead-forms").status_code == 401


def test_the_card_panel_shows_a_persons_web_form_requests_and_hides_them_from_outsiders(
    client, owner, outsider, person, submissions, lead_form
):
    url = reverse("marketing:person_submissions", kwargs={"person_id": person.pk})
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200
    assert lead_form.name in page.content.decode()
    client.force_login(outsider)
    missing = reverse("marketing:person_submissions", kwargs={"person_id": 987654321})
    assert client.get(url).status_code == client.get(missing).status_code == 404


def test_the_card_panel_is_empty_for_a_person_without_requests(client, owner, person):
    client.force_login(owner)
    page = client.get(reverse("marketing:person_submissions", kwargs={"person_id": person.pk}))
    assert page.status_code == 200
    assert page.content.decode().strip() == ""
