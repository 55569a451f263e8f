"""The card's history tab names centres and owners instead of showing their ids."""

from __future__ import annotations

from django.urls import reverse

from sputnik.parties.services import person_transfer


def test_transfer_in_history_shows_centre_and_owner_names(
    client, person, head, centre_a, admin_user, centre_b, outsider
):
    person_transfer(actor=admin_user, person=person, centre_id=centre_b.pk, owner_id=outsider.pk)
    client.force_login(admin_user)
    response = client.get(reverse("parties:person_history", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert centre_a.name in html and centre_b.name in html
    assert outsider.display_name in html


def test_history_page_resolves_names_in_a_fixed_number_of_queries(
    client, person, admin_user, centre_a, centre_b, django_assert_max_num_queries
):
    for _ in range(5):
        person_transfer(actor=admin_user, person=person, centre_id=centre_b.pk)
        person_transfer(actor=admin_user, person=person, centre_id=centre_a.pk)
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("parties:person_history", args=[person.pk]))
    assert response.status_code == 200
