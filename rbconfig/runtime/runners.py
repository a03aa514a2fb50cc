"""Built-in handlers behind ``file:``, ``directory:``, ``proxy:`` and a missing ``use``.

* ``file:PATH`` serves the file as a static server does (:mod:`.files`:
  streamed, ETag and Last-Modified, 304, ranges, content type by name).
* ``directory:PATH`` serves ``PATH/<name>`` the same way, ``name`` being the
  route's ``{name}`` placeholder (RedBarrel used ``/js/{name}``; write
  ``{name:.*}`` to allow sub-folders). There is no way out of the folder:
  ``..``, hidden names, absolute paths, backslashes, NUL bytes and symlinks
  resolving outside all answer 404.
* A ``file:`` or ``directory:`` path whose response body has checks or a
  schema gets the whole file in memory, with no validators and no ranges:
  the checks need the whole body, and an ``alter`` changes it.
* ``proxy:http(s)://host:port[/base]`` forwards the method, path, query,
  body and end-to-end headers to the upstream and relays its answer, minus
  hop-by-hop headers. As RedBarrel did, the route's literal prefix (up to its
  first placeholder) is removed from the path and ``/base`` put in front:
  with ``url: /api/{rest:.*}``, ``GET /api/a?b=1`` goes to ``/base/a?b=1``.
  Timeouts: ``x-proxy-connect-timeout`` (default 5 s) and
  ``x-proxy-read-timeout`` (default 30 s) on the path. An unreachable
  upstream answers 502, a slow one 504. Credentials in the URL
  (``proxy:http://user:password@host``) go to the upstream as HTTP Basic
  ``Authorization`` (in place of the client's); they are never sent in ``Host``
  nor shown in an error.
* No ``use``: RedBarrel's dummy, an echo of the request as text/plain; with
  ``--mock``, the response's example instead.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import urllib.parse
from pathlib import Path
from typing import Any

from ..schema import Path as SpecPath
from ..schema import parse_url_template
from .bodies import BodySchema, example_from_schema
from .conventions import Runner
from .exchange import Exchange
from .files import content_type_of, serve_file
from .problems import HTTPProblem

__all__ = [
    'HOP_BY_HOP',
    'directory_runner',
    'dummy_runner',
    'file_runner',
    'mock_runner',
    'proxy_runner',
    'safe_child',
]

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


def _serve(x: Exchange, path: str, content_type: str, whole: bool, follow: bool) -> None:
    if not whole:
        serve_file(x.req, x.resp, path, content_type, follow=follow)
        return
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except OSError:
        raise HTTPProblem(404, 'No such file.') from None
    x.resp.content_type = content_type
    x.resp.data = data


def file_runner(path: Path, *, whole: bool = False) -> Runner:
    """Serve one file (``whole``: in memory, for response body checks)."""
    content_type = content_type_of(path.name)
    where = os.fspath(path)

    def run(x: Exchange) -> None:
        _serve(x, where, content_type, whole, True)

    return run


def safe_child(root: str, name: str) -> str | None:
    """The real path of ``root/name`` if it is a file inside ``root``, else None."""
    if not name or '\0' in name or '\\' in name or name.startswith('/'):
        return None
    for part in name.split('/'):
        if not part or part.startswith('.'):
            return None
    real = os.path.realpath(os.path.join(root, name))
    if not real.startswith(root + os.sep) or not os.path.isfile(real):
        return None
    return real


def directory_runner(folder: Path, *, whole: bool = False) -> Runner:
    """Serve the files of one folder, by the ``name`` URL param (``whole``: as above)."""
    root = os.path.realpath(folder)

    def run(x: Exchange) -> None:
        real = safe_child(root, x.params.get('name', ''))
        if real is None:
            raise HTTPProblem(404, 'No such file.')
        _serve(x, real, content_type_of(real), whole, False)  # real: no symlink to follow

    return run


def dummy_runner() -> Runner:
    """RedBarrel's dummy: the request, as text."""

    def run(x: Exchange) -> None:
        x.body  # noqa: B018 - read (bounded) before WebOb renders the request
        x.resp.content_type = 'text/plain; charset=utf-8'
        x.resp.data = x.request.as_bytes()

    return run


def mock_runner(path: SpecPath, schema: BodySchema | None) -> Runner:
    """An example answer built from the spec, for paths without a handler."""
    response = path.response
    body = response.body if response is not None else None
    statuses = response.status if response is not None else {}
    success = sorted(code for code in statuses if 200 <= code < 300)
    status = success[0] if success else 200
    if body is not None and body.example is not None:
        example: Any = body.example
    elif schema is not None:
        example = example_from_schema(schema.json_schema)
    elif success:
        text = statuses[status]

        def describe(x: Exchange) -> None:
            x.resp.status = status
            x.resp.content_type = 'text/plain; charset=utf-8'
            x.resp.text = text

        return describe
    else:
        return dummy_runner()
    if isinstance(example, str):
        data, content_type = example.encode(), 'text/plain; charset=utf-8'
    else:
        data, content_type = json.dumps(example).encode(), 'application/json'

    def run(x: Exchange) -> None:
        x.resp.status = status
        x.resp.content_type = content_type
        x.resp.data = data

    return run


def _literal_prefix(template: str) -> str:
    first = parse_url_template(template)[0]
    return first if isinstance(first, str) else ''


def _tokens(header: str | None) -> set[str]:
    return {token.strip().lower() for token in (header or '').split(',')}


class _Proxy:
    """Forwards one path's requests to an upstream (see the module docstring)."""

    def __init__(
        self, target: str, template: str, connect_timeout: float, read_timeout: float
    ) -> None:
        url = urllib.parse.urlsplit(target)
        self.secure = url.scheme == 'https'
        self.host = url.hostname or 'localhost'
        self.port = url.port or (443 if self.secure else 80)
        self.base = url.path.rstrip('/')
        #: ``host[:port]``: the Host header, and the upstream's name in errors.
        self.netloc = url.netloc.rpartition('@')[2]
        self.authorization = _basic_authorization(url)
        self.prefix = _literal_prefix(template)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.context = ssl.create_default_context() if self.secure else None

    def __call__(self, x: Exchange) -> None:
        req = x.req
        path = req.path
        rest = path[len(self.prefix) :] if path.startswith(self.prefix) else path
        target = self.base + '/' + rest.lstrip('/')
        if req.query_string:
            target += '?' + req.query_string
        body = x.body
        headers = self.request_headers(x, len(body))
        status, answer_headers, data = self.send(req.method, target, body, headers)
        resp = x.resp
        resp.status = status
        dropped = HOP_BY_HOP | _tokens(dict(answer_headers).get('Connection'))
        for name, value in answer_headers:
            lower = name.lower()
            if lower not in dropped and lower != 'content-length':  # dropped has 'connection'
                resp.append_header(name, value)
        resp.data = data

    def request_headers(self, x: Exchange, length: int) -> dict[str, str]:
        """End-to-end request headers, plus Host and X-Forwarded-*."""
        env = x.req.env
        dropped = HOP_BY_HOP | _tokens(env.get('HTTP_CONNECTION')) | {'host'}
        headers: dict[str, str] = {}
        for key, value in env.items():
            if key.startswith('HTTP_'):
                name = key[5:].replace('_', '-').lower()
            elif key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                name = key.replace('_', '-').lower()
            else:
                continue
            if value and name not in dropped:
                headers[name] = value
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
        self, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request to the upstream: (status, headers, body).

        Raises:
            HTTPProblem: 502 when the upstream cannot be reached or fails, 504 on a timeout.
        """
        conn: http.client.HTTPConnection
        if self.secure:
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.connect_timeout, context=self.context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        netloc = self.netloc
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise HTTPProblem(
                    504, f'The upstream {netloc} did not accept the connection in time.'
                ) from None
            except OSError as ex:
                raise HTTPProblem(502, f'The upstream {netloc} is unreachable: {ex}') from None
            conn.sock.settimeout(self.read_timeout)
            try:
                conn.request(method, target, body=body or None, headers=headers)
                answer = conn.getresponse()
                return answer.status, answer.getheaders(), answer.read()
            except TimeoutError:
                raise HTTPProblem(504, f'The upstream {netloc} did not answer in time.') from None
            except (OSError, http.client.HTTPException) as ex:
                raise HTTPProblem(
                    502, f'The upstream {netloc} failed: {type(ex).__name__}: {ex}'
                ) from None
        finally:
            conn.close()


def _basic_authorization(url: urllib.parse.SplitResult) -> str | None:
    """``Basic ...`` for the userinfo of ``url``, or None without one."""
    if url.username is None:
        return None
    user = urllib.parse.unquote(url.username)
    password = urllib.parse.unquote(url.password or '')
    return 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode('ascii')


def proxy_runner(target: str, template: str, connect_timeout: float, read_timeout: float) -> Runner:
    """Forward requests to ``target`` (``http(s)://host:port[/base]``)."""
    return _Proxy(target, template, connect_timeout, read_timeout)
