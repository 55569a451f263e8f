"""In Chromium: record a consent with a scanned form on the card, see it in the panel,
print the consent form, and export the list as it is filtered on screen."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from sputnik.documents.models import Document
from sputnik.parties.models import Consent
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:
    # The live server's first page (templates, static files) can be slow on a busy machine.
    page.goto(live_server.url + "/accounts/login/", timeout=90_000)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/persons/")


def test_a_manager_records_a_signed_consent_and_prints_the_form(
    browser_page,  # noqa: F811 - the fixture imported above
    live_server,
    person,
    owner,
    tmp_path,
):
    page = browser_page
    _sign_in(page, live_server, "owner")
    page.goto(live_server.url + f"/persons/{person.pk}/")
    panel = page.locator("#consent-panel")
    panel.locator("table.consent-matrix").wait_for()
    assert panel.locator("td[data-state=granted]").count() == 0

    panel.get_by_text("Record a consent").click()
    form = page.locator("#consent-form-slot form")
    form.wait_for()
    form.locator("select[name=purpose]").select_option("marketing")
    form.locator("input[name=channels][value=sms]").check()
    form.locator("input[name=channels][value=email]").check()
    scan = tmp_path / "подписанный-бланк.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a scan of the signed form\n")
    form.locator("input[name=file]").set_input_files(str(scan))
    form.locator("button[type=submit]").click()

    page.locator("td[data-purpose=marketing][data-channel=sms][data-state=granted]").wait_for()
    assert (
        page.locator("td[data-purpose=marketing][data-channel=email][data-state=granted]").count()
        == 1
    )
    assert page.locator("#consent-panel a", has_text="подписанный-бланк.pdf").count() >= 1
    shot(page, "person-card-consents")
    assert Consent.objects.filter(person=person).count() == 2
    assert Document.objects.get().consents.count() == 2

    with page.expect_download() as download_info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
            "document.body.appendChild(a); a.click(); }",
            f"/persons/{person.pk}/consent-form.pdf?language=ru",
        )
    pdf = download_info.value.path().read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Иванов Сергей Петрович" in text
    assert page.console_errors == []


def test_the_export_link_carries_the_filter_typed_on_screen(
    browser_page,  # noqa: F811 - the fixture imported above
    live_server,
    person,
    owner,
):
    from sputnik.parties.services import person_create

    person_create(actor=owner, data={"last_name": "Сидоров", "first_name": "Пётр"})
    page = browser_page
    _sign_in(page, live_server, "owner")
    page.locator("input[name=q]").press_sequentially("сидоров", delay=20)
    page.wait_for_url("**q=*")
    page.locator("#person-export-menu").click()
    with page.expect_download() as download_info:
        page.get_by_text("CSV for Excel (UTF-8)").click()
    data = download_info.value.path().read_bytes().decode("utf-8-sig")
    lines = [line for line in data.splitlines() if line]
    assert len(lines) == 2 and "Сидоров" in lines[1]
    assert page.console_errors == []
