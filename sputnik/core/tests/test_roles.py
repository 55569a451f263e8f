"""Roles carry rights and a record scope, stated in code."""

from __future__ import annotations

import pytest

from sputnik.core.roles import ROLE_RIGHTS, ROLE_SCOPE, Right, Role, Scope, rights_of, scope_of

WRITES = {
    Right.PARTY_CREATE,
    Right.PARTY_EDIT,
    Right.PARTY_DELETE,
    Right.PARTY_TRANSFER,
    Right.INTERACTION_LOG,
    Right.CONFIGURE,
}


def test_every_role_has_a_scope_and_a_set_of_rights():
    assert set(ROLE_SCOPE) == set(Role.values)
    assert set(ROLE_RIGHTS) == set(Role.values)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SALES_MANAGER, Scope.OWN),
        (Role.SERVICE_ADVISOR, Scope.CENTRE),
        (Role.CENTRE_HEAD, Scope.CENTRE),
        (Role.OPERATOR, Scope.ALL),
        (Role.MARKETING_MANAGER, Scope.ALL),
        (Role.EXECUTIVE, Scope.ALL),
        (Role.ADMIN, Scope.ALL),
    ],
)
def test_each_role_sees_records_at_its_stated_scope(role, scope):
    assert scope_of(role) == scope


@pytest.mark.parametrize("role", [Role.MARKETING_MANAGER, Role.EXECUTIVE])
def test_read_only_roles_have_no_write_right(role):
    assert Right.PARTY_VIEW in rights_of(role)
    assert not (rights_of(role) & WRITES)


def test_only_centre_heads_and_administrators_may_transfer_or_delete():
    for role in Role.values:
        may = role in (Role.CENTRE_HEAD, Role.ADMIN)
        assert (Right.PARTY_TRANSFER in rights_of(role)) is may
        assert (Right.PARTY_DELETE in rights_of(role)) is may


def test_only_administrators_configure():
    assert [r for r in Role.values if Right.CONFIGURE in rights_of(r)] == [Role.ADMIN]


def test_an_unknown_role_sees_only_its_own_and_may_do_nothing():
    assert scope_of("astronaut") == Scope.OWN
    assert rights_of("astronaut") == frozenset()


def test_a_user_has_the_rights_of_their_role(owner, marketer):
    assert owner.has_right(Right.PARTY_EDIT)
    assert not owner.has_right(Right.PARTY_TRANSFER)
    assert not marketer.has_right(Right.PARTY_EDIT)


def test_an_inactive_user_has_no_rights_at_all(head):
    head.is_active = False
    assert not any(head.has_right(r) for r in Right)


def test_a_superuser_has_every_right_and_sees_everything(owner):
    owner.is_superuser = True
    assert all(owner.has_right(r) for r in Right)
    assert owner.scope == Scope.ALL
