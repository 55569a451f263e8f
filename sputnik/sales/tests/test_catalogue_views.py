"""The CRM catalogue browser and configurator: any signed-in user reads the catalogue
with today's price for their centre; only catalogue editors see inactive products and
edit; a configuration is saved as a line of a deal the user may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sputnik.core.demo.catalogue import CARS
from sputnik.sales.models import Option, Product, SavedConfiguration
from sputnik.sales.services.catalogue import (
    price_list_create,
    price_list_prices_set,
    product_create,
    product_define,
)

PERSONAS = [
    "owner",
    "colleague",
    "advisor",
    "head",
    "outsider",
    "operator",
    "marketer",
    "executive",
    "admin_user",
]


@pytest.fixture
def catalogue(admin_user, centre_a):
    products = [product_define(actor=admin_user, definition=car) for car in CARS]
    today = timezone.localdate()
    network = price_list_create(
        actor=admin_user, name="Сеть", valid_from=today - dt.timedelta(days=1)
    )
    price_list_prices_set(actor=admin_user, price_list=network, products={products[0]: "1400000"})
    own = price_list_create(
        actor=admin_user, name="Центр А: салон", centre=centre_a, valid_from=today, priority=1
    )
    price_list_prices_set(actor=admin_user, price_list=own, products={products[0]: "1350000"})
    hidden = product_create(
        actor=admin_user,
        data={"sku": "OLD-1", "name": "Снятая модель", "base_price": "1", "is_active": False},
    )
    return {"products": products, "vesta": products[0], "hidden": hidden}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_user_reads_the_catalogue(request, persona, catalogue):
    user = request.getfixturevalue(persona)
    response = _client(user).get(reverse("sales:catalogue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "LADA-VESTA" in body and "HAVAL-JOLION" in body
    assert "OLD-1" not in body
    detail = _client(user).get(
        reverse("sales:product_detail", kwargs={"product_id": catalogue["vesta"].pk})
    )
    assert detail.status_code == 200


@pytest.mark.django_db
def test_the_price_shown_is_the_users_centres_today(catalogue, owner, outsider):
    url = reverse("sales:product_detail", kwargs={"product_id": catalogue["vesta"].pk})
    assert 'data-price="1350000.00"' in _client(owner).get(url).content.decode()
    assert 'data-price="1400000.00"' in _client(outsider).get(url).content.decode()


@pytest.mark.django_db
def test_inactive_products_are_missing_except_for_catalogue_editors(catalogue, owner, admin_user):
    url = reverse("sales:product_detail", kwargs={"product_id": catalogue["hidden"].pk})
    assert _client(owner).get(url).status_code == 404
    assert _client(admin_user).get(url).status_code == 200
    listing = _client(admin_user).get(reverse("sales:catalogue"), {"inactive": "1"})
    assert "OLD-1" in listing.content.decode()
    listing = _client(owner).get(reverse("sales:catalogue"), {"inactive": "1"})
    assert "OLD-1" not in listing.content.decode()


@pytest.mark.django_db
def test_filters_narrow_the_list(catalogue, owner):
    client = _client(owner)
    body = client.get(reverse("sales:catalogue"), {"q": "niva"}).content.decode()
    assert "LADA-NIVA-TRAVEL" in body and "LADA-VESTA" not in body
    body = client.get(reverse("sales:catalogue"), {"kind": "service"}).content.decode()
    assert "LADA-VESTA" not in body
    body = client.get(
        reverse("sales:catalogue"), {"kind": "bogus", "category": "x"}
    ).content.decode()
    assert "LADA-VESTA" in body


@pytest.mark.django_db
def test_the_list_takes_a_fixed_number_of_queries(
    catalogue, owner, admin_user, django_assert_max_num_queries
):
    client = _client(owner)
    client.get(reverse("sales:catalogue"))
    for i in range(20):
        product_create(
            actor=admin_user,
            data={"sku": f"ACC-{i}", "name": f"Аксессуар {i}", "base_price": "100"},
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sales:catalogue"))
    assert response.content.decode().count("data-product=") == 24


@pytest.mark.django_db
def test_only_catalogue_editors_may_change_it_in_the_admin(catalogue, head, admin_user):
    head.is_staff = True
    head.save()
    url = reverse("admin:sales_product_change", kwargs={"object_id": catalogue["vesta"].pk})
    response = _client(head).post(url, {"sku": "HACK", "name": "x", "base_price": "1"})
    assert response.status_code == 403
    assert not Product.objects.filter(sku="HACK").exists()
    assert _client(admin_user).get(url).status_code == 200


@pytest.mark.django_db
def test_configurator_page_starts_from_a_valid_configuration(catalogue, owner):
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    response = _client(owner).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-config-valid" in body
    assert 'data-total="1350000.00"' in body  # centre A's model price + the included options


@pytest.mark.django_db
def test_a_click_returns_the_repriced_panel(catalogue, owner):
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    response = _client(owner).post(
        url,
        {"started": "1", "codes": ["classic", "16-mt", "white"], "pick": "luxe"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-total="1535000.00"' in body  # 1 350 000 + Luxe 185 000
    assert 'value="luxe"' in body and 'aria-pressed="true"' in body


@pytest.mark.django_db
def test_a_tampered_selection_is_named_not_priced(catalogue, owner):
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    response = _client(owner).post(
        url, {"started": "1", "codes": ["classic", "18-mt", "white", "nitro"]}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-rule="excludes"' in body and 'data-rule="unknown_option"' in body
    assert "data-config-valid" not in body


@pytest.fixture
def deal(owner, person):
    from sputnik.sales.services.deals import deal_create

    return deal_create(actor=owner, data={"person_id": person.pk, "title": "Веста для Иванова"})


@pytest.mark.django_db
def test_saving_adds_the_configuration_as_a_deal_line(catalogue, owner, deal):
    url = reverse("sales:configurator_save", kwargs={"product_id": catalogue["vesta"].pk})
    response = _client(owner).post(
        url, {"codes": ["comfort", "16-mt", "red", "winter"], "deal": deal.pk}
    )
    assert response.status_code == 302
    line = deal.lines.get()
    assert line.product_id == catalogue["vesta"].pk
    assert line.unit_price == Decimal("1350000") + Decimal("95000") + Decimal("45000") + Decimal(
        "35000"
    )
    assert line.configuration["option_codes"] == ["comfort", "16-mt", "red", "winter"]
    assert "Comfort" in line.description
    assert SavedConfiguration.objects.get(deal_id=deal.pk).total == line.unit_price


@pytest.mark.django_db
def test_saving_an_invalid_configuration_writes_nothing(catalogue, owner, deal):
    url = reverse("sales:configurator_save", kwargs={"product_id": catalogue["vesta"].pk})
    response = _client(owner).post(url, {"codes": ["classic", "18-mt", "white"], "deal": deal.pk})
    assert response.status_code == 400
    assert "cannot be combined" in response.content.decode()
    assert deal.lines.count() == 0
    assert SavedConfiguration.objects.count() == 0


@pytest.mark.django_db
def test_saving_to_a_deal_of_another_centre_is_a_404_like_a_missing_one(catalogue, outsider, deal):
    url = reverse("sales:configurator_save", kwargs={"product_id": catalogue["vesta"].pk})
    codes = ["comfort", "16-mt", "white"]
    hidden = _client(outsider).post(url, {"codes": codes, "deal": deal.pk})
    missing = _client(outsider).post(url, {"codes": codes, "deal": 987654321})
    garbage = _client(outsider).post(url, {"codes": codes, "deal": "1; drop"})
    assert hidden.status_code == missing.status_code == garbage.status_code == 404
    assert deal.lines.count() == 0


@pytest.mark.django_db
def test_option_prices_in_the_panel_follow_the_centres_list(catalogue, owner, admin_user, centre_a):
    winter = Option.objects.get(product=catalogue["vesta"], code="winter")
    own = price_list_create(
        actor=admin_user, name="Зима", centre=centre_a, valid_from=timezone.localdate(), priority=5
    )
    price_list_prices_set(actor=admin_user, price_list=own, options={winter: "0"})
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    body = (
        _client(owner)
        .post(url, {"started": "1", "codes": ["classic", "16-mt", "white", "winter"]})
        .content.decode()
    )
    # the model keeps centre A's salon price ("Зима" prices no model); winter is free there
    assert 'data-total="1350000.00"' in body


@pytest.mark.django_db
def test_the_deal_a_user_comes_from_is_carried_to_the_configurator(catalogue, owner, deal):
    listing = _client(owner).get(reverse("sales:catalogue"), {"deal": deal.pk}).content.decode()
    assert f"?deal={deal.pk}" in listing
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    page = _client(owner).get(url, {"deal": deal.pk}).content.decode()
    assert f'<option value="{deal.pk}" selected>' in page


@pytest.mark.django_db
def test_another_centres_deal_is_never_offered(catalogue, outsider, deal):
    url = reverse("sales:configurator", kwargs={"product_id": catalogue["vesta"].pk})
    page = _client(outsider).get(url, {"deal": deal.pk}).content.decode()
    assert "Веста для Иванова" not in page


@pytest.mark.django_db
def test_admin_pages_with_inlines_render_for_catalogue_editors(catalogue, admin_user):
    from sputnik.sales.models import OptionGroup, PriceList

    client = _client(admin_user)
    group = OptionGroup.objects.filter(product=catalogue["vesta"]).first()
    price_list = PriceList.objects.first()
    for url in [
        reverse("admin:sales_product_changelist"),
        reverse("admin:sales_product_change", kwargs={"object_id": catalogue["vesta"].pk}),
        reverse("admin:sales_optiongroup_change", kwargs={"object_id": group.pk}),
        reverse("admin:sales_pricelist_change", kwargs={"object_id": price_list.pk}),
        reverse("admin:sales_pricelist_add"),
        reverse("admin:sales_savedconfiguration_changelist"),
        reverse("admin:sales_category_add"),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_rule_added_in_the_admin_is_checked_like_the_service_does(catalogue, admin_user):
    from sputnik.sales.admin_catalogue import OptionRuleForm

    comfort = Option.objects.get(product=catalogue["vesta"], code="comfort")
    luxe = Option.objects.get(product=catalogue["vesta"], code="luxe")
    form = OptionRuleForm(data={"option": comfort.pk, "kind": "requires", "target": luxe.pk})
    assert not form.is_valid()
    assert "target" in form.errors
