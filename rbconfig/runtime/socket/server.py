"""The python-socketio server built from the spec's ``socketio`` settings.

One python-socketio server per app, on rbconfig's own Engine.IO server
(:mod:`.engine`: long-polling, and WebSocket framed by wsproto on the
request's own socket), plugged in by :mod:`.adapter`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ...schema import SocketIO
from .adapter import SocketServer, check_versions

__all__ = [
    'DEFAULT_SETTINGS',
    'OriginCheck',
    'build_server',
    'check_versions',
]

#: The settings used when the spec has ``sockets`` but no ``socketio`` block.
DEFAULT_SETTINGS = SocketIO()


class OriginCheck:
    """Allows the page's own origin plus the origins the spec lists.

    python-socketio allows *either* the same origin (``None``) *or* a list; the
    spec's ``origins`` are meant to come on top of the page's own, so this
    callable answers both.
    """

    def __init__(self, origins: list[str]) -> None:
        self.origins = frozenset(origin.rstrip('/') for origin in origins)

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        """True when ``origin`` may open a connection."""
        if origin is None:
            return True
        return origin in self.origins or origin in same_origins(environ)

    def __repr__(self) -> str:
        return f'OriginCheck({sorted(self.origins)!r})'


def same_origins(environ: Mapping[str, Any]) -> list[str]:
    """The origins a page served by this request's host has (with proxy headers)."""
    host = environ.get('HTTP_HOST')
    if not host:
        return []
    scheme = environ.get('wsgi.url_scheme', 'http')
    found = [f'{scheme}://{host}']
    forwarded_host = environ.get('HTTP_X_FORWARDED_HOST')
    forwarded_proto = environ.get('HTTP_X_FORWARDED_PROTO')
    if forwarded_host or forwarded_proto:
        proto = (forwarded_proto or scheme).split(',')[0].strip()
        name = (forwarded_host or host).split(',')[0].strip()
        found.append(f'{proto}://{name}')
    return found


def cors_setting(origins: list[str] | None) -> str | OriginCheck:
    """The engine's ``cors_allowed_origins`` for the spec's ``origins``.

    ``None`` (not set): the page's own origin only; ``['*']`` allows any
    origin; a list allows those and the page's own.
    """
    if origins is not None and '*' in origins:
        return '*'
    return OriginCheck(origins or [])


def build_server(settings: SocketIO | None, *, debug: bool = False, **options: Any) -> SocketServer:
    """A python-socketio server on rbconfig's engine, configured from ``settings``.

    Args:
        settings: the spec's ``socketio`` block (None for the defaults).
        debug: log Socket.IO traffic at INFO level.
        **options: more :class:`socketio.Server` options (``client_manager``...).

    Returns:
        The server; its handlers are registered by the caller.
    """
    settings = settings or DEFAULT_SETTINGS
    logger: logging.Logger | bool = logging.getLogger('rbconfig.socket.engine') if debug else False
    return SocketServer(
        connect_timeout=settings.connect_timeout,
        cors_allowed_origins=cors_setting(settings.origins),
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        max_http_buffer_size=settings.max_message,
        logger=logger,
        **options,
    )
