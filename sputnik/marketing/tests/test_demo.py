"""The demo network carries a web lead's whole path: form, submissions, prospects, tasks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from sputnik.activities.models import Task
from sputnik.marketing.models import FormSubmission, LeadForm
from sputnik.parties.models import Consent, Person

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_lead_form_with_processed_leads_and_a_dropped_spam_post():
    out = StringIO()
    call_command("demo", persons=200, no_serve=True, stdout=out)
    assert "Lead form «Тест-драйв — сайт сети»: 3 leads taken in" in out.getvalue()
    form = LeadForm.objects.get()
    statuses = sorted(FormSubmission.objects.filter(form=form).values_list("status", flat=True))
    assert statuses == ["processed", "processed", "processed", "spam"]
    for submission in FormSubmission.objects.filter(status="processed"):
        person = Person.objects.get(pk=submission.person_id)
        assert person.source == "web_form"
        assert Consent.objects.filter(person=person, source="web_form").exists()
        assert Task.objects.filter(pk=submission.task_id, person_id=person.pk).exists()
