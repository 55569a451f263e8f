"""Seed the consent form template (Russian and English); the company edits it in the admin."""

from django.db import migrations


def seed(apps, schema_editor):
    from sputnik.documents.defaults import DEFAULT_TEMPLATES

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for template in DEFAULT_TEMPLATES:
        DocumentTemplate.objects.get_or_create(
            key=template["key"], language=template["language"], defaults=template
        )


def unseed(apps, schema_editor):
    from sputnik.documents.defaults import DEFAULT_TEMPLATES

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for template in DEFAULT_TEMPLATES:
        DocumentTemplate.objects.filter(
            key=template["key"], language=template["language"], body=template["body"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
