"""The public side: the hosted form, the post endpoint and its defences, framing, snippets."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sputnik.activities.models import Task
from sputnik.marketing.models import FormSubmission
from sputnik.marketing.public_views import MAX_BODY_BYTES, RATE_PER_MINUTE
from sputnik.parties.models import Consent, Person
from sputnik.parties.selectors import apply_person_query

from .conftest import SITE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the shared cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def visitor(language: str = "en", **headers) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR="203.0.113.7", **headers)


def submit_url(form) -> str:
    return reverse("marketing:public_submit", kwargs={"public_key": form.public_key})


def answers(**overrides):
    data = {
        "first_name": "Анна",
        "last_name": "Петрова",
        "phone": "8 (903) 111-22-33",
        "email": "anna@example.ru",
        "city": "Москва",
        "interest": "pickup",
        "contact_time": "evening",
        "comment": "Хочу тест-драйв",
        "consent__personal_data__any": "on",
        "consent__marketing__sms": "on",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "pickup-2026",
        "page": f"{SITE}/pickup?utm_source=yandex",
        "return_url": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the hosted page and framing ------------------------------------------------------------


def test_the_hosted_form_may_be_framed_only_by_the_forms_sites(lead_form):
    response = visitor().get(
        reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key})
    )
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {SITE}" in csp
    assert f"form-action 'self' {SITE}" in csp  # a corrected post may go back to the site
    assert "unsafe-inline" not in csp
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert 'name="first_name"' in page and 'name="website"' in page
    assert "I agree to the processing of my personal data." in page


def test_every_other_page_stays_unframable(client, marketer, lead_form):
    client.force_login(marketer)
    for url in (
        reverse("marketing:form_list"),
        reverse("marketing:form_detail", kwargs={"form_id": lead_form.pk}),
        reverse("parties:person_list"),
    ):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_hosted_form_takes_utm_and_page_from_its_address(lead_form):
    url = reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key})
    page = (
        visitor()
        .get(url, {"utm_source": "vk", "utm_campaign": "spring", "page": f"{SITE}/niva"})
        .content.decode()
    )
    assert 'name="utm_source" value="vk"' in page
    assert 'name="utm_campaign" value="spring"' in page
    assert f'name="page" value="{SITE}/niva"' in page


def test_the_form_speaks_the_visitors_language_or_the_forms_own(lead_form):
    url = reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key})
    assert "First name" in visitor("en").get(url).content.decode()
    assert "Имя" in visitor("ru").get(url).content.decode()
    lead_form.language = "ru"
    lead_form.save()
    assert "Имя" in visitor("en").get(url).content.decode()


def test_an_inactive_or_unknown_form_is_not_found(lead_form):
    url = reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key})
    lead_form.is_active = False
    lead_form.save()
    assert visitor().get(url).status_code == 404
    assert visitor().post(submit_url(lead_form), answers()).status_code == 404
    missing = reverse("marketing:public_form", kwargs={"public_key": "no-such-form"})
    assert visitor().get(missing).status_code == 404
    assert not FormSubmission.objects.exists()


# --- submissions --------------------------------------------------------------------------


def test_a_post_from_the_site_creates_a_prospect_with_consent_evidence_and_utm(
    lead_form, centre_a, head
):
    response = visitor(HTTP_ORIGIN=SITE, HTTP_USER_AGENT="Mozilla/5.0 Test").post(
        submit_url(lead_form) + "?utm_term=pickup+price", answers()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "marketing:public_thanks", kwargs={"public_key": lead_form.public_key}
    )
    submission = FormSubmission.objects.get()
    assert submission.status == FormSubmission.Status.PROCESSED
    assert submission.person_created is True
    assert submission.ip_address == "203.0.113.7"
    assert submission.user_agent == "Mozilla/5.0 Test"
    assert submission.origin == SITE
    assert submission.referrer == f"{SITE}/pickup?utm_source=yandex"
    assert submission.utm == {
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "pickup-2026",
        "utm_term": "pickup price",
    }
    assert submission.payload["contact_time"] == "Evening (17–21)"
    person = Person.objects.get(pk=submission.person_id)
    assert (person.first_name, person.source, person.utm_source) == ("Анна", "web_form", "yandex")
    assert list(person.interests.values_list("slug", flat=True)) == ["pickup"]
    grants = Consent.objects.filter(person=person).order_by("purpose")
    assert [(g.purpose, g.channel) for g in grants] == [
        ("marketing", "sms"),
        ("personal_data", "any"),
    ]
    for grant in grants:
        assert grant.source == "web_form"
        assert grant.wording_version == f"form{lead_form.pk}.v1"
        assert f"web form #{lead_form.pk}" in grant.evidence
        assert f"submission #{submission.pk}" in grant.evidence
        assert "wording v1" in grant.evidence and "IP 203.0.113.7" in grant.evidence
        assert grant.ip_address == "203.0.113.7"
    task = Task.objects.get(pk=submission.task_id)
    assert task.person_id == person.pk and task.assignee == head
    assert "Хочу тест-драйв" in task.description
    assert "Evening (17–21)" in task.description
    assert "Тест-драйв пикапа" in task.description  # the form's name


def test_a_post_matching_a_known_person_by_another_phone_spelling_adds_no_person(
    lead_form, person, owner
):
    before = Person.objects.count()
    visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form),
        answers(first_name="Сергей", last_name="Иванов", phone="+7 912 345 67 89", email=""),
    )
    submission = FormSubmission.objects.get()
    assert submission.person_id == person.pk and submission.person_created is False
    assert Person.objects.count() == before
    assert Consent.objects.filter(person=person, purpose="personal_data").exists()
    assert Task.objects.get(pk=submission.task_id).assignee == owner


def test_a_post_with_an_allowed_return_address_goes_back_to_the_site(lead_form, centre_a):
    response = visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form), answers(return_url=f"{SITE}/pickup?x=1#form")
    )
    assert response.status_code == 302
    assert response["Location"] == f"{SITE}/pickup?x=1&sputnik_form=sent#form"


def test_a_return_address_on_a_foreign_site_is_ignored(lead_form, centre_a):
    response = visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form), answers(return_url="https://evil.example/phish")
    )
    assert response["Location"].startswith("/f/")


def test_the_thank_you_page_shows_the_forms_text(lead_form):
    url = reverse("marketing:public_thanks", kwargs={"public_key": lead_form.public_key})
    response = visitor("ru").get(url)
    assert "Спасибо! Мы перезвоним." in response.content.decode()
    assert f"frame-ancestors 'self' {SITE}" in response["Content-Security-Policy"]


def test_a_filled_honeypot_is_thanked_and_dropped_as_spam(lead_form, centre_a):
    persons = Person.objects.count()
    response = visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form), answers(website="http://cheap-pills.example")
    )
    assert response.status_code == 302  # the bot is thanked like a person
    submission = FormSubmission.objects.get()
    assert submission.status == FormSubmission.Status.SPAM and submission.is_spam
    assert submission.person_id is None
    assert Person.objects.count() == persons
    assert not Consent.objects.exists()


def test_a_post_from_a_foreign_site_is_refused_and_nothing_is_stored(lead_form, centre_a):
    for headers in (
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_ORIGIN": "https://dealer.example.evil.example"},
    ):
        response = visitor(**headers).post(submit_url(lead_form), answers())
        assert response.status_code == 403
        assert "does not accept submissions from this site" in response.content.decode()
    assert not FormSubmission.objects.exists()
    assert not Person.objects.exists()


def test_a_post_from_the_crm_itself_is_accepted(lead_form, centre_a):
    # The iframe posts from the hosted page, i.e. from the CRM's own origin.
    response = visitor(HTTP_ORIGIN="http://testserver").post(submit_url(lead_form), answers())
    assert response.status_code == 302
    assert FormSubmission.objects.get().status == FormSubmission.Status.PROCESSED


def test_an_ip_is_limited_per_minute_and_told_to_wait(lead_form, centre_a):
    client = visitor(HTTP_ORIGIN=SITE)
    codes = [
        client.post(submit_url(lead_form), answers(phone=f"+7 903 111-22-{i:02d}")).status_code
        for i in range(RATE_PER_MINUTE + 2)
    ]
    assert codes[:RATE_PER_MINUTE] == [302] * RATE_PER_MINUTE
    assert codes[RATE_PER_MINUTE:] == [429, 429]
    assert FormSubmission.objects.count() == RATE_PER_MINUTE
    # Another visitor is not affected.
    other = Client(REMOTE_ADDR="198.51.100.9", HTTP_ORIGIN=SITE)
    assert other.post(submit_url(lead_form), answers(phone="+7 903 999-00-00")).status_code == 302


def test_an_ip_is_limited_per_day_too(lead_form, centre_a, monkeypatch):
    from sputnik.marketing import public_views

    monkeypatch.setattr(public_views, "RATE_PER_MINUTE", 1000)
    monkeypatch.setattr(public_views, "RATE_PER_DAY", 3)
    client = visitor(HTTP_ORIGIN=SITE)
    codes = [client.post(submit_url(lead_form), answers(website="x")).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]


def test_an_oversized_post_is_refused_before_it_is_read(lead_form, centre_a):
    response = visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form), answers(comment="я" * MAX_BODY_BYTES)
    )
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not FormSubmission.objects.exists()


def test_bad_input_gets_a_message_per_field_in_the_visitors_language(lead_form, centre_a):
    bad = answers(
        first_name="",
        phone="позвоните мне",
        email="anna@",
        consent__personal_data__any=None,
        comment="x" * 2001,
    )
    response = visitor("en", HTTP_ORIGIN=SITE).post(submit_url(lead_form), bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "is not a phone number" in page
    assert "is not an e-mail address" in page
    assert "This consent is required to send the form." in page
    assert "Ensure this value has at most 2000 characters" in page
    # The answers come back filled in, tracking included, so the visitor only fixes errors.
    assert 'name="utm_campaign" value="pickup-2026"' in page
    assert f"frame-ancestors 'self' {SITE}" in response["Content-Security-Policy"]
    ru = visitor("ru", HTTP_ORIGIN=SITE).post(submit_url(lead_form), bad).content.decode()
    assert "Обязательное поле." in ru
    assert not FormSubmission.objects.exists() and not Person.objects.exists()


def test_a_form_needs_a_phone_or_an_e_mail_when_both_are_optional(lead_form, centre_a):
    response = visitor("en", HTTP_ORIGIN=SITE).post(
        submit_url(lead_form), answers(phone="", email="")
    )
    assert response.status_code == 200
    assert "Enter a phone number or an e-mail address." in response.content.decode()


def test_a_script_in_any_field_is_stored_as_text_and_shown_inert(
    client, lead_form, centre_a, marketer
):
    script = "<script>alert(1)</script>"
    visitor(HTTP_ORIGIN=SITE).post(
        submit_url(lead_form),
        answers(
            first_name=f"Анна{script}",
            comment=f'<img src=x onerror="alert(2)">{script}',
            utm_source=script,
        ),
    )
    submission = FormSubmission.objects.get()
    assert submission.status == FormSubmission.Status.PROCESSED
    assert submission.payload["comment"].endswith(script)
    person = Person.objects.get(pk=submission.person_id)
    assert person.first_name == f"Анна{script}"
    client.force_login(marketer)
    for url in (
        reverse("marketing:form_detail", kwargs={"form_id": lead_form.pk}),
        reverse("parties:person_detail", kwargs={"person_id": person.pk}),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img src=x" not in page


# --- snippets ---------------------------------------------------------------------------


def test_the_forms_page_shows_both_embeddable_snippets_to_managers(client, marketer, lead_form):
    client.force_login(marketer)
    page = client.get(reverse("marketing:form_detail", kwargs={"form_id": lead_form.pk}))
    text = page.content.decode()
    action = f"http://testserver/f/{lead_form.public_key}/submit"
    # Shown as code: escaped inside a textarea.
    assert f"&lt;form method=&quot;post&quot; action=&quot;{action}&quot;" in text
    assert "data-sputnik-form" in text
    assert f"&lt;iframe src=&quot;http://testserver/f/{lead_form.public_key}/&quot;" in text
    assert "http://testserver/static/marketing/embed.js" in text
    assert "name=&quot;website&quot;" in text  # the honeypot travels with the snippet
    assert "name=&quot;utm_source&quot;" in text


def test_the_html_snippet_posts_a_working_submission(client, marketer, lead_form, centre_a):
    """What a site pastes is what the endpoint accepts: parse the snippet, fill it, post it."""
    import html
    import re

    from sputnik.marketing.snippets import snippet_html

    request = client.get("/").wsgi_request
    snippet = snippet_html(request, lead_form)
    names = set(re.findall(r'name="([^"]+)"', snippet))
    assert {"first_name", "phone", "consent__personal_data__any", "website", "page"} <= names
    action = html.unescape(re.search(r'action="([^"]+)"', snippet).group(1))
    data = {k: v for k, v in answers().items() if k in names}
    response = visitor(HTTP_ORIGIN=SITE).post(action.replace("http://testserver", ""), data)
    assert response.status_code == 302
    assert FormSubmission.objects.get().status == FormSubmission.Status.PROCESSED


def test_submissions_are_findable_by_the_phone_they_gave(lead_form, centre_a, marketer):
    visitor(HTTP_ORIGIN=SITE).post(submit_url(lead_form), answers())
    found = apply_person_query(Person.objects.visible_to(marketer), "+79031112233")
    assert [p.first_name for p in found] == ["Анна"]


def test_the_rate_limit_counts_in_a_cache_every_process_shares():
    import subprocess
    import sys

    from django.conf import settings

    # Without Redis: a database table (created by migrate); never per-process memory.
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    code = "import sputnik.settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "SPUTNIK_TESTING": "1", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
