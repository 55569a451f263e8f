"""No input produces a 500: junk becomes a 422 (or 400 for a body that is not JSON)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sputnik.core.tests.test_api_support import API, client_for
from sputnik.parties.models import Person

JUNK_BODIES = [
    {"last_name": "\x00"},
    {"last_name": "\ud800"},
    {"last_name": "я" * 100_000},
    {"last_name": 12},
    {"last_name": ["a"]},
    {"last_name": {"$gt": ""}},
    {"employer_id": 10**40},
    {"employer_id": -1},
    {"birthday": "0000-00-00"},
    {"birthday": 10**20},
    {"phones": ["+" + "9" * 5000]},
    {"phones": [{"value": "+79123456789", "evil": 1}]},
    {"phones": ["+79123456789"] * 1000},
    {"custom": {"x" * 500: 1}},
    {"custom": {"k": float("inf")}},
    {"custom": {"k": 10**5000}},
    {"tags": ["\x00"]},
    {"stage": None},
    {"is_vip": None},
]


@pytest.mark.parametrize("body", JUNK_BODIES)
def test_junk_in_a_person_patch_is_422_and_changes_nothing(owner, person, body):
    before = Person.objects.values().get(pk=person.pk)
    try:
        payload = json.dumps(body)
    except ValueError:
        pytest.skip("not encodable")
    response = client_for(owner).patch(
        f"{API}/persons/{person.pk}", payload, content_type="application/json"
    )
    assert response.status_code in (200, 400, 422), response.content[:300]
    if response.status_code != 200:
        assert Person.objects.values().get(pk=person.pk) == before


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[1,2]",
        b'"text"',
        b"null",
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"last_name": 1' + b"0" * 5000 + b"}",
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_client_error(owner, raw):
    response = client_for(owner).post(f"{API}/persons", raw, content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/persons/99999999999999999999999",
        "/persons/-1",
        "/persons/abc",
        "/persons/0/timeline",
        "/assets/1e10",
        "/persons?centre=99999999999999999999999",
        "/persons?limit=0",
        "/persons?limit=100000",
        "/persons?sort=password",
        "/persons?stage=x",
        "/persons?owner=1;DROP",
        "/persons?q=%00",
        "/persons?cf_anything=%00",
        "/persons?cursor=" + "A" * 5000,
        "/persons/1/timeline?kind=hacker",
        "/lookup?phone=%00",
        "/lookup?email=" + "a" * 1000,
    ],
)
def test_junk_in_paths_and_query_strings_is_a_client_error(owner, path):
    response = client_for(owner).get(API + path)
    assert response.status_code in (200, 404, 422), (response.status_code, response.content[:300])


def test_openapi_document_is_served_and_names_every_route(db):
    schema = Client().get(f"{API}/openapi.json").json()
    assert {
        "/api/v1/persons",
        "/api/v1/persons/{person_id}/timeline",
        "/api/v1/lookup",
        "/api/v1/auth/token",
        "/api/v1/users/me",
    } <= set(schema["paths"])
    assert "TokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_loads_swagger_from_our_static_files_with_no_inline_script(db):
    from django.contrib.staticfiles import finders

    response = Client().get(f"{API}/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn" not in html.lower()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert '<script src="/static/ninja/swagger-ui-init.js">' in html
    # the only other <script> is a JSON data block, which CSP does not execute
    assert html.count("<script") == 3
    assert 'type="application/json"' in html
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui-init.js")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
