"""The shortener's HTTP API over a real socket, with links in memory and in Redis."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
import redis

from tests.helpers.server import spawn

from .conftest import APP_ENV
from .shortener_support import (
    REDIS_URL,
    SPEC,
    Shortener,
    http,
    redis_prefix,
    serve,
    shorten_json,
)


@pytest.fixture(scope='module', params=['memory', 'redis'])
def app(request: pytest.FixtureRequest) -> Iterator[Shortener]:
    """The shortener, once per backend (shared by the tests of this module)."""
    with redis_prefix() as prefix, serve(request.param, prefix) as shortener:
        yield shortener


def test_json_shorten_then_redirect_then_stats(app: Shortener) -> None:
    target = 'https://example.org/a/long/page?x=1&y=2#part'
    reply = shorten_json(app.url, target)
    assert reply.status == 201
    link = reply.json()
    assert link['url'] == target and link['clicks'] == 0
    assert link['short_url'] == f'{app.url}/r/{link["id"]}'
    assert urllib.parse.urljoin(app.url, reply.headers['Location']) == link['short_url']

    for clicks in (1, 2, 3):
        redirect = http('GET', f'{app.url}/r/{link["id"]}')
        assert redirect.status == 303
        assert redirect.headers['Location'] == target
        stats = http('GET', app.url + '/stats')
        assert stats.status == 200
        assert stats.headers['Content-Type'].startswith('application/json')
        assert stats.json()[link['id']] == {'url': target, 'clicks': clicks}


def test_form_shorten_goes_to_an_escaped_result_page(app: Shortener) -> None:
    target = 'https://example.org/"><script>alert(1)</script>'
    reply = http(
        'POST',
        app.url + '/shorten',
        urllib.parse.urlencode({'url': target}).encode(),
        'application/x-www-form-urlencoded',
    )
    assert reply.status == 303
    location = urllib.parse.urljoin(app.url, reply.headers['Location'])
    assert location.startswith(app.url + '/shortened/')
    page = http('GET', location)
    assert page.status == 200
    assert page.headers['Content-Type'].startswith('text/html')
    assert '<script>alert(1)</script>' not in page.text
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page.text


@pytest.mark.parametrize(
    ('url', 'why'),
    [
        ('javascript:alert(1)', 'only http:// and https://'),
        ('ftp://example.org/file', 'only http:// and https://'),
        ('example.org/page', 'only http:// and https://'),
        ('http://', 'no host name'),
        ('https://exa mple.org/', 'spaces or control characters'),
        ('https://example.org/' + 'a' * 2100, 'longer than 2048'),
        ('https://example.org:99999/', 'not a valid URL'),
        ('', 'give the URL'),
        (None, 'give the URL'),
        (42, 'give the URL'),
    ],
)
def test_bad_urls_are_refused_with_a_reason(app: Shortener, url: object, why: str) -> None:
    before = http('GET', app.url + '/stats').json()
    reply = shorten_json(app.url, url)
    assert reply.status == 400
    assert why in reply.json()['error']
    assert http('GET', app.url + '/stats').json() == before


def test_bad_requests(app: Shortener) -> None:
    broken = http('POST', app.url + '/shorten', b'{"url": ', 'application/json')
    assert broken.status == 400 and broken.json() == {'error': 'the body is not valid JSON'}
    form = http(
        'POST',
        app.url + '/shorten',
        b'url=mailto%3Abob%40example.org',
        'application/x-www-form-urlencoded',
    )
    assert form.status == 400
    assert 'only http:// and https://' in form.text
    assert 'value="mailto:bob@example.org"' in form.text
    text = http('POST', app.url + '/shorten', b'https://example.org', 'text/plain')
    assert text.status == 415
    assert http('GET', app.url + '/r/NoSuch1').status == 404
    assert http('GET', app.url + '/r/..%2F..').status == 404
    assert http('GET', app.url + '/shortened/NoSuch1').status == 404
    assert http('GET', app.url + '/shorten').status == 405


def test_redis_keeps_links_across_restarts_under_its_prefix() -> None:
    with redis_prefix() as prefix:
        with serve('redis', prefix) as first:
            link = shorten_json(first.url, 'https://example.org/kept').json()
            assert http('GET', f'{first.url}/r/{link["id"]}').status == 303
        client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            assert client.hget(prefix + 'urls', link['id']) == 'https://example.org/kept'
            assert sorted(client.scan_iter(match=prefix + '*')) == [
                prefix + 'clicks',
                prefix + 'order',
                prefix + 'urls',
            ]
        finally:
            client.close()
        with serve('redis', prefix) as second:
            redirect = http('GET', f'{second.url}/r/{link["id"]}')
            assert redirect.status == 303
            assert redirect.headers['Location'] == 'https://example.org/kept'
            assert http('GET', second.url + '/stats').json() == {
                link['id']: {'url': 'https://example.org/kept', 'clicks': 2}
            }
        # The memory store does not see what Redis holds.
        with serve('memory') as memory:
            assert http('GET', f'{memory.url}/r/{link["id"]}').status == 404


def test_unreachable_redis_stops_start_up_with_the_reason() -> None:
    server = spawn(SPEC, env={**APP_ENV, 'REDIS_URL': 'redis://127.0.0.1:1/0'})
    try:
        assert server.process.wait(30) == 1
        output = server.output()
    finally:
        server.stop()
        server._log.unlink(missing_ok=True)
    assert 'shortener.yaml:' in output
    assert 'cannot reach Redis at redis://127.0.0.1:1/0' in output
    assert 'Traceback' not in output
