"""HTTP handlers and start-up code of the reference service."""

from __future__ import annotations

import configparser
import threading
from typing import Any

from .models import Word


class Store:
    """A counter per item, in memory (what a real service would keep in a database)."""

    def __init__(self, settings: str) -> None:
        config = configparser.ConfigParser()
        config.read_string(settings)
        self.start = config.getint('store', 'start', fallback=0)
        self.hits: dict[int, int] = {}
        self.lock = threading.Lock()

    def hit(self, item: int) -> int:
        """Count one more view of ``item``; the new count."""
        with self.lock:
            self.hits[item] = self.hits.get(item, self.start) + 1
            return self.hits[item]


def open_store(globs: dict[str, Any]) -> Store:
    """The ``store`` global: called once at start-up with the globals written before it."""
    return Store(globs['settings'].text)


def hello(name: str, globs: dict[str, Any]) -> str:
    """GET /hello/{name}: a json-style handler; a str answers text/plain."""
    return f'{globs["greeting"]}, {name}!'


def strip(globs: dict[str, Any], request: Any, body: str) -> str:
    """``alter with``: the request body (JSON text) without blanks around it."""
    return body.strip()


def capitalize(body: str) -> Word:
    """POST /capitalize: the JSON string, capitalized (a Pydantic model answers JSON)."""
    return Word(body.strip().capitalize())


def item(id: int, globs: dict[str, Any]) -> dict[str, int]:  # noqa: A002 - the URL's name
    """GET /items/{id}: the item and how many times it was asked for."""
    return {'id': id, 'views': globs['store'].hit(id)}
