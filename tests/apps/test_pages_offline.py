"""Offline, without a local copy of socket.io.js, each page says it cannot load the client
instead of sitting at "connecting…" forever, and ``rbconfig run`` says at start-up where the
client comes from and how to get a local copy.

Each app is copied to a scratch folder (so no ``node_modules`` above it holds the client) and
served by ``rbconfig run``, which then redirects ``/socket.io/socket.io.js`` to the CDN. The
browser is offline: the server's real answer is fetched (the redirect), and the load then fails
as it does without a network (Playwright does not route the request a redirect leads to, so the
redirect is not followed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from rbconfig.runtime.socket.client_js import CDN, ENV_VARIABLE
from tests.helpers.server import start_server

from .conftest import APPS, Console, assert_quiet

#: (app, its Socket.IO page, the element showing the connection state)
PAGES = [
    ('chat', '/', '#status'),
    ('monitor', '/', '#live'),
    ('rooms', '/', '#status'),
    ('shortener', '/stats.html', '#live'),
]


@pytest.mark.parametrize(('app', 'page_url', 'state'), PAGES, ids=[app for app, *_ in PAGES])
def test_the_page_says_the_client_cannot_load(
    app: str, page_url: str, state: str, tmp_path: Path, browser: Browser, console: Console
) -> None:
    shutil.copytree(APPS / app, tmp_path / app, ignore=shutil.ignore_patterns('node_modules'))
    env = {ENV_VARIABLE: ''}  # empty: not set
    with start_server(tmp_path / app / f'{app}.yaml', cwd=tmp_path, env=env) as server:
        started = server.output()
        assert 'socket.io.js: a redirect to the CDN' in started, started
        assert f"'npm install socket.io-client' in {app} " in started, started

        redirects = []

        def no_network(route: Route) -> None:
            answer = route.fetch(max_redirects=0)
            redirects.append((answer.status, answer.headers.get('location')))
            route.abort('internetdisconnected')

        context = browser.new_context()
        try:
            context.route('**/socket.io/socket.io.js', no_network)
            page = console.watch(context.new_page(), app)
            console.expect_error('ERR_INTERNET_DISCONNECTED')
            page.goto(server.url + page_url)
            expect(page.locator(state)).to_contain_text('Cannot load the Socket.IO client')
        finally:
            context.close()
        assert redirects == [(302, CDN + 'socket.io.min.js')]
        assert_quiet(server.output())
