"""Deal services: create, update, move, win, lose, lines — and refusals that write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sputnik.activities.models import Interaction
from sputnik.core.events import subscribe
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.parties.services import person_create
from sputnik.sales.models import Deal, DealLine, DealStageChange, StageKind
from sputnik.sales.services.deals import (
    deal_create,
    deal_line_add,
    deal_line_delete,
    deal_line_update,
    deal_lose,
    deal_move,
    deal_update,
    deal_win,
)
from sputnik.sales.tests.deal_fixtures import add_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _state() -> tuple:
    return (
        list(Deal.objects.order_by("pk").values()),
        list(DealLine.objects.order_by("pk").values()),
        DealStageChange.objects.count(),
        AuditEntry.objects.count(),
        Interaction.objects.count(),
    )


def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability(deal, stages, owner):
    assert deal.stage == stages["Lead"]
    assert deal.status == StageKind.OPEN
    assert deal.probability == stages["Lead"].probability
    assert deal.currency == "RUB"
    assert deal.amount == Decimal("1500000.00")
    assert deal.owner == owner and deal.centre == owner.centre
    stay = DealStageChange.objects.get(deal=deal)
    assert stay.stage == stages["Lead"] and stay.left_at is None and stay.from_stage is None


def test_creating_a_deal_is_audited_and_appears_on_the_persons_timeline(deal, person):
    assert AuditEntry.objects.filter(
        entity="sales.deal", entity_id=deal.pk, action="create", subject_person_id=person.pk
    ).exists()
    entry = Interaction.objects.get(person_id=person.pk, kind=Interaction.Kind.DEAL)
    assert entry.subject == deal.title
    assert entry.data["deal_id"] == deal.pk and entry.data["event"] == "created"


def test_a_deal_needs_a_visible_person_or_company(owner, outsider, person, new_cars):
    with pytest.raises(ValidationError) as missing:
        deal_create(actor=owner, data={"pipeline_id": new_cars.pk, "title": "x"})
    assert "person_id" in missing.value.message_dict
    with pytest.raises(ValidationError) as hidden:
        deal_create(actor=outsider, data={"person_id": person.pk, "title": "x"})
    with pytest.raises(ValidationError) as absent:
        deal_create(actor=outsider, data={"person_id": 987654321, "title": "x"})
    assert hidden.value.message_dict == absent.value.message_dict
    assert not Deal.objects.exists()


def test_read_only_roles_cannot_create_deals(executive, person):
    with pytest.raises(AccessDenied):
        deal_create(actor=executive, data={"person_id": person.pk, "title": "x"})


def test_an_operator_creates_the_deal_in_the_customers_centre_for_its_manager(
    operator, person, owner
):
    deal = deal_create(actor=operator, data={"person_id": person.pk, "title": "Звонок"})
    assert deal.centre_id == person.centre_id
    assert deal.owner == owner


def test_moving_to_the_next_stage_records_the_stay_audits_and_projects(deal, stages, owner):
    events: list[dict] = []
    subscribe("deal.stage_changed")(lambda **p: events.append(p))
    deal_move(actor=owner, deal=deal, stage=stages["Consultation"])
    deal.refresh_from_db()
    assert deal.stage == stages["Consultation"]
    assert deal.probability == stages["Consultation"].probability
    stays = list(DealStageChange.objects.filter(deal=deal).order_by("entered_at", "id"))
    assert [s.stage for s in stays] == [stages["Lead"], stages["Consultation"]]
    assert stays[0].left_at is not None and stays[1].left_at is None
    assert stays[1].from_stage == stages["Lead"] and stays[1].actor == owner
    audit = AuditEntry.objects.filter(entity="sales.deal", entity_id=deal.pk, action="update")
    assert audit.get().after["stage"] == stages["Consultation"].pk
    assert any(
        e["deal_id"] == deal.pk and e["to_stage_id"] == stages["Consultation"].pk for e in events
    )
    assert Interaction.objects.filter(kind="deal", data__event="stage_changed").count() == 1


def test_winning_without_lines_is_refused_and_nothing_is_written(deal, stages, owner):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=stages["Won"])
    assert "product line" in " ".join(exc.value.message_dict["stage_id"])
    with pytest.raises(ValidationError):
        deal_win(actor=owner, deal=deal)
    assert _state() == before


def test_a_won_deal_with_lines_is_closed_and_cannot_move_back(deal, stages, owner):
    add_line(owner, deal)
    deal_win(actor=owner, deal=deal)
    deal.refresh_from_db()
    assert deal.status == StageKind.WON and deal.closed_at is not None
    assert deal.probability == 100
    assert Interaction.objects.filter(kind="deal", data__event="won").exists()
    before = _state()
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=stages["Contract"])
    assert "closed" in " ".join(exc.value.message_dict["stage_id"])
    assert _state() == before


def test_losing_needs_a_reason_from_the_list(deal, stages, owner, reason):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=stages["Lost"])
    assert "lost_reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        deal_lose(actor=owner, deal=deal, reason=987654)
    assert _state() == before
    deal_lose(actor=owner, deal=deal, reason=reason.pk, note="Дорого")
    deal.refresh_from_db()
    assert deal.status == StageKind.LOST and deal.lost_reason == reason
    assert deal.lost_note == "Дорого"
    entry = Interaction.objects.get(kind="deal", data__event="lost")
    assert entry.data["reason"] == reason.name and entry.body == "Дорого"


def test_a_stage_rule_refuses_a_deal_that_does_not_meet_it(owner, person, stages):
    deal = deal_create(actor=owner, data={"person_id": person.pk, "title": "Без суммы"})
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=stages["Proposal"])
    assert "amount" in " ".join(exc.value.message_dict["stage_id"])
    deal.refresh_from_db()
    assert deal.stage == stages["Lead"]


def test_a_stage_of_another_pipeline_is_refused(deal, owner):
    from sputnik.sales.models import Pipeline

    service = Pipeline.objects.get(slug="service").stages.first()
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=service)
    assert "stage_id" in exc.value.message_dict


def test_lines_set_the_amount_and_bad_quantities_or_discounts_are_refused(deal, owner):
    line = add_line(owner, deal, quantity="2", unit_price="100000", discount_pct="10")
    deal.refresh_from_db()
    assert line.amount == Decimal("180000.00")
    assert deal.amount == Decimal("180000.00")
    before = _state()
    for bad, field in (
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"discount_pct": "101"}, "discount_pct"),
        ({"discount_pct": "-5"}, "discount_pct"),
        ({"unit_price": "-10"}, "unit_price"),
        ({"quantity": "много"}, "quantity"),
    ):
        with pytest.raises(ValidationError) as exc:
            deal_line_add(actor=owner, deal=deal, data={"description": "x", "unit_price": 1, **bad})
        assert field in exc.value.message_dict, bad
        with pytest.raises(ValidationError):
            deal_line_update(actor=owner, line=line, data=bad)
    assert _state() == before
    deal_line_update(actor=owner, line=line, data={"discount_pct": "0"})
    deal.refresh_from_db()
    assert deal.amount == Decimal("200000.00")
    deal_line_delete(actor=owner, line=line)
    assert not DealLine.objects.filter(deal=deal).exists()


def test_the_discount_message_says_what_is_wrong(deal, owner):
    with pytest.raises(ValidationError) as exc:
        add_line(owner, deal, discount_pct="150")
    assert exc.value.message_dict["discount_pct"] == ["The discount cannot exceed 100%."]


def test_the_amount_of_a_deal_with_lines_follows_the_lines(deal, owner):
    add_line(owner, deal)
    with pytest.raises(ValidationError) as exc:
        deal_update(actor=owner, deal=deal, data={"amount": "1"})
    assert "amount" in exc.value.message_dict


def test_update_changes_only_what_is_given_and_is_audited(deal, owner):
    deal_update(actor=owner, deal=deal, data={"title": "Новый заголовок", "probability": 35})
    deal.refresh_from_db()
    assert deal.title == "Новый заголовок" and deal.probability == 35
    assert deal.amount == Decimal("1500000.00")
    entry = AuditEntry.objects.filter(entity="sales.deal", action="update").latest("id")
    assert entry.after == {"title": "Новый заголовок", "probability": 35}


def test_create_with_lines_in_one_call(owner, person):
    deal = deal_create(
        actor=owner,
        data={
            "person_id": person.pk,
            "title": "С конфигурацией",
            "source": "configurator",
            "lines": [
                {
                    "description": "Niva Travel Luxe",
                    "quantity": 1,
                    "unit_price": "1700000",
                    "configuration": {"trim": "luxe"},
                }
            ],
        },
    )
    assert deal.amount == Decimal("1700000.00")
    assert deal.lines.get().configuration == {"trim": "luxe"}


def test_create_with_a_bad_line_writes_nothing(owner, person):
    with pytest.raises(ValidationError) as exc:
        deal_create(
            actor=owner,
            data={
                "person_id": person.pk,
                "title": "x",
                "lines": [{"description": "a", "quantity": -1, "unit_price": 1}],
            },
        )
    assert "lines.0.quantity" in exc.value.message_dict
    assert not Deal.objects.exists() and not AuditEntry.objects.filter(entity="sales.deal").exists()


def test_reordering_within_a_column_places_the_card_where_it_was_dropped(owner, person, stages):
    deals = [
        deal_create(actor=owner, data={"person_id": person.pk, "title": f"D{i}"}) for i in range(4)
    ]
    column = lambda: list(  # noqa: E731
        Deal.objects.filter(stage=stages["Lead"])
        .order_by("rank", "id")
        .values_list("title", flat=True)
    )
    assert column() == ["D3", "D2", "D1", "D0"]  # newest on top
    deal_move(actor=owner, deal=deals[0], stage=stages["Lead"], position=1)
    assert column() == ["D3", "D0", "D2", "D1"]
    deal_move(actor=owner, deal=deals[3], stage=stages["Lead"], position=3)
    assert column() == ["D0", "D2", "D1", "D3"]


def test_moving_into_a_column_at_a_position(owner, person, stages):
    a, b, c = (deal_create(actor=owner, data={"person_id": person.pk, "title": t}) for t in "ABC")
    deal_move(actor=owner, deal=a, stage=stages["Consultation"])
    deal_move(actor=owner, deal=b, stage=stages["Consultation"])
    deal_move(actor=owner, deal=c, stage=stages["Consultation"], position=1)
    titles = list(
        Deal.objects.filter(stage=stages["Consultation"])
        .order_by("rank")
        .values_list("title", flat=True)
    )
    assert titles == ["B", "C", "A"]


def test_merging_persons_moves_their_deals_to_the_survivor(deal, owner, person):
    from sputnik.core.events import publish

    twin = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Серёжа"})
    other = deal_create(actor=owner, data={"person_id": twin.pk, "title": "Дубль"})
    publish("person.merged", survivor_id=person.pk, merged_id=twin.pk, actor=owner)
    other.refresh_from_db()
    assert other.person_id == person.pk
    assert AuditEntry.objects.filter(
        entity="sales.deal", entity_id=other.pk, after={"person": person.pk}
    ).exists()


def test_merging_persons_moves_their_saved_configurations(owner, person):
    from decimal import Decimal

    from sputnik.core.events import publish
    from sputnik.sales.models import Product, SavedConfiguration

    car = Product.objects.create(
        sku="MERGE-CAR", name="Lada Vesta", kind=Product.Kind.VEHICLE, base_price=Decimal("1")
    )
    twin = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Серёжа"})
    kept = SavedConfiguration.objects.create(
        reference="C-MERGE1", product=car, total=Decimal("1"), source="public", person_id=twin.pk
    )
    publish("person.merged", survivor_id=person.pk, merged_id=twin.pk, actor=owner)
    kept.refresh_from_db()
    assert kept.person_id == person.pk
