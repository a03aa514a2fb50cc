"""One HTTP/1.1 client connection: requests in, the WSGI app called, responses out.

Requests are parsed by httptools (llhttp, Node.js's parser), strictly: a
request whose length is ambiguous never reaches the app. ``Transfer-Encoding``
together with ``Content-Length``, a ``Transfer-Encoding`` whose last coding is
not ``chunked``, a space before a header's colon, folded or duplicated framing
headers, two ``Host`` headers: each gets a 400 and the connection is closed, so
no byte of it can be read as a second request (RFC 9112, sections 3.2, 6.1 and
6.3). Requests pipelined before a bad one are answered first, in order; bytes
after a request with ``Connection: close`` are ignored (RFC 9112, section 9.6).

What the app answers is checked before a byte of it is sent: a status outside
200-599, or a header with a line break or a character outside Latin-1, becomes
a 500 (logged once, naming the header) and the connection carries on.

Time limits (the server's :class:`~rbconfig.runtime.server.Timeouts`):

* ``header`` seconds from a request's first byte to the end of its headers
  (a client that trickles its headers gets 408 and the connection closes);
* ``idle`` seconds that the client may stay silent while the server waits for
  it: between two requests of a keep-alive connection (then the connection
  closes quietly), in the middle of a body, or not reading the response.

A response that the server will follow by closing the connection always says
``Connection: close``; that includes a response sent before the app read a
body too large to read and throw away (a 413), a body that stalled or broke,
and a body the client was to send only after a ``100 Continue`` (RFC 9110,
section 10.1.1: once the final answer is out, no 100 is sent, and the client
may or may not send its body). An ``Expect`` other than ``100-continue`` gets 417.

After each response the connection lets every other connection have its turn
before it reads its next request (see :meth:`Connection.serve`).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import gevent
import httptools

from ..errors import redact

if TYPE_CHECKING:
    from .server import Server

__all__ = ['BodyError', 'Connection', 'bad_request_detail']

logger = logging.getLogger('rbconfig.server')

#: Request line and headers together: more is 431.
MAX_HEAD = 64 * 1024
#: The request's target (path and query): more is 414.
MAX_URL = 16 * 1024
#: Headers in one request.
MAX_HEADERS = 100
#: Unread body bytes the server reads and drops after a response to keep the connection;
#: when more are announced (a 413 for a 50 MB body), the connection closes instead.
MAX_DRAIN = 64 * 1024
#: Read size.
CHUNK = 64 * 1024
#: When closing on a client that may still be sending: how long, and how much, to read
#: and drop first so that the kernel does not reset the connection under the answer.
LINGER_SECONDS = 2.0
LINGER_BYTES = 4 * 1024 * 1024

_CONTINUE = b'HTTP/1.1 100 Continue\r\n\r\n'

# Environ keys of header names, computed once per distinct name.
_ENVIRON_KEYS: dict[bytes, str | None] = {}
_SPECIAL = {'CONTENT_TYPE', 'CONTENT_LENGTH'}
# Headers a request may give only once: two Hosts could name two different targets
# (RFC 9112, section 3.2), and a proxy may have checked the other one.
_SINGLE = _SPECIAL | {'HTTP_HOST'}


def _environ_key(name: bytes) -> str | None:
    key = _ENVIRON_KEYS.get(name)
    if key is None and name not in _ENVIRON_KEYS:
        text = name.decode('latin-1')
        if '_' in text:
            # 'X_Auth' would be indistinguishable from 'X-Auth' (a proxy may vouch for
            # one and pass the other): dropped, as gevent and nginx do.
            key = None
        else:
            key = text.upper().replace('-', '_')
            if key not in _SPECIAL:
                key = 'HTTP_' + key
        if len(_ENVIRON_KEYS) < 512:
            _ENVIRON_KEYS[name] = key
    return key


class _Clock:
    """The ``Date`` header's value, formatted at most once a second."""

    second = -1
    value = ''

    @classmethod
    def date(cls) -> str:
        now = int(time.time())
        if now != cls.second:
            cls.second = now
            cls.value = formatdate(now, usegmt=True)
        return cls.value


class BodyError(OSError):
    """The request body could not be read (broken encoding, client gone or silent).

    Its text says what went wrong in the client's terms; the app answers it
    (rbconfig's runtime: 400 ``The request body could not be read: ...``).
    """


#: llhttp's reasons, reworded for the client where they could be clearer.
_REASONS = {
    "Transfer-Encoding can't be present with Content-Length": (
        'a request must not have both Transfer-Encoding and Content-Length'
    ),
    'Request has invalid `Transfer-Encoding`': (
        "the last coding in Transfer-Encoding must be 'chunked'"
    ),
    'Invalid `Transfer-Encoding` header value': (
        "the last coding in Transfer-Encoding must be 'chunked'"
    ),
    'Invalid character in chunk size': (
        'a chunk size in the chunked body is not a hexadecimal number'
    ),
    'Chunk size overflow': 'a chunk size in the chunked body is too large',
    'Content-Length overflow': 'Content-Length is too large',
    'Invalid character in Content-Length': 'Content-Length is not a number of bytes',
    'Duplicate Content-Length': 'Content-Length is given more than once',
    'Invalid header field char': (
        'a header name has a character not allowed in it (a space before the colon?)'
    ),
    'Unexpected whitespace after header value': 'a header line is folded onto the next line',
    'Pause on PRI/Upgrade': 'HTTP/2 without an upgrade is not served here; use HTTP/1.1',
}


def bad_request_detail(reason: str) -> str:
    """A parser error's text in the client's terms."""
    detail = _REASONS.get(reason)
    if detail is not None:
        return detail
    return reason[:1].lower() + reason[1:] if reason else 'the request could not be parsed'


class _Problem(Exception):
    """Answer ``status`` with ``detail`` and close the connection."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Request:
    """What the parser has read of one request."""

    __slots__ = (
        'body',
        'complete',
        'continue_sent',
        'headers',
        'keep_alive',
        'length',
        'method',
        'received',
        'upgrade',
        'url',
        'version',
    )

    def __init__(self) -> None:
        self.url = b''
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.complete = False
        self.received = 0
        self.method = ''
        self.version = '1.1'
        self.keep_alive = True
        self.upgrade = False
        self.length: int | None = None
        self.continue_sent = False


class Body:
    """``wsgi.input``: the request body, read from the client as the app asks for it."""

    __slots__ = ('_connection', '_request')

    def __init__(self, connection: Connection, request: Request) -> None:
        self._connection = connection
        self._request = request

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when ``size`` is None or negative)."""
        request = self._request
        buffer = request.body
        if size is None or size < 0:
            while not request.complete:
                self._connection.receive_body(request)
            data = bytes(buffer)
            buffer.clear()
            return data
        while len(buffer) < size and not request.complete:
            self._connection.receive_body(request)
        data = bytes(buffer[:size])
        del buffer[:size]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """One line, with its ``\\n`` (at most ``size`` bytes)."""
        request = self._request
        buffer = request.body
        limit = size if size is not None and size >= 0 else None
        while True:
            end = buffer.find(b'\n')
            if end >= 0:
                end += 1
                break
            if request.complete or (limit is not None and len(buffer) >= limit):
                end = len(buffer)
                break
            self._connection.receive_body(request)
        if limit is not None:
            end = min(end, limit)
        data = bytes(buffer[:end])
        del buffer[:end]
        return data

    def readlines(self, hint: int = -1) -> list[bytes]:
        """The remaining lines."""
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def close(self) -> None:
        """Nothing to do: the server reads no request after an upgrade.

        (The engine's WebSocket handler closes the input to end a pywsgi
        connection; with rbconfig's server an upgrade ends it anyway.)
        """

    def __iter__(self) -> Body:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class Connection:
    """Serves the requests of one client socket, one after the other.

    Also the parser's callback object (``on_url``, ``on_header``...).

    Args:
        server: the :class:`~rbconfig.runtime.server.Server` (app, timeouts, log).
        sock: the accepted socket.
        address: the client's address.
    """

    def __init__(self, server: Server, sock: socket.socket, address: Any) -> None:
        self.server = server
        self.sock = sock
        self.address = address
        self.parser = httptools.HttpRequestParser(self)
        #: The request the parser is in (None between requests).
        self.parsing: Request | None = None
        self.parsing_since = 0.0
        #: Requests whose headers are complete, oldest first (pipelined ones wait here).
        self.ready: deque[Request] = deque()
        #: True while the connection waits for a request (stop() closes such ones at once).
        self.idle = True
        #: The environ of the request being answered (stop() looks at it).
        self.environ: dict[str, Any] | None = None
        self.last_received = 0
        self.broken = False  # the client left or stalled: the stream cannot be trusted any more
        #: What the parser refused (answered once the requests before it are answered).
        self.failure: _Problem | None = None
        self.upgraded = False  # the app took the socket over (101 Switching Protocols)
        self.closing = False
        client = address[0] if isinstance(address, tuple) else address
        self.client = str(client or '-')
        self._base = server.connection_environ(address)
        # The response in progress.
        self._status: str | None = None
        self._headers: list[tuple[str, str]] = []
        self._request: Request | None = None
        self._headers_sent = False
        self._chunked = False
        self._sent = 0

    # -- the parser's callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.parsing = Request()
        self.parsing_since = time.monotonic()

    def on_url(self, url: bytes) -> None:
        request: Request = self.parsing  # type: ignore[assignment]
        request.url += url
        if len(request.url) > MAX_URL:
            raise _Problem(414, f'the request target is longer than {MAX_URL} bytes')

    def on_header(self, name: bytes, value: bytes) -> None:
        headers = self.parsing.headers  # type: ignore[union-attr]
        headers.append((name, value))
        if len(headers) > MAX_HEADERS:
            raise _Problem(431, f'a request may have at most {MAX_HEADERS} headers')

    def on_headers_complete(self) -> None:
        request: Request = self.parsing  # type: ignore[assignment]
        parser = self.parser
        request.method = parser.get_method().decode('ascii')
        request.version = parser.get_http_version()
        request.keep_alive = parser.should_keep_alive()
        request.upgrade = parser.should_upgrade()
        if sum(len(name) + len(value) for name, value in request.headers) > MAX_HEAD:
            raise _Problem(431, f'the request headers are longer than {MAX_HEAD} bytes')
        self.ready.append(request)

    def on_body(self, data: bytes) -> None:
        request: Request = self.parsing  # type: ignore[assignment]
        request.body += data
        request.received += len(data)

    def on_message_complete(self) -> None:
        self.parsing.complete = True  # type: ignore[union-attr]
        self.parsing = None

    # -- reading ---------------------------------------------------------------------------

    def _receive(self, timeout: float) -> bool:
        """Read once (waiting at most ``timeout`` seconds) and parse; False at end of stream.

        Bytes that are not HTTP/1.1, or that cross a limit, are kept as :attr:`failure`
        rather than raised: llhttp raises for the whole read, after it has called back
        for the requests before the bad bytes, and those are valid requests to answer
        first. The parser is never fed again after a failure.

        Raises:
            TimeoutError: nothing came in time.
            OSError: the connection failed.
        """
        sock = self.sock
        sock.settimeout(timeout)
        data = sock.recv(CHUNK)
        self.last_received = len(data)
        if not data:
            return False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # An upgrade (WebSocket) or CONNECT: whatever follows is no longer HTTP/1.1,
            # and this server reads no further. A client waits for the 101 before it
            # sends anything more, so nothing is lost here.
            pass
        except httptools.HttpParserCallbackError as ex:
            context = ex.__context__
            if isinstance(context, _Problem):  # a limit crossed in a callback
                self.failure = context
            else:
                self.failure = _Problem(400, 'the request could not be parsed')
        except httptools.HttpParserError as ex:
            self.failure = _Problem(400, bad_request_detail(str(ex)))
        except BaseException:
            self.broken = True
            raise
        return True

    def next_request(self) -> Request | None:
        """The next request whose headers are complete; None when the client is done.

        Raises:
            _Problem: the request is bad (400, 414, 431) or too slow (408); raised only
                once the valid requests that came before it have been returned.
        """
        timeouts = self.server.timeouts
        received = 0
        if self.parsing is not None and not self.ready:
            # Part of this request came while the previous one was answered: its time
            # for the headers counts from now, when the server starts waiting for them.
            self.parsing_since = time.monotonic()
        while not self.ready:
            if self.failure is not None:
                raise self.failure
            if self.parsing is None:
                timeout = timeouts.idle
            else:
                timeout = self.parsing_since + timeouts.header - time.monotonic()
                if timeout <= 0:
                    raise _Problem(
                        408, f'the request headers did not arrive within {timeouts.header:g} s'
                    )
            try:
                if not self._receive(timeout):
                    return None
            except TimeoutError:
                if self.parsing is None:
                    return None  # an idle keep-alive connection: close it quietly
                continue  # the header deadline passed: 408 above
            received += self.last_received
            if received > MAX_HEAD and not self.ready and self.failure is None:
                raise _Problem(431, f'the request headers are longer than {MAX_HEAD} bytes')
        request = self.ready.popleft()
        if not request.complete and self.failure is not None:
            # The parser failed in this request's body (in the same read as its
            # headers): the app never sees a request that cannot be read.
            raise self.failure
        return request

    def receive_body(self, request: Request) -> None:
        """Read more of ``request``'s body (for :class:`Body`).

        Raises:
            BodyError: the body is broken, or the client left or stayed silent.
        """
        if self.failure is not None:  # the parser failed in this body: no more of it comes
            raise BodyError(self.failure.detail)
        if not request.continue_sent:
            request.continue_sent = True
            # Never after the final response has begun: the client would take the
            # 100 for the answer to its next request (RFC 9110, section 15.2).
            if (
                request.version == '1.1'
                and not request.body
                and not self._headers_sent
                and self._expects_continue(request)
            ):
                self._send(_CONTINUE)
        idle = self.server.timeouts.idle
        try:
            more = self._receive(idle)
        except TimeoutError:
            self.broken = True
            raise BodyError(f'the client sent nothing more for {idle:g} s') from None
        except OSError as ex:
            self.broken = True
            raise BodyError(f'the connection failed ({ex.strerror or ex})') from None
        if not more:
            self.broken = True
            raise BodyError('the client closed the connection before the end of the body')
        if self.failure is not None and not request.complete:
            raise BodyError(self.failure.detail)
        # A failure after this body (a bad pipelined request) is answered after this one.

    @staticmethod
    def _expects_continue(request: Request) -> bool:
        for name, value in request.headers:
            if name.lower() == b'expect':
                return value.strip().lower() == b'100-continue'
        return False

    # -- the loop --------------------------------------------------------------------------

    def serve(self) -> None:
        """Answer requests until the client or the server ends the connection."""
        try:
            while not self.server.stopping:
                self.idle = True
                try:
                    request = self.next_request()
                except _Problem as problem:
                    self.idle = False
                    self.send_problem(problem.status, problem.detail)
                    return
                except OSError:
                    return  # reset by the client
                self.idle = False
                if request is None or not self.respond(request):
                    return
                # Let every other connection have its turn first. A client whose next
                # request is already here would otherwise be served again and again
                # without this greenlet ever yielding: the others (and the accept
                # loop, and timers) wait, and their latency grows by whole bursts.
                gevent.sleep(0)
        except Exception:
            logger.exception('serving %s failed', self.client)
        finally:
            self.close()

    def close(self) -> None:
        """Close the socket, lingering when the client may still be sending.

        Closing a socket with unread data makes the kernel reset the connection,
        and a client still uploading may then lose the answer it was sent (a 413,
        a 400). So the server first says it is done (``shutdown(SHUT_WR)``), then
        reads and drops what comes for a short while, or until the client closes.
        """
        sock = self.sock
        if sock is None:
            return
        self.sock = None  # type: ignore[assignment]
        try:
            if self.unread and not self.upgraded:
                sock.shutdown(socket.SHUT_WR)
                deadline = time.monotonic() + LINGER_SECONDS
                dropped = 0
                while dropped < LINGER_BYTES:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    sock.settimeout(left)
                    data = sock.recv(CHUNK)
                    if not data:
                        break
                    dropped += len(data)
        except OSError:
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    @property
    def unread(self) -> bool:
        """Whether the client may have sent bytes the server has not read."""
        request = self._request
        return (
            self.broken
            or self.failure is not None
            or self.parsing is not None
            or (request is not None and not request.complete)
        )

    # -- answering -------------------------------------------------------------------------

    def make_environ(self, request: Request) -> dict[str, Any]:
        """The WSGI environ of ``request``."""
        env = self._base.copy()
        env['REQUEST_METHOD'] = request.method
        url = request.url
        if url[:1] != b'/' and url != b'*':
            if request.method == 'CONNECT':
                # Authority-form (host:port): a tunnel through a proxy, which this origin
                # server is not. 400 rather than 405: a 405 must list in Allow the methods
                # of the target, and host:port is no resource of this server (a CONNECT
                # to a path reaches the app, whose router answers it).
                raise _Problem(400, 'CONNECT is for proxies; this server is not one')
            try:
                parsed = httptools.parse_url(url)  # absolute-form: http://host/path?query
            except httptools.HttpParserInvalidURLError:
                raise _Problem(400, 'the request target is not a valid URL') from None
            path, query = parsed.path or b'/', parsed.query or b''
        else:
            path, _, query = url.partition(b'?')
            query, _, _ = query.partition(b'#')
        env['PATH_INFO'] = (unquote_to_bytes(path) if b'%' in path else path).decode('latin-1')
        env['QUERY_STRING'] = query.decode('latin-1')
        env['SERVER_PROTOCOL'] = 'HTTP/' + request.version
        for name, value in request.headers:
            key = _environ_key(name)
            if key is None:
                continue
            text = value.decode('latin-1').strip()
            if key in env:
                if key == 'HTTP_COOKIE':
                    text = env[key] + '; ' + text
                elif key in _SINGLE:
                    raise _Problem(400, f'{name.decode("latin-1")} is given more than once')
                else:
                    text = env[key] + ',' + text
            env[key] = text
        if request.version == '1.1' and 'HTTP_HOST' not in env:
            raise _Problem(400, 'an HTTP/1.1 request must have a Host header')
        expect = env.get('HTTP_EXPECT')
        if expect is not None and expect.lower() != '100-continue':
            # RFC 9110, section 10.1.1: an expectation the server cannot meet is refused
            # before the body is read (send_problem closes: the body is left unread).
            raise _Problem(417, 'the only expectation supported is Expect: 100-continue')
        coding = env.get('HTTP_TRANSFER_ENCODING')
        if coding is not None and coding.lower() != 'chunked':
            # llhttp has checked that the last coding is 'chunked'; the others are not applied.
            raise _Problem(501, f'Transfer-Encoding {coding!r} is not supported; use chunked')
        length = env.get('CONTENT_LENGTH')
        if length is not None:
            request.length = int(length)  # llhttp has checked the digits
        env['wsgi.input'] = Body(self, request)
        if request.upgrade:
            # The socket, for the handler of an upgraded protocol (WebSocket) to use,
            # without the server's time limits (the protocol keeps its own).
            self.sock.settimeout(None)
            env['rbconfig.socket'] = self.sock
        return env

    def respond(self, request: Request) -> bool:
        """Call the app for ``request`` and send its response; True to keep the connection."""
        started = time.perf_counter()
        self._status = None
        self._headers = []
        self._request = request
        self._headers_sent = False
        self._chunked = False
        self._sent = 0
        self.closing = not request.keep_alive or request.upgrade
        try:
            env = self.make_environ(request)
        except _Problem as problem:
            self.send_problem(problem.status, problem.detail, request)
            return False
        self.environ = env
        try:
            if not self._run_app(request, env):
                return False
        finally:
            self.environ = None
        if self._status is None and request.upgrade:
            # The app wrote its own answer on the socket (a WebSocket's 101) and
            # has served the connection until it ended.
            self.upgraded = True
            self._status = '101 Switching Protocols'
        self.server.log_request(self, request, started)
        if self.closing or self.broken or self.upgraded:
            return False
        if not request.complete:
            return self._drain(request)
        return True

    def _run_app(self, request: Request, env: dict[str, Any]) -> bool:
        """Call the app and send what it answers; False when a problem was answered instead."""
        result: Iterable[bytes] | None = None
        try:
            result = self.server.application(env, self.start_response)
            if type(result) is list and len(result) == 1 and not self._headers_sent:
                self._finish_single(result[0])
            else:
                for data in result:
                    if data:
                        self.write(data)
                self._finish()
        except BodyError as ex:  # the app let it through: the client's fault, said as such
            self.closing = True
            if not self._headers_sent:
                self.send_problem(400, str(ex), request)
                return False
        except _BadResponse as ex:  # raised before any byte of it was sent
            logger.error('the app answered %s %s with %s', request.method, _path(request), ex)
            self._answer_error()
        except OSError:
            self.closing = True  # the client went away, or the socket timed out
        except Exception:
            logger.exception('the app failed on %s %s', request.method, env.get('PATH_INFO'))
            self.closing = True
            if not self._headers_sent and not self.upgraded:
                self.send_problem(500, 'the server failed to handle this request', request)
                return False
        finally:
            close = getattr(result, 'close', None)
            if close is not None:
                try:
                    close()
                except Exception:
                    logger.exception('closing the response of %s failed', request.method)
        return True

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        """WSGI's ``start_response``."""
        if exc_info is not None:
            try:
                if self._headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._status is not None:
            raise RuntimeError('start_response was called twice')
        self._status = status
        self._headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        """WSGI's ``write``, also used for each piece of an iterated response."""
        if not self._headers_sent:
            self._send_head(None)
            if self._skip_body():
                return
            if self._chunked:
                data = b'%x\r\n%b\r\n' % (len(data), data) if data else b''
            self._send(data)
            return
        if self._skip_body() or not data:
            return
        if self._chunked:
            data = b'%x\r\n%b\r\n' % (len(data), data)
        self._send(data)

    def _finish_single(self, data: bytes) -> None:
        """Send a one-piece response: headers and body in one system call."""
        if self._status is None:
            raise RuntimeError('the app returned without calling start_response')
        # An empty body answering HEAD is not the length GET would have (Falcon gives no
        # body to HEAD, with the Content-Length it knows, if any): none is claimed.
        head = self._head(None if not data and self._request_is_head() else len(data))
        if self._skip_body():
            self._send(head)
        else:
            self._send(head + data)

    def _finish(self) -> None:
        if not self._headers_sent:
            if self._status is None:
                if self._request is not None and self._request.upgrade:
                    return  # a WebSocket handler answered on the socket itself
                raise RuntimeError('the app returned without calling start_response')
            self._send(self._head(None if self._request_is_head() else 0))
        elif self._chunked:
            self._send(b'0\r\n\r\n')

    def _request_is_head(self) -> bool:
        return self._request is not None and self._request.method == 'HEAD'

    def _skip_body(self) -> bool:
        request = self._request
        code = self._code
        return (
            (request is not None and request.method == 'HEAD') or code < 200 or code in (204, 304)
        )

    def _send_head(self, length: int | None) -> None:
        self._send(self._head(length))

    def _head(self, length: int | None) -> bytes:
        """The status line and headers; ``length`` is the body's when it is known.

        Raises:
            _BadResponse: the status or a header cannot be written (nothing was sent).
        """
        status = self._status
        if status is None:
            raise RuntimeError('the app wrote before calling start_response')
        code = _final_code(status)
        request = self._request
        assert request is not None
        self._chunked = False
        lines = [f'HTTP/1.1 {status}\r\n']
        has_length, has_date = self._app_headers(lines)
        if not has_length and code not in (204, 304):
            if length is not None:
                lines.append(f'Content-Length: {length}\r\n')
            elif request.method != 'HEAD':
                if request.version == '1.1':
                    self._chunked = True
                    lines.append('Transfer-Encoding: chunked\r\n')
                else:
                    self.closing = True  # the end of the body is the end of the connection
        if not has_date:
            lines.append(f'Date: {_Clock.date()}\r\n')
        if not self.closing and self._leaves_unread(request):
            self.closing = True
        if self.server.stopping:
            self.closing = True
        if self.closing:
            lines.append('Connection: close\r\n')
        elif request.version == '1.0':
            lines.append('Connection: keep-alive\r\n')
        lines.append('\r\n')
        try:
            head = ''.join(lines).encode('latin-1')
        except UnicodeEncodeError:
            head = b''
        # Each line ends with the one CR LF added here: a CR or LF of the app's own
        # would split a header in two (response splitting).
        if not head or head.count(b'\n') != len(lines) or head.count(b'\r') != len(lines):
            raise _BadResponse(self._unwritable())
        self._headers_sent = True
        self._code = code
        return head

    def _unwritable(self) -> str:
        """Which of the app's status and headers cannot be written, and why (for the log)."""
        parts = [('the status', str(self._status))]
        parts += [(f'the header {name!r}', f'{name}{value}') for name, value in self._headers]
        for what, text in parts:
            if '\r' in text or '\n' in text:
                return f'a line break in {what}'
            try:
                text.encode('latin-1')
            except UnicodeEncodeError:
                return f'a character outside Latin-1 in {what}'
        return 'headers that cannot be written'

    def _leaves_unread(self, request: Request) -> bool:
        """Whether a response now leaves body bytes the server cannot read and drop."""
        if request.complete:
            return False
        if self.broken or self.failure is not None:
            return True  # the client stalled or left, or the body is broken
        if not request.continue_sent and not request.received and self._expects_continue(request):
            # The client waits for a 100 Continue, which must not follow a final answer
            # (RFC 9110, section 10.1.1): it may send the body anyway, or not, so its
            # next bytes could be either.
            return True
        return not self._can_drain(request)  # too much to read and drop

    def _answer_error(self) -> None:
        """Answer 500 instead of a response the server cannot write, keeping the connection.

        Nothing was sent of that response, so the connection is as good as after
        any other answer (the requests pipelined behind it are answered).
        """
        problem = {
            'type': 'about:blank',
            'title': _TITLES[500],
            'status': 500,
            'detail': 'the server failed to handle this request',
        }
        headers = [('Content-Type', 'application/problem+json')]
        for name, value in self._headers:
            # The request id still leads from the access log to the app's log.
            if (
                name.lower() == 'x-request-id'
                and isinstance(value, str)
                and value.isascii()
                and value.isprintable()
            ):
                headers.append((name, value))
                break
        self._status = f'500 {_TITLES[500]}'
        self._headers = headers
        try:
            self._finish_single(json.dumps(problem).encode())
        except OSError:
            self.closing = True

    def _app_headers(self, lines: list[str]) -> tuple[bool, bool]:
        """Add the app's headers to ``lines``; whether it gave Content-Length and Date.

        ``Connection`` and ``Transfer-Encoding`` are the server's to write.
        """
        has_length = has_date = False
        for name, value in self._headers:
            lower = name.lower()
            if lower == 'content-length':
                has_length = True
            elif lower == 'date':
                has_date = True
            elif lower == 'connection':
                if 'close' in value.lower():
                    self.closing = True
                continue
            elif lower == 'transfer-encoding':
                continue
            lines.append(f'{name}: {value}\r\n')
        return has_length, has_date

    _code = 0

    @staticmethod
    def _can_drain(request: Request) -> bool:
        if request.length is None:
            return False  # chunked: how much is left is unknown
        return request.length - request.received <= MAX_DRAIN

    def _drain(self, request: Request) -> bool:
        """Read and drop what is left of the body, to read the next request; False if not."""
        try:
            while not request.complete:
                self.receive_body(request)
                request.body.clear()
        except BodyError:
            return False
        return True

    def _send(self, data: bytes) -> None:
        if not data:
            return
        sock = self.sock
        sock.settimeout(self.server.timeouts.idle)
        sock.sendall(data)
        self._sent += len(data)

    def send_problem(self, status: int, detail: str, request: Request | None = None) -> None:
        """Answer an RFC 9457 problem and close: the request could not be served."""
        self.closing = True
        started = time.perf_counter()
        title = _TITLES.get(status, 'Error')
        problem = {'type': 'about:blank', 'title': title, 'status': status, 'detail': detail}
        body = json.dumps(problem).encode()
        head = (
            f'HTTP/1.1 {status} {title}\r\n'
            'Content-Type: application/problem+json\r\n'
            f'Content-Length: {len(body)}\r\n'
            f'Date: {_Clock.date()}\r\n'
            'Connection: close\r\n\r\n'
        ).encode('latin-1')
        self._status = f'{status} {title}'
        self._code = status
        try:
            self._send(head + (b'' if request is not None and request.method == 'HEAD' else body))
        except OSError:
            pass
        self.server.log_request(self, request or self.parsing, started, detail)


_TITLES = {
    400: 'Bad Request',
    408: 'Request Timeout',
    414: 'URI Too Long',
    417: 'Expectation Failed',
    431: 'Request Header Fields Too Large',
    500: 'Internal Server Error',
    501: 'Not Implemented',
}


class _BadResponse(Exception):
    """The app's status or headers cannot be written; the text says which (for the log)."""


def _final_code(status: str) -> int:
    """The code of a final status line ``'200 OK'``.

    Raises:
        _BadResponse: not a final status: ``100`` would be read as an interim answer
            (and the next response as this one's), ``101`` switches protocols without
            the server's knowledge, ``999`` has no meaning.
    """
    if isinstance(status, str) and status[3:4] in ('', ' '):
        code = status[:3]
        if code.isascii() and code.isdigit() and 200 <= int(code) <= 599:
            return int(code)
    raise _BadResponse(f'an invalid status {status!r} (a final status is 200 to 599)')


def _path(request: Request) -> str:
    """The request's target without its query (which may hold a token), for the log."""
    return request.url.partition(b'?')[0].decode('latin-1')


def log_line(connection: Connection, request: Request | None, took: float, note: str) -> str:
    """``127.0.0.1 "GET /hello HTTP/1.1" 200 12 0.4ms [request-id]`` (one access-log line)."""
    if request is not None and request.method:
        # A token in a query string stays out of the log.
        line = redact(f'{request.method} {request.url.decode("latin-1")} HTTP/{request.version}')
    else:
        line = '-'
    status = (connection._status or '000')[:3]
    text = f'{connection.client} "{line}" {status} {connection._sent or "-"} {took * 1000:.1f}ms'
    for name, value in connection._headers:
        if name.lower() == 'x-request-id':
            text += f' [{value}]'
            break
    if note:
        text += f' ({note})'
    return text + '\n'
