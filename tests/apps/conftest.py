"""Fixtures for the browser tests of ``apps/``: headless Chromium driven by Playwright.

The browser is Debian's ``/usr/bin/chromium`` (never a downloaded one). Every
page opened through :func:`open_page` records its console errors and uncaught
exceptions; the test ends by asserting there were none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.helpers.peers import CLIENT_ENV
from tests.helpers.server import ROOT

APPS = ROOT / 'apps'
#: Where screenshots go: ``docs/screenshots`` when RBCONFIG_SCREENSHOTS=update (to refresh the
#: README's pictures), else a scratch folder, so a test run leaves the work tree clean.
UPDATING_SCREENSHOTS = os.environ.get('RBCONFIG_SCREENSHOTS') == 'update'
SCREENSHOTS = (
    ROOT / 'docs' / 'screenshots'
    if UPDATING_SCREENSHOTS
    else Path(tempfile.gettempdir()) / 'rbconfig-screenshots'
)
#: The app servers' environment: they serve the browser client npm put under tests/
#: (the tests must not depend on the CDN the server would redirect to otherwise).
APP_ENV = CLIENT_ENV

# The machine running the suite may be busy (2 cores, a server and a browser per test).
expect.set_options(timeout=10_000)


@dataclass
class Console:
    """What the pages of one test wrote to the console as errors, or threw."""

    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect_error(self, text: str) -> None:
        """An error containing ``text`` is part of the test (and must show up)."""
        self.expected.append(text)

    def unexpected(self) -> list[str]:
        """The errors no :meth:`expect_error` announced."""
        return [e for e in self.errors if not any(text in e for text in self.expected)]

    def watch(self, page: Page, name: str) -> Page:
        """Record ``page``'s console errors and uncaught exceptions under ``name``."""
        page.on(
            'console',
            lambda message: (
                message.type == 'error'
                and self.errors.append(
                    f'{name}: console.error: {message.text} ({message.location.get("url")})'
                )
            ),
        )
        page.on('pageerror', lambda error: self.errors.append(f'{name}: uncaught: {error}'))
        return page


@pytest.fixture
def console() -> Iterator[Console]:
    """The console errors of the test's pages; asserted empty when the test ends."""
    seen = Console()
    yield seen
    unexpected = seen.unexpected()
    assert unexpected == [], 'errors in the browser console:\n' + '\n'.join(unexpected)
    for text in seen.expected:
        assert any(text in error for error in seen.errors), f'no console error with {text!r}'


@pytest.fixture
def open_page(browser: Browser, console: Console) -> Iterator[Callable[[str, str], Page]]:
    """``open_page(url, name)``: a page in its own browser context, watched for errors."""
    contexts: list[BrowserContext] = []

    def opener(url: str, name: str) -> Page:
        context = browser.new_context(viewport={'width': 1100, 'height': 720})
        contexts.append(context)
        page = console.watch(context.new_page(), name)
        page.set_default_timeout(10_000)
        page.goto(url)
        return page

    yield opener
    for context in contexts:
        context.close()


def assert_quiet(output: str) -> None:
    """The server logged no traceback and no error while the test ran."""
    bad = [line for line in output.splitlines() if 'Traceback' in line or ' ERROR ' in line]
    assert not bad, 'the server logged errors:\n' + output


def on_websocket(page: Page) -> None:
    """Wait until the page's socket.io connection runs over WebSocket (not long-polling)."""
    page.wait_for_function(
        '() => window.socket && window.socket.connected'
        " && window.socket.io.engine.transport.name === 'websocket'"
    )


def screenshot(page: Page, app: str) -> Path:
    """Save ``page`` as ``<app>.png`` under :data:`SCREENSHOTS` and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f'{app}.png'
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000, f'{path} looks empty'
    return path
