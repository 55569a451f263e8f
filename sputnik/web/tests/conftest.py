"""Fixtures for the web UI tests (the personas live in sputnik/conftest.py)."""

from __future__ import annotations

import re

import pytest

from sputnik.web.tests.browser import browser_page  # noqa: F401  (fixture for browser tests)

# Inline code the CSP would block: <script> blocks with a body, style="" and on*= attributes.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def login(client):
    """Sign `client` in as a persona and return it."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
