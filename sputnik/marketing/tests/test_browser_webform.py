"""A lead form embedded on another origin, end to end in headless Chromium (screenshots).

The CRM (pytest's live server) answers on http://localhost:<port>; the "company site" is a
plain http.server on http://127.0.0.1:<other port> — another origin. A marketer builds a
form allowing that site, copies the snippets from the form's page, the site pastes them,
a visitor arriving from an ad fills the form inside the iframe (and, on another page, the
plain HTML form), and the CRM shows the new prospect with the ad's UTM tags.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sputnik.marketing.models import FormSubmission, LeadForm
from sputnik.parties.models import Consent, Person
from sputnik.web.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def company_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static site on 127.0.0.1 (another origin than the live server's localhost)."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def _site_page(title: str, snippet: str) -> str:
    return (
        "<!doctype html><html lang='ru'><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='icon' href='data:,'></head><body><h1>{title}</h1>"
        "<p>Новый пикап уже в салоне. Запишитесь на тест-драйв:</p>"
        f"{snippet}</body></html>"
    )


def test_a_form_embedded_on_another_origin_brings_a_prospect_into_the_crm(
    browser_page, live_server, company_site, marketer, centre_a, head, interests
):
    page = browser_page
    # Two browser contexts, two servers and a cold Django on a shared 2-core machine.
    page.set_default_timeout(45000)
    site, root = company_site
    crm = live_server.url
    assert site.split("//")[1].split(":")[0] != crm.split("//")[1].split(":")[0]

    # 1. The marketer builds the form on the builder page.
    page.goto(crm + "/accounts/login/")
    page.fill("input[name=username]", "marketer")
    page.fill("input[name=password]", "pass-marketer")
    page.click("button[type=submit]")
    page.goto(crm + "/marketing/forms/")
    page.click("#new-lead-form")
    page.fill("input[name=name]", "Тест-драйв пикапа — сайт")
    page.select_option("select[name=language]", "ru")
    page.check("input[name=field__city__include]")
    page.check("input[name=field__interest__include]")
    page.fill("textarea[name=consent_text_ru]", "Я согласен на обработку персональных данных.")
    page.select_option("select[name=consent__marketing__sms]", "optional")
    page.select_option("select[name=target_centre]", str(centre_a.pk))
    page.fill("textarea[name=thank_you_ru]", "Спасибо! Менеджер перезвонит в течение часа.")
    page.fill("textarea[name=allowed_origins]", site)
    shot(page, "webform-01-builder")
    page.click("#lead-form-builder button[type=submit]")
    page.wait_for_url(re.compile(r"/marketing/forms/\d+/$"))
    lead_form = LeadForm.objects.get()
    assert lead_form.allowed_origins == [site]
    shot(page, "webform-02-form-page-with-snippets")

    # 2. The site pastes both snippets, copied from the form's page.
    iframe_snippet = page.input_value("#snippet-iframe")
    html_snippet = page.input_value("#snippet-html")
    assert f"{crm}/f/{lead_form.public_key}/" in iframe_snippet
    (root / "pickup.html").write_text(_site_page("Пикап", iframe_snippet), encoding="utf-8")
    (root / "contact.html").write_text(_site_page("Контакты", html_snippet), encoding="utf-8")

    # 3. A visitor from an ad fills the form in the iframe.
    visitor = page.context.browser.new_context(locale="ru-RU")
    site_page = visitor.new_page()
    site_page.set_default_timeout(45000)
    errors: list[str] = []
    site_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    site_page.goto(f"{site}/pickup.html?utm_source=yandex&utm_medium=cpc&utm_campaign=pickup")
    frame = site_page.frame_locator("iframe[data-sputnik-form-frame]")
    # The hosted form reports its height and the iframe grows to it (no inner scrolling).
    iframe = site_page.locator("iframe[data-sputnik-form-frame]")
    expect(iframe).not_to_have_attribute("height", "640")
    frame.locator("input[name=last_name]").fill("Смирнова")
    frame.locator("input[name=phone]").fill("8 (916) 555-44-33")
    frame.locator("input[name=city]").fill("Москва")
    frame.locator("select[name=interest]").select_option("pickup")
    frame.locator("textarea[name=comment]").fill("Можно в субботу утром?")
    # First without the name and the required consent: the form says so, in the form's
    # language, inside the frame, and keeps what was typed.
    frame.locator("button[type=submit]").click()
    expect(
        frame.locator(".field-error", has=frame.locator("input[name=first_name]"))
    ).to_contain_text("Обязательное поле")
    expect(frame.locator(".field-error input[name=consent__personal_data__any]")).to_have_count(1)
    expect(frame.locator("input[name=phone]")).to_have_value("8 (916) 555-44-33")
    shot(site_page, "webform-03-errors-in-the-iframe")
    frame.locator("input[name=first_name]").fill("Ольга")
    frame.locator("input[name=consent__personal_data__any]").check()
    frame.locator("input[name=consent__marketing__sms]").check()
    shot(site_page, "webform-04-site-with-embedded-form")
    frame.locator("button[type=submit]").click()
    expect(frame.locator("#lead-form-thanks")).to_contain_text("Менеджер перезвонит")
    shot(site_page, "webform-05-thanks-in-the-iframe")

    submission = FormSubmission.objects.get()
    assert submission.status == FormSubmission.Status.PROCESSED
    assert submission.utm == {"utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "pickup"}
    assert submission.referrer.startswith(f"{site}/pickup.html")
    prospect = Person.objects.get(pk=submission.person_id)
    assert (prospect.first_name, prospect.utm_source) == ("Ольга", "yandex")
    assert Consent.objects.filter(person=prospect).count() == 2

    # 4. The plain HTML form on another page of the site posts across origins and returns.
    site_page.goto(f"{site}/contact.html?utm_source=vk")
    site_page.fill("[data-sputnik-form] input[name=first_name]", "Игорь")
    site_page.fill("[data-sputnik-form] input[name=phone]", "916 777")
    site_page.check("[data-sputnik-form] input[name=consent__personal_data__any]")
    # A phone only the server can judge: the CRM's own page shows the error, keeps the
    # answers and, once corrected, sends the visitor back to the site's page.
    site_page.click("[data-sputnik-form] button[type=submit]")
    site_page.wait_for_url(re.compile(rf"^{re.escape(crm)}/f/"))
    expect(
        site_page.locator(".field-error", has=site_page.locator("input[name=phone]"))
    ).to_be_visible()
    expect(site_page.locator("input[name=first_name]")).to_have_value("Игорь")
    shot(site_page, "webform-08-plain-form-error-on-the-crm-page")
    site_page.fill("input[name=phone]", "+7 916 777-66-55")
    site_page.click("#lead-form button[type=submit]")
    site_page.wait_for_url(re.compile(r"/contact\.html\?.*sputnik_form=sent"))
    assert site_page.url.startswith(site)
    second = FormSubmission.objects.exclude(pk=submission.pk).get()
    assert second.status == FormSubmission.Status.PROCESSED
    # Posted (the second time) from the CRM's page, carrying the site's page and tags.
    assert second.referrer.startswith(f"{site}/contact.html")
    assert second.utm == {"utm_source": "vk"}
    assert errors == []
    visitor.close()

    # 5. The CRM shows both submissions and the new prospect.
    page.goto(f"{crm}/marketing/forms/{lead_form.pk}/")
    expect(page.locator("#submission-counts")).to_contain_text("2")
    expect(page.locator("#submissions")).to_contain_text("Смирнова Ольга")
    expect(page.locator("#submissions")).to_contain_text("yandex / cpc / pickup")
    shot(page, "webform-06-submissions-in-the-crm")
    page.locator("#submissions a", has_text="Смирнова Ольга").click()
    expect(page.locator("h1")).to_contain_text("Смирнова Ольга")
    shot(page, "webform-07-new-prospect-card")
    assert page.console_errors == []
