import pytest

from sputnik.web.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_login_page_renders_in_chromium(browser_page, live_server):
    browser_page.goto(live_server.url + "/admin/login/")
    assert browser_page.locator("input[name=username]").is_visible()
    assert shot(browser_page, "smoke-admin-login").exists()
