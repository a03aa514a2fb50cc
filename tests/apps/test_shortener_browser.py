"""The URL shortener in real Chromium pages: form, redirect, live stats; memory and Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import Console, on_websocket, screenshot
from .shortener_support import Shortener, http, redis_prefix, serve


@pytest.fixture(params=['memory', 'redis'])
def app(request: pytest.FixtureRequest) -> Iterator[Shortener]:
    """The shortener with its links in memory, then in Redis."""
    with redis_prefix() as prefix, serve(request.param, prefix) as shortener:
        yield shortener


def shorten_with_form(page: Page, base: str, url: str) -> str:
    """Submit ``url`` in the form on ``/``; the short id shown on the result page."""
    page.goto(base + '/')
    page.fill('#url', url)
    page.click('button[type=submit]')
    page.wait_for_url('**/shortened/*')
    expect(page.locator('#long')).to_have_text(url)
    short = page.locator('#short')
    link_id = page.url.rsplit('/', 1)[-1]
    expect(short).to_have_text(f'{base}/r/{link_id}')
    return link_id


def test_form_redirect_and_live_stats(
    app: Shortener, open_page: Callable[[str, str], Page]
) -> None:
    stats = open_page(app.url + '/stats.html', 'stats')
    expect(stats.locator('#live')).to_have_text('live')
    on_websocket(stats)
    visitor = open_page(app.url + '/', 'visitor')

    # The target is on the same server: the test needs no Internet.
    target = app.url + '/?from=short-link&a=1'
    link_id = shorten_with_form(visitor, app.url, target)
    row = stats.locator(f'#link-{link_id}')
    expect(row.locator('td.url')).to_have_text(target)
    expect(row.locator('td.clicks')).to_have_text('0')

    # Following the short link lands on the target, and the stats page counts it live.
    visitor.click('#short')
    visitor.wait_for_url(target)
    expect(visitor.locator('#url')).to_be_visible()
    expect(row.locator('td.clicks')).to_have_text('1')
    visitor.goto(f'{app.url}/r/{link_id}')
    visitor.wait_for_url(target)
    expect(row.locator('td.clicks')).to_have_text('2')

    other = shorten_with_form(visitor, app.url, app.url + '/stats')
    visitor.goto(f'{app.url}/r/{other}')
    expect(stats.locator(f'#link-{other} td.clicks')).to_have_text('1')
    expect(stats.locator('#total')).to_have_text('3')
    expect(stats.locator('#count')).to_have_text('2')
    assert http('GET', app.url + '/stats').json() == {
        link_id: {'url': target, 'clicks': 2},
        other: {'url': app.url + '/stats', 'clicks': 1},
    }

    # A page opened later starts with every link and its clicks.
    late = open_page(app.url + '/stats.html', 'late')
    expect(late.locator(f'#link-{link_id} td.clicks')).to_have_text('2')
    expect(late.locator('#total')).to_have_text('3')
    stats.set_viewport_size({'width': 1000, 'height': 400})
    screenshot(stats, 'shortener')


def test_form_refuses_a_non_http_url(
    app: Shortener, open_page: Callable[[str, str], Page], console: Console
) -> None:
    # Chromium reports a page answered with 400 in the console: that one is expected.
    console.expect_error(f'status of 400 (Bad Request) ({app.url}/shorten)')
    page = open_page(app.url + '/', 'visitor')
    page.fill('#url', 'ftp://example.org/file')
    with page.expect_response('**/shorten') as answer:
        page.click('button[type=submit]')
    assert answer.value.status == 400
    expect(page.locator('#error')).to_contain_text('only http:// and https://')
    expect(page.locator('#url')).to_have_value('ftp://example.org/file')
    assert http('GET', app.url + '/stats').json() == {}
