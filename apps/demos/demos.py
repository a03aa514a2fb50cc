"""RedBarrel's demo handlers, in Python 3, plus one modern handler.

RedBarrel-style (legacy) handlers take ``(globs, request)``: ``request`` is a
WebOb request; they return the body as text, or a WebOb Response. Validators
take ``(globs, request, value)``, ``alter with`` filters ``(globs, request,
body)``, custom types are classes instantiated once and called with the value.
"""

from __future__ import annotations

import base64
import binascii
import configparser
import json
import re
import threading
from typing import Any

#: The token the ``capitalize`` service accepts (``Authorization: Bearer demo``).
TOKEN = 'Bearer demo'


def hello(globs: dict[str, Any], request: Any) -> str:
    """Simplest application: Hello World!"""
    return 'Hello World!'


class CountController:
    """A counter with a persistent state on the server (one instance, many calls)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, globs: dict[str, Any], request: Any) -> str:
        with self._lock:
            self.count += 1
            return str(self.count)


counter = CountController()


class MyApp:
    """An application object built once from the ``config`` global."""

    def __init__(self, globs: dict[str, Any]) -> None:
        parser = configparser.ConfigParser()
        parser.read_string(globs['config'].text)
        self.count = parser.getint('counter', 'start')
        self.step = parser.getint('counter', 'step')
        self._lock = threading.Lock()

    def incr(self) -> int:
        with self._lock:
            self.count += self.step
            return self.count


def app(globs: dict[str, Any]) -> MyApp:
    """The ``app`` global: called once at start-up with the globals before it."""
    return MyApp(globs)


def counter2(globs: dict[str, Any], request: Any) -> str:
    """A counter using two globals: a config file and an app built from it."""
    return str(globs['app'].incr())


def html(globs: dict[str, Any], request: Any) -> str:
    """A simple HTML page."""
    return (
        '<!DOCTYPE html><html><head><title>RedBarrel demo</title>'
        '<link rel="stylesheet" href="redbarrel.css"></head>'
        f'<body><h1>A simple page</h1><p>Served for a {request.method}.</p></body></html>'
    )


def auth(globs: dict[str, Any], request: Any, value: str | None) -> bool:
    """Validator: the Authorization header must carry the demo token."""
    if value is None:
        raise ValueError('no Authorization header')
    return value == TOKEN


def capitalize(globs: dict[str, Any], request: Any) -> str:
    """Send a JSON string, get it back Capitalized."""
    text = json.loads(request.body)
    if not isinstance(text, str):
        text = str(text)
    return json.dumps(text.capitalize())


_COMMENT = re.compile(r'/\*.*?\*/', re.DOTALL)
_SPACE = re.compile(r'\s+')
_AROUND = re.compile(r'\s*([{};:,>])\s*')


def compress_css(globs: dict[str, Any], request: Any, css: str) -> str:
    """``alter with`` filter: a small CSS minifier (cssmin's main rules)."""
    css = _COMMENT.sub('', css)
    css = _SPACE.sub(' ', css)
    css = _AROUND.sub(r'\1', css)
    return css.replace(';}', '}').strip()


class blob:  # noqa: N801 - the type's name in the spec
    """Custom type: a blob is non-empty base64 text."""

    def __call__(self, value: str | bytes) -> bool:
        if not value:
            return False
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as ex:
            raise ValueError(f'not base64: {ex}') from ex
        return True


def blobish(globs: dict[str, Any], request: Any) -> str:
    """Receives a blob; says how big it was once decoded."""
    return f'{len(base64.b64decode(request.body))} bytes received'


def greet(name: str, polite: str = 'no') -> dict[str, str]:
    """A modern handler: URL params and query params by name, a dict → JSON."""
    greeting = 'Good day' if polite == 'yes' else 'Hi'
    return {'greeting': f'{greeting}, {name}!'}
