"""Every page and fragment carries a strict CSP and contains no inline code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.activities.services import note_create
from sputnik.parties.services import asset_create, company_create
from sputnik.web.tests.conftest import HANDLER_ATTRIBUTE, INLINE_SCRIPT, STYLE_ATTRIBUTE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def urls(person, owner):
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    note_create(actor=owner, person_id=person.pk, body="Заметка")
    asset_create(actor=owner, person=person, data={"make": "Lada", "model": "Vesta"})
    return {
        "pages": [
            reverse("parties:person_list"),
            reverse("parties:person_list") + "?q=Иванов&stage=prospect&owner=me&sort=-created",
            reverse("parties:person_detail", args=[person.pk]),
            reverse("parties:person_edit", args=[person.pk]),
            reverse("parties:person_create"),
            reverse("parties:person_transfer", args=[person.pk]),
            reverse("parties:person_delete", args=[person.pk]),
            reverse("parties:person_asset_add", args=[person.pk]),
            reverse("parties:person_relation_add", args=[person.pk]),
            reverse("parties:company_list"),
            reverse("parties:company_detail", args=[company.pk]),
            reverse("parties:company_edit", args=[company.pk]),
            reverse("parties:company_create"),
        ],
        "fragments": [
            reverse("parties:person_list") + "?q=Иванов",
            reverse("activities:timeline", args=[person.pk]),
            reverse("parties:person_history", args=[person.pk]),
            reverse("parties:person_asset_add", args=[person.pk]),
            reverse("parties:person_autocomplete") + "?q=Иванов",
            reverse("parties:company_history", args=[company.pk]),
        ],
    }


def _assert_strict_csp(response):
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def _assert_no_inline_code(url, html):
    assert not INLINE_SCRIPT.search(html), f"inline <script> in {url}"
    assert not STYLE_ATTRIBUTE.search(html), f"style= attribute in {url}"
    assert not HANDLER_ATTRIBUTE.search(html), f"on*= handler attribute in {url}"


def test_full_pages_carry_a_strict_csp_and_no_inline_code(client, admin_user, urls):
    client.force_login(admin_user)  # sees every button: transfer, delete, admin link
    for url in urls["pages"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict_csp(response)
        _assert_no_inline_code(url, response.content.decode())


def test_htmx_fragments_carry_a_strict_csp_and_no_inline_code(client, admin_user, urls):
    client.force_login(admin_user)
    for url in urls["fragments"]:
        response = client.get(url, **HTMX)
        assert response.status_code == 200, url
        assert "<html" not in response.content.decode(), url
        _assert_strict_csp(response)
        _assert_no_inline_code(url, response.content.decode())


def test_the_sign_in_and_error_pages_have_no_inline_code(client, owner):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        _assert_strict_csp(response)
        _assert_no_inline_code("", response.content.decode())


def test_the_regexes_would_catch_inline_code():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert STYLE_ATTRIBUTE.search('<div class="a" style="color:red">')
    assert HANDLER_ATTRIBUTE.search('<img src=x onerror="x()">')
    assert not HANDLER_ATTRIBUTE.search('<button data-confirm="Remove?">')


def test_htmx_is_configured_without_inline_styles_or_eval_and_assets_are_local(client, owner):
    client.force_login(owner)
    html = client.get(reverse("parties:person_list")).content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")


def test_list_responses_vary_on_hx_request_so_caches_never_mix_page_and_fragment(client, owner):
    client.force_login(owner)
    assert "HX-Request" in client.get(reverse("parties:person_list"))["Vary"]
