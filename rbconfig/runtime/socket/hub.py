"""The :class:`Hub`: push Socket.IO events from anywhere in the process.

A socket handler answers a client; code that is not answering anyone (a
background greenlet started at start-up, an HTTP handler) pushes through the
app's one hub instead. It is reachable

* from a socket handler as ``ctx.hub``;
* from an HTTP handler as ``environ['rbconfig.hub']`` (Falcon ``req.env``,
  WebOb ``request.environ``); RedBarrel's ``environ['socketio'].server`` is a
  thin wrapper around it (:class:`~.legacy.LegacyServer`, ``.hub``);
* from start-up code: a ``python:`` global whose factory has a parameter
  named ``hub`` gets it as the keyword argument ``hub``
  (``def start(globs, *, hub)``); this is checked at start-up.

Example, a sampler started once by the ``globals`` entry
``sampler: python:sampler.start``::

    def start(globs, *, hub):
        def run():
            while True:
                gevent.sleep(1)
                hub.emit('tick', {'t': time.time()})
        return gevent.spawn(run)

There is one hub per app, so one per process (each gunicorn worker builds its
own app). Without a message queue it reaches the clients connected to this
process; with one (``socketio.message_queue``, see :mod:`.queue`), its emits
and disconnects reach the clients of every process serving the app, while its
counts (:meth:`Hub.connected`, :meth:`Hub.rooms`) stay those of this process.
"""

from __future__ import annotations

from typing import Any

import socketio

from ...document import Document
from ...errors import StartupError
from . import queue
from .adapter import participants, room_names
from .server import build_server, check_versions

__all__ = ['ENVIRON_KEY', 'Hub', 'create_hub']

#: The WSGI environ key under which every HTTP request finds the hub.
ENVIRON_KEY = 'rbconfig.hub'


class Hub:
    """Every client of one app's Socket.IO server, for pushing events to them.

    Emitting never waits for the clients: each message is queued for each
    recipient, so it is safe from any greenlet (a handler, a background
    greenlet, an HTTP request). A recipient that has just left is skipped.

    Args:
        server: the python-socketio server of the app.
        namespaces: the namespaces the spec declares.

    Attributes:
        server: the underlying :class:`socketio.Server`, for what the hub does
            not offer.
        namespaces: the declared namespaces (``'/'``, ``'/admin'``...).
    """

    __slots__ = ('namespaces', 'server')

    def __init__(self, server: socketio.Server, namespaces: tuple[str, ...]) -> None:
        self.server = server
        self.namespaces = namespaces

    def emit(
        self,
        event: str,
        data: Any = None,
        *,
        to: str | None = None,
        room: str | None = None,
        namespace: str = '/',
        local: bool = False,
    ) -> None:
        """Send ``event`` to every client of ``namespace``, to one client, or to one room.

        Args:
            event: the event name the clients listen to (``socket.on(event)``).
            data: anything JSON carries, or bytes; a tuple is several arguments.
            to: one client's sid (``ctx.sid``, ``socket.id`` in the client).
            room: a room's name (what handlers passed to ``ctx.join``).
            namespace: one of the spec's ``sockets``.
            local: only to the clients of this process, even with a message
                queue (news about this process, such as its own load).

        Raises:
            TypeError: ``event`` is not a non-empty string.
            ValueError: both ``to`` and ``room`` are given, or ``namespace``
                is not declared in the spec.
        """
        if not isinstance(event, str) or not event:
            raise TypeError(f'hub.emit(): the event name must be a non-empty str, not {event!r}')
        if to is not None and room is not None:
            raise ValueError('hub.emit(): give to= (one client) or room= (a room), not both')
        self._check(namespace)
        target = to if to is not None else room
        self.server.emit(event, data, to=target, namespace=namespace, ignore_queue=local)

    def send(
        self,
        data: Any,
        *,
        to: str | None = None,
        room: str | None = None,
        namespace: str = '/',
        local: bool = False,
    ) -> None:
        """Send a ``message`` event (what ``socket.on('message')`` receives); see :meth:`emit`."""
        self.emit('message', data, to=to, room=room, namespace=namespace, local=local)

    def disconnect(self, sid: str, namespace: str = '/') -> None:
        """Close the connection of client ``sid`` to ``namespace``, whichever process holds it.

        A client of another process is disconnected by that process (through
        the message queue); an unknown sid is ignored.

        Raises:
            ValueError: ``namespace`` is not declared in the spec.
        """
        self._check(namespace)
        self.server.disconnect(sid, namespace=namespace)

    def connected(self, namespace: str = '/') -> int:
        """How many clients are connected to ``namespace`` in this process.

        Raises:
            ValueError: ``namespace`` is not declared in the spec.
        """
        self._check(namespace)
        return sum(1 for _ in participants(self.server.manager, namespace))

    def rooms(self, namespace: str = '/') -> dict[str, int]:
        """The rooms of ``namespace`` that have clients of this process, with how many each.

        Each client's own room (named after its sid) is left out, as in
        ``ctx.rooms``.

        Raises:
            ValueError: ``namespace`` is not declared in the spec.
        """
        self._check(namespace)
        manager = self.server.manager
        counts = {}
        for room in room_names(manager, namespace):
            members = set(participants(manager, namespace, room))
            if members and room not in members:  # not a client's own room
                counts[room] = len(members)
        return counts

    def _check(self, namespace: str) -> None:
        if namespace not in self.namespaces:
            declared = ', '.join(repr(name) for name in self.namespaces)
            raise ValueError(
                f"namespace {namespace!r} is not in the spec's sockets (declared: {declared})"
            )

    def __repr__(self) -> str:
        counts = ', '.join(f'{name}: {self.connected(name)}' for name in self.namespaces)
        return f'<Hub {counts}>'


def create_hub(document: Document, *, debug: bool = False) -> Hub:
    """The hub of ``document``'s sockets, with its python-socketio server.

    Made before the globals are built, so start-up code can be given it. With
    a message queue (see :mod:`.queue`), the server is connected to it here,
    before the process serves anyone.

    Raises:
        StartupError: the installed python-socketio is not one rbconfig was
            tested with (see :func:`~.adapter.check_versions`); the message queue
            is misconfigured or does not answer.
    """
    problem = check_versions()
    if problem:
        raise StartupError.at(document, ('sockets',), problem)
    setting = queue.queue_setting(document)
    manager = queue.client_manager(document, setting) if setting is not None else None
    server = build_server(document.spec.socketio, debug=debug, client_manager=manager)
    if setting is not None:
        queue.start(document, setting, server)
    return Hub(server, tuple(document.spec.sockets))
