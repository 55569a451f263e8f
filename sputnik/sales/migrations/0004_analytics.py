"""Sales analytics: the furthest funnel step on each deal, and covering indexes for the
funnel, the forecast and the closed-deal reports (see sputnik/analytics/selectors.py)."""

from django.db import migrations, models

# The furthest open or won stage each existing deal entered, from its stage history: one
# grouped pass (a correlated subquery per deal took minutes at a million deals).
BACKFILL = """
UPDATE sales_deal SET furthest_position = reached.furthest
  FROM (
    SELECT sc.deal_id, MAX(st.position) AS furthest
      FROM sales_dealstagechange sc
      JOIN sales_pipelinestage st ON st.id = sc.stage_id
     WHERE st.kind <> 'lost'
     GROUP BY sc.deal_id
  ) AS reached
 WHERE sales_deal.id = reached.deal_id
"""


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_quotes_orders")]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="furthest_position",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["pipeline", "created_at"],
                include=("furthest_position", "centre", "owner"),
                name="deal_funnel",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["expected_close"],
                include=("amount", "probability", "pipeline", "centre", "owner"),
                name="deal_forecast",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("status__in", ["won", "lost"])),
                fields=["closed_at"],
                include=("status", "amount", "created_at", "pipeline", "centre", "owner"),
                name="deal_closed",
            ),
        ),
    ]
