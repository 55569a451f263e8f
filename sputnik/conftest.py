"""Shared fixtures: two centres and a persona for every role the visibility matrix needs.

owner        sales manager of centre A who owns `person`
colleague    sales manager of centre A who does not own it
advisor      service advisor of centre A (centre scope)
head         centre head of centre A
outsider     sales manager of centre B
other_head   centre head of centre B
operator     call-centre operator (sees all)
marketer     marketing manager (sees all, read only)
executive    executive (sees all, read only)
admin        administrator
"""

from __future__ import annotations

import pytest

from sputnik.core.models import Centre, User
from sputnik.core.roles import Role


@pytest.fixture
def centre_a(db) -> Centre:
    return Centre.objects.create(name="Центр А", kind="showroom", region="Москва", city="Москва")


@pytest.fixture
def centre_b(db) -> Centre:
    return Centre.objects.create(
        name="Центр Б", kind="showroom", region="Свердловская область", city="Екатеринбург"
    )


@pytest.fixture
def call_centre(db) -> Centre:
    return Centre.objects.create(
        name="Колл-центр", kind="call_centre", region="Москва", city="Москва"
    )


@pytest.fixture
def head_office(db) -> Centre:
    return Centre.objects.create(
        name="Головной офис", kind="head_office", region="Москва", city="Москва"
    )


def make_user(username: str, role: str, centre: Centre | None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password="pass-" + username,
        role=role,
        centre=centre,
        first_name=username.title(),
        language=extra.pop("language", "en"),
        **extra,
    )
    return user


@pytest.fixture
def owner(centre_a) -> User:
    return make_user("owner", Role.SALES_MANAGER, centre_a)


@pytest.fixture
def colleague(centre_a) -> User:
    return make_user("colleague", Role.SALES_MANAGER, centre_a)


@pytest.fixture
def advisor(centre_a) -> User:
    return make_user("advisor", Role.SERVICE_ADVISOR, centre_a)


@pytest.fixture
def head(centre_a) -> User:
    return make_user("head", Role.CENTRE_HEAD, centre_a)


@pytest.fixture
def outsider(centre_b) -> User:
    return make_user("outsider", Role.SALES_MANAGER, centre_b)


@pytest.fixture
def other_head(centre_b) -> User:
    return make_user("otherhead", Role.CENTRE_HEAD, centre_b)


@pytest.fixture
def operator(call_centre) -> User:
    return make_user("operator", Role.OPERATOR, call_centre)


@pytest.fixture
def marketer(head_office) -> User:
    return make_user("marketer", Role.MARKETING_MANAGER, head_office)


@pytest.fixture
def executive(head_office) -> User:
    return make_user("executive", Role.EXECUTIVE, head_office)


@pytest.fixture
def admin_user(head_office) -> User:
    return make_user("admin", Role.ADMIN, head_office, is_staff=True, is_superuser=True)


@pytest.fixture
def person(owner):
    """A customer of centre A owned by `owner`, with a phone and an e-mail."""
    from sputnik.parties.services import person_create

    return person_create(
        actor=owner,
        data={
            "last_name": "Иванов",
            "first_name": "Сергей",
            "middle_name": "Петрович",
            "phones": ["8 (912) 345-67-89"],
            "emails": ["Sergey.Ivanov@Example.ru"],
        },
    )


# Personas and whether they see `person` (owned by `owner` in centre A).
VISIBILITY_MATRIX = [
    ("owner", True),
    ("colleague", False),
    ("advisor", True),
    ("head", True),
    ("outsider", False),
    ("other_head", False),
    ("operator", True),
    ("marketer", True),
    ("executive", True),
    ("admin_user", True),
]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Stored documents (quote PDFs, signed forms) go to the test's own folder, never to
    var/documents."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """The cache (a database table or Redis) outlives each test's transaction: rate-limit
    counters of one test must not refuse another test's requests. Only tests with the
    database reach the database cache; it is emptied once the test database exists."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        from django.core.cache import cache

        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            cache.clear()
    yield
