"""Configure from the deal page: the configurator opened for the deal adds a valid
configuration as one line priced at the deal's centre, keeping the configuration; an
invalid one is refused with the configurator's message and nothing is written; only
users who may change the deal get the action or the line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sputnik.core.demo.catalogue import CARS
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Deal, DealLine, SavedConfiguration
from sputnik.sales.services.catalogue import (
    price_list_create,
    price_list_prices_set,
    product_define,
)
from sputnik.sales.services.configurator import configuration_price
from sputnik.sales.services.deal_configuration import deal_line_add_configuration
from sputnik.sales.services.deals import deal_lose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VALID = ["comfort", "16-mt", "red", "winter"]
INVALID = ["classic", "18-mt", "white"]  # the 1.8 engine is not offered with Classic


@pytest.fixture
def vesta(admin_user, centre_a):
    """The demo Vesta: 1,400,000 on the network list, 1,350,000 in centre A's salon."""
    product = product_define(actor=admin_user, definition=CARS[0])
    today = timezone.localdate()
    network = price_list_create(
        actor=admin_user, name="Сеть", valid_from=today - dt.timedelta(days=1)
    )
    price_list_prices_set(actor=admin_user, price_list=network, products={product: "1400000"})
    own = price_list_create(
        actor=admin_user, name="Центр А", centre=centre_a, valid_from=today, priority=1
    )
    price_list_prices_set(actor=admin_user, price_list=own, products={product: "1350000"})
    return product


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _save(user, vesta, deal, codes):
    url = reverse("sales:configurator_save", kwargs={"product_id": vesta.pk})
    return _client(user).post(url, {"codes": codes, "deal": deal.pk})


def _nothing_written(deal: Deal, amount: Decimal) -> bool:
    deal.refresh_from_db()
    return (
        not DealLine.objects.filter(deal=deal).exists()
        and not SavedConfiguration.objects.exists()
        and not AuditEntry.objects.filter(entity="sales.dealline").exists()
        and deal.amount == amount
    )


def test_the_deal_page_offers_configure_for_this_deal(owner, vesta, deal):
    page = _client(owner).get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    configure = reverse("sales:configurator", kwargs={"product_id": vesta.pk})
    assert 'id="deal-configure"' in page
    assert f'href="{configure}?deal={deal.pk}"' in page
    assert f'href="{reverse("sales:catalogue")}?deal={deal.pk}"' in page


@pytest.mark.parametrize("persona", ["executive", "marketer"])
def test_a_read_only_role_is_not_offered_configure(request, persona, vesta, deal):
    user = request.getfixturevalue(persona)
    response = _client(user).get(reverse("sales:deal_detail", args=[deal.pk]))
    assert response.status_code == 200 and 'id="deal-configure"' not in response.content.decode()


def test_a_closed_deal_is_not_offered_configure(owner, vesta, deal, reason):
    deal_lose(actor=owner, deal=deal, reason=reason)
    page = _client(owner).get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    assert 'id="deal-configure"' not in page


def test_the_configurator_opened_for_the_deal_names_it_and_preselects_it(owner, vesta, deal):
    url = reverse("sales:configurator", kwargs={"product_id": vesta.pk})
    page = _client(owner).get(url, {"deal": deal.pk}).content.decode()
    assert 'id="configure-for-deal"' in page and deal.title in page
    assert f'<option value="{deal.pk}" selected>' in page
    assert reverse("sales:deal_detail", args=[deal.pk]) in page


def test_configure_from_the_deal_adds_a_priced_line_that_keeps_the_configuration(
    owner, vesta, deal
):
    response = _save(owner, vesta, deal, VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk]) + "#lines"
    line = DealLine.objects.get(deal=deal)
    expected = configuration_price(product=vesta, option_codes=VALID, centre=deal.centre_id)
    assert line.unit_price == expected.unit_price == Decimal("1350000") + Decimal("175000")
    assert (line.product_id, line.quantity, line.amount) == (vesta.pk, 1, expected.unit_price)
    assert line.description == expected.description
    saved = SavedConfiguration.objects.get()
    assert (saved.deal_id, saved.person_id, saved.source) == (deal.pk, deal.person_id, "crm")
    assert line.configuration["option_codes"] == VALID
    assert line.configuration["reference"] == saved.reference
    deal.refresh_from_db()
    assert deal.amount == line.amount  # a deal with lines is worth their sum
    assert AuditEntry.objects.filter(entity="sales.dealline", entity_id=line.pk).exists()


def test_the_line_is_priced_at_the_deals_centre_not_the_users(operator, vesta, deal):
    # The call centre has no list of its own (network: 1,400,000); the deal is centre A's.
    assert _save(operator, vesta, deal, VALID).status_code == 302
    line = DealLine.objects.get(deal=deal)
    assert line.configuration["lines"][0]["amount"] == "1350000.00"
    url = reverse("sales:configurator", kwargs={"product_id": vesta.pk})
    panel = _client(operator).get(url, {"deal": deal.pk, "codes": VALID}).content.decode()
    assert f'data-total="{line.unit_price}"' in panel


def test_an_invalid_configuration_is_refused_with_the_configurators_message(owner, vesta, deal):
    amount = deal.amount
    response = _save(owner, vesta, deal, INVALID)
    assert response.status_code == 400
    assert "cannot be combined" in response.content.decode()
    assert _nothing_written(deal, amount)


def test_the_service_refuses_an_invalid_configuration_under_option_codes(owner, vesta, deal):
    amount = deal.amount
    with pytest.raises(ValidationError) as refused:
        deal_line_add_configuration(actor=owner, deal=deal, product=vesta, option_codes=INVALID)
    assert "cannot be combined" in " ".join(refused.value.message_dict["option_codes"])
    assert _nothing_written(deal, amount)


def test_a_line_that_cannot_be_added_leaves_no_saved_configuration(owner, vesta, deal, monkeypatch):
    amount = deal.amount
    monkeypatch.setattr("sputnik.sales.services.deals.MAX_LINES", 0)
    with pytest.raises(ValidationError, match="At most 0 items"):
        deal_line_add_configuration(actor=owner, deal=deal, product=vesta, option_codes=VALID)
    assert _nothing_written(deal, amount)


def test_a_closed_deal_is_refused_with_a_message(owner, vesta, deal, reason):
    deal_lose(actor=owner, deal=deal, reason=reason)
    deal.refresh_from_db()
    response = _save(owner, vesta, deal, VALID)
    assert response.status_code == 400
    assert "The deal is closed" in response.content.decode()
    assert _nothing_written(deal, deal.amount)


def test_a_read_only_role_that_sees_the_deal_may_not_add_a_line(executive, vesta, deal):
    amount = deal.amount
    assert _save(executive, vesta, deal, VALID).status_code == 403
    with pytest.raises(AccessDenied):
        deal_line_add_configuration(actor=executive, deal=deal, product=vesta, option_codes=VALID)
    assert _nothing_written(deal, amount)


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_a_user_who_does_not_see_the_deal_gets_a_404(request, persona, vesta, deal):
    user = request.getfixturevalue(persona)
    amount = deal.amount
    assert _save(user, vesta, deal, VALID).status_code == 404
    assert _client(user).get(reverse("sales:deal_detail", args=[deal.pk])).status_code == 404
    with pytest.raises(AccessDenied, match="not visible"):
        deal_line_add_configuration(actor=user, deal=deal, product=vesta, option_codes=VALID)
    assert _nothing_written(deal, amount)


def test_a_line_written_directly_cannot_carry_a_configuration_the_rules_refuse(owner, vesta, deal):
    """The API and forms write lines through deal_line_add: a configuration with option
    codes is checked by the configurator there too, whoever writes it."""
    from sputnik.sales.services.deals import deal_line_add

    amount = deal.amount
    with pytest.raises(ValidationError) as refused:
        deal_line_add(
            actor=owner,
            deal=deal,
            data={"product_id": vesta.pk, "configuration": {"option_codes": INVALID}},
        )
    assert "cannot be combined" in " ".join(refused.value.message_dict["configuration"])
    with pytest.raises(ValidationError) as no_product:
        deal_line_add(
            actor=owner,
            deal=deal,
            data={
                "description": "Vesta",
                "unit_price": "1",
                "configuration": {"option_codes": VALID},
            },
        )
    assert "configuration" in no_product.value.message_dict
    assert _nothing_written(deal, amount)
    line = deal_line_add(
        actor=owner,
        deal=deal,
        data={"product_id": vesta.pk, "configuration": {"option_codes": VALID, "note": "x"}},
    )
    assert line.configuration["option_codes"] == VALID
