"""The batch run: clusters stored for review, dismissals remembered, the command and the
Huey task, and the review queue scoped by visibility."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from sputnik.parties.dedup.job import run_dedup, start_run
from sputnik.parties.dedup.selectors import cluster_queue, visible_clusters
from sputnik.parties.dedup.services import cluster_dismiss, dedup_run_start
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import DedupRun, DuplicateCluster, DuplicatePair, PersonNameKey
from sputnik.parties.services import person_create


@pytest.fixture
def population(owner, person, outsider, head, other_head):
    """Duplicates in centre A, a family in centre A, duplicates in centre B, and one pair
    that spans the two centres."""
    twin = person_create(
        actor=owner, data={"last_name": "Sergey", "first_name": "Ivanof", "phones": ["89123456789"]}
    )
    wife = person_create(
        actor=owner, data={"last_name": "Иванова", "first_name": "Мария", "phones": ["89123456789"]}
    )
    b1 = person_create(
        actor=outsider, data={"last_name": "Петрова", "first_name": "Анна", "emails": ["anna@p.ru"]}
    )
    b2 = person_create(
        actor=outsider, data={"last_name": "Petrova", "first_name": "Anna", "emails": ["ANNA@p.ru"]}
    )
    a_side = person_create(
        actor=head, data={"last_name": "Козлов", "first_name": "Олег", "birthday": "1977-07-07"}
    )
    b_side = person_create(
        actor=other_head,
        data={"last_name": "Kozlov", "first_name": "Oleg", "birthday": "1977-07-07"},
    )
    return {"twin": twin, "wife": wife, "b": (b1, b2), "across": (a_side, b_side)}


def _cluster_with(pk: int) -> DuplicateCluster:
    pair = DuplicatePair.objects.filter(person_a_id=pk).first() or DuplicatePair.objects.get(
        person_b_id=pk
    )
    return pair.cluster


def test_the_run_stores_one_cluster_per_customer_and_leaves_the_family_alone(person, population):
    run = run_dedup()
    assert run.status == DedupRun.Status.DONE and run.progress == 100
    assert run.stats["clusters"] == 3
    clusters = {
        frozenset(pk for pair in c.pairs.all() for pk in (pair.person_a_id, pair.person_b_id))
        for c in DuplicateCluster.objects.all()
    }
    assert frozenset({person.pk, population["twin"].pk}) in clusters
    assert frozenset(p.pk for p in population["b"]) in clusters
    assert frozenset(p.pk for p in population["across"]) in clusters
    assert not any(population["wife"].pk in c for c in clusters)
    home = _cluster_with(person.pk)
    assert home.centre_id == person.centre_id and home.size == 2
    assert _cluster_with(population["across"][0].pk).centre_id is None


def test_a_second_run_replaces_open_clusters_and_does_not_resurface_dismissed_pairs(
    head, person, population
):
    run_dedup()
    cluster_dismiss(actor=head, cluster=_cluster_with(person.pk))
    run_dedup()
    open_members = set(
        DuplicatePair.objects.filter(cluster__status="open").values_list("person_a_id", flat=True)
    ) | set(
        DuplicatePair.objects.filter(cluster__status="open").values_list("person_b_id", flat=True)
    )
    assert person.pk not in open_members
    assert DuplicateCluster.objects.filter(status="open").count() == 2
    assert DuplicateCluster.objects.filter(status="dismissed").count() == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("owner", {"a"}),
        ("colleague", set()),
        ("advisor", {"a"}),
        ("head", {"a"}),
        ("outsider", {"b"}),
        ("other_head", {"b"}),
        ("operator", {"a", "b", "across"}),
        ("marketer", {"a", "b", "across"}),
        ("executive", {"a", "b", "across"}),
        ("admin_user", {"a", "b", "across"}),
    ],
)
def test_the_review_queue_shows_clusters_whose_every_member_the_user_sees(
    request, persona, sees, person, population
):
    run_dedup()
    actor = request.getfixturevalue(persona)
    names = {
        _cluster_with(person.pk).pk: "a",
        _cluster_with(population["b"][0].pk).pk: "b",
        _cluster_with(population["across"][0].pk).pk: "across",
    }
    page = cluster_queue(actor=actor)
    assert {names[c.pk] for c in page.items} == sees
    assert {names[c.pk] for c in visible_clusters(actor)} == sees


def test_the_queue_page_lists_members_in_a_bounded_number_of_queries(
    head, person, population, django_assert_max_num_queries
):
    run_dedup()
    with django_assert_max_num_queries(3):
        page = cluster_queue(actor=head)
        names = [p.display_name for c in page.items for p in c.members]
    assert "Иванов Сергей Петрович" in names


def test_dismissing_a_cluster_needs_the_edit_right_and_a_visible_cluster(
    executive, outsider, person, population
):
    run_dedup()
    cluster = _cluster_with(person.pk)
    with pytest.raises(AccessDenied):
        cluster_dismiss(actor=executive, cluster=cluster)
    with pytest.raises(AccessDenied, match="not visible"):
        cluster_dismiss(actor=outsider, cluster=cluster)
    cluster.refresh_from_db()
    assert cluster.status == "open"


def test_the_command_runs_the_finder_and_prints_its_figures(person, population, capsys):
    call_command("dedup")
    out = capsys.readouterr().out
    assert '"clusters": 3' in out
    assert DedupRun.objects.get().status == "done"


def test_starting_a_run_from_the_ui_queues_the_huey_task_once(
    admin_user, head, person, population, django_capture_on_commit_callbacks
):
    with pytest.raises(AccessDenied):
        dedup_run_start(actor=head)
    with django_capture_on_commit_callbacks(execute=True):
        run, created = dedup_run_start(actor=admin_user)
    assert created
    run.refresh_from_db()
    # Huey runs immediately in tests: the task took the queued run and finished it.
    assert run.status == "done" and run.stats["clusters"] == 3


def test_an_active_run_is_not_started_twice(db):
    first, created = start_run(actor=None)
    again, created_again = start_run(actor=None)
    assert created and not created_again and again.pk == first.pk


def test_the_run_fills_name_keys_missing_after_a_bulk_load(person):
    PersonNameKey.objects.all().delete()
    run = run_dedup()
    assert run.stats["name_keys_written"] == 3
    assert PersonNameKey.objects.filter(person=person).count() == 3
