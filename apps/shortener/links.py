"""Where the shortener keeps its links: in memory, or in Redis when configured.

Both stores give the same answers; which one runs is chosen once at start-up
by :func:`open_store` from the ``redis_url`` global or the ``REDIS_URL``
environment variable (Redis needs the ``redis`` client: ``pip install
'rbconfig[redis]'``). In Redis every key starts with a prefix (``redis_prefix``
or ``REDIS_PREFIX``, default ``rbconfig:shortener:``) so several apps, or
tests, can share one server:

* ``<prefix>urls``: hash id → URL;
* ``<prefix>clicks``: hash id → clicks;
* ``<prefix>order``: list of ids, oldest first.
"""

from __future__ import annotations

import os
import secrets
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

__all__ = [
    'BadUrl',
    'Link',
    'MemoryStore',
    'RedisStore',
    'Store',
    'check_url',
    'new_id',
    'open_store',
]

ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 7
MAX_URL = 2048
DEFAULT_PREFIX = 'rbconfig:shortener:'


class BadUrl(ValueError):
    """A submitted URL the shortener refuses; the message says why."""


@dataclass(frozen=True, slots=True)
class Link:
    """A short id, the URL behind it and how often it was followed."""

    id: str
    url: str
    clicks: int = 0

    def as_json(self) -> dict[str, Any]:
        """``{id, url, clicks}``."""
        return {'id': self.id, 'url': self.url, 'clicks': self.clicks}


def check_url(value: Any) -> str:
    """The URL to shorten, stripped, if it is an absolute http(s) URL.

    Raises:
        BadUrl: it is missing, too long, not http/https, has no host, or holds
            spaces or control characters.
    """
    if not isinstance(value, str) or not value.strip():
        raise BadUrl('give the URL to shorten, like https://example.org/page')
    url = value.strip()
    if len(url) > MAX_URL:
        raise BadUrl(f'the URL is longer than {MAX_URL} characters')
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise BadUrl('the URL holds spaces or control characters')
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as ex:
        raise BadUrl(f'not a valid URL: {ex}') from ex
    if parts.scheme.lower() not in ('http', 'https'):
        shown = f'{parts.scheme}:' if parts.scheme else 'no scheme'
        raise BadUrl(f'only http:// and https:// URLs can be shortened, got {shown}')
    if not host:
        raise BadUrl('the URL has no host name')
    return url


def new_id() -> str:
    """A random id of 7 letters and digits."""
    return ''.join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def valid_id(value: str) -> bool:
    """True if ``value`` could be an id (checked before any lookup)."""
    return len(value) == ID_LENGTH and all(char in ALPHABET for char in value)


class Store(Protocol):
    """What the handlers need from a store."""

    def add(self, url: str) -> Link:
        """Store ``url`` under a new id."""
        ...

    def get(self, link_id: str) -> Link | None:
        """The link with that id, or None."""
        ...

    def click(self, link_id: str) -> Link | None:
        """Count one click on the link; the link with its new count, or None if unknown."""
        ...

    def links(self) -> list[Link]:
        """Every link, oldest first."""
        ...


class MemoryStore:
    """Links in a dict: lost when the server stops."""

    def __init__(self) -> None:
        self._urls: dict[str, str] = {}
        self._clicks: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, url: str) -> Link:
        with self._lock:
            link_id = new_id()
            while link_id in self._urls:
                link_id = new_id()
            self._urls[link_id] = url
            self._clicks[link_id] = 0
        return Link(link_id, url)

    def get(self, link_id: str) -> Link | None:
        url = self._urls.get(link_id)
        return None if url is None else Link(link_id, url, self._clicks[link_id])

    def click(self, link_id: str) -> Link | None:
        with self._lock:
            if link_id not in self._urls:
                return None
            self._clicks[link_id] += 1
            return Link(link_id, self._urls[link_id], self._clicks[link_id])

    def links(self) -> list[Link]:
        return [Link(key, url, self._clicks[key]) for key, url in list(self._urls.items())]

    def __repr__(self) -> str:
        return f'<MemoryStore {len(self._urls)} links>'


class RedisStore:
    """Links in Redis, under ``prefix``: kept across restarts and shared between processes."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        try:
            import redis
        except ImportError:  # an extra: rbconfig's core install does not bring it
            raise RuntimeError(
                "the Redis store needs the Redis client: pip install 'rbconfig[redis]'"
            ) from None
        self.url = url
        self.prefix = prefix
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self._urls = prefix + 'urls'
        self._clicks = prefix + 'clicks'
        self._order = prefix + 'order'

    def ping(self) -> None:
        """Check the server answers.

        Raises:
            redis.RedisError: it does not.
        """
        self.redis.ping()

    def add(self, url: str) -> Link:
        while True:
            link_id = new_id()
            if self.redis.hsetnx(self._urls, link_id, url):
                break
        pipe = self.redis.pipeline()
        pipe.hset(self._clicks, link_id, 0)
        pipe.rpush(self._order, link_id)
        pipe.execute()
        return Link(link_id, url)

    def get(self, link_id: str) -> Link | None:
        url, clicks = (
            self.redis.pipeline().hget(self._urls, link_id).hget(self._clicks, link_id).execute()
        )
        return None if url is None else Link(link_id, url, int(clicks or 0))

    def click(self, link_id: str) -> Link | None:
        url = self.redis.hget(self._urls, link_id)
        if url is None:
            return None
        return Link(link_id, url, int(self.redis.hincrby(self._clicks, link_id, 1)))

    def links(self) -> list[Link]:
        ids = self.redis.lrange(self._order, 0, -1)
        if not ids:
            return []
        urls = self.redis.hmget(self._urls, ids)
        clicks = self.redis.hmget(self._clicks, ids)
        return [
            Link(link_id, url, int(count or 0))
            for link_id, url, count in zip(ids, urls, clicks, strict=True)
            if url is not None
        ]

    def __repr__(self) -> str:
        return f'<RedisStore {self.url} prefix={self.prefix!r}>'


def open_store(
    globs: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> MemoryStore | RedisStore:
    """The store the configuration asks for.

    ``REDIS_URL`` (environment) or the ``redis_url`` global selects Redis; the
    environment wins so one spec serves both ways. Without either: memory.

    Raises:
        RuntimeError: Redis was asked for and does not answer.
    """
    environ = os.environ if environ is None else environ
    url = environ.get('REDIS_URL') or str(globs.get('redis_url') or '')
    if not url:
        return MemoryStore()
    prefix = environ.get('REDIS_PREFIX') or str(globs.get('redis_prefix') or DEFAULT_PREFIX)
    store = RedisStore(url, prefix)
    try:
        store.ping()
    except Exception as ex:  # redis.RedisError, or a bad URL
        raise RuntimeError(f'cannot reach Redis at {url}: {ex}') from ex
    return store
