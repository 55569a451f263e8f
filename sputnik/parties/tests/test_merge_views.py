"""The merge screen and the review pages: side by side, pick per field, outsiders get the
missing-id answer, stale and self merges get a clear message."""

from __future__ import annotations

import pytest

from sputnik.parties.dedup.job import run_dedup
from sputnik.parties.models import DuplicateCluster, DuplicatePair, Person
from sputnik.parties.services import person_create, person_update


@pytest.fixture
def twin(owner):
    return person_create(
        actor=owner,
        data={
            "last_name": "Ivanof",
            "first_name": "Sergei",
            "birthday": "1980-02-03",
            "phones": ["+7 912 345 67 89"],
        },
    )


def _url(a: Person, b: Person, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"with": b.pk, **extra}.items())
    return f"/persons/{a.pk}/merge/?{query}"


def test_the_screen_shows_both_records_side_by_side_with_a_choice_per_differing_field(
    client, owner, person, twin
):
    client.force_login(owner)
    response = client.get(_url(person, twin))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="pick_last_name" value="survivor"' in body
    assert 'name="pick_last_name" value="merged"' in body
    assert "Ivanof" in body and "Иванов" in body
    # The empty birthday of the survivor defaults to the merged record's value.
    assert 'name="pick_birthday" value="merged" checked' in body
    assert 'name="pick_middle_name" value="survivor" checked' in body


def test_posting_the_screen_merges_with_the_picked_values(client, owner, person, twin):
    client.force_login(owner)
    page = client.get(_url(person, twin)).content.decode()
    fp_a = page.split(f'name="fp_{person.pk}" value="')[1].split('"')[0]
    fp_b = page.split(f'name="fp_{twin.pk}" value="')[1].split('"')[0]
    response = client.post(
        f"/persons/{person.pk}/merge/",
        {
            "other": twin.pk,
            f"fp_{person.pk}": fp_a,
            f"fp_{twin.pk}": fp_b,
            "pick_first_name": "merged",
            "pick_birthday": "merged",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.pk}/"
    person.refresh_from_db()
    assert person.first_name == "Sergei" and str(person.birthday) == "1980-02-03"
    assert not Person.objects.filter(pk=twin.pk).exists()


def test_a_stale_screen_is_refused_with_a_clear_message_and_nothing_merged(
    client, owner, person, twin
):
    client.force_login(owner)
    page = client.get(_url(person, twin)).content.decode()
    fp_a = page.split(f'name="fp_{person.pk}" value="')[1].split('"')[0]
    fp_b = page.split(f'name="fp_{twin.pk}" value="')[1].split('"')[0]
    person_update(actor=owner, person=twin, data={"job_title": "Инженер"})
    response = client.post(
        f"/persons/{person.pk}/merge/",
        {"other": twin.pk, f"fp_{person.pk}": fp_a, f"fp_{twin.pk}": fp_b},
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    assert Person.objects.filter(pk=twin.pk).exists()


def test_merging_a_person_with_themselves_is_refused(client, owner, person):
    client.force_login(owner)
    response = client.post(f"/persons/{person.pk}/merge/", {"other": person.pk})
    assert response.status_code == 400
    assert "cannot be merged with themselves" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("hidden_side", ["survivor", "merged"])
def test_a_record_the_user_cannot_see_is_a_404_on_either_side(
    client, owner, outsider, person, hidden_side
):
    theirs = person_create(actor=outsider, data={"last_name": "Иванов", "first_name": "Сергей"})
    client.force_login(owner)
    a, b = (theirs, person) if hidden_side == "survivor" else (person, theirs)
    assert client.get(_url(a, b)).status_code == 404
    assert client.post(f"/persons/{a.pk}/merge/", {"other": b.pk}).status_code == 404
    missing = client.get(f"/persons/{person.pk}/merge/?with=987654321")
    assert missing.status_code == 404
    assert Person.objects.filter(pk__in=[person.pk, theirs.pk]).count() == 2


def test_a_read_only_role_sees_the_screen_refused(client, executive, person, twin):
    client.force_login(executive)
    assert client.get(_url(person, twin)).status_code == 403


def test_a_merge_from_the_cluster_page_closes_the_cluster(client, head, person, twin):
    run_dedup()
    cluster = DuplicateCluster.objects.get()
    client.force_login(head)
    page = client.get(f"/duplicates/{cluster.pk}/")
    assert page.status_code == 200
    assert "Compare and merge" in page.content.decode()
    pair = DuplicatePair.objects.get()
    screen = client.get(_url(person, twin, cluster=str(cluster.pk))).content.decode()
    fp_a = screen.split(f'name="fp_{person.pk}" value="')[1].split('"')[0]
    fp_b = screen.split(f'name="fp_{twin.pk}" value="')[1].split('"')[0]
    response = client.post(
        f"/persons/{person.pk}/merge/",
        {"other": twin.pk, "cluster": cluster.pk, f"fp_{person.pk}": fp_a, f"fp_{twin.pk}": fp_b},
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == DuplicateCluster.Status.MERGED
    assert not DuplicatePair.objects.filter(pk=pair.pk).exists() or (
        DuplicatePair.objects.get(pk=pair.pk).status == "merged"
    )


def test_the_queue_and_cluster_pages_hide_other_centres_clusters(
    client, head, outsider, person, twin
):
    run_dedup()
    cluster = DuplicateCluster.objects.get()
    client.force_login(outsider)
    assert f'data-cluster="{cluster.pk}"' not in client.get("/duplicates/").content.decode()
    assert client.get(f"/duplicates/{cluster.pk}/").status_code == 404
    assert client.post(f"/duplicates/{cluster.pk}/dismiss/").status_code == 404
    client.force_login(head)
    assert f'data-cluster="{cluster.pk}"' in client.get("/duplicates/").content.decode()


def test_not_duplicates_on_the_cluster_page_dismisses_it(client, head, person, twin):
    run_dedup()
    cluster = DuplicateCluster.objects.get()
    client.force_login(head)
    response = client.post(f"/duplicates/{cluster.pk}/dismiss/")
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == DuplicateCluster.Status.DISMISSED


def test_only_an_administrator_starts_a_run_and_sees_its_progress(client, head, admin_user, person):
    client.force_login(head)
    assert client.post("/duplicates/run/").status_code == 403
    client.force_login(admin_user)
    response = client.post("/duplicates/run/")
    assert response.status_code == 302
    queue = client.get("/duplicates/").content.decode()
    assert 'id="dedup-run"' in queue


def test_the_card_panel_lists_probable_duplicates_with_a_merge_link(client, owner, person, twin):
    client.force_login(owner)
    body = client.get(f"/persons/{person.pk}/duplicates/").content.decode()
    assert f'data-duplicate="{twin.pk}"' in body
    assert f"/persons/{person.pk}/merge/?with={twin.pk}" in body
    card = client.get(f"/persons/{person.pk}/").content.decode()
    assert f"/persons/{person.pk}/duplicates/" in card


def test_the_card_panel_never_names_a_hidden_duplicate(client, outsider, person):
    mine = person_create(
        actor=outsider,
        data={"last_name": "Иванов", "first_name": "Сергей", "phones": ["89123456789"]},
    )
    client.force_login(outsider)
    body = client.get(f"/persons/{mine.pk}/duplicates/").content.decode()
    assert body.strip() == ""
    assert client.get(f"/persons/{person.pk}/duplicates/").status_code == 404
