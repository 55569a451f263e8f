"""Fixtures shared by the sales tests (the personas live in sputnik/conftest.py)."""

from sputnik.sales.tests.deal_fixtures import deal, english, new_cars, reason, stages  # noqa: F401
from sputnik.web.tests.browser import browser_page  # noqa: F401  (fixture for browser tests)
