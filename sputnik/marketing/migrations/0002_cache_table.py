"""Create the database cache table (settings.CACHES without REDIS_URL).

Public lead forms rate-limit visitors through the cache, which must be shared by every
web process; `migrate` is what every installation runs, so the table comes with it.
createcachetable skips caches that are not database caches and tables that exist.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_lead_forms")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
