"""RedBarrel's 2011 socket API, on top of python-socketio.

A RedBarrel socket handler is ``func(globs, request)``; it reads the socket
from ``request.socketio`` (or ``request.environ['socketio']``) and usually
loops on :meth:`LegacySocket.recv`, as the 2011 chat did::

    def chat(globs, request):
        socketio = request.socketio
        if socketio.on_connect():
            socketio.send(json.dumps({'buffer': BUFFER}))
        while True:
            message = socketio.recv()
            if len(message) == 1:
                socketio.broadcast(json.dumps({'message': [sid, message[0]]}))
            elif not socketio.connected():
                ...  # announce the departure

Here each connection gets one greenlet that runs the handler once. Messages
are Socket.IO ``message`` events (what ``socket.send(x)`` sends and
``socket.on('message', ...)`` receives); a dict or list travels as JSON.

:meth:`LegacySocket.recv` returns the arguments of one ``message`` event as a
list (``[x]`` for ``socket.send(x)``), and ``[]`` once the client has gone.
Because the 2011 handlers loop forever (the chat has no ``break``), calling
``recv()`` again after that ``[]`` ends the greenlet with :class:`Disconnected`;
a handler that does not call ``recv()`` at all is ended
:data:`GRACE_SECONDS` after the disconnect.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import gevent
import socketio
from gevent.queue import Queue
from webob import Request

from .events import EventHandler

if TYPE_CHECKING:
    from .hub import Hub

__all__ = [
    'GRACE_SECONDS',
    'MAX_PENDING',
    'Disconnected',
    'HttpSocketIO',
    'LegacyServer',
    'LegacySession',
    'LegacySocket',
]

logger = logging.getLogger('rbconfig.socket')

#: Seconds a legacy handler may still run after its client has gone.
GRACE_SECONDS = 2.0

#: Messages waiting for ``recv()`` beyond which the client is disconnected.
MAX_PENDING = 10_000

_GONE = object()


class Disconnected(gevent.GreenletExit):
    """Ends a legacy handler whose client has gone (not an error).

    A :class:`~gevent.GreenletExit`, so ``except Exception`` in a handler does
    not swallow it.
    """


class LegacySession:
    """``socketio.session``: what gevent-socketio's session offered that handlers used."""

    __slots__ = ('session_id',)

    def __init__(self, session_id: str) -> None:
        #: The client's id (the Socket.IO sid).
        self.session_id = session_id

    def __repr__(self) -> str:
        return f'<LegacySession {self.session_id}>'


class LegacyServer:
    """The ``.server`` of ``environ['socketio']``: reach every client, even from HTTP handlers.

    RedBarrel's shortener broadcast from a plain HTTP handler with
    ``request.environ['socketio'].server.broadcast(message)``. This wraps the
    app's :class:`~.hub.Hub` (``.hub``), which new code uses directly.
    """

    def __init__(self, hub: Hub, sockets: Mapping[tuple[str, str], LegacySocket]) -> None:
        #: The app's hub (``environ['rbconfig.hub']``).
        self.hub = hub
        self._sockets = sockets

    def broadcast(self, message: Any, namespace: str = '/') -> None:
        """Send ``message`` (a ``message`` event) to every client of ``namespace``."""
        self.hub.send(message, namespace=namespace)

    def send(self, session_id: str, message: Any, namespace: str = '/') -> None:
        """Send ``message`` to one client."""
        self.hub.send(message, to=session_id, namespace=namespace)

    def emit(
        self, event: str, data: Any = None, to: str | None = None, namespace: str = '/'
    ) -> None:
        """Send ``event`` to everyone in ``namespace``, or to the client or room ``to``."""
        self.hub.emit(event, data, room=to, namespace=namespace)

    @property
    def sessions(self) -> dict[str, LegacySocket]:
        """The connected legacy sockets of the default namespace, by session id."""
        return {sid: sock for (ns, sid), sock in self._sockets.items() if ns == '/'}

    def __repr__(self) -> str:
        return f'<LegacyServer {len(self._sockets)} legacy connections>'


class HttpSocketIO:
    """``environ['socketio']`` for a plain HTTP request: no session, but a ``.server``."""

    __slots__ = ('server',)

    #: No socket session on an HTTP request (RedBarrel handlers test ``session is None``).
    session = None

    def __init__(self, server: LegacyServer) -> None:
        self.server = server

    def on_connect(self) -> bool:
        """Always False: an HTTP request is not a new socket connection."""
        return False

    def connected(self) -> bool:
        """Always False: an HTTP request has no socket."""
        return False

    def broadcast(self, message: Any) -> None:
        """Send ``message`` to every socket client of the default namespace."""
        self.server.broadcast(message)

    def __repr__(self) -> str:
        return '<HttpSocketIO>'


class LegacySocket:
    """``request.socketio`` for one connection: the 2011 protocol object's API."""

    def __init__(self, legacy_server: LegacyServer, sid: str, namespace: str) -> None:
        self._sio: socketio.Server = legacy_server.hub.server
        self._namespace = namespace
        self._queue: Queue[Any] = Queue()
        self._connected = True
        self._greeted = False
        self._listening = True
        self._gone_seen = False
        self._greenlet: gevent.Greenlet | None = None
        self._reaper: gevent.Greenlet | None = None
        #: ``session.session_id`` is the client's id.
        self.session = LegacySession(sid)
        #: Every client (:class:`LegacyServer`), as in RedBarrel.
        self.server = legacy_server

    # -- the 2011 API -------------------------------------------------------

    def on_connect(self) -> bool:
        """True the first time it is called: the connection is new."""
        first = not self._greeted
        self._greeted = True
        return first

    def connected(self) -> bool:
        """False once the client has gone."""
        return self._connected

    def send(self, message: Any) -> None:
        """Send ``message`` to this client as a ``message`` event (never through the queue)."""
        if self._connected:
            self._sio.send(
                message, to=self.session.session_id, namespace=self._namespace, ignore_queue=True
            )

    def broadcast(self, message: Any) -> None:
        """Send ``message`` to every client of the namespace but this one, on every node."""
        self._sio.send(message, namespace=self._namespace, skip_sid=self.session.session_id)

    def recv(self) -> list[Any]:
        """Wait for the next message; its arguments as a list, ``[]`` once the client is gone.

        Raises:
            Disconnected: when called again after it returned ``[]``: the
                handler ends there (its greenlet exits cleanly).
        """
        if self._gone_seen:
            raise Disconnected()
        item = self._queue.get()
        if item is _GONE:
            self._gone_seen = True
            return []
        return item

    # -- driven by the service --------------------------------------------

    @property
    def running(self) -> bool:
        """True while the handler's greenlet runs."""
        return self._greenlet is not None and not self._greenlet.dead

    def start(
        self,
        handler: EventHandler,
        globs: Mapping[str, Any],
        environ: Mapping[str, Any],
    ) -> None:
        """Run ``handler(globs, request)`` in a new greenlet."""
        request = self.request(environ)
        self._greenlet = gevent.spawn(self._run, handler, globs, request)

    def request(self, environ: Mapping[str, Any]) -> Request:
        """The webob request a handler gets: the handshake's environ plus the socket."""
        env = dict(environ)
        env['socketio'] = self
        request = Request(env)
        request.socketio = self
        query = parse_qs(env.get('QUERY_STRING', ''))
        request.match = {'transport': query.get('transport', ['polling'])[0]}
        return request

    def deliver(self, args: list[Any]) -> None:
        """Queue the arguments of one ``message`` event for :meth:`recv`."""
        if not self._listening or not self._connected:
            return
        if len(self._queue) >= MAX_PENDING:
            logger.warning(
                'socket %s: %d messages wait for recv(); disconnecting the client',
                self.session.session_id,
                MAX_PENDING,
            )
            self._sio.disconnect(self.session.session_id, namespace=self._namespace)
            return
        self._queue.put(args)

    def gone(self) -> None:
        """The client has gone: wake :meth:`recv`, end the handler after a grace period."""
        if not self._connected:
            return
        self._connected = False
        self._queue.put(_GONE)
        if self.running:
            self._reaper = gevent.spawn_later(GRACE_SECONDS, self._stop)

    def _stop(self) -> None:
        greenlet = self._greenlet
        if greenlet is not None and not greenlet.dead:
            logger.warning(
                'socket %s: the handler still ran %.0fs after the client left; stopped it',
                self.session.session_id,
                GRACE_SECONDS,
            )
            greenlet.kill(Disconnected, block=False)

    def _run(
        self,
        handler: EventHandler,
        globs: Mapping[str, Any],
        request: Request,
    ) -> None:
        try:
            handler.call(globs, request)
        except gevent.GreenletExit:
            pass
        except Exception:
            logger.exception(
                'socket handler %s failed for client %s; closing its connection',
                handler.location,
                self.session.session_id,
            )
            if self._connected:
                self._sio.disconnect(self.session.session_id, namespace=self._namespace)
        finally:
            self._listening = False
            while not self._queue.empty():
                self._queue.get_nowait()
            reaper, self._reaper = self._reaper, None
            if reaper is not None:
                reaper.kill(block=False)

    def __repr__(self) -> str:
        state = 'connected' if self._connected else 'gone'
        return f'<LegacySocket {self.session.session_id} {state}>'
