"""The spec's socket namespaces wired into one python-socketio server."""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

import gevent
import socketio

from ...document import Document
from ...schema import SocketNamespace
from .adapter import participants, room_names
from .context import Context
from .events import EventHandler, resolve_event, resolve_legacy
from .hub import Hub, create_hub
from .legacy import LegacyServer, LegacySocket
from .server import DEFAULT_SETTINGS

__all__ = ['Namespaces']

logger = logging.getLogger('rbconfig.socket')

Key = tuple[str, str]  # (namespace, sid)


class Namespaces:
    """Every socket handler of a spec, registered on one :class:`socketio.Server`.

    Args:
        document: the loaded spec (its ``sockets`` and ``socketio``).
        globs: the spec's globals, given to every handler.
        debug: log engine traffic and enable :meth:`stats`.
        hub: the app's :class:`Hub` (made here when not given): its server
            is the one the handlers are registered on.

    Raises:
        StartupError: a handler cannot be imported or has the wrong signature.
    """

    def __init__(
        self,
        document: Document,
        globs: Mapping[str, Any],
        *,
        debug: bool = False,
        hub: Hub | None = None,
    ) -> None:
        self.document = document
        self.globs = globs
        self.debug = debug
        self.settings = document.spec.socketio or DEFAULT_SETTINGS
        #: Pushes events to every client, from anywhere (``ctx.hub``).
        self.hub = hub if hub is not None else create_hub(document, debug=debug)
        self.server = self.hub.server
        #: The connected clients, by (namespace, sid).
        self.contexts: dict[Key, Context] = {}
        #: The connected clients served by a RedBarrel-style handler.
        self.legacy: dict[Key, LegacySocket] = {}
        #: The ``.server`` of ``environ['socketio']``.
        self.legacy_server = LegacyServer(self.hub, self.legacy)
        for namespace, spec in document.spec.sockets.items():
            self._register(namespace, spec)

    def _register(self, namespace: str, spec: SocketNamespace) -> None:
        loc = ('sockets', namespace)
        events = {
            event: resolve_event(self.document, (*loc, 'events', event), event, handler.use)
            for event, handler in spec.events.items()
        }
        legacy = None
        if spec.use is not None:
            legacy = resolve_legacy(self.document, (*loc, 'use'), spec.use)
        on = partial(self.server.on, namespace=namespace)
        on('connect', partial(self._connect, namespace, events.pop('connect', None), legacy))
        on('disconnect', partial(self._disconnect, namespace, events.pop('disconnect', None)))
        for event, handler in events.items():
            on(event, partial(self._event, namespace, event, handler))
        if legacy is not None:
            on('message', partial(self._message, namespace))

    # -- python-socketio callbacks (never raise: python-socketio retries on TypeError) --

    def _connect(
        self,
        namespace: str,
        handler: EventHandler | None,
        legacy: EventHandler | None,
        sid: str,
        environ: dict[str, Any],
        auth: Any = None,
    ) -> bool:
        ctx = Context(self.hub, sid, namespace, environ, self.globs)
        if handler is not None:
            try:
                # {} when the client sent no auth payload, as the reference server gives.
                accepted = handler.call(ctx, {} if auth is None else auth)
            except socketio.exceptions.ConnectionRefusedError:
                raise
            except Exception:
                logger.exception(
                    'connect handler %s failed for client %s; refusing the connection',
                    handler.location,
                    sid,
                )
                raise socketio.exceptions.ConnectionRefusedError('server error') from None
            if accepted is False:
                return False
        self.contexts[(namespace, sid)] = ctx
        if legacy is not None:
            sock = LegacySocket(self.legacy_server, sid, namespace)
            self.legacy[(namespace, sid)] = sock
            sock.start(legacy, self.globs, environ)
        return True

    def _disconnect(
        self, namespace: str, handler: EventHandler | None, sid: str, reason: Any = None
    ) -> None:
        ctx = self.contexts.pop((namespace, sid), None)
        if ctx is None:
            return
        if handler is not None:
            try:
                handler.call(ctx, reason)
            except Exception:
                logger.exception(
                    'disconnect handler %s failed for client %s', handler.location, sid
                )
        sock = self.legacy.pop((namespace, sid), None)
        if sock is not None:
            sock.gone()

    def _event(
        self, namespace: str, event: str, handler: EventHandler, sid: str, *args: Any
    ) -> Any:
        ctx = self.contexts.get((namespace, sid))
        if ctx is None:
            return self.server.not_handled
        try:
            return handler.call(ctx, *args)
        except Exception:
            logger.exception(
                'handler %s of event %r failed for client %s; closing its connection',
                handler.location,
                event,
                sid,
            )
            self.server.disconnect(sid, namespace=namespace)
            return self.server.not_handled

    def _message(self, namespace: str, sid: str, *args: Any) -> Any:
        sock = self.legacy.get((namespace, sid))
        if sock is not None:
            sock.deliver(list(args))
        return self.server.not_handled

    # -- introspection ---------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts that must come back to their idle values when clients leave.

        ``greenlets`` counts the live :class:`gevent.Greenlet` objects of the
        process (found through the garbage collector): request handlers,
        engine.io tasks, socket handlers. gevent's hub and its thread-pool
        workers, which come and go on their own, are not counted. The rest are
        this service's own tables and python-socketio's.
        """
        alive = sum(
            1 for obj in gc.get_objects() if isinstance(obj, gevent.Greenlet) and not obj.dead
        )
        manager = self.server.manager
        spaces = list(manager.get_namespaces())
        return {
            'greenlets': alive,
            'engine_sockets': len(self.server.eio.sessions),
            'socket_environs': len(self.server.environ),
            'participants': sum(sum(1 for _ in participants(manager, ns)) for ns in spaces),
            'rooms': sum(len(room_names(manager, ns)) for ns in spaces),
            'contexts': len(self.contexts),
            'legacy_sockets': len(self.legacy),
            'legacy_running': sum(
                1 for obj in gc.get_objects() if isinstance(obj, LegacySocket) and obj.running
            ),
        }
