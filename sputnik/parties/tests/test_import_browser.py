"""In headless Chromium: a sales manager imports a Windows-1251, semicolon-separated CSV
with bad rows, checks it, reads the error report, imports the good rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sputnik.parties.imports.testing import csv_bytes
from sputnik.parties.models import ImportBatch, Person
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["Фамилия", "Имя", "Отчество", "Моб. телефон", "E-mail", "Дата рождения"],
    ["КУЗНЕЦОВ", "андрей", "Ильич", "8 (918) 456-73-12", "Kuznetsov@Mail.RU", "12.04.1979"],
    ["Смирнова", "Ольга", "", "+7 916 745 23 81", "", "3 марта 1985 г."],
    ["Ёлкин", "Пётр", "", "12-34", "elkin@", "31.02.1990"],
    ["", "", "", "8 903 111-22-33", "", ""],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_manager_imports_a_cp1251_semicolon_csv_and_reads_the_error_report(
    browser_page,  # noqa: F811 - the fixture imported above
    live_server,
    owner,
    tmp_path,
):
    page = browser_page
    source = tmp_path / "клиенты.csv"
    source.write_bytes(csv_bytes(ROWS, encoding="cp1251", delimiter=";"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "pass-owner")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))
    page.click("#person-import")
    page.wait_for_selector("#import-upload")
    page.set_input_files("input[name=file]", str(source))
    shot(page, "import-01-upload")
    page.click("#import-upload button[type=submit]")

    page.wait_for_selector("#import-mapping")
    expect(page.locator("body")).to_contain_text("cp1251")
    expect(page.locator("#col_3")).to_have_value("phone")
    expect(page.locator("#col_4")).to_have_value("email")
    expect(page.locator("#col_5")).to_have_value("birthday")
    shot(page, "import-02-columns")
    page.click("#mapping-continue")

    page.wait_for_selector("#import-preview")
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Кузнецов")
    expect(preview).to_contain_text("+7 918 456-73-12")
    expect(preview).to_contain_text("kuznetsov@mail.ru")
    expect(preview).to_contain_text("is not a phone number")
    shot(page, "import-03-preview")

    page.click("#import-check")
    expect(page.locator("#import-status")).to_have_text("Checked")
    expect(page.locator("#import-counts")).to_contain_text("Would be created")
    shot(page, "import-04-checked")
    assert Person.objects.count() == 0

    with page.expect_download() as download_info:
        page.click("#error-report")
    report = download_info.value.path().read_bytes().decode("utf-8-sig")
    lines = report.splitlines()
    assert lines[0].split(";")[:3] == ["Row", "Column", "Message"]
    assert any(
        line.startswith("4;Моб. телефон;") and "not a phone number" in line for line in lines
    )
    assert any(line.startswith("4;E-mail;") for line in lines)
    assert any(line.startswith("4;Дата рождения;") for line in lines)
    assert any(line.startswith("5;;") and "last name or a first name" in line for line in lines)

    page.click("#import-run")
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator("#import-counts")).to_contain_text("New records")
    shot(page, "import-05-done")
    assert set(Person.objects.values_list("last_name", flat=True)) == {"Кузнецов", "Смирнова"}
    assert ImportBatch.objects.get().counts["invalid"] == 2

    page.goto(live_server.url + "/imports/")
    expect(page.locator("#import-batches")).to_contain_text("клиенты.csv")
    shot(page, "import-06-list")
    assert page.console_errors == []
