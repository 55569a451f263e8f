"""The public configurator: no sign-in, a live price, contacts with consent → a prospect
and a deal carrying the configuration; bad input gets a clear message and writes
nothing; nothing about existing customers shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sputnik.core.demo.catalogue import CARS
from sputnik.parties.models import Consent, Person
from sputnik.sales.models import Deal, SavedConfiguration
from sputnik.sales.services.catalogue import product_create, product_define

VALID = ["comfort", "16-mt", "red", "winter"]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vesta(admin_user, call_centre, centre_a):
    return product_define(actor=admin_user, definition=CARS[0])


@pytest.fixture
def order_url(vesta):
    return reverse("sales:public_order", kwargs={"sku": vesta.sku})


def _contacts(**extra):
    return {
        "started": "1",
        "codes": VALID,
        "first_name": "Анна",
        "last_name": "Смирнова",
        "phone": "+7 916 555-12-34",
        "email": "anna@example.ru",
        "consent_personal_data": "on",
        **extra,
    }


def _written() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Deal.objects.count(),
        SavedConfiguration.objects.count(),
        Consent.objects.count(),
    )


@pytest.mark.django_db
def test_the_models_page_lists_public_models_with_a_from_price(vesta, admin_user):
    product_create(
        actor=admin_user,
        data={"sku": "SRV-1", "name": "ТО-1", "kind": "service", "base_price": "100"},
    )
    response = Client().get(reverse("sales:public_models"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-model="LADA-VESTA"' in body
    assert "SRV-1" not in body


@pytest.mark.django_db
def test_a_product_not_on_the_public_page_is_a_404(vesta, admin_user):
    product_create(actor=admin_user, data={"sku": "SECRET", "name": "Прототип", "base_price": "1"})
    assert (
        Client().get(reverse("sales:public_configure", kwargs={"sku": "SECRET"})).status_code == 404
    )
    assert (
        Client().get(reverse("sales:public_configure", kwargs={"sku": "NOPE"})).status_code == 404
    )


@pytest.mark.django_db
def test_the_page_prices_live_on_each_click(vesta):
    url = reverse("sales:public_configure", kwargs={"sku": vesta.sku})
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert page.status_code == 200
    assert 'data-total="1390000.00"' in page.content.decode()
    panel = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        url,
        {"started": "1", "codes": ["classic", "16-mt", "white"], "pick": "multimedia"},
        headers={"HX-Request": "true"},
    )
    # Multimedia cannot go with Classic: the option is disabled with the reason, and a
    # forged click on it leaves the configuration as it was
    body = panel.content.decode()
    assert "Not available with “Classic”." in body
    assert 'name="codes" value="multimedia"' not in body
    assert 'data-total="1390000.00"' in body and "data-config-valid" in body
    panel = Client().post(
        url,
        {"started": "1", "codes": ["comfort", "16-mt", "white"], "pick": "multimedia"},
        headers={"HX-Request": "true"},
    )
    body = panel.content.decode()
    assert 'data-total="1558000.00"' in body  # + Comfort 95 000 + multimedia 55 000 + camera 18 000
    assert "<html" not in body


@pytest.mark.django_db
def test_a_visitor_becomes_a_prospect_with_a_deal_carrying_the_configuration(vesta, order_url):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(order_url, _contacts(consent_marketing="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SavedConfiguration.objects.get()
    assert response["Location"] == reverse(
        "sales:public_thanks", kwargs={"reference": saved.reference}
    )
    person = Person.objects.get()
    assert (person.first_name, person.last_name) == ("Анна", "Смирнова")
    deal = Deal.objects.get()
    assert deal.person_id == person.pk and deal.source == "configurator"
    line = deal.lines.get()
    assert line.product_id == vesta.pk
    assert line.unit_price == Decimal("1390000") + 95000 + 45000 + 35000
    assert line.configuration["option_codes"] == VALID
    assert line.configuration["reference"] == saved.reference
    assert (saved.person_id, saved.deal_id, saved.source) == (person.pk, deal.pk, "public")
    versions = sorted(
        Consent.objects.filter(person=person).values_list("purpose", "wording_version")
    )
    assert versions == [
        ("marketing", "configurator-mkt-2026-11-en"),
        ("personal_data", "configurator-pd-2026-11-en"),
    ]
    thanks = client.get(response["Location"])
    assert saved.reference in thanks.content.decode()


@pytest.mark.django_db
def test_an_existing_customer_gets_the_same_answer_and_no_duplicate(vesta, order_url, person):
    before = Person.objects.count()
    first = Client().post(
        order_url, _contacts(phone="8 (912) 345-67-89", first_name="Сергей", email="")
    )
    assert first.status_code == 302
    assert first["Location"].startswith("/configure/thanks/")
    assert Person.objects.count() == before
    assert Deal.objects.get().person_id == person.pk
    thanks = Client().get(first["Location"])  # another browser: no session, no page
    assert thanks.status_code == 404


@pytest.mark.django_db
def test_a_tampered_configuration_is_refused_naming_the_rule_and_writes_nothing(vesta, order_url):
    before = _written()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        order_url, _contacts(codes=["classic", "18-mt", "white"])
    )
    assert response.status_code == 400
    assert "cannot be combined" in response.content.decode()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        order_url, _contacts(codes=["comfort", "16-mt", "white", "warp-drive"])
    )
    assert response.status_code == 400
    assert "warp-drive" in response.content.decode()
    assert _written() == before


@pytest.mark.django_db
def test_a_tampered_model_is_a_404_and_writes_nothing(vesta):
    before = _written()
    response = Client().post(
        reverse("sales:public_order", kwargs={"sku": "LADA-VESTA' OR 1=1"}), _contacts()
    )
    assert response.status_code == 404
    assert _written() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"consent_personal_data": ""},
            "consent_personal_data",
            "Without this consent we cannot contact you.",
        ),
        ({"first_name": ""}, "first_name", "Enter your first name."),
        ({"phone": "", "email": ""}, "phone", "Enter a phone number or an e-mail address."),
        ({"phone": "12", "email": ""}, "phone", ""),
        ({"email": "not-an-address", "phone": ""}, "email", ""),
    ],
)
def test_contact_errors_are_shown_per_field_and_write_nothing(
    vesta, order_url, changes, field, message
):
    before = _written()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(order_url, _contacts(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert message in form.errors[field]
    assert _written() == before


@pytest.mark.django_db
def test_the_page_speaks_the_visitors_language(vesta):
    url = reverse("sales:public_configure", kwargs={"sku": vesta.sku})
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert english["Content-Language"] == "en"
    assert "Get an offer for this car" in english.content.decode()
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru").get(url)
    assert russian["Content-Language"] == "ru"


@pytest.mark.django_db
def test_a_filled_honeypot_is_thanked_and_dropped(vesta, order_url):
    before = _written()
    response = Client().post(order_url, _contacts(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:public_thanks_generic")
    assert _written() == before


@pytest.mark.django_db
def test_submissions_are_rate_limited_per_address(vesta, order_url):
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        client.post(order_url, _contacts(first_name="", phone="")).status_code for _ in range(6)
    ]
    assert answers[:5] == [400] * 5
    assert answers[5] == 429
    other = Client(REMOTE_ADDR="203.0.113.10").post(order_url, _contacts(first_name=""))
    assert other.status_code == 400


@pytest.mark.django_db
def test_the_order_form_needs_the_csrf_token(vesta, order_url):
    client = Client(enforce_csrf_checks=True)
    before = _written()
    assert client.post(order_url, _contacts()).status_code == 403
    assert _written() == before


@pytest.mark.django_db
def test_a_guessed_reference_shows_nothing(vesta, order_url):
    Client().post(order_url, _contacts())
    reference = SavedConfiguration.objects.get().reference
    assert (
        Client().get(reverse("sales:public_thanks", kwargs={"reference": reference})).status_code
        == 404
    )
    assert (
        Client().get(reverse("sales:public_thanks", kwargs={"reference": "C-AAAAAAAA"})).status_code
        == 404
    )
