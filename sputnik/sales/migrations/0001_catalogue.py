# Reserved in the migration chain for one area of work so parallel work does not fork it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("parties", "0003_consent"), ("core", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = []
