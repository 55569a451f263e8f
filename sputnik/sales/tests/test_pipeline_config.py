"""Pipelines are configuration: seeded by the migration, edited in the admin, and a new
pipeline with its own stages works on the board at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.sales.models import LostReason, Pipeline, PipelineStage, StageKind
from sputnik.sales.services.deals import deal_create, deal_move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_four_pipelines_are_seeded_with_ordered_stages_and_one_won_and_one_lost():
    assert list(Pipeline.objects.values_list("kind", flat=True)) == [
        "new_cars",
        "used_cars",
        "service",
        "accessories",
    ]
    for pipeline in Pipeline.objects.all():
        kinds = list(pipeline.stages.order_by("position").values_list("kind", flat=True))
        assert kinds[-2:] == [StageKind.WON, StageKind.LOST]
        assert set(kinds[:-2]) == {StageKind.OPEN}
        won = pipeline.stages.get(kind=StageKind.WON)
        assert won.probability == 100 and won.requires_lines
    assert LostReason.objects.filter(is_active=True).count() == 8


def test_the_admin_edits_pipelines_stages_and_lost_reasons(client, admin_user):
    client.force_login(admin_user)
    pipeline = Pipeline.objects.get(slug="service")
    assert client.get(reverse("admin:sales_pipeline_changelist")).status_code == 200
    page = client.get(reverse("admin:sales_pipeline_change", args=[pipeline.pk]))
    assert page.status_code == 200 and "Diagnostics" in page.content.decode()
    assert client.get(reverse("admin:sales_lostreason_changelist")).status_code == 200
    assert client.get(reverse("admin:sales_deal_changelist")).status_code == 200


def test_a_configured_pipeline_with_a_rule_works_on_the_board(client, owner, person):
    fleet = Pipeline.objects.create(slug="fleet", name_ru="Автопарки", name_en="Fleets", position=9)
    first = PipelineStage.objects.create(
        pipeline=fleet, name_ru="Запрос", name_en="Request", kind="open", position=0, probability=5
    )
    tender = PipelineStage.objects.create(
        pipeline=fleet,
        name_ru="Тендер",
        name_en="Tender",
        kind="open",
        position=1,
        probability=50,
        requires_expected_close=True,
    )
    PipelineStage.objects.create(
        pipeline=fleet, name_ru="Выиграна", name_en="Won", kind="won", position=2, probability=100
    )
    deal = deal_create(
        actor=owner, data={"person_id": person.pk, "pipeline_id": fleet.pk, "title": "10 Нив"}
    )
    assert deal.stage == first and deal.probability == 5
    with pytest.raises(Exception, match="expected close date"):
        deal_move(actor=owner, deal=deal, stage=tender)
    client.force_login(owner)
    body = client.get(reverse("sales:board", kwargs={"pipeline_id": fleet.pk})).content.decode()
    assert "Tender" in body and "10 Нив" in body
