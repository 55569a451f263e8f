"""A stored submission survives a failure in processing and can be run again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.marketing import services
from sputnik.marketing.models import FormSubmission
from sputnik.parties.models import Person

pytestmark = pytest.mark.django_db

ANSWERS = {"first_name": "Вера", "phone": "+7 903 444-55-66"}
META = {
    "ip_address": "203.0.113.9",
    "utm": {"utm_source": "vk"},
    "referrer": "https://dealer.example/",
}


def test_a_failure_keeps_the_lead_as_failed_and_the_admin_runs_it_again(
    client, admin_user, lead_form, centre_a, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("distribution is down")

    with monkeypatch.context() as patch:
        patch.setattr(services, "prospect_capture", broken)
        submission = services.submission_accept(
            form=lead_form,
            payload=ANSWERS,
            consents=[("personal_data", "any")],
            meta=META,
        )
    assert submission.status == FormSubmission.Status.FAILED
    assert "distribution is down" in submission.error
    assert submission.payload == ANSWERS and not Person.objects.exists()

    client.force_login(admin_user)
    response = client.post(
        reverse("admin:marketing_formsubmission_changelist"),
        {"action": "process_again", "_selected_action": [submission.pk]},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == FormSubmission.Status.PROCESSED
    assert Person.objects.get(pk=submission.person_id).first_name == "Вера"


def test_processing_twice_changes_nothing(lead_form, centre_a):
    submission = services.submission_accept(
        form=lead_form, payload=ANSWERS, consents=[("personal_data", "any")], meta=META
    )
    assert submission.status == FormSubmission.Status.PROCESSED
    again = services.submission_process(submission_id=submission.pk)
    assert again.person_id == submission.person_id
    assert Person.objects.count() == 1
