"""Sales analytics: the numbers, their visibility, the filters, the page and the CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sputnik.analytics import selectors
from sputnik.analytics.selectors import SalesFilters
from sputnik.parties.models import Person, Tag
from sputnik.parties.services import person_create
from sputnik.sales.models import Deal, LostReason, Pipeline, StageKind
from sputnik.sales.services.deals import (
    deal_create,
    deal_line_add,
    deal_lose,
    deal_move,
    deal_win,
)

pytestmark = pytest.mark.django_db

YEAR = 2026
TZ = dt.UTC


def at(month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(YEAR, month, day, 12, 0, tzinfo=TZ)


def year_filters(**extra) -> SalesFilters:
    return SalesFilters(date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31), **extra)


@pytest.fixture
def pipeline(db) -> Pipeline:
    return Pipeline.objects.get(slug="new-cars")


@pytest.fixture
def stage(pipeline):
    by_name = {s.name_en: s for s in pipeline.stages.all()}
    return by_name.__getitem__


def make_deal(actor, person, pipeline, *, amount="1000000", created=None, **data) -> Deal:
    deal = deal_create(
        actor=actor,
        data={
            "person_id": person.pk,
            "pipeline_id": pipeline.pk,
            "title": "Deal",
            "amount": amount,
            **data,
        },
    )
    if created:
        Deal.objects.filter(pk=deal.pk).update(created_at=created)
        deal.stage_changes.update(entered_at=created)
        deal.refresh_from_db()
    return deal


def advance(actor, deal: Deal, stage, *, to: str, when: dt.datetime | None = None) -> Deal:
    """Move through the pipeline's stages up to `to`, each move `when` (or now)."""
    names = ["Lead", "Consultation", "Test drive", "Proposal", "Contract"]
    current = deal.stage.name_en
    for name in names[names.index(current) + 1 : names.index(to) + 1]:
        if name == "Contract" and not deal.lines.exists():
            deal_line_add(
                actor=actor,
                deal=deal,
                data={"description": "Lada Vesta", "quantity": 1, "unit_price": str(deal.amount)},
            )
        deal = deal_move(actor=actor, deal=deal, stage=stage(name))
    if when:
        deal.stage_changes.filter(left_at__isnull=False).update(left_at=when)
    return deal


def close(deal: Deal, when: dt.datetime) -> None:
    Deal.objects.filter(pk=deal.pk).update(closed_at=when)


@pytest.fixture
def network(owner, colleague, outsider, person, pipeline, stage):
    """Centre A: owner has 4 deals (2 won, 1 lost at Test drive, 1 open), colleague 1 won.
    Centre B: outsider has 1 won deal that centre A must never count."""
    person_b = person_create(
        actor=outsider,
        data={"last_name": "Петров", "first_name": "Пётр", "phones": ["+79161112233"]},
    )
    won1 = advance(
        owner,
        make_deal(owner, person, pipeline, amount="2000000", created=at(1)),
        stage,
        to="Contract",
    )
    deal_win(actor=owner, deal=won1)
    close(won1, at(1, 31))  # 21 days after creation
    won2 = advance(
        owner,
        make_deal(owner, person, pipeline, amount="1000000", created=at(3)),
        stage,
        to="Contract",
    )
    deal_win(actor=owner, deal=won2)
    close(won2, at(3, 20))  # 10 days
    lost = advance(
        owner,
        make_deal(owner, person, pipeline, amount="900000", created=at(2)),
        stage,
        to="Test drive",
    )
    deal_lose(actor=owner, deal=lost, reason=LostReason.objects.first())
    close(lost, at(2, 28))
    open_deal = advance(
        owner,
        make_deal(
            owner, person, pipeline, amount="3000000", created=at(4), expected_close="2026-06-15"
        ),
        stage,
        to="Proposal",
    )
    colleague_person = person_create(
        actor=colleague,
        data={"last_name": "Сидоров", "first_name": "Сидор", "phones": ["+79161112244"]},
    )
    colleague_won = advance(
        colleague,
        make_deal(colleague, colleague_person, pipeline, amount="500000", created=at(5)),
        stage,
        to="Contract",
    )
    deal_win(actor=colleague, deal=colleague_won)
    close(colleague_won, at(5, 15))
    b_won = advance(
        outsider,
        make_deal(outsider, person_b, pipeline, amount="7000000", created=at(2)),
        stage,
        to="Contract",
    )
    deal_win(actor=outsider, deal=b_won)
    close(b_won, at(2, 20))
    return {"open": open_deal, "lost": lost, "won1": won1, "person_b": person_b}


def test_funnel_counts_each_deal_up_to_the_furthest_stage_it_reached(head, network, pipeline):
    steps = {s.stage.name_en: s for s in selectors.funnel(actor=head, filters=year_filters())}
    # centre A created 5 deals: all reached Lead…Test drive; the lost one stopped there
    assert steps["Lead"].reached == 5
    assert steps["Test drive"].reached == 5
    assert steps["Proposal"].reached == 4
    assert steps["Contract"].reached == 3
    assert steps["Won"].reached == 3
    assert steps["Proposal"].conversion == pytest.approx(4 / 5)
    assert steps["Lead"].conversion is None
    assert "Lost" not in steps


def test_forecast_weights_open_deals_by_probability_in_their_expected_month(head, network):
    months = {m.month.month: m for m in selectors.forecast(actor=head, filters=year_filters())}
    assert len(months) == 12
    probability = network["open"].probability
    assert months[6].weighted == (Decimal("3000000") * probability / 100).quantize(Decimal("0.01"))
    assert months[6].open_deals == 1
    assert months[1].won == Decimal("2000000")
    assert months[3].won == Decimal("1000000")
    assert months[2].won == Decimal(0)  # centre B's win is not centre A's


def test_outcomes_give_win_rate_average_deal_and_cycle(head, network):
    o = selectors.outcomes(actor=head, filters=year_filters())
    assert (o.won, o.lost) == (3, 1)
    assert o.win_rate == pytest.approx(0.75)
    assert o.won_amount == Decimal("3500000")
    assert o.average_won == Decimal("1166666.67")
    assert o.cycle_days == pytest.approx((21 + 10 + 5) / 3, abs=0.1)


def test_numbers_respect_visibility(
    owner, colleague, head, other_head, executive, outsider, network
):
    assert selectors.outcomes(actor=owner, filters=year_filters()).won == 2
    assert selectors.outcomes(actor=colleague, filters=year_filters()).won == 1
    assert selectors.outcomes(actor=head, filters=year_filters()).won == 3
    assert selectors.outcomes(actor=other_head, filters=year_filters()).won_amount == Decimal(
        "7000000"
    )
    assert selectors.outcomes(actor=executive, filters=year_filters()).won == 4
    managers = {m.name for m in selectors.leaderboard_managers(actor=head, filters=year_filters())}
    assert outsider.get_full_name() not in managers
    centres = selectors.leaderboard_centres(actor=executive, filters=year_filters())
    assert [c.outcomes.won_amount for c in centres] == [Decimal("7000000"), Decimal("3500000")]


def test_filters_narrow_by_manager_region_tag_and_period(
    head, owner, executive, network, person, centre_b
):
    assert selectors.outcomes(actor=head, filters=year_filters(owner_id=owner.pk)).won == 2
    region_b = year_filters(region=centre_b.region)
    assert selectors.outcomes(actor=executive, filters=region_b).won_amount == Decimal("7000000")
    vip = Tag.objects.create(name="VIP")
    Person.tags.through.objects.create(person_id=person.pk, tag_id=vip.pk)
    assert selectors.outcomes(actor=executive, filters=year_filters(tag_id=vip.pk)).won == 2
    spring = SalesFilters(date_from=dt.date(YEAR, 3, 1), date_to=dt.date(YEAR, 5, 31))
    assert selectors.outcomes(actor=head, filters=spring).won == 2


def test_product_filter_counts_deals_with_a_line_of_that_product(head, owner, person, pipeline):
    from sputnik.sales.models import Category, Product

    category = Category.objects.create(name="Cars", slug="cars")
    vesta = Product.objects.create(sku="VESTA", name="Lada Vesta", category=category, base_price=1)
    with_product = make_deal(owner, person, pipeline)
    deal_line_add(
        actor=owner,
        deal=with_product,
        data={"product_id": vesta.pk, "quantity": 1, "unit_price": "100"},
    )
    make_deal(owner, person, pipeline)
    steps = selectors.funnel(actor=head, filters=year_filters(product_id=vesta.pk))
    assert steps[0].reached == 1


def test_filters_from_a_query_ignore_junk_and_fix_a_reversed_period():
    f = SalesFilters.from_params(
        {
            "from": "2026-12-31",
            "to": "2026-01-01",
            "centre": "abc",
            "owner": "-1",
            "region": "x\x00",
        },
        today=dt.date(2026, 6, 1),
    )
    assert (f.date_from, f.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert f.centre_id is None and f.owner_id is None and f.region == "x"
    default = SalesFilters.from_params({}, today=dt.date(2026, 6, 1))
    assert (default.date_from, default.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_time_in_stage_averages_the_stays_that_ended_in_the_period(
    head, owner, person, pipeline, stage
):
    deal = make_deal(owner, person, pipeline, created=at(1, 1))
    deal = deal_move(actor=owner, deal=deal, stage=stage("Consultation"))
    deal.stage_changes.filter(stage=stage("Lead")).update(entered_at=at(1, 1), left_at=at(1, 5))
    dwell = {
        d.stage.name_en: d for d in selectors.time_in_stage(actor=head, filters=year_filters())
    }
    assert dwell["Lead"].stays == 1
    assert dwell["Lead"].average_days == pytest.approx(4.0)
    assert dwell["Consultation"].stays == 0


def test_time_in_stage_counts_only_the_stays_of_visible_deals(
    owner, head, other_head, executive, network, pipeline
):
    def lead_stays(actor, **extra) -> int:
        dwell = selectors.time_in_stage(actor=actor, filters=year_filters(**extra))
        return {d.stage.name_en: d.stays for d in dwell}["Lead"]

    # every deal of the network left "Lead" this year: 5 in centre A (4 the owner's), 1 in B
    assert lead_stays(owner) == 4
    assert lead_stays(head) == 5
    assert lead_stays(other_head) == 1
    assert lead_stays(executive) == 6
    assert lead_stays(executive, centre_id=head.centre_id) == 5
    assert lead_stays(executive, owner_id=owner.pk) == 4


def test_the_page_draws_charts_from_data_without_inline_script(
    client, head, network, django_assert_max_num_queries
):
    client.force_login(head)
    with django_assert_max_num_queries(25):
        response = client.get("/analytics/sales/", {"from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-chart=") == 4
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html and "style=" not in html
    assert 'id="kpi-win-rate">75 %' in html


def test_page_query_count_does_not_grow_with_deals(client, head, owner, person, pipeline):
    client.force_login(head)
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/sales/")
    for _ in range(5):
        make_deal(owner, person, pipeline)
    with CaptureQueriesContext(connection) as more:
        client.get("/analytics/sales/")
    assert len(more) == len(few)


def test_csv_export_respects_visibility_and_neutralises_formulas(client, head, owner, network):
    owner.first_name, owner.last_name = "=HYPERLINK(1)", "x"
    owner.save()
    client.force_login(head)
    response = client.get(
        "/analytics/sales/export.csv",
        {"report": "managers", "from": "2026-01-01", "to": "2026-12-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) x" in text
    assert "7000000" not in text  # centre B's manager is not on centre A's board
    funnel = client.get("/analytics/sales/export.csv", {"report": "funnel"}).content.decode(
        "utf-8-sig"
    )
    assert funnel.splitlines()[0].split(";")[0] in {"Stage", "Стадия", "Этап"}


def test_unknown_csv_report_is_404(client, head):
    client.force_login(head)
    assert client.get("/analytics/sales/export.csv", {"report": "nothing"}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/analytics/sales/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_deals_sees_empty_reports(client, advisor, network):
    client.force_login(advisor)
    response = client.get("/analytics/sales/")
    assert response.status_code == 200


def test_closed_at_boundaries_use_the_local_day(head, owner, person, pipeline, stage):
    deal = advance(
        owner, make_deal(owner, person, pipeline, created=at(12, 1)), stage, to="Contract"
    )
    deal_win(actor=owner, deal=deal)
    close(deal, timezone.make_aware(dt.datetime(YEAR, 12, 31, 23, 30)))
    assert selectors.outcomes(actor=head, filters=year_filters()).won == 1
    assert deal.status == StageKind.WON or Deal.objects.get(pk=deal.pk).status == StageKind.WON
