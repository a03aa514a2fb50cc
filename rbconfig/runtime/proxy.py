"""``proxy:http(s)://host:port[/base]``: a path forwarded to an upstream server.

* The method, path, query, body and end-to-end headers go to the upstream; its
  status, end-to-end headers and body come back. Hop-by-hop headers
  (``Connection`` and the ones it names, ``Keep-Alive``, ``TE``, ``Upgrade``,
  ``Proxy-*``, ``Transfer-Encoding``...) are dropped both ways. ``Host`` is the
  upstream's; ``X-Forwarded-For`` (appended to), ``X-Forwarded-Proto`` and
  ``X-Forwarded-Host`` say who asked for what.
* As RedBarrel did, the route's literal prefix (up to its first placeholder) is
  removed from the path and ``/base`` put in front: with ``url: /api/{rest:.*}``,
  ``GET /api/a?b=1`` goes to ``/base/a?b=1``.
* Connections to the upstream are kept alive and reused (a urllib3 pool per
  path, cooperative under gevent's monkey-patching); bodies are streamed both
  ways: a request body no check has read goes up as the client sends it, and the
  answer goes down as the upstream sends it (with its ``Content-Length``, or
  chunked), compressed or not, untouched. A path whose response body has checks
  or a schema gets the whole answer first, since the checks need it.
* Timeouts: ``x-proxy-connect-timeout`` (default 5 s) to connect, and
  ``x-proxy-read-timeout`` (default 30 s) for each read. An unreachable upstream
  answers 502, one that does not connect or answer in time 504, one that fails
  mid-answer 502.
* An ``https`` upstream's certificate is verified against the system's trust
  store (OpenSSL's defaults: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` point
  elsewhere); one that is refused answers 502, saying why.
* Credentials in the URL (``proxy:http://user:password@host``) go to the
  upstream as HTTP Basic ``Authorization`` (in place of the client's); they are
  never sent in ``Host`` nor shown in an error.
"""

from __future__ import annotations

import base64
import errno
import http.client
import logging
import re
import socket
import ssl
import urllib.parse
from typing import Any

import urllib3

from ..schema import parse_url_template
from .exchange import Exchange
from .problems import HTTPProblem

__all__ = ['HOP_BY_HOP', 'Proxy']

logger = logging.getLogger('rbconfig.runtime')

#: Headers that concern one connection only (RFC 9110 §7.6.1), never forwarded.
HOP_BY_HOP = frozenset(
    {
        'connection',
        'keep-alive',
        'proxy-authenticate',
        'proxy-authorization',
        'proxy-connection',
        'te',
        'trailer',
        'trailers',
        'transfer-encoding',
        'upgrade',
    }
)

#: Idle connections kept per upstream (more are opened when needed, then dropped).
POOL_SIZE = 10

#: Statuses whose answer has no body.
_BODILESS = frozenset({204, 304})

#: Path segments an upstream would resolve against the base path: never forwarded.
_DOT_SEGMENTS = frozenset({'.', '..'})
#: What separates segments, for some servers a backslash too.
_SEGMENTS = re.compile(r'[/\\]')


def _tokens(header: str | None) -> set[str]:
    return {token.strip().lower() for token in (header or '').split(',')}


def _literal_prefix(template: str) -> str:
    first = parse_url_template(template)[0]
    return first if isinstance(first, str) else ''


def _basic_authorization(url: urllib.parse.SplitResult) -> str | None:
    """``Basic ...`` for the userinfo of ``url``, or None without one."""
    if url.username is None:
        return None
    user = urllib.parse.unquote(url.username)
    password = urllib.parse.unquote(url.password or '')
    return 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode('ascii')


def _timed_out(ex: BaseException) -> bool:
    return isinstance(ex, urllib3.exceptions.ReadTimeoutError)


def _cause(ex: BaseException) -> BaseException:
    """The error under urllib3's wrappers (``ProtocolError('Connection aborted.', cause)``...)."""
    seen: set[int] = set()
    while id(ex) not in seen:
        seen.add(id(ex))
        inner = ex.__cause__ or ex.__context__
        if inner is None and isinstance(ex, urllib3.exceptions.HTTPError):
            inner = next((arg for arg in ex.args if isinstance(arg, BaseException)), None)
        if inner is None:
            break
        ex = inner
    return ex


def _reason(ex: BaseException, netloc: str) -> str:
    """What went wrong, in words: no exception names, no upstream bytes, no OpenSSL source
    lines (the client reads this); the error itself goes to the log, for the operator."""
    cause = _cause(ex)
    logger.warning('the upstream %s failed: %s: %s', netloc, type(cause).__name__, cause)
    return _words(cause)


def _words(cause: BaseException) -> str:
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f'its TLS certificate was refused ({cause.verify_message})'
    if isinstance(cause, ssl.SSLError):
        return f'TLS failed ({cause.reason or cause.strerror})'
    if isinstance(cause, ConnectionRefusedError):
        return 'it refused the connection'
    if isinstance(cause, socket.gaierror):
        return 'its host name does not resolve'
    if isinstance(cause, http.client.BadStatusLine | http.client.LineTooLong):
        # (RemoteDisconnected is a BadStatusLine too: a connection closed before any answer.)
        if isinstance(cause, http.client.RemoteDisconnected):
            return 'it closed the connection without answering'
        return 'its answer is not HTTP'
    if isinstance(cause, http.client.HTTPException):
        return 'its answer is not valid HTTP'
    if isinstance(cause, ConnectionError):
        return 'it closed the connection'
    return 'the exchange with it failed'


class _Answer:
    """The upstream's body as Falcon streams it: read in blocks, then the connection
    goes back to the pool (closed first when the body was not read to its end)."""

    def __init__(self, answer: urllib3.BaseHTTPResponse, netloc: str) -> None:
        self.answer = answer
        self.netloc = netloc
        self.done = False

    def read(self, size: int | None = -1, /) -> bytes:
        # read1: what has arrived (up to size), not a wait until size bytes have.
        try:
            wanted = size if size is not None and size >= 0 else None
            data = self.answer.read1(wanted, decode_content=False)
        except urllib3.exceptions.HTTPError as ex:
            # The status line is out: all that is left is to cut the connection short, so
            # that the client sees an incomplete answer (the server logs nothing more).
            # One line (as the docs say), with the error itself: not _reason's own line too.
            cause = _cause(ex)
            why = 'it did not go on in time' if _timed_out(ex) else _words(cause)
            logger.warning(
                'the upstream %s failed while answering: %s (%s: %s)',
                self.netloc,
                why,
                type(cause).__name__,
                cause,
            )
            raise ConnectionResetError(errno.ECONNRESET, 'the upstream failed') from None
        if not data:
            self.done = True
        return data

    def close(self) -> None:
        if not self.done:
            self.answer.close()  # unread bytes left: the connection cannot be reused
        self.answer.release_conn()


class Proxy:
    """Forwards one path's requests to an upstream (see the module docstring).

    ``whole``: the path checks the response body, so the answer is read whole.
    """

    def __init__(
        self,
        target: str,
        template: str,
        connect_timeout: float,
        read_timeout: float,
        *,
        whole: bool = False,
    ) -> None:
        url = urllib.parse.urlsplit(target)
        secure = url.scheme == 'https'
        host = url.hostname or 'localhost'
        port = url.port or (443 if secure else 80)
        self.base = url.path.rstrip('/')
        #: ``host[:port]``: the Host header, and the upstream's name in errors.
        self.netloc = url.netloc.rpartition('@')[2]
        self.authorization = _basic_authorization(url)
        self.prefix = _literal_prefix(template)
        self.whole = whole
        pool = urllib3.HTTPSConnectionPool if secure else urllib3.HTTPConnectionPool
        self.pool = pool(
            host,
            port,
            maxsize=POOL_SIZE,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        )

    def __call__(self, x: Exchange) -> None:
        req = x.req
        path = req.path
        rest = path[len(self.prefix) :] if path.startswith(self.prefix) else path
        if any(part in _DOT_SEGMENTS for part in _SEGMENTS.split(rest)):
            # The upstream would resolve them (RFC 3986 5.2.4) and serve what is outside
            # the base path; the path is already percent-decoded, so %2e%2e is caught too.
            raise HTTPProblem(400, "The path has a '.' or '..' segment; it is not forwarded.")
        target = self.base + '/' + rest.lstrip('/')
        if req.query_string:
            target += '?' + req.query_string
        body, length = x.body_source()
        headers = self.request_headers(x, length)
        answer = self.send(req.method, target, body, headers)
        resp = x.resp
        resp.status = answer.status
        dropped = HOP_BY_HOP | _tokens(answer.headers.get('Connection')) | {'content-length'}
        for name, value in answer.headers.iteritems():
            if name.lower() not in dropped:
                resp.append_header(name, value)
        if req.method == 'HEAD' or answer.status in _BODILESS:
            size = answer.headers.get('Content-Length', '')
            answer.drain_conn()
            answer.release_conn()
            if req.method == 'HEAD' and size.isdigit():
                resp.set_header('Content-Length', size)
            return
        if self.whole:
            resp.data = self.read_whole(answer)
            return
        stream = _Answer(answer, self.netloc)
        length = answer.length_remaining  # the upstream's Content-Length, when it sent one
        if length is None:
            resp.stream = stream  # sent chunked
        else:
            resp.set_stream(stream, length)

    def request_headers(self, x: Exchange, length: int | None) -> dict[str, str]:
        """End-to-end request headers, plus Host and X-Forwarded-*."""
        env = x.req.env
        dropped = HOP_BY_HOP | _tokens(env.get('HTTP_CONNECTION')) | {'host', 'content-length'}
        headers: dict[str, str] = {}
        for key, value in env.items():
            if key.startswith('HTTP_'):
                name = key[5:].replace('_', '-').lower()
            elif key == 'CONTENT_TYPE':
                name = 'content-type'
            else:
                continue
            if value and name not in dropped:
                headers[name] = value
        if length is not None:
            headers['content-length'] = str(length)
        headers['host'] = self.netloc
        if self.authorization is not None:
            headers['authorization'] = self.authorization
        client = env.get('REMOTE_ADDR')
        if client:
            previous = headers.get('x-forwarded-for')
            headers['x-forwarded-for'] = f'{previous}, {client}' if previous else client
        headers['x-forwarded-proto'] = x.req.scheme
        if env.get('HTTP_HOST'):
            headers['x-forwarded-host'] = env['HTTP_HOST']
        return headers

    def send(
        self, method: str, target: str, body: Any, headers: dict[str, str]
    ) -> urllib3.BaseHTTPResponse:
        """One request to the upstream; its answer, body not read yet.

        Raises:
            HTTPProblem: 502 when the upstream cannot be reached or fails, 504 on a timeout.
        """
        netloc = self.netloc
        try:
            return self.pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                release_conn=False,
            )
        except urllib3.exceptions.NewConnectionError as ex:  # (a ConnectTimeoutError too)
            raise HTTPProblem(
                502, f'The upstream {netloc} is unreachable: {_reason(ex, netloc)}'
            ) from None
        except urllib3.exceptions.ConnectTimeoutError:
            raise HTTPProblem(
                504, f'The upstream {netloc} did not accept the connection in time.'
            ) from None
        except urllib3.exceptions.ReadTimeoutError:
            raise HTTPProblem(504, f'The upstream {netloc} did not answer in time.') from None
        except (urllib3.exceptions.HTTPError, OSError) as ex:
            raise HTTPProblem(502, f'The upstream {netloc} failed: {_reason(ex, netloc)}') from None

    def read_whole(self, answer: urllib3.BaseHTTPResponse) -> bytes:
        """The answer's whole body (the connection goes back to the pool).

        Raises:
            HTTPProblem: 504 or 502 when the upstream stops answering.
        """
        try:
            return answer.read(decode_content=False)
        except urllib3.exceptions.ReadTimeoutError:
            raise HTTPProblem(504, f'The upstream {self.netloc} did not answer in time.') from None
        except urllib3.exceptions.HTTPError as ex:
            raise HTTPProblem(
                502, f'The upstream {self.netloc} failed: {_reason(ex, self.netloc)}'
            ) from None
        finally:
            answer.release_conn()
