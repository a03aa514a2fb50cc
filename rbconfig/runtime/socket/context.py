"""What a modern socket handler receives: one :class:`Context` per connection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hub import Hub

__all__ = ['Context']


class Context:
    """One client's connection to one namespace, as its handlers see it.

    The same object is passed to every handler of the connection, from
    ``connect`` to ``disconnect``, so :attr:`session` keeps what handlers
    store in it.

    Example::

        def on_chat(ctx, data):
            ctx.broadcast('chat', {'from': ctx.sid, 'text': data})
            return 'ok'  # the acknowledgement the client's callback receives
    """

    __slots__ = ('_server', 'environ', 'globs', 'hub', 'namespace', 'session', 'sid')

    def __init__(
        self,
        hub: Hub,
        sid: str,
        namespace: str,
        environ: Mapping[str, Any],
        globs: Mapping[str, Any],
    ) -> None:
        self._server = hub.server
        #: The app's :class:`~.hub.Hub`: reaches every client, also after this one has gone.
        self.hub = hub
        #: The client's id in this namespace (what ``socket.id`` is in the browser).
        self.sid = sid
        #: The namespace, ``'/'`` for the default one.
        self.namespace = namespace
        #: The WSGI environ of the request that opened the connection (headers, address).
        self.environ = environ
        #: The spec's globals, as HTTP handlers get them.
        self.globs = globs
        #: Anything the handlers of this connection want to keep; dropped at disconnect.
        self.session: dict[str, Any] = {}

    def emit(self, event: str, data: Any = None, to: str | None = None) -> None:
        """Send ``event`` to this client, or to the client or room ``to``.

        A tuple ``data`` is sent as several arguments; dicts and lists as JSON.
        ``to`` may be a client or a room of another process sharing the app's
        message queue; this client is always here, so an emit to it stays off
        the queue.
        """
        if to is None or to == self.sid:
            self._server.emit(event, data, to=self.sid, namespace=self.namespace, ignore_queue=True)
        else:
            self._server.emit(event, data, to=to, namespace=self.namespace)

    def send(self, data: Any, to: str | None = None) -> None:
        """Send a ``message`` event (what ``socket.send()`` sends) to this client or ``to``."""
        self.emit('message', data, to)

    def broadcast(
        self, event: str, data: Any = None, *, room: str | None = None, include_self: bool = False
    ) -> None:
        """Send ``event`` to every client of the namespace, or of ``room``.

        The sender is left out unless ``include_self`` is true.
        """
        skip = None if include_self else self.sid
        self._server.emit(event, data, to=room, skip_sid=skip, namespace=self.namespace)

    def join(self, room: str) -> None:
        """Put this client in ``room``."""
        self._server.enter_room(self.sid, room, namespace=self.namespace)

    def leave(self, room: str) -> None:
        """Take this client out of ``room``."""
        self._server.leave_room(self.sid, room, namespace=self.namespace)

    @property
    def rooms(self) -> list[str]:
        """The rooms this client is in, without its own private room (its sid)."""
        return [
            room
            for room in self._server.rooms(self.sid, namespace=self.namespace)
            if room != self.sid
        ]

    def disconnect(self) -> None:
        """Close this client's connection to the namespace."""
        self._server.disconnect(self.sid, namespace=self.namespace)

    def __repr__(self) -> str:
        return f'<Context sid={self.sid!r} namespace={self.namespace!r}>'
