"""The shortener served with its links in memory or in Redis, for the shortener tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis

from tests.helpers.server import Server, start_server

from .conftest import APP_ENV, APPS, assert_quiet

SPEC = APPS / 'shortener' / 'shortener.yaml'
REDIS_URL = 'redis://127.0.0.1:6379/0'


@dataclass
class Shortener:
    """A running shortener and, with Redis, the key prefix it writes under."""

    server: Server
    prefix: str | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.server.url


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A fresh key prefix; every key under it is deleted afterwards (and only those)."""
    prefix = f'rbconfig-test:shortener:{uuid.uuid4().hex[:12]}:'
    client = redis.Redis.from_url(REDIS_URL)
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + '*'))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def serve(backend: str, prefix: str | None = None) -> Iterator[Shortener]:
    """The shortener with ``backend`` ``memory`` or ``redis`` (under ``prefix``)."""
    env = {**APP_ENV, 'REDIS_URL': '', 'REDIS_PREFIX': ''}
    if backend == 'redis':
        assert prefix
        env.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix)
    with start_server(SPEC, env=env) as server:
        yield Shortener(server, prefix)
        assert_quiet(server.output())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back as they are instead of following them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(NoRedirect)


@dataclass
class Reply:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode('utf-8')


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    content_type: str | None = None,
) -> Reply:
    """One request, redirects not followed, error statuses returned (not raised)."""
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header('Content-Type', content_type)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as ex:
        with ex:
            return Reply(ex.code, ex.headers, ex.read())


def shorten_json(base: str, url: Any) -> Reply:
    """POST /shorten with ``{"url": url}``."""
    return http('POST', base + '/shorten', json.dumps({'url': url}).encode(), 'application/json')
