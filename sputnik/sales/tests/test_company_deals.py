"""The deals panel of a company's card: the company's deals the user may see by the deal
ladder (own → centre → all), with status, stage, amount and owner, in bounded queries;
and a new deal started from the card, for the company."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.parties.services import company_create
from sputnik.sales.models import Deal
from sputnik.sales.services.deals import deal_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# session, user, the company, its visibility, the deals
PANEL_MAX_QUERIES = 5


@pytest.fixture
def company(owner):
    """A company of centre A owned by `owner`."""
    return company_create(actor=owner, data={"name": "ООО Ромашка"})


@pytest.fixture
def deals(owner, colleague, operator, centre_b, company, new_cars) -> dict[str, Deal]:
    """The owner's deal, a colleague's deal (same centre) and a deal the call centre
    placed in centre B, all for the company."""
    mine = deal_create(
        actor=owner,
        data={"company_id": company.pk, "title": "Ларгус для Ромашки", "amount": 1_200_000},
    )
    colleagues = deal_create(
        actor=operator,
        data={"company_id": company.pk, "title": "Гранта для Ромашки", "owner_id": colleague.pk},
    )
    elsewhere = deal_create(
        actor=operator,
        data={"company_id": company.pk, "title": "Нива для Ромашки", "centre_id": centre_b.pk},
    )
    return {"mine": mine, "colleagues": colleagues, "elsewhere": elsewhere}


def _panel(client, user, company):
    client.force_login(user)
    return client.get(reverse("sales:company_deals", args=[company.pk]))


def _titles(html: str) -> set[str]:
    return {t for t in ("Ларгус", "Гранта", "Нива") if t in html}


def test_the_company_card_loads_the_deals_panel(client, owner, company):
    client.force_login(owner)
    page = client.get(reverse("parties:company_detail", args=[company.pk])).content.decode()
    assert reverse("sales:company_deals", args=[company.pk]) in page


def test_the_panel_shows_status_stage_amount_owner_and_a_link_to_the_deal(
    client, owner, company, deals
):
    response = _panel(client, owner, company)
    assert response.status_code == 200
    html = response.content.decode()
    deal = deals["mine"]
    assert reverse("sales:deal_detail", args=[deal.pk]) in html
    assert deal.stage.name in html and "Open" in html
    assert "1,200,000" in html
    assert owner.display_name in html


def test_a_sales_manager_sees_only_their_own_deals_of_the_company(client, owner, company, deals):
    assert _titles(_panel(client, owner, company).content.decode()) == {"Ларгус"}


def test_a_centre_head_sees_the_centres_deals_but_not_another_centres(client, head, company, deals):
    assert _titles(_panel(client, head, company).content.decode()) == {"Ларгус", "Гранта"}


def test_a_network_wide_role_sees_every_deal_of_the_company(client, executive, company, deals):
    assert _titles(_panel(client, executive, company).content.decode()) == {
        "Ларгус",
        "Гранта",
        "Нива",
    }


@pytest.mark.parametrize("persona", ["outsider", "other_head"])
def test_a_user_of_another_centre_does_not_see_the_companys_deals(
    client, request, persona, company, deals
):
    user = request.getfixturevalue(persona)
    response = _panel(client, user, company)
    assert response.status_code == 404
    assert _titles(response.content.decode()) == set()


def test_a_missing_company_is_the_same_404(client, owner):
    assert _panel(client, owner, type("C", (), {"pk": 987654321})()).status_code == 404


def test_the_panel_costs_the_same_queries_for_one_deal_and_for_twenty(
    client, owner, company, deals, django_assert_max_num_queries
):
    client.force_login(owner)
    url = reverse("sales:company_deals", args=[company.pk])
    with django_assert_max_num_queries(PANEL_MAX_QUERIES):
        assert client.get(url).status_code == 200
    for i in range(20):
        deal_create(actor=owner, data={"company_id": company.pk, "title": f"Сделка {i}"})
    with django_assert_max_num_queries(PANEL_MAX_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('data-deal="') == 20  # the newest twenty


def test_new_deal_from_the_card_is_for_the_company(client, owner, company, new_cars):
    client.force_login(owner)
    panel = _panel(client, owner, company).content.decode()
    url = reverse("sales:deal_create") + f"?company={company.pk}"
    assert url in panel
    form = client.get(url).content.decode()
    assert "ООО Ромашка" in form and f'name="company" value="{company.pk}"' in form
    response = client.post(
        url,
        {
            "company": company.pk,
            "pipeline": new_cars.pk,
            "title": "Автопарк",
            "source": "showroom",
        },
    )
    deal = Deal.objects.get(title="Автопарк")
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    assert (deal.company_id, deal.person_id, deal.owner_id) == (company.pk, None, owner.pk)


def test_a_company_the_user_may_not_see_is_neither_offered_nor_accepted(
    client, outsider, company, new_cars
):
    client.force_login(outsider)
    url = reverse("sales:deal_create") + f"?company={company.pk}"
    assert "ООО Ромашка" not in client.get(url).content.decode()
    response = client.post(
        url,
        {"company": company.pk, "pipeline": new_cars.pk, "title": "Чужая", "source": "showroom"},
    )
    assert response.status_code == 200
    assert "Choose a valid company." in response.content.decode()
    assert not Deal.objects.filter(title="Чужая").exists()


def test_a_read_only_role_is_not_offered_a_new_deal(client, executive, company):
    html = _panel(client, executive, company).content.decode()
    assert reverse("sales:deal_create") not in html


def test_a_tampered_company_value_is_refused_with_a_message(client, owner, new_cars):
    client.force_login(owner)
    response = client.post(
        reverse("sales:deal_create"),
        {"company": "1 OR 1=1", "pipeline": new_cars.pk, "title": "Взлом", "source": "showroom"},
    )
    assert response.status_code == 200
    assert "Choose a valid company." in response.content.decode()
    assert not Deal.objects.filter(title="Взлом").exists()
