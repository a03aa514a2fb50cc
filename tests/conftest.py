"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope='session')
def playwright() -> Iterator[Playwright]:
    """The one Playwright driver of the session.

    Playwright's sync API runs an event loop of its own, so a process can hold
    only one: every browser test launches its browser from this fixture.
    """
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope='session')
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium (Debian's, never a downloaded one) for the whole session."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
