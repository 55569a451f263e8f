# Reserved in the migration chain for one area of work so parallel work does not fork it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_catalogue")]

    operations: list[migrations.operations.base.Operation] = []
