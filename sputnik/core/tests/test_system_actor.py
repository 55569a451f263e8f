from __future__ import annotations

import pytest
from django.test import Client

from sputnik.core.roles import Right
from sputnik.core.services import system_actor

pytestmark = pytest.mark.django_db


def test_system_actor_is_one_user_that_may_act_but_cannot_sign_in():
    actor = system_actor()
    assert system_actor().pk == actor.pk
    assert actor.has_right(Right.PARTY_CREATE)
    assert not actor.has_usable_password()
    client = Client()
    response = client.post("/accounts/login/", {"username": actor.username, "password": ""})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
