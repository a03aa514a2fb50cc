"""Origins as a browser sees them: headless Chromium loads pages from several sites.

Node and Python clients send no ``Origin`` header, so only a browser shows
whether a cross-site page can open a socket. Pages "from" other sites are
served by Playwright's request routing (``http://evil.example/`` never
leaves the browser); the socket itself goes to the real server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from tests.helpers.peers import CLIENT_DIST, CLIENT_ENV
from tests.helpers.server import Server, start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'


@pytest.fixture(scope='module')
def same_origin_only() -> Iterator[Server]:
    with start_server(SPECS / 'events.yaml', env=CLIENT_ENV) as server:
        yield server


@pytest.fixture(scope='module')
def with_origins() -> Iterator[Server]:
    with start_server(SPECS / 'origins.yaml', env=CLIENT_ENV) as server:
        yield server


def outcome(browser: Browser, page_url: str, server: Server, transport: str) -> str:
    """Open ``page_url`` (the test page) aiming at ``server``; 'connected' or 'refused: ...'."""
    page_html = (SPECS / 'page.html').read_text()
    script = (CLIENT_DIST / 'socket.io.js').read_text()

    def foreign_site(route: Route) -> None:
        if route.request.url.endswith('/socket.io/socket.io.js'):
            route.fulfill(body=script, content_type='application/javascript')
        else:
            route.fulfill(body=page_html, content_type='text/html')

    context = browser.new_context()
    try:
        context.route('http://*.example/**', foreign_site)
        page = context.new_page()
        page.goto(f'{page_url}/?transport={transport}&target={server.url}')
        return str(page.evaluate('window.outcome'))
    finally:
        context.close()


def refusals(server: Server) -> int:
    """Socket.IO requests the server answered 400 (its access log)."""
    return sum(
        1
        for line in server.output().splitlines()
        if '/socket.io/?EIO=4' in line and '" 400 ' in line
    )


def refused_by_server(browser: Browser, page_url: str, server: Server, transport: str) -> bool:
    """The page's socket was refused, and by the server (not by the browser on its own)."""
    before = refusals(server)
    result = outcome(browser, page_url, server, transport)
    assert result.startswith('refused'), result
    deadline = time.monotonic() + 5
    while refusals(server) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return refusals(server) > before


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_a_page_of_the_same_site_connects(
    browser: Browser, same_origin_only: Server, transport: str
) -> None:
    server = same_origin_only
    assert outcome(browser, server.url, server, transport) == 'connected'


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_a_page_of_another_site_is_refused(
    browser: Browser, same_origin_only: Server, transport: str
) -> None:
    server = same_origin_only
    assert refused_by_server(browser, 'http://evil.example', server, transport)
    # localhost and 127.0.0.1 are different sites, though the same machine.
    assert refused_by_server(browser, f'http://localhost:{server.port}', server, transport)


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_listed_origins_are_let_in(browser: Browser, with_origins: Server, transport: str) -> None:
    server = with_origins
    assert outcome(browser, 'http://allowed.example', server, transport) == 'connected'
    assert outcome(browser, server.url, server, transport) == 'connected'
    assert refused_by_server(browser, 'http://evil.example', server, transport)


def test_the_rooms_page(browser: Browser) -> None:
    """apps/rooms in the browser: two people join a room and talk."""
    spec = SPECS.parents[2] / 'apps' / 'rooms' / 'rooms.yaml'
    errors: list[str] = []
    with start_server(spec, env=CLIENT_ENV) as server:
        context = browser.new_context()
        try:
            pages = {}
            for name in ('ann', 'bob'):
                page = context.new_page()
                page.on('pageerror', lambda error: errors.append(str(error)))
                page.on(
                    'console',
                    lambda message: message.type == 'error' and errors.append(message.text),
                )
                page.goto(f'{server.url}/?name={name}')
                page.wait_for_function("document.getElementById('me').textContent !== '…'")
                page.fill('#room', 'lobby')
                page.click('#join button')
                page.wait_for_selector('#log li.room')
                pages[name] = page
            assert pages['bob'].inner_text('#log li.room') == 'in lobby: ann, bob'
            pages['ann'].wait_for_selector('text=bob joined lobby')
            pages['bob'].fill('#text', 'hello from bob')
            pages['bob'].click('#say button')
            for page in pages.values():
                page.wait_for_selector('text=[lobby] bob: hello from bob')
            assert pages['ann'].inner_text('#in') == 'lobby'
        finally:
            context.close()
    assert errors == []
