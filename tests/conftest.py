"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Playwright, sync_playwright


@pytest.fixture(scope='session')
def playwright() -> Iterator[Playwright]:
    """The one Playwright driver of the session.

    Playwright's sync API runs an event loop of its own, so a process can hold
    only one: every browser test launches its browser from this fixture.
    """
    with sync_playwright() as driver:
        yield driver
