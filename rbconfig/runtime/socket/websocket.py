"""WebSocket (RFC 6455) on the HTTP request's own socket, framed by wsproto.

The engine (:mod:`.engine`) takes over the connection of an upgrade request:
:func:`accept` answers the handshake on the request's socket itself (one
file descriptor per client: no duplicate), and :class:`WebSocket` reads and
writes frames on it with gevent.

Writing is built for fan-out: :meth:`WebSocket.send_frame` takes a frame
already encoded (one encoding per broadcast, shared by every recipient, see
:func:`frame`) and only appends it to the connection's buffer. Once the
greenlets that are ready have run (one callback per turn of gevent's loop),
every connection written to gets its buffer in one non-blocking ``send()``:
no greenlet switch per delivery, and one system call per client for a burst
of messages, not one per message. Only when the client's buffers are full is
the rest handed to a writer greenlet, which sends the backlog (one
``sendall()``) when the client reads again; a client whose backlog does not
drain within ``send_timeout`` is cut off. A slow client never holds up the
sender.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
import struct
from typing import Any

import gevent
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.frame_protocol import CloseReason

__all__ = ['WebSocket', 'accept', 'frame', 'handshake_problem']

logger = logging.getLogger('rbconfig.socket')

#: RFC 6455, section 1.3: appended to the client's key for Sec-WebSocket-Accept.
_GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

#: Bytes read from the socket at a time.
_READ_SIZE = 65536

#: What each close code means, in the words a client's close event shows
#: (instead of the parser's internals, such as a codec's error message).
_CLOSE_REASONS: dict[int, str] = {
    CloseReason.PROTOCOL_ERROR: 'invalid WebSocket frame',
    CloseReason.INVALID_FRAME_PAYLOAD_DATA: 'a text message that is not valid UTF-8',
    CloseReason.MESSAGE_TOO_BIG: 'message too big',
}


#: Connections with buffered frames, written by :func:`_flush_all`.
_dirty: list[WebSocket] = []


def _flush_all() -> None:
    batch = _dirty[:]
    _dirty.clear()
    for ws in batch:
        ws.flush()


def frame(data: bytes | str) -> bytes:
    """One unfragmented, unmasked WebSocket data frame (RFC 6455, section 5.2).

    What wsproto builds for a server with no extension, without its per-frame
    bookkeeping, so that a broadcast encodes its frame once for every recipient.
    """
    if isinstance(data, str):
        opcode, payload = 0x81, data.encode('utf-8')
    else:
        opcode, payload = 0x82, bytes(data)
    size = len(payload)
    if size < 126:
        return bytes((opcode, size)) + payload
    if size < 0x10000:
        return struct.pack('!BBH', opcode, 126, size) + payload
    return struct.pack('!BBQ', opcode, 127, size) + payload


def request_socket(environ: dict[str, Any]) -> Any:
    """The connection's socket: rbconfig's server and gunicorn put it in the environ."""
    return environ.get('rbconfig.socket') or environ.get('gunicorn.socket')


def handshake_problem(environ: dict[str, Any]) -> str | None:
    """Why ``environ`` is not a WebSocket upgrade this server can accept, or None."""
    if environ.get('REQUEST_METHOD') != 'GET':
        return 'a WebSocket upgrade must be a GET'
    if environ.get('HTTP_UPGRADE', '').lower() != 'websocket':
        return 'no "Upgrade: websocket" header'
    if environ.get('HTTP_SEC_WEBSOCKET_VERSION') != '13':
        return 'only WebSocket version 13 is supported'
    key = environ.get('HTTP_SEC_WEBSOCKET_KEY', '')
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError(key)
    except ValueError:
        return 'a missing or malformed Sec-WebSocket-Key'
    if request_socket(environ) is None:
        return 'the server gives no access to the connection (not rbconfig run or gunicorn)'
    return None


def accept(environ: dict[str, Any], *, max_message: int, send_timeout: float | None) -> WebSocket:
    """Answer the upgrade request of ``environ`` (checked by :func:`handshake_problem`).

    No extension is negotiated: compressing every message once per recipient
    costs a fan-out dearly (the Node server does not compress by default either).
    """
    sock = request_socket(environ)
    digest = hashlib.sha1(environ['HTTP_SEC_WEBSOCKET_KEY'].encode('ascii') + _GUID).digest()
    sock.sendall(
        b'HTTP/1.1 101 Switching Protocols\r\n'
        b'Upgrade: websocket\r\n'
        b'Connection: Upgrade\r\n'
        b'Sec-WebSocket-Accept: ' + base64.b64encode(digest) + b'\r\n\r\n'
    )
    client = environ.get('REMOTE_ADDR') or '-'
    return WebSocket(sock, client, max_message=max_message, send_timeout=send_timeout)


class WebSocket:
    """A server-side WebSocket on a connected gevent socket.

    :meth:`receive` is called by one greenlet (the request's); :meth:`send`,
    :meth:`send_frame` and :meth:`close` by any.

    Args:
        sock: the connection's socket (gevent).
        client: the client's address, for log lines.
        max_message: the largest message accepted, in bytes; a longer one
            closes the connection (1009).
        send_timeout: seconds a backlog may take to drain, and the longest
            silence from the client; None for no limit.
    """

    def __init__(
        self, sock: Any, client: str, *, max_message: int, send_timeout: float | None
    ) -> None:
        self.sock = sock
        self.client = client
        self.max_message = max_message
        self.connection = Connection(ConnectionType.SERVER)
        #: True once a closing frame was sent or the connection was lost.
        self.closed = False
        self._out: list[bytes] = []
        self._backlog: list[bytes] = []
        self._writer: gevent.Greenlet | None = None
        self._parts: list[str | bytes | bytearray] = []
        self._size = 0
        sock.settimeout(send_timeout)

    # -- writing -----------------------------------------------------------

    def send(self, data: bytes | str) -> None:
        """Send one message (text for ``str``, binary for ``bytes``)."""
        self.send_frame(frame(data))

    def send_frame(self, data: bytes) -> None:
        """Send frames already encoded (once the ready greenlets have run); never waits."""
        if self.closed:
            return
        if self._writer is not None:  # a backlog is being written: after it
            self._backlog.append(data)
            return
        if not self._out:
            if not _dirty:
                gevent.get_hub().loop.run_callback(_flush_all)
            _dirty.append(self)
        self._out.append(data)

    def flush(self) -> None:
        """Write the buffered frames now, as far as the client's buffers take them."""
        if not self._out or self.closed:
            self._out.clear()
            return
        data = self._out[0] if len(self._out) == 1 else b''.join(self._out)
        self._out.clear()
        if self._writer is not None:
            self._backlog.append(data)
            return
        try:
            sent = self.sock.send(data, 0, 0.0)  # timeout 0: never wait
        except BlockingIOError:
            sent = 0
        except OSError:
            self._lost()
            return
        if sent < len(data):
            self._backlog.append(data[sent:])
            self._writer = gevent.spawn(self._write_backlog)

    def _write_backlog(self) -> None:
        while self._backlog:
            data = b''.join(self._backlog)
            self._backlog.clear()
            try:
                self.sock.sendall(data)  # waits at most send_timeout for the whole backlog
            except OSError:  # gone, or stopped reading for too long
                self._lost()
                break
        self._writer = None

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str = '') -> None:
        """Send a closing frame after what is queued, then end the TCP connection."""
        if self.closed:
            return
        try:
            data = self.connection.send(CloseConnection(code=code, reason=reason))
        except Exception:  # the state forbids a closing frame: the client closed first
            data = b''
        self.send_frame(data)
        self.flush()
        self.closed = True
        writer = self._writer
        if writer is not None and writer is not gevent.getcurrent():
            writer.join()  # bounded by send_timeout
        self._shutdown()

    def _lost(self) -> None:
        self.closed = True
        self._backlog.clear()
        self._shutdown()

    def _shutdown(self) -> None:
        # Wakes the reading greenlet (recv returns b''); the request's greenlet
        # then closes the socket itself.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- reading -------------------------------------------------------------

    def receive(self) -> str | bytes | None:
        """The next message, or None once the connection is closed."""
        while True:
            for event in self.connection.events():
                message = self._handle(event)
                if message is not None:
                    return message
                if self.closed:
                    return None
            if self.closed:
                return None
            try:
                data = self.sock.recv(_READ_SIZE)
            except OSError:  # reset, shut down, or silent for send_timeout
                data = b''
            if not data:
                self.closed = True
                return None
            self.connection.receive_data(data)

    def _handle(self, event: Any) -> str | bytes | None:
        if isinstance(event, TextMessage | BytesMessage):
            self._size += len(event.data)
            if self._size > self.max_message:
                logger.warning(
                    'WebSocket from %s: a message over %d bytes; connection closed',
                    self.client,
                    self.max_message,
                )
                self.close(CloseReason.MESSAGE_TOO_BIG, f'message over {self.max_message} bytes')
                return None
            self._parts.append(event.data)
            if not event.message_finished:
                return None
            parts, self._parts, self._size = self._parts, [], 0
            if len(parts) == 1:
                return parts[0] if isinstance(parts[0], str) else bytes(parts[0])
            if isinstance(event, TextMessage):
                return ''.join(part for part in parts if isinstance(part, str))
            return b''.join(part for part in parts if isinstance(part, bytes | bytearray))
        if isinstance(event, Ping):
            self.send_frame(self.connection.send(event.response()))
        elif isinstance(event, CloseConnection):
            if event.code in _CLOSE_REASONS and self.connection.state.name == 'OPEN':
                # A frame wsproto could not parse: say what was wrong, in words.
                logger.info(
                    'WebSocket from %s: %s; connection closed',
                    self.client,
                    _CLOSE_REASONS[event.code],
                )
                self.close(event.code, _CLOSE_REASONS[event.code])
            else:
                self.close()  # the client's closing handshake: answer it
        return None
