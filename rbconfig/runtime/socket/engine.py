"""rbconfig's Engine.IO v4 server: sessions, long-polling, WebSocket and heartbeat.

python-socketio runs on top of an Engine.IO server; this one replaces
python-engineio's so that rbconfig answers exactly as the reference (Node)
server does, as the official protocol test suite checks
(docs/sockets.md, "Conformance"):

* the handshake announces ``pingInterval``/``pingTimeout`` in milliseconds,
  sub-second values included;
* a request without a known ``transport`` or with an ``EIO`` other than 4, a
  handshake that is not a GET, and any method but GET, POST and OPTIONS get
  ``400`` with the reference's ``{"code", "message"}`` body;
* the heartbeat runs on timers: a client that misses a pong is dropped
  exactly ``pingTimeout`` after the ping, and a long-poll arriving later
  gets ``400`` (unknown session);
* a client's close (``1``) answers its pending long-poll with ``6`` (noop);
* once upgraded to WebSocket, polling and a second WebSocket for the same
  session are refused (``400``);
* a long-polling POST over ``max_message`` is answered ``413`` at once
  (``Connection: close``) and its session closed;
* a packet the Socket.IO layer cannot parse closes the connection.

And for fan-out, a broadcast encodes its packet, and its WebSocket frame,
once for every recipient (see :meth:`Engine.broadcast`); each recipient's
connection buffers it and is written once per turn of gevent's loop
(:mod:`.websocket`): no queue and no greenlet switch per delivery.

The interface is the one python-socketio uses of python-engineio's server
(``on``, ``send``, ``send_packet``, ``disconnect``, ``handle_request``...);
:mod:`.adapter` plugs it in.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs

import gevent
import gevent.queue
from gevent.event import Event

from .websocket import WebSocket, accept, frame, handshake_problem

__all__ = ['Engine', 'Message', 'PacketRefused', 'Session']

logger = logging.getLogger('rbconfig.socket')

# Engine.IO packet types (protocol v4).
OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP = '0123456'

#: The reference server's error codes and messages (400 bodies).
UNKNOWN_TRANSPORT, UNKNOWN_SID, BAD_HANDSHAKE_METHOD, BAD_REQUEST, FORBIDDEN, BAD_VERSION = range(6)
_ERRORS = {
    UNKNOWN_TRANSPORT: 'Transport unknown',
    UNKNOWN_SID: 'Session ID unknown',
    BAD_HANDSHAKE_METHOD: 'Bad handshake method',
    BAD_REQUEST: 'Bad request',
    FORBIDDEN: 'Forbidden',
    BAD_VERSION: 'Unsupported protocol version',
}

#: Poll responses at least this long are compressed when the client accepts gzip.
COMPRESSION_THRESHOLD = 1024

#: Separates packets in a long-polling payload.
_SEPARATOR = '\x1e'

#: Packets of one long-polling payload, or read in a row off one WebSocket, handled
#: before the others get a turn.
_PACKETS_PER_TURN = 100


class Message:
    """An Engine.IO message packet (a Socket.IO packet encoded, or an attachment).

    What :meth:`Engine.send_packet` and :meth:`Engine.broadcast` take: the two
    attributes of python-engineio's ``Packet`` that python-socketio hands over.
    """

    __slots__ = ('data', 'packet_type')

    def __init__(self, data: str | bytes) -> None:
        self.packet_type = MESSAGE
        self.data = data


class PacketRefused(ValueError):
    """A packet the Socket.IO layer refuses (its text says why, for the log): the
    connection is closed, as the reference's parser does."""


class Reason:
    """Why a session ended (the strings python-socketio passes to ``disconnect``)."""

    SERVER_DISCONNECT = 'server disconnect'
    CLIENT_DISCONNECT = 'client disconnect'
    PING_TIMEOUT = 'ping timeout'
    TRANSPORT_CLOSE = 'transport close'
    TRANSPORT_ERROR = 'transport error'


class _Timer:
    """A one-shot timer on gevent's loop; its callback must not block."""

    __slots__ = ('_watcher',)

    def __init__(self) -> None:
        self._watcher: Any = None

    def start(self, seconds: float, callback: Callable[[], None]) -> None:
        self.stop()
        self._watcher = gevent.get_hub().loop.timer(seconds)
        self._watcher.start(callback)

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher.close()
            self._watcher = None


class Session:
    """One Engine.IO session: a client, over long-polling or WebSocket."""

    def __init__(self, engine: Engine, sid: str, environ: dict[str, Any]) -> None:
        self.engine = engine
        self.sid = sid
        self.environ = environ
        #: ``'polling'`` or ``'websocket'``.
        self.transport = 'polling'
        self.ws: WebSocket | None = None
        self.upgrading = False
        self.closed = False
        #: What python-socketio keeps for the client (``get_session``).
        self.data: dict[str, Any] = {}
        #: Encoded packets waiting for the next long-poll.
        self.outbox: list[str | bytes] = []
        self.ready = Event()
        self.polling = False
        self.posting = False
        self._ping = _Timer()
        self._pong = _Timer()
        #: When the client must have answered the next ping (time.monotonic()).
        self.deadline = float('inf')

    # -- sending -------------------------------------------------------------

    def send(self, wire: str | bytes) -> None:
        """Send one encoded packet."""
        if self.closed:
            return
        ws = self.ws
        if ws is not None:
            ws.send_frame(frame(wire))
        else:
            self.outbox.append(wire)
            self.ready.set()

    # -- heartbeat -------------------------------------------------------------

    def schedule_ping(self) -> None:
        """Ping in ``ping_interval``."""
        self._pong.stop()
        self.deadline = float('inf')
        self._ping.start(self.engine.ping_interval, self._send_ping)

    def _send_ping(self) -> None:
        # As the reference server: the client has ping_timeout from now to answer.
        self.send(PING)
        self.deadline = time.monotonic() + self.engine.ping_timeout
        self._pong.start(self.engine.ping_timeout, self.expire)

    def _forget(self) -> None:
        self.engine.closing.pop(self.sid, None)
        self._ping.stop()

    def expired(self) -> bool:
        """True when the client missed its pong (even if the timer is late on a busy loop)."""
        return time.monotonic() >= self.deadline

    def expire(self) -> None:
        """End the session of a client that missed its pong; never blocks."""
        if self.engine.sessions.pop(self.sid, None) is not None:  # no request reaches it now
            gevent.spawn(self.close, Reason.PING_TIMEOUT)

    # -- receiving -------------------------------------------------------------

    def receive(self, wire: str | bytes) -> None:
        """Handle one packet from the client."""
        if isinstance(wire, bytes):
            self._message(wire)
            return
        kind = wire[:1]
        if kind == MESSAGE:
            self._message(wire[1:])
        elif kind == PONG:
            self.schedule_ping()
        elif kind == CLOSE:
            self.close(Reason.CLIENT_DISCONNECT)
        elif kind not in (NOOP, UPGRADE):
            # A ping from the client (the heartbeat goes the other way in v4) or garbage.
            self.engine.refuse(self, f'an invalid Engine.IO packet {wire[:20]!r}')

    def _message(self, data: str | bytes) -> None:
        try:
            self.engine.trigger('message', self.sid, data)
        except PacketRefused as ex:
            self.engine.refuse(self, str(ex))
        except Exception as ex:
            self.engine.refuse(self, f'a packet Socket.IO cannot read ({type(ex).__name__})')

    # -- closing ---------------------------------------------------------------

    def close(self, reason: str, *, say_close: bool = True) -> None:
        """End the session: tell the client (unless it closed), then python-socketio."""
        if self.closed:
            return
        self._ping.stop()
        self._pong.stop()
        if reason != Reason.CLIENT_DISCONNECT and say_close:
            self.send(CLOSE)
        self.closed = True
        self.engine.sessions.pop(self.sid, None)
        if self.ws is not None:
            self.ws.close()
        else:
            # The pending long-poll ends with what is queued, or a noop. A client
            # that closes while its poll is still on the way gets it answered the
            # same way for a moment (its requests may arrive in either order).
            if not self.outbox:
                self.outbox.append(NOOP)
            self.ready.set()
            if not self.polling and reason == Reason.CLIENT_DISCONNECT:
                self.engine.closing[self.sid] = self
                self._ping.start(self.engine.ping_timeout, self._forget)
        self.engine.trigger('disconnect', self.sid, reason)


class Engine:
    """An Engine.IO v4 server in gevent, with python-engineio's server interface.

    Args:
        ping_interval: seconds between pings.
        ping_timeout: seconds a client has to answer a ping.
        max_http_buffer_size: the largest message a client may send, in bytes.
        cors_allowed_origins: ``'*'`` (any origin) or a callable
            ``(origin, environ) -> bool``.
        **kwargs: the other options python-socketio passes (ignored).
    """

    async_mode = 'gevent'
    reason = Reason

    def __init__(
        self,
        *,
        ping_interval: float = 25,
        ping_timeout: float = 20,
        max_http_buffer_size: int = 1_000_000,
        cors_allowed_origins: str | Callable[[str, dict[str, Any]], bool] = '*',
        **kwargs: Any,
    ) -> None:
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.max_http_buffer_size = max_http_buffer_size
        self.cors_allowed_origins = cors_allowed_origins
        self.handlers: dict[str, Callable[..., Any]] = {}
        #: The open sessions, by sid.
        self.sessions: dict[str, Session] = {}
        #: Sessions the client just closed, whose last poll may still be on the way.
        self.closing: dict[str, Session] = {}

    # -- python-engineio's interface, as python-socketio uses it --------------

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Register the handler of ``'connect'``, ``'message'`` or ``'disconnect'``."""
        self.handlers[event] = handler

    def trigger(self, event: str, *args: Any) -> Any:
        handler = self.handlers.get(event)
        return handler(*args) if handler is not None else None

    def send(self, sid: str, data: str | bytes) -> None:
        """Send a message (a Socket.IO packet, encoded) to one client."""
        session = self.sessions.get(sid)
        if session is not None:
            session.send(data if isinstance(data, bytes) else MESSAGE + data)

    def send_packet(self, sid: str, pkt: Any) -> None:
        """Send an Engine.IO packet object to one client."""
        self.broadcast((sid,), (pkt,))

    def broadcast(self, sids: Sequence[str], pkts: Sequence[Any]) -> None:
        """Send the same Engine.IO packets (a Socket.IO packet, its attachments) to ``sids``.

        The packets are encoded, and their WebSocket frames built, once for
        every recipient; a WebSocket recipient costs one append to its
        connection's buffer per frame. Unknown sids are skipped.
        """
        wires = [_encode(pkt) for pkt in pkts]
        frames: list[bytes] = []
        sessions = self.sessions
        for sid in sids:
            session = sessions.get(sid)
            if session is None:
                continue
            ws = session.ws
            if ws is None or session.closed:
                for wire in wires:
                    session.send(wire)
                continue
            if not frames:
                frames = [frame(wire) for wire in wires]
            if len(frames) == 1:
                ws.send_frame(frames[0])
            else:
                for data in frames:
                    ws.send_frame(data)

    def disconnect(self, sid: str | None = None) -> None:
        """Close one client's session, or every session."""
        targets = list(self.sessions.values()) if sid is None else [self.sessions.get(sid)]
        for session in targets:
            if session is not None:
                session.close(Reason.SERVER_DISCONNECT)

    def transport(self, sid: str) -> str:
        """``'polling'`` or ``'websocket'``."""
        return self.sessions[sid].transport

    def get_session(self, sid: str) -> dict[str, Any]:
        return self.sessions[sid].data

    def save_session(self, sid: str, data: dict[str, Any]) -> None:
        self.sessions[sid].data = data

    def generate_id(self) -> str:
        """A new, unguessable session id (URL-safe)."""
        return secrets.token_urlsafe(15)

    def start_background_task(self, target: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return gevent.spawn(target, *args, **kwargs)

    def sleep(self, seconds: float = 0) -> None:
        gevent.sleep(seconds)

    def create_queue(self, *args: Any, **kwargs: Any) -> Any:
        return gevent.queue.JoinableQueue(*args, **kwargs)

    def get_queue_empty_exception(self) -> type[Exception]:
        return gevent.queue.Empty

    def create_event(self, *args: Any, **kwargs: Any) -> Any:
        return Event(*args, **kwargs)

    def shutdown(self) -> None:
        """Nothing runs in the background but the sessions' own timers."""

    # -- requests --------------------------------------------------------------

    def handle_request(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Answer one HTTP request under the Socket.IO path (WSGI)."""
        method = environ['REQUEST_METHOD']
        origin = environ.get('HTTP_ORIGIN')
        if origin and not self._origin_allowed(origin, environ):
            logger.info('Socket.IO: origin %s refused', origin)
            return self._error(
                start_response, environ, BAD_REQUEST, 'Not an accepted origin.', cors=False
            )
        if method == 'OPTIONS':
            return self._respond(start_response, environ, '204 No Content', b'')
        query = parse_qs(environ.get('QUERY_STRING', ''))
        transport = query.get('transport', [''])[0]
        if transport not in ('polling', 'websocket'):
            return self._error(start_response, environ, UNKNOWN_TRANSPORT)
        if query.get('EIO') != ['4']:
            return self._error(start_response, environ, BAD_VERSION)
        sid = query.get('sid', [None])[0]
        if sid is None:
            if method != 'GET':
                return self._error(start_response, environ, BAD_HANDSHAKE_METHOD)
            return self._open_session(environ, start_response, transport)
        session = self.sessions.get(sid)
        if session is not None and session.expired():
            session.expire()
            session = None
        if session is None:
            closing = self.closing.pop(sid, None)
            if closing is not None and transport == 'polling' and method == 'GET':
                closing._forget()
                return self._poll(closing, environ, start_response)
            return self._error(start_response, environ, UNKNOWN_SID)
        if transport == 'websocket':
            return self._upgrade(session, environ, start_response)
        if session.transport != 'polling':
            return self._error(start_response, environ, BAD_REQUEST, 'Transport mismatch')
        if method == 'GET':
            return self._poll(session, environ, start_response)
        if method == 'POST':
            return self._post(session, environ, start_response)
        return self._error(start_response, environ, BAD_REQUEST, f'Method {method} not allowed')

    def _open_session(
        self, environ: dict[str, Any], start_response: Callable[..., Any], transport: str
    ) -> Iterable[bytes]:
        ws = None
        if transport == 'websocket':
            problem = handshake_problem(environ)
            if problem is not None:
                return self._error(start_response, environ, BAD_REQUEST, problem)
        session = Session(self, self.generate_id(), environ)
        handshake = OPEN + json.dumps(
            {
                'sid': session.sid,
                'upgrades': ['websocket'] if transport == 'polling' else [],
                # In milliseconds, exactly (sub-second settings included).
                'pingInterval': round(self.ping_interval * 1000),
                'pingTimeout': round(self.ping_timeout * 1000),
                'maxPayload': self.max_http_buffer_size,
            },
            separators=(',', ':'),
        )
        self.sessions[session.sid] = session
        if self.trigger('connect', session.sid, environ) is False:
            self.sessions.pop(session.sid, None)
            return self._error(start_response, environ, FORBIDDEN)
        if transport == 'polling':
            session.outbox.append(handshake)
            session.schedule_ping()
            return self._poll(session, environ, start_response)
        ws = self._accept(environ)
        session.ws = ws
        session.transport = 'websocket'
        ws.send(handshake)
        session.schedule_ping()
        return self._serve_websocket(session, ws, environ)

    # -- long-polling ------------------------------------------------------------

    def _poll(
        self, session: Session, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if session.polling:
            self.refuse(session, 'a second long-poll while one was pending')
            return self._error(start_response, environ, BAD_REQUEST, 'Overlapping polls')
        session.polling = True
        try:
            if not session.outbox and not session.upgrading:
                session.ready.wait(self.ping_interval + self.ping_timeout)
            packets, session.outbox = session.outbox, []
            session.ready.clear()
        finally:
            session.polling = False
        if not packets:
            packets = [NOOP]
        body = _SEPARATOR.join(
            item if isinstance(item, str) else 'b' + base64.b64encode(item).decode('ascii')
            for item in packets
        ).encode('utf-8')
        return self._respond(
            start_response, environ, '200 OK', body, 'text/plain; charset=UTF-8', compress=True
        )

    def _post(
        self, session: Session, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if session.posting:
            self.refuse(session, 'a second POST while one was pending')
            return self._error(start_response, environ, BAD_REQUEST, 'Overlapping posts')
        limit = self.max_http_buffer_size
        try:
            declared = int(environ.get('CONTENT_LENGTH') or -1)
        except ValueError:
            return self._error(start_response, environ, BAD_REQUEST, 'Bad Content-Length')
        if declared > limit:
            return self._too_large(session, environ, start_response, declared)
        session.posting = True
        try:
            body = environ['wsgi.input'].read(declared if declared >= 0 else limit + 1)
        finally:
            session.posting = False
        if len(body) > limit:
            return self._too_large(session, environ, start_response, len(body))
        try:
            packets = [
                base64.b64decode(part[1:], validate=True) if part[:1] == 'b' else part
                for part in body.decode('utf-8').split(_SEPARATOR)
            ]
        except ValueError:
            self.refuse(session, 'a long-polling payload that is not Engine.IO')
            return self._error(start_response, environ, BAD_REQUEST, 'Bad payload')
        for count, packet in enumerate(packets, 1):
            if session.closed:
                break
            session.receive(packet)
            if count % _PACKETS_PER_TURN == 0:
                # Each event starts a greenlet: a payload of tens of thousands of small
                # packets would hold the process (HTTP too) until all had started.
                gevent.sleep(0)
        return self._respond(start_response, environ, '200 OK', b'ok', 'text/html')

    def _too_large(
        self,
        session: Session,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        size: int,
    ) -> Iterable[bytes]:
        logger.warning(
            'Socket.IO client %s sent %d bytes, over max_message (%d); session closed',
            environ.get('REMOTE_ADDR') or '-',
            size,
            self.max_http_buffer_size,
        )
        session.close(Reason.TRANSPORT_ERROR)
        body = json.dumps(
            {'code': BAD_REQUEST, 'message': f'Payload over {self.max_http_buffer_size} bytes'}
        ).encode()
        return self._respond(
            start_response,
            environ,
            '413 Payload Too Large',
            body,
            'application/json',
            [('Connection', 'close')],
        )

    # -- WebSocket -----------------------------------------------------------------

    def _accept(self, environ: dict[str, Any]) -> WebSocket:
        return accept(
            environ,
            max_message=self.max_http_buffer_size,
            send_timeout=self.ping_interval + self.ping_timeout,
        )

    def _upgrade(
        self, session: Session, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        problem = handshake_problem(environ)
        if problem is not None:
            return self._error(start_response, environ, BAD_REQUEST, problem)
        ws = self._accept(environ)
        if session.transport != 'polling' or session.upgrading:
            # As the reference server: accepted, then closed at once.
            logger.info('Socket.IO: a second WebSocket for session %s refused', session.sid)
            return self._end_websocket(ws, environ)
        session.upgrading = True
        try:
            if ws.receive() != PING + 'probe' or session.closed:
                return self._end_websocket(ws, environ)
            ws.send(PONG + 'probe')
            session.outbox.append(NOOP)  # ends the pending poll: the client then pauses polling
            session.ready.set()
            if ws.receive() != UPGRADE or session.closed:
                return self._end_websocket(ws, environ)
            queued = [item for item in session.outbox if item != NOOP]
            session.outbox = [NOOP]
            session.ws = ws
            session.transport = 'websocket'
            for wire in queued:
                ws.send(wire)
        finally:
            session.upgrading = False
        return self._serve_websocket(session, ws, environ)

    def _serve_websocket(
        self, session: Session, ws: WebSocket, environ: dict[str, Any]
    ) -> Iterable[bytes]:
        count = 0
        while not session.closed:
            wire = ws.receive()
            if wire is None:
                break
            session.receive(wire)
            count += 1
            if count == _PACKETS_PER_TURN:
                # The socket's buffer may hold thousands of messages; reading them all
                # before their handlers start would hold up every other connection (and
                # what was already broadcast) until the last was read.
                count = 0
                gevent.sleep(0)
        session.close(Reason.TRANSPORT_CLOSE, say_close=False)
        return self._end_websocket(ws, environ)

    def _end_websocket(self, ws: WebSocket, environ: dict[str, Any]) -> Iterable[bytes]:
        ws.close()
        if 'gunicorn.socket' in environ:
            raise StopIteration  # gunicorn: the connection is done, write no response
        # pywsgi: a closed input ends the connection instead of reading a next request.
        environ['wsgi.input'].close()
        return []

    # -- helpers -------------------------------------------------------------------

    def refuse(self, session: Session, what: str) -> None:
        """Close ``session`` because its client broke the protocol (one log line)."""
        logger.info(
            'Socket.IO client %s sent %s; connection closed',
            session.environ.get('REMOTE_ADDR') or '-',
            what,
        )
        session.close(Reason.TRANSPORT_ERROR)

    def _origin_allowed(self, origin: str, environ: dict[str, Any]) -> bool:
        allowed = self.cors_allowed_origins
        if allowed == '*':
            return True
        return callable(allowed) and bool(allowed(origin, environ))

    def _error(
        self,
        start_response: Callable[..., Any],
        environ: dict[str, Any],
        code: int,
        detail: str | None = None,
        *,
        cors: bool = True,
    ) -> Iterable[bytes]:
        if detail:
            logger.info('Socket.IO request refused: %s (%s)', _ERRORS[code], detail)
        body = json.dumps({'code': code, 'message': _ERRORS[code]}).encode()
        status = '403 Forbidden' if code == FORBIDDEN else '400 Bad Request'
        return self._respond(start_response, environ, status, body, 'application/json', cors=cors)

    def _respond(
        self,
        start_response: Callable[..., Any],
        environ: dict[str, Any],
        status: str,
        body: bytes,
        content_type: str | None = None,
        extra: list[tuple[str, str]] | None = None,
        *,
        compress: bool = False,
        cors: bool = True,
    ) -> Iterable[bytes]:
        """``cors``: False for a refused origin, which is not named back as allowed."""
        headers = [('Cache-Control', 'no-store')]
        if content_type:
            headers.append(('Content-Type', content_type))
        if (
            compress
            and len(body) >= COMPRESSION_THRESHOLD
            and 'gzip' in environ.get('HTTP_ACCEPT_ENCODING', '')
        ):
            body = gzip.compress(body, compresslevel=6)
            headers.append(('Content-Encoding', 'gzip'))
        headers.append(('Content-Length', str(len(body))))
        origin = environ.get('HTTP_ORIGIN')
        if origin and cors:
            headers += [
                ('Access-Control-Allow-Origin', origin),
                ('Access-Control-Allow-Credentials', 'true'),
            ]
            if environ['REQUEST_METHOD'] == 'OPTIONS':
                headers.append(('Access-Control-Allow-Methods', 'OPTIONS, GET, POST'))
                asked = environ.get('HTTP_ACCESS_CONTROL_REQUEST_HEADERS')
                if asked:
                    headers.append(('Access-Control-Allow-Headers', asked))
        start_response(status, headers + (extra or []))
        return [body]


def _encode(pkt: Any) -> str | bytes:
    """The wire form of an Engine.IO packet object (python-engineio's ``Packet``)."""
    data = pkt.data
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    kind = str(pkt.packet_type)
    if data is None:
        return kind
    if isinstance(data, str):
        return kind + data
    if isinstance(data, dict | list):
        return kind + json.dumps(data, separators=(',', ':'))
    return kind + str(data)
