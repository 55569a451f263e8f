"""Deal pages: the list with its filters and keyset paging, the new-deal form, the deal
page with lines and trade-in, and bad input shown as messages with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.parties.services import person_create
from sputnik.sales.models import Deal, DealLine
from sputnik.sales.services.deals import deal_create, deal_move
from sputnik.sales.tests.deal_fixtures import add_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST_MAX_QUERIES = 14


def _list(client, **params):
    return client.get(reverse("sales:deal_list"), params)


def test_the_list_filters_by_pipeline_stage_amount_period_and_customer_name(
    client, owner, person, stages
):
    other = person_create(actor=owner, data={"last_name": "Петрова", "first_name": "Анна"})
    big = deal_create(
        actor=owner, data={"person_id": person.pk, "title": "Большая", "amount": 5_000_000}
    )
    small = deal_create(
        actor=owner, data={"person_id": other.pk, "title": "Малая", "amount": 50_000}
    )
    deal_move(actor=owner, deal=small, stage=stages["Consultation"])
    service = deal_create(
        actor=owner, data={"person_id": person.pk, "title": "ТО-1", "pipeline": "service"}
    )
    client.force_login(owner)

    def titles(**params) -> set[str]:
        body = _list(client, **params).content.decode()
        return {t for t in ("Большая", "Малая", "ТО-1") if t in body}

    assert titles() == {"Большая", "Малая", "ТО-1"}
    assert titles(pipeline=big.pipeline_id) == {"Большая", "Малая"}
    assert titles(stage=stages["Consultation"].pk) == {"Малая"}
    assert titles(amount_min="1 000 000") == {"Большая"}
    assert titles(amount_max="100000") == {"Малая", "ТО-1"}
    assert titles(q="петрова") == {"Малая"}
    assert titles(q="Иванов") == {"Большая", "ТО-1"}
    today = dt.date.today()
    assert titles(created_from=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert titles(created_to=today.isoformat()) == {"Большая", "Малая", "ТО-1"}
    assert titles(status="open", pipeline=service.pipeline_id) == {"ТО-1"}


def test_nonsense_filters_are_ignored_not_a_500(client, owner, deal):
    client.force_login(owner)
    response = _list(
        client,
        pipeline="x",
        stage="-1",
        amount_min="1e999",
        created_from="31.31.2020",
        q="\x00",
        cursor="junk",
    )
    assert response.status_code == 200
    assert deal.title in response.content.decode()


def test_the_list_pages_by_keyset_and_its_queries_do_not_grow(client, owner, person):
    client.force_login(owner)
    for i in range(3):
        deal_create(actor=owner, data={"person_id": person.pk, "title": f"D{i:03d}"})
    with CaptureQueriesContext(connection) as few:
        _list(client)
    for i in range(3, 60):
        deal_create(actor=owner, data={"person_id": person.pk, "title": f"D{i:03d}"})
    with CaptureQueriesContext(connection) as many:
        first = _list(client).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries) <= LIST_MAX_QUERIES
    assert "D059" in first and "D000" not in first
    cursor = first.split("cursor=")[1].split('"')[0].replace("&amp;", "&")
    second = client.get(reverse("sales:deal_list") + "?cursor=" + cursor).content.decode()
    assert "D000" in second and "D059" not in second


def test_a_new_deal_from_the_person_card_link(client, owner, person, new_cars):
    client.force_login(owner)
    form = client.get(reverse("sales:deal_create") + f"?person={person.pk}").content.decode()
    assert person.display_name in form
    response = client.post(
        reverse("sales:deal_create"),
        {
            "person": person.pk,
            "other_name": person.display_name,
            "pipeline": new_cars.pk,
            "title": "Из карточки",
            "amount": "2 100 000,50",
            "source": "showroom",
        },
    )
    deal = Deal.objects.get(title="Из карточки")
    assert response.status_code == 302 and response["Location"].endswith(f"/deals/{deal.pk}/")
    assert str(deal.amount) == "2100000.50"


def test_a_new_deal_without_a_customer_shows_the_message_and_writes_nothing(
    client, owner, new_cars
):
    client.force_login(owner)
    response = client.post(
        reverse("sales:deal_create"),
        {"pipeline": new_cars.pk, "title": "x", "source": "call", "amount": "-5"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a person or a company." in body
    assert not Deal.objects.exists()


def test_a_line_with_a_negative_quantity_or_a_discount_over_100_is_refused(client, owner, deal):
    client.force_login(owner)
    url = reverse("sales:deal_line_add", kwargs={"deal_id": deal.pk})
    bad = client.post(
        url, {"description": "Коврики", "quantity": "-2", "unit_price": "5000", "discount_pct": "0"}
    )
    assert "The quantity must be greater than zero." in bad.content.decode()
    bad = client.post(
        url,
        {"description": "Коврики", "quantity": "2", "unit_price": "5000", "discount_pct": "120"},
    )
    assert "The discount cannot exceed 100%." in bad.content.decode()
    assert not DealLine.objects.exists()
    good = client.post(
        url, {"description": "Коврики", "quantity": "2", "unit_price": "5000", "discount_pct": "10"}
    )
    assert good.status_code == 302
    deal.refresh_from_db()
    assert str(deal.amount) == "9000.00"
    page = client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})).content.decode()
    assert "Коврики" in page


def test_a_line_is_edited_and_removed_from_the_deal_page(client, owner, deal):
    line = add_line(owner, deal)
    client.force_login(owner)
    edit = reverse("sales:deal_line_edit", kwargs={"deal_id": deal.pk, "line_id": line.pk})
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "description": "Niva Travel Luxe",
            "quantity": "1",
            "unit_price": "1600000",
            "discount_pct": "0",
        },
    )
    line.refresh_from_db()
    assert line.description == "Niva Travel Luxe"
    client.post(reverse("sales:deal_line_delete", kwargs={"deal_id": deal.pk, "line_id": line.pk}))
    assert not DealLine.objects.filter(pk=line.pk).exists()


def test_the_deal_page_shows_time_in_stages_and_its_timeline_and_history(
    client, owner, deal, stages
):
    from django.utils import translation

    with translation.override(owner.language):  # as in the owner's own request
        deal_move(actor=owner, deal=deal, stage=stages["Consultation"])
    client.force_login(owner)
    page = client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})).content.decode()
    assert 'id="stage-times"' in page and "Lead" in page and "Consultation" in page
    assert "Deal created" in page and "Lead → Consultation" in page
    history = client.get(
        reverse("sales:deal_history", kwargs={"deal_id": deal.pk})
    ).content.decode()
    assert "Lead → Consultation" in history


def test_won_from_the_deal_page_without_lines_shows_why(client, owner, deal):
    client.force_login(owner)
    response = client.post(reverse("sales:deal_win", kwargs={"deal_id": deal.pk}), follow=True)
    assert "needs at least one product line" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"


def test_the_persons_timeline_shows_the_deal_and_links_to_it(client, owner, deal, person, stages):
    deal_move(actor=owner, deal=deal, stage=stages["Consultation"])
    client.force_login(owner)
    body = client.get(
        reverse("activities:timeline", kwargs={"person_id": person.pk})
    ).content.decode()
    assert deal.title in body
    assert "Lead → Consultation" in body
    assert reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) in body
