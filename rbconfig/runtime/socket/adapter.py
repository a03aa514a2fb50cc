"""The one place where rbconfig relies on python-socketio's internals.

python-socketio offers no public hook for what rbconfig changes, so this
module overrides a few of its private methods, and nothing else in rbconfig
does. :func:`check_versions` runs at start-up: on a python-socketio release
outside the tested range, or whose private methods have changed shape, the
server refuses to start with a clear message instead of misbehaving.

What is overridden, why, and what upstream change would let it go
(docs/sockets.md, "Conformance", lists the same):

* ``Server._engineio_server_class``: python-socketio runs on rbconfig's
  Engine.IO server (:mod:`.engine`) instead of python-engineio's. Upstream:
  a public ``engineio_server_class`` option, or python-engineio fixing what
  :mod:`.engine`'s docstring lists.
* ``Server._handle_connect``: an unknown namespace is refused with
  ``{"message": "Invalid namespace"}`` (python-socketio: ``"Unable to
  connect"``, a bare string where protocol 5 has an object: every refusal is
  given as ``{"message": ...}``); auth that is not an object closes the
  connection, as the reference's parser does; and what a ``connect`` handler
  emits to its own client is held
  until the CONNECT acknowledgement has gone out (python-socketio sends the
  acknowledgement after the handler returns, so the client got the emits
  first; ``always_connect=True`` would send it before the handler could
  refuse). Upstream: the reference's message, and holding emits to a
  connecting client.
* ``Server._send_packet`` and ``Server._send_eio_packet``: where the held
  packets are caught (see above).
* ``Server._handle_eio_connect``: ``connect_timeout``, after which a client
  that has connected to no namespace is dropped (the reference server's
  ``connectTimeout``). Upstream: a ``connect_timeout`` option.
* ``Server._handle_event``: an event is named with text or a number, and not
  with a reserved name (``connect``, ``disconnect``...): the reference's parser
  refuses any other EVENT packet, and so does this (the connection is closed,
  one log line). python-socketio would run the namespace's own connect or
  disconnect handler with the client's data as ``environ`` and ``auth``, and an
  object as a name failed in a greenlet. Upstream: the same checks on receipt.
* ``Server._handle_eio_message``: a binary packet's attachments count against
  ``max_message`` together, and there are at most :data:`MAX_ATTACHMENTS`, as the
  reference's parser allows (python-socketio keeps any number, each under the
  limit, until the last has come); ``Server._handle_eio_disconnect`` forgets
  what a client that left still had to send. Upstream: limits on attachments.
* ``Manager.rooms``: the names of a namespace's rooms (for ``hub.rooms()``),
  which no public method lists; the counts come from the public
  ``get_participants()``. Upstream: a public way to list rooms.

And one public method is overridden for speed: :class:`FanOut` (the client
manager, also under each message queue's manager) replaces ``Manager.emit``
for a broadcast without a callback. python-socketio hands the packet it
encoded once to each recipient through three calls (server, engine,
connection); here the engine gets every recipient at once (:meth:`.Engine.broadcast`),
which cuts the server's CPU per delivery by about a third. ``Manager.emit``
still serves emits with a callback. Upstream: a way for a manager to pass the
recipients of a broadcast to the server at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from typing import Any

import gevent
import socketio
from socketio import packet

from .engine import Engine, Message, PacketRefused

__all__ = [
    'MAX_ATTACHMENTS',
    'FanOut',
    'RESERVED_EVENTS',
    'TESTED_SOCKETIO',
    'SocketServer',
    'check_versions',
    'participants',
    'room_names',
]

#: The python-socketio releases (major, minor) this module was tested with, inclusive.
TESTED_SOCKETIO = ((5, 12), (5, 18))

#: The private methods overridden here, with the parameters they must have.
_OVERRIDDEN = {
    '_engineio_server_class': ['self'],
    '_handle_eio_connect': ['self', 'eio_sid', 'environ'],
    '_handle_connect': ['self', 'eio_sid', 'namespace', 'data'],
    '_send_packet': ['self', 'eio_sid', 'pkt'],
    '_send_eio_packet': ['self', 'eio_sid', 'eio_pkt'],
    '_handle_event': ['self', 'eio_sid', 'namespace', 'id', 'data'],
    '_handle_eio_message': ['self', 'eio_sid', 'data'],
    '_handle_eio_disconnect': ['self', 'eio_sid', 'reason'],
}

#: The parameters of ``Manager.emit``, which :class:`FanOut` takes over for broadcasts.
_MANAGER_EMIT = [
    'self',
    'event',
    'data',
    'namespace',
    'room',
    'skip_sid',
    'callback',
    'to',
    'kwargs',
]

#: Names no client's event may have: the reference parser's (socket.io-parser), and the
#: one python-socketio keeps for itself.
RESERVED_EVENTS = frozenset(
    {
        'connect',
        'connect_error',
        'disconnect',
        'disconnecting',
        'newListener',
        'removeListener',
        '__disconnect_final',
    }
)

#: Binary attachments one packet may announce (socket.io-parser's maxAttachments).
MAX_ATTACHMENTS = 10


def check_versions() -> str | None:
    """Why python-socketio cannot be used as installed, or None when it can."""
    installed = version('python-socketio')
    try:
        major_minor = tuple(int(part) for part in installed.split('.')[:2])
    except ValueError:
        major_minor = ()
    low, high = TESTED_SOCKETIO
    tested = f'{low[0]}.{low[1]} to {high[0]}.{high[1]}'
    if not low <= major_minor <= high:
        return (
            f'python-socketio {installed} is installed; rbconfig relies on some of its '
            f'internals and was tested with {tested}: '
            f'install one of those ("python3 -m pip install \'python-socketio>={low[0]}.{low[1]},'
            f'<{high[0]}.{high[1] + 1}\'")'
        )
    for name, expected in _OVERRIDDEN.items():
        method = getattr(socketio.Server, name, None)
        found = list(inspect.signature(method).parameters) if callable(method) else None
        if found != expected:
            return (
                f'python-socketio {installed}: Server.{name} is not what rbconfig was '
                f'tested with ({tested}); install one of those'
            )
    found = list(inspect.signature(socketio.Manager.emit).parameters)
    if found != _MANAGER_EMIT:
        return (
            f'python-socketio {installed}: Manager.emit is not what rbconfig was '
            f'tested with ({tested}); install one of those'
        )
    if not isinstance(getattr(socketio.Manager(), 'rooms', None), dict):
        return f'python-socketio {installed}: Manager.rooms is not a dict; install {tested}'
    return None


class _Hold:
    """Packets to one client's namespace, held while its ``connect`` handler runs."""

    __slots__ = ('attachments', 'namespace', 'packets')

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.packets: list[tuple[bool, Any]] = []  # (is an Engine.IO packet, packet)
        #: Whether binary attachments that follow belong to a held packet.
        self.attachments = False


def _namespace_of(encoded: str) -> str:
    """The namespace of an encoded Socket.IO packet (``2/chat,[...]`` → ``/chat``)."""
    start = 1
    dash = encoded.find('-', 1, 12)
    if dash != -1 and encoded[1:dash].isdigit():
        start = dash + 1
    if encoded[start : start + 1] != '/':
        return '/'
    end = encoded.find(',', start)
    return encoded[start:] if end == -1 else encoded[start:end]


class SocketServer(socketio.Server):
    """python-socketio's server, on rbconfig's engine, answering as the reference does.

    Args:
        connect_timeout: seconds a client has, after its Engine.IO handshake,
            to connect to a namespace before it is dropped.
        **kwargs: :class:`socketio.Server`'s options (``client_manager``...).
    """

    def __init__(self, *, connect_timeout: float, **kwargs: Any) -> None:
        self.connect_timeout = connect_timeout
        self._held: dict[str, _Hold] = {}
        #: Bytes a client's binary packet may still take, while its attachments come.
        self._budget: dict[str, int] = {}
        if kwargs.get('client_manager') is None:
            kwargs['client_manager'] = FanOut()
        super().__init__(**kwargs)

    def broadcast(self, eio_sids: list[str], eio_pkts: Sequence[Any]) -> None:
        """Send the same Engine.IO packets to each of ``eio_sids`` (:meth:`FanOut.emit`).

        A client whose ``connect`` handler is running gets them held, as
        :meth:`_send_eio_packet` does.
        """
        if self._held:
            held = self._held
            for eio_sid in eio_sids:
                if eio_sid in held:
                    for eio_pkt in eio_pkts:
                        self._send_eio_packet(eio_sid, eio_pkt)
            eio_sids = [eio_sid for eio_sid in eio_sids if eio_sid not in held]
        self.eio.broadcast(eio_sids, eio_pkts)

    def _handle_eio_message(self, eio_sid: str, data: str | bytes) -> None:
        # Raising here closes the connection (the engine's refusal, one log line).
        if isinstance(data, str):
            if data[:1] in ('5', '6'):  # BINARY_EVENT, BINARY_ACK: '51-[...]'
                count = data[1 : data.find('-', 1)]
                if count.isdigit() and int(count) > MAX_ATTACHMENTS:
                    raise PacketRefused(f'a packet announcing {count} binary attachments')
                self._budget[eio_sid] = self.eio.max_http_buffer_size - len(data)
        elif eio_sid in self._budget:
            left = self._budget[eio_sid] - len(data)
            if left < 0:
                del self._budget[eio_sid]
                raise PacketRefused('binary attachments over max_message together')
            self._budget[eio_sid] = left
        super()._handle_eio_message(eio_sid, data)
        if eio_sid in self._budget and eio_sid not in self._binary_packet:
            del self._budget[eio_sid]  # the packet is whole

    def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        self._budget.pop(eio_sid, None)
        super()._handle_eio_disconnect(eio_sid, reason)

    def _handle_event(self, eio_sid: str, namespace: str | None, id: Any, data: Any) -> None:  # noqa: A002
        # Raising here closes the connection, as the reference's parser refuses the packet.
        name = data[0] if isinstance(data, list) and data else None
        if isinstance(name, int | float) and not isinstance(name, bool):
            data[0] = name = str(name)  # the reference takes a number, as its text
        if not isinstance(name, str):
            raise PacketRefused('an event whose name is not text')
        if name in RESERVED_EVENTS:
            raise PacketRefused(f'an event named {name!r}, which is reserved')
        super()._handle_event(eio_sid, namespace, id, data)

    def _engineio_server_class(self) -> type[Engine]:
        return Engine

    def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        result = super()._handle_eio_connect(eio_sid, environ)
        timer = gevent.get_hub().loop.timer(self.connect_timeout)
        timer.start(self._check_connected, eio_sid, timer)
        return result

    def _check_connected(self, eio_sid: str, timer: Any) -> None:
        timer.close()
        manager = self.manager
        if any(manager.sid_from_eio_sid(eio_sid, ns) for ns in list(manager.get_namespaces())):
            return
        if eio_sid in self.eio.sessions:
            gevent.spawn(self.eio.disconnect, eio_sid)

    def _accepts(self, namespace: str) -> bool:
        return (
            namespace in self.handlers
            or namespace in self.namespace_handlers
            or self.namespaces == '*'
            or namespace in self.namespaces
        )

    def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        if data is not None and not isinstance(data, dict):
            raise PacketRefused('a CONNECT whose auth is not an object')  # closes the connection
        namespace = namespace or '/'
        if not self._accepts(namespace):
            refusal = self.packet_class(
                packet.CONNECT_ERROR, data={'message': 'Invalid namespace'}, namespace=namespace
            )
            super()._send_packet(eio_sid, refusal)
            return
        if eio_sid in self._held:  # a second CONNECT while the first is being handled
            super()._handle_connect(eio_sid, namespace, data)
            return
        self._held[eio_sid] = _Hold(namespace)
        try:
            super()._handle_connect(eio_sid, namespace, data)
        finally:
            self._held.pop(eio_sid, None)

    def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        if pkt.packet_type == packet.CONNECT_ERROR and isinstance(pkt.data, str):
            pkt.data = {'message': pkt.data}  # protocol 5 ("Unable to connect": a second one)
        hold = self._held.get(eio_sid)
        if hold is not None and (pkt.namespace or '/') == hold.namespace:
            if pkt.packet_type == packet.CONNECT:
                super()._send_packet(eio_sid, pkt)
                self._release(eio_sid, hold)
                return
            if pkt.packet_type == packet.CONNECT_ERROR:
                del self._held[eio_sid]  # refused: what the handler emitted goes nowhere
            else:
                hold.packets.append((False, pkt))
                return
        super()._send_packet(eio_sid, pkt)

    def _send_eio_packet(self, eio_sid: str, eio_pkt: Any) -> None:
        if self._held:
            hold = self._held.get(eio_sid)
            if hold is not None:
                data = eio_pkt.data
                if isinstance(data, str):
                    hold.attachments = _namespace_of(data) == hold.namespace
                if hold.attachments:
                    hold.packets.append((True, eio_pkt))
                    return
        super()._send_eio_packet(eio_sid, eio_pkt)

    def _release(self, eio_sid: str, hold: _Hold) -> None:
        del self._held[eio_sid]
        for is_eio, held in hold.packets:
            if is_eio:
                super()._send_eio_packet(eio_sid, held)
            else:
                super()._send_packet(eio_sid, held)


class FanOut(socketio.Manager):
    """python-socketio's client manager, whose broadcasts reach the engine in one call.

    Everything is python-socketio's ``Manager`` but :meth:`emit` without a
    callback: the packet is encoded once, as python-socketio does, and the
    recipients (those of ``Manager.emit``: the namespace's or the room's
    clients, but ``skip_sid``) are handed to :meth:`SocketServer.broadcast` at
    once. The message-queue managers (:mod:`.queue`) have it below their
    ``PubSubManager``, whose local delivery calls this ``emit``.
    """

    def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        server = self.server
        if callback is not None or not isinstance(server, SocketServer):
            super().emit(
                event,
                data,
                namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                to=to,
                **kwargs,
            )
            return
        room = to or room
        if namespace not in self.rooms:
            return
        # As Manager.emit: a tuple is several arguments, None none.
        if isinstance(data, tuple):
            data = list(data)
        elif data is not None:
            data = [data]
        else:
            data = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *data]
        ).encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        eio_pkts = [Message(part) for part in parts]
        recipients = self.get_participants(namespace, room)
        server.broadcast([eio_sid for sid, eio_sid in recipients if sid not in skip], eio_pkts)


def participants(manager: Any, namespace: str, room: str | None = None) -> Iterator[str]:
    """The sids of the clients in ``room`` (None: every client) of ``namespace``."""
    for sid, _eio_sid in manager.get_participants(namespace, room):
        yield sid


def room_names(manager: Any, namespace: str) -> list[str]:
    """The rooms of ``namespace`` that have someone in them (sid rooms included)."""
    return [room for room in list(manager.rooms.get(namespace, {})) if room is not None]
