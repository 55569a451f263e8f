from sputnik.web.tests.browser import browser_page  # noqa: F401  (fixture for browser tests)
